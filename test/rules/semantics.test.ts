// Rules on what a row measures (rules.md §B): inputs as outputs, output/benefit mix-ups, filler benefits, annual vs 中期.
import { describe, expect, it } from 'vitest'
import type { IndicatorRow } from '../../shared/model/index.ts'
import { makeMultiYearProject, makeProject, patchRows, projectRows } from '../helpers/factories.ts'
import { of, pathsOf } from './helpers.ts'

const withRow = (i: number, patch: Partial<IndicatorRow>) => makeProject({ indicators: patchRows(projectRows(), { [i]: patch }) })

describe('R-INPUT-AS-OUTPUT', () => {
  it('is an error for 数量指标 “投入衔接资金” = 150 万元', () => {
    const t = withRow(0, { level3: '投入衔接资金', comparator: '=', target: '150', unit: '万元' })
    expect(of(t, 'R-INPUT-AS-OUTPUT').map((f) => [f.path, f.severity])).toEqual([['indicators[0]', 'error']])
  })

  it('is an error for 时效指标 “资金拨付率” ≥ 95%', () => {
    expect(of(withRow(3, { level3: '资金拨付率', comparator: '≥', target: '95', unit: '%' }), 'R-INPUT-AS-OUTPUT').map((f) => f.severity)).toEqual(['error'])
  })

  it('is a warning when the input-like row sits under 效益指标', () => {
    expect(of(withRow(5, { level3: '预算执行率' }), 'R-INPUT-AS-OUTPUT').map((f) => [f.path, f.severity])).toEqual([['indicators[5]', 'warning']])
  })

  it('accepts money under 成本指标 and money effects such as 增收 under 经济效益', () => {
    expect(pathsOf(makeProject(), 'R-INPUT-AS-OUTPUT')).toEqual([])
    const t = makeProject({ indicators: patchRows(projectRows(), {}, [{ level1: '效益指标', level2: '经济效益指标', level3: '村集体经济年租金收益', comparator: '≥', target: '6', unit: '万元' }]) })
    expect(pathsOf(t, 'R-INPUT-AS-OUTPUT')).toEqual([])
  })
})

describe('R-OUTPUT-BENEFIT-MIXUP', () => {
  it.each(['完成培训人次', '项目验收合格率'])('warns about 社会效益 “%s”', (name) => {
    expect(of(withRow(5, { level3: name }), 'R-OUTPUT-BENEFIT-MIXUP').map((f) => [f.path, f.severity])).toEqual([['indicators[5]', 'warning']])
  })

  it('warns about a 效益 row that repeats an 产出 row', () => {
    expect(pathsOf(withRow(5, { level3: '培训考核合格率' }), 'R-OUTPUT-BENEFIT-MIXUP')).toEqual(['indicators[5]'])
  })

  it('warns about 数量 “群众收入增长率”, an effect among outputs', () => {
    expect(pathsOf(withRow(0, { level3: '群众收入增长率', unit: '%', target: '5' }), 'R-OUTPUT-BENEFIT-MIXUP')).toEqual(['indicators[0]'])
  })

  it('accepts effects under 效益, including 建成区绿化覆盖率', () => {
    expect(pathsOf(makeProject(), 'R-OUTPUT-BENEFIT-MIXUP')).toEqual([])
    expect(pathsOf(withRow(5, { level3: '建成区绿化覆盖率' }), 'R-OUTPUT-BENEFIT-MIXUP')).toEqual([])
  })
})

describe('R-BENEFIT-PADDING', () => {
  it.each([
    ['持续发展', '是'],
    ['生态修复功能提高', '显著'],
    ['保护生态环境卫生', '好'],
    ['经济、环境等方面可持续发展', '明显'],
    ['生态效益', '持续改善'],
  ])('warns about the filler benefit “%s”', (name, target) => {
    const t = makeProject({ indicators: patchRows(projectRows(), {}, [{ level1: '效益指标', level2: '生态效益指标', level3: name, comparator: '定性', target, unit: '' }]) })
    expect(of(t, 'R-BENEFIT-PADDING').map((f) => [f.path, f.severity])).toEqual([['indicators[8]', 'warning']])
  })

  it('accepts a specific qualitative benefit and a quantified ecological one', () => {
    expect(pathsOf(makeProject(), 'R-BENEFIT-PADDING')).toEqual([])
    const t = makeProject({ indicators: patchRows(projectRows(), {}, [{ level1: '效益指标', level2: '生态效益指标', level3: '化肥使用量减少率', comparator: '≥', target: '5', unit: '%' }]) })
    expect(pathsOf(t, 'R-BENEFIT-PADDING')).toEqual([])
  })
})

describe('R-ANNUAL-LE-MIDTERM', () => {
  it('warns when an annual quantity exceeds the 中期 quantity of the same name', () => {
    const base = makeMultiYearProject()
    const t = { ...base, indicators: patchRows(base.indicators, { 0: { target: '121' } }) }
    expect(of(t, 'R-ANNUAL-LE-MIDTERM').map((f) => [f.path, f.severity])).toEqual([['indicators[0]', 'warning']])
  })

  it('compares in base units (1.2 万人次 = 12 000 人次) and accepts equal values', () => {
    const base = makeMultiYearProject()
    const mid = base.indicators.findIndex((r) => r.period === 'midTerm' && r.level3 === '培训农户人次')
    const t = { ...base, indicators: patchRows(base.indicators, { 1: { target: '1.2', unit: '万人次' }, [mid]: { target: '12000' } }) }
    expect(pathsOf(t, 'R-ANNUAL-LE-MIDTERM')).toEqual([])
    expect(pathsOf(makeMultiYearProject(), 'R-ANNUAL-LE-MIDTERM')).toEqual([])
  })
})
