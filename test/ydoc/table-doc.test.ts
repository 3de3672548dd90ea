import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import * as Y from 'yjs'
import { parseTableOrThrow, type TargetTable } from '../../shared/model/index.ts'
import {
  toYDoc, fromYDoc, yDocToJson, setField, setRowField, insertRow, deleteRow, moveRow, rowIds, tableRoot,
} from '../../shared/ydoc/index.ts'
import { tableArb } from '../helpers/arbitraries.ts'
import { loadSample, sampleFiles } from '../helpers/samples.ts'

function sync(a: Y.Doc, b: Y.Doc) {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)))
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)))
}

function fork(doc: Y.Doc): Y.Doc {
  const copy = new Y.Doc()
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc))
  return copy
}

describe('toYDoc / fromYDoc', () => {
  it('round-trips every sample losslessly', () => {
    for (const file of sampleFiles()) {
      const table = parseTableOrThrow(loadSample(file))
      const back = fromYDoc(toYDoc(table))
      expect(back.ok, file).toBe(true)
      if (back.ok) expect(back.table).toEqual(table)
    }
  })

  it('holds goals and task content as Y.Text and rows as Y.Map with an id', () => {
    const doc = toYDoc(parseTableOrThrow(loadSample('S06')))
    const root = tableRoot(doc)
    expect(root.get('annualGoal')).toBeInstanceOf(Y.Text)
    const tasks = root.get('tasks') as Y.Array<Y.Map<unknown>>
    expect(tasks.get(0)).toBeInstanceOf(Y.Map)
    expect(tasks.get(0).get('content')).toBeInstanceOf(Y.Text)
    expect(typeof (root.get('indicators') as Y.Array<Y.Map<unknown>>).get(0).get('id')).toBe('string')
  })

  it('round-trips random tables losslessly (property)', () => {
    fc.assert(
      fc.property(tableArb, (table) => {
        const parsed = parseTableOrThrow(table)
        const doc = toYDoc(parsed)
        const copy = fork(doc) // through the wire encoding too
        const back = fromYDoc(copy)
        expect(back.ok).toBe(true)
        if (back.ok) expect(back.table).toEqual(parsed)
      }),
      { numRuns: 200 },
    )
  })

  it('reports a document that no longer parses, with the path', () => {
    const doc = toYDoc(parseTableOrThrow(loadSample('S01')))
    setRowField(doc, 'indicators', rowIds(doc, 'indicators')[0]!, 'target', 5 as unknown as string)
    const r = fromYDoc(doc)
    expect(!r.ok && r.problems[0]).toMatchObject({ path: 'indicators[0].target', code: 'type' })
  })
})

describe('edit helpers', () => {
  it('set, insert, move and delete rows by id', () => {
    const doc = toYDoc(parseTableOrThrow(loadSample('S01')))
    const ids = rowIds(doc, 'indicators')
    const id = insertRow(doc, 'indicators', 2, { period: 'annual', level1: '产出指标', level2: '数量指标', level3: '新指标', comparator: '≥', target: '1', unit: '个' })
    expect(rowIds(doc, 'indicators')[2]).toBe(id)
    expect(moveRow(doc, 'indicators', id, 0)).toBe(true)
    expect(rowIds(doc, 'indicators')[0]).toBe(id)
    expect(setRowField(doc, 'indicators', id, 'target', '2')).toBe(true)
    setField(doc, ['header', 'projectName'], '改名')
    setField(doc, ['annualGoal'], '目标1：新的年度目标')
    expect(deleteRow(doc, 'indicators', ids[0]!)).toBe(true)
    const r = fromYDoc(doc)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.table.indicators[0]).toMatchObject({ id, level3: '新指标', target: '2' })
    expect(r.table.indicators.map((x) => x.id)).not.toContain(ids[0])
    expect(r.table.header).toMatchObject({ projectName: '改名' })
    expect(r.table.annualGoal).toBe('目标1：新的年度目标')
    expect(tableRoot(doc).get('annualGoal')).toBeInstanceOf(Y.Text)
  })

  it('inserts into a document whose indicator list was deleted (the guard accepts that update): the list is made again', () => {
    const doc = toYDoc(parseTableOrThrow(loadSample('S01')))
    const other = fork(doc)
    tableRoot(other).delete('indicators')
    sync(doc, other)
    expect(tableRoot(doc).get('indicators')).toBeUndefined()
    const before = fromYDoc(doc)
    expect(before.ok && before.table.indicators).toEqual([])
    expect(rowIds(doc, 'indicators')).toEqual([])
    const id = insertRow(doc, 'indicators', 5, { period: 'annual', level1: '产出指标', level2: '数量指标', level3: '新指标', comparator: '≥', target: '1', unit: '个' })
    sync(doc, other)
    for (const d of [doc, other]) {
      const r = fromYDoc(d)
      expect(r.ok).toBe(true)
      if (r.ok) expect(r.table.indicators.map((x) => [x.id, x.level3])).toEqual([[id, '新指标']])
    }
  })

  it('tags every edit with the caller origin', () => {
    const doc = toYDoc(parseTableOrThrow(loadSample('S01')))
    const origins: unknown[] = []
    doc.on('afterTransaction', (tr: Y.Transaction) => origins.push(tr.origin))
    const LOCAL = Symbol('local')
    setField(doc, ['header', 'projectName'], 'x', LOCAL)
    insertRow(doc, 'indicators', 0, { period: 'annual', level1: '', level2: '', level3: '', comparator: '', target: '', unit: '' }, LOCAL)
    expect(origins).toEqual([LOCAL, LOCAL])
  })

  it('keeps both of two concurrent edits to different fields of one row', () => {
    const a = toYDoc(parseTableOrThrow(loadSample('S01')))
    const b = fork(a)
    const id = rowIds(a, 'indicators')[3]!
    setRowField(a, 'indicators', id, 'target', '550')
    setRowField(b, 'indicators', id, 'unit', '元/生·年')
    sync(a, b)
    for (const doc of [a, b]) {
      const r = fromYDoc(doc)
      expect(r.ok && r.table.indicators[3]).toMatchObject({ id, target: '550', unit: '元/生·年' })
    }
  })

  it('merges concurrent typing in one goal character by character', () => {
    const a = toYDoc(parseTableOrThrow(loadSample('S01')))
    const b = fork(a)
    const goal = String(yDocToJson(a).annualGoal)
    setField(a, ['annualGoal'], 'A' + goal)
    setField(b, ['annualGoal'], goal + 'B')
    sync(a, b)
    expect(yDocToJson(a).annualGoal).toBe('A' + goal + 'B')
    expect(yDocToJson(b).annualGoal).toBe('A' + goal + 'B')
  })

  it('keeps every concurrent edit to disjoint fields and every concurrent insert (property)', () => {
    const fields = ['level1', 'level2', 'level3', 'comparator', 'target', 'unit', 'explanation', 'remark'] as const
    const edit = fc.record({ row: fc.nat(), field: fc.nat({ max: fields.length - 1 }), value: fc.string({ maxLength: 6 }) })
    const insert = fc.record({ at: fc.nat(), level3: fc.string({ maxLength: 6 }) })
    fc.assert(
      fc.property(tableArb, fc.array(edit, { maxLength: 20 }), fc.array(edit, { maxLength: 20 }), fc.array(insert, { maxLength: 3 }), fc.array(insert, { maxLength: 3 }),
        (table, editsA, editsB, insA, insB) => {
          const a = toYDoc(parseTableOrThrow(table) as TargetTable)
          const b = fork(a)
          const ids = rowIds(a, 'indicators')
          // A owns the even fields, B the odd ones: disjoint by construction, same rows.
          const expected = new Map<string, string>()
          const apply = (doc: Y.Doc, edits: typeof editsA, parity: number) => {
            if (ids.length === 0) return
            for (const e of edits) {
              const f = fields[(e.field - (e.field % 2) + parity) % fields.length]!
              const id = ids[e.row % ids.length]!
              setRowField(doc, 'indicators', id, f, e.value)
              expected.set(`${id}.${f}`, e.value)
            }
          }
          apply(a, editsA, 0)
          apply(b, editsB, 1)
          const inserted: string[] = []
          for (const i of insA) inserted.push(insertRow(a, 'indicators', i.at, { period: 'annual', level1: '', level2: '', level3: i.level3, comparator: '', target: '', unit: '' }))
          for (const i of insB) inserted.push(insertRow(b, 'indicators', i.at, { period: 'annual', level1: '', level2: '', level3: i.level3, comparator: '', target: '', unit: '' }))
          sync(a, b)
          const ja = fromYDoc(a)
          const jb = fromYDoc(b)
          expect(ja.ok && jb.ok).toBe(true)
          if (!ja.ok || !jb.ok) return
          expect(ja.table).toEqual(jb.table)
          const byId = new Map(ja.table.indicators.map((r) => [r.id, r as Record<string, unknown>]))
          for (const [key, value] of expected) {
            const [id, f] = key.split('.') as [string, string]
            expect(byId.get(id)?.[f]).toBe(value)
          }
          for (const id of inserted) expect(byId.has(id)).toBe(true)
          expect(ja.table.indicators.length).toBe(ids.length + inserted.length)
        }),
      { numRuns: 150 },
    )
  })
})
