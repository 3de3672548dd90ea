// The life of a document without sockets: group commit (one write per document per turn), stored
// before broadcast, retries that keep every update, de-duplicated loads, debounced compaction that
// retries and unloads after its last store, and shutdown flushing everything.
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as decoding from 'lib0/decoding'
import { rowIds, setRowField, tableRoot, toYDoc } from '../../shared/ydoc/index.ts'
import { Committer } from '../../server/collab/commit.ts'
import { createMemoryPersistence, type DocPersistence } from '../../server/collab/persistence.ts'
import { RoomRegistry, DEFAULT_TIMINGS, type Timings } from '../../server/collab/registry.ts'
import { tableShapeChecker } from '../../server/collab/table-shape.ts'
import { commentsShapeChecker } from '../../server/collab/comments-shape.ts'
import { silentLog } from '../../server/collab/log.ts'
import type { ClientOrigin, Room, RoomConn } from '../../server/collab/room.ts'
import { sampleTable } from '../helpers/collab-fixtures.ts'
import { sleep, waitFor } from '../helpers/collab-clients.ts'

function fakeConn(id: number, actorId = `u${id}`): RoomConn & { frames: Uint8Array[] } {
  const conn = {
    id,
    actorId,
    actorRole: 'department' as const,
    access: 'write' as const,
    wantsFindings: false,
    awarenessIds: new Set<number>(),
    frames: [] as Uint8Array[],
    origin: null as unknown as ClientOrigin,
    send(frame: Uint8Array) {
      conn.frames.push(frame)
    },
  }
  conn.origin = { kind: 'client', conn }
  return conn
}

/** Persistence whose calls are counted and can be made to fail or wait. */
function instrumented(base = createMemoryPersistence()) {
  /** append: updates per write (either method); appendMany: the documents of each multi-document write */
  const calls = { load: 0, append: [] as number[], appendMany: [] as string[][], compact: 0 }
  const control = { failAppends: 0, failCompacts: 0, compactMs: 0, appendGate: null as Promise<void> | null, failCalls: new Set<number>() }
  let appendManyCalls = 0
  const p: DocPersistence = {
    async load(t, r) {
      calls.load++
      await sleep(20)
      return base.load(t, r)
    },
    async append(t, r, items) {
      calls.append.push(items.length)
      if (control.appendGate) await control.appendGate
      if (control.failAppends > 0) {
        control.failAppends--
        throw new Error('connection refused')
      }
      return base.append(t, r, items)
    },
    async appendMany(items) {
      const call = appendManyCalls++
      calls.append.push(items.length)
      calls.appendMany.push([...new Set(items.map((it) => `${it.tableId}/${it.room}`))])
      if (control.appendGate) await control.appendGate
      if (control.failCalls.has(call)) throw new Error('connection reset')
      if (control.failAppends > 0) {
        control.failAppends--
        throw new Error('connection refused')
      }
      const ids: number[] = []
      for (const it of items) ids.push(...(await base.append(it.tableId, it.room, [it])))
      return ids
    },
    async compact(t, r, s, up) {
      calls.compact++
      if (control.compactMs) await sleep(control.compactMs)
      if (control.failCompacts > 0) {
        control.failCompacts--
        throw new Error('disk full')
      }
      return base.compact(t, r, s, up)
    },
  }
  return { p, base, calls, control }
}

const FAST: Timings = { ...DEFAULT_TIMINGS, storeWaitMs: 30, storeMaxMs: 120, settleMs: 10, settleMaxMs: 50, storeRetryMinMs: 20, storeRetryMaxMs: 50 }

function setup(timings: Timings = FAST, opts: { ordered?: boolean } = {}) {
  const inst = instrumented()
  // ordered: overlapping writes settle in call order (the gate releases waiting calls first in, first out)
  if (opts.ordered) inst.p.ordered = true
  const committer = new Committer({ persistence: inst.p, log: silentLog, retryMinMs: 10, retryMaxMs: 40, paceMsPerReceiver: timings.paceMsPerReceiver, paceMaxMs: timings.paceMaxMs, paceMinReceivers: timings.paceMinReceivers })
  const registry = new RoomRegistry({ persistence: inst.p, committer, checkers: { table: tableShapeChecker, comments: commentsShapeChecker }, log: silentLog, timings })
  return { ...inst, committer, registry }
}

async function seeded(base: ReturnType<typeof createMemoryPersistence>, tableId = 't1') {
  await base.append(tableId, 'table', [{ update: Y.encodeStateAsUpdate(toYDoc(sampleTable())), userId: null }])
}

/** The seeded table t1, loaded, with two editors attached (fakeConn 1 and 2). */
async function openRoom(s: ReturnType<typeof setup>) {
  await seeded(s.base)
  const room = await s.registry.acquire('t1', 'table')
  const [a, b] = [fakeConn(1), fakeConn(2)]
  room.addConnection(a)
  room.addConnection(b)
  return { room, a, b }
}

/** `n` updates a client would send: each sets one target. */
function edits(room: Room, n: number): Uint8Array[] {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(room.doc))
  const out: Uint8Array[] = []
  doc.on('update', (u: Uint8Array) => out.push(u))
  const id = rowIds(doc, 'indicators')[0]!
  for (let i = 0; i < n; i++) setRowField(doc, 'indicators', id, 'target', `v${i}`)
  return out
}

/** What a client holds after receiving `frames` (sync step 2 and update messages; the rest ignored). */
function replay(frames: readonly Uint8Array[]): Y.Doc {
  const doc = new Y.Doc()
  for (const f of frames) {
    const d = decoding.createDecoder(f)
    if (decoding.readVarUint(d) !== 0) continue // not a sync message
    const step = decoding.readVarUint(d)
    if (step === 1 || step === 2) Y.applyUpdate(doc, decoding.readVarUint8Array(d))
  }
  return doc
}

const target = (doc: Y.Doc) => (tableRoot(doc).get('indicators') as Y.Array<Y.Map<unknown>>).get(0).get('target')

describe('collaboration pipeline', () => {
  it('stores the updates of one turn in one write, and broadcasts them only once stored', async () => {
    const s = setup()
    const { base, calls, control, committer } = s
    const { room, a, b } = await openRoom(s)
    const framesBefore = b.frames.length
    let open!: () => void
    control.appendGate = new Promise((r) => (open = r))
    for (const u of edits(room, 50)) expect(room.receiveUpdate(a, u)).toEqual({ ok: true, stored: true })
    await sleep(20)
    expect(calls.append).toEqual([50])
    expect(b.frames.length).toBe(framesBefore) // not stored yet: nobody has seen it
    // nor does a client that joins now: its sync answer holds the unstored edits, so it waits for them
    const c = fakeConn(3)
    room.addConnection(c)
    const joined = c.frames.length
    room.answerStep1(c, Y.encodeStateVector(new Y.Doc()))
    expect(c.frames.length).toBe(joined)
    open()
    await committer.idle()
    expect(b.frames.length).toBe(framesBefore + 1) // the stored batch goes out as one merged update
    expect(a.frames.length).toBe(framesBefore) // no echo to the sender
    expect(target(room.doc)).toBe('v49')
    expect(c.frames.length).toBe(joined + 2) // the batch, and the held answer
    expect(target(replay(c.frames))).toBe('v49')
    expect(base.docs.get('t1/table')!.log.slice(-50).every((e) => e.userId === 'u1')).toBe(true)
  })

  it('sends a batch with several authors whole to everyone (one merged frame), and a one-author batch to the others', async () => {
    const { base, registry, committer } = setup()
    await seeded(base)
    const room = await registry.acquire('t1', 'table')
    const [a, b, c] = [fakeConn(1), fakeConn(2), fakeConn(3)]
    for (const x of [a, b, c]) room.addConnection(x)
    const before = [a, b, c].map((x) => x.frames.length)
    const replica = () => {
      const d = new Y.Doc()
      Y.applyUpdate(d, Y.encodeStateAsUpdate(room.doc))
      return d
    }
    const [da, db] = [replica(), replica()]
    const sent = (d: Y.Doc, field: string, value: string) => {
      let u!: Uint8Array
      d.once('update', (x: Uint8Array) => (u = x))
      setRowField(d, 'indicators', rowIds(d, 'indicators')[0]!, field, value)
      return u
    }
    room.receiveUpdate(a, sent(da, 'target', 'from a'))
    room.receiveUpdate(b, sent(db, 'unit', 'from b'))
    await committer.idle()
    // what reached each connection after the edits, as text (the values are ASCII inside the update bytes)
    const text = (x: ReturnType<typeof fakeConn>, i: number) => x.frames.slice(before[i]!).map((f) => Buffer.from(f).toString('latin1')).join('')
    for (const [x, i] of [[a, 0], [b, 1], [c, 2]] as const) {
      expect(x.frames.length - before[i]!).toBe(1)
      expect(text(x, i)).toContain('from a')
      expect(text(x, i)).toContain('from b')
    }
  })

  it('stores the updates of several documents from one turn in one write', async () => {
    const { base, calls, registry, committer } = setup()
    await seeded(base, 't1')
    await seeded(base, 't2')
    const [r1, r2] = await Promise.all([registry.acquire('t1', 'table'), registry.acquire('t2', 'table')])
    const a = fakeConn(1)
    const b = fakeConn(2)
    r1.addConnection(a)
    r2.addConnection(b)
    calls.append.length = 0
    for (const u of edits(r1, 3)) r1.receiveUpdate(a, u)
    for (const u of edits(r2, 4)) r2.receiveUpdate(b, u)
    await committer.idle()
    expect(calls.appendMany).toEqual([['t1/table', 't2/table']])
    expect(calls.append).toEqual([7])
    expect([target(r1.doc), target(r2.doc)]).toEqual(['v2', 'v3'])
    expect(r2.storedUpToId).toBeGreaterThan(r1.storedUpToId)
  })

  it('keeps one write in flight; what arrives meanwhile from any room rides the next one', async () => {
    const { base, calls, control, registry, committer } = setup()
    for (const t of ['t1', 't2', 't3']) await seeded(base, t)
    const rooms = await Promise.all(['t1', 't2', 't3'].map((t) => registry.acquire(t, 'table')))
    const conns = rooms.map((r, i) => {
      const c = fakeConn(i + 1)
      r.addConnection(c)
      return c
    })
    calls.appendMany.length = 0
    let open!: () => void
    control.appendGate = new Promise((r) => (open = r))
    for (const u of edits(rooms[0]!, 2)) rooms[0]!.receiveUpdate(conns[0]!, u)
    await sleep(10) // the first write is now in flight, held by the gate
    for (const u of edits(rooms[1]!, 2)) rooms[1]!.receiveUpdate(conns[1]!, u)
    const late = new Y.Doc()
    Y.applyUpdate(late, Y.encodeStateAsUpdate(rooms[0]!.doc))
    late.on('update', (u: Uint8Array) => rooms[0]!.receiveUpdate(conns[0]!, u))
    setRowField(late, 'indicators', rowIds(late, 'indicators')[0]!, 'unit', 'late')
    for (const u of edits(rooms[2]!, 1)) rooms[2]!.receiveUpdate(conns[2]!, u)
    await sleep(10)
    expect(calls.appendMany).toEqual([['t1/table']])
    control.appendGate = null
    open()
    await committer.idle()
    expect(calls.appendMany.map((docs) => [...docs].sort())).toEqual([['t1/table'], ['t1/table', 't2/table', 't3/table']])
    expect(rooms.map((r) => target(r.doc))).toEqual(['v1', 'v1', 'v0'])
    expect((tableRoot(rooms[0]!.doc).get('indicators') as Y.Array<Y.Map<unknown>>).get(0).get('unit')).toBe('late')
  })

  it('keeps every update through failed writes and stores them in order once the database is back', async () => {
    const s = setup()
    const { base, calls, control, committer } = s
    const { room, a } = await openRoom(s)
    control.failAppends = 3
    const ups = edits(room, 20)
    for (const u of ups.slice(0, 10)) room.receiveUpdate(a, u)
    await sleep(15)
    for (const u of ups.slice(10)) room.receiveUpdate(a, u)
    await committer.idle()
    expect(calls.append.length).toBeGreaterThanOrEqual(4)
    expect(target(room.doc)).toBe('v19')
    const reloaded = new Y.Doc()
    const stored = await base.load('t1', 'table')
    if (stored.snapshot) Y.applyUpdate(reloaded, stored.snapshot)
    for (const u of stored.updates) Y.applyUpdate(reloaded, u)
    expect(target(reloaded)).toBe('v19')
  })

  it('pipelines writes when the persistence keeps their order, and applies them in the order sent', async () => {
    const s = setup(FAST, { ordered: true })
    const { base, calls, control, committer } = s
    const { room, a, b } = await openRoom(s)
    const before = b.frames.length
    let open!: () => void
    control.appendGate = new Promise((r) => (open = r))
    const ups = edits(room, 6)
    for (const u of ups.slice(0, 3)) room.receiveUpdate(a, u)
    await sleep(10)
    for (const u of ups.slice(3)) room.receiveUpdate(a, u)
    await sleep(10)
    // the second write went out while the first was still in flight; nobody has seen either
    expect(calls.append.slice(-2)).toEqual([3, 3])
    expect(b.frames.length).toBe(before)
    control.appendGate = null
    open()
    await committer.idle()
    expect(b.frames.length).toBe(before + 2)
    expect(target(room.doc)).toBe('v5')
    expect(room.pending).toEqual([])
    expect(room.storedUpToId).toBe(Math.max(...base.docs.get('t1/table')!.log.map((e) => e.id)))
  })

  it('retries a failed pipelined write after a later one was stored: nothing lost, nothing left pending', async () => {
    // no compaction within the test (FAST would compact 30 ms after the last store, and on a busy machine
    // that can come before the load below, which then finds a snapshot instead of the 1 + 8 appended updates)
    const s = setup({ ...FAST, storeWaitMs: 60_000, storeMaxMs: 120_000 }, { ordered: true })
    const { base, calls, control, committer } = s
    const { room, a, b } = await openRoom(s)
    let open!: () => void
    control.appendGate = new Promise((r) => (open = r))
    control.failCalls.add(calls.appendMany.length) // the first write of this test fails…
    const ups = edits(room, 8)
    for (const u of ups.slice(0, 4)) room.receiveUpdate(a, u)
    await sleep(10)
    for (const u of ups.slice(4)) room.receiveUpdate(a, u) // …after the second was sent
    await sleep(10)
    control.appendGate = null
    open()
    await sleep(1)
    // the later batch is stored and sent (b's Yjs holds it until the earlier edits it builds on arrive);
    // the failed one waits for its retry (10 ms), still pending
    expect(replay(b.frames.slice(b.frames.length - 1)).store.pendingStructs).not.toBeNull()
    expect(room.pending).toEqual(ups.slice(0, 4))
    await committer.idle()
    expect(calls.appendMany.length).toBeGreaterThanOrEqual(3) // failed, stored, the retry
    expect(room.pending).toEqual([])
    // every update is stored: a fresh load has them all, and so has the room and what b received
    const stored = await base.load('t1', 'table')
    expect(stored.updates.length).toBeGreaterThanOrEqual(1 + 8)
    const reloaded = new Y.Doc()
    for (const u of stored.updates) Y.applyUpdate(reloaded, u)
    expect(target(reloaded)).toBe('v7')
    expect(target(room.doc)).toBe('v7')
    expect(Y.encodeStateVector(room.doc)).toEqual(Y.encodeStateVector(reloaded))
    // the room claims exactly what it holds: every stored id up to its bound is in its doc
    expect(room.storedUpToId).toBe(Math.max(...base.docs.get('t1/table')!.log.map((e) => e.id)))
  })

  it('accepts into an empty table room only an update that makes it a whole valid table', async () => {
    const { registry, committer } = setup()
    const room = await registry.acquire('empty', 'table')
    const a = fakeConn(1)
    room.addConnection(a)
    const partial = new Y.Doc()
    partial.getMap('table').set('kind', 'project')
    expect(room.receiveUpdate(a, Y.encodeStateAsUpdate(partial)).ok).toBe(false)
    expect(room.receiveUpdate(a, Y.encodeStateAsUpdate(toYDoc(sampleTable())))).toEqual({ ok: true, stored: true })
    await committer.idle()
    expect(tableRoot(room.doc).get('kind')).toBe('project')
  })

  it('paces the writes of a room with many receivers, so its edits share a statement and a broadcast', async () => {
    const writesFor = async (receivers: number, timings = FAST) => {
      const s = setup(timings, { ordered: true })
      const { room, a } = await openRoom(s)
      for (let i = 3; i <= receivers; i++) room.addConnection(fakeConn(i))
      const ups = edits(room, 4)
      const start = s.calls.append.length
      room.receiveUpdate(a, ups[0]!)
      await new Promise((r) => setImmediate(r)) // the first edit goes out at once
      for (const u of ups.slice(1)) {
        room.receiveUpdate(a, u)
        await new Promise((r) => setImmediate(r)) // each in a turn of its own
      }
      await s.committer.idle()
      expect(target(room.doc)).toBe('v3')
      return s.calls.append.slice(start)
    }
    // 2 receivers: nothing to gain, every turn's edit is written at once
    expect(await writesFor(2)).toEqual([1, 1, 1, 1])
    // 100 receivers: the next write waits (100 × the per-receiver pace) after the first, so the next three share
    // one. The pace is widened here (2 ms per receiver, at most 200 ms) so that three event-loop turns on a loaded
    // machine never outlast the window — with the default 4 ms they sometimes did, and the edits split [1, 2, 1].
    expect(await writesFor(100, { ...FAST, paceMsPerReceiver: 2, paceMaxMs: 200 })).toEqual([1, 3])
    // below paceMinReceivers (default 64) there is no pacing, however wide: 50 receivers' edits go out at once
    expect(DEFAULT_TIMINGS.paceMinReceivers).toBe(64)
    expect(await writesFor(50, { ...FAST, paceMsPerReceiver: 2, paceMaxMs: 200 })).toEqual([1, 1, 1, 1])
    // … and the threshold is a setting: from 0, the same 50 receivers are paced
    expect(await writesFor(50, { ...FAST, paceMsPerReceiver: 2, paceMaxMs: 200, paceMinReceivers: 0 })).toEqual([1, 3])
    // the pacing is a timing: off (paceMaxMs 0), every turn's edit is written at once whatever the fan-out
    expect(await writesFor(100, { ...FAST, paceMaxMs: 0 })).toEqual([1, 1, 1, 1])
  })

  it('undoes refused updates exactly, with edits still unstored, before and after the kept bytes were re-encoded', async () => {
    const s = setup()
    const { control, committer } = s
    const { room, a, b } = await openRoom(s)
    let open!: () => void
    control.appendGate = new Promise((r) => (open = r))
    // edits, all unstored, on both sides of a re-encoding of the kept bytes (a compaction does one)
    const ups = edits(room, 300)
    for (const u of ups.slice(0, 200)) expect(room.receiveUpdate(a, u)).toEqual({ ok: true, stored: true })
    room.encodeState()
    for (const u of ups.slice(200)) expect(room.receiveUpdate(a, u)).toEqual({ ok: true, stored: true })
    const before = Y.encodeStateAsUpdate(room.doc)
    // b (a stale copy of the table) sets a target to a number: refused, the doc rebuilt without it
    const stale = new Y.Doc()
    Y.applyUpdate(stale, before)
    let bad: Uint8Array | null = null
    stale.on('update', (u: Uint8Array) => (bad = u))
    ;(tableRoot(stale).get('indicators') as Y.Array<Y.Map<unknown>>).get(0).set('target', 42)
    expect(room.receiveUpdate(b, bad!).ok).toBe(false)
    expect(Y.encodeStateAsUpdate(room.doc)).toEqual(before)
    expect(target(room.doc)).toBe('v299')
    // and again, on the rebuilt doc
    expect(room.receiveUpdate(b, bad!).ok).toBe(false)
    expect(Y.encodeStateAsUpdate(room.doc)).toEqual(before)
    expect(room.valid).toBe(true)
    // the room goes on accepting edits on the rebuilt doc, and everything reaches storage
    const more = edits(room, 1)
    expect(room.receiveUpdate(a, more[0]!).ok).toBe(true)
    control.appendGate = null
    open()
    await committer.idle()
    expect(room.pending).toEqual([])
    const stored = await s.base.load('t1', 'table') // a compaction may have run meanwhile
    const reloaded = new Y.Doc()
    for (const u of [...(stored.snapshot ? [stored.snapshot] : []), ...stored.updates]) Y.applyUpdate(reloaded, u)
    expect(target(reloaded)).toBe('v0')
    expect(Y.encodeStateVector(reloaded)).toEqual(Y.encodeStateVector(room.doc))
  })

  it('keeps nothing of a server change that throws halfway', async () => {
    const { base, registry, committer } = setup()
    await seeded(base)
    const room = await registry.acquire('t1', 'table')
    await expect(
      room.change((doc) => {
        setRowField(doc, 'indicators', rowIds(doc, 'indicators')[0]!, 'target', 'half done')
        throw new Error('boom')
      }, null),
    ).rejects.toThrow('boom')
    await room.change((doc) => setRowField(doc, 'indicators', rowIds(doc, 'indicators')[1]!, 'unit', 'after'), null)
    await committer.idle()
    expect(target(room.doc)).not.toBe('half done')
    expect((tableRoot(room.doc).get('indicators') as Y.Array<Y.Map<unknown>>).get(1).get('unit')).toBe('after')
  })

  it('stores a big update as what it changed: text hidden in a deleted row is not kept', async () => {
    const s = setup()
    const { base, committer } = s
    const { room, a, b } = await openRoom(s)
    const stale = new Y.Doc()
    Y.applyUpdate(stale, Y.encodeStateAsUpdate(room.doc))
    const deleting = new Y.Doc()
    Y.applyUpdate(deleting, Y.encodeStateAsUpdate(room.doc))
    deleting.once('update', (u: Uint8Array) => room.receiveUpdate(b, u))
    ;(tableRoot(deleting).get('indicators') as Y.Array<unknown>).delete(0, 1)
    await committer.idle()
    let big!: Uint8Array
    stale.once('update', (u: Uint8Array) => (big = u))
    ;(tableRoot(stale).get('indicators') as Y.Array<Y.Map<unknown>>).get(0).set('remark', 'x'.repeat(40_000))
    expect(big.byteLength).toBeGreaterThan(40_000)
    expect(room.receiveUpdate(a, big)).toEqual({ ok: true, stored: true })
    await committer.idle()
    const log = base.docs.get('t1/table')!.log
    const stored = log[log.length - 1]!.update
    expect(stored.byteLength).toBeLessThan(1000)
  })

  it('loads a room once however many ask at the same time', async () => {
    const { base, calls, registry } = setup()
    await seeded(base)
    const rooms = await Promise.all(Array.from({ length: 10 }, () => registry.acquire('t1', 'table')))
    expect(new Set(rooms).size).toBe(1)
    expect(calls.load).toBe(1)
    expect(rooms[0]!.refs).toBe(10)
  })

  it('compacts at most storeMaxMs after the first change even while edits keep coming', async () => {
    const { base, calls, registry } = setup()
    await seeded(base)
    const room = await registry.acquire('t1', 'table')
    const a = fakeConn(1)
    room.addConnection(a)
    const ups = edits(room, 12)
    const t0 = Date.now()
    for (const u of ups) {
      room.receiveUpdate(a, u)
      await sleep(20)
    }
    // edits every 20 ms never leave 30 ms of quiet: only the 120 ms ceiling can trigger a store
    expect(calls.compact).toBeGreaterThanOrEqual(1)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(120)
    await waitFor(() => base.docs.get('t1/table')!.log.length === 0, 2000)
    expect(calls.compact).toBeLessThan(6)
  })

  it('does not compact again at once when edits arrive during a compaction', async () => {
    const { base, calls, control, registry } = setup({ ...FAST, storeWaitMs: 40, storeMaxMs: 150 })
    control.compactMs = 30 // a store that takes a while, as on a real database
    await seeded(base)
    const room = await registry.acquire('t1', 'table')
    const a = fakeConn(1)
    room.addConnection(a)
    const ups = edits(room, 60)
    for (const u of ups) {
      room.receiveUpdate(a, u)
      await sleep(10) // never 40 ms of quiet: only the 150 ms ceiling stores
    }
    // 600 ms of edits: a ceiling every ~150 ms allows 4–5 stores, not one per batch
    expect(calls.compact).toBeGreaterThanOrEqual(2)
    expect(calls.compact).toBeLessThanOrEqual(6)
  })

  it('retries a failed compaction with the document kept in memory, then unloads it', async () => {
    const { base, calls, control, registry, committer } = setup()
    await seeded(base)
    const room = await registry.acquire('t1', 'table')
    const a = fakeConn(1)
    room.addConnection(a)
    for (const u of edits(room, 3)) room.receiveUpdate(a, u)
    await committer.idle()
    control.failCompacts = 2
    room.removeConnection(a)
    registry.release(room) // last client gone: store now
    await sleep(30)
    expect(registry.get('t1', 'table')).toBe(room) // failed store: still loaded
    await waitFor(() => registry.get('t1', 'table') === undefined, 2000)
    expect(calls.compact).toBe(3)
    const stored = await base.load('t1', 'table')
    expect(stored.updates).toEqual([])
    const doc = new Y.Doc()
    Y.applyUpdate(doc, stored.snapshot!)
    expect(target(doc)).toBe('v2')
  })

  it('flushes queued updates and compacts every room on shutdown', async () => {
    const { base, control, registry } = setup({ ...FAST, storeWaitMs: 60_000, storeMaxMs: 60_000 })
    await seeded(base)
    const room = await registry.acquire('t1', 'table')
    const a = fakeConn(1)
    room.addConnection(a)
    control.failAppends = 1
    for (const u of edits(room, 5)) room.receiveUpdate(a, u)
    await registry.shutdown()
    expect(registry.rooms.size).toBe(0)
    const stored = await base.load('t1', 'table')
    expect(stored.updates).toEqual([])
    const doc = new Y.Doc()
    Y.applyUpdate(doc, stored.snapshot!)
    expect(target(doc)).toBe('v4')
  })

  it('settles rooms that come due together one per event-loop turn, so sockets are served in between', async () => {
    const inst = instrumented()
    const committer = new Committer({ persistence: inst.p, log: silentLog })
    let turn = 0
    const settled: { tableId: string; turn: number }[] = []
    const registry = new RoomRegistry({
      persistence: inst.p,
      committer,
      checkers: { table: tableShapeChecker, comments: commentsShapeChecker },
      log: silentLog,
      timings: { ...FAST, settleMs: 20, settleMaxMs: 40 },
      onSettled: (tableId) => {
        settled.push({ tableId, turn })
        setImmediate(() => turn++) // runs before the next turn's work: each settle sees a new number
      },
    })
    const ids = ['t1', 't2', 't3', 't4']
    for (const id of ids) await seeded(inst.base, id)
    const rooms = await Promise.all(ids.map((id) => registry.acquire(id, 'table')))
    await waitFor(() => settled.length === ids.length) // the settle after each load
    settled.length = 0
    // one change in every room, stored in one write: their settle timers are armed in the same turn
    await Promise.all(rooms.map((room) => room.change((doc) => setRowField(doc, 'indicators', rowIds(doc, 'indicators')[0]!, 'remark', '同时到期'), null)))
    await waitFor(() => settled.length === ids.length)
    expect(settled.map((s) => s.tableId).sort()).toEqual(ids)
    expect(new Set(settled.map((s) => s.turn)).size).toBe(ids.length)
    await registry.shutdown()
  })
})
