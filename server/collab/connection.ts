// One client socket: turns frames into room calls in order, through the guard (size, rate, decoding,
// access, update content), buffering while its room loads, and ends the socket with a named refusal.
import type { Actor } from '../../shared/permissions.ts'
import type { Committer } from './commit.ts'
import { RateLimiter, type GuardLimits } from './guard.ts'
import type { CollabLog } from './log.ts'
import { decodeAwarenessUpdate, decodeClientMessage, encodePermissionDenied, safeStateVector } from './protocol.ts'
import { denialText, REFUSALS, type Refusal } from './refusals.ts'
import type { Access, ClientOrigin, Room, RoomConn } from './room.ts'

/** The socket underneath (a Hono WSContext in production, anything in tests). */
export interface Transport {
  send(frame: Uint8Array): void
  close(code: number, reason: string): void
  /** bytes queued for sending; a client that does not read is cut off */
  bufferedAmount(): number
}

/** The signed-in user of a connection; `displayName`, when known, is the only name its presence may show. */
export type CollabActor = Actor & { displayName?: string }

export interface Credentials {
  token?: string
  cookie?: string
}

export interface ConnectionOptions {
  id: number
  actor: CollabActor
  access: Access
  credentials: Credentials
  wantsFindings: boolean
  transport: Transport
  limits: GuardLimits
  committer: Committer
  log: CollabLog
  /** called once, when the socket is gone or cut off */
  onGone(conn: Connection): void
  /** counts refusals by reason (stats) */
  count(reason: string): void
}

const MAX_BUFFERED_BYTES = 32 * 1024 * 1024

/** An update with no structs and no deletions, as Yjs encodes it (what a fresh client answers to step 1). */
function isEmptyUpdate(u: Uint8Array): boolean {
  return u.byteLength === 2 && u[0] === 0 && u[1] === 0
}
const READ_ONLY_NOTICE_MS = 5000
const UNSAVED_NOTICE_MS = 5000

export class Connection implements RoomConn {
  readonly id: number
  readonly actor: CollabActor
  access: Access
  readonly credentials: Credentials
  readonly wantsFindings: boolean
  readonly awarenessIds = new Set<number>()
  readonly origin: ClientOrigin
  room: Room | null = null
  closed = false

  private readonly backlog: { frame: Uint8Array; paid: boolean }[] = []
  private drainTimer: NodeJS.Timeout | null = null
  private readonly limiter: RateLimiter
  private lastReadOnlyNotice = 0
  private lastUnsavedNotice = 0
  private sends = 0

  constructor(private readonly opts: ConnectionOptions) {
    this.id = opts.id
    this.actor = opts.actor
    this.access = opts.access
    this.credentials = opts.credentials
    this.wantsFindings = opts.wantsFindings
    this.origin = { kind: 'client', conn: this }
    this.limiter = new RateLimiter(opts.limits)
  }

  get actorId(): string {
    return this.actor.id
  }

  get actorRole() {
    return this.actor.role
  }

  send(frame: Uint8Array): void {
    if (this.closed) return
    // checked every 32nd frame: a client that stops reading is still caught long before memory matters
    if ((++this.sends & 31) === 0 && this.opts.transport.bufferedAmount() > MAX_BUFFERED_BYTES) {
      this.end(REFUSALS.slowConsumer, 'collab.cut.slow')
      return
    }
    try {
      this.opts.transport.send(frame)
    } catch {
      /* the socket is going away; its close event cleans up */
    }
  }

  /** The room is loaded: join it and process what arrived meanwhile. */
  attach(room: Room): void {
    this.room = room
    room.addConnection(this)
    this.drain()
    // after the client's step 1 is answered (above, or as it arrives), not before
    if (this.access === 'write') setImmediate(() => !this.closed && room.prepareForEdits())
  }

  /** One frame from the socket. */
  receive(frame: Uint8Array): void {
    if (this.closed) return
    if (frame.byteLength > this.opts.limits.maxFrameBytes) return this.end(REFUSALS.tooLarge, 'collab.cut.frame', { bytes: frame.byteLength })
    const verdict = this.limiter.arrive()
    if (verdict === 'cutoff') return this.end(REFUSALS.rateLimited, 'collab.cut.rate', { perSecond: this.opts.limits.cutoffPerSecond })
    if (verdict === 'now' && this.backlog.length === 0 && this.room) return this.handle(frame)
    if (this.backlog.length >= this.opts.limits.maxQueuedMessages) return this.end(REFUSALS.rateLimited, 'collab.cut.backlog', { queued: this.backlog.length })
    this.backlog.push({ frame, paid: verdict === 'now' })
    this.drain()
  }

  private drain(): void {
    if (this.drainTimer || !this.room) return
    while (this.backlog.length && !this.closed) {
      const head = this.backlog[0]!
      if (!head.paid && !this.limiter.take()) {
        this.drainTimer = setTimeout(() => {
          this.drainTimer = null
          this.drain()
        }, this.limiter.waitMs())
        return
      }
      this.backlog.shift()
      this.handle(head.frame)
    }
  }

  private handle(frame: Uint8Array): void {
    const room = this.room!
    const decoded = decodeClientMessage(frame)
    if (!decoded.ok) return this.end(REFUSALS.malformed, 'collab.cut.malformed', { ...decoded.error })
    const msg = decoded.msg
    switch (msg.type) {
      case 'sync-step1':
        if (!safeStateVector(msg.stateVector)) return this.end(REFUSALS.malformed, 'collab.cut.malformed', { detail: 'state vector' })
        room.answerStep1(this, msg.stateVector)
        return
      case 'sync-step2':
      case 'sync-update':
        return this.receiveUpdate(room, msg.update)
      case 'awareness': {
        if (msg.update.byteLength > this.opts.limits.maxAwarenessBytes) return this.end(REFUSALS.tooLarge, 'collab.cut.awareness', { bytes: msg.update.byteLength })
        const entries = decodeAwarenessUpdate(msg.update)
        if (!entries) return this.end(REFUSALS.malformed, 'collab.cut.malformed', { detail: 'awareness' })
        const claimed = entries.map((e) => claimedUser(e.state)).find((u) => this.isSomeoneElse(u))
        if (claimed) return this.opts.log.warn('collab.awareness.impersonation', { conn: this.id, room: room.key, actor: this.actorId, claimed })
        if (!room.applyAwareness(this, msg.update, entries)) this.opts.log.warn('collab.awareness.foreign', { conn: this.id, room: room.key })
        return
      }
      case 'query-awareness':
        room.sendAwareness(this)
        return
      case 'auth':
        return // clients have nothing to say in auth messages
    }
  }

  private receiveUpdate(room: Room, update: Uint8Array): void {
    if (update.byteLength > this.opts.limits.maxUpdateBytes) return this.end(REFUSALS.tooLarge, 'collab.cut.update', { bytes: update.byteLength })
    if (isEmptyUpdate(update)) return // e.g. a fresh client's answer to our step 1
    if (this.access !== 'write') {
      // Dropped, not applied: the connection stays to keep receiving. Tell the client, at most every few seconds.
      this.opts.count(REFUSALS.readOnly.reason)
      const now = Date.now()
      if (now - this.lastReadOnlyNotice > READ_ONLY_NOTICE_MS) {
        this.lastReadOnlyNotice = now
        this.send(encodePermissionDenied(denialText(REFUSALS.readOnly)))
        this.opts.log.info('collab.refuse.read-only', { conn: this.id, room: room.key, user: this.actor.id })
      }
      return
    }
    // the database is away and this room (or the server) holds all the unstored edits it may: the update
    // is not taken; the provider reconnects (1013) and sends it again, and keeps it meanwhile
    const { committer } = this.opts
    const full = committer.full(room, update.byteLength)
    if (full) return this.end(REFUSALS.storeFull, 'collab.cut.store-full', { bound: full, holding: committer.holding })
    // past half the bound: the writer is told its edits are not saved yet, before they are refused
    if (committer.nearlyFull(room)) {
      const now = Date.now()
      if (now - this.lastUnsavedNotice > UNSAVED_NOTICE_MS) {
        this.lastUnsavedNotice = now
        this.opts.count(REFUSALS.unsaved.reason)
        this.notify(REFUSALS.unsaved)
        this.opts.log.info('collab.notice.unsaved', { conn: this.id, room: room.key, holding: committer.holding })
      }
    }
    const verdict = room.receiveUpdate(this, update)
    if (!verdict.ok) {
      const first = verdict.problems[0]
      if (first?.code === 'malformed') return this.end(REFUSALS.malformed, 'collab.cut.malformed', { detail: first.message })
      // a problem's message names its field (ParseProblem), so the path is not repeated
      const detail = first?.message.slice(0, 300)
      this.end(REFUSALS.invalidUpdate, 'collab.refuse.shape', { problems: verdict.problems.slice(0, 5) }, detail)
    }
  }

  /**
   * Presence names its user (client/grid/presence.ts: state.user.{id,name}): nobody may appear as
   * someone else, by id or (when the app gave us the display name) by name.
   */
  private isSomeoneElse(claimed: { id?: unknown; name?: unknown }): boolean {
    if (claimed.id !== undefined && claimed.id !== this.actorId) return true
    return claimed.name !== undefined && this.actor.displayName !== undefined && claimed.name !== this.actor.displayName
  }

  /** Tells the client why (auth message), closes the socket and logs the reason. */
  end(refusal: Refusal, event: string, fields: Record<string, unknown> = {}, detail?: string): void {
    if (this.closed) return
    this.opts.count(refusal.reason)
    const level = refusal.code === 1012 ? 'info' : 'warn'
    this.opts.log[level](event, { conn: this.id, room: this.room?.key, user: this.actor.id, code: refusal.code, ...fields })
    try {
      this.opts.transport.send(encodePermissionDenied(denialText(refusal, detail)))
    } catch {
      /* already gone */
    }
    try {
      this.opts.transport.close(refusal.code, refusal.reason)
    } catch {
      /* already gone */
    }
    this.gone()
  }

  /** Tells the client something without closing (a downgrade to read-only). */
  notify(refusal: Pick<Refusal, 'reason' | 'message'>, detail?: string): void {
    this.send(encodePermissionDenied(denialText(refusal, detail)))
  }

  /** The socket closed (or we closed it): leave the room once. */
  gone(): void {
    if (this.closed) return
    this.closed = true
    if (this.drainTimer) clearTimeout(this.drainTimer)
    this.drainTimer = null
    this.backlog.length = 0
    this.room?.removeConnection(this)
    this.opts.onGone(this)
  }
}

/** The user an awareness state claims to be (`state.user.id` and `.name`; undefined where it says nothing). */
function claimedUser(state: unknown): { id?: unknown; name?: unknown } {
  if (typeof state !== 'object' || state === null) return {}
  const user = (state as { user?: unknown }).user
  if (typeof user !== 'object' || user === null) return {}
  const { id, name } = user as { id?: unknown; name?: unknown }
  return { id, name }
}
