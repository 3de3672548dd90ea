// One live document (a table room or a comments room) and its connections. Its one Y.Doc holds every
// accepted update, stored or still on its way to storage; a client update is applied to it and checked,
// and a refused one is undone by rebuilding the doc from bytes (`base` + what was accepted since).
// Store-first (the default): nobody sees an update before it is stored: broadcasts wait for the
// committer, and a sync answer that contains unstored updates is held until they are stored. Relay: the
// committer has the room broadcast each turn's accepted updates before it writes them, and sync answers
// are not held. The room never imports the database: durability is the `commit` hook's job (commit.ts).
import * as Y from 'yjs'
import * as awarenessProtocol from 'y-protocols/awareness'
import type { ParseProblem } from '../../shared/model/index.ts'
import type { ShapeChecker } from './shape.ts'
import { inspectIntegrated, someClientGrew } from './guard.ts'
import { ChangeJournal } from './journal.ts'
import {
  encodeAwarenessMessage, encodeAwarenessStates, encodeFindings, encodeSyncStep1, encodeSyncStep2, encodeSyncStep2FromUpdate, encodeUpdate,
  type AwarenessEntry,
} from './protocol.ts'

import type { Role } from '../../shared/permissions.ts'

export type RoomKind = 'table' | 'comments'
export type Access = 'write' | 'read'

/** What the room needs of a connection; the transport (connection.ts) provides it. */
export interface RoomConn {
  readonly id: number
  readonly actorId: string
  /** the actor's role: the comments room lets only reviewers resolve threads */
  readonly actorRole: Role
  access: Access
  readonly wantsFindings: boolean
  /** awareness client ids this connection introduced (removed when it closes) */
  readonly awarenessIds: Set<number>
  /** the origin its updates carry, one object per connection */
  readonly origin: ClientOrigin
  send(frame: Uint8Array): void
}

export interface ClientOrigin {
  kind: 'client'
  conn: RoomConn
}
/** Transaction origins: a load or a remote (other process) update is never stored or re-published. */
export type Origin = ClientOrigin | 'load' | 'server' | 'remote'

export function isClientOrigin(origin: unknown): origin is ClientOrigin {
  return typeof origin === 'object' && origin !== null && (origin as ClientOrigin).kind === 'client'
}

export interface RoomHooks {
  /**
   * Hands an accepted update to the durability pipeline, which calls `broadcastStored` once it is
   * stored; with `wait`, resolves then.
   */
  commit(room: Room, update: Uint8Array, userId: string | null, origin: ClientOrigin | 'server', wait?: boolean): Promise<void> | void
  /** the document gained stored (or remote) updates (compaction and settle scheduling) */
  changed(room: Room, origin: Origin): void
  /** a local awareness change, for other processes */
  awareness?(room: Room, update: Uint8Array): void
}

export type UpdateVerdict = { ok: true; stored: boolean } | { ok: false; problems: ParseProblem[] }

export interface RoomOptions {
  tableId: string
  kind: RoomKind
  checker: ShapeChecker
  hooks: RoomHooks
  /** relay mode (commit.ts Durability): accepted updates are broadcast before they are stored */
  relay?: boolean
}

export class Room {
  readonly key: string
  readonly tableId: string
  readonly kind: RoomKind
  /** presence, on a Y.Doc of its own: the content doc is replaced after a refusal */
  readonly awareness: awarenessProtocol.Awareness
  readonly conns = new Set<RoomConn>()
  /** connections attached plus attaches in progress; the registry unloads at 0 */
  refs = 0
  /** highest stored update id whose update `doc` holds (compaction bound) */
  storedUpToId = 0
  findings: unknown = undefined
  /** table rooms: who touched which rows and fields since the last settle (the registry settles it) */
  readonly journal: ChangeJournal | null

  private current = newDoc()
  /** accepted updates in `doc` not yet stored, in the order accepted, with their acceptance number */
  private readonly unstored = new Map<Uint8Array, number>()
  private accepted = 0
  /** sync answers and waiters held until every update accepted up to `upTo` is stored */
  private held: { upTo: number; run(): void; drop?(): void }[] = []
  /** the doc as bytes: what was loaded, or an encoding of the doc at the last rebase… */
  private base: Uint8Array[] = []
  /** …and every update applied to it since (accepted, server, remote), so a refusal can be undone */
  private sinceBase: Uint8Array[] = []
  private sinceBaseBytes = 0
  /** the doc parsed as a whole before the last accepted update (null: not checked yet since load) */
  private baselineValid: boolean | null = false
  private lastTr: Y.Transaction | null = null
  private captured: Uint8Array | null = null
  private readonly onUpdateCaptured = (u: Uint8Array) => {
    this.captured = u
  }
  private readonly onAfterTransaction = (tr: Y.Transaction) => {
    this.lastTr = tr
    // the ids of deleted rows can be read only now: Yjs collects deleted content right after this event
    this.journal?.noteDeletions(tr)
  }
  private readonly checker: ShapeChecker
  private readonly hooks: RoomHooks
  private readonly relay: boolean
  /** awareness client id → the local connection that owns it (a connection cannot speak for another's id) */
  private readonly awarenessOwner = new Map<number, RoomConn>()

  constructor(opts: RoomOptions) {
    this.tableId = opts.tableId
    this.kind = opts.kind
    this.key = roomKey(opts.tableId, opts.kind)
    this.checker = opts.checker
    this.hooks = opts.hooks
    this.relay = opts.relay === true
    this.journal = opts.kind === 'table' ? new ChangeJournal() : null
    this.current.on('afterTransaction', this.onAfterTransaction)
    this.awareness = new awarenessProtocol.Awareness(new Y.Doc({ gc: true }))
    this.awareness.setLocalState(null) // the server has no presence of its own
    this.awareness.on('update', (change: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => this.onAwarenessUpdate(change, origin))
  }

  // ---- life of the document

  /** Every accepted update, stored or on its way to storage. Replaced after a refusal: do not keep it. */
  get doc(): Y.Doc {
    return this.current
  }

  /** Accepted updates not yet stored, oldest first. */
  get pending(): Uint8Array[] {
    return [...this.unstored.keys()]
  }

  /**
   * Applies stored state (snapshot, then the log after it); origin 'load' is neither stored nor echoed.
   * The whole-document check waits for the first update: syncing does not need it.
   */
  load(snapshot: Uint8Array | null, updates: readonly Uint8Array[], lastId = 0): void {
    const parts = snapshot ? [snapshot, ...updates] : [...updates]
    this.current.transact(() => {
      for (const u of parts) Y.applyUpdate(this.current, u, 'load')
    }, 'load')
    this.base = parts
    this.sinceBase = []
    this.sinceBaseBytes = 0
    this.storedUpToId = lastId
    this.baselineValid = null
    this.journal?.loadedFrom(parts)
  }

  /** True when the document passes the whole strict check (for logs and tests). */
  get valid(): boolean {
    return this.checker.full(this.current).length === 0
  }

  /**
   * The document as one update, for a snapshot. It also becomes the bytes a refusal rebuilds from, so
   * what was recorded since can be let go.
   */
  encodeState(): Uint8Array {
    const state = Y.encodeStateAsUpdate(this.current)
    this.base = [state]
    this.sinceBase = []
    this.sinceBaseBytes = 0
    return state
  }

  /** Resolves once every update accepted so far is stored (a read that must not show unstored edits). */
  whenStored(): Promise<void> {
    if (this.unstored.size === 0) return Promise.resolve()
    return new Promise((resolve, reject) => this.held.push({ upTo: this.accepted, run: resolve, drop: () => reject(new Error('room closed')) }))
  }

  destroy(): void {
    const held = this.held
    this.held = []
    for (const h of held) h.drop?.()
    this.awareness.destroy()
    this.current.destroy()
  }

  // ---- connections

  addConnection(conn: RoomConn): void {
    this.conns.add(conn)
    conn.send(encodeSyncStep1(this.current))
    const states = this.awareness.getStates()
    if (states.size > 0) conn.send(encodeAwarenessStates(this.awareness, [...states.keys()]))
    if (conn.wantsFindings && this.findings !== undefined) conn.send(encodeFindings(this.findings))
  }

  removeConnection(conn: RoomConn): void {
    if (!this.conns.delete(conn)) return
    const ids = [...conn.awarenessIds].filter((id) => this.awarenessOwner.get(id) === conn)
    for (const id of ids) this.awarenessOwner.delete(id)
    if (ids.length) awarenessProtocol.removeAwarenessStates(this.awareness, ids, 'close')
  }

  /**
   * Sync step 1 from a client. The answer is what the doc holds now; when that includes updates not yet
   * stored, it is sent once they are (nobody may see an edit a crash could lose) — except in relay mode,
   * where the room's clients see accepted updates before they are stored anyway.
   */
  answerStep1(conn: RoomConn, stateVector: Uint8Array): void {
    // a fresh client (empty state vector: one byte, 0) of a document that is one stored update gets those bytes
    const whole = this.base.length === 1 && this.sinceBase.length === 0 ? this.base[0]! : null
    const frame = whole && stateVector.byteLength === 1 && stateVector[0] === 0 ? encodeSyncStep2FromUpdate(whole) : encodeSyncStep2(this.current, stateVector)
    if (this.unstored.size === 0 || this.relay) conn.send(frame)
    else this.held.push({ upTo: this.accepted, run: () => this.conns.has(conn) && conn.send(frame) })
  }

  // ---- updates

  /** Runs the whole-document check deferred at load now, so a writer's first edit does not pay for it. */
  prepareForEdits(): void {
    if (this.baselineValid === null) this.baselineValid = this.checker.full(this.current).length === 0
  }

  /**
   * Applies a client update and checks the result. Accepted: queued for storage, broadcast only once
   * stored. Refused: the doc is rebuilt without it, nobody sees it.
   */
  receiveUpdate(conn: RoomConn, update: Uint8Array): UpdateVerdict {
    // the whole-document check deferred at load, on the doc as it is before this update
    this.prepareForEdits()
    const doc = this.current
    this.lastTr = null
    this.captured = null
    // WATCH OUT: Yjs encodes a transaction's update for 'update' listeners in O(clients ever seen by the
    // document), which dominated the cost of small edits. Small updates are stored and broadcast as
    // received; a big one is replaced by what it actually changed, so content it hides where nobody can
    // see it (inside a deleted row, say) is dropped instead of stored and sent to everyone.
    const capture = update.byteLength > CAPTURE_ABOVE_BYTES
    if (capture) doc.on('update', this.onUpdateCaptured)
    try {
      Y.applyUpdate(doc, update, conn.origin)
    } catch (err) {
      this.rebuild()
      return { ok: false, problems: [{ path: '', code: 'malformed', message: `无法应用的更新：${err instanceof Error ? err.message : String(err)}` }] }
    } finally {
      if (capture) doc.off('update', this.onUpdateCaptured)
    }
    const { tr, captured } = this.takeResults()
    if (!tr) return { ok: true, stored: false }
    const effective = capture ? captured : changedAnything(doc, tr) ? update : null
    if (!effective) return { ok: true, stored: false } // nothing new (a repeat)
    const foreign = inspectIntegrated(doc, tr, this.checker.roots)
    if (foreign) {
      this.rebuild()
      return { ok: false, problems: [{ path: '', code: 'forbidden_content', message: `文档只能包含表格结构中的内容（${foreign}）` }] }
    }
    const ctx = { actorId: conn.actorId, role: conn.actorRole }
    const problems = this.baselineValid ? this.checker.incremental(doc, tr, ctx) : this.checker.full(doc, ctx)
    if (problems.length) {
      this.rebuild()
      return { ok: false, problems }
    }
    this.baselineValid = true
    this.accept(effective)
    this.journal?.record(tr, conn.actorId)
    this.hooks.commit(this, effective, conn.actorId, conn.origin)
    return { ok: true, stored: true }
  }

  /** A server-side change (an approval stamp, a repair): trusted, stored and broadcast like any edit. */
  async change(fn: (doc: Y.Doc) => void, userId: string | null): Promise<void> {
    this.captured = null
    const doc = this.current
    doc.on('update', this.onUpdateCaptured)
    try {
      doc.transact(() => fn(doc), 'server')
    } catch (err) {
      this.rebuild() // whatever `fn` did before it threw must not stay
      throw err
    } finally {
      doc.off('update', this.onUpdateCaptured)
    }
    const { tr, captured: effective } = this.takeResults()
    if (!effective) return
    this.baselineValid = this.checker.full(doc).length === 0
    this.accept(effective)
    if (tr) this.journal?.record(tr, userId)
    return this.hooks.commit(this, effective, userId, 'server', true) ?? undefined
  }

  /**
   * Called by the committer, in order, once a batch is stored: now everyone may see it. Like Hocuspocus,
   * the batch goes out as one merged update per connection instead of one message per update (socket
   * writes are most of a server's work). A batch from one author skips that author.
   * WATCH OUT: a batch from several authors goes to everyone whole, so an author may get its own update
   * back inside it (Yjs ignores structs it has; excluding each author would cost a merge per author).
   */
  broadcastStored(batch: readonly { update: Uint8Array; origin: ClientOrigin | 'server' }[], lastId: number): Uint8Array | null {
    if (batch.length === 0) return null
    const all = this.broadcastBatch(batch)
    this.markStored(batch, lastId, false)
    return all
  }

  /**
   * Sends a batch of accepted updates to the room's connections as one merged update (a batch from one
   * author skips that author); returns the merged update. Store-first calls it once the batch is stored,
   * relay mode at the end of the turn that accepted it, before it is written.
   */
  broadcastBatch(batch: readonly { update: Uint8Array; origin: ClientOrigin | 'server' }[]): Uint8Array {
    const all = batch.length === 1 ? batch[0]!.update : Y.mergeUpdates(batch.map((it) => it.update))
    const first = batch[0]!.origin
    const soleAuthor = isClientOrigin(first) && batch.every((it) => isClientOrigin(it.origin) && it.origin.conn === first.conn) ? first.conn : null
    const frame = encodeUpdate(all)
    for (const c of this.conns) if (c !== soleAuthor) c.send(frame)
    return all
  }

  /**
   * Called by the committer, in order, once a batch is stored: the compaction bound moves, held sync
   * answers and waiters whose updates are all stored go out, compaction and settle are scheduled. With
   * `merge`, returns the batch as one update (to publish to other processes).
   */
  markStored(batch: readonly { update: Uint8Array; origin: ClientOrigin | 'server' }[], lastId: number, merge: boolean): Uint8Array | null {
    if (batch.length === 0) return null
    for (const it of batch) this.unstored.delete(it.update)
    if (lastId > this.storedUpToId) this.storedUpToId = lastId
    this.releaseHeld()
    this.hooks.changed(this, batch[batch.length - 1]!.origin)
    if (!merge) return null
    return batch.length === 1 ? batch[0]!.update : Y.mergeUpdates(batch.map((it) => it.update))
  }

  /** An update another process accepted and stored (or storage itself, after a lost bus connection). */
  applyRemote(update: Uint8Array): void {
    const doc = this.current
    this.captured = null
    doc.on('update', this.onUpdateCaptured)
    try {
      Y.applyUpdate(doc, update, 'remote')
    } catch (err) {
      this.rebuild() // another process sent garbage: it must not stay half applied
      throw err
    } finally {
      doc.off('update', this.onUpdateCaptured)
    }
    const { tr, captured: effective } = this.takeResults()
    if (!effective) return // nothing new
    this.record(effective)
    if (tr) this.journal?.record(tr, null, true)
    const frame = encodeUpdate(effective)
    for (const c of this.conns) c.send(frame)
    this.hooks.changed(this, 'remote')
  }

  /**
   * What the listeners caught of the last change (its transaction, its update when captured), and
   * forgets them: left in the fields they would stay reachable until the room's next change, one
   * transaction (state-vector maps, events, delete set) per room alive at every collection.
   */
  private takeResults(): { tr: Y.Transaction | null; captured: Uint8Array | null } {
    const out = { tr: this.lastTr, captured: this.captured }
    this.lastTr = null
    this.captured = null
    return out
  }

  /** An update is in the doc for good: remember its bytes (for a rebuild) and that it awaits storage. */
  private accept(update: Uint8Array): void {
    this.unstored.set(update, ++this.accepted)
    this.record(update)
  }

  private record(update: Uint8Array): void {
    this.sinceBase.push(update)
    this.sinceBaseBytes += update.byteLength
    // Compaction (every ≤ 10 s while edits go on) re-encodes the doc and empties this list; the bound is
    // for a room whose compactions keep failing. WATCH OUT: encoding a big doc takes milliseconds, so
    // doing it here often (every 2 000 updates) showed up in the p99 of every edit.
    if (this.sinceBase.length > REBASE_AFTER_UPDATES || this.sinceBaseBytes > REBASE_AFTER_BYTES) this.encodeState()
  }

  /** Sends the held sync answers (and wakes the waiters) whose updates are all stored now. */
  private releaseHeld(): void {
    if (this.held.length === 0) return
    // the oldest update still unstored; everything accepted before it is stored
    let oldest = Infinity
    for (const n of this.unstored.values()) {
      oldest = n
      break
    }
    let i = 0
    while (i < this.held.length && this.held[i]!.upTo < oldest) this.held[i++]!.run()
    if (i) this.held = this.held.slice(i)
  }

  /**
   * After a refusal: the doc again, from bytes, without what was refused (≈5 ms for 300 rows, plus the
   * updates since the last compaction), then encoded, so the next refusal does not replay them again.
   */
  private rebuild(): void {
    const old = this.current
    old.off('afterTransaction', this.onAfterTransaction)
    const doc = newDoc()
    doc.transact(() => {
      for (const u of this.base) Y.applyUpdate(doc, u, 'load')
      for (const u of this.sinceBase) Y.applyUpdate(doc, u, 'load')
    }, 'load')
    doc.on('afterTransaction', this.onAfterTransaction)
    this.current = doc
    old.destroy()
    this.lastTr = null
    if (this.sinceBase.length > 0) this.encodeState()
  }

  // ---- awareness

  /** Applies a client's awareness update; false when it speaks for a client id another connection owns. */
  applyAwareness(conn: RoomConn, update: Uint8Array, entries: readonly AwarenessEntry[]): boolean {
    for (const e of entries) {
      const owner = this.awarenessOwner.get(e.clientId)
      if (owner && owner !== conn) return false
    }
    awarenessProtocol.applyAwarenessUpdate(this.awareness, update, conn.origin)
    return true
  }

  applyRemoteAwareness(update: Uint8Array): void {
    try {
      awarenessProtocol.applyAwarenessUpdate(this.awareness, update, 'remote')
    } catch {
      /* another process sent garbage; presence is not worth a crash */
    }
  }

  /** Every local connection's awareness states (answering another process's query). */
  localAwareness(): Uint8Array | null {
    const ids = [...this.awarenessOwner.keys()].filter((id) => this.awareness.getStates().has(id))
    return ids.length ? awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids) : null
  }

  sendAwareness(conn: RoomConn): void {
    conn.send(encodeAwarenessStates(this.awareness, [...this.awareness.getStates().keys()]))
  }

  private onAwarenessUpdate({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown): void {
    if (isClientOrigin(origin)) {
      const conn = origin.conn
      for (const id of added) {
        conn.awarenessIds.add(id)
        this.awarenessOwner.set(id, conn)
      }
      for (const id of updated) {
        if (this.awarenessOwner.has(id)) continue
        this.awarenessOwner.set(id, conn)
        conn.awarenessIds.add(id)
      }
      for (const id of removed) {
        conn.awarenessIds.delete(id)
        this.awarenessOwner.delete(id)
      }
    }
    const changed = added.concat(updated, removed)
    const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed)
    // WATCH OUT: echoed to everyone, the sender included. WebsocketProvider closes a socket that received
    // nothing for 30 s, and its own 15 s awareness renewals coming back are what keep an idle socket open.
    const frame = encodeAwarenessMessage(update)
    for (const c of this.conns) c.send(frame)
    if (origin !== 'remote') this.hooks.awareness?.(this, update)
    this.forgetGone()
  }

  /**
   * WATCH OUT: y-protocols keeps `meta` (clock, last update) of every client id it ever saw, gone or not:
   * one entry per connect (a new Y.Doc is a new id) for as long as the room stays loaded. The clock of a
   * client that left still matters for a while: every WebsocketProvider re-sends each awareness change it
   * hears, so the last state of a client that just left can come back through another client, and the
   * kept clock is what refuses it. Kept as long as y-protocols lets a silent state live (outdatedTimeout,
   * 30 s), then forgotten; a client that comes back under the same id sends a higher clock anyway.
   * Runs on every awareness change of the room (live clients renew theirs every 15 s).
   */
  private forgetGone(): void {
    const { meta, states, clientID } = this.awareness
    const now = Date.now()
    meta.forEach((m, id) => {
      if (id !== clientID && !states.has(id) && now - m.lastUpdated >= awarenessProtocol.outdatedTimeout) meta.delete(id)
    })
  }

  // ---- findings

  setFindings(payload: unknown): void {
    this.findings = payload
    let frame: Uint8Array | null = null
    for (const c of this.conns) {
      if (!c.wantsFindings) continue
      frame ??= encodeFindings(payload)
      c.send(frame)
    }
  }

  stats(): { key: string; connections: number; pending: number } {
    return { key: this.key, connections: this.conns.size, pending: this.unstored.size }
  }
}

/** Updates above this size are stored as what they changed rather than as received (see receiveUpdate). */
const CAPTURE_ABOVE_BYTES = 16 * 1024
/** The bytes kept to undo a refusal are re-encoded from the doc past this many updates or bytes. */
const REBASE_AFTER_UPDATES = 50_000
const REBASE_AFTER_BYTES = 8 * 1024 * 1024

function newDoc(): Y.Doc {
  return new Y.Doc({ gc: true })
}

/**
 * Whether applying an update did anything: integrated or deleted something, or left structs waiting for
 * missing ones (those integrate with a later update, so this one must be stored and sent too).
 */
function changedAnything(doc: Y.Doc, tr: Y.Transaction): boolean {
  if (tr.deleteSet.clients.size > 0 || someClientGrew(tr)) return true
  return doc.store.pendingStructs !== null || doc.store.pendingDs !== null
}

export function roomKey(tableId: string, kind: RoomKind): string {
  return kind === 'table' ? tableId : `${tableId}/comments`
}
