// Rules on 三级 names (rules.md §B): generic names, values inside names, duplicates.
import { describe, expect, it } from 'vitest'
import type { IndicatorRow } from '../../shared/model/index.ts'
import { makeMultiYearProject, makeProject, patchRows, projectRows, row } from '../helpers/factories.ts'
import { of, pathsOf } from './helpers.ts'

const withRow = (i: number, patch: Partial<IndicatorRow>) => makeProject({ indicators: patchRows(projectRows(), { [i]: patch }) })

describe('R-NAME-GENERIC', () => {
  it.each(['数量指标', '社会效益', '生态效益', '生态效益指标', '指标1', '其他', '无'])('reports the 三级 name “%s”', (name) => {
    expect(of(withRow(5, { level3: name }), 'R-NAME-GENERIC').map((f) => [f.path, f.severity])).toEqual([['indicators[5]', 'error']])
  })

  it('leaves a bare “满意度” to R-SATISFACTION-OBJECT and accepts specific names', () => {
    const t = withRow(7, { level3: '满意度' })
    expect(pathsOf(t, 'R-NAME-GENERIC')).toEqual([])
    expect(pathsOf(t, 'R-SATISFACTION-OBJECT')).toEqual(['indicators[7]'])
    expect(pathsOf(makeProject(), 'R-NAME-GENERIC')).toEqual([])
  })
})

describe('R-NAME-CONTAINS-VALUE', () => {
  it.each([['村组干部230人', '230人'], ['考核合格率100%', '100%'], ['培训合格率≥90%', '≥90%'], ['合格率（≥90%）', '≥90%”']])(
    'reports the target inside the name “%s”', (name, found) => {
      const f = of(withRow(2, { level3: name }), 'R-NAME-CONTAINS-VALUE')
      expect(f.map((x) => [x.path, x.severity])).toEqual([['indicators[2]', 'warning']])
      expect(f[0]!.message).toContain(found)
    })

  it('accepts numbers that define the object rather than the target', () => {
    expect(pathsOf(withRow(2, { level3: '65岁及以上老年人健康管理率' }), 'R-NAME-CONTAINS-VALUE')).toEqual([])
    expect(pathsOf(withRow(2, { level3: '12345热线工单按期办结率' }), 'R-NAME-CONTAINS-VALUE')).toEqual([])
    expect(pathsOf(withRow(3, { level3: '24小时内响应率', comparator: '≥', target: '95', unit: '%' }), 'R-NAME-CONTAINS-VALUE')).toEqual([])
  })
})

describe('R-DUPLICATE-INDICATOR', () => {
  it('is an error on the second row with the same name in one period', () => {
    const t = makeProject({ indicators: patchRows(projectRows(), {}, [{ level1: '效益指标', level2: '社会效益指标', level3: '培训考核合格率', comparator: '≥', target: '90', unit: '%' }]) })
    expect(of(t, 'R-DUPLICATE-INDICATOR').map((f) => [f.path, f.severity])).toEqual([['indicators[8]', 'error']])
  })

  it('is a warning for near duplicates (same name without 率/数/量 or punctuation)', () => {
    const t = makeProject({ indicators: patchRows(projectRows(), {}, [{ level1: '产出指标', level2: '数量指标', level3: '培训班期', comparator: '≥', target: '40', unit: '期' }]) })
    expect(of(t, 'R-DUPLICATE-INDICATOR').map((f) => [f.path, f.severity])).toEqual([['indicators[8]', 'warning']])
  })

  it('is a warning for 覆盖人数 under 数量 and 受益人数 under 社会效益 with the same value', () => {
    const rows = [
      ...projectRows(),
      row('产出指标', '数量指标', '技术服务覆盖人数', '≥', '3000', '人'),
      row('效益指标', '社会效益指标', '技术服务受益人数', '≥', '3000', '人'),
    ]
    expect(of(makeProject({ indicators: rows }), 'R-DUPLICATE-INDICATOR').map((f) => [f.path, f.severity])).toEqual([['indicators[9]', 'warning']])
  })

  it('accepts the same name in the annual and the 中期 period, and equal rates of different things', () => {
    expect(pathsOf(makeMultiYearProject(), 'R-DUPLICATE-INDICATOR')).toEqual([])
    expect(pathsOf(withRow(5, { target: '90' }), 'R-DUPLICATE-INDICATOR')).toEqual([])
  })
})
