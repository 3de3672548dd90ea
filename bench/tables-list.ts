// GET /api/tables at city scale: 2 000 tables (real sample documents) over 100 departments, a finance user.
// First page p95 in a warm process, and the first request of a fresh process (cold start: empty caches,
// new connections) with counts stored and with counts never computed — on PGlite and PostgreSQL.
//   npx tsx bench/tables-list.ts        (env: TABLES=2000, DEPARTMENTS=100, WARM=200, COLD=5, ONLY=pglite|postgres,
//                                        BENCH_DATABASE_URL or TEST_DATABASE_URL for PostgreSQL)
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'drizzle-orm'
import { serverNodeFlags } from '../scripts/node-flags.mjs'
import { createApp } from '../server/app.ts'
import { bootstrap, loadSampleTables } from '../server/bootstrap/seed.ts'
import { loadConfig } from '../server/config.ts'
import { openDatabase, type Database, type OpenDatabaseOptions } from '../server/db/open.ts'
import { departments, docUpdates, targetTables } from '../server/db/schema.ts'
import { createStorage } from '../server/storage/index.ts'
import { storedFindingsCache } from '../server/tables/findings.ts'
import { initialUpdate } from '../server/tables/documents.ts'
import { createTestDatabase } from '../test/helpers/database.ts'

const env = process.env
const TABLES = Number(env.TABLES ?? 2000)
const DEPARTMENTS = Number(env.DEPARTMENTS ?? 100)
const WARM = Number(env.WARM ?? 200)
const COLD = Number(env.COLD ?? 5)
const PG_URL = env.BENCH_DATABASE_URL ?? env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const self = fileURLToPath(import.meta.url)
const BOOTSTRAP = { adminUsername: 'admin', adminPassword: 'bench-admin-password', demo: false }

interface Target {
  kind: 'pglite' | 'postgres'
  open: OpenDatabaseOptions
}

/** An app over the database, with a findings cache that counts the documents it validates. */
function appOver(database: Database) {
  const storage = createStorage(database.db)
  const counter = { validated: 0 }
  // the server's own cache over a storage that counts the table documents it reads to validate
  const counted: typeof storage = {
    ...storage,
    docLog: {
      ...storage.docLog,
      loadDoc: (id, room) => ((counter.validated += room === 'table' ? 1 : 0), storage.docLog.loadDoc(id, room)),
      loadDocs: (ids, room) => ((counter.validated += room === 'table' ? ids.length : 0), storage.docLog.loadDocs(ids, room)),
    },
  }
  const findings = storedFindingsCache(counted)
  const app = createApp({ config: loadConfig({}), database, storage, findings })
  return { app, storage, counter }
}

async function timedGet(app: ReturnType<typeof createApp>, token: string, query = ''): Promise<{ ms: number; body: { tables: unknown[]; total: number; nextCursor: string | null } }> {
  const t0 = performance.now()
  const res = await app.request(`/api/tables${query}`, { headers: { authorization: `Bearer ${token}` } })
  const body = (await res.json()) as { tables: unknown[]; total: number; nextCursor: string | null }
  const ms = performance.now() - t0
  if (res.status !== 200) throw new Error(`GET /api/tables${query}: ${res.status} ${JSON.stringify(body)}`)
  return { ms, body }
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * p) - 1)]!
const f1 = (n: number) => n.toFixed(1)

// ---- child: a fresh process answering its first request

async function child(): Promise<void> {
  const [, , , openJson, token] = process.argv
  const t0 = performance.now()
  const database = await openDatabase(JSON.parse(openJson!) as OpenDatabaseOptions)
  // what server/main.ts does before it listens
  await bootstrap(createStorage(database.db), BOOTSTRAP)
  const openMs = performance.now() - t0
  const { app, counter } = appOver(database)
  const first = await timedGet(app, token!)
  const validatedFirst = counter.validated
  const second = await timedGet(app, token!)
  await database.close()
  console.log(JSON.stringify({ openMs, firstMs: first.ms, secondMs: second.ms, rows: first.body.tables.length, total: first.body.total, validatedFirst }))
}

function freshProcess(target: Target, token: string): { openMs: number; firstMs: number; secondMs: number; rows: number; total: number; validatedFirst: number } {
  const r = spawnSync(process.execPath, [...serverNodeFlags(), '--import', 'tsx', self, 'child', JSON.stringify(target.open), token], { encoding: 'utf8', cwd: path.resolve(path.dirname(self), '..') })
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`)
  return JSON.parse(r.stdout.trim().split('\n').pop()!)
}

// ---- seeding

async function seed(database: Database): Promise<string> {
  const storage = createStorage(database.db)
  await bootstrap(storage, BOOTSTRAP)
  const samples = loadSampleTables().map((s) => s.content)
  const depts = await database.db
    .insert(departments)
    .values(Array.from({ length: DEPARTMENTS }, (_, i) => ({ code: String(200 + i), name: `南江市第${i + 1}局`, kind: i % 10 === 9 ? ('town' as const) : ('department' as const) })))
    .returning({ id: departments.id })
  const statuses = ['draft', 'submitted', 'returned', 'approved'] as const
  for (let i = 0; i < TABLES; i += 200) {
    const batch = Array.from({ length: Math.min(200, TABLES - i) }, (_, j) => {
      const n = i + j
      const content = samples[n % samples.length]!
      return { n, content }
    })
    const rows = await database.db
      .insert(targetTables)
      .values(
        batch.map(({ n, content }) => ({
          kind: content.kind,
          template: content.template,
          year: content.year,
          departmentId: depts[n % depts.length]!.id,
          title: `${content.kind === 'project' ? content.header.projectName : content.header.deptName}（${n + 1}）`,
          status: statuses[n % 4],
          classified: n % 17 === 0,
          updatedAt: new Date(Date.UTC(2025, 0, 1) + n * 60_000),
        })),
      )
      .returning({ id: targetTables.id })
    await database.db.insert(docUpdates).values(rows.map((r, j) => ({ tableId: r.id, room: 'table' as const, update: initialUpdate(batch[j]!.content) })))
  }
  const user = await storage.users.create({ username: 'bench-finance', password: 'bench-password-123', displayName: '财政局', role: 'finance', departmentIds: [] })
  return (await storage.sessions.create(user.id, { ttlMs: 24 * 3600_000 })).token
}

async function forgetCounts(target: Target): Promise<void> {
  const database = await openDatabase(target.open)
  await database.db.execute(sql`update ${targetTables} set error_count = null, warning_count = null, info_count = null, findings_version = null`)
  await database.close()
}

// ---- one database

async function run(target: Target): Promise<void> {
  console.log(`\n--- ${target.kind}: ${TABLES} tables, ${DEPARTMENTS} departments, finance user`)
  let database = await openDatabase(target.open)
  const t0 = performance.now()
  const token = await seed(database)
  console.log(`seeded in ${f1((performance.now() - t0) / 1000)} s`)
  await database.close()

  // a database whose counts were never computed (the first start after the migration)
  const never: ReturnType<typeof freshProcess>[] = []
  for (let i = 0; i < Math.max(1, Math.ceil(COLD / 2)); i++) {
    await forgetCounts(target)
    never.push(freshProcess(target, token))
  }
  // every count stored once: one process pages through the whole list
  database = await openDatabase(target.open)
  {
    const { app, counter } = appOver(database)
    let cursor: string | null = null
    const t1 = performance.now()
    do {
      const { body } = await timedGet(app, token, `?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
      cursor = body.nextCursor
    } while (cursor)
    console.log(`first pass over the whole list (limit=500, validates every table once): ${f1(performance.now() - t1)} ms, ${counter.validated} validated`)
  }
  await database.close()
  const stored: ReturnType<typeof freshProcess>[] = []
  for (let i = 0; i < COLD; i++) stored.push(freshProcess(target, token))

  const show = (label: string, xs: ReturnType<typeof freshProcess>[]) =>
    console.log(
      `cold start, ${label}: first request ${xs.map((x) => f1(x.firstMs)).join(' / ')} ms (max ${f1(Math.max(...xs.map((x) => x.firstMs)))}); ` +
        `validated ${xs[0]!.validatedFirst}; second request ${f1(pct(xs.map((x) => x.secondMs), 0.5))} ms; process start (open, migrate, bootstrap as main.ts) ${f1(pct(xs.map((x) => x.openMs), 0.5))} ms; ${xs[0]!.rows} rows of ${xs[0]!.total}`,
    )
  show('counts never computed', never)
  show('counts stored', stored)

  // warm: one process, first page again and again, then other shapes of the list
  database = await openDatabase(target.open)
  const { app, counter } = appOver(database)
  const firstDept = (await database.db.select({ id: departments.id }).from(departments).limit(1))[0]!.id
  const deep = await (async () => {
    let cursor: string | null = null
    for (let i = 0; i < 20; i++) cursor = (await timedGet(app, token, `?sort=title${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).body.nextCursor
    return cursor!
  })()
  const shapes: [string, string][] = [
    ['first page (default: updated desc, 50)', ''],
    ['sort=errors', '?sort=errors'],
    ['hasErrors=true&sort=title', '?hasErrors=true&sort=title'],
    ['q=服务 (title search)', `?q=${encodeURIComponent('服务')}`],
    ['departmentId=<one department>', `?departmentId=${firstDept}`],
    ['page 21 by cursor (sort=title)', `?sort=title&cursor=${encodeURIComponent(deep)}`],
    ['limit=500', '?limit=500'],
  ]
  const before = counter.validated
  for (const [label, query] of shapes) {
    for (let i = 0; i < 10; i++) await timedGet(app, token, query)
    const n = label.startsWith('first page') ? WARM : Math.max(20, Math.floor(WARM / 4))
    const ms: number[] = []
    for (let i = 0; i < n; i++) ms.push((await timedGet(app, token, query)).ms)
    console.log(`warm ${label}: p50 ${f1(pct(ms, 0.5))} p95 ${f1(pct(ms, 0.95))} max ${f1(Math.max(...ms))} ms (${n} requests)`)
  }
  console.log(`validated while warm: ${counter.validated - before}`)
  await database.close()
}

async function main(): Promise<void> {
  const only = env.ONLY
  console.log(`Node ${process.version}, ${os.cpus().length} CPU(s) ${os.cpus()[0]?.model ?? ''}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`)
  if (!only || only === 'pglite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-bench-list-'))
    try {
      await run({ kind: 'pglite', open: { dataDir: path.join(dir, 'pglite') } })
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
        await run({ kind: 'postgres', open: { url: db.url, poolSize: 10 } })
      } finally {
        await db.drop()
      }
    }
  }
}

if (process.argv[2] === 'child') await child()
else await main()
