// A minimal Hono app serving only the collaboration routes, on port 0, over real storage; the deps are
// what the app passes: session tokens → actors, table rows → TableRef. Logs are kept for assertions.
import { Hono } from 'hono'
import { serve, type ServerType } from '@hono/node-server'
import { createCollab, type Collab, type CollabDeps } from '../../server/collab/ws-route.ts'
import { createDocLogPersistence, type DocPersistence } from '../../server/collab/persistence.ts'
import type { CollabLog } from '../../server/collab/log.ts'
import type { Storage } from '../../server/storage/index.ts'
import { collabAccess } from '../../server/live.ts'

export interface LogEntry {
  level: 'info' | 'warn' | 'error'
  event: string
  fields: Record<string, unknown>
}

export interface CollabTestServer {
  port: number
  /** the provider's serverUrl: ws://127.0.0.1:<port>/collab */
  url: string
  collab: Collab
  persistence: DocPersistence
  logs: LogEntry[]
  close(): Promise<void>
}

export interface StartCollabOptions extends Partial<Omit<CollabDeps, 'authenticate' | 'resolveTable' | 'persistence'>> {
  storage: Storage
  persistence?: DocPersistence
  /** false on PostgreSQL: see DocLogPersistenceOptions */
  synchronousCommit?: boolean
  port?: number
}

export function recordingLog(logs: LogEntry[], echo = process.env.COLLAB_LOG === '1'): CollabLog {
  const rec = (level: LogEntry['level']) => (event: string, fields: Record<string, unknown> = {}) => {
    logs.push({ level, event, fields })
    if (echo || level === 'error') console.log(`[collab ${level}] ${event}`, JSON.stringify(fields).slice(0, 400))
  }
  return { info: rec('info'), warn: rec('warn'), error: rec('error') }
}

export async function startCollabServer(opts: StartCollabOptions): Promise<CollabTestServer> {
  const { storage, port = 0, synchronousCommit, ...rest } = opts
  const logs: LogEntry[] = []
  const persistence = opts.persistence ?? createDocLogPersistence(storage, { synchronousCommit })
  const collab = createCollab({
    log: recordingLog(logs),
    ...rest,
    persistence,
    ...collabAccess(storage),
  })
  const app = new Hono()
  collab.mount(app)
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => resolve(s))
  })
  collab.injectWebSocket(server)
  const address = server.address()
  const actualPort = typeof address === 'object' && address ? address.port : port
  let closed = false
  return {
    port: actualPort,
    url: `ws://127.0.0.1:${actualPort}/collab`,
    collab,
    persistence,
    logs,
    async close() {
      if (closed) return
      closed = true
      await collab.shutdown()
      await new Promise<void>((resolve) => {
        ;(server as { closeAllConnections?: () => void }).closeAllConnections?.()
        server.close(() => resolve())
      })
    },
  }
}
