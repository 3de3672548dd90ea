// The bureau overview and the work ledger at city scale (issue 16 items 2–3; target p95 < 300 ms): 120 top-level
// departments (100 departments, a third with two units, and 20 towns) and 2 000 tables of one year spread over
// them with statuses, rounds, findings counts, open threads, comment threads with messages, reviewed rounds,
// approved versions, 资料清单 items and files, three consultants' assignments, deadlines (one passed), stages set
// by hand and a finished book of some departments — written straight through SQL. Then GET /api/overview and
// GET /api/ledger in-process over HTTP, 200 requests each (json), and each as xlsx a few times; p50/p95 and the
// load average. PGlite (a data directory on disk) by default, PostgreSQL too when reachable.
//   npx tsx bench/overview.ts     (env: TABLES=2000, REQUESTS=200, ONLY=pglite|postgres, BENCH_DATABASE_URL or TEST_DATABASE_URL)
import os from 'node:os'
import { pathToFileURL } from 'node:url'
import { sql } from 'drizzle-orm'
import { createApp } from '../server/app.ts'
import { bootstrap } from '../server/bootstrap/seed.ts'
import { loadConfig } from '../server/config.ts'
import { openDatabase, type OpenDatabaseOptions } from '../server/db/open.ts'
import {
  assignments, commentMessages, commentThreads, departmentMaterials, departments, departmentStages, jobs, materialFiles, reviewRounds, stageDeadlines, tableVersions, targetTables,
} from '../server/db/schema.ts'
import { createStorage } from '../server/storage/index.ts'
import { storedFindingsCache } from '../server/tables/findings.ts'
import { onEachDatabase } from './lib/databases.ts'

const env = process.env
const TABLES = Number(env.TABLES ?? 2000)
const REQUESTS = Number(env.REQUESTS ?? 200)
const XLSX_REQUESTS = Number(env.XLSX_REQUESTS ?? 5)
const YEAR = 2031
const PASSWORD = 'bench-password-123'
const DEPARTMENTS = 100
const TOWNS = 20

/** a small deterministic generator, so both databases get the same city */
function rng(seed: number) {
  let s = seed >>> 0
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32)
}

async function insertChunked<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>, size = 500): Promise<void> {
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size))
}

export async function seed(storage: ReturnType<typeof createStorage>): Promise<{ consultants: string[]; counts: Record<string, number> }> {
  const db = storage.db
  const random = rng(16)
  const top: { id: string; code: string; name: string; kind: 'department' | 'town' }[] = []
  for (let i = 0; i < DEPARTMENTS; i++) top.push({ id: `d_b${i}`, code: String(200 + i), name: `南江市第${i + 1}局`, kind: 'department' })
  for (let i = 0; i < TOWNS; i++) top.push({ id: `d_bt${i}`, code: String(600 + i), name: `南江市第${i + 1}镇人民政府`, kind: 'town' })
  const units: { id: string; code: string; name: string; kind: 'unit'; parentId: string }[] = []
  for (const [i, d] of top.entries()) {
    if (d.kind !== 'department' || i % 3 !== 0) continue
    for (let u = 1; u <= 2; u++) units.push({ id: `${d.id}_u${u}`, code: `${d.code}00${u}`, name: `${d.name}下属单位${u}`, kind: 'unit', parentId: d.id })
  }
  await db.insert(departments).values([...top, ...units])
  const owners = [...top.map((d) => d.id), ...units.map((u) => u.id)]

  const consultants: string[] = []
  for (let c = 1; c <= 3; c++) consultants.push((await storage.users.create({ username: `firm${c}`, password: PASSWORD, displayName: `第${c}咨询公司`, role: 'consultant' })).id)
  const admin = (await storage.users.getByUsername('admin'))!.id
  await db.insert(assignments).values(top.slice(0, 114).map((d, i) => ({ year: YEAR, departmentId: d.id, consultantId: consultants[i % 3]!, difficulty: d.kind === 'town' ? ('town' as const) : i % 4 === 0 ? ('high' as const) : ('low' as const), assignedBy: admin })))

  const statuses = ['draft', 'draft', 'draft', 'submitted', 'submitted', 'returned', 'approved', 'approved', 'approved', 'approved'] as const
  const now = Date.now()
  const tables = Array.from({ length: TABLES }, (_, i) => {
    const status = statuses[Math.floor(random() * statuses.length)]!
    const round = status === 'draft' ? 1 : 1 + Math.floor(random() * 3)
    return {
      id: `t_b${i}`,
      kind: i % 20 === 0 ? ('department' as const) : ('project' as const),
      template: 'mof2021-core',
      year: YEAR,
      departmentId: owners[Math.floor(random() * owners.length)]!,
      title: `项目${i}`,
      status,
      round,
      version: status === 'draft' ? 0 : status === 'approved' ? round + 1 : round,
      errorCount: status === 'approved' ? 0 : Math.floor(random() * 4),
      warningCount: Math.floor(random() * 6),
      infoCount: 0,
      findingsVersion: 1,
      openThreads: status === 'approved' ? 0 : Math.floor(random() * 4),
      updatedAt: new Date(now - Math.floor(random() * 60 * 86_400_000)),
      createdBy: admin,
    }
  })
  await insertChunked(tables, (c) => db.insert(targetTables).values(c))
  const approved = tables.filter((t) => t.status === 'approved')
  await insertChunked(approved.map((t) => ({ tableId: t.id, version: t.version, round: t.round, reason: 'approved' as const, content: { bench: true }, hash: 'bench', createdBy: admin, createdAt: t.updatedAt })), (c) => db.insert(tableVersions).values(c))
  const reviewed = tables.filter((t) => t.status !== 'draft')
  const rounds = reviewed.flatMap((t) => Array.from({ length: t.round }, (_, r) => ({ tableId: t.id, round: r + 1, version: r + 1, submittedAt: new Date(t.updatedAt.getTime() - (t.round - r) * 86_400_000), submittedBy: admin, reviewedBy: admin, reviewedAt: r + 1 < t.round || t.status !== 'submitted' ? new Date(t.updatedAt.getTime() - (t.round - r) * 43_200_000) : null })))
  await insertChunked(rounds, (c) => db.insert(reviewRounds).values(c))
  const threads = reviewed.flatMap((t) => Array.from({ length: 3 }, (_, k) => ({ id: `c_b${t.id}_${k}`, tableId: t.id, round: 1, status: k < t.openThreads ? ('open' as const) : ('resolved' as const), authorId: consultants[0]!, createdAt: t.updatedAt, resolvedAt: k < t.openThreads ? null : t.updatedAt })))
  await insertChunked(threads, (c) => db.insert(commentThreads).values(c))
  const messages = threads.flatMap((th) => [0, 1].map((k) => ({ id: `m_b${th.id}_${k}`, threadId: th.id, authorId: consultants[0]!, text: k === 0 ? '请补充指标的数据来源' : '已补充', createdAt: new Date(th.createdAt.getTime() + k * 3_600_000) })))
  await insertChunked(messages, (c) => db.insert(commentMessages).values(c))
  const materialRows = top.flatMap((d) => Array.from({ length: 12 }, (_, k) => ({ departmentId: d.id, year: YEAR, item: k + 1, status: random() < 0.6 ? ('received' as const) : random() < 0.5 ? ('not_applicable' as const) : ('missing' as const), note: '' })))
  await insertChunked(materialRows, (c) => db.insert(departmentMaterials).values(c))
  const bytes = new Uint8Array(32 * 1024).fill(7)
  const files = top.slice(0, 60).flatMap((d) => [1, 2, 3].map((item) => ({ departmentId: d.id, year: YEAR, item, name: `资料${item}.pdf`, contentType: 'application/pdf', size: bytes.length, sha256: 'bench', bytes })))
  await insertChunked(files, (c) => db.insert(materialFiles).values(c), 20)
  await db.insert(stageDeadlines).values([
    { year: YEAR, stage: 'draft', dueDate: '2026-01-15', setBy: admin },
    { year: YEAR, stage: 'consultation', dueDate: '2026-06-30', setBy: admin },
    { year: YEAR, stage: 'final', dueDate: '2031-06-30', setBy: admin },
  ])
  await db.insert(departmentStages).values(top.slice(0, 15).map((d) => ({ year: YEAR, departmentId: d.id, stage: 'consultation' as const, note: '资料已收齐', setBy: admin })))
  await db.insert(jobs).values([
    { kind: 'compilation', status: 'done', params: { year: YEAR, departmentIds: top.slice(0, 30).map((d) => d.id), format: 'pdf', edition: 'internal' }, finishedAt: new Date(), createdBy: admin },
    { kind: 'compilation', status: 'done', params: { year: YEAR - 1, format: 'pdf', edition: 'internal' }, finishedAt: new Date(), createdBy: admin },
  ])
  await db.execute(sql`analyze`)
  return {
    consultants,
    counts: { departments: top.length, units: units.length, tables: tables.length, approved: approved.length, rounds: rounds.length, threads: threads.length, messages: messages.length, files: files.length },
  }
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * p) - 1)]!
const ms = (n: number) => `${n.toFixed(1)} ms`
const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' ')

async function run(kind: 'pglite' | 'postgres', open: OpenDatabaseOptions): Promise<void> {
  console.log(`\n--- ${kind}`)
  const database = await openDatabase(open)
  const storage = createStorage(database.db)
  await bootstrap(storage, { adminUsername: 'admin', adminPassword: PASSWORD, demo: false })
  const t0 = performance.now()
  const { counts } = await seed(storage)
  console.log(`setup ${((performance.now() - t0) / 1000).toFixed(1)} s: ${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}`)
  const app = createApp({ config: loadConfig({}), database, storage, findings: storedFindingsCache(storage) })
  const tokenOf = async (username: string) => {
    const res = await app.request('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) })
    return ((await res.json()) as { token: string }).token
  }
  if (env.PROFILE) {
    // where a request's time goes: each read of loadYear alone
    const parts: [string, () => Promise<unknown>][] = [
      ['departments.list', () => storage.departments.list()],
      ['workflow.activity', () => storage.workflow.activity(YEAR)],
      ['workflow.stages', () => storage.workflow.stages(YEAR)],
      ['workflow.deadlines', () => storage.workflow.deadlines(YEAR)],
      ['assignments.list', () => storage.assignments.list({ year: YEAR })],
    ]
    for (const [label, fn] of parts) {
      const xs: number[] = []
      for (let i = 0; i < 30; i++) {
        const t1 = performance.now()
        await fn()
        xs.push(performance.now() - t1)
      }
      console.log(`  ${label.padEnd(20)} p50 ${ms(pct(xs, 0.5))}  p95 ${ms(pct(xs, 0.95))}`)
    }
  }
  const finance = await tokenOf('admin')
  const firm = await tokenOf('firm1')

  const time = async (label: string, url: string, token: string, n: number, check: (res: Response, body: ArrayBuffer) => string, target = true) => {
    const samples: number[] = []
    let note = ''
    for (let i = 0; i < n; i++) {
      const t1 = performance.now()
      const res = await app.request(url, { headers: { authorization: `Bearer ${token}` } })
      const body = await res.arrayBuffer()
      samples.push(performance.now() - t1)
      if (res.status !== 200) throw new Error(`${url}: ${res.status} ${new TextDecoder().decode(body).slice(0, 300)}`)
      if (i === 0) note = check(res, body)
    }
    const p95 = pct(samples, 0.95)
    console.log(`${label.padEnd(34)} n=${String(n).padStart(3)}  p50 ${ms(pct(samples, 0.5)).padStart(9)}  p95 ${ms(p95).padStart(9)}  max ${ms(Math.max(...samples)).padStart(9)}  ${note}  (load ${load()})${!target || p95 < 300 ? '' : '  MISSED'}`)
    return p95
  }
  const json = (res: Response, body: ArrayBuffer) => {
    const parsed = JSON.parse(new TextDecoder().decode(body)) as { rows: unknown[]; totals?: { overdue: number } }
    return `${parsed.rows.length} rows${parsed.totals ? `, ${parsed.totals.overdue} overdue` : ''}, ${(body.byteLength / 1024).toFixed(0)} KB`
  }
  const file = (_res: Response, body: ArrayBuffer) => `${(body.byteLength / 1024).toFixed(0)} KB xlsx`
  // warm-up: the first request of a process pays for the modules and the query plans
  await time('warm-up overview', `/api/overview?year=${YEAR}`, finance, 3, json)
  // the target is for the pages' JSON; the xlsx (the monthly report, downloaded now and then) is shown beside it
  const results = [
    await time('GET /api/overview (finance)', `/api/overview?year=${YEAR}`, finance, REQUESTS, json),
    await time('GET /api/ledger (finance, all)', `/api/ledger?year=${YEAR}`, finance, REQUESTS, json),
    await time('GET /api/ledger (a consultant)', `/api/ledger?year=${YEAR}`, firm, REQUESTS, json),
  ]
  await time('GET /api/overview?format=xlsx', `/api/overview?year=${YEAR}&format=xlsx`, finance, XLSX_REQUESTS, file, false)
  await time('GET /api/ledger?format=xlsx', `/api/ledger?year=${YEAR}&format=xlsx`, finance, XLSX_REQUESTS, file, false)
  console.log(`target p95 < 300 ms (json): ${results.every((p) => p < 300) ? 'met' : 'MISSED'} (worst ${ms(Math.max(...results))})`)
  await database.close()
}

async function main(): Promise<void> {
  console.log(`Node ${process.version}, ${os.cpus().length} CPU(s) ${os.cpus()[0]?.model ?? ''}, load ${load()}`)
  await onEachDatabase('overview', run)
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main()
