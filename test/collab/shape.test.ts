// The incremental structure check agrees with the whole-table strict parse: for random edits (valid and
// not) on random valid tables, it accepts exactly when fromYDoc would. Also the comments room's rules.
import { describe, expect, it } from 'vitest'
import type { Role } from '../../shared/permissions.ts'
import fc from 'fast-check'
import * as Y from 'yjs'
import { LIMITS } from '../../shared/model/index.ts'
import { addReply, addThread, fromYDoc, insertRow, rowIds, setField, setDisposition, setRowField, setThreadStatus, tableRoot, threadsRoot, toYDoc } from '../../shared/ydoc/index.ts'
import { tableShapeChecker } from '../../server/collab/table-shape.ts'
import { commentsShapeChecker } from '../../server/collab/comments-shape.ts'
import type { ShapeChecker } from '../../server/collab/shape.ts'
import { tableArb } from '../helpers/arbitraries.ts'

/** Runs `op` on a copy of `doc` and returns the copy with the transaction it made. */
function tryOn(doc: Y.Doc, op: (d: Y.Doc) => void): { copy: Y.Doc; tr: Y.Transaction | null } {
  const copy = new Y.Doc()
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc))
  let tr: Y.Transaction | null = null
  copy.on('afterTransaction', (t: Y.Transaction) => {
    tr = t
  })
  copy.transact(() => op(copy), 'test')
  return { copy, tr }
}

function verdicts(checker: ShapeChecker, doc: Y.Doc, op: (d: Y.Doc) => void, actorId = 'u1', role?: Role) {
  const { copy, tr } = tryOn(doc, op)
  const incremental = tr ? checker.incremental(copy, tr, { actorId, role }) : []
  const full = checker.full(copy, { actorId, role })
  return { copy, incremental, full }
}

const text = (n: number) => 'x'.repeat(n)
const rows = (d: Y.Doc) => tableRoot(d).get('indicators') as Y.Array<Y.Map<unknown>>

type Op = (d: Y.Doc) => void
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ i: fc.nat(), field: fc.constantFrom('target', 'unit', 'level3', 'remark', 'explanation', 'comparator', 'weight', 'core', 'bogus', 'id', 'period'), value: fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom(text(LIMITS.shortText + 1), text(LIMITS.longText + 1), 'annual', 'midTerm')) }).map(
    ({ i, field, value }) => (d: Y.Doc) => {
      const arr = rows(d)
      if (arr.length) arr.get(i % arr.length).set(field, value)
    },
  ),
  fc.record({ i: fc.nat(), withId: fc.boolean(), dupe: fc.boolean(), extra: fc.boolean() }).map(({ i, withId, dupe, extra }) => (d: Y.Doc) => {
    const ids = rowIds(d, 'indicators')
    const row = new Y.Map<unknown>()
    const fields: Record<string, unknown> = { period: 'annual', level1: '产出指标', level2: '数量指标', level3: '新指标', comparator: '≥', target: '1', unit: '个' }
    if (withId) fields.id = dupe && ids.length ? ids[i % ids.length] : `new-${i}-${Math.random()}`
    if (extra) fields.surprise = 1
    for (const [k, v] of Object.entries(fields)) row.set(k, v)
    rows(d).insert(Math.min(i, rows(d).length), [row])
  }),
  fc.nat().map((i) => (d: Y.Doc) => {
    const arr = rows(d)
    if (arr.length) arr.delete(i % arr.length, 1)
  }),
  fc.nat().map((i) => (d: Y.Doc) => {
    const arr = rows(d)
    if (arr.length) arr.get(i % arr.length).delete(['id', 'target', 'remark', 'level1'][i % 4]!)
  }),
  fc.constantFrom<Op>(
    (d) => tableRoot(d).set('hack', 1),
    (d) => tableRoot(d).delete('annualGoal'),
    (d) => tableRoot(d).delete('midTermGoal'),
    (d) => tableRoot(d).set('year', 'twenty'),
    (d) => tableRoot(d).set('year', 2027),
    (d) => tableRoot(d).set('kind', 'department'),
    (d) => tableRoot(d).set('template', 'mof2021-core'),
    (d) => tableRoot(d).set('indicators', new Y.Array()),
    (d) => tableRoot(d).set('indicators', 'none'),
    (d) => setField(d, ['header', 'projectName'], '新的项目名称'),
    (d) => setField(d, ['header', 'projectName'], 42 as unknown as string),
    (d) => setField(d, ['header', 'unknownHeaderKey'], 'x'),
    (d) => setField(d, ['funds', 'annual', 'total'], 120),
    (d) => setField(d, ['funds', 'annual', 'total'], true as unknown as number),
    (d) => (tableRoot(d).get('annualGoal') as Y.Text | undefined)?.insert(0, '提高'),
    (d) => tableRoot(d).set('annualGoal', '普通文字'),
    (d) => tableRoot(d).set('header', { projectName: '普通对象' }),
    (d) => setField(d, ['header', 'projectLeader'], new Y.Text('张三') as unknown as string),
    (d) => (tableRoot(d).get('annualGoal') as Y.Text | undefined)?.insert(0, text(LIMITS.longText + 1)),
    (d) => d.getMap('evil').set('x', 1),
    (d) => rows(d).push([new Y.Map()]),
    (d) => rows(d).push(['not a row' as unknown as Y.Map<unknown>]),
  ),
)

describe('table structure check', () => {
  it('accepts exactly what the whole-table strict parse accepts, edit after edit', () => {
    fc.assert(
      fc.property(tableArb, fc.array(opArb, { minLength: 1, maxLength: 12 }), (table, ops) => {
        let doc = toYDoc(table)
        fc.pre(fromYDoc(doc).ok)
        for (const op of ops) {
          const { copy, incremental, full } = verdicts(tableShapeChecker, doc, op)
          expect(incremental.length === 0, JSON.stringify({ incremental, full })).toBe(full.length === 0)
          if (full.length === 0) {
            expect(fromYDoc(copy).ok).toBe(true)
            doc = copy
          }
        }
      }),
      { numRuns: 150 },
    )
  })

  it('names the offending path for the classic mistakes', () => {
    const doc = toYDoc(fc.sample(tableArb.filter((t) => t.indicators.length > 0), { numRuns: 1, seed: 7 })[0]!)
    const id = rowIds(doc, 'indicators')[0]!
    const cases: [Op, RegExp][] = [
      [(d) => tableRoot(d).set('hack', 1), /hack/],
      [(d) => rows(d).push([new Y.Map()]), /indicators\[\d+\]/],
      [(d) => setRowField(d, 'indicators', id, 'target', 5), /indicators\[0\]\.target/],
      [(d) => setRowField(d, 'indicators', id, 'remark', text(100_000)), /indicators\[0\]\.remark/],
      [(d) => tableRoot(d).set('annualGoal', '普通文字'), /annualGoal/],
      [(d) => tableRoot(d).set('header', { projectName: '普通对象' }), /header/],
    ]
    for (const [op, path] of cases) {
      const { incremental } = verdicts(tableShapeChecker, doc, op)
      expect(incremental.map((p) => p.path).join(' ')).toMatch(path)
    }
  })

  it('checks the whole document while it is not a table yet, so only a complete table is accepted', () => {
    const empty = new Y.Doc()
    expect(tableShapeChecker.full(empty).length).toBeGreaterThan(0)
    const whole = fc.sample(tableArb, { numRuns: 1, seed: 3 })[0]!
    expect(verdicts(tableShapeChecker, empty, (d) => toYDoc(whole, d)).full).toEqual([])
    expect(verdicts(tableShapeChecker, empty, (d) => tableRoot(d).set('kind', 'project')).full.length).toBeGreaterThan(0)
  })
})

describe('comments structure check', () => {
  const base = () => {
    const doc = new Y.Doc()
    addThread(doc, { id: 't1', anchor: { rowId: 'r1' }, round: 1, authorId: 'fin', text: '请补充依据' })
    return doc
  }

  it('accepts new threads, replies and status changes by the signed-in author', () => {
    expect(verdicts(commentsShapeChecker, base(), (d) => addThread(d, { anchor: {}, round: 1, authorId: 'u1', text: '整体意见' })).incremental).toEqual([])
    expect(verdicts(commentsShapeChecker, base(), (d) => addReply(d, 't1', { authorId: 'u1', text: '已补充' })).incremental).toEqual([])
    expect(verdicts(commentsShapeChecker, base(), (d) => setThreadStatus(d, 't1', 'resolved')).incremental).toEqual([])
  })

  it('refuses forged authors, edits of others’ messages, deletions, unknown keys and oversize text', () => {
    const refused: Op[] = [
      (d) => addThread(d, { anchor: {}, round: 1, authorId: 'someone-else', text: '冒名' }),
      (d) => addReply(d, 't1', { authorId: 'someone-else', text: '冒名' }),
      (d) => ((threadsRoot(d).get('t1')!.get('messages') as Y.Array<Y.Map<unknown>>).get(0)).set('text', '改写他人的意见'),
      (d) => threadsRoot(d).delete('t1'),
      (d) => (threadsRoot(d).get('t1')!.get('messages') as Y.Array<unknown>).delete(0, 1),
      (d) => threadsRoot(d).get('t1')!.set('authorId', 'u1'),
      (d) => threadsRoot(d).get('t1')!.set('color', 'red'),
      (d) => threadsRoot(d).get('t1')!.set('status', 'deleted'),
      (d) => addReply(d, 't1', { authorId: 'u1', text: text(LIMITS.longText + 1) }),
      (d) => threadsRoot(d).set('t2', new Y.Map()),
      (d) => d.getMap('table').set('x', 1),
    ]
    for (const op of refused) expect(verdicts(commentsShapeChecker, base(), op).incremental.length, op.toString()).toBeGreaterThan(0)
  })

  it('lets the department answer an opinion (已修改, 不采纳 with a reason) and only a reviewer resolve it', () => {
    const dispose = (disposition: 'revised' | 'declined', reason?: string, userId = 'dep') => (d: Y.Doc) => setDisposition(d, 't1', { disposition, reason, userId })
    expect(verdicts(commentsShapeChecker, base(), dispose('revised'), 'dep', 'department').incremental).toEqual([])
    expect(verdicts(commentsShapeChecker, base(), dispose('declined', '该指标已在年度目标中体现'), 'dep', 'department').incremental).toEqual([])
    const blank = verdicts(commentsShapeChecker, base(), dispose('declined', '  '), 'dep', 'department').incremental
    expect(blank).toEqual([expect.objectContaining({ path: 't1.dispositionReason', message: '标记“不采纳”必须填写理由' })])
    expect(verdicts(commentsShapeChecker, base(), dispose('revised'), 'zx', 'consultant').incremental[0]?.message).toBe('只有部门用户可以答复意见（已修改/不采纳）')
    expect(verdicts(commentsShapeChecker, base(), dispose('revised', undefined, 'other'), 'dep', 'department').incremental[0]?.message).toBe('答复人必须是当前用户')
    const resolve = (userId: string) => (d: Y.Doc) => setThreadStatus(d, 't1', 'resolved', null, { userId })
    expect(verdicts(commentsShapeChecker, base(), resolve('zx'), 'zx', 'consultant').incremental).toEqual([])
    expect(verdicts(commentsShapeChecker, base(), resolve('fin'), 'fin', 'finance').incremental).toEqual([])
    expect(verdicts(commentsShapeChecker, base(), resolve('dep'), 'dep', 'department').incremental[0]?.message).toBe('只有财政局和第三方机构可以将意见标记为已解决或重新打开')
    expect(verdicts(commentsShapeChecker, base(), resolve('fin'), 'zx', 'consultant').incremental[0]?.message).toBe('解决人必须是当前用户')
    // a thread cannot be born resolved or answered
    const born = (d: Y.Doc) => {
      addThread(d, { id: 't9', anchor: {}, round: 1, authorId: 'dep', text: '自问自答' })
      setThreadStatus(d, 't9', 'resolved')
    }
    const doc = base()
    const { tr, copy } = tryOn(doc, (d) => d.transact(() => born(d)))
    expect(commentsShapeChecker.incremental(copy, tr!, { actorId: 'dep', role: 'department' })[0]?.message).toBe('新意见必须是未解决、未答复的状态')
  })
})
