// Relay mode (DURABILITY=relay) without sockets: the turn that accepts updates broadcasts them before
// their write comes back; they are stored in the order accepted; a write that fails or hangs holds the
// log, never the broadcasts, within the hold bound (writers are told at half of it, refused past it);
// a refused update reaches nobody and is not stored, exactly as in store-first.
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as decoding from 'lib0/decoding'
import { rowIds, setRowField, tableRoot, toYDoc } from '../../shared/ydoc/index.ts'
import { Committer, type HoldLimits } from '../../server/collab/commit.ts'
import { createMemoryPersistence, type DocPersistence } from '../../server/collab/persistence.ts'
import { RoomRegistry, DEFAULT_TIMINGS, type Timings } from '../../server/collab/registry.ts'
import { tableShapeChecker } from '../../server/collab/table-shape.ts'
import { commentsShapeChecker } from '../../server/collab/comments-shape.ts'
import { silentLog } from '../../server/collab/log.ts'
import type { ClientOrigin, Room, RoomConn } from '../../server/collab/room.ts'
import { sampleTable } from '../helpers/collab-fixtures.ts'
import { sleep } from '../helpers/collab-clients.ts'

function fakeConn(id: number): RoomConn & { frames: Uint8Array[] } {
  const conn = {
    id,
    actorId: `u${id}`,
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

// no compaction while a test reads the log (it is not the subject here)
const FAST: Timings = { ...DEFAULT_TIMINGS, storeWaitMs: 60_000, storeMaxMs: 60_000, settleMs: 10, settleMaxMs: 50, storeRetryMinMs: 20, storeRetryMaxMs: 50, paceMaxMs: 0 }

/** A relay committer over a memory log whose writes can be held (gate), made to fail, and counted. */
// relayWriteGapMs 0 (a write every turn) unless a test is about the gap: the others count writes per turn
async function setup(holdLimits?: Partial<HoldLimits>, relayWriteGapMs = 0) {
  const base = createMemoryPersistence()
  const calls = { append: [] as number[] }
  const control = { gate: null as Promise<void> | null, fail: 0 }
  const p: DocPersistence = {
    load: (t, r) => base.load(t, r),
    append: (t, r, items) => base.append(t, r, items),
    async appendMany(items) {
      calls.append.push(items.length)
      if (control.gate) await control.gate
      if (control.fail > 0) {
        control.fail--
        throw new Error('connection refused')
      }
      const ids: number[] = []
      for (const it of items) ids.push(...(await base.append(it.tableId, it.room, [it])))
      return ids
    },
    ordered: true,
    compact: (t, r, s, up) => base.compact(t, r, s, up),
  }
  const committer = new Committer({ persistence: p, log: silentLog, retryMinMs: 10, retryMaxMs: 40, paceMaxMs: 0, holdLimits, durability: 'relay', relayWriteGapMs })
  const registry = new RoomRegistry({ persistence: p, committer, checkers: { table: tableShapeChecker, comments: commentsShapeChecker }, log: silentLog, timings: FAST })
  await base.append('t1', 'table', [{ update: Y.encodeStateAsUpdate(toYDoc(sampleTable())), userId: null }])
  const room = await registry.acquire('t1', 'table')
  const [a, b] = [fakeConn(1), fakeConn(2)]
  room.addConnection(a)
  room.addConnection(b)
  return { base, calls, control, committer, registry, room, a, b }
}

/** `n` updates a client would send: each sets the first indicator's target. */
function edits(room: Room, n: number, from = 0): Uint8Array[] {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(room.doc))
  const out: Uint8Array[] = []
  doc.on('update', (u: Uint8Array) => out.push(u))
  const id = rowIds(doc, 'indicators')[0]!
  for (let i = from; i < from + n; i++) setRowField(doc, 'indicators', id, 'target', `v${i}`)
  return out
}

/** What a client holds after receiving `frames` on top of `start` (sync step 2 and updates). */
function replay(frames: readonly Uint8Array[], start?: Uint8Array): Y.Doc {
  const doc = new Y.Doc()
  if (start) Y.applyUpdate(doc, start)
  for (const f of frames) {
    const d = decoding.createDecoder(f)
    if (decoding.readVarUint(d) !== 0) continue
    const step = decoding.readVarUint(d)
    if (step === 1 || step === 2) Y.applyUpdate(doc, decoding.readVarUint8Array(d))
  }
  return doc
}

const target = (doc: Y.Doc) => (tableRoot(doc).get('indicators') as Y.Array<Y.Map<unknown>>).get(0).get('target')
const turn = () => new Promise((r) => setImmediate(r))

describe('relay mode', () => {
  it('broadcasts a turn’s updates before their write comes back, answers a sync at once, and stores them in the order accepted', async () => {
    const { base, calls, control, committer, room, a, b } = await setup()
    const start = Y.encodeStateAsUpdate(room.doc)
    const before = b.frames.length
    let open!: () => void
    control.gate = new Promise((r) => (open = r))
    const ups = edits(room, 50)
    for (const u of ups) expect(room.receiveUpdate(a, u)).toEqual({ ok: true, stored: true })
    expect(b.frames.length).toBe(before) // not within the turn that accepted them…
    await turn()
    await turn()
    // …but at its end, as one merged update, while their write is still in flight
    expect(calls.append).toEqual([50])
    expect(b.frames.length).toBe(before + 1)
    expect(a.frames.length).toBe(before) // no echo to the sender
    expect(target(replay(b.frames.slice(before), start))).toBe('v49')
    expect(room.pending).toHaveLength(50)
    // a client joining now is answered at once, unstored edits included
    const c = fakeConn(3)
    room.addConnection(c)
    const joined = c.frames.length
    room.answerStep1(c, Y.encodeStateVector(new Y.Doc()))
    expect(c.frames.length).toBe(joined + 1)
    expect(target(replay(c.frames))).toBe('v49')
    // a read that must not show unstored edits still waits for the log
    let read = false
    void room.whenStored().then(() => (read = true))
    await sleep(10)
    expect(read).toBe(false)
    open()
    await committer.idle()
    expect(read).toBe(true)
    expect(room.pending).toEqual([])
    const log = base.docs.get('t1/table')!.log
    expect(log.slice(-50).map((e) => e.update)).toEqual(ups) // in the order accepted
    expect(room.storedUpToId).toBe(log[log.length - 1]!.id)
    expect(b.frames.length).toBe(before + 1) // storing sends nothing more
  })

  it('with a write gap, broadcasts every turn at once while the turns within the gap share one write, in order; shutdown sends a waiting write at once', async () => {
    const GAP = 250 // far more than the 20 turns below take, even on a loaded machine
    const { base, calls, committer, room, a, b } = await setup(undefined, GAP)
    const start = Y.encodeStateAsUpdate(room.doc)
    const before = b.frames.length
    const ups = edits(room, 10)
    const t0 = performance.now()
    for (const [i, u] of ups.entries()) {
      expect(room.receiveUpdate(a, u)).toEqual({ ok: true, stored: true })
      await turn()
      await turn()
      expect(b.frames.length).toBe(before + i + 1) // this turn's update is out, whatever the log does
    }
    const spent = performance.now() - t0
    expect(spent).toBeLessThan(GAP) // (the loop above takes a few turns, far less than the gap)
    expect(calls.append).toEqual([1]) // the first went at once (no write before it); the other nine wait for the gap
    await committer.idle()
    expect(performance.now() - t0).toBeGreaterThanOrEqual(GAP - 1)
    expect(calls.append).toEqual([1, 9])
    expect(target(replay(b.frames.slice(before), start))).toBe('v9')
    const log = base.docs.get('t1/table')!.log
    expect(log.slice(-10).map((e) => e.update)).toEqual(ups)

    // a write waiting for its gap at shutdown is sent now, not after the gap
    const more = edits(room, 3, 10)
    for (const u of more) room.receiveUpdate(a, u)
    await turn()
    await turn()
    expect(calls.append).toEqual([1, 9]) // waiting: the last write was just now
    const t1 = performance.now()
    committer.retryNow()
    await committer.idle()
    expect(performance.now() - t1).toBeLessThan(GAP / 2)
    expect(calls.append).toEqual([1, 9, 3])
    expect(base.docs.get('t1/table')!.log.slice(-3).map((e) => e.update)).toEqual(more)
  })

  it('keeps broadcasting while the log does not answer, holds within the bound, tells at half of it and refuses past it; then stores everything in order', async () => {
    const ROOM = 30
    const { base, calls, control, committer, room, a, b } = await setup({ roomUpdates: ROOM })
    const start = Y.encodeStateAsUpdate(room.doc)
    const before = b.frames.length
    let open!: () => void
    control.gate = new Promise((r) => (open = r)) // PostgreSQL stops answering
    const ups = edits(room, ROOM + 5)
    let taken = 0
    for (const u of ups) {
      if (committer.nearlyFull(room) && taken < ROOM / 2) throw new Error(`told at ${taken}, before half the bound`)
      if (committer.full(room, u.byteLength)) break // what connection.ts checks: the writer is refused (1013)
      room.receiveUpdate(a, u)
      taken++
      await turn()
      await turn()
    }
    expect(taken).toBe(ROOM)
    expect(committer.nearlyFull(room)).toBe(true)
    expect(committer.full(room, 10)).toBe('roomUpdates')
    expect(committer.holding.roomUpdates).toBe(ROOM)
    // four writes hang in the pipeline; the room kept serving: b saw every accepted edit, one turn at a time
    expect(calls.append.length).toBe(4)
    expect(b.frames.length - before).toBe(ROOM)
    expect(target(replay(b.frames.slice(before), start))).toBe(`v${ROOM - 1}`)
    open() // PostgreSQL answers again
    await committer.idle()
    expect(committer.full(room, 10)).toBeNull()
    expect(base.docs.get('t1/table')!.log.slice(-ROOM).map((e) => e.update)).toEqual(ups.slice(0, ROOM))
    expect(b.frames.length - before).toBe(ROOM) // nothing sent twice
  })

  it('retries a failed write without broadcasting it again, and loses nothing', async () => {
    const { base, control, committer, room, a, b } = await setup()
    const before = b.frames.length
    control.fail = 3
    const ups = edits(room, 10)
    for (const u of ups.slice(0, 5)) room.receiveUpdate(a, u)
    await sleep(5)
    for (const u of ups.slice(5)) room.receiveUpdate(a, u)
    await committer.idle()
    expect(b.frames.length - before).toBe(2)
    const log = base.docs.get('t1/table')!.log
    expect(log.slice(-10).map((e) => e.update)).toEqual(ups)
    expect(room.storedUpToId).toBe(log[log.length - 1]!.id)
  })

  it('lets nobody see a refused update and stores none of it, like store-first', async () => {
    const { base, committer, room, a, b } = await setup()
    const start = Y.encodeStateAsUpdate(room.doc)
    const before = b.frames.length
    const [ok] = edits(room, 1)
    expect(room.receiveUpdate(a, ok!).ok).toBe(true)
    // a number where the schema wants text, in the same turn as the accepted edit
    const bad = new Y.Doc()
    Y.applyUpdate(bad, Y.encodeStateAsUpdate(room.doc))
    let badUpdate!: Uint8Array
    bad.once('update', (u: Uint8Array) => (badUpdate = u))
    setRowField(bad, 'indicators', rowIds(bad, 'indicators')[0]!, 'target', 5)
    expect(room.receiveUpdate(a, badUpdate).ok).toBe(false)
    await committer.idle()
    expect(b.frames.length - before).toBe(1)
    expect(target(replay(b.frames.slice(before), start))).toBe('v0')
    expect(target(room.doc)).toBe('v0')
    const loaded = await base.load('t1', 'table')
    const stored = new Y.Doc()
    for (const u of [loaded.snapshot, ...loaded.updates]) if (u) Y.applyUpdate(stored, u)
    expect(target(stored)).toBe('v0')
  })
})
