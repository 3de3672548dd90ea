// GET /api/tables/:id/history and /diff on a table with 10 000 stored field changes (and three other
// tables with as many), through the real app (app.request, no sockets) on PGlite and, when
// TEST_DATABASE_URL is set, PostgreSQL. Target: first page < 100 ms.
// Run: npx tsx bench/history.ts   (TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test for PostgreSQL too)
import { makeTestApp, type TestApp } from '../test/helpers/app.ts'
import { TEST_DATABASE_URL, type TestDatabaseKind } from '../test/helpers/database.ts'
import { sampleTable } from '../test/helpers/collab-fixtures.ts'
import type { NewFieldChange } from '../server/storage/index.ts'
import { loadStoredDoc } from '../server/tables/documents.ts'
import { deleteRow, setRowField } from '../shared/ydoc/index.ts'

const CHANGES = Number(process.env.CHANGES ?? 10_000)
const OTHER_TABLES = 3
const RUNS = Number(process.env.RUNS ?? 40)
const f = (x: number) => x.toFixed(1)

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!
}

async function seedTable(t: TestApp, token: string, users: string[]): Promise<string> {
  const content = sampleTable(300)
  const res = await t.request('POST', '/api/tables', { token, body: { kind: 'project', template: content.template, year: content.year, departmentId: await t.departmentId('105'), content } })
  if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`)
  const id = res.body.id as string
  await t.storage.versions.freeze({ tableId: id, version: 1, round: 1, reason: 'submitted', content, createdBy: users[0]! })
  // a month of editing by three people: cell changes over the 300 rows, some rows added, moved, removed
  const start = Date.now() - 30 * 86_400_000
  const rows: NewFieldChange[] = []
  for (let i = 0; i < CHANGES; i++) {
    const r = i % 300
    const op = i % 97 === 0 ? 'move' : i % 89 === 0 ? 'add' : 'change'
    rows.push({
      tableId: id, at: new Date(start + i * 250_000), userId: users[i % users.length]!, op, path: op === 'change' ? `indicators[${r}].target` : `indicators[${r}]`, rowId: `ind-${r}`,
      field: op === 'change' ? 'target' : null, before: op === 'change' ? String(i) : op === 'move' ? r : null, after: op === 'change' ? String(i + 1) : op === 'move' ? (r + 3) % 300 : { id: `ind-${r}`, level3: `指标${r}` },
    })
  }
  for (let i = 0; i < rows.length; i += 5000) await t.storage.history.append(rows.slice(i, i + 5000))
  for (let round = 1; round <= 6; round++) {
    await t.storage.audit.record({ userId: users[0]!, action: 'table.submit', tableId: id, details: { reason: null, to: { status: 'submitted', round, version: round } } })
    await t.storage.audit.record({ userId: users[0]!, action: 'table.return', tableId: id, details: { reason: `第 ${round} 轮意见：请修改指标值`, to: { status: 'returned', round, version: round } } })
  }
  return id
}

/**
 * Wall time and this process's CPU time of one request. WATCH OUT: on a shared, loaded machine the wall
 * time is mostly other processes' time slices; the CPU time is the request's own work (all of it on
 * PGlite, which runs in this process; without the database server's share on PostgreSQL).
 */
async function timed(t: TestApp, token: string, path: string): Promise<{ ms: number; cpuMs: number; body: any }> {
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  const res = await t.request('GET', path, { token })
  const ms = performance.now() - t0
  const c = process.cpuUsage(c0)
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`)
  return { ms, cpuMs: (c.user + c.system) / 1000, body: res.body }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length

async function run(kind: TestDatabaseKind): Promise<void> {
  const t = await makeTestApp(kind)
  try {
    const token = await t.login('jiaoyu')
    const users = await Promise.all(['jiaoyu', 'zixun', 'caizheng'].map(async (u) => (await t.request('GET', '/api/auth/me', { token: await t.login(u) })).body.user.id as string))
    const t0 = performance.now()
    const tableId = await seedTable(t, token, users)
    for (let k = 0; k < OTHER_TABLES; k++) await seedTable(t, token, users)
    console.log(`\n${kind}: ${OTHER_TABLES + 1} tables × ${CHANGES} changes seeded in ${f((performance.now() - t0) / 1000)} s`)
    // the live document differs from version 1: 30 values and 2 rows removed (as a room would have stored it)
    const doc = await loadStoredDoc(t.storage, tableId, 'table')
    const updates: Uint8Array[] = []
    doc.on('update', (u: Uint8Array) => updates.push(u))
    for (let i = 0; i < 30; i++) setRowField(doc, 'indicators', `ind-${i * 9}`, 'target', `v${i}`)
    deleteRow(doc, 'indicators', 'ind-5')
    deleteRow(doc, 'indicators', 'ind-7')
    await t.storage.docLog.appendUpdates(tableId, 'table', updates.map((update) => ({ update, userId: users[1]! })))

    const first = await timed(t, token, `/api/tables/${tableId}/history`)
    const warm: number[] = []
    const warmCpu: number[] = []
    for (let i = 0; i < RUNS; i++) {
      const r = await timed(t, token, `/api/tables/${tableId}/history`)
      warm.push(r.ms)
      warmCpu.push(r.cpuMs)
    }
    console.log(`history first page (limit 100, ${first.body.entries.length} entries): first request ${f(first.ms)} ms (cpu ${f(first.cpuMs)} ms); warm p50 ${f(pct(warm, 0.5))} ms, p95 ${f(pct(warm, 0.95))} ms, max ${f(Math.max(...warm))} ms, cpu mean ${f(mean(warmCpu))} ms over ${RUNS} (target < 100 ms)`)

    const big: number[] = []
    const bigCpu: number[] = []
    for (let i = 0; i < 10; i++) {
      const r = await timed(t, token, `/api/tables/${tableId}/history?limit=500`)
      big.push(r.ms)
      bigCpu.push(r.cpuMs)
    }
    console.log(`history page of 500: p50 ${f(pct(big, 0.5))} ms, max ${f(Math.max(...big))} ms, cpu mean ${f(mean(bigCpu))} ms`)

    // a page deep in the history: follow the cursor 50 pages down
    let cursor = first.body.nextCursor as string
    for (let p = 0; p < 50; p++) cursor = (await timed(t, token, `/api/tables/${tableId}/history?before=${cursor}`)).body.nextCursor
    const deep: number[] = []
    const deepCpu: number[] = []
    for (let i = 0; i < 10; i++) {
      const r = await timed(t, token, `/api/tables/${tableId}/history?before=${cursor}`)
      deep.push(r.ms)
      deepCpu.push(r.cpuMs)
    }
    console.log(`history page 52 (via the cursor): p50 ${f(pct(deep, 0.5))} ms, cpu mean ${f(mean(deepCpu))} ms`)

    const diff: number[] = []
    const diffCpu: number[] = []
    let changes = 0
    for (let i = 0; i < 10; i++) {
      const r = await timed(t, token, `/api/tables/${tableId}/diff?from=1&to=live`)
      diff.push(r.ms)
      diffCpu.push(r.cpuMs)
      changes = r.body.changes.length
    }
    console.log(`diff version 1 → live, ${changes} changes, authors looked up among ${CHANGES} journal entries: p50 ${f(pct(diff, 0.5))} ms, max ${f(Math.max(...diff))} ms, cpu mean ${f(mean(diffCpu))} ms`)
  } finally {
    await t.dispose()
  }
}

console.log(`history and diff over HTTP — node ${process.version}`)
await run('pglite')
if (TEST_DATABASE_URL) await run('postgres')
else console.log('\npostgres: skipped (set TEST_DATABASE_URL)')
