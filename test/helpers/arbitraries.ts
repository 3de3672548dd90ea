// fast-check generators of valid tables (as parseTable would return them) for property tests.
import fc from 'fast-check'
import type { TargetTable } from '../../shared/model/index.ts'

const text = (max = 12) => fc.string({ unit: fc.constantFrom('产', '出', '效', '益', '率', 'a', 'Z', '1', ' ', '≥', '%', '“', '\n'), maxLength: max })
const amount = fc.oneof(
  fc.integer({ min: 0, max: 10_000_000 }).map((n) => n / 100),
  text(8),
  fc.constant(null),
)
let counter = 0
const rowId = fc.integer({ min: 0, max: 2 ** 30 }).map((n) => `r_${n}_${counter++}`)

const indicator = fc.record(
  {
    id: rowId,
    period: fc.constantFrom('annual' as const, 'midTerm' as const),
    level1: fc.constantFrom('产出指标', '效益指标', '满意度指标', '成本指标', ''),
    level2: text(),
    level3: text(20),
    comparator: fc.constantFrom('≥', '≤', '=', '>', '<', '定性', '', '>='),
    target: text(),
    unit: fc.constantFrom('%', '人', '万元', '元/人·年', '日期', ''),
    valueKind: fc.constantFrom('quantitative' as const, 'qualitative' as const),
    direction: fc.constantFrom('positive' as const, 'negative' as const),
    explanation: text(30),
    taskRef: text(),
    core: fc.boolean(),
  },
  { requiredKeys: ['id', 'period', 'level1', 'level2', 'level3', 'comparator', 'target', 'unit'] },
)

const fundSplit = fc.record({ total: amount, fiscal: amount, other: amount })
const codeName = fc.record({ code: text(4), name: text() }, { requiredKeys: ['name'] })
const signature = { preparer: text(6), phone: fc.constantFrom('13800138000', ''), unitLeader: text(6), fillDate: fc.constantFrom('2024-01-05', ''), reviewOpinion: text(20) }
const unplaced = fc.array(fc.record({ id: rowId, cell: fc.constantFrom('A1', 'D14', 'H3'), text: text(20), sheet: text(6), reason: text(10) }, { requiredKeys: ['id', 'cell', 'text'] }), { maxLength: 3 })

const common = {
  template: fc.constantFrom('mof2015-project' as const, 'mof2021-core' as const, 'local-simple' as const, 'yth-flat' as const),
  year: fc.integer({ min: 2020, max: 2030 }),
  annualGoal: text(60),
  indicators: fc.array(indicator, { maxLength: 12 }),
}

export const projectTableArb = fc.record(
  {
    kind: fc.constant('project' as const),
    ...common,
    framework: fc.constantFrom('mof2015' as const, 'mof2021' as const),
    moneyUnit: fc.constant('万元' as const),
    header: fc.record(
      {
        projectName: text(30),
        competentDept: fc.record({ code: text(4), name: text() }),
        implementingUnit: codeName,
        functionalClass: codeName,
        projectAttribute: fc.constantFrom('新增', '延续', ''),
        fundingType: fc.constantFrom('部门预算项目', '专项资金项目', ''),
        oneOff: fc.boolean(),
        projectPeriod: fc.record({ start: fc.constant('2024-01'), end: fc.constant('2026-12'), years: fc.integer({ min: 1, max: 5 }) }),
        ...signature,
      },
      { requiredKeys: ['projectName'] },
    ),
    funds: fc.record({ midTerm: fc.option(fundSplit, { nil: null }), annual: fundSplit }),
    midTermGoal: text(60),
    waivers: fc.record({ noServiceObject: fc.boolean(), reason: text() }),
    unplaced,
  },
  { requiredKeys: ['kind', 'template', 'year', 'annualGoal', 'indicators', 'header', 'funds'] },
)

export const departmentTableArb = fc.record({
  kind: fc.constant('department' as const),
  ...common,
  template: fc.constant('mof2015-dept' as const),
  header: fc.record(
    { deptName: text(20), deptCode: text(4), functionalClass: codeName, deptBudgetTotal: amount, deptFunctions: text(40), ...signature },
    { requiredKeys: ['deptName', 'deptCode', 'deptBudgetTotal', 'deptFunctions'] },
  ),
  tasks: fc.array(fc.record({ id: rowId, name: text(), content: text(40), total: amount, fiscal: amount, other: amount }), { maxLength: 6 }),
  taskTotals: fundSplit,
})

export const tableArb: fc.Arbitrary<TargetTable> = fc.oneof(projectTableArb, departmentTableArb) as fc.Arbitrary<TargetTable>

// ---- blanks (CONTRACT.md → Table JSON: any field may be blank — absent, null or "")

export type BlankKind = 'absent' | 'null' | 'empty'
export type JsonPath = (string | number)[]

/** The identity of a table and row ids: never blanked (they are not fields a person fills in). */
const NOT_BLANKABLE = new Set(['kind', 'template', 'year'])

/** Every field path of `table` that may be blanked: objects, lists and leaves, but not identity keys or row ids. */
export function blankablePaths(table: unknown): JsonPath[] {
  const out: JsonPath[] = []
  const walk = (v: unknown, path: JsonPath) => {
    if (Array.isArray(v)) v.forEach((item, i) => walk(item, [...path, i]))
    else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
        if (path.length === 0 && NOT_BLANKABLE.has(k)) continue
        if (k === 'id' && typeof path[path.length - 1] === 'number') continue
        out.push([...path, k])
        walk(child, [...path, k])
      }
    }
  }
  walk(table, [])
  return out
}

/** A deep copy of `table` with the field at each path blanked the given way (a path whose parent went blank is skipped). */
export function blankFields(table: unknown, picks: readonly [JsonPath, BlankKind][]): Record<string, unknown> {
  const copy = structuredClone(table) as Record<string, unknown>
  for (const [path, how] of picks) {
    let parent: unknown = copy
    for (const seg of path.slice(0, -1)) parent = parent !== null && typeof parent === 'object' ? (parent as Record<string | number, unknown>)[seg] : undefined
    if (parent === null || typeof parent !== 'object' || Array.isArray(parent)) continue
    const key = path[path.length - 1] as string
    const obj = parent as Record<string, unknown>
    if (how === 'absent') delete obj[key]
    else obj[key] = how === 'null' ? null : ''
  }
  return copy
}

const blankKind = fc.constantFrom<BlankKind>('absent', 'null', 'empty')

/** A valid table with random fields blanked (absent, null or "", chosen at random), and the blanks made. */
export const blankedTableArb: fc.Arbitrary<{ table: TargetTable; blanked: Record<string, unknown>; picks: [JsonPath, BlankKind][] }> = tableArb.chain((table) => {
  const paths = blankablePaths(table)
  return fc
    .array(fc.tuple(fc.nat(), blankKind), { minLength: 1, maxLength: 12 })
    .map((raw) => {
      const picks = raw.map(([i, how]) => [paths[i % paths.length]!, how] as [JsonPath, BlankKind])
      return { table, blanked: blankFields(table, picks), picks }
    })
})
