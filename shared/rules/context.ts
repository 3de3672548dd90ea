// What every rule needs, computed once per validation: compiled word lists (cached per configuration), each row's
// framework class and parsed value, project facts (period, end date, funds) and the report sink.
import {
  FRAMEWORKS, TEMPLATES, classify, frameworkOf, microToString, parseAmount,
  type Amount, type DepartmentTable, type FrameworkId, type IndicatorRow, type ParsedAmount, type Period,
  type ProjectTable, type TargetTable, type TemplateDef,
} from '../model/index.ts'
import { severityOf, type RuleConfig } from './config.ts'
import { lastDayOfMonth, parseYearMonth, type SimpleDate } from './dates.ts'
import { matchSuffix, nearKeyOf, normaliseName, suffixSet, type SuffixSet } from './text.ts'
import type { Finding, RuleId } from './types.ts'
import { compileParseTables, effectiveValue, type EffectiveValue, type ParseTables } from './value-parse.ts'

/** Word lists turned into the shapes the rules search, built once per configuration object. */
export interface Compiled {
  parse: ParseTables
  grades: ReadonlySet<string>
  boundedSuffixes: SuffixSet
  unboundedSuffixes: SuffixSet
  positiveSuffixes: SuffixSet
  negativeSuffixes: SuffixSet
  satisfactionGeneric: ReadonlySet<string>
  /** every 一级/二级 label and alias, as name keys, with and without 指标 */
  frameworkLabels: ReadonlySet<string>
  stubNames: ReadonlySet<string>
  deptGenericWords: ReadonlySet<string>
}

const compiledCache = new WeakMap<RuleConfig, Compiled>()

function labelKeys(): Set<string> {
  const out = new Set<string>()
  const add = (label: string) => {
    const k = normaliseName(label)
    out.add(k)
    out.add(k.endsWith('指标') ? k.slice(0, -2) : `${k}指标`)
  }
  for (const f of Object.values(FRAMEWORKS)) {
    for (const l1 of f.level1) {
      add(l1.name)
      for (const l2 of l1.level2) add(l2.name)
    }
  }
  return out
}

export function compile(config: RuleConfig): Compiled {
  let c = compiledCache.get(config)
  if (c) return c
  c = {
    parse: compileParseTables(config),
    grades: new Set(config.terms.qualitativeGrades),
    boundedSuffixes: suffixSet(config.percent.boundedSuffixes),
    unboundedSuffixes: suffixSet(config.percent.unboundedSuffixes),
    positiveSuffixes: suffixSet(config.direction.positiveSuffixes),
    negativeSuffixes: suffixSet(config.direction.negativeSuffixes),
    satisfactionGeneric: new Set(config.satisfaction.genericObjects.map(normaliseName)),
    frameworkLabels: labelKeys(),
    stubNames: new Set(config.terms.stubNames.map((s) => normaliseName(s) || s)),
    deptGenericWords: new Set(config.deptTasks.genericWords),
  }
  compiledCache.set(config, c)
  return c
}

export interface RowInfo {
  index: number
  row: IndicatorRow
  path: string
  period: Period
  /** framework ids of 一级/二级 (output, quantity …); undefined when the pair is not in the framework */
  l1?: string
  l2?: string
  /** 三级 name as typed, trimmed (keys below are the folded forms for matching) */
  name: string
  key: string
  nearKey: string
  value: EffectiveValue
}

/** A core (★) entry of the indicator library that applies to the table (R-CORE-REQUIRED). */
export interface LibraryCoreIndicator {
  /** library entry id */
  id: string
  level1?: string
  level2?: string
  level3: string
}

export interface ReportInput {
  id: RuleId
  /** severity case of the rule (config.rules[id].cases) */
  kase?: string
  path: string
  message: string
  value?: string
  rowId?: string
}

export interface RuleContext {
  table: TargetTable
  project: ProjectTable | null
  department: DepartmentTable | null
  config: RuleConfig
  c: Compiled
  framework: FrameworkId
  template: TemplateDef
  moneyUnit: '万元' | '元'
  year: number
  rows: RowInfo[]
  byPeriod: Record<Period, RowInfo[]>
  /** periods judged for completeness: annual, and 中期 when the project needs one */
  checkedPeriods: Period[]
  multiYear: boolean
  midTermRequired: boolean
  /** last day of the 项目期, when it can be read */
  projectEnd: SimpleDate | null
  /** equality tolerance in micro-units of the table's money unit */
  toleranceMicro: bigint
  /** 元 per unit of the table's money */
  yuanPerUnit: bigint
  amount(value: Amount | undefined): ParsedAmount
  /** 资金总额 of a period (department: 金额合计), in micro-units, or null */
  fundsTotal(period: Period): bigint | null
  /** formats micro-units with the table's money unit: “180 万元” */
  money(micro: bigint): string
  /** core (★) library entries of the table's 功能分类, supplied by the caller (validateTable options) */
  libraryCore: readonly LibraryCoreIndicator[]
  findings: Finding[]
  report(input: ReportInput): void
  reportRow(id: RuleId, kase: string | undefined, row: RowInfo, message: string, value?: string): void
}

export const PERIOD_NAMES: Record<Period, string> = { annual: '年度', midTerm: '中期' }

function projectYears(project: ProjectTable): { years: number | null; end: SimpleDate | null; spans: boolean } {
  const p = project.header.projectPeriod
  const start = parseYearMonth(p?.start)
  const endYm = parseYearMonth(p?.end)
  let years = typeof p?.years === 'number' && p.years > 0 ? p.years : null
  if (years === null && start && endYm) years = endYm.y - start.y + 1
  let end: SimpleDate | null = null
  if (endYm) end = { y: endYm.y, m: endYm.m ?? 12, d: lastDayOfMonth(endYm.y, endYm.m ?? 12) }
  else if (start && years) end = { y: start.y + years - 1, m: 12, d: 31 }
  const spans = (years ?? 1) > 1 || (start !== null && end !== null && end.y > start.y)
  return { years, end, spans }
}

export function buildContext(table: TargetTable, config: RuleConfig): RuleContext {
  const c = compile(config)
  const framework = frameworkOf(table)
  const template = TEMPLATES[table.template]
  const moneyUnit = table.moneyUnit ?? template.moneyUnit
  const project = table.kind === 'project' ? table : null
  const department = table.kind === 'department' ? table : null
  const classCache = new Map<string, { l1?: string; l2?: string }>()

  const rows: RowInfo[] = []
  const byPeriod: Record<Period, RowInfo[]> = { annual: [], midTerm: [] }
  table.indicators.forEach((row, index) => {
    const ck = `${row.level1}\u0000${row.level2}`
    let cls = classCache.get(ck)
    if (!cls) {
      cls = classify(framework, row.level1, row.level2)
      classCache.set(ck, cls)
    }
    const name = row.level3.trim()
    const key = normaliseName(name)
    const info: RowInfo = {
      index,
      row,
      path: `indicators[${index}]`,
      period: row.period,
      l1: cls.l1,
      l2: cls.l1 ? cls.l2 : undefined,
      name,
      key,
      nearKey: nearKeyOf(key),
      value: effectiveValue(row, { separateComparator: template.separateComparator, year: table.year, tables: c.parse }),
    }
    rows.push(info)
    byPeriod[row.period].push(info)
  })

  const facts = project ? projectYears(project) : { years: null, end: null, spans: false }
  const multiYear = facts.spans
  const midTermRequired = project !== null && multiYear && (template.hasMidTerm || project.header.oneOff === true)
  const yuanPerUnit = moneyUnit === '元' ? 1n : 10000n
  const toleranceWan = parseAmount(config.funds.toleranceWan)
  const toleranceMicro = toleranceWan.ok ? (moneyUnit === '元' ? toleranceWan.micro * 10000n : toleranceWan.micro) : 0n
  const amount = (value: Amount | undefined) => parseAmount(value, moneyUnit)

  const sumTasks = (): bigint | null => {
    if (!department) return null
    let s = 0n
    for (const t of department.tasks) {
      const a = amount(t.total)
      if (!a.ok) return null
      s += a.micro
    }
    return s
  }

  const computeFundsTotal = (period: Period): bigint | null => {
    if (department) {
      if (period !== 'annual') return null
      const t = amount(department.taskTotals.total)
      return t.ok ? t.micro : sumTasks()
    }
    const split = period === 'annual' ? project!.funds.annual : project!.funds.midTerm
    if (!split) return null
    const t = amount(split.total)
    return t.ok ? t.micro : null
  }

  const fundsMemo: Partial<Record<Period, bigint | null>> = {}
  const ctx: RuleContext = {
    table,
    project,
    department,
    config,
    c,
    framework,
    template,
    moneyUnit,
    year: table.year,
    rows,
    byPeriod,
    checkedPeriods: midTermRequired ? ['annual', 'midTerm'] : ['annual'],
    multiYear,
    midTermRequired,
    projectEnd: facts.end,
    toleranceMicro,
    yuanPerUnit,
    amount,
    fundsTotal: (period) => {
      if (!(period in fundsMemo)) fundsMemo[period] = computeFundsTotal(period)
      return fundsMemo[period]!
    },
    money: (micro) => `${microToString(micro)} ${moneyUnit}`,
    libraryCore: [],
    findings: [],
    report(input) {
      const f: Finding = { ruleId: input.id, severity: severityOf(config, input.id, input.kase), path: input.path, message: input.message }
      if (input.rowId !== undefined) f.rowId = input.rowId
      if (input.value !== undefined) f.value = input.value
      ctx.findings.push(f)
    },
    reportRow(id, kase, row, message, value) {
      ctx.report({ id, kase, path: row.path, message, value, rowId: row.row.id })
    },
  }
  return ctx
}

/** Rows of a period under one 一级 (and optionally one 二级), by framework id. */
export function rowsIn(ctx: RuleContext, period: Period, l1: string, l2?: string): RowInfo[] {
  return ctx.byPeriod[period].filter((r) => r.l1 === l1 && (l2 === undefined || r.l2 === l2))
}

/** Cost rows as rules.md reads them: 产出/成本指标 in mof2015, 成本/经济成本指标 in mof2021. */
export function isCostRow(ctx: RuleContext, r: RowInfo): boolean {
  return ctx.framework === 'mof2021' ? r.l1 === 'cost' && r.l2 === 'economicCost' : r.l1 === 'output' && r.l2 === 'cost'
}

export function isSatisfactionName(name: string): boolean {
  return name.includes('满意')
}

/** 正向/反向 of a row from its name: negative endings first, then positive endings and any other …率. */
export function inferDirection(ctx: RuleContext, r: RowInfo): 'positive' | 'negative' | undefined {
  if (matchSuffix(r.key, ctx.c.negativeSuffixes)) return 'negative'
  if (matchSuffix(r.key, ctx.c.positiveSuffixes) || r.key.endsWith('率')) return 'positive'
  return undefined
}
