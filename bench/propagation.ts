// Propagation of a group's shared set (issue 16 item 4; target < 5 s): a 30-indicator department table (S06
// shaped) propagated to MEMBERS members — two thirds with a draft department table of their own (3 own rows),
// one third with none (created from the source) — through each member's live document (Collab.change, as
// the server does), then again after the group table changed 10 targets and every member overrode 2 rows:
// preview (dryRun), first propagation, nothing-to-do run, re-propagation with overrides kept. On PGlite (a
// data directory on disk) and PostgreSQL.
//   npx tsx bench/propagation.ts     (env: MEMBERS=36, INDICATORS=30, ONLY=pglite|postgres, BENCH_DATABASE_URL or TEST_DATABASE_URL)
import os from 'node:os'
import { createApp } from '../server/app.ts'
import { bootstrap } from '../server/bootstrap/seed.ts'
import { loadConfig } from '../server/config.ts'
import { openDatabase, type OpenDatabaseOptions } from '../server/db/open.ts'
import { createLive, liveAppHooks } from '../server/live.ts'
import { createStorage } from '../server/storage/index.ts'
import { createTables } from '../server/tables/create.ts'
import { storedFindingsCache } from '../server/tables/findings.ts'
import type { PropagationReport } from '../shared/api/groups.ts'
import { parseTableOrThrow, type DepartmentTable } from '../shared/model/index.ts'
import { getRow, tableRoot } from '../shared/ydoc/index.ts'
import { onEachDatabase } from './lib/databases.ts'
import { loadSample } from '../test/helpers/samples.ts'
import type * as Y from 'yjs'

const env = process.env
const MEMBERS = Number(env.MEMBERS ?? 36)
const INDICATORS = Number(env.INDICATORS ?? 30)
const YEAR = 2033
const PASSWORD = 'bench-password-123'
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`

function deptTable(name: string, code: string, rows: number, prefix: string): DepartmentTable {
  const c = loadSample('S06') as Record<string, any>
  const base = c.indicators as Record<string, any>[]
  c.year = YEAR
  c.header = { ...c.header, deptName: name, deptCode: code }
  c.indicators = Array.from({ length: rows }, (_, i) => ({ ...base[i % base.length], level3: `${prefix}${String(i + 1).padStart(2, '0')}`, target: String(10 + i) }))
  return parseTableOrThrow(c) as DepartmentTable
}

const indicatorRows = (doc: Y.Doc) => (tableRoot(doc).get('indicators') as Y.Array<Y.Map<unknown>>).toArray()

async function run(kind: 'pglite' | 'postgres', open: OpenDatabaseOptions): Promise<void> {
  console.log(`\n--- ${kind}`)
  const database = await openDatabase(open)
  const storage = createStorage(database.db)
  await bootstrap(storage, { adminUsername: 'admin', adminPassword: PASSWORD, demo: false })
  const admin = (await storage.users.getByUsername('admin'))!
  const findings = storedFindingsCache(storage)
  const live = await createLive({ storage, findings, log: 'quiet' })
  const t0 = performance.now()
  const source = await storage.departments.create({ code: '950', name: '测试市民主党派甲', kind: 'department' })
  const members: string[] = []
  for (let i = 1; i <= MEMBERS; i++) members.push((await storage.departments.create({ code: `95${String(i).padStart(2, '0')}x`, name: `测试市同质化部门${i}`, kind: 'department' })).id)
  const withTable = members.filter((_, i) => i % 3 !== 2)
  const [sourceTable] = await storage.transaction(async (tx) => {
    const src = await createTables(tx, admin.id, [{ content: deptTable('测试市民主党派甲', '950', INDICATORS, '共性指标'), departmentId: source.id, title: '共性指标集' }])
    await createTables(tx, admin.id, withTable.map((id, i) => ({ content: deptTable(`测试市同质化部门${i}`, `m${i}`, 3, '自有指标'), departmentId: id, title: `成员表${i}` })))
    return src
  })
  console.log(`setup: ${MEMBERS} members (${withTable.length} with a draft table), a ${INDICATORS}-indicator source, in ${s(performance.now() - t0)}`)

  const app = createApp({ config: loadConfig({}), database, storage, findings, ...liveAppHooks(live) })
  const login = await app.request('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) })
  const token = ((await login.json()) as { token: string }).token
  const call = async (method: string, url: string, body: unknown) => {
    const res = await app.request(url, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
    const json = (await res.json()) as any
    if (res.status >= 300) throw new Error(`${url} ${res.status} ${JSON.stringify(json).slice(0, 300)}`)
    return json
  }
  const group = await call('POST', '/api/groups', { name: '测试组', kind: 'homogeneous', year: YEAR, departmentIds: [source.id, ...members], sourceTableId: sourceTable!.id })
  const propagate = async (label: string, dryRun: boolean) => {
    const t1 = performance.now()
    const r = (await call('POST', `/api/groups/${group.id}/propagate`, { dryRun })) as PropagationReport
    const ms = performance.now() - t1
    const by = (o: string) => r.members.filter((m) => m.outcome === o).length
    const sum = (k: 'added' | 'updated' | 'removed' | 'kept') => r.members.reduce((n, m) => n + m.counts[k], 0)
    console.log(`${label}: ${s(ms)} (written ${by('written')}, created ${by('created')}, unchanged ${by('unchanged')}, skipped ${by('skipped')}; rows +${sum('added')} ~${sum('updated')} -${sum('removed')} kept ${sum('kept')})`)
    return { ms, r }
  }
  await propagate('preview (dryRun)', true)
  const first = await propagate('propagation', false)
  await propagate('again (nothing to do)', false)

  // the group changes 10 targets; each member overrides 2 of them
  await live.change(sourceTable!.id, 'table', (doc) => {
    for (const row of indicatorRows(doc).slice(0, 10)) row.set('target', `${row.get('target')}0`)
  }, admin.id)
  const memberTables = first.r.members.filter((m) => m.tableId && m.outcome !== 'skipped').map((m) => m.tableId!)
  for (const id of memberTables) {
    await live.change(id, 'table', (doc) => {
      for (const row of indicatorRows(doc).filter((r) => String(r.get('level3')).startsWith('共性指标')).slice(0, 2)) getRow(doc, 'indicators', String(row.get('id')))!.set('target', '本单位自定')
    }, admin.id)
  }
  const again = await propagate('re-propagation (overrides kept)', false)
  console.log(`target: propagation of ${INDICATORS} indicators to ${MEMBERS} members ${s(first.ms)} / re-propagation ${s(again.ms)} (< 5 s ${Math.max(first.ms, again.ms) < 5000 ? 'met' : 'MISSED'})`)
  await live.shutdown()
  await findings.flush()
  await database.close()
}

async function main(): Promise<void> {
  console.log(`Node ${process.version}, ${os.cpus().length} CPU(s) ${os.cpus()[0]?.model ?? ''}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`)
  await onEachDatabase('propagation', run)
}

await main()
