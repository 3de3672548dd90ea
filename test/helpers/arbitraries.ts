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
        oneOff: fc.boolean(),
        projectPeriod: fc.record({ start: fc.constant('2024-01'), end: fc.constant('2026-12'), years: fc.integer({ min: 1, max: 5 }) }),
      },
      { requiredKeys: ['projectName'] },
    ),
    funds: fc.record({ midTerm: fc.option(fundSplit, { nil: null }), annual: fundSplit }),
    midTermGoal: text(60),
    waivers: fc.record({ noServiceObject: fc.boolean(), reason: text() }),
  },
  { requiredKeys: ['kind', 'template', 'year', 'annualGoal', 'indicators', 'header', 'funds'] },
)

export const departmentTableArb = fc.record({
  kind: fc.constant('department' as const),
  ...common,
  template: fc.constant('mof2015-dept' as const),
  header: fc.record({ deptName: text(20), deptCode: text(4), deptBudgetTotal: amount, deptFunctions: text(40) }),
  tasks: fc.array(fc.record({ id: rowId, name: text(), content: text(40), total: amount, fiscal: amount, other: amount }), { maxLength: 6 }),
  taskTotals: fundSplit,
})

export const tableArb: fc.Arbitrary<TargetTable> = fc.oneof(projectTableArb, departmentTableArb) as fc.Arbitrary<TargetTable>
