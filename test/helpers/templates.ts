// Migrated (and demo-seeded) databases made once per test run and copied for each test database,
// instead of initdb + every migration (+ the demo bootstrap with its argon2 hashes) each time:
// - PGlite: the data directory of a migrated in-memory PGlite, dumped to a tar file that each new
//   PGlite loads (`loadDataDir`); initdb is skipped.
// - PostgreSQL: a migrated database that `create database … template …` copies.
// The run's globalSetup (test/helpers/global-setup.ts) names a private directory and a database name
// prefix and removes both at the end. Without it (a bench script using these helpers) PGlite templates
// are kept in memory for the process and PostgreSQL databases are created and migrated as before.
// Every test database is still opened through the migrator, which then finds nothing to apply.
import fs from 'node:fs'
import path from 'node:path'
import postgres from 'postgres'
import { inject } from 'vitest'
import { openDatabase } from '../../server/db/open.ts'
import { createStorage } from '../../server/storage/index.ts'
import { bootstrap } from '../../server/bootstrap/seed.ts'

/** what a template holds: the migrated schema only, or also the demo city (bootstrap with demo: true) */
export type TemplateKind = 'empty' | 'demo'

/** the password of the bootstrap administrator `admin` in the demo template (and in makeTestApp/startServer) */
export const ADMIN_PASSWORD = 'admin-password-for-tests'

export interface TemplateRun {
  /** a directory private to this run, for the PGlite dumps and the browser files' client copies (browser.ts) */
  dir: string
  /** `tt_test_<unix seconds>_<hex>`: the PostgreSQL templates are this plus one hex digit per kind */
  pgPrefix: string
}

declare module 'vitest' {
  export interface ProvidedContext {
    ttTemplates: TemplateRun
  }
}

export function templateRun(): TemplateRun | undefined {
  try {
    return inject('ttTemplates')
  } catch {
    return undefined // not inside a vitest worker, or no globalSetup
  }
}

/** the same call makeTestApp and startServer make on a fresh database */
export async function seedDemo(storage: ReturnType<typeof createStorage>): Promise<void> {
  await bootstrap(storage, { adminUsername: 'admin', adminPassword: ADMIN_PASSWORD, demo: true })
}

// ---- PGlite ----

const inProcess = new Map<TemplateKind, Promise<Blob>>()

/** the dumped data directory of a migrated PGlite (with the demo city for 'demo') */
export function pgliteTemplate(kind: TemplateKind): Promise<Blob> {
  let p = inProcess.get(kind)
  if (!p) {
    p = loadOrBuildPglite(kind)
    inProcess.set(kind, p)
    p.catch(() => inProcess.delete(kind))
  }
  return p
}

async function buildPglite(kind: TemplateKind): Promise<Blob> {
  const database = await openDatabase({ memory: true })
  try {
    if (kind === 'demo') await seedDemo(createStorage(database.db))
    const client = (database.db as unknown as { $client: { dumpDataDir(c: 'none'): Promise<Blob> } }).$client
    return await client.dumpDataDir('none')
  } finally {
    await database.close()
  }
}

async function loadOrBuildPglite(kind: TemplateKind): Promise<Blob> {
  const run = templateRun()
  if (!run) return buildPglite(kind)
  const file = path.join(run.dir, `pglite-${kind}.tar`)
  // vitest runs test files in parallel processes: one builds the file, the others wait for it
  await withDirLock(file + '.lock', async () => {
    if (fs.existsSync(file)) return
    const blob = await buildPglite(kind)
    fs.writeFileSync(file + '.part', Buffer.from(await blob.arrayBuffer()))
    fs.renameSync(file + '.part', file)
  })
  return new Blob([fs.readFileSync(file)])
}

async function withDirLock(lock: string, fn: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + 300_000
  for (;;) {
    try {
      fs.mkdirSync(lock)
      break
    } catch {
      if (Date.now() > deadline) throw new Error(`template lock ${lock} held too long`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  try {
    await fn()
  } finally {
    fs.rmSync(lock, { recursive: true, force: true })
  }
}

// ---- PostgreSQL ----

// Any fixed number (not open.ts's migration lock): held while a template is being made.
const TEMPLATE_LOCK_KEY = 7_461_203_352

export function withDatabase(baseUrl: string, name: string): string {
  const u = new URL(baseUrl)
  u.pathname = '/' + name
  return u.toString()
}

/**
 * The name of this run's PostgreSQL template of `kind`, made (migrated, seeded) on first use; undefined
 * outside a vitest run with the globalSetup. `admin` is a connection to the database of `baseUrl`.
 */
export async function postgresTemplate(admin: postgres.Sql, baseUrl: string, kind: TemplateKind): Promise<string | undefined> {
  const run = templateRun()
  if (!run) return undefined
  // digits and hex only (safe to splice in, and dropped as stale by a later run if this one is killed)
  const name = run.pgPrefix + (kind === 'demo' ? 'd' : 'e')
  const building = name + 'b'
  const exists = async (n: string) => (await admin`select 1 from pg_database where datname = ${n}`).length > 0
  if (await exists(name)) return name
  await admin.unsafe(`select pg_advisory_lock(${TEMPLATE_LOCK_KEY})`)
  try {
    if (await exists(name)) return name
    await admin.unsafe(`drop database if exists "${building}" with (force)`)
    await admin.unsafe(`create database "${building}"`)
    const database = await openDatabase({ url: withDatabase(baseUrl, building), poolSize: 1 })
    try {
      if (kind === 'demo') await seedDemo(createStorage(database.db))
    } finally {
      await database.close()
    }
    // renamed once complete, so a half-made template (a process killed meanwhile) is never copied
    await admin.unsafe(`alter database "${building}" rename to "${name}"`)
    return name
  } finally {
    await admin.unsafe(`select pg_advisory_unlock(${TEMPLATE_LOCK_KEY})`)
  }
}
