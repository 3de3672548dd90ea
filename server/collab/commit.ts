// Group commit: accepted updates wait for the end of the event-loop turn, then the batches of every
// document are appended to the update log in one write (per document when the persistence cannot);
// only after it is stored is an update broadcast by its room and published to other processes.
// A failed write keeps the batch and retries with backoff; while the database is away, what waits is
// held within bounds per room and overall (HoldLimits), past which new updates are refused (full()).
// In relay mode (`durability: 'relay'`) each turn broadcasts its rooms' batches first; the write that
// appends them follows at most one per `relayWriteGapMs` (what later turns accept rides it): nobody waits
// for the database, and a crash loses only what no connected client holds.
import { createHistogram } from 'node:perf_hooks'
import type { DocPersistence } from './persistence.ts'
import type { ClientOrigin, Room } from './room.ts'
import type { CollabLog } from './log.ts'

interface Item {
  update: Uint8Array
  userId: string | null
  origin: ClientOrigin | 'server'
  /** performance.now() when queued (stats: how long updates wait for storage) */
  at: number
  /** only for callers that wait (server changes): a promise per keystroke is garbage the GC pays for */
  waiter?: { resolve(): void; reject(err: unknown): void }
}

/** One write of a room's batch; settled once the database answers. */
interface Flight {
  batch: Item[]
  ids: number[] | null
  error: unknown
  settled: boolean
  /** part of a write for several documents (a permanent refusal must be retried document by document) */
  shared: boolean
}

interface RoomQueue {
  room: Room
  items: Item[]
  /** updates and bytes of this room waiting for storage (queued or in flight) */
  held: number
  heldBytes: number
  /** writes on their way, oldest first; applied and broadcast strictly in this order */
  flights: Flight[]
  retryTimer: NodeJS.Timeout | null
  failures: number
  /** the next write must be for this document alone (after a permanent refusal of a shared write) */
  alone: boolean
  /** relay mode: accepted updates not yet broadcast, in the order accepted (sent at the next turn) */
  outbox: Item[]
}

/**
 * 'store-first' (the default): an update is broadcast once the write that appends it has committed, so a
 * crash of this process loses nothing anyone has seen. 'relay': it is broadcast at the end of the
 * event-loop turn that accepted it, and appended by the next write, at most `relayWriteGapMs` later; a
 * crash loses only the updates not yet written or still in flight, and of those only what no connected
 * client holds (y-websocket clients send what the server lacks when they reconnect). See README.md →
 * Durability.
 */
export type Durability = 'store-first' | 'relay'
export const DURABILITIES: readonly Durability[] = ['store-first', 'relay']

/**
 * How much may wait for storage (the database is away or slow) before new updates are refused: per
 * room, so one busy table cannot take everything, and overall, so memory stays bounded.
 */
export interface HoldLimits {
  roomUpdates: number
  roomBytes: number
  totalUpdates: number
  totalBytes: number
}

export const DEFAULT_HOLD_LIMITS: HoldLimits = Object.freeze({
  roomUpdates: 20_000,
  roomBytes: 16 * 1024 * 1024,
  totalUpdates: 200_000,
  totalBytes: 64 * 1024 * 1024,
})

/** Which bound an update would cross (what the refusal names). */
export type HoldBound = keyof HoldLimits

export interface CommitterOptions {
  persistence: DocPersistence
  log: CollabLog
  /** after a batch is stored and broadcast: publish it (merged; id of its last update) to other processes */
  onStored?(room: Room, update: Uint8Array, id: number): void
  /** a write failed for good (the table is gone): the room must close */
  onLost?(room: Room, err: unknown): void
  /** bounds of what may wait for storage (default DEFAULT_HOLD_LIMITS) */
  holdLimits?: Partial<HoldLimits>
  retryMinMs?: number
  retryMaxMs?: number
  /** pacing (see scheduleTurn; default DEFAULT_PACING): wait per receiver of the last write's biggest broadcast, and at most */
  paceMsPerReceiver?: number
  paceMaxMs?: number
  /** pacing starts at this many receivers of the last broadcast (fewer: the next write goes out at once) */
  paceMinReceivers?: number
  /**
   * relay mode: a write is sent at least this long after the previous one (default DEFAULT_RELAY_WRITE_GAP_MS;
   * 0: every turn). Broadcasts do not wait for it; it only lets more updates share a statement.
   */
  relayWriteGapMs?: number
  /** default 'store-first' */
  durability?: Durability
}

/**
 * Pacing under load: after a write, the next waits 40 µs per receiver of its biggest broadcast (five
 * times the ≈ 8 µs a socket write costs here), at most 4 ms; paceMaxMs 0 turns it off. Only from 64
 * receivers: below that a broadcast's socket writes (≈ 0.4 ms for 50) cost less than the wait adds —
 * 50 editors, store-first, same run: p50 2.16 → 1.22 ms, p99 10.3 → 8.1 ms, CPU equal (bench/README.md).
 */
export const DEFAULT_PACING = Object.freeze({ paceMsPerReceiver: 0.04, paceMaxMs: 4, paceMinReceivers: 64 })

/**
 * Relay mode writes at most every 10 ms: nobody waits for a relay write, so each statement may carry what
 * several turns accepted. 50 editors at 10 edits/s: 8 340–8 600 statements for 10 000 updates every turn,
 * 1 900 with the gap; fewer statements are less of this process's CPU (the driver) and of PostgreSQL's on
 * the same cores, and the p99 fell with them (bench/README.md → relay write gap). What a crash can lose grows
 * from one turn's write to one gap's, still only what no connected client holds.
 */
export const DEFAULT_RELAY_WRITE_GAP_MS = 10

/** Writers are told their edits are not saved yet once this share of a hold bound is reached. */
const WARN_FRACTION = 0.5

/** Writes in flight at once when the persistence stores overlapping writes in call order. */
const MAX_PIPELINED_WRITES = 4
/** At most this much in one write (within one statement of the persistence: 5 000 rows, 16 MiB). */
const MAX_WRITE_ITEMS = 4000
const MAX_WRITE_BYTES = 8 * 1024 * 1024

export class Committer {
  private readonly queues = new Map<Room, RoomQueue>()
  private readonly ready = new Set<RoomQueue>()
  private turnScheduled = false
  /** when the last write was sent, and the most sockets one of its broadcasts goes to (pacing) */
  private lastSentAt = -Infinity
  private lastFanout = 0
  private statementsInFlight = 0
  private queuedBytes = 0
  private queuedUpdates = 0
  private readonly holdLimits: HoldLimits
  /** relay mode: rooms with updates to broadcast at the next turn */
  private readonly relayReady = new Set<RoomQueue>()
  readonly relay: boolean
  /** relay mode: the least time between two writes, when the last was sent, and the timer of the next */
  private readonly relayWriteGapMs: number
  private lastWriteAt = -Infinity
  private writeTimer: NodeJS.Timeout | null = null
  private idleWaiters: (() => void)[] = []
  /** told of every failed write that will be retried (the database monitor hears of an outage at once) */
  readonly failureListeners = new Set<(err: unknown) => void>()
  private readonly maxInFlight: number
  private readonly pacing: { paceMsPerReceiver: number; paceMaxMs: number; paceMinReceivers: number }
  readonly counters = { batches: 0, statements: 0, updates: 0, failures: 0, bytes: 0 }
  /** store round trips in µs (stats: p50/p99 since the last reset) */
  readonly storeMicros = createHistogram()
  /** queued → stored and broadcast, per update, in µs */
  readonly holdMicros = createHistogram()

  constructor(private readonly opts: CommitterOptions) {
    this.maxInFlight = opts.persistence.appendMany && opts.persistence.ordered ? MAX_PIPELINED_WRITES : 1
    this.holdLimits = { ...DEFAULT_HOLD_LIMITS, ...opts.holdLimits }
    this.relay = opts.durability === 'relay'
    this.relayWriteGapMs = this.relay ? (opts.relayWriteGapMs ?? DEFAULT_RELAY_WRITE_GAP_MS) : 0
    this.pacing = {
      paceMsPerReceiver: opts.paceMsPerReceiver ?? DEFAULT_PACING.paceMsPerReceiver,
      paceMaxMs: opts.paceMaxMs ?? DEFAULT_PACING.paceMaxMs,
      paceMinReceivers: opts.paceMinReceivers ?? DEFAULT_PACING.paceMinReceivers,
    }
  }

  /** True while so much waits for storage overall that new updates must be turned away. */
  get overloaded(): boolean {
    return this.queuedBytes >= this.holdLimits.totalBytes || this.queuedUpdates >= this.holdLimits.totalUpdates
  }

  /**
   * The bound an update of `bytes` for `room` would cross, or null when it may be held. Checked before
   * an update is applied: a refused one is not taken at all (its sender keeps it and sends it again).
   */
  full(room: Room, bytes: number): HoldBound | null {
    const l = this.holdLimits
    const q = this.queues.get(room)
    if (q && q.held + 1 > l.roomUpdates) return 'roomUpdates'
    if (q && q.heldBytes + bytes > l.roomBytes) return 'roomBytes'
    if (this.queuedUpdates + 1 > l.totalUpdates) return 'totalUpdates'
    if (this.queuedBytes + bytes > l.totalBytes) return 'totalBytes'
    return null
  }

  /**
   * True once what `room` holds unstored (or what the server holds) has reached `fraction` of a bound:
   * its writers are told their edits are not saved yet, before the bound refuses them (connection.ts).
   */
  nearlyFull(room: Room, fraction = WARN_FRACTION): boolean {
    const l = this.holdLimits
    const q = this.queues.get(room)
    if (q && (q.held >= l.roomUpdates * fraction || q.heldBytes >= l.roomBytes * fraction)) return true
    return this.queuedUpdates >= l.totalUpdates * fraction || this.queuedBytes >= l.totalBytes * fraction
  }

  /** the bounds in force (stats, tests) */
  get limits(): Readonly<HoldLimits> {
    return this.holdLimits
  }

  /** what waits for storage now: updates and bytes, overall and in the fullest room */
  get holding(): { updates: number; bytes: number; roomUpdates: number; roomBytes: number } {
    let roomUpdates = 0
    let roomBytes = 0
    for (const q of this.queues.values()) {
      roomUpdates = Math.max(roomUpdates, q.held)
      roomBytes = Math.max(roomBytes, q.heldBytes)
    }
    return { updates: this.queuedUpdates, bytes: this.queuedBytes, roomUpdates, roomBytes }
  }

  /** True while updates of `room` wait for storage (the room must stay loaded). */
  holds(room: Room): boolean {
    return this.queues.has(room)
  }

  get queued(): number {
    let n = 0
    for (const q of this.queues.values()) {
      n += q.items.length
      for (const f of q.flights) n += f.batch.length
    }
    return n
  }

  /** Queues an update for storage; with `wait`, returns a promise that settles once it is stored. */
  enqueue(room: Room, update: Uint8Array, userId: string | null, origin: ClientOrigin | 'server', wait = false): Promise<void> | void {
    let q = this.queues.get(room)
    if (!q) this.queues.set(room, (q = { room, items: [], held: 0, heldBytes: 0, flights: [], retryTimer: null, failures: 0, alone: false, outbox: [] }))
    const item: Item = { update, userId, origin, at: performance.now() }
    const done = wait ? new Promise<void>((resolve, reject) => (item.waiter = { resolve, reject })) : undefined
    q.items.push(item)
    q.held++
    q.heldBytes += update.byteLength
    this.queuedUpdates++
    this.queuedBytes += update.byteLength
    if (this.relay) {
      // broadcast at the next turn even while the room's writes back off or the pipeline is full
      q.outbox.push(item)
      this.relayReady.add(q)
      if (q.retryTimer) this.scheduleTurn()
    }
    if (!q.retryTimer) this.markReady(q)
    return done
  }

  /** Resolves when nothing waits for storage (shutdown, tests). */
  idle(): Promise<void> {
    if (this.queues.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /** Retries now instead of after the backoff, and sends a relay write that waits for its gap (shutdown). */
  retryNow(): void {
    if (this.writeTimer) {
      clearTimeout(this.writeTimer)
      this.writeTimer = null
      this.lastWriteAt = -Infinity
      this.scheduleTurn()
    }
    for (const q of this.queues.values()) {
      if (q.retryTimer) {
        clearTimeout(q.retryTimer)
        q.retryTimer = null
        this.markReady(q)
      }
    }
  }

  /** Gives up on what is still queued (shutdown after its deadline); the clients still hold those edits. */
  abandon(reason: Error): void {
    if (this.writeTimer) clearTimeout(this.writeTimer)
    this.writeTimer = null
    for (const q of this.queues.values()) {
      if (q.retryTimer) clearTimeout(q.retryTimer)
      for (const f of q.flights) for (const it of f.batch) it.waiter?.reject(reason)
      for (const it of q.items) it.waiter?.reject(reason)
      q.items = []
      q.flights = []
      this.sendOutbox(q) // relay: whatever was accepted is still sent to the room's clients, who keep it
    }
    this.relayReady.clear()
    this.queues.clear()
    this.queuedBytes = 0
    this.queuedUpdates = 0
    this.notifyIdle()
  }

  private markReady(q: RoomQueue): void {
    this.ready.add(q)
    this.scheduleTurn()
  }

  private scheduleTurn(): void {
    if (this.turnScheduled) return
    this.turnScheduled = true
    // WATCH OUT: setImmediate, not queueMicrotask: it runs after every socket message read in this
    // turn, which is what makes many small updates share one write.
    // Under load the next write also waits a little (≤ 4 ms) after the last one, in proportion to how
    // many sockets the last one's biggest broadcast went to: every write is a statement for PostgreSQL
    // and a broadcast (one socket write per receiver, most of this server's CPU), so fewer, fuller
    // writes leave both time to spare (100 editors: half the writes, a third less CPU; bench/README.md).
    // A quiet room's edit goes out at once.
    const { paceMaxMs, paceMsPerReceiver, paceMinReceivers } = this.pacing
    const wait = this.lastFanout < paceMinReceivers ? 0 : Math.min(paceMaxMs, this.lastFanout * paceMsPerReceiver) - (performance.now() - this.lastSentAt)
    if (wait > 0.25) setTimeout(() => this.turn(), wait)
    else setImmediate(() => this.turn())
  }

  /**
   * Group commit: whatever is ready this turn, from any room, goes out in one write. When the
   * persistence keeps overlapping writes in call order (one pipelined connection), up to
   * MAX_PIPELINED_WRITES are in flight, so an update does not wait for the write before it to come
   * back; otherwise one at a time, and batches grow under load instead of the number of writes.
   */
  private turn(): void {
    this.turnScheduled = false
    if (this.relay) this.relayTurn()
    this.writeTurn()
  }

  /** The write part of a turn (alone when a relay write's gap is over: broadcasts keep their own pace). */
  private writeTurn(): void {
    const { appendMany } = this.opts.persistence
    if (appendMany && this.statementsInFlight >= this.maxInFlight) return // rescheduled when a write comes back
    if (this.relayWriteGapMs > 0) {
      // relay: the broadcasts went out above; the write waits for its gap, gathering what later turns accept
      if (this.writeTimer) return
      const wait = this.lastWriteAt + this.relayWriteGapMs - performance.now()
      if (wait > 0.25) {
        this.writeTimer = setTimeout(() => {
          this.writeTimer = null
          this.writeTurn()
        }, wait)
        return
      }
    }
    const pipelined = this.maxInFlight > 1
    const ready = [...this.ready].filter((q) => q.items.length > 0 && !q.retryTimer && (pipelined || q.flights.length === 0))
    this.ready.clear()
    // each room on its own without appendMany, or after a permanent refusal of a shared write (q.alone)
    for (const q of ready) if (!appendMany || q.alone) void this.write([q], false)
    const shared = appendMany ? ready.filter((q) => !q.alone) : []
    if (shared.length) void this.write(shared, shared.length > 1)
  }

  /**
   * Relay mode, at the start of a turn: every room's accepted updates go to its clients now, before the
   * write that appends them is sent (this turn's or a later one's: writeTurn waits for the write gap and
   * for room in the pipeline). It never waits for the database: a stalled or failing log holds the room's
   * writes, not its broadcasts; what the log holds is bounded by `full()`.
   */
  private relayTurn(): void {
    if (this.relayReady.size === 0) return
    const rooms = [...this.relayReady]
    this.relayReady.clear()
    let fanout = 0
    for (const q of rooms) {
      if (q.outbox.length === 0) continue
      fanout = Math.max(fanout, q.room.conns.size)
      this.sendOutbox(q)
    }
    // pacing follows the broadcasts here (they are the socket writes it spares), not the writes
    this.lastSentAt = performance.now()
    this.lastFanout = fanout
  }

  private sendOutbox(q: RoomQueue): void {
    if (q.outbox.length === 0) return
    const batch = q.outbox
    q.outbox = []
    try {
      q.room.broadcastBatch(batch)
    } catch (err) {
      this.opts.log.error('collab.relay.failed', { room: q.room.key, error: String(err) })
    }
  }

  /** Stores the queued updates of `qs` in one write; each room's batch becomes a flight. */
  private async write(qs: RoomQueue[], shared: boolean): Promise<void> {
    // WATCH OUT: one write must fit in one statement of the persistence (MAX_WRITE_*): a write split in
    // two could interleave with a pipelined one, and ids would no longer rise from flight to flight.
    const budget = { items: MAX_WRITE_ITEMS, bytes: MAX_WRITE_BYTES }
    const flights: Flight[] = []
    const rooms: RoomQueue[] = []
    for (const q of qs) {
      if (budget.items <= 0 || budget.bytes <= 0) {
        this.ready.add(q) // next turn
        continue
      }
      let n = 0
      while (n < q.items.length && (n === 0 || (budget.items > 0 && budget.bytes >= q.items[n]!.update.byteLength))) {
        budget.items--
        budget.bytes -= q.items[n]!.update.byteLength
        n++
      }
      const f: Flight = { batch: q.items.slice(0, n), ids: null, error: null, settled: false, shared }
      q.items = q.items.slice(n)
      q.alone = false
      q.flights.push(f)
      flights.push(f)
      rooms.push(q)
    }
    qs = rooms
    if (this.ready.size) this.scheduleTurn() // rooms left for the next write
    this.statementsInFlight++
    const t0 = performance.now()
    this.lastWriteAt = t0
    if (!this.relay) {
      this.lastSentAt = t0
      // the biggest room sets the pace: waiting lets its edits share a broadcast, while a write for many
      // small rooms (200 tables × 5 editors) gains nothing from waiting (its rooms' next edits are far apart)
      this.lastFanout = 0
      for (const q of qs) this.lastFanout = Math.max(this.lastFanout, q.room.conns.size)
    }
    try {
      let ids: number[]
      if (qs.length === 1 && !this.opts.persistence.appendMany) {
        const { room } = qs[0]!
        ids = await this.opts.persistence.append(room.tableId, room.kind, flights[0]!.batch.map((it) => ({ update: it.update, userId: it.userId })))
      } else {
        const flat = qs.flatMap((q, i) => flights[i]!.batch.map((it) => ({ tableId: q.room.tableId, room: q.room.kind, update: it.update, userId: it.userId })))
        ids = await this.opts.persistence.appendMany!(flat)
      }
      this.recordRoundTrip(t0)
      const expected = flights.reduce((n, f) => n + f.batch.length, 0)
      if (ids.length !== expected) throw new Error(`append returned ${ids.length} ids for ${expected} updates`)
      let at = 0
      for (const f of flights) {
        f.ids = ids.slice(at, at + f.batch.length)
        at += f.batch.length
        f.settled = true
      }
    } catch (err) {
      this.counters.failures++
      for (const f of flights) {
        f.error = err
        f.settled = true
      }
    } finally {
      this.statementsInFlight--
    }
    for (const q of qs) this.drain(q)
    if (this.ready.size) this.scheduleTurn()
  }

  /**
   * Applies the room's settled flights in the order they were sent. A failed flight's updates go back
   * to the front of the queue: a later flight that was stored meanwhile is still applied (its ids are
   * lower than the retry's, so what the room holds stays "every stored id up to the last applied").
   */
  private drain(q: RoomQueue): void {
    const failed: Flight[] = []
    while (q.flights[0]?.settled) {
      const f = q.flights.shift()!
      if (f.ids) this.complete(q, f.batch, f.ids)
      else failed.push(f)
    }
    if (failed.length) this.failed(q, failed)
    if (q.items.length === 0 && q.flights.length === 0 && !q.retryTimer) {
      if (this.queues.get(q.room) === q) this.queues.delete(q.room)
      this.notifyIdle()
    } else if (q.items.length && !q.retryTimer) this.markReady(q)
  }

  private failed(q: RoomQueue, flights: Flight[]): void {
    const { room } = q
    const err = flights[flights.length - 1]!.error
    const batch = flights.flatMap((f) => f.batch)
    q.items = batch.concat(q.items)
    if (flights.some((f) => f.shared) && isPermanent(err)) {
      // A refusal that is about one document (its table deleted, an author deleted) must not hold back
      // the others: each document of that write is written on its own to find it.
      q.alone = true
      return
    }
    if (isMissingUser(err)) {
      // The author's account was deleted meanwhile: keep the edits, drop the attribution.
      this.opts.log.warn('collab.store.user-gone', { room: room.key, updates: batch.length })
      for (const it of batch) it.userId = null
      return
    }
    if (isPermanent(err)) {
      this.opts.log.error('collab.store.lost', { room: room.key, updates: q.items.length, error: String(err) })
      for (const it of q.items) this.settle(q, it, err)
      q.items = []
      for (const f of q.flights) for (const it of f.batch) this.settle(q, it, err)
      q.flights = []
      this.queues.delete(room)
      this.opts.onLost?.(room, err)
      return
    }
    this.retryLater(q, err)
  }

  private recordRoundTrip(t0: number): void {
    this.counters.statements++
    this.storeMicros.record(Math.max(1, Math.round((performance.now() - t0) * 1000)))
  }

  private retryLater(q: RoomQueue, err: unknown): void {
    q.failures++
    const wait = Math.min(this.opts.retryMaxMs ?? 5000, (this.opts.retryMinMs ?? 100) * 2 ** (q.failures - 1))
    this.opts.log.warn('collab.store.retry', { room: q.room.key, updates: q.items.length, attempt: q.failures, waitMs: wait, error: String(err) })
    for (const l of this.failureListeners) l(err)
    if (q.retryTimer) clearTimeout(q.retryTimer)
    q.retryTimer = setTimeout(() => {
      q.retryTimer = null
      if (q.items.length) this.markReady(q)
      else this.drain(q)
    }, wait)
    q.retryTimer.unref?.()
  }

  /**
   * The batch is stored: now its room broadcasts it (relay: it already did) and it is published to other
   * processes, in order.
   */
  private complete(q: RoomQueue, batch: Item[], ids: number[]): void {
    const { room } = q
    q.failures = 0
    this.counters.batches++
    const lastId = ids[ids.length - 1]!
    try {
      const merged = this.relay ? room.markStored(batch, lastId, this.opts.onStored !== undefined) : room.broadcastStored(batch, lastId)
      if (merged) this.opts.onStored?.(room, merged, lastId)
    } catch (err) {
      this.opts.log.error('collab.apply.failed', { room: room.key, error: String(err) })
    }
    const now = performance.now()
    for (const it of batch) {
      this.holdMicros.record(Math.max(1, Math.round((now - it.at) * 1000)))
      this.counters.updates++
      this.counters.bytes += it.update.byteLength
      this.release(q, it)
      it.waiter?.resolve()
    }
  }

  private settle(q: RoomQueue, it: Item, err: unknown): void {
    this.release(q, it)
    it.waiter?.reject(err)
  }

  /** `it` no longer waits for storage */
  private release(q: RoomQueue, it: Item): void {
    q.held--
    q.heldBytes -= it.update.byteLength
    this.queuedUpdates--
    this.queuedBytes -= it.update.byteLength
  }

  private notifyIdle(): void {
    if (this.queues.size !== 0) return
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const w of waiters) w()
  }
}

/** Storage refused the write for a reason a retry cannot fix (the table was deleted, bad input). */
function isPermanent(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return code === 'not_found' || code === 'invalid_input'
}

function isMissingUser(err: unknown): boolean {
  const e = err as { code?: unknown; details?: { constraint?: unknown } } | null
  return e?.code === 'invalid_input' && e.details?.constraint === 'doc_updates_user_id_users_id_fk'
}
