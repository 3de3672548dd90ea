// One live document (a table room or a comments room) and its connections. Holds two copies:
// `doc`, the durable state every client syncs from, and `shadow`, doc + accepted updates still on their
// way to storage, on which each client update is tried and checked before anything else sees it.
// The room never imports the database: durability is the `commit` hook's job (commit.ts).
import * as Y from 'yjs'
import * as awarenessProtocol from 'y-protocols/awareness'
import type { ParseProblem } from '../../shared/model/index.ts'
import type { ShapeChecker } from './shape.ts'
import { inspectIntegrated } from './guard.ts'
import {
  encodeAwarenessMessage, encodeAwarenessStates, encodeFindings, encodeSyncStep1, encodeSyncStep2, encodeSyncStep2FromUpdate, encodeUpdate,
  type AwarenessEntry,
} from './protocol.ts'

export type RoomKind = 'table' | 'comments'
export type Access = 'write' | 'read'

/** What the room needs of a connection; the transport (connection.ts) provides it. */
export interface RoomConn {
  readonly id: number
  readonly actorId: string
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
   * Hands an accepted update to the durability pipeline, which calls `applyCommitted` once it is stored;
   * with `wait`, resolves then.
   */
  commit(room: Room, update: Uint8Array, userId: string | null, origin: ClientOrigin | 'server', wait?: boolean): Promise<void> | void
  /** the durable document changed (store and settle scheduling) */
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
}

export class Room {
  readonly key: string
  readonly tableId: string
  readonly kind: RoomKind
  readonly doc = new Y.Doc({ gc: true })
  readonly awareness: awarenessProtocol.Awareness
  readonly conns = new Set<RoomConn>()
  /** connections attached plus attaches in progress; the registry unloads at 0 */
  refs = 0
  /** highest stored update id whose update `doc` holds (compaction bound) */
  storedUpToId = 0
  findings: unknown = undefined
  /** accepted updates that are in `shadow` but not yet stored (and so not in `doc`) */
  readonly pending: Uint8Array[] = []

  /** built on first use from `doc` + `pending`, dropped after a refusal: a room nobody edits never pays for it */
  private shadowDoc: Y.Doc | null = null
  /** the shadow parsed as a whole before the last accepted update (null: not checked yet since load) */
  private baselineValid: boolean | null = false
  /** the durable doc as one update while it is exactly what was loaded (null once it changes) */
  private fullState: Uint8Array | null = null
  private lastTr: Y.Transaction | null = null
  private captured: Uint8Array | null = null
  private readonly onShadowUpdate = (u: Uint8Array) => {
    this.captured = u
  }
  private readonly checker: ShapeChecker
  private readonly hooks: RoomHooks
  /** awareness client id → the local connection that owns it (a connection cannot speak for another's id) */
  private readonly awarenessOwner = new Map<number, RoomConn>()

  constructor(opts: RoomOptions) {
    this.tableId = opts.tableId
    this.kind = opts.kind
    this.key = roomKey(opts.tableId, opts.kind)
    this.checker = opts.checker
    this.hooks = opts.hooks
    this.awareness = new awarenessProtocol.Awareness(this.doc)
    this.awareness.setLocalState(null) // the server has no presence of its own
    this.awareness.on('update', (change: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => this.onAwarenessUpdate(change, origin))
  }

  // ---- life of the document

  /**
   * Applies stored state (snapshot, then the log after it); origin 'load' is neither stored nor echoed.
   * The shadow and the whole-document check wait for the first update: syncing needs neither.
   */
  load(snapshot: Uint8Array | null, updates: readonly Uint8Array[], lastId = 0): void {
    this.doc.transact(() => {
      if (snapshot) Y.applyUpdate(this.doc, snapshot, 'load')
      for (const u of updates) Y.applyUpdate(this.doc, u, 'load')
    }, 'load')
    this.dropShadow()
    this.storedUpToId = lastId
    this.baselineValid = null
    // one stored update is the whole document: answer fresh clients with those bytes
    this.fullState = snapshot && updates.length === 0 ? snapshot : !snapshot && updates.length === 1 ? updates[0]! : null
  }

  /** True when the document passes the whole strict check (for logs and tests). */
  get valid(): boolean {
    return this.checker.full(this.doc).length === 0
  }

  destroy(): void {
    this.awareness.destroy()
    this.doc.destroy()
    this.dropShadow()
  }

  // ---- connections

  addConnection(conn: RoomConn): void {
    this.conns.add(conn)
    conn.send(encodeSyncStep1(this.doc))
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

  /** Sync step 1 from a client: answer from the durable document only. */
  answerStep1(conn: RoomConn, stateVector: Uint8Array): void {
    // a fresh client (empty state vector: one byte, 0) of an unchanged document gets the stored bytes
    if (this.fullState && stateVector.byteLength === 1 && stateVector[0] === 0) conn.send(encodeSyncStep2FromUpdate(this.fullState))
    else conn.send(encodeSyncStep2(this.doc, stateVector))
  }

  // ---- updates

  /**
   * Builds the shadow and runs the deferred whole-document check now, so a writer's first edit does not
   * pay for them (the connection calls it right after answering the client's sync).
   */
  prepareForEdits(): void {
    if (this.baselineValid === null) this.baselineValid = this.checker.full(this.shadow).length === 0
  }

  /**
   * Tries a client update on the shadow and checks the result. Accepted: queued for storage, and
   * applied to `doc` and broadcast only once stored. Refused: the shadow is rebuilt, nobody sees it.
   */
  receiveUpdate(conn: RoomConn, update: Uint8Array): UpdateVerdict {
    // the whole-document check deferred at load, on the shadow as it is before this update
    if (this.baselineValid === null) this.baselineValid = this.checker.full(this.shadow).length === 0
    const shadow = this.shadow
    this.lastTr = null
    this.captured = null
    // WATCH OUT: Yjs encodes a transaction's update for 'update' listeners in O(clients ever seen by the
    // document), which dominated the cost of small edits. Small updates are stored and broadcast as
    // received; a big one is replaced by what it actually changed, so content it hides where nobody can
    // see it (inside a deleted row, say) is dropped instead of stored and sent to everyone.
    const capture = update.byteLength > CAPTURE_ABOVE_BYTES
    if (capture) shadow.on('update', this.onShadowUpdate)
    try {
      Y.applyUpdate(shadow, update, conn.origin)
    } catch (err) {
      this.rebuildShadow()
      return { ok: false, problems: [{ path: '', code: 'malformed', message: `无法应用的更新：${err instanceof Error ? err.message : String(err)}` }] }
    } finally {
      if (capture) shadow.off('update', this.onShadowUpdate)
    }
    const tr = this.lastTr as Y.Transaction | null
    if (!tr) return { ok: true, stored: false }
    const effective = capture ? (this.captured as Uint8Array | null) : changedAnything(shadow, tr) ? update : null
    if (!effective) return { ok: true, stored: false } // nothing new (a repeat)
    const foreign = inspectIntegrated(this.shadow, tr, this.checker.roots)
    if (foreign) {
      this.rebuildShadow()
      return { ok: false, problems: [{ path: '', code: 'forbidden_content', message: `文档只能包含表格结构中的内容（${foreign}）` }] }
    }
    const ctx = { actorId: conn.actorId }
    const problems = this.baselineValid ? this.checker.incremental(this.shadow, tr, ctx) : this.checker.full(this.shadow, ctx)
    if (problems.length) {
      this.rebuildShadow()
      return { ok: false, problems }
    }
    this.baselineValid = true
    this.pending.push(effective)
    this.hooks.commit(this, effective, conn.actorId, conn.origin)
    return { ok: true, stored: true }
  }

  /** A server-side change (an approval stamp, a repair): trusted, stored and broadcast like any edit. */
  async change(fn: (doc: Y.Doc) => void, userId: string | null): Promise<void> {
    this.captured = null
    const shadow = this.shadow
    shadow.on('update', this.onShadowUpdate)
    try {
      shadow.transact(() => fn(shadow), 'server')
    } catch (err) {
      this.rebuildShadow() // whatever `fn` did before it threw must not stay
      throw err
    } finally {
      shadow.off('update', this.onShadowUpdate)
    }
    const effective = this.captured as Uint8Array | null
    if (!effective) return
    this.baselineValid = this.checker.full(this.shadow).length === 0
    this.pending.push(effective)
    return this.hooks.commit(this, effective, userId, 'server', true) ?? undefined
  }

  /**
   * Called by the committer, in order, once a batch is stored: now everyone may see it. Like Hocuspocus,
   * the batch goes out as one merged update per connection instead of one message per update (socket
   * writes are most of a server's work). A batch from one author skips that author.
   * WATCH OUT: a batch from several authors goes to everyone whole, so an author may get its own update
   * back inside it (Yjs ignores structs it has; excluding each author would cost a merge per author).
   */
  applyCommitted(batch: readonly { update: Uint8Array; origin: ClientOrigin | 'server' }[], lastId: number): Uint8Array | null {
    if (batch.length === 0) return null
    this.fullState = null
    this.forgetPending(batch)
    if (lastId > this.storedUpToId) this.storedUpToId = lastId
    const all = batch.length === 1 ? batch[0]!.update : Y.mergeUpdates(batch.map((it) => it.update))
    Y.applyUpdate(this.doc, all, 'committed')
    const first = batch[0]!.origin
    const soleAuthor = isClientOrigin(first) && batch.every((it) => isClientOrigin(it.origin) && it.origin.conn === first.conn) ? first.conn : null
    const frame = encodeUpdate(all)
    for (const c of this.conns) if (c !== soleAuthor) c.send(frame)
    this.hooks.changed(this, batch[batch.length - 1]!.origin)
    return all
  }

  /**
   * Removes a stored batch from `pending`. Batches are usually stored in the order they were accepted
   * (the front of the list); after a failed write is retried, a later batch is stored first.
   */
  private forgetPending(batch: readonly { update: Uint8Array }[]): void {
    const p = this.pending
    if (batch.every((it, i) => p[i] === it.update)) {
      p.splice(0, batch.length)
      return
    }
    const stored = new Set(batch.map((it) => it.update))
    const left = p.filter((u) => !stored.has(u))
    p.length = 0
    p.push(...left)
  }

  /** An update another process accepted and stored (or storage itself, after a lost bus connection). */
  applyRemote(update: Uint8Array): void {
    let effective: Uint8Array | null = null
    const capture = (u: Uint8Array) => {
      effective = u
    }
    this.doc.on('update', capture)
    try {
      Y.applyUpdate(this.doc, update, 'remote')
    } finally {
      this.doc.off('update', capture)
    }
    if (this.shadowDoc) Y.applyUpdate(this.shadowDoc, update, 'remote')
    if (!effective) return // nothing new
    this.fullState = null
    const frame = encodeUpdate(effective)
    for (const c of this.conns) c.send(frame)
    this.hooks.changed(this, 'remote')
  }

  /** The durable state plus what is still on its way to storage. */
  private get shadow(): Y.Doc {
    if (this.shadowDoc) return this.shadowDoc
    const shadow = new Y.Doc({ gc: true })
    Y.applyUpdate(shadow, this.fullState ?? Y.encodeStateAsUpdate(this.doc), 'load')
    for (const u of this.pending) Y.applyUpdate(shadow, u, 'load')
    shadow.on('afterTransaction', (tr: Y.Transaction) => {
      this.lastTr = tr
    })
    return (this.shadowDoc = shadow)
  }

  private dropShadow(): void {
    this.shadowDoc?.destroy()
    this.shadowDoc = null
  }

  /** After a refusal: the next update gets a fresh copy (durable state + pending). */
  private rebuildShadow(): void {
    this.dropShadow()
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
    return { key: this.key, connections: this.conns.size, pending: this.pending.length }
  }
}

/** Updates above this size are stored as what they changed rather than as received (see receiveUpdate). */
const CAPTURE_ABOVE_BYTES = 16 * 1024

/**
 * Whether applying an update did anything: integrated or deleted something, or left structs waiting for
 * missing ones (those integrate with a later update, so this one must be stored and sent too).
 */
function changedAnything(doc: Y.Doc, tr: Y.Transaction): boolean {
  if (tr.deleteSet.clients.size > 0) return true
  for (const [client, after] of tr.afterState) if (after > (tr.beforeState.get(client) ?? 0)) return true
  return doc.store.pendingStructs !== null || doc.store.pendingDs !== null
}

export function roomKey(tableId: string, kind: RoomKind): string {
  return kind === 'table' ? tableId : `${tableId}/comments`
}
