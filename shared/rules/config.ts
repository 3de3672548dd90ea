// The one configuration object of the rule engine: every rule's on/off switch and severity, every threshold
// and every word list. Defaults are rules.md + framework.json; a bureau overrides them per year with mergeRuleConfig.
import { FRAMEWORK_DATA } from '../model/index.ts'
import { RULE_IDS, type RuleId, type Severity } from './types.ts'
import type { UnitLists } from './units.ts'

export interface RuleSetting {
  enabled: boolean
  /** severity when the rule has a single case */
  severity: Severity
  /** severity per case for rules that have several (rules.md "error / warning") */
  cases?: Readonly<Record<string, Severity>>
}

export interface RuleConfig {
  rules: Readonly<Record<RuleId, RuleSetting>>
  /** forces one severity on every finding of a rule, whatever the case */
  severityOverride: Readonly<Partial<Record<RuleId, Severity>>>
  level3: {
    /** fewer rows per period ⇒ error */
    min: number
    /** fewer rows per period when funds ≥ largeFundsWan ⇒ warning */
    minWhenLargeFunds: number
    largeFundsWan: number
    maxPerPeriod: number
    maxPerLevel2: number
  }
  quantShare: { minPercent: number }
  satisfaction: {
    warnBelow: number
    warnAbove: number
    /** what may precede 满意度 without naming who is satisfied */
    genericObjects: readonly string[]
  }
  funds: {
    /** equality tolerance, in 万元 (converted to the table's unit) */
    toleranceWan: number
    maxDecimals: Readonly<Record<'万元' | '元', number>>
  }
  costUnit: { tolerancePercent: number }
  deptTasks: {
    /** tasks with at least this share of 金额合计 must be traceable to an indicator */
    coverageMinSharePercent: number
    /** two-character words too common in task names to prove a match */
    genericWords: readonly string[]
  }
  goal: { minLength: number; maxLength: number; requireNumber: boolean }
  terms: {
    /** R-VAGUE-WORDING in 指标值 and goals */
    vague: readonly string[]
    /** R-VAGUE-WORDING in 三级 names: only adverbial phrases, since bare verbs (保障, 提高) and 较大 name measurable things */
    vagueInNames: readonly string[]
    placeholders: readonly string[]
    inputLike: readonly string[]
    qualitativeGrades: readonly string[]
    /** R-BENEFIT-PADDING: phrases that mark a filler benefit */
    padding: readonly string[]
    /** R-OUTPUT-BENEFIT-MIXUP: a benefit row starting with these is an output */
    outputVerbsInBenefit: readonly string[]
    /** R-OUTPUT-BENEFIT-MIXUP: a benefit row containing these is an output */
    outputPhrasesInBenefit: readonly string[]
    /** R-OUTPUT-BENEFIT-MIXUP: an output row containing these is an effect */
    effectPhrasesInOutput: readonly string[]
    /** R-COST-FORM: a cost-control rate must name its base with one of these */
    costRateBase: readonly string[]
    /** R-NAME-GENERIC stubs */
    stubNames: readonly string[]
  }
  comparatorWords: Readonly<Record<'≥' | '≤' | '=' | '>' | '<', readonly string[]>>
  /** the unit lists; `extra` holds configured local units (rules.md R-VALUE-UNIT) */
  units: UnitLists
  percent: {
    /** names ending with these and unit % are bounded rates (R-PERCENT-RANGE) */
    boundedSuffixes: readonly string[]
    /** …unless they end with one of these (growth can exceed 100%) */
    unboundedSuffixes: readonly string[]
  }
  direction: {
    /** name endings of 正向 indicators (besides any …率 not listed as negative) */
    positiveSuffixes: readonly string[]
    /** name endings of 反向 indicators, checked first */
    negativeSuffixes: readonly string[]
  }
  oneOff: {
    acceptanceTerms: readonly string[]
    completionTerms: readonly string[]
    recurringTerms: readonly string[]
  }
}

type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T
export type RuleConfigPatch = DeepPartial<RuleConfig>

const single = (severity: Severity, enabled = true): RuleSetting => ({ enabled, severity })
const cases = (c: Record<string, Severity>): RuleSetting => ({ enabled: true, severity: worst(Object.values(c)), cases: c })

function worst(list: Severity[]): Severity {
  if (list.includes('error')) return 'error'
  return list.includes('warning') ? 'warning' : 'info'
}

const RULE_SETTINGS: Record<RuleId, RuleSetting> = {
  'R-HEADER-REQUIRED': single('error'),
  'R-HEADER-DEPT-REQUIRED': single('error'),
  'R-GOAL-ANNUAL-REQUIRED': single('error'),
  'R-GOAL-MIDTERM-REQUIRED': single('error'),
  'R-GOAL-CONCRETE': single('warning'),
  'R-GOAL-INDICATOR-CONSISTENCY': single('warning'),
  'R-FRAMEWORK-TREE': single('error'),
  'R-LEVEL1-OUTPUT': single('error'),
  'R-LEVEL1-BENEFIT': single('error'),
  'R-OUTPUT-QUANTITY': single('error'),
  'R-OUTPUT-QUALITY': single('warning'),
  'R-OUTPUT-TIMELINESS': single('warning'),
  'R-COST-REQUIRED': cases({ mof2021: 'error', mof2015: 'warning' }),
  'R-SATISFACTION-REQUIRED': cases({ missing: 'error', waived: 'info' }),
  'R-LEVEL3-COUNT-MIN': cases({ belowMin: 'error', belowLargeFundsMin: 'warning' }),
  'R-LEVEL3-COUNT-MAX': single('warning'),
  'R-LEVEL2-EMPTY': single('info'),
  'R-VALUE-REQUIRED': single('error'),
  'R-VALUE-PLACEHOLDER': single('error'),
  'R-VALUE-COMPARATOR': cases({ separateColumn: 'error', legacyText: 'warning' }),
  'R-VALUE-UNIT': single('error'),
  'R-VALUE-NUMERIC': single('error'),
  'R-VALUE-QUALITATIVE-GRADE': single('warning'),
  'R-QUANT-SHARE': single('warning'),
  'R-OUTPUT-QUALITATIVE': single('error'),
  'R-VAGUE-WORDING': cases({ value: 'error', name: 'warning', goal: 'warning' }),
  'R-PERCENT-RANGE': cases({ outOfRange: 'error', geHundred: 'warning' }),
  'R-COMPARATOR-DIRECTION': single('warning'),
  'R-NAME-GENERIC': single('error'),
  'R-NAME-CONTAINS-VALUE': single('warning'),
  'R-DUPLICATE-INDICATOR': cases({ exact: 'error', near: 'warning' }),
  'R-SATISFACTION-VALUE': cases({ invalid: 'error', doubtful: 'warning' }),
  'R-SATISFACTION-MISPLACED': single('warning'),
  'R-SATISFACTION-OBJECT': single('warning'),
  'R-TIMELINESS-FORM': single('warning'),
  'R-TIMELINESS-IN-PERIOD': cases({ afterProjectEnd: 'error', afterBudgetYear: 'warning' }),
  'R-COST-FORM': single('warning'),
  'R-COST-VS-BUDGET': cases({ totalAboveFunds: 'error', unitAboveFunds: 'error' }),
  'R-COST-UNIT-CONSISTENCY': single('warning'),
  'R-INPUT-AS-OUTPUT': cases({ output: 'error', elsewhere: 'warning' }),
  'R-OUTPUT-BENEFIT-MIXUP': single('warning'),
  'R-BENEFIT-PADDING': single('warning'),
  'R-ANNUAL-LE-MIDTERM': single('warning'),
  'R-FUND-SUM': single('error'),
  'R-FUND-ANNUAL-LE-MIDTERM': single('error'),
  'R-FUND-FORMAT': single('error'),
  'R-FUND-MATCH-BUDGET': single('error'),
  'R-DEPT-TASK-REQUIRED': single('error'),
  'R-DEPT-TASK-SUM': single('error'),
  'R-DEPT-TOTAL-MATCH': single('warning'),
  'R-DEPT-TASK-COVERAGE': single('warning'),
  'R-CATEGORY-SCOPE': cases({ hint: 'info', reduced: 'warning' }),
  'R-ONEOFF-COMPLETION': single('warning'),
  'R-ONEOFF-SUSTAIN': single('warning'),
  'R-ONEOFF-PERIOD': single('error'),
  'R-CONTINUING-BASELINE': single('warning'),
  'R-CORE-REQUIRED': single('error'),
}

const fw = FRAMEWORK_DATA
const grades = fw.qualitativeGrades as unknown as Record<string, unknown>
const gradeWords = Object.values(grades).filter((v): v is string[] => Array.isArray(v)).flat()
const comparatorWord = (symbol: string): string[] => fw.comparators.find((c) => c.symbol === symbol)?.words ?? []

/** Adverbial vague phrases: they never name a measurable thing, so they are wrong in a 三级 name too. */
const VAGUE_IN_NAMES = [
  '进一步', '有所', '逐步', '逐年', '不断', '持续提升', '持续改善', '稳步提高', '稳步提升', '明显改善',
  '显著提升', '大幅', '有效促进', '有效提升', '有效保障', '切实', '全面提升',
]

export const defaultRuleConfig: RuleConfig = deepFreeze({
  rules: RULE_SETTINGS,
  severityOverride: {},
  level3: { min: 3, minWhenLargeFunds: 6, largeFundsWan: 100, maxPerPeriod: 30, maxPerLevel2: 6 },
  quantShare: { minPercent: 50 },
  satisfaction: {
    warnBelow: fw.satisfactionConventions.warnBelow,
    warnAbove: fw.satisfactionConventions.warnAbove,
    genericObjects: ['', '社会', '社会公众', '公众', '服务对象', '社会公众或服务对象', '总体', '综合', '整体', '服务', '项目', '工作', '满意', '用户'],
  },
  funds: { toleranceWan: 0.005, maxDecimals: { 万元: 2, 元: 2 } },
  costUnit: { tolerancePercent: 15 },
  deptTasks: {
    coverageMinSharePercent: 10,
    genericWords: ['工作', '建设', '管理', '保障', '服务', '发展', '项目', '运转', '机关', '提升', '经费', '专项', '其他', '日常', '相关', '事务', '支出', '任务', '开展', '推进', '加强', '基层'],
  },
  goal: { minLength: 15, maxLength: 500, requireNumber: true },
  terms: {
    vague: fw.vagueTerms.terms,
    vagueInNames: VAGUE_IN_NAMES,
    placeholders: fw.vagueTerms.placeholders,
    inputLike: fw.inputLikeTerms.terms,
    qualitativeGrades: [...new Set(gradeWords)],
    padding: ['可持续发展', '持续发展', '生态修复', '生态环境', '环境卫生', '环境保护', '等方面', '综合效益', '经济效益', '社会效益', '生态效益', '环境效益'],
    outputVerbsInBenefit: ['完成', '新建', '购置', '发放', '开展', '举办'],
    outputPhrasesInBenefit: ['验收合格率', '验收通过率', '竣工', '完工', '培训人次', '培训人数'],
    effectPhrasesInOutput: ['增长率', '增长幅度', '增收', '收入增长', '产值增长', '带动就业', '带动增收'],
    costRateBase: ['较', '比', '相对', '同比', '节约', '节省', '降低', '下降', '压减', '基数'],
    stubNames: ['其他', '其它', '无', '暂无', '指标', '三级指标', '-', '—'],
  },
  comparatorWords: {
    '≥': comparatorWord('≥'),
    '≤': comparatorWord('≤'),
    '=': comparatorWord('='),
    '>': comparatorWord('>'),
    '<': comparatorWord('<'),
  },
  units: {
    count: fw.units.count,
    measure: fw.units.length_area_volume_mass,
    money: fw.units.money,
    ratio: fw.units.ratio,
    time: fw.units.time,
    other: fw.units.other,
    extra: ['起', '名', '例', '株', '棵', '只', '头', '部', '门', '首', '段', '组', '支', '块', '盏', '根', '户数'],
  },
  percent: {
    boundedSuffixes: ['率', '覆盖率', '合格率', '满意度', '达标率', '完成率', '知晓率'],
    unboundedSuffixes: ['增长率', '增速', '提高率', '提升率', '变化率', '回报率', '收益率', '倍率'],
  },
  direction: {
    positiveSuffixes: ['满意度', '人数', '次数', '人次', '户数', '户次', '场次', '个数', '数量', '面积', '产值', '收入', '增收', '收益', '年限'],
    negativeSuffixes: [
      '成本', '费用', '单价', '时长', '发生率', '投诉量', '事故数', '差错率', '时限', '用时', '耗时', '时间', '缺陷数',
      '投诉', '投诉数', '投诉率', '事故起数', '事故率', '故障率', '错误率', '失误率', '死亡率', '发病率', '患病率',
      '超标率', '返工率', '流失率', '空置率', '损耗率', '误报率', '漏报率', '辍学率', '返贫率', '复发率', '不合格率',
      '逾期率', '支出', '造价', '价格', '费', '能耗', '排放量',
    ],
  },
  oneOff: {
    acceptanceTerms: ['验收', '通过率', '终验', '上线', '交付', '竣工', '投入使用', '通过评审', '评审通过'],
    completionTerms: ['完成时间', '完工时间', '竣工时间', '完成时限', '完工时限', '上线时间', '交付时间', '验收时间', '建成时间', '按期完成率', '按时完成率', '按期竣工率', '按期交付率'],
    recurringTerms: ['每年', '年均', '每季度', '每月', '每周', '逐年'],
  },
})

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v)
  }
  return value
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function merge(base: unknown, patch: unknown): unknown {
  if (patch === undefined) return base
  // WATCH OUT: copy lists so freezing the result never freezes the caller's arrays.
  if (Array.isArray(patch)) return [...patch]
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch
  const out: Record<string, unknown> = { ...base }
  for (const [k, v] of Object.entries(patch)) out[k] = merge(base[k], v)
  return out
}

/**
 * A new configuration: `base` (the defaults unless given) with `patch` laid over it. Objects merge key by key,
 * lists replace (so a bureau states its whole vague-term list), unknown rule ids are refused.
 */
export function mergeRuleConfig(patch: RuleConfigPatch, base: RuleConfig = defaultRuleConfig): RuleConfig {
  for (const id of Object.keys(patch.rules ?? {})) {
    if (!(RULE_IDS as readonly string[]).includes(id)) throw new Error(`unknown rule id in configuration: ${id}`)
  }
  for (const id of Object.keys(patch.severityOverride ?? {})) {
    if (!(RULE_IDS as readonly string[]).includes(id)) throw new Error(`unknown rule id in severityOverride: ${id}`)
  }
  return deepFreeze(merge(base, patch) as RuleConfig)
}

/** Severity of one finding: the per-rule override, else the case's severity, else the rule's. */
export function severityOf(config: RuleConfig, id: RuleId, kase?: string): Severity {
  const forced = config.severityOverride[id]
  if (forced) return forced
  const setting = config.rules[id]
  return (kase !== undefined ? setting.cases?.[kase] : undefined) ?? setting.severity
}
