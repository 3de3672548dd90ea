// The loaded documents: de-duplicated loads (one promise per room), debounced compaction into a
// snapshot (2 s after the last change, 10 s at most, at once when the last client leaves), unload after
// the last store, the `onSettled` hook that lets the app recompute findings, and shutdown.
import * as Y from 'yjs'
import type { TargetTable } from '../../shared/model/index.ts'
import { fromYDoc, readThreads, type CommentThread } from '../../shared/ydoc/index.ts'
import type { DocBus } from './bus.ts'
import { DEFAULT_PACING, DEFAULT_RELAY_WRITE_GAP_MS, type Committer } from './commit.ts'
import type { CollabLog } from './log.ts'
import type { DocPersistence } from './persistence.ts'
import { Room, roomKey, type Origin, type RoomKind } from './room.ts'
import type { ShapeChecker } from './shape.ts'
import type { JournalChange } from './journal.ts'

export interface Timings {
  /** compaction waits this long after the last change… */
  storeWaitMs: number
  /** …but no longer than this after the first unstored change */
  storeMaxMs: number
  /** findings are recomputed once changes have settled this long… */
  settleMs: number
  /** …or at the latest this long after the first unsettled change */
  settleMaxMs: number
  /** a document with no clients stays loaded this long after its last store */
  idleUnloadMs: number
  storeRetryMinMs: number
  storeRetryMaxMs: number
  /** pacing of update-log writes under load: the next write waits this long per receiver of the last one's biggest broadcast… */
  paceMsPerReceiver: number
  /** …but no longer than this (0: no pacing) */
  paceMaxMs: number
  /** …and only once the last broadcast went to at least this many sockets */
  paceMinReceivers: number
  /** relay mode: the least time between two update-log writes (broadcasts do not wait for them; 0: every turn) */
  relayWriteGapMs: number
}

export const DEFAULT_TIMINGS: Timings = Object.freeze({
  storeWaitMs: 2000,
  storeMaxMs: 10_000,
  settleMs: 400,
  settleMaxMs: 2000,
  idleUnloadMs: 0,
  storeRetryMinMs: 500,
  storeRetryMaxMs: 30_000,
  ...DEFAULT_PACING,
  relayWriteGapMs: DEFAULT_RELAY_WRITE_GAP_MS,
})

/**
 * `version`: the highest stored update id the settled document holds (see DocLogRepository.version);
 * `changes`: what changed since the previous settle (or the load), each with who made it (journal.ts)
 */
export type SettledHook = (tableId: string, content: TargetTable, version: number, changes: JournalChange[]) => unknown

export interface RegistryOptions {
  persistence: DocPersistence
  committer: Committer
  checkers: Record<RoomKind, ShapeChecker>
  log: CollabLog
  timings: Timings
  bus?: DocBus
  onSettled?: SettledHook
  /** a comments room settled (and once after its load): its threads, e.g. to keep the open count */
  onCommentsSettled?: (tableId: string, threads: CommentThread[]) => unknown
}

/** Per-room bookkeeping of the store (compaction) and settle schedules. */
interface Schedule {
  dirtySince: number | null
  lastChange: number
  lastSettleChange: number
  /** bumped on every change; a store only clears `dirtySince` if nothing changed meanwhile */
  changes: number
  storeTimer: NodeJS.Timeout | null
  storing: Promise<void> | null
  storeFailures: number
  compactedUpTo: number
  settleTimer: NodeJS.Timeout | null
  settleSince: number | null
  unloadTimer: NodeJS.Timeout | null
}

export class RoomRegistry {
  readonly rooms = new Map<string, Room>()
  /** loads in progress, with how many acquirers wait for each (they become the room's first refs) */
  private readonly loading = new Map<string, { promise: Promise<Room>; waiters: number }>()
  private readonly schedules = new Map<Room, Schedule>()
  /** rooms whose findings are due, settled one per event-loop turn (see queueSettle) */
  private readonly settleQueue = new Set<Room>()
  private settleDraining = false
  private closing = false
  readonly counters = { loads: 0, unloads: 0, stores: 0, storeFailures: 0, settles: 0 }

  constructor(private readonly opts: RegistryOptions) {
    opts.bus?.onReconnect(() => void this.resyncAll())
  }

  /** Re-reads every loaded room from storage (after the bus missed messages); applying is idempotent. */
  async resyncAll(): Promise<void> {
    for (const room of [...this.rooms.values()]) {
      try {
        const stored = await this.opts.persistence.load(room.tableId, room.kind)
        if (this.rooms.get(room.key) !== room) continue
        if (stored.snapshot) room.applyRemote(stored.snapshot)
        if (stored.updates.length) room.applyRemote(Y.mergeUpdates(stored.updates))
      } catch (err) {
        this.opts.log.warn('collab.resync.failed', { room: room.key, error: String(err) })
      }
    }
  }

  /** rooms being loaded right now */
  get loadingCount(): number {
    return this.loading.size
  }

  get(tableId: string, kind: RoomKind): Room | undefined {
    return this.rooms.get(roomKey(tableId, kind))
  }

  /** The room, loaded once however many ask at the same time; counts a reference until `release`. */
  async acquire(tableId: string, kind: RoomKind): Promise<Room> {
    const key = roomKey(tableId, kind)
    const loaded = this.rooms.get(key)
    if (loaded) {
      loaded.refs++
      this.cancelUnload(loaded)
      return loaded
    }
    let entry = this.loading.get(key)
    if (!entry) {
      const e = { promise: null as unknown as Promise<Room>, waiters: 0 }
      e.promise = this.load(tableId, kind, e).finally(() => this.loading.delete(key))
      this.loading.set(key, (entry = e))
    }
    entry.waiters++
    return entry.promise
  }

  release(room: Room): void {
    room.refs = Math.max(0, room.refs - 1)
    if (room.refs === 0 && this.rooms.get(room.key) === room) this.storeNow(room)
  }

  /** Runs `fn` on the document as the server (stored and broadcast like any edit); resolves once stored. */
  async change(tableId: string, kind: RoomKind, fn: (doc: Y.Doc) => void, userId: string | null): Promise<void> {
    const room = await this.acquire(tableId, kind)
    try {
      await room.change(fn, userId)
    } finally {
      this.release(room)
    }
  }

  private async load(tableId: string, kind: RoomKind, entry: { waiters: number }): Promise<Room> {
    if (this.closing) throw new Error('collaboration is shutting down')
    const { bus } = this.opts
    const room = new Room({
      tableId,
      kind,
      checker: this.opts.checkers[kind],
      relay: this.opts.committer.relay,
      hooks: {
        commit: (r, update, userId, origin, wait) => this.opts.committer.enqueue(r, update, userId, origin, wait),
        changed: (r, origin) => this.onChanged(r, origin),
        awareness: bus ? (r, update) => bus.publishAwareness(r.key, update) : undefined,
      },
    })
    // WATCH OUT: subscribe before reading storage, and buffer until the room is filled: an update another
    // process stores between our read and our subscription would otherwise be missed.
    let buffered: { update: Uint8Array }[] | null = []
    let ready = false
    if (bus) {
      await bus.subscribe(room.key, {
        update: (update) => (ready ? room.applyRemote(update) : buffered?.push({ update })),
        awareness: (update) => ready && room.applyRemoteAwareness(update),
        queryAwareness: () => {
          const local = ready ? room.localAwareness() : null
          if (local) bus.publishAwareness(room.key, local)
        },
      })
    }
    try {
      const t0 = performance.now()
      const stored = await this.opts.persistence.load(tableId, kind)
      room.load(stored.snapshot, stored.updates, stored.lastId ?? 0)
      for (const b of buffered) room.applyRemote(b.update)
      buffered = null
      ready = true
      this.counters.loads++
      // WATCH OUT: the refs of everyone who asked are set in the same tick the room becomes visible,
      // so no store or unload can see an idle room that is about to be handed out.
      room.refs = entry.waiters
      this.rooms.set(room.key, room)
      const schedule = this.scheduleOf(room)
      schedule.compactedUpTo = stored.updates.length ? 0 : (stored.lastId ?? 0)
      if (stored.updates.length > 0) this.markDirty(room, schedule) // fold the log left by a crash or another process
      this.opts.log.info('collab.load', { room: room.key, ms: Math.round(performance.now() - t0), updates: stored.updates.length })
      if (bus) bus.queryAwareness(room.key)
      this.scheduleSettle(room, schedule, true)
      return room
    } catch (err) {
      if (bus) await bus.unsubscribe(room.key).catch(() => {})
      room.destroy()
      this.opts.log.error('collab.load.failed', { room: room.key, error: String(err) })
      throw err
    }
  }

  private scheduleOf(room: Room): Schedule {
    let s = this.schedules.get(room)
    if (!s) {
      s = { dirtySince: null, lastChange: 0, lastSettleChange: 0, changes: 0, storeTimer: null, storing: null, storeFailures: 0, compactedUpTo: 0, settleTimer: null, settleSince: null, unloadTimer: null }
      this.schedules.set(room, s)
    }
    return s
  }

  private onChanged(room: Room, origin: Origin): void {
    const s = this.scheduleOf(room)
    // Remote updates are stored (and compacted) by the process that accepted them.
    if (origin !== 'remote') this.markDirty(room, s)
    this.scheduleSettle(room, s, false)
  }

  private markDirty(room: Room, s: Schedule): void {
    s.changes++
    const now = Date.now()
    s.lastChange = now
    if (s.dirtySince === null) s.dirtySince = now
    if (room.refs === 0) return this.storeNow(room)
    if (s.storing || s.storeFailures > 0 || s.storeTimer) return // a running store, a retry or the armed timer picks it up
    this.armStore(room, s)
  }

  /**
   * One timer per room, never re-armed per edit (that costs a clearTimeout + setTimeout per keystroke):
   * when it fires early because edits went on, it sleeps again for what is left.
   */
  private armStore(room: Room, s: Schedule): void {
    const { storeWaitMs, storeMaxMs } = this.opts.timings
    // up to 10 % later, so rooms edited together do not all compact in the same instant
    const due = Math.min(s.lastChange + storeWaitMs, (s.dirtySince ?? s.lastChange) + storeMaxMs) + Math.random() * 0.1 * storeWaitMs
    s.storeTimer = setTimeout(() => {
      s.storeTimer = null
      if (s.dirtySince === null) return
      if (Date.now() < Math.min(s.lastChange + storeWaitMs, s.dirtySince + storeMaxMs)) return this.armStore(room, s)
      void this.store(room)
    }, Math.max(0, due - Date.now()))
    s.storeTimer.unref?.()
  }

  private storeNow(room: Room): void {
    const s = this.scheduleOf(room)
    if (s.storeTimer) {
      clearTimeout(s.storeTimer)
      s.storeTimer = null
    }
    if (s.storeFailures > 0 && !this.closing) return // backing off; the retry timer stores, then unloads
    void this.store(room)
  }

  /** Compacts the room into a snapshot; afterwards unloads it when nobody uses it. */
  store(room: Room): Promise<void> {
    const s = this.scheduleOf(room)
    if (s.storing) return s.storing.then(() => (s.dirtySince !== null ? this.store(room) : undefined))
    const storing = this.compact(room, s).finally(() => {
      s.storing = null
    })
    s.storing = storing
    storing.then(
      () => {
        if (room.refs === 0 && s.dirtySince === null && !this.closing) this.scheduleUnload(room, s)
      },
      () => {},
    )
    return storing
  }

  private async compact(room: Room, s: Schedule): Promise<void> {
    // WATCH OUT: compactions share the database pool with the update-log appends that every edit waits
    // for; two hundred rooms compacting at once (their 10 s ceilings line up) held appends up for
    // hundreds of ms. A few at a time, the rest queue.
    await this.compactSlot()
    const changesBefore = s.changes
    const startedAt = Date.now()
    try {
      // `doc` holds every stored update up to `storedUpToId`, and may hold accepted ones still on their
      // way (the snapshot may have them too: applying an update twice changes nothing).
      const upTo = room.storedUpToId
      if (s.dirtySince !== null || upTo > s.compactedUpTo) {
        let state = room.encodeState()
        let bound = upTo
        if (this.opts.bus) {
          // WATCH OUT: with several processes, ids below ours may belong to updates of another process
          // that have not reached us yet; fold in what storage holds so the snapshot misses nothing.
          const stored = await this.opts.persistence.load(room.tableId, room.kind)
          state = Y.mergeUpdates([state, ...(stored.snapshot ? [stored.snapshot] : []), ...stored.updates])
          bound = Math.max(stored.lastId ?? 0, 0)
        }
        if (bound > s.compactedUpTo) {
          await this.opts.persistence.compact(room.tableId, room.kind, state, bound)
          s.compactedUpTo = bound
          this.counters.stores++
        }
      }
      s.storeFailures = 0
      if (s.changes === changesBefore) s.dirtySince = null
      else {
        // edits arrived while storing: they are unstored since about now, not since the old mark
        // (keeping the old mark made the 10 s ceiling fire again at once, store after store)
        s.dirtySince = startedAt
        if (!this.closing && !s.storeTimer) this.armStore(room, s)
      }
    } catch (err) {
      s.storeFailures++
      this.counters.storeFailures++
      const wait = Math.min(this.opts.timings.storeRetryMaxMs, this.opts.timings.storeRetryMinMs * 2 ** (s.storeFailures - 1))
      this.opts.log.warn('collab.compact.retry', { room: room.key, attempt: s.storeFailures, waitMs: wait, error: String(err) })
      if (!this.closing) {
        s.storeTimer = setTimeout(() => {
          s.storeTimer = null
          void this.store(room)
        }, wait)
        s.storeTimer.unref?.()
      }
      if (this.closing) throw err
    } finally {
      this.releaseCompactSlot()
    }
  }

  private compactRunning = 0
  private readonly compactWaiting: (() => void)[] = []

  private compactSlot(): Promise<void> {
    if (this.compactRunning < MAX_CONCURRENT_COMPACTIONS) {
      this.compactRunning++
      return Promise.resolve()
    }
    return new Promise((resolve) => this.compactWaiting.push(resolve))
  }

  private releaseCompactSlot(): void {
    const next = this.compactWaiting.shift()
    if (next) next()
    else this.compactRunning--
  }

  private scheduleUnload(room: Room, s: Schedule): void {
    if (s.unloadTimer) return
    const unload = () => {
      s.unloadTimer = null
      if (room.refs > 0 || s.dirtySince !== null || s.storing || this.opts.committer.holds(room)) return
      this.unload(room)
    }
    if (this.opts.timings.idleUnloadMs <= 0) return unload()
    s.unloadTimer = setTimeout(unload, this.opts.timings.idleUnloadMs)
    s.unloadTimer.unref?.()
  }

  private cancelUnload(room: Room): void {
    const s = this.schedules.get(room)
    if (s?.unloadTimer) {
      clearTimeout(s.unloadTimer)
      s.unloadTimer = null
    }
  }

  /** `settle` false: the table is gone (evict), its pending changes have nowhere to go */
  private unload(room: Room, settle = true): void {
    if (this.rooms.get(room.key) !== room) return
    if (settle || room.kind === 'comments') this.settleNow(room)
    this.rooms.delete(room.key)
    const s = this.schedules.get(room)
    if (s) {
      for (const t of [s.storeTimer, s.settleTimer, s.unloadTimer]) if (t) clearTimeout(t)
      this.schedules.delete(room)
    }
    this.settleQueue.delete(room)
    void this.opts.bus?.unsubscribe(room.key).catch(() => {})
    room.destroy()
    this.counters.unloads++
    this.opts.log.info('collab.unload', { room: room.key })
  }

  /** Drops a room without storing (its table is gone); its connections are closed by the caller. */
  evict(room: Room): void {
    this.unload(room, false)
  }

  // ---- findings

  private scheduleSettle(room: Room, s: Schedule, immediate: boolean): void {
    if (!(room.kind === 'table' ? this.opts.onSettled : this.opts.onCommentsSettled)) return
    const now = Date.now()
    s.lastSettleChange = now
    if (s.settleSince === null) s.settleSince = now
    if (immediate && s.settleTimer) {
      clearTimeout(s.settleTimer)
      s.settleTimer = null
    }
    if (s.settleTimer) return // armed; it sleeps again if changes went on (as armStore)
    const { settleMs, settleMaxMs } = this.opts.timings
    const arm = (delay: number) => {
      s.settleTimer = setTimeout(() => {
        s.settleTimer = null
        const due = Math.min(s.lastSettleChange + settleMs, (s.settleSince ?? now) + settleMaxMs)
        if (!immediate && Date.now() < due) return arm(due - Date.now())
        immediate = false
        s.settleSince = null
        this.queueSettle(room)
      }, Math.max(0, delay))
      s.settleTimer.unref?.()
    }
    arm(immediate ? 0 : Math.min(settleMs, s.settleSince + settleMaxMs - now))
  }

  /**
   * WATCH OUT: rooms edited together come due together (their 2 s limits start with the same burst),
   * and each settle parses the whole table and runs the rule engine (≈ 1 ms for a sample table). Run
   * back to back from their timers, 200 of them blocked the event loop for ≈ 200 ms and every edit in
   * flight waited (bench/README.md → collab.ts, 200 × 5 at 5 edits/s). So a due room joins a queue
   * drained one room per turn, with socket reads and writes in between.
   */
  private queueSettle(room: Room): void {
    this.settleQueue.add(room)
    if (this.settleDraining) return
    this.settleDraining = true
    const next = () => {
      const [due] = this.settleQueue
      if (!due) {
        this.settleDraining = false
        return
      }
      this.settleQueue.delete(due)
      void this.settle(due)
      setImmediate(next)
    }
    setImmediate(next)
  }

  /**
   * WATCH OUT: a room whose last client leaves (or that a server change loaded on its own) unloads right
   * after its store, before its settle timer fires; the hooks would miss the last changes: a comments
   * room's stored open-thread count, a table room's findings and its journal, whose changes would never
   * reach the field history (the next load's baseline already holds them). `settle` reads the document
   * and settles the journal synchronously, before the room is gone.
   */
  private settleNow(room: Room): void {
    const s = this.schedules.get(room)
    if (s && (s.settleTimer || this.settleQueue.has(room))) void this.settle(room)
  }

  private async settle(room: Room): Promise<void> {
    if (this.rooms.get(room.key) !== room) return
    if (room.kind === 'comments') {
      try {
        await this.opts.onCommentsSettled?.(room.tableId, readThreads(room.doc))
      } catch (err) {
        this.opts.log.error('collab.settle.failed', { room: room.key, error: String(err) })
      }
      return
    }
    const parsed = fromYDoc(room.doc)
    if (!parsed.ok) return
    this.counters.settles++
    try {
      const result = await this.opts.onSettled!(room.tableId, parsed.table, room.storedUpToId, room.journal?.settle(parsed.table) ?? [])
      if (result !== undefined && this.rooms.get(room.key) === room) room.setFindings(result)
    } catch (err) {
      this.opts.log.error('collab.settle.failed', { room: room.key, error: String(err) })
    }
  }

  // ---- shutdown

  /** Stores every loaded room and unloads it; waits for the update queue first. */
  async shutdown(deadlineMs = 10_000): Promise<void> {
    this.closing = true
    const deadline = Date.now() + deadlineMs
    await Promise.allSettled([...this.loading.values()].map((e) => e.promise))
    const { committer } = this.opts
    committer.retryNow()
    const idle = committer.idle()
    const timedOut = await Promise.race([idle.then(() => false), sleep(Math.max(0, deadline - Date.now())).then(() => true)])
    if (timedOut) {
      this.opts.log.error('collab.shutdown.unstored', { updates: committer.queued, note: 'clients still hold these edits and resend them on reconnect' })
      committer.abandon(new Error('shutdown'))
    }
    for (const room of [...this.rooms.values()]) {
      let attempts = 0
      while (Date.now() < deadline) {
        try {
          await this.store(room)
          break
        } catch {
          attempts++
          await sleep(Math.min(1000, 100 * 2 ** attempts))
        }
      }
      this.forceUnload(room)
    }
  }

  private forceUnload(room: Room): void {
    // a settle still due runs now (reading the room synchronously): its history and findings are written by
    // the hooks, which the owner awaits before closing the database (server/live.ts shutdown)
    this.settleNow(room)
    this.rooms.delete(room.key)
    const s = this.schedules.get(room)
    if (s) for (const t of [s.storeTimer, s.settleTimer, s.unloadTimer]) if (t) clearTimeout(t)
    this.schedules.delete(room)
    this.settleQueue.delete(room)
    void this.opts.bus?.unsubscribe(room.key).catch(() => {})
    room.destroy()
  }
}

const MAX_CONCURRENT_COMPACTIONS = 2

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}
