// Backup and restore (server/backup/) of a city with 2 000 tables, each with a live document (a compacted
// snapshot and a tail of 10 edits), a frozen version and audit rows: time to write the backup (on PGlite
// the database is held for this long), to verify it, file size, and time to restore it into an empty
// PGlite data directory and, when TEST_DATABASE_URL is set, into a new PostgreSQL database and back up
// from there.
//   npx tsx bench/backup.ts        (env: TABLES=2000, TEST_DATABASE_URL=postgres://…/test)
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as Y from 'yjs'
import { openDatabase } from '../server/db/open.ts'
import { createStorage } from '../server/storage/index.ts'
import { bootstrap } from '../server/bootstrap/seed.ts'
import { writeBackup } from '../server/backup/write.ts'
import { verifyBackup } from '../server/backup/read.ts'
import { restoreBackup } from '../server/backup/restore.ts'
import { parseTableOrThrow } from '../shared/model/index.ts'
import { encodeTable, rowIds, setRowField } from '../shared/ydoc/index.ts'
import { sampleContent, seedApprovedTables } from '../test/helpers/compilations.ts'
import { createTestDatabase } from '../test/helpers/database.ts'

const TABLES = Number(process.env.TABLES ?? 2000)
const s = (ms: number) => (ms / 1000).toFixed(1) + ' s'
const mb = (b: number) => (b / 1024 / 1024).toFixed(1) + ' MB'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-bench-backup-'))
try {
  const sourceDir = path.join(tmp, 'source', 'pglite')
  const database = await openDatabase({ dataDir: sourceDir })
  const storage = createStorage(database.db)
  await bootstrap(storage, { adminUsername: 'admin', adminPassword: 'bench-password', demo: true })
  const departmentIds = (await storage.departments.list()).filter((d) => d.kind !== 'unit').map((d) => d.id)
  let t0 = performance.now()
  const perDepartment = Math.ceil(TABLES / departmentIds.length)
  const tables = (await seedApprovedTables(storage, { departmentIds, perDepartment, year: 2026 })).slice(0, TABLES)
  for (const [i, t] of tables.entries()) {
    const doc = new Y.Doc()
    Y.applyUpdate(doc, encodeTable(parseTableOrThrow(sampleContent(i, 2026))))
    const base = Y.encodeStateAsUpdate(doc)
    const [id] = await storage.docLog.appendUpdates(t.tableId, 'table', [{ update: base, userId: null }])
    await storage.docLog.compact(t.tableId, 'table', base, id!)
    const edits = []
    const rows = rowIds(doc, 'indicators')
    for (let k = 0; k < 10; k++) {
      const before = Y.encodeStateVector(doc)
      setRowField(doc, 'indicators', rows[k % rows.length]!, 'target', String(90 + k))
      edits.push({ update: Y.encodeStateAsUpdate(doc, before), userId: null })
    }
    await storage.docLog.appendUpdates(t.tableId, 'table', edits)
    await storage.audit.record({ userId: null, action: 'table.create', tableId: t.tableId, details: { i } })
    await storage.audit.record({ userId: null, action: 'table.approve', tableId: t.tableId, details: { version: 1 } })
  }
  console.log(`seeded ${tables.length} tables in ${s(performance.now() - t0)}`)

  const file = path.join(tmp, 'backup.jsonl.gz')
  const b = await writeBackup(database.db, 'pglite', file)
  await database.close()
  t0 = performance.now()
  await verifyBackup(file)
  const verifyMs = performance.now() - t0
  const raw = Object.entries(b.tables).map(([n, c]) => `${n} ${c}`).join(', ')
  console.log(`backup (PGlite, database held throughout): ${s(b.ms)}, ${mb(b.bytes)}, ${b.rows} rows (${raw})`)
  console.log(`verify (read back, SHA-256): ${s(verifyMs)}`)

  const r = await restoreBackup(file, { kind: 'pglite', dataDir: path.join(tmp, 'restored') })
  console.log(`restore into an empty PGlite data directory: ${s(r.ms)} (verification included)`)

  if (process.env.TEST_DATABASE_URL) {
    const pg = await createTestDatabase()
    try {
      const rp = await restoreBackup(file, { kind: 'postgres', url: pg.url })
      console.log(`restore into a new PostgreSQL database: ${s(rp.ms)} (verification included)`)
      const { default: postgres } = await import('postgres')
      const { drizzle } = await import('drizzle-orm/postgres-js')
      const client = postgres(pg.url, { max: 1, onnotice: () => {} })
      const bp = await writeBackup(drizzle(client) as never, 'postgres', path.join(tmp, 'from-pg.jsonl.gz'))
      await client.end({ timeout: 5 })
      console.log(`backup (PostgreSQL, REPEATABLE READ, writers not held): ${s(bp.ms)}, ${mb(bp.bytes)}`)
    } finally {
      await pg.drop()
    }
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true })
}
