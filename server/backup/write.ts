// Writes a backup (server/backup/format.ts) of a database, PGlite or PostgreSQL, as one consistent snapshot:
// everything is read inside one REPEATABLE READ READ ONLY transaction, so the file is the database as it
// was at one instant however long the reading takes and whatever is written meanwhile. On PostgreSQL
// writers are not held up. On PGlite (one session, in process) the transaction holds the database for
// the length of the read (bench/README.md → backup): callers write to a local file, never to a slow peer.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import { once } from 'node:events'
import zlib from 'node:zlib'
import { sql } from 'drizzle-orm'
import type { Db } from '../db/open.ts'
import { executeRows } from '../db/execute.ts'
import { BACKUP_FORMAT, BACKUP_VERSION, type BackupHeader, type BackupMigration, type BackupTable, type BackupTrailer, quoteIdent } from './format.ts'

const FETCH_ROWS = 500
/**
 * rows per fetch from a table with a bytea column (update log, snapshots, 资料清单 files up to 20 MB — about
 * 40 MB of hex each in JSON): a few at a time, written one by one, so memory stays bounded by a few rows
 */
const FETCH_WIDE_ROWS = 4

export interface BackupSummary {
  file: string
  bytes: number
  rows: number
  tables: Record<string, number>
  ms: number
}

interface Catalog {
  tables: (BackupTable & { orderBy: string[]; wide: boolean })[]
}

/** Reads the public schema's tables, their columns, keys and foreign keys; tables come parents first. */
async function readCatalog(tx: Db): Promise<Catalog> {
  const columns = await executeRows<{ table: string; column: string; generated: boolean; sequenced: boolean; bytes: boolean }>(tx, sql.raw(`
    select c.relname as "table", a.attname as "column", a.attgenerated <> '' as "generated", a.atttypid = 'bytea'::regtype as "bytes",
           pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname) is not null as "sequenced"
      from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped
     order by c.relname, a.attnum`))
  const keys = await executeRows<{ table: string; column: string; pos: number }>(tx, sql.raw(`
    select c.relname as "table", a.attname as "column", array_position(i.indkey::int2[], a.attnum) as "pos"
      from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attnum = any(i.indkey)
     where i.indisprimary and n.nspname = 'public'`))
  const fks = await executeRows<{ child: string; parent: string }>(tx, sql.raw(`
    select c.relname as "child", p.relname as "parent"
      from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_class p on p.oid = k.confrelid
      join pg_namespace n on n.oid = c.relnamespace
     where k.contype = 'f' and n.nspname = 'public'`))

  const byName = new Map<string, BackupTable & { orderBy: string[]; wide: boolean }>()
  for (const c of columns) {
    let t = byName.get(c.table)
    if (!t) byName.set(c.table, (t = { name: c.table, columns: [], sequenced: [], selfReferencing: false, rows: 0, orderBy: [], wide: false }))
    if (c.generated) continue
    if (c.bytes) t.wide = true
    t.columns.push(c.column)
    if (c.sequenced) t.sequenced.push(c.column)
  }
  for (const k of [...keys].sort((a, b) => a.pos - b.pos)) byName.get(k.table)?.orderBy.push(k.column)
  const parents = new Map<string, Set<string>>()
  for (const { child, parent } of fks) {
    if (child === parent) byName.get(child)!.selfReferencing = true
    else (parents.get(child) ?? parents.set(child, new Set()).get(child)!).add(parent)
  }
  // Parents before children (names sorted for a stable order); foreign keys among public tables cannot
  // form a cycle without deferrable constraints, which this schema does not have.
  const ordered: (BackupTable & { orderBy: string[]; wide: boolean })[] = []
  const placed = new Set<string>()
  const visit = (name: string, path: string[]) => {
    if (placed.has(name)) return
    if (path.includes(name)) throw new Error(`foreign keys form a cycle: ${[...path, name].join(' → ')}`)
    for (const p of [...(parents.get(name) ?? [])].sort()) if (byName.has(p)) visit(p, [...path, name])
    placed.add(name)
    ordered.push(byName.get(name)!)
  }
  for (const name of [...byName.keys()].sort()) visit(name, [])
  return { tables: ordered }
}

async function readMigrations(tx: Db): Promise<BackupMigration[]> {
  const [exists] = await executeRows<{ ok: boolean }>(tx, sql.raw(`select to_regclass('drizzle.__drizzle_migrations') is not null as ok`))
  if (!exists?.ok) return []
  const rows = await executeRows<{ hash: string; created_at: string | number }>(tx, sql.raw(`select hash, created_at from drizzle.__drizzle_migrations order by created_at, id`))
  return rows.map((r) => ({ hash: r.hash, createdAt: Number(r.created_at) }))
}

/**
 * Writes a backup of `db` to `file` (through `<file>.part`, renamed once complete and flushed, so a
 * half-written backup never carries the final name). The file is created with mode 0600: it holds
 * password hashes and everything in the tables.
 */
export async function writeBackup(db: Db, source: 'pglite' | 'postgres', file: string): Promise<BackupSummary> {
  const t0 = performance.now()
  const part = `${file}.part`
  const out = fs.createWriteStream(part, { mode: 0o600 })
  const gzip = zlib.createGzip({ level: 6 })
  gzip.pipe(out)
  const hash = createHash('sha256')
  let failed: unknown
  // one promise that rejects on the first stream error, raced against every wait for drain
  const broken = new Promise<never>((_, reject) => {
    const fail = (e: unknown) => reject((failed ??= e))
    gzip.on('error', fail)
    out.on('error', fail)
  })
  broken.catch(() => {})
  const write = async (text: string) => {
    if (failed) throw failed
    const buf = Buffer.from(text, 'utf8')
    hash.update(buf)
    if (!gzip.write(buf)) await Promise.race([once(gzip, 'drain'), broken])
  }

  try {
    const counts: Record<string, number> = {}
    let total = 0
    await db.transaction(
      async (tx) => {
        await tx.execute(sql.raw(`set local time zone 'UTC'`))
        const catalog = await readCatalog(tx)
        for (const t of catalog.tables) {
          const [row] = await executeRows<{ n: string | number }>(tx, sql.raw(`select count(*) as n from ${quoteIdent(t.name)}`))
          t.rows = Number(row!.n)
        }
        const header: BackupHeader = {
          format: BACKUP_FORMAT,
          version: BACKUP_VERSION,
          createdAt: new Date().toISOString(),
          source,
          migrations: await readMigrations(tx),
          tables: catalog.tables.map(({ orderBy: _, wide: _w, ...t }) => t),
          excluded: ['DATA_DIR/compilations (compiled books: generated files, made again from the tables)'],
        }
        await write(JSON.stringify(header) + '\n')
        for (const t of catalog.tables) {
          const cols = t.columns.map(quoteIdent).join(', ')
          const order = t.orderBy.length ? ` order by ${t.orderBy.map(quoteIdent).join(', ')}` : ''
          await tx.execute(sql.raw(`declare backup_rows no scroll cursor for select row_to_json(r)::text as j from (select ${cols} from ${quoteIdent(t.name)}${order}) r`))
          let n = 0
          const fetch = t.wide ? FETCH_WIDE_ROWS : FETCH_ROWS
          for (;;) {
            const rows = await executeRows<{ j: string }>(tx, sql.raw(`fetch forward ${fetch} from backup_rows`))
            if (t.wide) for (const r of rows) await write(r.j + '\n')
            else if (rows.length) await write(rows.map((r) => r.j).join('\n') + '\n')
            n += rows.length
            if (rows.length < fetch) break
          }
          await tx.execute(sql.raw(`close backup_rows`))
          // the count was read in the same snapshot, so anything else means the reading went wrong
          if (n !== t.rows) throw new Error(`${t.name}: counted ${t.rows} rows but read ${n}`)
          counts[t.name] = n
          total += n
        }
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    )
    const trailer: BackupTrailer = { end: BACKUP_FORMAT, rows: total, sha256: hash.copy().digest('hex') }
    // the trailer is not part of what its hash covers: write it past the hash
    const tail = Buffer.from(JSON.stringify(trailer) + '\n', 'utf8')
    if (!gzip.write(tail)) await Promise.race([once(gzip, 'drain'), broken])
    gzip.end()
    await Promise.race([once(out, 'close'), broken])
    if (failed) throw failed
    const fd = fs.openSync(part, 'r')
    fs.fsyncSync(fd)
    fs.closeSync(fd)
    fs.renameSync(part, file)
    return { file, bytes: fs.statSync(file).size, rows: total, tables: counts, ms: performance.now() - t0 }
  } catch (err) {
    gzip.destroy()
    out.destroy()
    fs.rmSync(part, { force: true })
    throw err
  }
}
