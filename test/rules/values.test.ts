// Rules on one indicator value (rules.md §B): presence, placeholders, comparator, unit, number, grades, vague words, rates, direction.
import { describe, expect, it } from 'vitest'
import type { IndicatorRow } from '../../shared/model/index.ts'
import { makeProject, patchRows, projectRows, row } from '../helpers/factories.ts'
import { of, pathsOf } from './helpers.ts'

/** The clean project with row `i` replaced by the given fields. */
const withRow = (i: number, patch: Partial<IndicatorRow>, template: 'mof2015-project' | 'yth-flat' | 'mof2021-core' = 'mof2015-project') =>
  makeProject({ template, indicators: patchRows(projectRows(), { [i]: patch }) })

describe('R-VALUE-REQUIRED', () => {
  it('reports a row with an empty 指标值', () => {
    expect(of(withRow(1, { target: ' ' }), 'R-VALUE-REQUIRED').map((f) => [f.path, f.severity])).toEqual([['indicators[1]', 'error']])
  })

  it('is silent on filled values', () => {
    expect(pathsOf(makeProject(), 'R-VALUE-REQUIRED')).toEqual([])
  })
})

describe('R-VALUE-PLACEHOLDER', () => {
  it('reports 三级 “受益人口数（≥**人）” with value “≥**”, and no numeric or name findings on that row', () => {
    const t = makeProject({ indicators: patchRows(projectRows(), {}, [{ level1: '效益指标', level2: '社会效益指标', level3: '受益人口数（≥**人）', comparator: '', target: '≥**', unit: '人' }]) })
    expect(of(t, 'R-VALUE-PLACEHOLDER').map((f) => [f.path, f.severity])).toEqual([['indicators[8]', 'error']])
    expect(pathsOf(t, 'R-VALUE-NUMERIC')).toEqual([])
    expect(pathsOf(t, 'R-NAME-CONTAINS-VALUE')).toEqual([])
  })

  it('reports 待定, XX and a lone slash', () => {
    expect(pathsOf(withRow(1, { target: '待定' }), 'R-VALUE-PLACEHOLDER')).toEqual(['indicators[1]'])
    expect(pathsOf(withRow(1, { level3: 'XX村培训农户人次' }), 'R-VALUE-PLACEHOLDER')).toEqual(['indicators[1]'])
    expect(pathsOf(withRow(6, { target: '/' }), 'R-VALUE-PLACEHOLDER')).toEqual(['indicators[6]'])
  })

  it('does not take the slash of 元/人次 for a placeholder', () => {
    expect(pathsOf(makeProject(), 'R-VALUE-PLACEHOLDER')).toEqual([])
  })
})

describe('R-VALUE-COMPARATOR', () => {
  it('is an error when 指标性质 is empty in a template with that column (value 95, unit %)', () => {
    expect(of(withRow(2, { comparator: '', target: '95', unit: '%' }, 'yth-flat'), 'R-VALUE-COMPARATOR').map((f) => [f.path, f.severity])).toEqual([['indicators[2]', 'error']])
  })

  it('is a warning in legacy text forms, where a bare number reads as “=”', () => {
    const f = of(withRow(2, { comparator: '', target: '95%', unit: '' }), 'R-VALUE-COMPARATOR')
    expect(f.map((x) => x.severity)).toEqual(['warning'])
    expect(f[0]!.message).toContain('“=”')
  })

  it('accepts a comparator written into the legacy value and reports one that is not a comparator', () => {
    expect(pathsOf(withRow(2, { comparator: '', target: '≥95%', unit: '' }), 'R-VALUE-COMPARATOR')).toEqual([])
    expect(pathsOf(withRow(2, { comparator: '约', target: '95', unit: '%' }), 'R-VALUE-COMPARATOR')).toEqual(['indicators[2]'])
  })
})

describe('R-VALUE-UNIT', () => {
  it('reports 培训人数 ≥ 300 without a unit', () => {
    expect(of(withRow(1, { level3: '培训人数', target: '300', unit: '' }), 'R-VALUE-UNIT').map((f) => [f.path, f.severity])).toEqual([['indicators[1]', 'error']])
  })

  it('reports a unit outside the unit list and accepts a configured local one', () => {
    expect(pathsOf(withRow(1, { unit: '箩筐' }), 'R-VALUE-UNIT')).toEqual(['indicators[1]'])
    expect(pathsOf(withRow(1, { unit: '起' }), 'R-VALUE-UNIT')).toEqual([])
  })

  it('takes the unit from a legacy value string', () => {
    expect(pathsOf(withRow(1, { comparator: '', target: '不少于1200人次', unit: '' }), 'R-VALUE-UNIT')).toEqual([])
  })
})

describe('R-VALUE-NUMERIC', () => {
  it.each([['90%-95%', '区间'], ['较高', '没有数值'], ['≥20个，≥300人', '多个数值'], ['95%，确保全部完成', '夹带文字']])(
    'reports the quantitative value %s', (target, words) => {
      const f = of(withRow(2, { comparator: '≥', target, unit: '' }), 'R-VALUE-NUMERIC')
      expect(f.map((x) => [x.path, x.severity])).toEqual([['indicators[2]', 'error']])
      expect(f[0]!.message).toContain(words)
    })

  it('accepts one number or one date', () => {
    expect(pathsOf(makeProject(), 'R-VALUE-NUMERIC')).toEqual([])
  })
})

describe('R-VALUE-QUALITATIVE-GRADE', () => {
  it('warns about a free sentence as a 定性 value', () => {
    expect(of(withRow(6, { target: '群众普遍认可' }), 'R-VALUE-QUALITATIVE-GRADE').map((f) => [f.path, f.severity])).toEqual([['indicators[6]', 'warning']])
  })

  it('leaves “群众生活水平有所提高” to R-VAGUE-WORDING (specific beats generic)', () => {
    const t = withRow(6, { target: '群众生活水平有所提高' })
    expect(pathsOf(t, 'R-VALUE-QUALITATIVE-GRADE')).toEqual([])
    expect(pathsOf(t, 'R-VAGUE-WORDING')).toEqual(['indicators[6]'])
  })

  it('accepts grade words from framework.json', () => {
    for (const target of ['达到预期', '好', '显著', '明显', '是']) expect(pathsOf(withRow(6, { target }), 'R-VALUE-QUALITATIVE-GRADE')).toEqual([])
  })
})

describe('R-QUANT-SHARE', () => {
  it('warns when fewer than half the rows of a period are quantitative', () => {
    const qual = (l3: string) => row('效益指标', '社会效益指标', l3, '定性', '好', '')
    const t = makeProject({ indicators: [...projectRows(), qual('农户认可程度'), qual('培训组织情况'), qual('技术推广成效'), qual('服务规范程度'), qual('示范带动作用'), qual('宣传效果'), qual('技术服务质量')] })
    expect(of(t, 'R-QUANT-SHARE').map((f) => [f.path, f.severity])).toEqual([['indicators', 'warning']])
  })

  it('is silent when most rows are quantitative', () => {
    expect(pathsOf(makeProject(), 'R-QUANT-SHARE')).toEqual([])
  })
})

describe('R-OUTPUT-QUALITATIVE', () => {
  it('reports 数量指标 “完成年度任务” with value “完成”', () => {
    const t = withRow(0, { level3: '完成年度任务', comparator: '定性', target: '完成', unit: '' })
    expect(of(t, 'R-OUTPUT-QUALITATIVE').map((f) => [f.path, f.severity])).toEqual([['indicators[0]', 'error']])
  })

  it('leaves qualitative 质量 rows alone', () => {
    expect(pathsOf(withRow(2, { comparator: '定性', target: '好', unit: '' }), 'R-OUTPUT-QUALITATIVE')).toEqual([])
  })
})

describe('R-VAGUE-WORDING', () => {
  it('is an error for 社会效益 “居民健康素养水平” valued “进一步提高”', () => {
    const f = of(withRow(5, { level3: '居民健康素养水平', comparator: '定性', target: '进一步提高', unit: '' }), 'R-VAGUE-WORDING')
    expect(f.map((x) => [x.path, x.severity])).toEqual([['indicators[5]', 'error']])
    expect(f[0]!.message).toBe('三级指标“居民健康素养水平”的指标值“进一步提高”没有数值，无法衡量，请改为“≥X%”等可量化目标')
  })

  it('accepts a vague word with a number (提高5个百分点)', () => {
    expect(pathsOf(withRow(5, { comparator: '≥', target: '提高5个百分点', unit: '' }), 'R-VAGUE-WORDING')).toEqual([])
  })

  it('is a warning in a 三级 name and in a goal', () => {
    expect(of(withRow(6, { level3: '农技服务水平进一步提升' }), 'R-VAGUE-WORDING').map((f) => f.severity)).toEqual(['warning'])
    expect(of(makeProject({ annualGoal: '目标1：进一步加强农技培训，不断提高农户技术水平。' }), 'R-VAGUE-WORDING').map((f) => [f.path, f.severity])).toEqual([['annualGoal', 'warning']])
  })

  it('does not read measurable names such as 长效保障机制 or 较大事故 as vague', () => {
    expect(pathsOf(withRow(6, { level3: '长效保障机制建立' }), 'R-VAGUE-WORDING')).toEqual([])
    expect(pathsOf(withRow(2, { level3: '较大及以上安全事故起数', comparator: '=', target: '0', unit: '起' }), 'R-VAGUE-WORDING')).toEqual([])
  })
})

describe('R-PERCENT-RANGE', () => {
  it('is an error for 验收合格率 ≥ 110% and for a negative rate', () => {
    expect(of(withRow(2, { level3: '验收合格率', target: '110' }), 'R-PERCENT-RANGE').map((f) => [f.path, f.severity])).toEqual([['indicators[2]', 'error']])
    expect(of(withRow(2, { target: '-5' }), 'R-PERCENT-RANGE').map((f) => f.severity)).toEqual(['error'])
    expect(of(withRow(2, { comparator: '>', target: '100' }), 'R-PERCENT-RANGE').map((f) => f.severity)).toEqual(['error'])
  })

  it('is a warning for ≥100% (write =100%)', () => {
    expect(of(withRow(2, { target: '100' }), 'R-PERCENT-RANGE').map((f) => f.severity)).toEqual(['warning'])
    expect(pathsOf(withRow(2, { comparator: '=', target: '100' }), 'R-PERCENT-RANGE')).toEqual([])
  })

  it('leaves growth rates and non-% units alone', () => {
    expect(pathsOf(withRow(5, { level3: '农户收入增长率', target: '150' }), 'R-PERCENT-RANGE')).toEqual([])
    expect(pathsOf(withRow(2, { target: '120', unit: '个' }), 'R-PERCENT-RANGE')).toEqual([])
  })
})

describe('R-COMPARATOR-DIRECTION', () => {
  it('warns about 设备完好率 ≤ 99% and 人均培训成本 ≥ 800 元', () => {
    expect(of(withRow(2, { level3: '设备完好率', comparator: '≤', target: '99' }), 'R-COMPARATOR-DIRECTION').map((f) => [f.path, f.severity])).toEqual([['indicators[2]', 'warning']])
    expect(pathsOf(withRow(4, { comparator: '≥', target: '800', unit: '元' }), 'R-COMPARATOR-DIRECTION')).toEqual(['indicators[4]'])
  })

  it('warns when the declared direction contradicts the comparator', () => {
    expect(pathsOf(withRow(0, { direction: 'negative' }), 'R-COMPARATOR-DIRECTION')).toEqual(['indicators[0]'])
  })

  it('accepts = on either kind and reads 下降率 and 压缩比例 by their ending', () => {
    expect(pathsOf(withRow(2, { comparator: '=', target: '100' }), 'R-COMPARATOR-DIRECTION')).toEqual([])
    expect(pathsOf(withRow(5, { level3: '综合能耗下降率', comparator: '≥', target: '2' }), 'R-COMPARATOR-DIRECTION')).toEqual([])
    expect(pathsOf(withRow(5, { level3: '办理时长压缩比例', comparator: '≥', target: '40' }), 'R-COMPARATOR-DIRECTION')).toEqual([])
  })
})
