// Restores a backup (server/backup/format.ts) into an empty embedded data directory or an empty
// PostgreSQL database, all or nothing:
//   1. the target is checked empty (refused otherwise: nothing is ever overwritten);
//   2. the whole file is verified (server/backup/read.ts) before anything is written;
//   3. in ONE transaction: the schema is created by the same migrations the backup was taken at (drizzle's
//      own bookkeeping included, so a newer server migrates the rest on its next start), the rows are
//      inserted table by table, parents first, and every sequence is set past the highest restored value.
// PGlite is restored into DATA_DIR/pglite.part and renamed to DATA_DIR/pglite only once committed and
// closed, so an interrupted restore never leaves a database the server would open.
import fs from 'node:fs'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { readMigrationFiles } from 'drizzle-orm/migrator'
import type { Db } from '../db/open.ts'
import { MIGRATIONS_FOLDER } from '../db/open.ts'
import { executeRows } from '../db/execute.ts'
import { BackupError, quoteIdent, type BackupHeader, type BackupTable } from './format.ts'
import { backupLines, parseHeader, verifyBackup } from './read.ts'

export type RestoreTarget = { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string }

export interface RestoreSummary {
  rows: number
  tables: Record<string, number>
  migrations: number
  ms: number
}

// the same key server/db/open.ts holds while migrating: a server starting meanwhile waits for the restore
const MIGRATION_LOCK_KEY = 7_461_203_351
const BATCH_ROWS = 1000
const BATCH_BYTES = 4 * 1024 * 1024

/** The PGlite database directory inside a data directory, as server/main.ts opens it. */
export const pgliteDir = (dataDir: string) => path.join(dataDir, 'pglite')

/** Refuses a data directory that exists and holds anything. */
export function checkDataDirEmpty(dataDir: string): void {
  let entries: string[]
  try {
    entries = fs.readdirSync(dataDir)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
    throw err
  }
  if (entries.length > 0) {
    const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? ' …' : '')
    throw new BackupError(
      `数据目录 ${dataDir} 不是空的（${shown}），拒绝恢复：恢复只写入空的数据目录，不覆盖任何数据。`,
      `The data directory ${dataDir} is not empty (${shown}); restore only writes into an empty data directory and overwrites nothing.`,
    )
  }
}

/** Names of the relations a database holds outside the system schemas (empty = a new database). */
async function userRelations(db: Db): Promise<string[]> {
  const rows = await executeRows<{ name: string }>(db, sql.raw(`
    select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp%'
       and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
     order by 1 limit 6`))
  return rows.map((r) => r.name)
}

function notEmptyDatabase(names: string[]): BackupError {
  const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? ' …' : '')
  return new BackupError(
    `目标数据库不是空的（已有 ${shown}），拒绝恢复：恢复只写入新建的空数据库，不覆盖任何数据。`,
    `The target database is not empty (it holds ${shown}); restore only writes into a new, empty database and overwrites nothing.`,
  )
}

/** The backup's migrations must be the first ones this release knows, file for file. */
function migrationsToApply(header: BackupHeader) {
  const known = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER })
  if (header.migrations.length === 0) {
    throw new BackupError('备份中没有数据库结构版本记录，无法恢复。', 'The backup records no schema migrations; it cannot be restored.')
  }
  if (header.migrations.length > known.length) {
    throw new BackupError(
      `备份来自更新的版本（数据库结构第 ${header.migrations.length} 版，本版本只到第 ${known.length} 版），请用相同或更新的版本恢复。未写入任何数据。`,
      `The backup comes from a newer release (schema migration ${header.migrations.length}, this release knows ${known.length}); restore it with the same or a newer release. Nothing was written.`,
    )
  }
  header.migrations.forEach((m, i) => {
    if (known[i]!.hash !== m.hash) {
      throw new BackupError(
        `备份的数据库结构第 ${i + 1} 版与本版本的不同，无法恢复。未写入任何数据。`,
        `Schema migration ${i + 1} of the backup differs from this release's; it cannot be restored. Nothing was written.`,
      )
    }
  })
  return known.slice(0, header.migrations.length)
}

/** Creates the schema exactly as drizzle's migrator would have at the backup's migration. */
async function applyMigrations(tx: Db, migrations: ReturnType<typeof readMigrationFiles>): Promise<void> {
  await tx.execute(sql.raw(`create schema if not exists drizzle`))
  await tx.execute(sql.raw(`create table if not exists drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)`))
  for (const m of migrations) {
    for (const stmt of m.sql) await tx.execute(sql.raw(stmt))
    await tx.execute(sql`insert into drizzle.__drizzle_migrations ("hash", "created_at") values (${m.hash}, ${m.folderMillis})`)
  }
}

async function insertBatch(tx: Db, table: BackupTable, lines: Buffer[]): Promise<void> {
  if (lines.length === 0) return
  const cols = table.columns.map(quoteIdent).join(', ')
  const json = '[' + lines.map((l) => l.toString('utf8')).join(',') + ']'
  // OVERRIDING SYSTEM VALUE: identity columns (GENERATED ALWAYS) take the backed-up ids
  await tx.execute(sql`insert into ${sql.raw(quoteIdent(table.name))} (${sql.raw(cols)}) overriding system value
    select ${sql.raw(cols)} from json_populate_recordset(null::${sql.raw(quoteIdent(table.name))}, ${json}::json)`)
}

/** Inserts the file's rows (already verified) table by table, then moves every sequence past them. */
async function insertRows(tx: Db, file: string, header: BackupHeader): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  const lines = backupLines(file)
  parseHeader((await lines.next()).value as Buffer)
  for (const table of header.tables) {
    let batch: Buffer[] = []
    let bytes = 0
    for (let i = 0; i < table.rows; i++) {
      const { value, done } = await lines.next()
      if (done) throw new BackupError('备份文件在恢复过程中发生变化。', 'The backup file changed while it was being restored.')
      batch.push(Buffer.from(value)) // the reader reuses its chunk; keep a copy
      bytes += value.length
      // a table whose foreign key points at itself goes in one statement: its checks run at the statement's end
      if (!table.selfReferencing && (batch.length >= BATCH_ROWS || bytes >= BATCH_BYTES)) {
        await insertBatch(tx, table, batch)
        batch = []
        bytes = 0
      }
    }
    await insertBatch(tx, table, batch)
    const [row] = await executeRows<{ n: string | number }>(tx, sql.raw(`select count(*) as n from ${quoteIdent(table.name)}`))
    if (Number(row!.n) !== table.rows) throw new Error(`${table.name}: restored ${String(row!.n)} rows of ${table.rows}`)
    counts[table.name] = table.rows
    for (const col of table.sequenced) {
      const q = quoteIdent(table.name)
      await tx.execute(sql.raw(`select setval(pg_get_serial_sequence('public.${q.replace(/'/g, "''")}', '${col.replace(/'/g, "''")}'),
        coalesce((select max(${quoteIdent(col)}) from ${q}), 0) + 1, false)`))
    }
  }
  await lines.return(undefined)
  return counts
}

async function restoreInto(db: Db, file: string, header: BackupHeader, migrations: ReturnType<typeof readMigrationFiles>, lock: boolean) {
  return db.transaction(async (tx) => {
    if (lock) await tx.execute(sql.raw(`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`))
    const present = await userRelations(tx)
    if (present.length) throw notEmptyDatabase(present)
    await applyMigrations(tx, migrations)
    return insertRows(tx, file, header)
  })
}

/** Restores `file` into `target`; throws BackupError (nothing written) when refused. */
export async function restoreBackup(file: string, target: RestoreTarget): Promise<RestoreSummary> {
  const t0 = performance.now()
  if (target.kind === 'pglite') return restorePglite(file, target.dataDir, t0)
  return restorePostgres(file, target.url, t0)
}

async function restorePglite(file: string, dataDir: string, t0: number): Promise<RestoreSummary> {
  checkDataDirEmpty(dataDir)
  const { header } = await verifyBackup(file)
  const migrations = migrationsToApply(header)
  const { PGlite } = await import('@electric-sql/pglite')
  const { drizzle } = await import('drizzle-orm/pglite')
  const createdDataDir = !fs.existsSync(dataDir)
  const part = `${pgliteDir(dataDir)}.part`
  fs.mkdirSync(part, { recursive: true })
  const client = new PGlite(part)
  let closed = false
  try {
    await client.waitReady
    const tables = await restoreInto(drizzle(client) as unknown as Db, file, header, migrations, false)
    await client.close()
    closed = true
    fs.renameSync(part, pgliteDir(dataDir))
    return summary(tables, migrations.length, t0)
  } catch (err) {
    if (!closed) await client.close().catch(() => {})
    fs.rmSync(createdDataDir ? dataDir : part, { recursive: true, force: true })
    throw err
  }
}

async function restorePostgres(file: string, url: string, t0: number): Promise<RestoreSummary> {
  const { default: postgres } = await import('postgres')
  const { drizzle } = await import('drizzle-orm/postgres-js')
  const client = postgres(url, { max: 1, onnotice: () => {} })
  try {
    const db = drizzle(client) as unknown as Db
    const present = await userRelations(db)
    if (present.length) throw notEmptyDatabase(present)
    const { header } = await verifyBackup(file)
    const migrations = migrationsToApply(header)
    const tables = await restoreInto(db, file, header, migrations, true)
    return summary(tables, migrations.length, t0)
  } finally {
    await client.end({ timeout: 5 })
  }
}

function summary(tables: Record<string, number>, migrations: number, t0: number): RestoreSummary {
  return { tables, rows: Object.values(tables).reduce((a, b) => a + b, 0), migrations, ms: performance.now() - t0 }
}
