// Wires the live-collaboration layer to the rest of the server: sockets authenticate with the
// same sessions as REST, tables resolve to permission facts, settled documents refresh findings.
import { createCollab, type Collab, type CollabDeps } from './collab/ws-route.ts'
import { createDocLogPersistence } from './collab/persistence.ts'
import { createRedisBus } from './collab/redis.ts'
import { consoleLog, type CollabLog } from './collab/log.ts'
import { resolveCaller, tokenFromRequest } from './auth/session.ts'
import type { Storage } from './storage/index.ts'
import type { FindingsCache } from './tables/findings.ts'
import { historyWriter } from './tables/history.ts'
import { countOpenThreads } from './tables/documents.ts'
import type { AppDeps } from './http/context.ts'

export interface LiveOptions {
  storage: Storage
  findings: FindingsCache
  redisUrl?: string
  /** false: relaxed commit of update-log appends (PostgreSQL only; PGlite runs in-process and must sync) */
  synchronousCommit?: boolean
  /** when an edit reaches the others: once stored (default) or at once (config.durability) */
  durability?: CollabDeps['durability']
  /** bounds of the edits held while the database is away (config.collabHold) */
  holdLimits?: CollabDeps['holdLimits']
  /** 'quiet' keeps info lines out of test output; warnings and errors are always printed */
  log?: 'console' | 'quiet'
  /** how long a session may go unused (config.sessionIdleMs), the same as REST */
  sessionIdleMs?: number
  /** how often open sockets have their sessions re-checked (default SESSION_CHECK_MS) */
  sessionCheckMs?: number
}

/**
 * Open sockets re-check their sessions this often: a session that expired or went idle is cut (4401)
 * within this time, and an open socket counts as use (y-websocket clients renew their awareness every
 * 15 s while the page is open), so the check moves its lastSeenAt (at most once a minute).
 */
export const SESSION_CHECK_MS = 60_000

const quietLog: CollabLog = { info: () => {}, warn: consoleLog.warn, error: consoleLog.error }

export async function createLive(options: LiveOptions): Promise<Collab> {
  const { storage, findings } = options
  const log = options.log === 'quiet' ? quietLog : consoleLog
  const bus = options.redisUrl ? await createRedisBus({ url: options.redisUrl, log }) : undefined
  const writeHistory = historyWriter(storage, log)
  const collab = createCollab({
    ...collabAccess(storage, options.sessionIdleMs),
    persistence: createDocLogPersistence(storage, { synchronousCommit: options.synchronousCommit ?? true }),
    onSettled: (tableId, content, version, changes) => {
      // the field-level history: each settle's changes, attributed by the room's journal
      void writeHistory(tableId, changes)
      return findings.refresh(tableId, content, version)
    },
    // the list's 有未解决意见 filter and count read the stored number
    onCommentsSettled: (tableId, threads) => storage.tables.setOpenThreads(tableId, countOpenThreads(threads)),
    bus,
    log,
    durability: options.durability,
    holdLimits: options.holdLimits,
  })
  const stopSweep = sweepSessions(collab, options.sessionCheckMs ?? SESSION_CHECK_MS)
  const shutdown = collab.shutdown
  collab.shutdown = async () => {
    stopSweep()
    await shutdown()
    // the last settles' history (started by the rooms' unload, not awaited there) is written before the
    // caller closes the database
    await writeHistory('', [])
  }
  return collab
}

/** Re-checks every open socket's session on a timer; returns the stop function. */
export function sweepSessions(collab: Pick<Collab, 'revalidate'>, everyMs: number): () => void {
  let running = false
  const timer = setInterval(() => {
    if (running) return // a slow database: never pile checks up
    running = true
    collab.revalidate().catch(() => {}).finally(() => (running = false))
  }, everyMs)
  timer.unref()
  return () => clearInterval(timer)
}

/**
 * Who a socket is (the same sessions as REST, with the user's display name for presence) and what a
 * table allows. Lookups already under way are shared: a 联审会 joining at once, or a page opening its
 * table and comments rooms, asks the same questions many times in the same instant, and each upgrade
 * waited for its own queries through the database pool (100 clients: ≈ 250 ms until the last socket
 * opened, bench/README.md → collab.ts). Nothing is kept once a lookup settles, so a revoked session or a
 * changed table is seen by the next connection.
 */
export function collabAccess(storage: Storage, sessionIdleMs?: number): Pick<CollabDeps, 'authenticate' | 'resolveTable'> {
  const caller = sharedInFlight(async (token: string) => {
    const found = await resolveCaller(storage, token, sessionIdleMs)
    return found ? { ...found.actor, displayName: found.user.displayName } : null
  })
  const table = sharedInFlight(async (tableId: string) => {
    const t = await storage.tables.get(tableId)
    return t ? { departmentId: t.departmentId, status: t.status, classified: t.classified, year: t.year } : null
  })
  return {
    async authenticate({ token, cookie }) {
      const t = tokenFromRequest({ cookie }, token)
      const found = t ? await caller(t) : null
      return found ? { ...found, departmentIds: [...found.departmentIds] } : null
    },
    async resolveTable(tableId) {
      const found = await table(tableId)
      return found ? { ...found } : null
    },
  }
}

/** Concurrent calls with the same key share one promise; it is forgotten as soon as it settles. */
function sharedInFlight<R>(fn: (key: string) => Promise<R>): (key: string) => Promise<R> {
  const flights = new Map<string, Promise<R>>()
  return (key) => {
    let p = flights.get(key)
    if (!p) {
      p = fn(key).finally(() => flights.delete(key))
      flights.set(key, p)
    }
    return p
  }
}

/** The app hooks through which live documents follow REST: routes mounted, access re-checked after changes. */
export function liveAppHooks(live: Collab): Pick<AppDeps, 'mountCollab' | 'onTableStateChanged' | 'onSessionRevoked' | 'collab'> {
  return {
    collab: live,
    // WATCH OUT: the collab routes use no request variables, so the app env type does not matter there.
    mountCollab: (app) => live.mount(app as unknown as Parameters<Collab['mount']>[0]),
    onTableStateChanged: (id) => void live.revalidate(id),
    onSessionRevoked: () => void live.revalidate(),
  }
}
