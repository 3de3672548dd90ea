// Opens the database: PostgreSQL (postgres.js pool) when given a URL, embedded PGlite otherwise.
// Applies the committed migrations from drizzle/ before returning; callers get one Db type for both.
// PostgreSQL waits are bounded (connect timeout, statement timeout) and a monitor (health.ts) says
// whether it answers. WATCH OUT: postgres.js 3.4.9 is patched (patches/, applied by `npm install`'s
// postinstall): unpatched, a connection closed under a query ended the process (an uncaught TypeError
// from a timer); test/faults/driver.test.ts fails without the patch.
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import { sql } from 'drizzle-orm'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import * as schema from './schema.ts'
import { pgErrorCode } from './errors.ts'
import { alwaysAvailable, createDatabaseHealth, type DatabaseHealth } from './health.ts'
import { localSocketPath } from './local-socket.ts'

/** The database handle every repository takes; a transaction (`tx`) is one too. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>

export interface OpenDatabaseOptions {
  /** `postgres://…`; when set, PostgreSQL is used and dataDir/memory are ignored */
  url?: string
  /** PGlite data directory, created if absent */
  dataDir?: string
  /** in-memory PGlite (the default when neither url nor dataDir is given) */
  memory?: boolean
  /** an in-memory PGlite starts from this dumped data directory (`dumpDataDir`; the tests' migrated templates) */
  pgliteDump?: Blob
  /** PostgreSQL pool size (default 10) */
  poolSize?: number
  /** PostgreSQL: give up on a connection attempt after this many seconds (default 5) */
  connectTimeoutS?: number
  /** PostgreSQL: the server cancels a statement running longer than this (default 30 000 ms; 0 = never) */
  statementTimeoutMs?: number
  /** PostgreSQL: health monitor timings (tests shorten them) */
  health?: { intervalMs?: number; probeMs?: number; deadlineMs?: number }
  /**
   * PostgreSQL on this machine (127.0.0.1, localhost, ::1): connect over its unix socket when there is
   * one and it accepts us (default true; DATABASE_UNIX_SOCKET=off). See local-socket.ts.
   */
  unixSocket?: boolean
  /** where to look for the socket file (default SOCKET_DIRS; tests) */
  socketDirs?: readonly string[]
}

export interface Database {
  kind: 'postgres' | 'pglite'
  /** PostgreSQL reached over this unix socket (local-socket.ts); absent: over TCP as the URL says, or PGlite */
  socketPath?: string
  db: Db
  /** how long applying migrations took at open, in ms (without the PGlite WASM start, about 2–3 s) */
  migrateMs: number
  /** resolves when the database answers `select 1` */
  ping(): Promise<void>
  /** whether the database answers right now (always for PGlite); see health.ts */
  health: DatabaseHealth
  close(): Promise<void>
}

/** drizzle/ at the repository root, found from this file so the process's cwd does not matter. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url))

// Any fixed number, shared by every process migrating the same PostgreSQL database.
const MIGRATION_LOCK_KEY = 7_461_203_351

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  if (options.url) return openPostgres(options.url, options)
  return openPglite(options.memory || !options.dataDir ? undefined : options.dataDir, options.pgliteDump)
}

async function openPostgres(url: string, options: OpenDatabaseOptions): Promise<Database> {
  const { default: postgres } = await import('postgres')
  const { drizzle } = await import('drizzle-orm/postgres-js')
  const { migrate } = await import('drizzle-orm/postgres-js/migrator')

  // Migrate on a dedicated single connection, then open the pool: the session-level advisory lock
  // below lives on that connection, so it must be the only one.
  // WATCH OUT: drizzle's migrator takes no lock of its own; two processes starting together would
  // both try to apply the same migration. The advisory lock makes the second one wait, then no-op.
  const t0 = performance.now()
  const connectTimeout = options.connectTimeoutS ?? 5
  const socketPath = options.unixSocket === false ? null : await acceptedSocket(postgres, url, connectTimeout, options.socketDirs)
  // postgres.js connects to `path` (a unix socket) instead of the URL's host and port when it is given
  const via = socketPath ? { path: socketPath } : {}
  const migrator = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: connectTimeout, ...via })
  try {
    const mdb = drizzle(migrator, { schema })
    await mdb.execute(sql.raw(`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`))
    try {
      await migrate(mdb, { migrationsFolder: MIGRATIONS_FOLDER })
    } finally {
      await mdb.execute(sql.raw(`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`))
    }
  } catch (err) {
    throw wrapOpenError('PostgreSQL', redact(url), err)
  } finally {
    await migrator.end({ timeout: 5 })
  }
  const migrateMs = performance.now() - t0

  const statementTimeout = options.statementTimeoutMs ?? 30_000
  const bounded = {
    onnotice: () => {},
    connect_timeout: connectTimeout,
    // a dead peer (machine gone, no RST) is noticed by TCP keepalive instead of after ≈ 15 minutes
    keep_alive: 10,
    // reconnect attempts 0.1 s, 0.2 s, … at most 1 s apart: the driver's default grows to ≈ 20 s
    // (3^n / 100 s), so after a long outage it would notice the database back that much later
    backoff: (retries: number) => Math.min(0.1 * 2 ** retries, 1),
    // sent at connection start: the server itself cancels a statement that runs too long (57014 → 503)
    ...(statementTimeout > 0 ? { connection: { statement_timeout: statementTimeout } } : {}),
  }
  const pool = postgres(url, { max: options.poolSize ?? 10, ...bounded, ...via })
  // The driver-specific database is a PgDatabase over the same schema; only the raw-result type differs.
  const db = drizzle(pool, { schema }) as unknown as Db
  // The monitor pings on a connection of its own: behind a busy pool a ping would wait its turn and
  // call a database that is merely busy "away".
  const probe = postgres(url, { max: 1, ...bounded, ...via })
  const health = createDatabaseHealth(async () => {
    await probe`select 1`
  }, options.health)
  return {
    kind: 'postgres',
    ...(socketPath ? { socketPath } : {}),
    db,
    migrateMs,
    ping: async () => {
      await db.execute(sql`select 1`)
    },
    health,
    close: async () => {
      health.close()
      await Promise.all([pool.end({ timeout: 5 }), probe.end({ timeout: 1 })])
    },
  }
}

async function openPglite(dataDir: string | undefined, dump?: Blob): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite')
  const { drizzle } = await import('drizzle-orm/pglite')
  const { migrate } = await import('drizzle-orm/pglite/migrator')

  // WATCH OUT: PGlite has no lock on its data directory; two processes opening the same one corrupt it.
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true })
  const client = new PGlite({ ...(dataDir ? { dataDir } : {}), ...(dump && !dataDir ? { loadDataDir: dump } : {}) })
  try {
    await client.waitReady
    const t0 = performance.now()
    const pdb = drizzle(client, { schema })
    await migrate(pdb, { migrationsFolder: MIGRATIONS_FOLDER })
    const migrateMs = performance.now() - t0
    const db = pdb as unknown as Db
    return {
      kind: 'pglite',
      db,
      migrateMs,
      ping: async () => {
        await db.execute(sql`select 1`)
      },
      health: alwaysAvailable(),
      close: () => client.close(),
    }
  } catch (err) {
    await client.close().catch(() => {})
    throw wrapOpenError('PGlite', dataDir ?? 'memory', err)
  }
}

/**
 * The unix socket of the local PostgreSQL `url` names, when a connection over it is accepted; null when
 * there is none or it refuses us (then TCP is used as the URL says, and its error is the one reported).
 */
async function acceptedSocket(postgres: typeof import('postgres'), url: string, connectTimeout: number, dirs?: readonly string[]): Promise<string | null> {
  const socketPath = localSocketPath(url, dirs)
  if (!socketPath) return null
  const trial = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: connectTimeout, path: socketPath })
  try {
    await trial`select 1`
    return socketPath
  } catch {
    return null
  } finally {
    await trial.end({ timeout: 1 }).catch(() => {})
  }
}

function wrapOpenError(driver: string, where: string, err: unknown): Error {
  const code = pgErrorCode(err) ?? (err as { code?: unknown } | null)?.code
  const reason = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)
  return new Error(`opening ${driver} database ${where} failed${code ? ` (${String(code)})` : ''}: ${reason}`, { cause: err })
}

/** The URL without its password, fit for logs and error messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return 'postgres://…'
  }
}
