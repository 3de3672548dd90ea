// R-CORE-REQUIRED with the library's core (★) entries of the table's 功能分类, supplied by the caller.
import { describe, expect, it } from 'vitest'
import { validateTable, type LibraryCoreIndicator } from '../../shared/rules/index.ts'
import { makeProject, patchRows, projectRows } from '../helpers/factories.ts'

const core = (id: string, level3: string, level2 = '数量指标'): LibraryCoreIndicator => ({ id, level1: '产出指标', level2, level3 })
const ofCore = (t: ReturnType<typeof makeProject>, libraryCore?: LibraryCoreIndicator[]) =>
  validateTable(t, undefined, { libraryCore }).filter((f) => f.ruleId === 'R-CORE-REQUIRED')

describe('R-CORE-REQUIRED with library core entries', () => {
  it('reports one error per missing core entry, naming it and its place', () => {
    const f = ofCore(makeProject(), [core('K-1', '新增就业岗位数'), core('K-2', '示范基地建设个数')])
    expect(f.map((x) => [x.path, x.severity, x.value])).toEqual([
      ['indicators.core.K-1', 'error', '新增就业岗位数'],
      ['indicators.core.K-2', 'error', '示范基地建设个数'],
    ])
    expect(f[0]!.message).toContain('“新增就业岗位数”（产出指标/数量指标）')
  })

  it('matches by near-identical 三级 name in any group (培训农户人次数 ≈ 培训农户人次, spaces and width folded)', () => {
    expect(ofCore(makeProject(), [core('K-1', '培训农户人次数', '质量指标'), core('K-2', '培训班 期数')])).toEqual([])
    expect(ofCore(makeProject(), [core('K-3', '培训考核合格率')])).toEqual([])
  })

  it('reports a present core row without a value on the row', () => {
    const t = makeProject({ indicators: patchRows(projectRows(), { 1: { target: '' } }) })
    const f = ofCore(t, [core('K-1', '培训农户人次')])
    expect(f.map((x) => [x.path, x.rowId !== undefined])).toEqual([['indicators[1]', true]])
  })

  it('is silent without library core entries, and names one entry once when the library lists it twice', () => {
    expect(ofCore(makeProject())).toEqual([])
    expect(ofCore(makeProject(), [])).toEqual([])
    expect(ofCore(makeProject(), [core('K-1', '新增就业岗位数'), core('K-9', '新增就业岗位')]).map((x) => x.path)).toEqual(['indicators.core.K-1'])
  })

  it('can be switched off like every rule', async () => {
    const { mergeRuleConfig, defaultRuleConfig } = await import('../../shared/rules/index.ts')
    const off = mergeRuleConfig({ rules: { 'R-CORE-REQUIRED': { enabled: false } } }, defaultRuleConfig)
    expect(validateTable(makeProject(), off, { libraryCore: [core('K-1', '新增就业岗位数')] }).filter((f) => f.ruleId === 'R-CORE-REQUIRED')).toEqual([])
  })
})
