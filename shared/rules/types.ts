// The rule engine's public vocabulary: rule ids (rules.md index, in index order), severities, findings.
// Rule ids are a product interface — never rename them.

export const RULE_IDS = [
  'R-HEADER-REQUIRED',
  'R-HEADER-DEPT-REQUIRED',
  'R-GOAL-ANNUAL-REQUIRED',
  'R-GOAL-MIDTERM-REQUIRED',
  'R-GOAL-CONCRETE',
  'R-GOAL-INDICATOR-CONSISTENCY',
  'R-FRAMEWORK-TREE',
  'R-LEVEL1-OUTPUT',
  'R-LEVEL1-BENEFIT',
  'R-OUTPUT-QUANTITY',
  'R-OUTPUT-QUALITY',
  'R-OUTPUT-TIMELINESS',
  'R-COST-REQUIRED',
  'R-SATISFACTION-REQUIRED',
  'R-LEVEL3-COUNT-MIN',
  'R-LEVEL3-COUNT-MAX',
  'R-LEVEL2-EMPTY',
  'R-VALUE-REQUIRED',
  'R-VALUE-PLACEHOLDER',
  'R-VALUE-COMPARATOR',
  'R-VALUE-UNIT',
  'R-VALUE-NUMERIC',
  'R-VALUE-QUALITATIVE-GRADE',
  'R-QUANT-SHARE',
  'R-OUTPUT-QUALITATIVE',
  'R-VAGUE-WORDING',
  'R-PERCENT-RANGE',
  'R-COMPARATOR-DIRECTION',
  'R-NAME-GENERIC',
  'R-NAME-CONTAINS-VALUE',
  'R-DUPLICATE-INDICATOR',
  'R-SATISFACTION-VALUE',
  'R-SATISFACTION-MISPLACED',
  'R-SATISFACTION-OBJECT',
  'R-TIMELINESS-FORM',
  'R-TIMELINESS-IN-PERIOD',
  'R-COST-FORM',
  'R-COST-VS-BUDGET',
  'R-COST-UNIT-CONSISTENCY',
  'R-INPUT-AS-OUTPUT',
  'R-OUTPUT-BENEFIT-MIXUP',
  'R-BENEFIT-PADDING',
  'R-ANNUAL-LE-MIDTERM',
  'R-FUND-SUM',
  'R-FUND-ANNUAL-LE-MIDTERM',
  'R-FUND-FORMAT',
  'R-FUND-MATCH-BUDGET',
  'R-DEPT-TASK-REQUIRED',
  'R-DEPT-TASK-SUM',
  'R-DEPT-TOTAL-MATCH',
  'R-DEPT-TASK-COVERAGE',
  'R-CATEGORY-SCOPE',
  'R-ONEOFF-COMPLETION',
  'R-ONEOFF-SUSTAIN',
  'R-ONEOFF-PERIOD',
  'R-CONTINUING-BASELINE',
  'R-CORE-REQUIRED',
] as const

export type RuleId = (typeof RULE_IDS)[number]

export const SEVERITIES = ['error', 'warning', 'info'] as const
export type Severity = (typeof SEVERITIES)[number]

export interface Finding {
  ruleId: string
  severity: Severity
  /** rules.md location syntax: `header.projectName`, `funds.annual`, `tasks[2]`, `indicators[7]`, `indicators`, `annualGoal` … */
  path: string
  /** indicator/task row id when `path` names a row */
  rowId?: string
  /** Chinese, for users: names the field and says what to do */
  message: string
  /** the offending value as typed, when there is one */
  value?: string
}

/** Which table kinds a rule looks at (rules.md index, column "applies to"). */
export type RuleScope = 'project' | 'department' | 'both'
