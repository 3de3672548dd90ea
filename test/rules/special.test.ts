// Category and special-case rules (rules.md §D): 一体化 classes, one-off projects, continuing baselines, core indicators.
import { describe, expect, it } from 'vitest'
import { makeProject, patchRows, projectRows, row } from '../helpers/factories.ts'
import { of, pathsOf } from './helpers.ts'

describe('R-CATEGORY-SCOPE', () => {
  it('hints (info) that 人员类 items are normally covered by the department table', () => {
    expect(of(makeProject({ header: { projectCategory: '人员类' } }), 'R-CATEGORY-SCOPE').map((f) => [f.path, f.severity])).toEqual([['header.projectCategory', 'info']])
  })

  it('warns when a 特定目标类 or 其他运转类 table is reduced to one 一级', () => {
    const t = makeProject({ header: { projectCategory: '运转类-其他' }, indicators: projectRows().filter((r) => r.level1 === '产出指标') })
    expect(of(t, 'R-CATEGORY-SCOPE').map((f) => [f.path, f.severity])).toEqual([['indicators', 'warning']])
  })

  it('is silent on a full 特定目标类 table', () => {
    expect(of(makeProject(), 'R-CATEGORY-SCOPE')).toEqual([])
  })
})

const oneOff = (indicators = projectRows()) =>
  makeProject({ header: { oneOff: true, projectPeriod: { start: '2024-03', end: '2024-11', years: 1 } }, indicators })

describe('R-ONEOFF-COMPLETION', () => {
  it('warns about a one-off project without an acceptance indicator', () => {
    expect(of(oneOff(), 'R-ONEOFF-COMPLETION').map((f) => [f.path, f.severity])).toEqual([['indicators', 'warning']])
  })

  it('warns when the only 时效 row is 资金拨付率 (no completion time)', () => {
    const rows = patchRows(projectRows(), { 2: { level3: '工程竣工验收合格率', comparator: '=', target: '100' }, 3: { level3: '资金拨付率', comparator: '≥', target: '95', unit: '%' } })
    expect(of(oneOff(rows), 'R-ONEOFF-COMPLETION')[0]!.message).toContain('完成时间')
  })

  it('is satisfied by 验收合格率 and a completion date', () => {
    expect(pathsOf(oneOff(patchRows(projectRows(), { 2: { level3: '工程竣工验收合格率', comparator: '=', target: '100' } })), 'R-ONEOFF-COMPLETION')).toEqual([])
    expect(pathsOf(makeProject(), 'R-ONEOFF-COMPLETION')).toEqual([])
  })
})

describe('R-ONEOFF-SUSTAIN', () => {
  it('warns about a one-off project without 可持续影响', () => {
    const rows = projectRows().filter((r) => r.level2 !== '可持续影响指标')
    expect(of(oneOff(rows), 'R-ONEOFF-SUSTAIN').map((f) => [f.path, f.severity])).toEqual([['indicators', 'warning']])
  })

  it('warns about a recurring yearly output such as “每年运维 12 次”', () => {
    const rows = [...projectRows(), row('产出指标', '数量指标', '每年运维次数', '≥', '12', '次')]
    expect(pathsOf(oneOff(rows), 'R-ONEOFF-SUSTAIN')).toEqual(['indicators[8]'])
  })

  it('is silent on recurring projects', () => {
    expect(pathsOf(makeProject({ indicators: [...projectRows(), row('产出指标', '数量指标', '每年运维次数', '≥', '12', '次')] }), 'R-ONEOFF-SUSTAIN')).toEqual([])
  })
})

describe('R-ONEOFF-PERIOD', () => {
  it('is an error for a one-off project without an end date', () => {
    const t = makeProject({ header: { oneOff: true, projectPeriod: { start: '2024-03', years: 1 } } })
    expect(of(t, 'R-ONEOFF-PERIOD').map((f) => [f.path, f.severity])).toEqual([['header.projectPeriod', 'error']])
  })

  it('is silent when the end is given', () => {
    expect(pathsOf(oneOff(), 'R-ONEOFF-PERIOD')).toEqual([])
  })
})

describe('R-CONTINUING-BASELINE', () => {
  const continuing = (actual: string, extra: { remark?: string } = {}) => makeProject({
    header: { projectAttribute: '延续' },
    indicators: patchRows(projectRows(), { 1: extra }),
    priorYear: [{ id: 'p1', level3: '培训农户人次', comparator: '≥', target: '1300', unit: '人次', actual }],
  })

  it('warns about a target below last year’s actual without an explanation', () => {
    const f = of(continuing('1500'), 'R-CONTINUING-BASELINE')
    expect(f.map((x) => [x.path, x.severity])).toEqual([['indicators[1]', 'warning']])
    expect(f[0]!.message).toContain('1500')
  })

  it('accepts a target at or above last year’s actual, or one explained in 备注', () => {
    expect(pathsOf(continuing('1200'), 'R-CONTINUING-BASELINE')).toEqual([])
    expect(pathsOf(continuing('1500', { remark: '2024年培训对象调整为新型经营主体' }), 'R-CONTINUING-BASELINE')).toEqual([])
  })

  it('warns about a table identical to last year’s word for word', () => {
    const rows = projectRows()
    const t = makeProject({
      header: { projectAttribute: '延续' }, indicators: rows,
      priorYear: rows.map((r, i) => ({ id: `p${i}`, level3: r.level3, comparator: r.comparator, target: r.target, unit: r.unit })),
    })
    expect(pathsOf(t, 'R-CONTINUING-BASELINE')).toEqual(['indicators'])
  })

  it('is silent without prior-year data or on new projects', () => {
    expect(pathsOf(makeProject({ header: { projectAttribute: '延续' } }), 'R-CONTINUING-BASELINE')).toEqual([])
    expect(pathsOf({ ...continuing('1500'), header: { ...continuing('1500').header, projectAttribute: '新增' } }, 'R-CONTINUING-BASELINE')).toEqual([])
  })
})

describe('R-CORE-REQUIRED', () => {
  it('is an error when a core (★) indicator of the template is absent', () => {
    const t = makeProject({ coreIndicators: [{ id: 'c1', level1: '效益指标', level3: '脱贫人口人均纯收入增幅' }] })
    const f = of(t, 'R-CORE-REQUIRED')
    expect(f.map((x) => [x.path, x.severity])).toEqual([['indicators', 'error']])
    expect(f[0]!.message).toContain('脱贫人口人均纯收入增幅')
  })

  it('is an error on a core row left without a value', () => {
    const t = makeProject({ indicators: patchRows(projectRows(), { 1: { core: true, target: '' } }) })
    expect(pathsOf(t, 'R-CORE-REQUIRED')).toEqual(['indicators[1]'])
  })

  it('is satisfied when every core indicator is present with a value, and silent without a core list', () => {
    expect(pathsOf(makeProject({ coreIndicators: [{ id: 'c1', level2: '数量', level3: '培训农户人次' }] }), 'R-CORE-REQUIRED')).toEqual([])
    expect(pathsOf(makeProject(), 'R-CORE-REQUIRED')).toEqual([])
  })
})
