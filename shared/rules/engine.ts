// The validator: runs every enabled rule on a table, then applies the reporting conventions of rules.md
// (one finding per rule and location, specific beats generic on the same cell) and sorts the result.
import type { TargetTable } from '../model/index.ts'
import { defaultRuleConfig, type RuleConfig } from './config.ts'
import { buildContext, type LibraryCoreIndicator } from './context.ts'
import { costRules } from './rules/cost.ts'
import { departmentRules } from './rules/department.ts'
import { fundRules } from './rules/funds.ts'
import { goalRules } from './rules/goals.ts'
import { nameRules } from './rules/names.ts'
import type { RuleDef } from './rules/rule.ts'
import { satisfactionRules } from './rules/satisfaction.ts'
import { semanticRules } from './rules/semantics.ts'
import { specialRules } from './rules/special.ts'
import { structureRules } from './rules/structure.ts'
import { timelinessRules } from './rules/timeliness.ts'
import { valueRules } from './rules/values.ts'
import { RULE_IDS, type Finding, type RuleId, type Severity } from './types.ts'

const RULE_ORDER = new Map<string, number>(RULE_IDS.map((id, i) => [id, i]))

/** Every rule, in rules.md index order. */
export const RULES: readonly RuleDef[] = [
  ...structureRules, ...goalRules, ...valueRules, ...nameRules, ...satisfactionRules, ...timelinessRules,
  ...costRules, ...semanticRules, ...fundRules, ...departmentRules, ...specialRules,
].sort((a, b) => RULE_ORDER.get(a.id)! - RULE_ORDER.get(b.id)!)

/** rules.md “Specific beats generic on the same cell”: the generic rule is dropped where a specific one fired. */
const SUPPRESSED_BY: ReadonlyMap<RuleId, readonly RuleId[]> = new Map<RuleId, RuleId[]>([
  ['R-VALUE-QUALITATIVE-GRADE', ['R-VAGUE-WORDING', 'R-TIMELINESS-FORM', 'R-COST-FORM']],
  ['R-VALUE-NUMERIC', ['R-VALUE-PLACEHOLDER']],
  ['R-NAME-CONTAINS-VALUE', ['R-VALUE-PLACEHOLDER']],
])

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 }

const HEADER_ORDER = [
  'projectName', 'competentDept', 'implementingUnit', 'projectAttribute', 'projectCategory', 'oneOff', 'crossYear',
  'projectPeriod', 'functionalClass', 'fundSource', 'deptName', 'deptCode', 'deptType', 'deptBudgetTotal', 'deptFunctions',
]
const SECTION: Record<string, number> = {
  header: 0, funds: 1, budgetLink: 2, midTermGoal: 3, annualGoal: 4, tasks: 5, taskTotals: 6, indicators: 7,
}
const PATH = /^([A-Za-z]+)(?:\.([A-Za-z]+)|\[(\d+)\])?/

/** Sort key of a location: the form's reading order (header, funds, goals, tasks, indicators by row). */
function pathKey(path: string): [number, number] {
  const m = PATH.exec(path)
  if (!m) return [99, 0]
  const section = SECTION[m[1]!] ?? 98
  if (m[3] !== undefined) return [section, Number(m[3])]
  if (m[2] !== undefined) {
    if (section === 0) return [0, HEADER_ORDER.indexOf(m[2]) + 1 || 99]
    return [section, m[2] === 'midTerm' ? 0 : 1]
  }
  return [section, -1]
}

function compareFindings(a: Finding, b: Finding): number {
  const s = SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]
  if (s) return s
  const [a1, a2] = pathKey(a.path)
  const [b1, b2] = pathKey(b.path)
  if (a1 !== b1) return a1 - b1
  if (a2 !== b2) return a2 - b2
  if (a.path !== b.path) return a.path < b.path ? -1 : 1
  return (RULE_ORDER.get(a.ruleId) ?? 999) - (RULE_ORDER.get(b.ruleId) ?? 999)
}

/** One finding per (rule, location), the most severe kept; then the suppressions; then the sort. */
export function finaliseFindings(findings: readonly Finding[]): Finding[] {
  const unique = new Map<string, Finding>()
  for (const f of findings) {
    const key = `${f.ruleId}\u0000${f.path}`
    const prev = unique.get(key)
    if (!prev || SEVERITY_RANK[f.severity] < SEVERITY_RANK[prev.severity]) unique.set(key, f)
  }
  const out: Finding[] = []
  for (const f of unique.values()) {
    const by = SUPPRESSED_BY.get(f.ruleId as RuleId)
    if (by && by.some((id) => unique.has(`${id}\u0000${f.path}`))) continue
    out.push(f)
  }
  return out.sort(compareFindings)
}

/** What the caller knows beyond the table itself (the engine stays pure: no storage here). */
export interface ValidateOptions {
  /** core (★) library entries whose 功能分类 cover the table's class (R-CORE-REQUIRED) */
  libraryCore?: readonly LibraryCoreIndicator[]
}

/** Validates a parsed table. Never throws on odd content: bad values become findings. */
export function validateTable(table: TargetTable, config: RuleConfig = defaultRuleConfig, options: ValidateOptions = {}): Finding[] {
  const ctx = buildContext(table, config)
  if (options.libraryCore) ctx.libraryCore = options.libraryCore
  for (const rule of RULES) {
    if (!config.rules[rule.id].enabled) continue
    if (rule.scope !== 'both' && rule.scope !== table.kind) continue
    rule.check(ctx)
  }
  return finaliseFindings(ctx.findings)
}

/** Whether a table may be submitted (提交/报送): no error findings. */
export function canSubmit(findings: readonly Finding[]): boolean {
  return !findings.some((f) => f.severity === 'error')
}
