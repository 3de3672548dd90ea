// Funds arithmetic (rules.md §C): split sums, annual ≤ 中期, amount format, agreement with the budget line.
import { describe, expect, it } from 'vitest'
import { makeDepartment, makeMultiYearProject, makeProject } from '../helpers/factories.ts'
import { of, pathsOf } from './helpers.ts'

describe('R-FUND-SUM', () => {
  it('is an error for 年度资金总额 120.00, 财政拨款 100.00, 其他资金 15.00', () => {
    const f = of(makeProject({ funds: { annual: { total: 120, fiscal: 100, other: 15 } } }), 'R-FUND-SUM')
    expect(f.map((x) => [x.path, x.severity])).toEqual([['funds.annual', 'error']])
    expect(f[0]!.message).toBe('年度资金总额 120 万元 ≠ 财政拨款 100 + 其他资金 15 = 115 万元，请核对资金构成')
  })

  it('checks the 中期 split separately', () => {
    const t = makeMultiYearProject(undefined, { funds: { midTerm: { total: 360, fiscal: 300, other: 50 }, annual: { total: 120, fiscal: 100, other: 20 } } })
    expect(pathsOf(t, 'R-FUND-SUM')).toEqual(['funds.midTerm'])
  })

  it('adds exactly (0.1 + 0.2 = 0.3) and within the 0.005 万元 tolerance', () => {
    expect(pathsOf(makeProject({ funds: { annual: { total: 0.3, fiscal: 0.1, other: 0.2 } } }), 'R-FUND-SUM')).toEqual([])
    expect(pathsOf(makeProject({ funds: { annual: { total: '120.005', fiscal: 100, other: 20 } } }), 'R-FUND-SUM')).toEqual([])
    expect(pathsOf(makeProject({ funds: { annual: { total: '120.006', fiscal: 100, other: 20 } } }), 'R-FUND-SUM')).toEqual(['funds.annual'])
  })

  it('scales the tolerance to tables kept in 元 (0.005 万元 = 50 元)', () => {
    expect(pathsOf(makeProject({ moneyUnit: '元', funds: { annual: { total: 1_200_050, fiscal: 1_000_000, other: 200_000 } } }), 'R-FUND-SUM')).toEqual([])
    expect(pathsOf(makeProject({ moneyUnit: '元', funds: { annual: { total: 1_200_051, fiscal: 1_000_000, other: 200_000 } } }), 'R-FUND-SUM')).toEqual(['funds.annual'])
  })
})

describe('R-FUND-ANNUAL-LE-MIDTERM', () => {
  it('is an error when 年度资金总额 exceeds 中期资金总额', () => {
    const t = makeMultiYearProject(undefined, { funds: { midTerm: { total: 100, fiscal: 100, other: 0 }, annual: { total: 120, fiscal: 100, other: 20 } } })
    expect(of(t, 'R-FUND-ANNUAL-LE-MIDTERM').map((f) => [f.path, f.severity])).toEqual([['funds.annual', 'error']])
  })

  it('also compares 财政拨款', () => {
    const t = makeMultiYearProject(undefined, { funds: { midTerm: { total: 360, fiscal: 90, other: 270 }, annual: { total: 120, fiscal: 100, other: 20 } } })
    expect(of(t, 'R-FUND-ANNUAL-LE-MIDTERM')[0]!.message).toContain('财政拨款')
  })

  it('is silent when annual ≤ mid-term or there is no mid-term', () => {
    expect(pathsOf(makeMultiYearProject(), 'R-FUND-ANNUAL-LE-MIDTERM')).toEqual([])
    expect(pathsOf(makeProject(), 'R-FUND-ANNUAL-LE-MIDTERM')).toEqual([])
  })
})

describe('R-FUND-FORMAT', () => {
  it('is an error for text such as “854万（其中…）” in an amount cell', () => {
    const t = makeProject({ funds: { annual: { total: '854万（其中上级资金600万）', fiscal: 600, other: 254 } } })
    const f = of(t, 'R-FUND-FORMAT')
    expect(f.map((x) => [x.path, x.severity, x.value])).toEqual([['funds.annual', 'error', '854万（其中上级资金600万）']])
    expect(pathsOf(t, 'R-FUND-SUM')).toEqual([])
  })

  it('is an error for negative amounts and for more than 2 decimals in 万元', () => {
    expect(pathsOf(makeProject({ funds: { annual: { total: 120, fiscal: 125, other: -5 } } }), 'R-FUND-FORMAT')).toEqual(['funds.annual'])
    expect(pathsOf(makeProject({ funds: { annual: { total: 120.125, fiscal: 100.125, other: 20 } } }), 'R-FUND-FORMAT')).toEqual(['funds.annual'])
  })

  it('checks task amounts, 金额合计 and the department budget total', () => {
    const d = makeDepartment({ header: { deptBudgetTotal: '约500万' } })
    d.tasks[1] = { ...d.tasks[1]!, fiscal: '一百五十' }
    expect(of(d, 'R-FUND-FORMAT').map((f) => [f.path, f.rowId])).toEqual([['header.deptBudgetTotal', undefined], ['tasks[1]', d.tasks[1]!.id]])
  })

  it('accepts plain numbers, numbers typed as text and a trailing 万元', () => {
    expect(pathsOf(makeProject({ funds: { annual: { total: '120.00', fiscal: '1,00', other: '20万元' } } }), 'R-FUND-FORMAT')).toEqual(['funds.annual'])
    expect(pathsOf(makeProject({ funds: { annual: { total: '120.00', fiscal: '100', other: '20万元' } } }), 'R-FUND-FORMAT')).toEqual([])
  })
})

describe('R-FUND-MATCH-BUDGET', () => {
  it('is an error when the linked budget line differs from the table', () => {
    const f = of(makeProject({ budgetLink: { total: 150, fiscal: 100 } }), 'R-FUND-MATCH-BUDGET')
    expect(f.map((x) => [x.path, x.severity])).toEqual([['funds.annual', 'error']])
    expect(f[0]!.message).toContain('150 万元')
  })

  it('compares 金额合计 on department tables', () => {
    expect(pathsOf(makeDepartment({ budgetLink: { total: 480 } }), 'R-FUND-MATCH-BUDGET')).toEqual(['taskTotals'])
  })

  it('is silent when the figures agree or no budget line is linked', () => {
    expect(pathsOf(makeProject({ budgetLink: { total: 120, fiscal: 100 } }), 'R-FUND-MATCH-BUDGET')).toEqual([])
    expect(pathsOf(makeProject(), 'R-FUND-MATCH-BUDGET')).toEqual([])
  })
})
