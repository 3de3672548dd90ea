// Databases for tests: in-memory PGlite, or a private PostgreSQL database created for this run
// from TEST_DATABASE_URL and dropped afterwards. Never creates tables in the shared database itself.
import { randomBytes } from 'node:crypto'
import postgres from 'postgres'
import { afterAll, beforeAll } from 'vitest'
import { openDatabase, redact, type Database } from '../../server/db/open.ts'
import { createStorage } from '../../server/storage/index.ts'
import { pgliteTemplate, postgresTemplate, seedDemo, withDatabase, type TemplateKind } from './templates.ts'

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

/**
 * Creates `tt_test_<unix seconds>_<random>` next to the database of `baseUrl`. With `template`, inside a
 * vitest run, it is a copy of this run's migrated template of that kind (see templates.ts) and
 * `fromTemplate` is true; otherwise it is empty.
 */
export async function createTestDatabase(
  baseUrl: string | undefined = TEST_DATABASE_URL,
  options: { template?: TemplateKind } = {},
): Promise<TestDatabase & { fromTemplate: boolean }> {
  if (!baseUrl) throw new Error('TEST_DATABASE_URL is not set')
  const nowS = Math.floor(Date.now() / 1000)
  const name = `${PREFIX}${nowS}_${randomBytes(5).toString('hex')}`
  const admin = adminClient(baseUrl)
  let template: string | undefined
  try {
    await dropStale(admin, nowS)
    template = options.template ? await postgresTemplate(admin, baseUrl, options.template) : undefined
    // The names are generated from digits and hex only, so they are safe to splice in.
    await admin.unsafe(`create database "${name}"${template ? ` template "${template}"` : ''}`)
  } catch (err) {
    throw new Error(`cannot create a test database via ${redact(baseUrl)}: ${(err as Error).message}`, { cause: err })
  } finally {
    await admin.end({ timeout: 5 })
  }
  let dropped = false
  return {
    url: withDatabase(baseUrl, name),
    name,
    fromTemplate: template !== undefined,
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

export interface OpenTestDatabaseOptions {
  /**
   * also seeded with the demo city and the administrator `admin` / ADMIN_PASSWORD, as makeTestApp and
   * startServer bootstrap it (their bootstrap call then finds the database seeded and does nothing)
   */
  demo?: boolean
}

/** A migrated database of the given kind; call dispose() when done. */
export async function openTestDatabase(kind: TestDatabaseKind, options: OpenTestDatabaseOptions = {}): Promise<OpenedTestDatabase> {
  const template: TemplateKind = options.demo ? 'demo' : 'empty'
  if (kind === 'pglite') {
    const database = await openDatabase({ memory: true, pgliteDump: await pgliteTemplate(template) })
    return { ...database, dispose: () => database.close() }
  }
  const created = await createTestDatabase(undefined, { template })
  try {
    if (options.demo && !created.fromTemplate) {
      const database = await openDatabase({ url: created.url, poolSize: 5 })
      try {
        await seedDemo(createStorage(database.db))
      } finally {
        await database.close()
      }
    }
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
