// Rules on 时效 and 成本 rows (rules.md §B): checkable deadlines inside the period, cost form, cost vs funds, unit cost × quantity.
import { describe, expect, it } from 'vitest'
import type { IndicatorRow } from '../../shared/model/index.ts'
import { makeDepartment, makeMultiYearProject, makeProject, patchRows, projectRows, row } from '../helpers/factories.ts'
import { of, pathsOf } from './helpers.ts'

const TIME = 3
const COST = 4
const withRow = (i: number, patch: Partial<IndicatorRow>, extra: Partial<Parameters<typeof makeProject>[0]> = {}) =>
  makeProject({ ...extra, indicators: patchRows(projectRows(), { [i]: patch }) })

describe('R-TIMELINESS-FORM', () => {
  it('warns about 时效指标 “服务周期” valued “2024.01–2024.12”', () => {
    const t = withRow(TIME, { level3: '服务周期', comparator: '定性', target: '2024.01–2024.12', unit: '' })
    const f = of(t, 'R-TIMELINESS-FORM')
    expect(f.map((x) => [x.path, x.severity])).toEqual([['indicators[3]', 'warning']])
    expect(f[0]!.message).toContain('重述')
  })

  it.each(['及时', '按时', '当年', '有效'])('warns about “%s”', (target) => {
    expect(pathsOf(withRow(TIME, { comparator: '定性', target, unit: '' }), 'R-TIMELINESS-FORM')).toEqual(['indicators[3]'])
  })

  it('warns about a bare year (≤2024年)', () => {
    expect(pathsOf(withRow(TIME, { comparator: '≤', target: '2024', unit: '年' }), 'R-TIMELINESS-FORM')).toEqual(['indicators[3]'])
  })

  it.each<[string, Partial<IndicatorRow>]>([
    ['a deadline', { comparator: '≤', target: '2024-10-31', unit: '日期' }],
    ['a legacy deadline', { comparator: '', target: '2024年10月底前', unit: '' }],
    ['a duration', { level3: '办结时限', comparator: '≤', target: '15', unit: '工作日' }],
    ['a rate', { level3: '按期完成率', comparator: '≥', target: '95', unit: '%' }],
  ])('accepts %s', (_, patch) => {
    expect(pathsOf(withRow(TIME, patch), 'R-TIMELINESS-FORM')).toEqual([])
  })
})

describe('R-TIMELINESS-IN-PERIOD', () => {
  it('is an error for a deadline after the end of the 项目期', () => {
    const t = withRow(TIME, { target: '2025-03-31' }, { header: { projectPeriod: { start: '2024-01', end: '2024-12', years: 1 } } })
    expect(of(t, 'R-TIMELINESS-IN-PERIOD').map((f) => [f.path, f.severity])).toEqual([['indicators[3]', 'error']])
  })

  it('is a warning for an annual deadline after the budget year, unless the project is flagged cross-year', () => {
    const base = makeMultiYearProject()
    const late = { ...base, indicators: patchRows(base.indicators, { [TIME]: { target: '2025-03-31' } }) }
    expect(of(late, 'R-TIMELINESS-IN-PERIOD').map((f) => f.severity)).toEqual(['warning'])
    expect(pathsOf({ ...late, header: { ...late.header, crossYear: true } }, 'R-TIMELINESS-IN-PERIOD')).toEqual([])
  })

  it('accepts 中期 deadlines inside the project period and never judges department tables', () => {
    const base = makeMultiYearProject()
    const mid = base.indicators.findIndex((r) => r.period === 'midTerm' && r.level2 === '时效指标')
    expect(pathsOf({ ...base, indicators: patchRows(base.indicators, { [mid]: { target: '2026-06-30' } }) }, 'R-TIMELINESS-IN-PERIOD')).toEqual([])
    const d = makeDepartment()
    expect(pathsOf({ ...d, indicators: patchRows(d.indicators, { 3: { target: '2026-01-01' } }) }, 'R-TIMELINESS-IN-PERIOD')).toEqual([])
  })
})

describe('R-COST-FORM', () => {
  it.each(['控制在预算内', '不超预算', '严格执行标准'])('warns about 成本 value “%s”', (target) => {
    expect(of(withRow(COST, { comparator: '定性', target, unit: '' }), 'R-COST-FORM').map((f) => [f.path, f.severity])).toEqual([['indicators[4]', 'warning']])
  })

  it('warns about “成本控制率 100%” and accepts a rate against an explicit base', () => {
    expect(pathsOf(withRow(COST, { level3: '成本控制率', comparator: '=', target: '100', unit: '%' }), 'R-COST-FORM')).toEqual(['indicators[4]'])
    expect(pathsOf(withRow(COST, { level3: '人均培训成本较上年降低率', comparator: '≥', target: '5', unit: '%' }), 'R-COST-FORM')).toEqual([])
  })

  it('accepts a total or unit cost with ≤ and a money unit, and ignores mof2021 social/ecological cost rows', () => {
    expect(pathsOf(makeProject(), 'R-COST-FORM')).toEqual([])
    const rows = patchRows(projectRows(), { [COST]: { level1: '成本指标', level2: '经济成本指标' } }, [
      { level1: '成本指标', level2: '社会成本指标', level3: '施工扰民有效投诉', comparator: '≤', target: '5', unit: '件' },
    ])
    expect(pathsOf(makeProject({ template: 'mof2021-core', framework: 'mof2021', indicators: rows }), 'R-COST-FORM')).toEqual([])
  })
})

describe('R-COST-VS-BUDGET', () => {
  const performances = (cost: Partial<IndicatorRow>) => makeProject({
    funds: { annual: { total: 60, fiscal: 60, other: 0 } },
    indicators: patchRows(projectRows(), { [COST]: { level3: '演出采购总成本', comparator: '≤', target: '72', unit: '万元', ...cost } }),
  })

  it('is an error when 年度资金总额 is 60 万元 and 成本指标 “演出采购总成本 ≤ 72 万元”', () => {
    const f = of(performances({}), 'R-COST-VS-BUDGET')
    expect(f.map((x) => [x.path, x.severity])).toEqual([['indicators[4]', 'error']])
    expect(f[0]!.message).toContain('60 万元')
  })

  it('accepts a cost exactly equal to 资金总额, and converts 元 to 万元', () => {
    expect(pathsOf(performances({ target: '60' }), 'R-COST-VS-BUDGET')).toEqual([])
    expect(pathsOf(performances({ target: '600000', unit: '元' }), 'R-COST-VS-BUDGET')).toEqual([])
    expect(pathsOf(performances({ target: '600001', unit: '元' }), 'R-COST-VS-BUDGET')).toEqual(['indicators[4]'])
  })

  it('is an error for a unit cost larger than the whole 资金总额', () => {
    expect(pathsOf(performances({ level3: '单场演出成本', target: '61', unit: '万元/场次' }), 'R-COST-VS-BUDGET')).toEqual(['indicators[4]'])
  })
})

describe('R-COST-UNIT-CONSISTENCY', () => {
  const subsidy = (households: string, total = 85) => makeProject({
    funds: { annual: { total, fiscal: total, other: 0 } },
    annualGoal: '2024年补助困难农户，每户补助不超过2000元，技术掌握率达到85%以上。',
    indicators: patchRows(projectRows(), { [COST]: { level3: '补助标准', comparator: '≤', target: '2000', unit: '元/户' } }, [
      { level1: '产出指标', level2: '数量指标', level3: '受益户数', comparator: '≥', target: households, unit: '户' },
    ]),
  })

  it('warns when 2000 元/户 × 100 户 = 20 万元 is far from 资金总额 85 万元', () => {
    const f = of(subsidy('100'), 'R-COST-UNIT-CONSISTENCY')
    expect(f.map((x) => [x.path, x.severity])).toEqual([['indicators[4]', 'warning']])
    expect(f[0]!.message).toContain('20 万元')
  })

  it('accepts a product within ±15% of 资金总额, exactly at the boundary', () => {
    expect(pathsOf(subsidy('400'), 'R-COST-UNIT-CONSISTENCY')).toEqual([])
    expect(pathsOf(subsidy('361.25'), 'R-COST-UNIT-CONSISTENCY')).toEqual([])
    expect(pathsOf(subsidy('361.24'), 'R-COST-UNIT-CONSISTENCY')).toEqual(['indicators[4]'])
  })

  it('converts 万-prefixed quantities and stays silent when several 数量 rows share the unit', () => {
    const wan = makeProject({
      funds: { annual: { total: 1350, fiscal: 1350, other: 0 } },
      annualGoal: '2024年完成150万平方米绿地养护，技术掌握率达到85%以上，举办培训班40期。',
      indicators: patchRows(projectRows(), {
        1: { level3: '养护绿地面积', comparator: '=', target: '150', unit: '万平方米' },
        [COST]: { level3: '绿化养护单位成本', comparator: '≤', target: '9', unit: '元/平方米·年' },
      }),
    })
    expect(pathsOf(wan, 'R-COST-UNIT-CONSISTENCY')).toEqual([])
    const two = makeProject({ indicators: [...projectRows(), row('产出指标', '数量指标', '送技下乡人次', '≥', '10', '人次')] })
    expect(pathsOf(two, 'R-COST-UNIT-CONSISTENCY')).toEqual([])
  })
})
