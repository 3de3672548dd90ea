// Wires the live-collaboration layer to the rest of the server: sockets authenticate with the
// same sessions as REST, tables resolve to permission facts, settled documents refresh findings.
import { createCollab, type Collab, type CollabDeps } from './collab/ws-route.ts'
import { createDocLogPersistence } from './collab/persistence.ts'
import { createRedisBus } from './collab/redis.ts'
import { consoleLog, type CollabLog } from './collab/log.ts'
import { resolveCaller, tokenFromRequest } from './auth/session.ts'
import type { Storage } from './storage/index.ts'
import type { FindingsCache } from './tables/findings.ts'
import type { AppDeps } from './http/context.ts'

export interface LiveOptions {
  storage: Storage
  findings: FindingsCache
  redisUrl?: string
  /** false: relaxed commit of update-log appends (PostgreSQL only; PGlite runs in-process and must sync) */
  synchronousCommit?: boolean
  /** 'quiet' keeps info lines out of test output; warnings and errors are always printed */
  log?: 'console' | 'quiet'
}

const quietLog: CollabLog = { info: () => {}, warn: consoleLog.warn, error: consoleLog.error }

export async function createLive(options: LiveOptions): Promise<Collab> {
  const { storage, findings } = options
  const log = options.log === 'quiet' ? quietLog : consoleLog
  const bus = options.redisUrl ? await createRedisBus({ url: options.redisUrl, log }) : undefined
  return createCollab({
    ...collabAccess(storage),
    persistence: createDocLogPersistence(storage, { synchronousCommit: options.synchronousCommit ?? true }),
    onSettled: (tableId, content, version) => findings.refresh(tableId, content, version),
    bus,
    log,
  })
}

/** Who a socket is (the same sessions as REST, with the user's display name for presence) and what a table allows. */
export function collabAccess(storage: Storage): Pick<CollabDeps, 'authenticate' | 'resolveTable'> {
  return {
    async authenticate({ token, cookie }) {
      const caller = await resolveCaller(storage, tokenFromRequest({ cookie }, token))
      return caller ? { ...caller.actor, displayName: caller.user.displayName } : null
    },
    async resolveTable(tableId) {
      const t = await storage.tables.get(tableId)
      return t ? { departmentId: t.departmentId, status: t.status, classified: t.classified } : null
    },
  }
}

/** The app hooks through which live documents follow REST: routes mounted, access re-checked after changes. */
export function liveAppHooks(live: Collab): Pick<AppDeps, 'mountCollab' | 'onTableStateChanged' | 'onSessionRevoked'> {
  return {
    // WATCH OUT: the collab routes use no request variables, so the app env type does not matter there.
    mountCollab: (app) => live.mount(app as unknown as Parameters<Collab['mount']>[0]),
    onTableStateChanged: (id) => void live.revalidate(id),
    onSessionRevoked: () => void live.revalidate(),
  }
}
