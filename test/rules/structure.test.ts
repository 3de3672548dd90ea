// Rules on the form’s shape (rules.md §A): header, framework tree, required groups per period, row counts.
import { describe, expect, it } from 'vitest'
import { makeDepartment, makeMultiYearProject, makeProject, patchRows, projectRows, row } from '../helpers/factories.ts'
import { of, pathsOf } from './helpers.ts'

const multiYear = makeMultiYearProject

describe('R-HEADER-REQUIRED', () => {
  it('reports a blank 实施单位 and a 项目期 of “—”', () => {
    const t = makeProject({ header: { implementingUnit: { name: ' ' }, projectPeriod: { start: '—', end: '—' } } })
    expect(pathsOf(t, 'R-HEADER-REQUIRED')).toEqual(['header.implementingUnit', 'header.projectPeriod'])
    expect(of(t, 'R-HEADER-REQUIRED')[0]!.severity).toBe('error')
  })

  it('asks for the department code, a valid 项目属性 and the annual total', () => {
    const t = makeProject({ header: { competentDept: { name: '南江市农业农村局' }, projectAttribute: '常规' }, funds: { annual: { total: null, fiscal: 100, other: 20 } } })
    expect(pathsOf(t, 'R-HEADER-REQUIRED')).toEqual(['header.competentDept', 'header.projectAttribute', 'funds.annual'])
  })

  it('needs 中期资金总额 in a multi-year mof2015-project table', () => {
    const t = multiYear()
    t.funds.midTerm = null
    expect(pathsOf(t, 'R-HEADER-REQUIRED')).toEqual(['funds.midTerm'])
  })

  it('accepts a complete header, a period given only in years and a blank 其他资金', () => {
    expect(pathsOf(makeProject({ header: { projectPeriod: { years: 1 } }, funds: { annual: { total: 100, fiscal: 100, other: null } } }), 'R-HEADER-REQUIRED')).toEqual([])
  })
})

describe('R-HEADER-DEPT-REQUIRED', () => {
  it('reports a department table without 部门（单位）名称', () => {
    expect(pathsOf(makeDepartment({ header: { deptName: '' } }), 'R-HEADER-DEPT-REQUIRED')).toEqual(['header.deptName'])
  })

  it('is silent on a named department and never applies to project tables', () => {
    expect(pathsOf(makeDepartment(), 'R-HEADER-DEPT-REQUIRED')).toEqual([])
    expect(pathsOf(makeProject(), 'R-HEADER-DEPT-REQUIRED')).toEqual([])
  })
})

describe('R-FRAMEWORK-TREE', () => {
  it('reports 一级 效益指标 with 二级 质量指标', () => {
    const t = makeProject({ indicators: patchRows(projectRows(), { 5: { level2: '质量指标' } }) })
    expect(pathsOf(t, 'R-FRAMEWORK-TREE')).toEqual(['indicators[5]'])
    expect(of(t, 'R-FRAMEWORK-TREE')[0]!.message).toContain('质量指标')
  })

  it('reports 一级 成本指标 in a mof2015 table', () => {
    const t = makeProject({ indicators: patchRows(projectRows(), { 4: { level1: '成本指标', level2: '经济成本指标' } }) })
    expect(pathsOf(t, 'R-FRAMEWORK-TREE')).toEqual(['indicators[4]'])
    expect(of(t, 'R-FRAMEWORK-TREE')[0]!.message).toContain('2021版')
  })

  it('reports 产出/成本指标 in a mof2021 table, where 成本 is its own 一级', () => {
    const t = makeProject({ template: 'mof2021-core', framework: 'mof2021' })
    expect(pathsOf(t, 'R-FRAMEWORK-TREE')).toEqual(['indicators[4]'])
  })

  it('accepts aliases such as 产出/数量 and 满意度/服务对象满意度', () => {
    const t = makeProject({ indicators: patchRows(projectRows(), { 0: { level1: '产出', level2: '数量' }, 7: { level1: '满意度', level2: '服务对象满意度' } }) })
    expect(pathsOf(t, 'R-FRAMEWORK-TREE')).toEqual([])
  })
})

describe('R-LEVEL1-OUTPUT and R-LEVEL1-BENEFIT', () => {
  it('reports a period without any 产出 or 效益 row', () => {
    const noOutput = makeProject({ indicators: projectRows().filter((r) => r.level1 !== '产出指标') })
    expect(pathsOf(noOutput, 'R-LEVEL1-OUTPUT')).toEqual(['indicators'])
    const noBenefit = makeProject({ indicators: projectRows().filter((r) => r.level1 !== '效益指标') })
    expect(pathsOf(noBenefit, 'R-LEVEL1-BENEFIT')).toEqual(['indicators'])
    expect(of(noBenefit, 'R-LEVEL1-BENEFIT')[0]!.severity).toBe('error')
  })

  it('checks the 中期 half of a multi-year project too', () => {
    const mid = projectRows().filter((r) => r.level1 !== '效益指标').map((r) => ({ ...r, id: `m-${r.id}`, period: 'midTerm' as const }))
    const t = multiYear(mid)
    expect(of(t, 'R-LEVEL1-BENEFIT').map((f) => f.message)).toEqual([expect.stringContaining('中期')])
    expect(pathsOf(multiYear(), 'R-LEVEL1-BENEFIT')).toEqual([])
  })
})

describe('R-OUTPUT-QUANTITY, R-OUTPUT-QUALITY, R-OUTPUT-TIMELINESS', () => {
  it('reports 产出 with only 质量 (验收合格率) and 时效 rows', () => {
    const t = makeProject({ indicators: projectRows().filter((r) => r.level2 !== '数量指标') })
    expect(of(t, 'R-OUTPUT-QUANTITY').map((f) => [f.path, f.severity])).toEqual([['indicators', 'error']])
  })

  it('warns when 质量 or 时效 rows are missing', () => {
    const t = makeProject({ indicators: projectRows().filter((r) => r.level2 !== '质量指标' && r.level2 !== '时效指标') })
    expect(of(t, 'R-OUTPUT-QUALITY').map((f) => f.severity)).toEqual(['warning'])
    expect(of(t, 'R-OUTPUT-TIMELINESS').map((f) => f.severity)).toEqual(['warning'])
  })

  it('leaves the sub-groups alone when there is no 产出 at all, and 时效 alone on department tables', () => {
    const t = makeProject({ indicators: projectRows().filter((r) => r.level1 !== '产出指标') })
    expect(pathsOf(t, 'R-OUTPUT-QUANTITY')).toEqual([])
    const d = makeDepartment({ indicators: makeDepartment().indicators.filter((r) => r.level2 !== '时效指标') })
    expect(pathsOf(d, 'R-OUTPUT-TIMELINESS')).toEqual([])
  })
})

describe('R-COST-REQUIRED', () => {
  it('is an error in mof2021 tables without an 经济成本指标 row', () => {
    const rows = projectRows().filter((r) => r.level2 !== '成本指标')
    const t = makeProject({ template: 'mof2021-core', framework: 'mof2021', indicators: rows })
    expect(of(t, 'R-COST-REQUIRED').map((f) => f.severity)).toEqual(['error'])
  })

  it('is a warning in mof2015 tables without a 成本指标 row under 产出', () => {
    const t = makeProject({ indicators: projectRows().filter((r) => r.level2 !== '成本指标') })
    expect(of(t, 'R-COST-REQUIRED').map((f) => f.severity)).toEqual(['warning'])
  })

  it('is satisfied by 成本指标/经济成本指标 in mof2021', () => {
    const rows = patchRows(projectRows(), { 4: { level1: '成本指标', level2: '经济成本指标' } })
    const t = makeProject({ template: 'mof2021-core', framework: 'mof2021', indicators: rows })
    expect(pathsOf(t, 'R-COST-REQUIRED')).toEqual([])
  })
})

describe('R-SATISFACTION-REQUIRED', () => {
  const noSatisfaction = () => projectRows().filter((r) => r.level1 !== '满意度指标')

  it('reports a 文化惠民演出 project with no 满意度 row and no waiver', () => {
    const t = makeProject({ header: { projectName: '文化惠民演出' }, indicators: noSatisfaction(), waivers: { noServiceObject: false, reason: '' } })
    expect(of(t, 'R-SATISFACTION-REQUIRED').map((f) => [f.path, f.severity])).toEqual([['indicators', 'error']])
  })

  it('turns into an info finding when the table is waived with a reason', () => {
    const t = makeProject({ indicators: noSatisfaction(), waivers: { noServiceObject: true, reason: '人员类工资发放，无外部服务对象' } })
    expect(of(t, 'R-SATISFACTION-REQUIRED').map((f) => f.severity)).toEqual(['info'])
  })

  it('stays an error when the waiver gives no reason', () => {
    const t = makeProject({ indicators: noSatisfaction(), waivers: { noServiceObject: true, reason: ' ' } })
    expect(of(t, 'R-SATISFACTION-REQUIRED').map((f) => f.severity)).toEqual(['error'])
  })
})

describe('R-LEVEL3-COUNT-MIN', () => {
  it('is an error below 3 rows in a period', () => {
    const t = makeProject({ indicators: projectRows().slice(0, 2) })
    expect(of(t, 'R-LEVEL3-COUNT-MIN').map((f) => f.severity)).toEqual(['error'])
  })

  it('is a warning below 6 rows when annual funds are at least 100 万元', () => {
    const rows = projectRows().filter((r) => r.level2 !== '成本指标' && r.level2 !== '可持续影响指标' && r.level2 !== '时效指标')
    expect(rows).toHaveLength(5)
    expect(of(makeProject({ indicators: rows }), 'R-LEVEL3-COUNT-MIN').map((f) => f.severity)).toEqual(['warning'])
    expect(of(makeProject({ indicators: rows, funds: { annual: { total: 80, fiscal: 80, other: 0 } } }), 'R-LEVEL3-COUNT-MIN')).toEqual([])
  })

  it('converts the 100 万元 threshold for tables kept in 元', () => {
    const rows = projectRows().slice(0, 5)
    const inYuan = makeProject({ moneyUnit: '元', indicators: rows, funds: { annual: { total: 1_000_000, fiscal: 1_000_000, other: 0 } } })
    expect(of(inYuan, 'R-LEVEL3-COUNT-MIN').map((f) => f.severity)).toEqual(['warning'])
    const small = makeProject({ moneyUnit: '元', indicators: rows, funds: { annual: { total: 999_999, fiscal: 999_999, other: 0 } } })
    expect(of(small, 'R-LEVEL3-COUNT-MIN')).toEqual([])
  })
})

describe('R-LEVEL3-COUNT-MAX', () => {
  it('warns above 30 rows in a period', () => {
    const extra = Array.from({ length: 23 }, (_, i) => row('效益指标', i % 2 ? '社会效益指标' : '经济效益指标', `效益事项${i}覆盖率`, '≥', '80', '%'))
    expect(of(makeProject({ indicators: [...projectRows(), ...extra] }), 'R-LEVEL3-COUNT-MAX').map((f) => f.severity)).toContain('warning')
  })

  it('warns above 6 rows under one 二级 and is silent at 6', () => {
    const more = (n: number) => Array.from({ length: n }, (_, i) => row('产出指标', '数量指标', `培训教材${i}印制册数`, '≥', String(100 + i), '册'))
    expect(pathsOf(makeProject({ indicators: [...projectRows(), ...more(5)] }), 'R-LEVEL3-COUNT-MAX')).toEqual(['indicators'])
    expect(pathsOf(makeProject({ indicators: [...projectRows(), ...more(4)] }), 'R-LEVEL3-COUNT-MAX')).toEqual([])
  })
})

describe('R-LEVEL2-EMPTY', () => {
  it('lists empty 二级 groups as info only', () => {
    const f = of(makeProject(), 'R-LEVEL2-EMPTY')
    expect(f.map((x) => x.severity)).toEqual(['info'])
    expect(f[0]!.message).toContain('生态效益指标')
  })
})
