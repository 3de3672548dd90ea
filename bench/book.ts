// The compiled book (汇编成册) end to end, as finance runs it: the real server (server/main.ts, its own
// process, PostgreSQL) with 2 000 approved tables (100 departments × 20, the reference samples in turn),
// POST /api/compilations for xlsx and for PDF, and meanwhile a 20-editor live session on another table
// (bench/collab-load.ts, light clients, 10 edits/s each). Figures: wall time from POST to done, peak RSS
// of the server process (sampled every 100 ms) and of the book worker (its getrusage maxRSS), the live
// session's delivery latency (p50/p95/p99) before and while each book builds, and the machine's load.
//   npx tsx bench/book.ts    (env: BENCH_DATABASE_URL, DEPARTMENTS=100, PER_DEPARTMENT=20, FORMATS=hog,xlsx,pdf,
//                             EDITORS=20, RATE=10, CHUNK_S=10)
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { openDatabase } from '../server/db/open.ts'
import { createStorage } from '../server/storage/index.ts'
import { bootstrap } from '../server/bootstrap/seed.ts'
import { DEMO_PASSWORD, DEMO_YEAR } from '../server/bootstrap/demo-city.ts'
import { serverNodeFlags } from '../scripts/node-flags.mjs'
import { createTestDatabase } from '../test/helpers/database.ts'
import { seedApprovedTables } from '../test/helpers/compilations.ts'

const env = process.env
const ROOT = fileURLToPath(new URL('../', import.meta.url))
const BASE_URL = env.BENCH_DATABASE_URL ?? env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const DEPARTMENTS = Number(env.DEPARTMENTS ?? 100)
const PER_DEPARTMENT = Number(env.PER_DEPARTMENT ?? 20)
/** 'hog': the live session beside a plain CPU-bound process, for comparison */
const FORMATS = (env.FORMATS ?? 'hog,xlsx,pdf').split(',') as ('xlsx' | 'pdf' | 'hog')[]
const EDITORS = Number(env.EDITORS ?? 20)
const RATE = Number(env.RATE ?? 10)
const CHUNK_S = Number(env.CHUNK_S ?? 10)
const YEAR = 2027
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ')

function rssKb(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : 0
  } catch {
    return 0
  }
}

/** the nice value of every thread of the server's children (the book worker): `nice×threads` */
function workerThreadNice(serverPid: number): string {
  const counts = new Map<number, number>()
  try {
    for (const child of fs.readFileSync(`/proc/${serverPid}/task/${serverPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
      for (const tid of fs.readdirSync(`/proc/${child}/task`)) {
        const stat = fs.readFileSync(`/proc/${child}/task/${tid}/stat`, 'utf8')
        const nice = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
        counts.set(nice, (counts.get(nice) ?? 0) + 1)
      }
    }
  } catch {
    /* gone */
  }
  return [...counts].map(([n, c]) => `${n}×${c}`).join(', ') || 'n/a'
}

async function startServer(dataDir: string, url: string): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, [...serverNodeFlags(), '--import', 'tsx', '--import', './bench/loop-delay.ts', path.join(ROOT, 'server/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', DATABASE_URL: url, DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let out = ''
  const base = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString()
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out)
      if (m) resolve(m[1]!)
    })
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)))
  })
  child.stdout!.on('data', (c: Buffer) => {
    for (const line of c.toString().split('\n')) if (line.startsWith('{"loopDelayMs"')) loopLines.push(JSON.parse(line).loopDelayMs)
  })
  return { child, base }
}

type LoopDelay = { p50: number; p99: number; max: number }
const loopLines: LoopDelay[] = []
/** the server's event-loop delay since the last call (bench/loop-delay.ts) */
async function loopDelay(pid: number): Promise<LoopDelay> {
  const n = loopLines.length
  process.kill(pid, 'SIGUSR2')
  for (let i = 0; loopLines.length === n && i < 100; i++) await sleep(10)
  return loopLines[n] ?? { p50: NaN, p99: NaN, max: NaN }
}
const fmtLoop = (d: LoopDelay) => `server event-loop delay p50 ${d.p50} / p99 ${d.p99} / max ${d.max} ms`

async function api(base: string, method: string, url: string, token?: string, body?: unknown): Promise<any> {
  const res = await fetch(base + url, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  return res.json()
}

interface LiveResult {
  latencyMs: { p50: number; p95: number; p99: number; max: number }
  deliveries: number
  expected: number
  serverCpuPct: number | null
}

/** one chunk of the live session: EDITORS editors on one table for CHUNK_S seconds */
function liveChunk(base: string, tableId: string, token: string, serverPid: number): Promise<LiveResult> {
  const cfg = { urlTemplate: `${base.replace('http', 'ws')}/collab/{room}`, token, tables: [tableId], editors: EDITORS, rate: RATE, edits: RATE * CHUNK_S, serverPid, drainMs: 10_000 }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/collab-load.ts'), JSON.stringify(cfg)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()))
    child.once('exit', (code) => {
      const line = out.trim().split('\n').pop()
      if (code !== 0 || !line) reject(new Error(`collab-load exited ${code}: ${out}`))
      else resolve(JSON.parse(line) as LiveResult)
    })
  })
}

const fmt = (r: LiveResult) => `p50 ${r.latencyMs.p50.toFixed(1)} / p95 ${r.latencyMs.p95.toFixed(1)} / p99 ${r.latencyMs.p99.toFixed(1)} / max ${r.latencyMs.max.toFixed(0)} ms (${r.deliveries}/${r.expected} delivered, server CPU ${r.serverCpuPct?.toFixed(0)} %)`

async function main() {
  console.log(`node ${process.version}, ${os.cpus().length} CPUs, load ${load()}`)
  const testDb = await createTestDatabase(BASE_URL)
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-bench-book-'))
  let server: ChildProcess | null = null
  try {
    const database = await openDatabase({ url: testDb.url, poolSize: 4 })
    const storage = createStorage(database.db)
    await bootstrap(storage, { adminUsername: 'admin', adminPassword: 'bench-admin-password', demo: true })
    const t0 = Date.now()
    const departmentIds: string[] = []
    for (let d = 0; d < DEPARTMENTS; d++) {
      departmentIds.push((await storage.departments.create({ code: `9${String(d).padStart(3, '0')}`, name: `基准测试第${d + 1}局`, kind: 'department' })).id)
    }
    await seedApprovedTables(storage, { year: YEAR, departmentIds, perDepartment: PER_DEPARTMENT })
    console.log(`seeded ${DEPARTMENTS * PER_DEPARTMENT} approved tables in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    const education = (await storage.departments.getByCode('105'))!
    const liveTable = (await storage.tables.list({ year: DEMO_YEAR, departmentId: education.id }))[0]!

    const started = await startServer(dataDir, testDb.url)
    server = started.child
    const { base } = started
    const pid = server.pid!
    const finance = (await api(base, 'POST', '/api/auth/login', undefined, { username: 'caizheng', password: DEMO_PASSWORD })).token as string
    const editor = (await api(base, 'POST', '/api/auth/login', undefined, { username: 'jiaoyu', password: DEMO_PASSWORD })).token as string

    await loopDelay(pid)
    const baseline = await liveChunk(base, liveTable.id, editor, pid)
    console.log(`live session alone (${EDITORS} editors × ${RATE}/s): ${fmt(baseline)}; ${fmtLoop(await loopDelay(pid))}; server RSS ${(rssKb(pid) / 1024).toFixed(0)} MB; load ${load()}`)

    for (const format of FORMATS) {
      if (format === 'hog') {
        // the same live session beside a plain CPU-bound process at the book worker's priority: what
        // any busy neighbour costs on this machine, to tell the machine from the server
        const hog = spawn('nice', ['-n', '19', process.execPath, '-e', 'for(;;){}'], { stdio: 'ignore' })
        await sleep(500)
        const r = await liveChunk(base, liveTable.id, editor, pid)
        hog.kill('SIGKILL')
        console.log(`\nlive session beside a nice-19 CPU hog: ${fmt(r)}; ${fmtLoop(await loopDelay(pid))}; load ${load()}`)
        continue
      }
      const loadBefore = load()
      const tPost = performance.now()
      const accepted = await api(base, 'POST', '/api/compilations', finance, { year: YEAR, format, edition: 'internal' })
      let peakServerKb = rssKb(pid)
      let status: any
      let done = false
      let tDone = 0
      let threadNice = ''
      const poll = (async () => {
        for (;;) {
          status = await api(base, 'GET', `/api/compilations/${accepted.jobId}`, finance)
          peakServerKb = Math.max(peakServerKb, rssKb(pid))
          if (!threadNice && status.done > 0) threadNice = workerThreadNice(pid)
          if (['done', 'failed', 'cancelled'].includes(status.status)) break
          await sleep(100)
        }
        tDone = performance.now()
        done = true
      })()
      const chunks: LiveResult[] = []
      await loopDelay(pid)
      while (!done) chunks.push(await liveChunk(base, liveTable.id, editor, pid))
      const loopWhile = await loopDelay(pid)
      await poll
      const wallS = (tDone - tPost) / 1000
      const job = await storage.jobs.get(accepted.jobId)
      const result = job?.result as { workerMaxRssKb?: number; ms?: number; file?: { bytes: number } } | null
      const worst = chunks.reduce((a, b) => (b.latencyMs.p99 > a.latencyMs.p99 ? b : a))
      console.log(`\n${format}: ${status.status} ${status.done}/${status.total}, failures ${status.failures.length}, wall ${wallS.toFixed(1)} s (POST → done seen), job ${((result?.ms ?? 0) / 1000).toFixed(1)} s, file ${((result?.file?.bytes ?? 0) / 1e6).toFixed(1)} MB`)
      console.log(`  worker threads by nice value: ${threadNice}`)
      console.log(`  server peak RSS ${(peakServerKb / 1024).toFixed(0)} MB (VmHWM since start ${(rssKb(pid, 'VmHWM') / 1024).toFixed(0)} MB); worker peak RSS ${((result?.workerMaxRssKb ?? 0) / 1024).toFixed(0)} MB`)
      console.log(`  live session while building, ${chunks.length} chunk(s) of ${CHUNK_S} s: worst ${fmt(worst)}`)
      for (const c of chunks) console.log(`    ${fmt(c)}`)
      console.log(`  ${fmtLoop(loopWhile)} (over the whole build)`)
      console.log(`  load before ${loadBefore}, after ${load()}`)
    }
    await database.close()
  } finally {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM')
      await new Promise((r) => server!.once('exit', r))
    }
    await testDb.drop()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

await main()
