// Grid edits → field-level edits keyed by row id: legacy 指标值, amounts, group cells, blank lines, 金额合计.
import { describe, expect, it } from 'vitest'
import { parseTableOrThrow, type TargetTable } from '../../shared/model/index.ts'
import { buildLayout, type CellTarget } from '../../shared/layout/layout.ts'
import { effectiveEdits, isMultiLine, planWrites, simulate } from '../../client/grid/write-plan.ts'
import { findingCells, tintMap, groupFindings, type GridFinding } from '../../client/grid/findings-map.ts'
import { loadSample } from '../helpers/samples.ts'

const sample = (id: string): TargetTable => parseTableOrThrow(loadSample(id))

describe('planWrites', () => {
  const s01 = sample('S01')
  const row = s01.indicators[6]!

  it('splits a typed legacy 指标值 into comparator, target and unit of that row', () => {
    const t: CellTarget = { kind: 'row', list: 'indicators', rowId: row.id, field: 'value', codec: 'value' }
    expect(planWrites(s01, [{ target: t, input: '不低于22000人' }])).toEqual([
      { op: 'row', list: 'indicators', rowId: row.id, field: 'comparator', value: '≥' },
      { op: 'row', list: 'indicators', rowId: row.id, field: 'target', value: '22000' },
      { op: 'row', list: 'indicators', rowId: row.id, field: 'unit', value: '人' },
      { op: 'row', list: 'indicators', rowId: row.id, field: 'valueKind', value: 'quantitative' },
    ])
  })

  it('writes only what changed', () => {
    const t: CellTarget = { kind: 'row', list: 'indicators', rowId: row.id, field: 'value', codec: 'value' }
    expect(effectiveEdits(s01, planWrites(s01, [{ target: t, input: '≥21000人' }]))).toEqual([])
  })

  it('stores typed amounts exactly, accepting 1,234.5 and 1234.5万元', () => {
    const t: CellTarget = { kind: 'field', path: ['funds', 'annual', 'total'], codec: 'amount' }
    expect(planWrites(s01, [{ target: t, input: '1,234.5' }])).toEqual([{ op: 'field', path: ['funds', 'annual', 'total'], value: 1234.5 }])
    expect(planWrites(s01, [{ target: t, input: '1234.5万元' }])).toEqual([{ op: 'field', path: ['funds', 'annual', 'total'], value: 1234.5 }])
  })

  it('moves a whole 二级 group and fixes its 一级 when the new 二级 belongs elsewhere', () => {
    const ids = [s01.indicators[11]!.id]
    const edits = planWrites(s01, [{ target: { kind: 'group', rowIds: ids, field: 'level2' }, input: '质量指标' }])
    expect(simulate(s01, edits).indicators).toContainEqual(expect.objectContaining({ id: ids[0], level1: '产出指标', level2: '质量指标' }))
  })

  it('turns typing into a blank line into one new row per line, even for a pasted block', () => {
    const L = buildLayout(s01)
    const econ = L.cells.findIndex((r) => r[5]?.v === '经济效益指标')
    const writes = [6, 7].map((c, i) => ({ target: L.cells[econ]![c]!.target, input: ['带动就业人数', '≥50人'][i] }))
    const edits = planWrites(s01, writes)
    expect(edits).toHaveLength(1)
    expect(edits[0]).toMatchObject({ op: 'insert', list: 'indicators', row: { period: 'annual', level1: '效益指标', level2: '经济效益指标', level3: '带动就业人数', comparator: '≥', target: '50', unit: '人' } })
  })

  it('keeps a department table’s 金额合计 equal to the exact sum of its tasks', () => {
    const s06 = sample('S06')
    const task = s06.kind === 'department' ? s06.tasks[1]! : undefined
    const edits = planWrites(s06, [{ target: { kind: 'row', list: 'tasks', rowId: task!.id, field: 'total', codec: 'amount' }, input: '48.1' }])
    const after = simulate(s06, edits) as { taskTotals: unknown }
    expect(after.taskTotals).toEqual({ total: 355, fiscal: 344.9, other: 0 })
  })

  it('creates the missing fund split with all three keys', () => {
    const s04 = sample('S04')
    const edits = planWrites(s04, [{ target: { kind: 'field', path: ['funds', 'midTerm', 'total'], codec: 'amount' }, input: '100' }])
    expect((simulate(s04, edits) as { funds: { midTerm: unknown } }).funds.midTerm).toEqual({ total: 100, fiscal: null, other: null })
  })

  it('keeps line breaks in the long-text fields (as \\n) and turns them into a space anywhere else', () => {
    const goal: CellTarget = { kind: 'field', path: ['annualGoal'], codec: 'text' }
    // Univer's editor gives Alt+Enter as \r; a paste may bring \r\n; a trailing break is dropped
    expect(planWrites(s01, [{ target: goal, input: '目标1\r目标2\r\n' }])).toEqual([{ op: 'field', path: ['annualGoal'], value: '目标1\n目标2' }])
    const name: CellTarget = { kind: 'row', list: 'indicators', rowId: row.id, field: 'level3', codec: 'text' }
    expect(planWrites(s01, [{ target: name, input: '参加课后服务\r\n 学生人数' }])).toEqual([{ op: 'row', list: 'indicators', rowId: row.id, field: 'level3', value: '参加课后服务 学生人数' }])
    const s06 = sample('S06')
    const task = s06.kind === 'department' ? s06.tasks[0]! : undefined
    const content: CellTarget = { kind: 'row', list: 'tasks', rowId: task!.id, field: 'content', codec: 'text' }
    expect(planWrites(s06, [{ target: content, input: '第一项\r第二项' }])).toEqual([{ op: 'row', list: 'tasks', rowId: task!.id, field: 'content', value: '第一项\n第二项' }])
  })

  it('counts as multi-line exactly the document’s long-text fields (Y.Text)', () => {
    expect(isMultiLine({ kind: 'field', path: ['annualGoal'], codec: 'text' })).toBe(true)
    expect(isMultiLine({ kind: 'field', path: ['midTermGoal'], codec: 'text' })).toBe(true)
    expect(isMultiLine({ kind: 'row', list: 'tasks', rowId: 't1', field: 'content', codec: 'text' })).toBe(true)
    expect(isMultiLine({ kind: 'new', list: 'tasks', padKey: 'p', field: 'content', codec: 'text', seed: {} })).toBe(true)
    expect(isMultiLine({ kind: 'field', path: ['header', 'deptFunctions'], codec: 'text' })).toBe(true)
    expect(isMultiLine({ kind: 'field', path: ['header', 'projectName'], codec: 'text' })).toBe(false)
    expect(isMultiLine({ kind: 'row', list: 'tasks', rowId: 't1', field: 'name', codec: 'text' })).toBe(false)
    expect(isMultiLine({ kind: 'row', list: 'indicators', rowId: 'r1', field: 'level3', codec: 'text' })).toBe(false)
    expect(isMultiLine({ kind: 'group', rowIds: ['r1'], field: 'level2' })).toBe(false)
    // every goal and task-content cell of every template is one of them
    for (const id of ['S01', 'S06', 'S09', 'S10']) {
      const table = sample(id)
      const L = buildLayout(table)
      for (const a of ['|annualGoal', ...(table.kind === 'department' ? table.tasks : []).map((t) => `${t.id}|content`)]) {
        const pos = L.anchors.get(a)
        expect(pos, `${id} ${a}`).toBeDefined()
        expect(isMultiLine(L.cells[pos!.row]![pos!.col]!.target), `${id} ${a}`).toBe(true)
      }
    }
  })

  it('refuses labels, computed cells and nonsense directions', () => {
    expect(planWrites(s01, [{ target: { kind: 'label' }, input: 'x' }, { target: { kind: 'computed', path: 'year' }, input: '1' }])).toEqual([])
    expect(planWrites(s01, [{ target: { kind: 'row', list: 'indicators', rowId: row.id, field: 'direction', codec: 'direction' }, input: '随便' }])).toEqual([])
  })
})

describe('findings on the sheet', () => {
  const s10 = sample('S10')
  const L = buildLayout(s10)

  it('maps row findings to the cell they are about and header findings to their field', () => {
    const f = (ruleId: string, path: string, severity: GridFinding['severity'] = 'error', value?: unknown): GridFinding => ({ ruleId, path, severity, message: '', value })
    const at = (g: GridFinding) => findingCells(g, L, s10).map((c) => L.cells[c.row]![c.col]!.v)
    expect(at(f('R-PERCENT-RANGE', 'indicators[3]'))).toEqual(['105'])
    expect(at(f('R-VALUE-COMPARATOR', 'indicators[7]'))).toEqual(['', '90'])
    expect(at(f('R-NAME-CONTAINS-VALUE', 'indicators[0]', 'warning'))).toEqual(['救助困难群众1500人次'])
    expect(at(f('R-HEADER-REQUIRED', 'header.projectName'))).toEqual(['2024年困难群众临时救助资金'])
    expect(at(f('R-FUND-SUM', 'funds.annual'))).toEqual(['420.00'])
    const tints = tintMap([f('R-PERCENT-RANGE', 'indicators[3]'), f('R-NAME-CONTAINS-VALUE', 'indicators[3]', 'warning')], L, s10)
    expect([...tints.values()].sort()).toEqual(['error', 'warning'])
  })

  it('groups findings for the panel, errors first', () => {
    const gs = groupFindings([
      { ruleId: 'R-X', severity: 'warning', path: 'indicators[1]', message: 'w' },
      { ruleId: 'R-Y', severity: 'error', path: 'indicators[3]', message: 'e' },
    ], L, s10)
    expect(gs.map((g) => g.severity)).toEqual(['error', 'warning'])
    expect(gs[0]!.items[0]!.cell).toBeDefined()
  })
})
