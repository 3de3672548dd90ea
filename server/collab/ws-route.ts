// The transport: `createCollab(deps)` mounts `/collab/<tableId>` and `/collab/<tableId>/comments` on a
// Hono app through @hono/node-ws, authenticates each upgrade (accepted, then refused with 4401/4403 so
// the provider stops retrying), and wires connection → room → committer → storage (→ Redis).
import { monitorEventLoopDelay, type IntervalHistogram, type RecordableHistogram } from 'node:perf_hooks'
import type { Hono } from 'hono'
import { createNodeWebSocket } from '@hono/node-ws'
import type { WSContext } from 'hono/ws'
import type * as Y from 'yjs'
import { roomAccess, can, type Actor, type TableRef } from '../../shared/permissions.ts'
import type { ParseResult, TargetTable } from '../../shared/model/index.ts'
import { fromYDoc, type CommentThread } from '../../shared/ydoc/index.ts'
import { writeTableStateMessage } from '../../shared/ydoc/table-state-message.ts'
import * as encoding from 'lib0/encoding'
import type { DocBus } from './bus.ts'
import { Committer, type Durability, type HoldLimits } from './commit.ts'
import { isDatabaseUnavailable } from '../db/errors.ts'
import { commentsShapeChecker } from './comments-shape.ts'
import { Connection, type CollabActor, type Credentials } from './connection.ts'
import { DEFAULT_LIMITS, type GuardLimits } from './guard.ts'
import type { JournalChange } from './journal.ts'
import { consoleLog, type CollabLog } from './log.ts'
import type { DocPersistence } from './persistence.ts'
import { encodePermissionDenied } from './protocol.ts'
import { denialText, REFUSALS, type Refusal } from './refusals.ts'
import { DEFAULT_TIMINGS, RoomRegistry, type Timings } from './registry.ts'
import type { RoomKind } from './room.ts'
import { tableShapeChecker } from './table-shape.ts'
import { hasSessionCookie, sameOrigin } from '../http/csrf.ts'
import { sendBinary } from './wire.ts'
import type { WebSocket } from 'ws'

export interface CollabDeps {
  /**
   * the signed-in user of a token (`?token=`) or session cookie; null when neither is valid (→ 4401).
   * With `displayName`, presence must show that name (connection.ts).
   */
  authenticate(req: { token?: string; cookie?: string }): Promise<CollabActor | null>
  /** the table's permission facts; null when there is no such table (→ 4403) */
  resolveTable(tableId: string): Promise<TableRef | null>
  persistence: DocPersistence
  /**
   * Called when a table's changes have settled (and once after a load) with its strictly parsed
   * content and what changed since the previous settle, attributed (journal.ts). Whatever it returns
   * (or resolves to), unless undefined, is published as findings.
   */
  onSettled?(tableId: string, content: TargetTable, version: number, changes: JournalChange[]): unknown
  /** Called when a table's comments room has settled (and once after its load) with its threads. */
  onCommentsSettled?(tableId: string, threads: CommentThread[]): unknown
  log?: CollabLog
  /** cross-process sharing (redis.ts: createRedisBus); without it one process works alone */
  bus?: DocBus
  limits?: Partial<GuardLimits>
  timings?: Partial<Timings>
  /** how much may wait for storage while the database is away (commit.ts DEFAULT_HOLD_LIMITS) */
  holdLimits?: Partial<HoldLimits>
  /**
   * 'store-first' (default): an update is broadcast once stored. 'relay': broadcast at once and stored by
   * the next write, at most `timings.relayWriteGapMs` later (commit.ts Durability, README.md → Durability).
   */
  durability?: Durability
}

export interface CollabStats {
  durability: Durability
  /** what may wait for storage while the database is away */
  holdLimits: HoldLimits
  rooms: number
  loading: number
  connections: number
  queuedUpdates: number
  commits: Committer['counters']
  registry: RoomRegistry['counters']
  refusals: Record<string, number>
  /** event-loop delay since the last stats() call (what every edit waits for on top of its own work) */
  eventLoopMs: Percentiles
  /** update-log append round trips since the last stats() call */
  storeRoundTripMs: Percentiles
  /** per update: accepted → stored and sent to the room, since the last stats() call */
  holdMs: Percentiles
}

/** A latency distribution in milliseconds. */
export interface Percentiles {
  p50: number
  p99: number
  max: number
}

/** Reads and resets a histogram recorded in `unitsPerMs` units (1e6 for ns, 1e3 for µs), rounded to 0.01 ms. */
function takePercentiles(h: RecordableHistogram | IntervalHistogram, unitsPerMs: number): Percentiles {
  const ms = (v: number) => Math.round((v / unitsPerMs) * 100) / 100
  const r = h.count ? { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) } : { p50: 0, p99: 0, max: 0 }
  h.reset()
  return r
}

export interface Collab {
  /** registers the two WebSocket routes on `app` (default base path `/collab`) */
  mount(app: Hono, basePath?: string): void
  /** attaches the upgrade handler to the Node server returned by `serve()` (after mount) */
  injectWebSocket(server: Parameters<ReturnType<typeof createNodeWebSocket>['injectWebSocket']>[0]): void
  /** re-checks every connection of a table (or of all tables) after a status change or a revocation */
  revalidate(tableId?: string): Promise<void>
  /** sends findings to the table's connections that asked for them (`?findings=1`) */
  publishFindings(tableId: string, payload: unknown): void
  /** a server-side edit of a live document: stored, then broadcast; resolves once stored */
  change(tableId: string, room: RoomKind, fn: (doc: Y.Doc) => void, userId?: string | null): Promise<void>
  /** the table's current content from the live document (loading it if needed) */
  content(tableId: string): Promise<ParseResult>
  /** closes every connection (1012: clients reconnect), stores every document, unloads */
  shutdown(): Promise<void>
  stats(): CollabStats
  /** the database is back: try the held writes now instead of at the end of their backoff */
  retryStores(): void
  /** `listener` hears of every update-log write that failed and will be retried; returns its removal */
  onStoreFailure(listener: (err: unknown) => void): () => void
}

const TABLE_ID = /^[A-Za-z0-9_-]{1,64}$/

/** The `ws` socket under the Hono context (what @hono/node-ws puts in `raw`). */
interface RawSocket {
  bufferedAmount: number
  on(event: 'message', cb: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): void
}

type Decision = { ok: true; actor: Actor; access: 'write' | 'read' } | { ok: false; refusal: Refusal; detail?: string }

export function createCollab(deps: CollabDeps): Collab {
  const log = deps.log ?? consoleLog
  const limits: GuardLimits = { ...DEFAULT_LIMITS, ...deps.limits }
  const timings: Timings = { ...DEFAULT_TIMINGS, ...deps.timings }
  const refusals: Record<string, number> = {}
  const count = (reason: string) => {
    refusals[reason] = (refusals[reason] ?? 0) + 1
  }
  const connections = new Set<Connection>()
  const loopDelay = monitorEventLoopDelay({ resolution: 5 })
  loopDelay.enable()
  let nextId = 1
  let closing = false

  // eslint-disable-next-line prefer-const -- assigned right below; the committer needs it for onLost
  let registry: RoomRegistry
  const committer = new Committer({
    persistence: deps.persistence,
    log,
    paceMsPerReceiver: timings.paceMsPerReceiver,
    paceMaxMs: timings.paceMaxMs,
    paceMinReceivers: timings.paceMinReceivers,
    relayWriteGapMs: timings.relayWriteGapMs,
    holdLimits: deps.holdLimits,
    durability: deps.durability,
    onStored: deps.bus ? (room, update, id) => deps.bus!.publishUpdate(room.key, update, id) : undefined,
    onLost: (room) => {
      for (const c of connections) if (c.room === room) c.end(REFUSALS.notFound, 'collab.cut.lost')
      registry.evict(room)
    },
  })
  registry = new RoomRegistry({
    persistence: deps.persistence,
    committer,
    checkers: { table: tableShapeChecker, comments: commentsShapeChecker },
    log,
    timings,
    bus: deps.bus,
    onSettled: deps.onSettled,
    onCommentsSettled: deps.onCommentsSettled,
  })

  async function decide(tableId: string, kind: RoomKind, credentials: Credentials): Promise<Decision> {
    if (!TABLE_ID.test(tableId)) return { ok: false, refusal: REFUSALS.notFound }
    // both at once: a connection waits for one round trip instead of two
    const [actor, ref] = await Promise.all([deps.authenticate(credentials), deps.resolveTable(tableId)])
    if (!actor) return { ok: false, refusal: REFUSALS.unauthorized }
    if (!ref) return { ok: false, refusal: REFUSALS.notFound }
    const access = roomAccess(actor, ref, kind)
    if (access === 'none') {
      const d = can(actor, 'read', ref)
      return { ok: false, refusal: REFUSALS.forbidden, detail: d.allowed ? undefined : d.reason }
    }
    return { ok: true, actor, access }
  }

  function refuse(ws: WSContext<unknown>, refusal: Refusal, detail?: string): void {
    count(refusal.reason)
    try {
      ws.send(encodePermissionDenied(denialText(refusal, detail)) as Uint8Array<ArrayBuffer>)
      ws.close(refusal.code, refusal.reason)
    } catch {
      /* gone already */
    }
  }

  // WATCH OUT: @hono/node-ws builds an ErrorEvent for socket errors (e.g. a frame over maxPayload), a global
  // Node 20 lacks; the ReferenceError lands here instead of in onError. The close event follows either way.
  const wsOptions = { onError: (err: unknown) => log.info('collab.ws.error', { error: String(err) }) }

  function route(kind: RoomKind, upgradeWebSocket: ReturnType<typeof createNodeWebSocket>['upgradeWebSocket']) {
    return upgradeWebSocket(async (c) => {
      const tableId = c.req.param('tableId') ?? ''
      const credentials: Credentials = { token: c.req.query('token') || undefined, cookie: c.req.header('cookie') || undefined }
      const wantsFindings = c.req.query('findings') === '1'
      let decision: Decision
      if (closing) decision = { ok: false, refusal: REFUSALS.restarting }
      else {
        try {
          decision = await decide(tableId, kind, credentials)
        } catch (err) {
          // the database away: a transient refusal that says so (the provider reconnects)
          const away = isDatabaseUnavailable(err)
          log[away ? 'warn' : 'error']('collab.auth.failed', { tableId, error: String(err) })
          decision = { ok: false, refusal: away ? REFUSALS.unavailable : REFUSALS.internal }
        }
      }
      let conn: Connection | null = null
      return {
        onOpen(_evt, ws) {
          if (!decision.ok) {
            log.info('collab.refuse.connect', { tableId, kind, reason: decision.refusal.reason, detail: decision.detail })
            return refuse(ws, decision.refusal, decision.detail)
          }
          const raw = ws.raw as RawSocket | undefined
          const c = new Connection({
            id: nextId++,
            actor: decision.actor,
            access: decision.access,
            credentials,
            wantsFindings,
            limits,
            committer,
            log,
            count,
            transport: {
              // the fast path writes a frame built once per broadcast (wire.ts); lib0 encoders always
              // produce ArrayBuffer-backed arrays for the fallback
              send: (frame) => {
                if (!raw || !sendBinary(raw as unknown as WebSocket, frame)) ws.send(frame as Uint8Array<ArrayBuffer>)
              },
              close: (code, reason) => ws.close(code, reason),
              bufferedAmount: () => raw?.bufferedAmount ?? 0,
            },
            onGone: (gone) => {
              connections.delete(gone)
              if (gone.room) registry.release(gone.room)
            },
          })
          conn = c
          connections.add(c)
          // WATCH OUT: frames are read from the ws socket itself, not through onMessage: @hono/node-ws builds a
          // MessageEvent and copies the data for every frame, which showed up in profiles. Nothing can
          // arrive before this listener: onOpen runs in the same tick as the socket's creation.
          raw?.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
            if (!isBinary) return c.end(REFUSALS.malformed, 'collab.cut.text-frame')
            // a copy: the Buffer may be a view into a larger read buffer that must not be kept alive
            c.receive(data instanceof ArrayBuffer ? new Uint8Array(data.slice(0)) : new Uint8Array(Array.isArray(data) ? Buffer.concat(data) : data))
          })
          registry.acquire(tableId, kind).then(
            (room) => {
              if (c.closed) return registry.release(room)
              c.attach(room)
            },
            (err: unknown) => (isDatabaseUnavailable(err) ? c.end(REFUSALS.unavailable, 'collab.cut.load', { error: String(err) }) : c.end(REFUSALS.internal, 'collab.cut.load')),
          )
        },
        onClose() {
          conn?.gone()
        },
        onError() {
          conn?.gone()
        },
      }
    }, wsOptions)
  }

  /**
   * After a status change: the table's state (message type 101) to the table-room connections that
   * speak our messages (`?findings=1`; a stock provider logs unknown types), each access already re-checked.
   * Only this process's connections: with REDIS_URL each process announces to its own after the bus's revalidate.
   */
  async function announceState(tableId: string, ref: Promise<TableRef | null> | undefined): Promise<void> {
    const table = await (ref ?? deps.resolveTable(tableId))
    if (!table) return
    const e = encoding.createEncoder()
    writeTableStateMessage(e, { status: table.status })
    const frame = encoding.toUint8Array(e)
    for (const c of connections) {
      if (!c.closed && c.wantsFindings && c.room?.tableId === tableId && c.room.kind === 'table') c.send(frame)
    }
  }

  /** re-checks this process's connections of a table (or of all tables): session, access, status */
  async function revalidateHere(tableId?: string): Promise<void> {
    const refs = new Map<string, Promise<TableRef | null>>()
    const targets = [...connections].filter((c) => c.room && (!tableId || c.room.tableId === tableId))
    await Promise.all(
      targets.map(async (c) => {
        const room = c.room!
        let ref = refs.get(room.tableId)
        if (!ref) refs.set(room.tableId, (ref = deps.resolveTable(room.tableId)))
        const [actor, table] = await Promise.all([deps.authenticate(c.credentials), ref])
        if (c.closed) return
        if (!actor) return c.end(REFUSALS.unauthorized, 'collab.revalidate.unauthorized')
        if (!table) return c.end(REFUSALS.notFound, 'collab.revalidate.gone')
        const access = roomAccess(actor, table, room.kind)
        if (access === 'none') return c.end(REFUSALS.forbidden, 'collab.revalidate.forbidden')
        if (access === 'read' && c.access === 'write') {
          c.access = 'read'
          const d = can(actor, room.kind === 'table' ? 'edit' : 'comment', table)
          c.notify(REFUSALS.readOnly, d.allowed ? undefined : d.reason)
        } else if (access === 'write' && c.access === 'read') c.access = 'write'
      }),
    )
    if (tableId) await announceState(tableId, refs.get(tableId))
  }
  // another process changed a table's status or revoked someone: re-check here too; after a gap in the
  // bus, requests may have been missed, so everything is re-checked
  const recheck = (tableId: string | null) => void revalidateHere(tableId ?? undefined).catch((err: unknown) => log.error('collab.revalidate.failed', { tableId, error: String(err) }))
  deps.bus?.onRevalidate(recheck)
  deps.bus?.onReconnect(() => recheck(null))

  let inject: Collab['injectWebSocket'] = () => {
    throw new Error('collab.mount(app) must run before injectWebSocket')
  }

  return {
    mount(app, basePath = '/collab') {
      const nodeWs = createNodeWebSocket({ app })
      // WATCH OUT: ws reads maxPayload from the server's options at each upgrade; @hono/node-ws does not
      // expose it, so set it here. Past it ws closes with 1009 without buffering the frame.
      ;(nodeWs.wss.options as { maxPayload?: number }).maxPayload = limits.maxFrameBytes
      // Cross-site WebSocket hijacking: a socket authenticated by the session cookie (no `?token=`, which
      // wins over the cookie) must be opened by our own pages — same rule as /api (server/http/csrf.ts).
      // Refused before the upgrade: the other site's page gets an HTTP 403, never a socket.
      app.use(`${basePath}/*`, async (c, next) => {
        if (!c.req.query('token') && hasSessionCookie(c.req.header('cookie')) && !sameOrigin(c)) {
          count('cross_site')
          log.info('collab.refuse.cross-site', { origin: c.req.header('origin') ?? null })
          return c.text('跨站连接已拒绝', 403)
        }
        return next()
      })
      app.get(`${basePath}/:tableId/comments`, route('comments', nodeWs.upgradeWebSocket))
      app.get(`${basePath}/:tableId`, route('table', nodeWs.upgradeWebSocket))
      inject = (server) => nodeWs.injectWebSocket(server)
    },

    injectWebSocket(server) {
      inject(server)
    },

    async revalidate(tableId) {
      // the other processes (REDIS_URL) hold connections to the same tables: they re-check theirs too
      deps.bus?.publishRevalidate(tableId ?? null)
      await revalidateHere(tableId)
    },

    publishFindings(tableId, payload) {
      registry.get(tableId, 'table')?.setFindings(payload)
    },

    change(tableId, room, fn, userId = null) {
      return registry.change(tableId, room, fn, userId)
    },

    async content(tableId) {
      const room = await registry.acquire(tableId, 'table')
      try {
        await room.whenStored() // never report an edit a crash could still lose
        return fromYDoc(room.doc)
      } finally {
        registry.release(room)
      }
    },

    retryStores() {
      committer.retryNow()
    },
    onStoreFailure(listener) {
      committer.failureListeners.add(listener)
      return () => committer.failureListeners.delete(listener)
    },
    async shutdown() {
      closing = true
      for (const c of [...connections]) c.end(REFUSALS.restarting, 'collab.shutdown')
      await registry.shutdown()
      await deps.persistence.close?.()
      await deps.bus?.close()
      loopDelay.disable()
    },

    stats() {
      return {
        durability: committer.relay ? 'relay' : 'store-first',
        holdLimits: { ...committer.limits },
        eventLoopMs: takePercentiles(loopDelay, 1e6),
        storeRoundTripMs: takePercentiles(committer.storeMicros, 1e3),
        holdMs: takePercentiles(committer.holdMicros, 1e3),
        rooms: registry.rooms.size,
        loading: registry.loadingCount,
        connections: connections.size,
        queuedUpdates: committer.queued,
        commits: { ...committer.counters },
        registry: { ...registry.counters },
        refusals: { ...refusals },
      }
    },
  }
}
