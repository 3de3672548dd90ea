// 年度结转 of one department with TABLES approved tables (issue 16 item 6; target < 5 s): the department's
// tables of FROM (S09-shaped 延续 projects with every fifth one 一次性, plus the department table S06) are
// stored approved (a frozen approved version, as 审核通过 leaves them), then POST /api/rollover runs as a
// preview (dryRun), for real (creates the next year's tables through createTables), and again (nothing to do)
// — on PGlite (a data directory on disk) and PostgreSQL.
//   npx tsx bench/rollover.ts     (env: TABLES=40, ONLY=pglite|postgres, BENCH_DATABASE_URL or TEST_DATABASE_URL)
import os from 'node:os'
import { createApp } from '../server/app.ts'
import { bootstrap } from '../server/bootstrap/seed.ts'
import { loadConfig } from '../server/config.ts'
import { openDatabase, type OpenDatabaseOptions } from '../server/db/open.ts'
import { createStorage } from '../server/storage/index.ts'
import { createTables } from '../server/tables/create.ts'
import { storedFindingsCache } from '../server/tables/findings.ts'
import { parseTableOrThrow, type TargetTable } from '../shared/model/index.ts'
import { onEachDatabase } from './lib/databases.ts'
import { loadSample } from '../test/helpers/samples.ts'

const env = process.env
const TABLES = Number(env.TABLES ?? 40)
const FROM = 2030
const PASSWORD = 'bench-password-123'
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`

function contents(): TargetTable[] {
  const out: TargetTable[] = []
  const dept = { ...(loadSample('S06') as Record<string, unknown>), year: FROM }
  out.push(parseTableOrThrow(dept))
  for (let i = 1; i < TABLES; i++) {
    const p: Record<string, any> = { ...(loadSample('S09') as Record<string, any>), year: FROM }
    p.header = { ...p.header, projectName: `项目${String(i).padStart(3, '0')}`, projectAttribute: '延续', oneOff: i % 5 === 0 }
    out.push(parseTableOrThrow(p))
  }
  return out
}

async function run(kind: 'pglite' | 'postgres', open: OpenDatabaseOptions): Promise<void> {
  console.log(`\n--- ${kind}`)
  const database = await openDatabase(open)
  const storage = createStorage(database.db)
  await bootstrap(storage, { adminUsername: 'admin', adminPassword: PASSWORD, demo: false })
  const admin = (await storage.users.getByUsername('admin'))!
  const dept = await storage.departments.create({ code: '900', name: '测试市结转局', kind: 'department' })
  const t0 = performance.now()
  const items = contents()
  await storage.transaction(async (tx) => {
    const rows = await createTables(tx, admin.id, items.map((content) => ({ content, departmentId: dept.id, title: content.kind === 'project' ? content.header.projectName : '测试市结转局' })))
    for (const [i, row] of rows.entries()) {
      await tx.versions.freeze({ tableId: row.id, version: 1, round: 1, reason: 'approved', content: items[i], createdBy: admin.id })
      await tx.tables.updateState(row.id, { status: 'draft', round: 1, version: 0 }, { status: 'approved', version: 1 })
    }
  })
  console.log(`setup: ${TABLES} approved tables in ${s(performance.now() - t0)}`)
  const app = createApp({ config: loadConfig({}), database, storage, findings: storedFindingsCache(storage) })
  const login = await app.request('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) })
  const token = ((await login.json()) as { token: string }).token
  const roll = async (label: string, dryRun: boolean) => {
    const t1 = performance.now()
    const res = await app.request('/api/rollover', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ fromYear: FROM, departmentIds: [dept.id], dryRun }) })
    const body = (await res.json()) as { carried: unknown[]; leftOut: unknown[]; refused: unknown[] }
    const ms = performance.now() - t1
    if (res.status >= 300) throw new Error(`rollover ${res.status} ${JSON.stringify(body).slice(0, 300)}`)
    console.log(`${label}: ${s(ms)} (carried ${body.carried.length}, left out ${body.leftOut.length}, refused ${body.refused.length})`)
    return ms
  }
  await roll('preview (dryRun)', true)
  const real = await roll('rollover', false)
  await roll('again (all rolled already)', false)
  console.log(`target: rollover of ${TABLES} tables ${s(real)} (< 5 s ${real < 5000 ? 'met' : 'MISSED'})`)
  await database.close()
}

async function main(): Promise<void> {
  console.log(`Node ${process.version}, ${os.cpus().length} CPU(s) ${os.cpus()[0]?.model ?? ''}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`)
  await onEachDatabase('rollover', run)
}

await main()
