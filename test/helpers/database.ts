// Databases for tests: in-memory PGlite, or a private PostgreSQL database created for this run
// from TEST_DATABASE_URL and dropped afterwards. Never creates tables in the shared database itself.
import { randomBytes } from 'node:crypto'
import postgres from 'postgres'
import { afterAll, beforeAll } from 'vitest'
import { openDatabase, redact, type Database } from '../../server/db/open.ts'

/** e.g. postgres://postgres@127.0.0.1:5432/test; unset → PostgreSQL tests report themselves as not configured */
export const TEST_DATABASE_URL: string | undefined = process.env.TEST_DATABASE_URL || undefined

export type TestDatabaseKind = 'pglite' | 'postgres'

export interface TestDatabase {
  /** connection URL of the private database */
  url: string
  name: string
  drop(): Promise<void>
}

export interface OpenedTestDatabase extends Database {
  /** PostgreSQL only: URL of the private database, to open more connections to it */
  url?: string
  /** closes the handle and, for PostgreSQL, drops the private database */
  dispose(): Promise<void>
}

const PREFIX = 'tt_test_'
// A run killed before its afterAll leaves its database behind; the next run removes those older than this.
const STALE_AFTER_S = 6 * 60 * 60

function adminClient(baseUrl: string) {
  return postgres(baseUrl, { max: 1, onnotice: () => {} })
}

function withDatabase(baseUrl: string, name: string): string {
  const u = new URL(baseUrl)
  u.pathname = '/' + name
  return u.toString()
}

/** Creates `tt_test_<unix seconds>_<random>` next to the database of `baseUrl`. */
export async function createTestDatabase(baseUrl: string | undefined = TEST_DATABASE_URL): Promise<TestDatabase> {
  if (!baseUrl) throw new Error('TEST_DATABASE_URL is not set')
  const nowS = Math.floor(Date.now() / 1000)
  const name = `${PREFIX}${nowS}_${randomBytes(5).toString('hex')}`
  const admin = adminClient(baseUrl)
  try {
    await dropStale(admin, nowS)
    // The name is generated above from digits and hex only, so it is safe to splice in.
    await admin.unsafe(`create database "${name}"`)
  } catch (err) {
    throw new Error(`cannot create a test database via ${redact(baseUrl)}: ${(err as Error).message}`, { cause: err })
  } finally {
    await admin.end({ timeout: 5 })
  }
  let dropped = false
  return {
    url: withDatabase(baseUrl, name),
    name,
    async drop() {
      if (dropped) return
      dropped = true
      const a = adminClient(baseUrl)
      try {
        await a.unsafe(`drop database if exists "${name}" with (force)`)
      } finally {
        await a.end({ timeout: 5 })
      }
    },
  }
}

async function dropStale(admin: postgres.Sql, nowS: number): Promise<void> {
  const rows = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${PREFIX + '%'}`
  for (const { datname } of rows) {
    const m = /^tt_test_(\d+)_[0-9a-f]+$/.exec(datname)
    if (m && nowS - Number(m[1]) > STALE_AFTER_S) {
      await admin.unsafe(`drop database if exists "${datname}" with (force)`).catch(() => {})
    }
  }
}

/** A migrated database of the given kind; call dispose() when done. */
export async function openTestDatabase(kind: TestDatabaseKind): Promise<OpenedTestDatabase> {
  if (kind === 'pglite') {
    const database = await openDatabase({ memory: true })
    return { ...database, dispose: () => database.close() }
  }
  const created = await createTestDatabase()
  try {
    const database = await openDatabase({ url: created.url, poolSize: 5 })
    return {
      ...database,
      url: created.url,
      async dispose() {
        try {
          await database.close()
        } finally {
          await created.drop()
        }
      },
    }
  } catch (err) {
    await created.drop()
    throw err
  }
}

/**
 * Opens a database of `kind` before the tests of the enclosing describe (or file) and disposes of
 * it after them. Returns a getter, valid from beforeAll on.
 */
export function withTestDatabase(kind: TestDatabaseKind): () => OpenedTestDatabase {
  let database: OpenedTestDatabase | undefined
  beforeAll(async () => {
    database = await openTestDatabase(kind)
  })
  afterAll(async () => {
    await database?.dispose()
  })
  return () => {
    if (!database) throw new Error('test database used before beforeAll')
    return database
  }
}
