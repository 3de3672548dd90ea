// 工作阶段 rules (shared/workflow/stage.ts): the stage a department's tables prove, a stage set by hand that
// moves it on but never back, the deadline it is measured against on the bureau's date, and that date.
import { describe, expect, it } from 'vitest'
import { bureauDate, daysBetween, deadlineFor, derivedStage, effectiveStage, stageOrder, STAGES, type StageEvidence } from '../../shared/workflow/stage.ts'

const evidence = (over: Partial<StageEvidence> = {}): StageEvidence => ({ draft: 0, submitted: 0, returned: 0, approved: 0, compiled: false, ...over })

describe('derivedStage', () => {
  it('is 资料收集 with no table, 初稿 while any table is a draft', () => {
    expect(derivedStage(evidence())).toBe('materials')
    expect(derivedStage(evidence({ draft: 1, submitted: 3, approved: 5 }))).toBe('draft')
  })
  it('is 征求意见 once every table was submitted and some are not approved (报送 or 退回修改)', () => {
    expect(derivedStage(evidence({ submitted: 1 }))).toBe('consultation')
    expect(derivedStage(evidence({ returned: 1, approved: 4 }))).toBe('consultation')
  })
  it('is 正式稿 when every table is approved, 汇编 once a finished book holds them all', () => {
    expect(derivedStage(evidence({ approved: 2 }))).toBe('final')
    expect(derivedStage(evidence({ approved: 2, compiled: true }))).toBe('compiled')
    // a book does not skip the stages before it
    expect(derivedStage(evidence({ approved: 2, submitted: 1, compiled: true }))).toBe('consultation')
  })
})

describe('effectiveStage', () => {
  it('takes a stage set by hand only when it is later than the derived one', () => {
    expect(effectiveStage('materials', 'draft')).toEqual({ stage: 'draft', source: 'manual' })
    expect(effectiveStage('final', 'draft')).toEqual({ stage: 'final', source: 'derived' })
    expect(effectiveStage('draft', 'draft')).toEqual({ stage: 'draft', source: 'derived' })
    expect(effectiveStage('consultation', null)).toEqual({ stage: 'consultation', source: 'derived' })
  })
  it('orders the five stages 资料收集 → 初稿 → 征求意见 → 正式稿 → 汇编', () => {
    expect(STAGES.map(stageOrder)).toEqual([0, 1, 2, 3, 4])
  })
})

describe('deadlineFor', () => {
  const deadlines = [
    { stage: 'final' as const, dueDate: '2027-06-30' },
    { stage: 'draft' as const, dueDate: '2027-03-31' },
    { stage: 'consultation' as const, dueDate: '2027-05-15' },
  ]
  it('measures against the earliest deadline of a stage not yet reached', () => {
    expect(deadlineFor('materials', deadlines, '2027-03-01')).toEqual({ stage: 'draft', dueDate: '2027-03-31', overdue: false, days: 0 })
    expect(deadlineFor('draft', deadlines, '2027-03-01')).toEqual({ stage: 'consultation', dueDate: '2027-05-15', overdue: false, days: 0 })
  })
  it('is overdue only after the due date (inclusive), counting whole days late', () => {
    expect(deadlineFor('materials', deadlines, '2027-03-31')?.overdue).toBe(false)
    expect(deadlineFor('materials', deadlines, '2027-04-01')).toEqual({ stage: 'draft', dueDate: '2027-03-31', overdue: true, days: 1 })
    expect(deadlineFor('consultation', deadlines, '2027-07-10')).toEqual({ stage: 'final', dueDate: '2027-06-30', overdue: true, days: 10 })
  })
  it('is null with nothing left to reach or no deadline set', () => {
    expect(deadlineFor('compiled', deadlines, '2030-01-01')).toBeNull()
    expect(deadlineFor('final', deadlines, '2030-01-01')).toBeNull()
    expect(deadlineFor('materials', [], '2030-01-01')).toBeNull()
  })
  it('takes the earlier date when a later stage is due before an earlier one', () => {
    expect(deadlineFor('materials', [{ stage: 'consultation', dueDate: '2027-01-01' }, { stage: 'draft', dueDate: '2027-02-01' }], '2027-01-15')).toEqual({ stage: 'consultation', dueDate: '2027-01-01', overdue: true, days: 14 })
  })
})

describe('bureauDate', () => {
  it('is the calendar date in China Standard Time (UTC+8)', () => {
    expect(bureauDate(new Date('2026-12-03T15:59:59Z'))).toBe('2026-12-03')
    expect(bureauDate(new Date('2026-12-03T16:00:00Z'))).toBe('2026-12-04')
    expect(bureauDate(new Date('2027-01-01T00:00:00+08:00'))).toBe('2027-01-01')
  })
  it('counts days across months and leap years', () => {
    expect(daysBetween('2028-02-28', '2028-03-01')).toBe(2)
    expect(daysBetween('2027-12-31', '2028-01-01')).toBe(1)
  })
})
