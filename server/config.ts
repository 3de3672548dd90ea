// The only reader of process.env: parses once into a typed, frozen config and fails fast,
// naming the variable, when a value is wrong.
import path from 'node:path'
import { z } from 'zod'

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres://').optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must start with redis://').optional(),
  ADMIN_USERNAME: z.string().min(1).default('admin'),
  ADMIN_PASSWORD: z.string().min(8, 'must have at least 8 characters').optional(),
  DEMO: z.enum(['0', '1']).optional(),
  SYNCHRONOUS_COMMIT: z.enum(['on', 'off']).default('off'),
  DURABILITY: z.enum(['store-first', 'relay'], { message: "must be 'store-first' or 'relay'" }).default('store-first'),
  COLLAB_HOLD_ROOM_UPDATES: z.coerce.number().int().min(10).max(10_000_000).default(20_000),
  COLLAB_HOLD_ROOM_MB: z.coerce.number().min(1).max(4096).default(16),
  COLLAB_HOLD_TOTAL_UPDATES: z.coerce.number().int().min(10).max(100_000_000).default(200_000),
  COLLAB_HOLD_TOTAL_MB: z.coerce.number().min(1).max(65_536).default(64),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  JOB_LEASE_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(525_600).default(480),
  SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(8_760).default(168),
  DB_CONNECT_TIMEOUT_S: z.coerce.number().int().min(1).max(300).default(5),
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  DATABASE_UNIX_SOCKET: z.enum(['auto', 'off'], { message: "must be 'auto' or 'off'" }).default('auto'),
})

export interface Config {
  port: number
  host: string
  databaseUrl?: string
  dataDir: string
  redisUrl?: string
  adminUsername: string
  adminPassword?: string
  demo: boolean
  /**
   * PostgreSQL only: 'on' makes every update-log append wait for the WAL flush. 'off' (default) still
   * survives any crash of this server; a crash of PostgreSQL or the machine may lose ≈0.6 s of edits,
   * which the clients still hold and re-send on reconnect. See server/collab/README.md → Durability.
   */
  synchronousCommit: boolean
  /**
   * When a live edit reaches the other editors (DURABILITY). 'store-first' (default): once its append to
   * the update log has committed — a crash of this server loses nothing anyone has seen. 'relay': at once,
   * appended by the next write, at most 10 ms later — a crash loses only what no connected client holds
   * (their clients re-send it on reconnect). See server/collab/README.md → Durability.
   */
  durability: 'store-first' | 'relay'
  /**
   * How many unstored live edits may wait in memory while the database is away, per table room and in
   * all (COLLAB_HOLD_ROOM_UPDATES / _MB, COLLAB_HOLD_TOTAL_UPDATES / _MB). Writers are told at half of a
   * bound; past it their edits are refused (1013 E_STORE_FULL) and their clients re-send them later.
   */
  collabHold: { roomUpdates: number; roomBytes: number; totalUpdates: number; totalBytes: number }
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent'
  /**
   * How long a background job's lease lasts without renewal (renewed every third of it). A job whose
   * process died is taken up again by any server once its lease ran out. See server/jobs/README.md.
   */
  jobLeaseMs: number
  /** a session unused this long is over (SESSION_IDLE_MINUTES); its last use is written at most once a minute */
  sessionIdleMs: number
  /** a session is over this long after sign-in, however busy (SESSION_MAX_HOURS) */
  sessionMaxMs: number
  /** PostgreSQL: a connection attempt gives up after this many seconds (DB_CONNECT_TIMEOUT_S) */
  dbConnectTimeoutS: number
  /** PostgreSQL: the server cancels a statement running longer (DB_STATEMENT_TIMEOUT_MS; 0 = never) */
  dbStatementTimeoutMs: number
  /**
   * PostgreSQL on this machine: connect over its unix socket when it has one that accepts us
   * (DATABASE_UNIX_SOCKET=auto, the default) instead of TCP loopback; 'off' keeps the URL's TCP.
   */
  dbUnixSocket: boolean
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const r = schema.safeParse(cleaned)
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${String(i.path[0])}: ${i.message}`)
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`)
  }
  const e = r.data
  if (e.COLLAB_HOLD_ROOM_UPDATES > e.COLLAB_HOLD_TOTAL_UPDATES) throw new Error('Invalid configuration:\n  COLLAB_HOLD_ROOM_UPDATES: must not exceed COLLAB_HOLD_TOTAL_UPDATES')
  if (e.COLLAB_HOLD_ROOM_MB > e.COLLAB_HOLD_TOTAL_MB) throw new Error('Invalid configuration:\n  COLLAB_HOLD_ROOM_MB: must not exceed COLLAB_HOLD_TOTAL_MB')
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.DATA_DIR),
    redisUrl: e.REDIS_URL,
    adminUsername: e.ADMIN_USERNAME,
    adminPassword: e.ADMIN_PASSWORD,
    demo: e.DEMO === undefined ? !e.DATABASE_URL : e.DEMO === '1',
    synchronousCommit: e.SYNCHRONOUS_COMMIT === 'on',
    durability: e.DURABILITY,
    collabHold: Object.freeze({
      roomUpdates: e.COLLAB_HOLD_ROOM_UPDATES,
      roomBytes: Math.round(e.COLLAB_HOLD_ROOM_MB * 1024 * 1024),
      totalUpdates: e.COLLAB_HOLD_TOTAL_UPDATES,
      totalBytes: Math.round(e.COLLAB_HOLD_TOTAL_MB * 1024 * 1024),
    }),
    logLevel: e.LOG_LEVEL,
    jobLeaseMs: e.JOB_LEASE_MS,
    sessionIdleMs: e.SESSION_IDLE_MINUTES * 60_000,
    sessionMaxMs: e.SESSION_MAX_HOURS * 3_600_000,
    dbConnectTimeoutS: e.DB_CONNECT_TIMEOUT_S,
    dbStatementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS,
    dbUnixSocket: e.DATABASE_UNIX_SOCKET === 'auto',
  })
}
