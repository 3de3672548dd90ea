// Rules on the goal texts (rules.md §A): presence, concreteness, agreement with indicator values.
import { describe, expect, it } from 'vitest'
import { makeDepartment, makeMultiYearProject, makeProject, patchRows, projectRows } from '../helpers/factories.ts'
import { of, pathsOf } from './helpers.ts'

describe('R-GOAL-ANNUAL-REQUIRED', () => {
  it('reports an empty 年度目标 on project and department tables', () => {
    expect(of(makeProject({ annualGoal: '  ' }), 'R-GOAL-ANNUAL-REQUIRED').map((f) => [f.path, f.severity])).toEqual([['annualGoal', 'error']])
    expect(of(makeDepartment({ annualGoal: '' }), 'R-GOAL-ANNUAL-REQUIRED')[0]!.message).toContain('年度总体目标')
  })

  it('is silent when the goal is written', () => {
    expect(pathsOf(makeProject(), 'R-GOAL-ANNUAL-REQUIRED')).toEqual([])
  })
})

describe('R-GOAL-MIDTERM-REQUIRED', () => {
  it('reports 项目期 2024–2026 with an empty 中期目标', () => {
    expect(of(makeMultiYearProject(undefined, { midTermGoal: '' }), 'R-GOAL-MIDTERM-REQUIRED').map((f) => [f.path, f.severity])).toEqual([['midTermGoal', 'error']])
  })

  it('requires it of a one-off project spanning years even without a 中期 half in the template', () => {
    const t = makeProject({ template: 'local-simple', header: { oneOff: true, projectPeriod: { start: '2024-03', end: '2025-06' } } })
    expect(pathsOf(t, 'R-GOAL-MIDTERM-REQUIRED')).toEqual(['midTermGoal'])
  })

  it('lets one-year projects leave the 中期 half blank', () => {
    expect(pathsOf(makeProject({ midTermGoal: '' }), 'R-GOAL-MIDTERM-REQUIRED')).toEqual([])
  })
})

describe('R-GOAL-CONCRETE', () => {
  it('warns about 年度目标 “保障工作顺利开展”', () => {
    const f = of(makeProject({ annualGoal: '保障工作顺利开展' }), 'R-GOAL-CONCRETE')
    expect(f.map((x) => [x.path, x.severity])).toEqual([['annualGoal', 'warning']])
    expect(f[0]!.message).toContain('过于笼统')
  })

  it('warns about a goal longer than 500 characters, or one that repeats the project name', () => {
    const long = `目标1：举办培训班40期。${'并按照实施方案逐项推进各项工作'.repeat(40)}`
    expect(of(makeProject({ annualGoal: long }), 'R-GOAL-CONCRETE')[0]!.message).toContain('实施方案')
    expect(pathsOf(makeProject({ annualGoal: '2024年农村实用技术培训' }), 'R-GOAL-CONCRETE')).toEqual(['annualGoal'])
  })

  it('warns about a goal with no quantity at all, numbering and dates aside', () => {
    expect(pathsOf(makeProject({ annualGoal: '目标1：2024年10月底前为全市农户提供农业技术培训服务，帮助农户掌握实用技术。' }), 'R-GOAL-CONCRETE')).toEqual(['annualGoal'])
  })

  it('is silent on a goal that says what, how much and by when', () => {
    expect(pathsOf(makeProject(), 'R-GOAL-CONCRETE')).toEqual([])
  })
})

describe('R-GOAL-INDICATOR-CONSISTENCY', () => {
  it('warns when the goal says 1200人次 but the indicator says ≥ 1000 人次', () => {
    const t = makeProject({ indicators: patchRows(projectRows(), { 1: { target: '1000' } }) })
    const f = of(t, 'R-GOAL-INDICATOR-CONSISTENCY')
    expect(f.map((x) => [x.path, x.severity])).toEqual([['annualGoal', 'warning']])
    expect(f[0]!.value).toBe('1200人次')
  })

  it('matches 万-prefixed units, the period’s funds, and ignores dates and numbering', () => {
    const t = makeProject({
      annualGoal: '目标1：2024年10月底前培训基层农户0.12万人次、举办培训班40期，投入资金120万元，技术掌握率达到85%以上。',
    })
    expect(pathsOf(t, 'R-GOAL-INDICATOR-CONSISTENCY')).toEqual([])
  })

  it('compares the 中期目标 with the 中期 indicators', () => {
    const t = makeMultiYearProject(undefined, { midTermGoal: '2024—2026年举办农村实用技术培训班150期，培训基层农户3600人次。' })
    expect(of(t, 'R-GOAL-INDICATOR-CONSISTENCY').map((f) => [f.path, f.value])).toEqual([['midTermGoal', '150期']])
  })
})
