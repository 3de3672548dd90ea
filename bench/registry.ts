// The project registry at city scale: a 2 000-project 项目统计表 (generated with ExcelJS: 100 departments
// each with a unit, contacts on two lines, 类/款/项 codes, an amount) imported through POST
// /api/registry/import (the whole path: multipart, readWorkbook, reading, matching, one transaction), imported
// again (nothing changes) and once more with every amount changed, then its 2 000 tables created through
// POST /api/registry/tables, and that call repeated (nothing created) — on PGlite (a data directory on disk)
// and PostgreSQL. Targets (issue 14): import < 10 s, tables < 60 s.
//   npx tsx bench/registry.ts     (env: PROJECTS=2000, DEPARTMENTS=100, ONLY=pglite|postgres,
//                                  BENCH_DATABASE_URL or TEST_DATABASE_URL for PostgreSQL)
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import ExcelJS from 'exceljs'
import { createApp } from '../server/app.ts'
import { bootstrap } from '../server/bootstrap/seed.ts'
import { loadConfig } from '../server/config.ts'
import { openDatabase, type OpenDatabaseOptions } from '../server/db/open.ts'
import { createStorage } from '../server/storage/index.ts'
import { storedFindingsCache } from '../server/tables/findings.ts'
import { createTestDatabase } from '../test/helpers/database.ts'

const env = process.env
const PROJECTS = Number(env.PROJECTS ?? 2000)
const DEPARTMENTS = Number(env.DEPARTMENTS ?? 100)
const PG_URL = env.BENCH_DATABASE_URL ?? env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const YEAR = 2026
const PASSWORD = 'bench-password-123'
const CLASSES = [['205', '20502', '2050202'], ['207', '20701', '2070108'], ['210', '21004', '2100408'], ['208', '20820', ''], ['212', '21203', '']] as const
const TYPES = ['部门预算项目', '专项资金项目', '购买服务项目', '政府性基金项目'] as const

const deptCode = (d: number) => String(300 + d)
const unitCode = (d: number) => `${deptCode(d)}001`

/** The registry workbook: title rows, one heading row, PROJECTS rows spread over the departments, notes. */
async function registryXlsx(amount: (i: number) => number): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook()
  const ws = wb.addWorksheet('项目统计表')
  ws.addRow([`${YEAR}年度项目统计表`])
  ws.addRow(['序号', '单位主管业务处室', '主管部门', '预算单位', '预算单位联系人员', '项目名称', '申请预算金额（万元）', '类', '款', '项', '涉密/非密', '项目类别', '财政资金来源'])
  for (let i = 0; i < PROJECTS; i++) {
    const d = i % DEPARTMENTS
    const [k, s, x] = CLASSES[i % CLASSES.length]!
    const unit = i % 3 === 0 ? `${unitCode(d)}-测试市第${d}局直属中心` : `${deptCode(d)}-测试市第${d}局`
    ws.addRow([
      i + 1, `${String(d % 9 + 1).padStart(2, '0')}-第${d % 9 + 1}科`, `${deptCode(d)}-测试市第${d}局（部门）`, unit,
      `项目主要负责人：负责人${i} 138${String(i).padStart(8, '0')}\n财务人员：会计${i} 0817-${String(1000000 + i)}`,
      `第${d}局项目${String(i).padStart(4, '0')}`, amount(i), k, s, x, i % 50 === 0 ? '涉密' : '非密', TYPES[i % TYPES.length], '一般公共预算',
    ])
  }
  ws.addRow([])
  ws.addRow(['注：1.项目类别：部门预算项目、专项资金项目、购买服务项目、PPP项目、政府性基金项目、债券资金项目。'])
  return new Uint8Array(await wb.xlsx.writeBuffer())
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`

async function run(kind: 'pglite' | 'postgres', open: OpenDatabaseOptions, files: { first: Uint8Array; changed: Uint8Array }): Promise<void> {
  console.log(`\n--- ${kind}`)
  const database = await openDatabase(open)
  const storage = createStorage(database.db)
  await bootstrap(storage, { adminUsername: 'admin', adminPassword: PASSWORD, demo: false })
  for (let d = 0; d < DEPARTMENTS; d++) {
    const dept = await storage.departments.create({ code: deptCode(d), name: `测试市第${d}局`, kind: 'department' })
    await storage.departments.create({ code: unitCode(d), name: `测试市第${d}局直属中心`, kind: 'unit', parentId: dept.id })
  }
  const app = createApp({ config: loadConfig({}), database, storage, findings: storedFindingsCache(storage) })
  const login = await app.request('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) })
  const token = ((await login.json()) as { token: string }).token
  const auth = { authorization: `Bearer ${token}` }

  async function importFile(bytes: Uint8Array, label: string) {
    const form = new FormData()
    form.set('file', new File([bytes as BlobPart], 'registry.xlsx'))
    form.set('year', String(YEAR))
    const t0 = performance.now()
    const res = await app.request('/api/registry/import', { method: 'POST', body: form, headers: auth })
    const body = (await res.json()) as { created: number; updated: number; unchanged: number; unknownDepartments: unknown[]; report: { problems: unknown[] } }
    const ms = performance.now() - t0
    if (res.status !== 200) throw new Error(`import ${res.status} ${JSON.stringify(body).slice(0, 300)}`)
    console.log(`${label}: ${s(ms)} (created ${body.created}, updated ${body.updated}, unchanged ${body.unchanged}, unknown departments ${body.unknownDepartments.length}, report lines ${body.report.problems.length})`)
    return ms
  }
  async function createTables(label: string) {
    const t0 = performance.now()
    const res = await app.request('/api/registry/tables', { method: 'POST', body: JSON.stringify({ year: YEAR }), headers: { ...auth, 'content-type': 'application/json' } })
    const body = (await res.json()) as { created: unknown[]; skipped: unknown[] }
    const ms = performance.now() - t0
    if (res.status !== 200) throw new Error(`tables ${res.status} ${JSON.stringify(body).slice(0, 300)}`)
    console.log(`${label}: ${s(ms)} (created ${body.created.length}, skipped ${body.skipped.length})`)
    return ms
  }

  const first = await importFile(files.first, `import ${PROJECTS} projects (new)`)
  await importFile(files.first, 're-import, nothing changed')
  await importFile(files.changed, 're-import, every amount changed')
  const tables = await createTables(`create ${PROJECTS} tables`)
  await createTables('create again (all have tables)')
  const t0 = performance.now()
  const list = await app.request(`/api/registry?year=${YEAR}`, { headers: auth })
  const listed = (await list.json()) as { total: number }
  console.log(`GET /api/registry: ${(performance.now() - t0).toFixed(0)} ms (${listed.total} projects)`)
  console.log(`targets: import ${s(first)} (< 10 s ${first < 10_000 ? 'met' : 'MISSED'}), tables ${s(tables)} (< 60 s ${tables < 60_000 ? 'met' : 'MISSED'})`)
  await database.close()
}

async function main(): Promise<void> {
  console.log(`Node ${process.version}, ${os.cpus().length} CPU(s) ${os.cpus()[0]?.model ?? ''}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`)
  const t0 = performance.now()
  const files = { first: await registryXlsx((i) => 10 + (i % 97) * 1.5), changed: await registryXlsx((i) => 11 + (i % 97) * 1.5) }
  console.log(`generated a ${PROJECTS}-project registry (${(files.first.length / 1024).toFixed(0)} KB) in ${s(performance.now() - t0)}`)
  const only = env.ONLY
  if (!only || only === 'pglite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-bench-registry-'))
    try {
      await run('pglite', { dataDir: path.join(dir, 'pglite') }, files)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
  if (!only || only === 'postgres') {
    let db: Awaited<ReturnType<typeof createTestDatabase>> | null = null
    try {
      db = await createTestDatabase(PG_URL)
    } catch (err) {
      console.log(`\n--- postgres: skipped (${(err as Error).message})`)
    }
    if (db) {
      try {
        await run('postgres', { url: db.url, poolSize: 10 }, files)
      } finally {
        await db.drop()
      }
    }
  }
}

await main()
