// The engine’s reporting conventions: one finding per (rule, location), specific beats generic, sort order, canSubmit.
import { describe, expect, it } from 'vitest'
import { canSubmit, finaliseFindings, validateTable, type Finding } from '../../shared/rules/index.ts'
import { makeProject, patchRows, projectRows } from '../helpers/factories.ts'
import { pathsOf } from './helpers.ts'

const f = (ruleId: string, severity: Finding['severity'], path: string): Finding => ({ ruleId, severity, path, message: '…' })

describe('finaliseFindings', () => {
  it('keeps one finding per (rule, location), the most severe', () => {
    const out = finaliseFindings([f('R-LEVEL3-COUNT-MIN', 'warning', 'indicators'), f('R-LEVEL3-COUNT-MIN', 'error', 'indicators')])
    expect(out.map((x) => x.severity)).toEqual(['error'])
  })

  it('drops R-VALUE-QUALITATIVE-GRADE where R-VAGUE-WORDING, R-TIMELINESS-FORM or R-COST-FORM fired on the row', () => {
    for (const specific of ['R-VAGUE-WORDING', 'R-TIMELINESS-FORM', 'R-COST-FORM']) {
      const out = finaliseFindings([f('R-VALUE-QUALITATIVE-GRADE', 'warning', 'indicators[3]'), f(specific, 'warning', 'indicators[3]')])
      expect(out.map((x) => x.ruleId)).toEqual([specific])
    }
    const elsewhere = finaliseFindings([f('R-VALUE-QUALITATIVE-GRADE', 'warning', 'indicators[3]'), f('R-VAGUE-WORDING', 'error', 'indicators[4]')])
    expect(elsewhere).toHaveLength(2)
  })

  it('drops R-VALUE-NUMERIC and R-NAME-CONTAINS-VALUE where R-VALUE-PLACEHOLDER fired on the row', () => {
    const out = finaliseFindings([f('R-VALUE-NUMERIC', 'error', 'indicators[8]'), f('R-NAME-CONTAINS-VALUE', 'warning', 'indicators[8]'), f('R-VALUE-PLACEHOLDER', 'error', 'indicators[8]')])
    expect(out.map((x) => x.ruleId)).toEqual(['R-VALUE-PLACEHOLDER'])
  })

  it('sorts by severity, then in the form’s reading order, then by rule index', () => {
    const out = finaliseFindings([
      f('R-VALUE-UNIT', 'error', 'indicators[10]'),
      f('R-COMPARATOR-DIRECTION', 'warning', 'indicators[1]'),
      f('R-VALUE-REQUIRED', 'error', 'indicators[2]'),
      f('R-FUND-SUM', 'error', 'funds.annual'),
      f('R-GOAL-CONCRETE', 'warning', 'annualGoal'),
      f('R-LEVEL2-EMPTY', 'info', 'indicators'),
      f('R-HEADER-REQUIRED', 'error', 'header.projectPeriod'),
      f('R-HEADER-REQUIRED', 'error', 'header.implementingUnit'),
      f('R-VALUE-NUMERIC', 'error', 'indicators[2]'),
      f('R-LEVEL1-OUTPUT', 'error', 'indicators'),
    ])
    expect(out.map((x) => `${x.severity} ${x.path} ${x.ruleId}`)).toEqual([
      'error header.implementingUnit R-HEADER-REQUIRED',
      'error header.projectPeriod R-HEADER-REQUIRED',
      'error funds.annual R-FUND-SUM',
      'error indicators R-LEVEL1-OUTPUT',
      'error indicators[2] R-VALUE-REQUIRED',
      'error indicators[2] R-VALUE-NUMERIC',
      'error indicators[10] R-VALUE-UNIT',
      'warning annualGoal R-GOAL-CONCRETE',
      'warning indicators[1] R-COMPARATOR-DIRECTION',
      'info indicators R-LEVEL2-EMPTY',
    ])
  })
})

describe('validateTable', () => {
  it('returns the same findings in the same order on every run', () => {
    const t = makeProject({ funds: { annual: { total: 120, fiscal: 100, other: 15 } }, indicators: patchRows(projectRows(), { 1: { target: '进一步提高' }, 7: { comparator: '=', target: '100' } }) })
    expect(validateTable(t)).toEqual(validateTable(structuredClone(t)))
  })

  it('does not change the table it validates', () => {
    const t = makeProject()
    const copy = structuredClone(t)
    validateTable(t)
    expect(t).toEqual(copy)
  })

  it('attaches the row id to row findings', () => {
    const t = makeProject({ indicators: patchRows(projectRows(), { 2: { target: '' } }) })
    const found = validateTable(t).find((x) => x.ruleId === 'R-VALUE-REQUIRED')!
    expect(found.rowId).toBe(t.indicators[2]!.id)
  })

  it('runs project-only rules on projects and department-only rules on department tables', () => {
    expect(pathsOf(makeProject(), 'R-DEPT-TASK-REQUIRED')).toEqual([])
    expect(pathsOf(makeProject({ funds: { annual: { total: 1, fiscal: 2, other: 3 } } }), 'R-FUND-SUM')).toEqual(['funds.annual'])
  })
})

describe('canSubmit', () => {
  it('allows submission with warnings but not with errors', () => {
    expect(canSubmit([f('R-GOAL-CONCRETE', 'warning', 'annualGoal'), f('R-LEVEL2-EMPTY', 'info', 'indicators')])).toBe(true)
    expect(canSubmit(validateTable(makeProject({ annualGoal: '' })))).toBe(false)
  })
})
