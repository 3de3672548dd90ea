// Types shared by the route modules: the app's dependencies and the per-request variables.
import type { Hono } from 'hono'
import type { Config } from '../config.ts'
import type { Database } from '../db/open.ts'
import type { Storage } from '../storage/index.ts'
import type { Caller } from '../auth/session.ts'
import type { FindingsCache } from '../tables/findings.ts'
import type { LiveDocs } from '../tables/documents.ts'
import type { DocWriter } from '../workflow/propagate.ts'

export interface AppDeps {
  config: Readonly<Config>
  database: Database
  storage: Storage
  findings: FindingsCache
  live?: LiveDocs
  /** told after a table's status changes, so live connections are re-checked */
  onTableStateChanged?: (tableId: string) => void
  /** told after a session is revoked, so open sockets signed in with it are cut off */
  onSessionRevoked?: () => void
  /** server-side edits of live documents (Collab.change: stored, broadcast to open sockets, in field history) */
  collab?: DocWriter
  /** mounts the live-document WebSocket routes (server/collab) before the static client */
  mountCollab?: (app: Hono<AppEnv>) => void
  /** the background job runner (server/jobs): told when a job is queued so it starts at once */
  jobs?: { wake(): void }
  /** the token of GET /api/admin/backup (server/backup/endpoint.ts); unset = the endpoint refuses every call */
  backupToken?: string
  /** directory of the built client; served when present */
  clientDir?: string
}

export interface AppEnv {
  Variables: { caller: Caller | null }
}

export type App = Hono<AppEnv>
