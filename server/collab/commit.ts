// Group commit: accepted updates wait for the end of the event-loop turn, then the batches of every
// document are appended to the update log in one write (per document when the persistence cannot);
// only after it is stored is an update applied to the room's durable doc, broadcast and published.
// A failed write keeps the batch and retries with backoff.
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

interface RoomQueue {
  room: Room
  items: Item[]
  inFlight: boolean
  retryTimer: NodeJS.Timeout | null
  failures: number
}

export interface CommitterOptions {
  persistence: DocPersistence
  log: CollabLog
  /** after a batch is stored and applied: publish it (merged; id of its last update) to other processes */
  onStored?(room: Room, update: Uint8Array, id: number): void
  /** a write failed for good (the table is gone): the room must close */
  onLost?(room: Room, err: unknown): void
  /** queued bytes beyond which new updates are turned away (the database is down or slow) */
  maxQueuedBytes?: number
  retryMinMs?: number
  retryMaxMs?: number
}

export class Committer {
  private readonly queues = new Map<Room, RoomQueue>()
  private readonly ready = new Set<RoomQueue>()
  private turnScheduled = false
  private statementsInFlight = 0
  private queuedBytes = 0
  private idleWaiters: (() => void)[] = []
  readonly counters = { batches: 0, statements: 0, updates: 0, failures: 0, bytes: 0, storeMs: 0, maxStoreMs: 0 }
  /** store round trips in µs (stats: p50/p99 since the last reset) */
  readonly storeMicros = createHistogram()
  /** queued → stored and broadcast, per update, in µs */
  readonly holdMicros = createHistogram()

  constructor(private readonly opts: CommitterOptions) {}

  /** True while so much waits for storage that new updates must be turned away. */
  get overloaded(): boolean {
    return this.queuedBytes > (this.opts.maxQueuedBytes ?? 64 * 1024 * 1024)
  }

  /** True while updates of `room` wait for storage (the room must stay loaded). */
  holds(room: Room): boolean {
    return this.queues.has(room)
  }

  get queued(): number {
    let n = 0
    for (const q of this.queues.values()) n += q.items.length
    return n
  }

  /** Queues an update for storage; `wait` returns a promise that settles once it is stored. */
  enqueue(room: Room, update: Uint8Array, userId: string | null, origin: ClientOrigin | 'server', wait?: false): void
  enqueue(room: Room, update: Uint8Array, userId: string | null, origin: ClientOrigin | 'server', wait: true): Promise<void>
  enqueue(room: Room, update: Uint8Array, userId: string | null, origin: ClientOrigin | 'server', wait = false): Promise<void> | void {
    let q = this.queues.get(room)
    if (!q) this.queues.set(room, (q = { room, items: [], inFlight: false, retryTimer: null, failures: 0 }))
    const item: Item = { update, userId, origin, at: performance.now() }
    const done = wait ? new Promise<void>((resolve, reject) => (item.waiter = { resolve, reject })) : undefined
    q.items.push(item)
    this.queuedBytes += update.byteLength
    if (!q.inFlight && !q.retryTimer) this.markReady(q)
    return done
  }

  /** Resolves when nothing waits for storage (shutdown, tests). */
  idle(): Promise<void> {
    if (this.queues.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /** Retries now instead of after the backoff (shutdown). */
  retryNow(): void {
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
    for (const q of this.queues.values()) {
      if (q.retryTimer) clearTimeout(q.retryTimer)
      for (const it of q.items) it.waiter?.reject(reason)
      q.items = []
    }
    this.queues.clear()
    this.queuedBytes = 0
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
    setImmediate(() => this.turn())
  }

  private turn(): void {
    this.turnScheduled = false
    if (this.opts.persistence.appendMany) {
      // Classic group commit: one statement in flight; whatever arrives meanwhile, from any room, rides
      // the next one. Under load the batches grow instead of the number of statements.
      if (this.statementsInFlight > 0) return
      const ready = [...this.ready].filter((q) => !q.inFlight && !q.retryTimer && q.items.length)
      this.ready.clear()
      if (ready.length === 0) return
      this.statementsInFlight++
      void this.flushMany(ready).finally(() => {
        this.statementsInFlight--
        if (this.ready.size) this.scheduleTurn()
      })
      return
    }
    const ready = [...this.ready].filter((q) => !q.inFlight && !q.retryTimer && q.items.length)
    this.ready.clear()
    for (const q of ready) void this.flushOne(q)
  }

  private take(q: RoomQueue): Item[] {
    q.inFlight = true
    const batch = q.items
    q.items = []
    return batch
  }

  /** One write for every document with updates this turn. */
  private async flushMany(qs: RoomQueue[]): Promise<void> {
    const batches = qs.map((q) => this.take(q))
    const flat = qs.flatMap((q, i) => batches[i]!.map((it) => ({ tableId: q.room.tableId, room: q.room.kind, update: it.update, userId: it.userId })))
    let ids: number[]
    const t0 = performance.now()
    try {
      ids = await this.opts.persistence.appendMany!(flat)
      this.timed(t0)
      if (ids.length !== flat.length) throw new Error(`append returned ${ids.length} ids for ${flat.length} updates`)
    } catch (err) {
      this.counters.failures++
      qs.forEach((q, i) => {
        q.items = batches[i]!.concat(q.items)
        q.inFlight = false
      })
      // A refusal that is about one document (its table deleted, an author deleted) must not hold back
      // the others: write each document on its own to find it. An outage: everyone waits and retries.
      if (isPermanent(err)) for (const q of qs) void this.flushOne(q)
      else for (const q of qs) this.retryLater(q, err)
      return
    }
    let at = 0
    qs.forEach((q, i) => {
      const batch = batches[i]!
      this.complete(q, batch, ids.slice(at, at + batch.length))
      at += batch.length
    })
  }

  private async flushOne(q: RoomQueue): Promise<void> {
    const batch = this.take(q)
    const { room } = q
    let ids: number[]
    const t0 = performance.now()
    try {
      ids = await this.opts.persistence.append(room.tableId, room.kind, batch.map((it) => ({ update: it.update, userId: it.userId })))
      this.timed(t0)
      if (ids.length !== batch.length) throw new Error(`append returned ${ids.length} ids for ${batch.length} updates`)
    } catch (err) {
      q.inFlight = false
      this.counters.failures++
      if (isMissingUser(err)) {
        // The author's account was deleted meanwhile: keep the edits, drop the attribution.
        this.opts.log.warn('collab.store.user-gone', { room: room.key, updates: batch.length })
        for (const it of batch) it.userId = null
        q.items = batch.concat(q.items)
        this.markReady(q)
        return
      }
      if (isPermanent(err)) {
        this.opts.log.error('collab.store.lost', { room: room.key, updates: batch.length + q.items.length, error: String(err) })
        for (const it of batch) this.settle(it, err)
        for (const it of q.items) this.settle(it, err)
        q.items = []
        this.queues.delete(q.room)
        this.opts.onLost?.(room, err)
        this.notifyIdle()
        return
      }
      q.items = batch.concat(q.items)
      this.retryLater(q, err)
      return
    }
    this.complete(q, batch, ids)
  }

  private timed(t0: number): void {
    const ms = performance.now() - t0
    this.counters.statements++
    this.counters.storeMs += ms
    this.storeMicros.record(Math.max(1, Math.round(ms * 1000)))
    if (ms > this.counters.maxStoreMs) this.counters.maxStoreMs = ms
  }

  private retryLater(q: RoomQueue, err: unknown): void {
    q.failures++
    const wait = Math.min(this.opts.retryMaxMs ?? 5000, (this.opts.retryMinMs ?? 100) * 2 ** (q.failures - 1))
    this.opts.log.warn('collab.store.retry', { room: q.room.key, updates: q.items.length, attempt: q.failures, waitMs: wait, error: String(err) })
    q.retryTimer = setTimeout(() => {
      q.retryTimer = null
      this.markReady(q)
    }, wait)
    q.retryTimer.unref?.()
  }

  /** The batch is stored: now apply it to the durable doc (which broadcasts it) and publish it, in order. */
  private complete(q: RoomQueue, batch: Item[], ids: number[]): void {
    const { room } = q
    q.failures = 0
    this.counters.batches++
    const lastId = ids[ids.length - 1]!
    try {
      const merged = room.applyCommitted(batch, lastId)
      if (merged) this.opts.onStored?.(room, merged, lastId)
    } catch (err) {
      this.opts.log.error('collab.apply.failed', { room: room.key, error: String(err) })
    }
    const now = performance.now()
    for (const it of batch) {
      this.holdMicros.record(Math.max(1, Math.round((now - it.at) * 1000)))
      this.counters.updates++
      this.counters.bytes += it.update.byteLength
      this.queuedBytes -= it.update.byteLength
      it.waiter?.resolve()
    }
    q.inFlight = false
    if (q.items.length) this.markReady(q)
    else {
      this.queues.delete(room)
      this.notifyIdle()
    }
  }

  private settle(it: Item, err: unknown): void {
    this.queuedBytes -= it.update.byteLength
    it.waiter?.reject(err)
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
