// The propagation planner (server/workflow/propagate.ts planMember / applyToRows / applyToDoc), pure: what a
// member's rows become given the shared set and what the group last wrote there.
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import type { IndicatorRow } from '../../shared/model/index.ts'
import { toYDoc, yDocToJson } from '../../shared/ydoc/index.ts'
import { blankTable } from '../../shared/model/blank.ts'
import { applyToDoc, applyToRows, planMember, valuesOf } from '../../server/workflow/propagate.ts'

const row = (id: string, level3: string, target: string, extra: Partial<IndicatorRow> = {}): IndicatorRow =>
  ({ id, period: 'annual', level1: '产出指标', level2: '数量指标', level3, comparator: '≥', target, unit: '个', ...extra })

/** a member as a first propagation leaves it: rows copied under new ids, base recorded */
function firstPass(source: IndicatorRow[]) {
  const plan = planMember(source, [], undefined)
  return { rows: applyToRows([], plan.ops), base: plan.nextBase }
}

describe('planMember', () => {
  const source = [row('s1', '甲', '1'), row('s2', '乙', '2'), row('s3', '丙', '3')]

  it('adds the whole set on a first propagation, in the source order, and records each row as its base', () => {
    const { rows, base } = firstPass(source)
    expect(rows.map((r) => [r.level3, r.target])).toEqual([['甲', '1'], ['乙', '2'], ['丙', '3']])
    expect(Object.keys(base)).toEqual(['s1', 's2', 's3'])
    expect(base.s2).toEqual({ memberRowId: rows[1]!.id, values: valuesOf(source[1]!) })
    expect(rows.every((r) => !source.some((s) => s.id === r.id))).toBe(true) // the member's own ids
  })

  it('takes over a row the member had under the same period and name instead of adding a duplicate', () => {
    const plan = planMember(source, [row('m1', ' 乙 ', '20', { remark: '自有' })], undefined)
    expect(plan.counts).toEqual({ added: 2, updated: 1, removed: 0, kept: 0 })
    const rows = applyToRows([row('m1', ' 乙 ', '20', { remark: '自有' })], plan.ops)
    expect(rows.map((r) => [r.id === 'm1' ? 'm1' : 'new', r.level3, r.target])).toEqual([['new', '甲', '1'], ['m1', '乙', '2'], ['new', '丙', '3']])
    expect(plan.nextBase.s2!.memberRowId).toBe('m1')
  })

  it('keeps a member’s override, updates the rest, removes an unchanged row the source dropped and keeps a changed one as the member’s own', () => {
    const { rows, base } = firstPass([...source, row('s4', '丁', '4')])
    const member = rows.map((r) => (r.level3 === '甲' ? { ...r, target: '10' } : r.level3 === '丁' ? { ...r, unit: '项' } : r))
    const next = [row('s1', '甲', '5'), row('s2', '乙', '6'), row('s3', '丙', '3'), row('s5', '戊', '7')] // s4 dropped, s5 new
    const plan = planMember(next, member, base)
    expect(plan.counts).toEqual({ added: 1, updated: 1, removed: 0, kept: 2 })
    expect(plan.items.filter((i) => i.op === 'keep').map((i) => [i.name, i.fields, i.before])).toEqual([['甲', ['target'], '≥10个'], ['丁', ['unit'], '≥4项']])
    const after = applyToRows(member, plan.ops)
    expect(after.map((r) => [r.level3, r.target, r.unit])).toEqual([['甲', '10', '个'], ['乙', '6', '个'], ['丙', '3', '个'], ['戊', '7', '个'], ['丁', '4', '项']])
    expect(plan.nextBase.s1).toEqual(base.s1) // still an override next time
    expect(plan.nextBase.s4).toBeUndefined() // 丁 is the member's own now

    const unchangedDrop = planMember(next.slice(0, 3), rows, base)
    expect(unchangedDrop.items.filter((i) => i.op === 'remove').map((i) => i.name)).toEqual(['丁'])
  })

  it('leaves a row the member deleted deleted, listing it as kept only when the source changed it', () => {
    const { rows, base } = firstPass(source)
    const member = rows.filter((r) => r.level3 !== '乙')
    expect(planMember(source, member, base)).toMatchObject({ ops: [], items: [] })
    const changed = planMember([source[0]!, row('s2', '乙', '9'), source[2]!], member, base)
    expect(changed.ops).toEqual([])
    expect(changed.items).toEqual([{ op: 'keep', level1: '产出指标', level2: '数量指标', name: '乙', fields: [], before: null, after: null }])
    expect(changed.nextBase.s2).toEqual(base.s2)
  })

  it('treats blanks alike and takes the new base when member and source arrived at the same values', () => {
    const { rows, base } = firstPass([row('s1', '甲', '1', { remark: '' })])
    expect(planMember([row('s1', '甲', '1')], rows.map((r) => ({ ...r, remark: undefined })), base).ops).toEqual([])
    const both = planMember([row('s1', '甲', '8')], rows.map((r) => ({ ...r, target: '8' })), base)
    expect(both.ops).toEqual([])
    expect(both.nextBase.s1!.values.target).toBe('8')
  })
})

describe('applyToDoc', () => {
  it('writes the same rows into a live document as applyToRows into plain rows, in one transaction', () => {
    const source = [row('s1', '甲', '1'), row('s2', '乙', '2')]
    const own = row('m0', '自有', '0')
    const doc = toYDoc({ ...blankTable('mof2015-dept', 2032), indicators: [own] })
    const plan = planMember(source, [own], undefined)
    let transactions = 0
    doc.on('afterTransaction', () => transactions++)
    doc.transact(() => applyToDoc(doc, plan.ops), 'server')
    expect(transactions).toBe(1)
    expect((yDocToJson(doc).indicators as IndicatorRow[]).map((r) => r.level3)).toEqual(applyToRows([own], plan.ops).map((r) => r.level3))
    expect((doc.getMap('table').get('indicators') as Y.Array<unknown>).length).toBe(3)
  })
})
