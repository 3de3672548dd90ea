// Rules on 满意度 rows (rules.md §B): value form, placement, naming who is satisfied.
import { describe, expect, it } from 'vitest'
import type { IndicatorRow } from '../../shared/model/index.ts'
import { makeProject, patchRows, projectRows } from '../helpers/factories.ts'
import { of, pathsOf } from './helpers.ts'

const SAT = 7
const withSat = (patch: Partial<IndicatorRow>, template: 'mof2015-project' | 'yth-flat' = 'mof2015-project') =>
  makeProject({ template, indicators: patchRows(projectRows(), { [SAT]: patch }) })
const severities = (t: ReturnType<typeof withSat>) => of(t, 'R-SATISFACTION-VALUE').map((f) => [f.path, f.severity])

describe('R-SATISFACTION-VALUE', () => {
  it.each<[string, Partial<IndicatorRow>]>([
    ['a 定性 value', { comparator: '定性', target: '满意', unit: '' }],
    ['≤', { comparator: '≤', target: '90' }],
    ['<', { comparator: '<', target: '90' }],
    ['a unit other than %', { target: '90', unit: '分' }],
  ])('is an error for %s', (_, patch) => {
    expect(severities(withSat(patch))).toEqual([['indicators[7]', 'error']])
  })

  it('is an error for an empty comparator in a template with a 指标性质 column', () => {
    expect(severities(withSat({ comparator: '', target: '90' }, 'yth-flat'))).toEqual([['indicators[7]', 'error']])
  })

  it.each<[string, Partial<IndicatorRow>]>([
    ['“=”', { comparator: '=', target: '90' }],
    ['a value below 70%', { target: '65' }],
    ['a value above 98%', { target: '99' }],
  ])('is a warning for %s', (_, patch) => {
    expect(severities(withSat(patch))).toEqual([['indicators[7]', 'warning']])
  })

  it('gives one finding with the worst severity when several cases meet', () => {
    const f = of(withSat({ comparator: '≤', target: '100' }), 'R-SATISFACTION-VALUE')
    expect(f.map((x) => x.severity)).toEqual(['error'])
    expect(f[0]!.message).toContain('98%')
  })

  it('accepts ≥ 90 %', () => {
    expect(pathsOf(makeProject(), 'R-SATISFACTION-VALUE')).toEqual([])
  })
})

describe('R-SATISFACTION-MISPLACED', () => {
  it('warns about a 满意 row under 社会效益', () => {
    const t = makeProject({ indicators: patchRows(projectRows(), { 5: { level3: '群众对培训服务满意程度' } }) })
    expect(of(t, 'R-SATISFACTION-MISPLACED').map((f) => [f.path, f.severity])).toEqual([['indicators[5]', 'warning']])
  })

  it('warns about a 满意度 group row that is not about satisfaction (投诉处理率)', () => {
    expect(pathsOf(withSat({ level3: '投诉处理率' }), 'R-SATISFACTION-MISPLACED')).toEqual(['indicators[7]'])
  })

  it('is silent on satisfaction rows in their group', () => {
    expect(pathsOf(makeProject(), 'R-SATISFACTION-MISPLACED')).toEqual([])
  })
})

describe('R-SATISFACTION-OBJECT', () => {
  it.each(['满意度', '社会满意度', '服务对象满意度'])('warns about “%s”, which names nobody', (name) => {
    expect(of(withSat({ level3: name }), 'R-SATISFACTION-OBJECT').map((f) => [f.path, f.severity])).toEqual([['indicators[7]', 'warning']])
  })

  it.each(['受益群众满意度', '参训学员满意度', '患者满意度', '服务企业满意度'])('accepts “%s”', (name) => {
    expect(pathsOf(withSat({ level3: name }), 'R-SATISFACTION-OBJECT')).toEqual([])
  })
})
