// Collaboration benchmark (method of /work/shared/bench/README.md): our server, the reference
// y-websocket server and Hocuspocus + PostgreSQL, each pinned to its own core with the load generator on
// the other, one table edited by N editors at 10 edits/s (yload, table layout); then a new client's sync
// of a 300-indicator table from the database, memory over connect/disconnect and load/unload cycles,
// and 200 tables × 5 editors. Figures go to stdout and bench/results/collab-<time>/.
//   npx tsx bench/collab.ts            (env below; BENCH_DATABASE_URL must reach a PostgreSQL)
//   BENCH_PHASES=edit,sync,memory,multi  BENCH_NS=50,100  BENCH_KINDS=light,full  BENCH_EDITS=200
//   BENCH_SERVERS=ours,ywebsocket,hocuspocus-pg (a variant of ours: ours+PACE_MAX_MS=2+…, its server env)  BENCH_ROUNDS=1 (repeat the edit matrix, report medians)
//   relay mode beside store-first in the same run: BENCH_SERVERS=ours,ours+DURABILITY=relay,hocuspocus-pg
//   BENCH_MULTI_RATES=10,5,2 (edits/s per editor in the 200 × 5 run)  BENCH_MULTI_SERVERS (default: BENCH_SERVERS)
//   SERVER_CPU=1 HARNESS_CPU=0
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import * as Y from 'yjs'
import WebSocket from 'ws'
import { openDatabase } from '../server/db/open.ts'
import { createStorage } from '../server/storage/index.ts'
import { encodeSyncStep1 } from '../server/collab/protocol.ts'
import { encodeTable } from '../shared/ydoc/index.ts'
import { createTestDatabase } from '../test/helpers/database.ts'
import { createSeededTable, sampleTable } from '../test/helpers/collab-fixtures.ts'
import { spawnCollabServer, type ServerProcess } from '../test/helpers/collab-process.ts'
import { connectClient } from '../test/helpers/collab-clients.ts'

const ROOT = path.resolve(import.meta.dirname, '..')
const ANCHORS = path.join(ROOT, 'bench/collab-anchors')
const env = process.env
const SERVER_CPU = env.SERVER_CPU ?? '1'
const HARNESS_CPU = env.HARNESS_CPU ?? '0'
const DATABASE_URL = env.BENCH_DATABASE_URL ?? env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const PHASES = (env.BENCH_PHASES ?? 'edit,sync,memory,multi').split(',')
const NS = (env.BENCH_NS ?? '50,100').split(',').map(Number)
const KINDS = (env.BENCH_KINDS ?? 'light,full').split(',')
const FULL_NS = (env.BENCH_FULL_NS ?? '20,50').split(',').map(Number)
const EDITS = Number(env.BENCH_EDITS ?? 200)
const ROUNDS = Number(env.BENCH_ROUNDS ?? 1)
// extra node flags for our server in the edit runs, e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof' (profiling)
const OURS_NODE_ARGS = (env.BENCH_OURS_NODE_ARGS ?? '').split(' ').filter(Boolean)
/** node flags for the yload harness process (e.g. --trace-gc, to tell its own pauses from the server's) */
const HARNESS_NODE_ARGS = (env.BENCH_HARNESS_NODE_ARGS ?? '').split(' ').filter(Boolean)
const SERVERS = (env.BENCH_SERVERS ?? 'ours,ywebsocket,hocuspocus-pg').split(',')
const OUT = path.join(ROOT, 'bench/results', `collab-${new Date().toISOString().replace(/[:.]/g, '-')}`)

// The harness side (this process, yload, collab-load) runs on HARNESS_CPU; servers on SERVER_CPU.
if (!env.COLLAB_BENCH_PINNED && hasTaskset()) {
  const r = spawnSync('taskset', ['-c', HARNESS_CPU, process.execPath, '--import', 'tsx', ...process.argv.slice(1)], { stdio: 'inherit', env: { ...env, COLLAB_BENCH_PINNED: '1' } })
  process.exit(r.status ?? 1)
}

function hasTaskset(): boolean {
  return spawnSync('taskset', ['-V']).status === 0
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const f = (x: unknown, d = 2) => (typeof x === 'number' ? x.toFixed(d) : '-')

function ensureAnchors(): void {
  if (fs.existsSync(path.join(ANCHORS, 'node_modules/@hocuspocus/server'))) return
  console.log('installing the anchor servers in bench/collab-anchors (npm ci)…')
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: ANCHORS, stdio: 'inherit' })
  if (r.status !== 0) throw new Error('npm ci in bench/collab-anchors failed')
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port
      s.close(() => resolve(p))
    })
  })
}

async function waitPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => (c.end(), resolve(true)))
      c.on('error', () => resolve(false))
    })
    if (ok) return
    await sleep(50)
  }
  throw new Error(`port ${port} never opened`)
}

interface Running {
  name: string
  pid: number
  urlTemplate: string
  protocol: 'y-websocket' | 'hocuspocus'
  doc: string
  token?: string
  stop(): Promise<void>
  ours?: ServerProcess
}

let privateDb: { url: string; drop(): Promise<void> } | null = null

async function startServer(name: string): Promise<Running> {
  if (name === 'ours' || name.startsWith('ours+')) {
    // a variant of ours: `ours+PACE_MAX_MS=2+SETTLE_MS=1000` runs it with those settings (A/B in one run)
    const extra = Object.fromEntries(name.split('+').slice(1).map((kv) => kv.split('=') as [string, string]))
    const sp = await spawnCollabServer({ DATABASE_URL: privateDb!.url, SEED: '1', ...extra }, { cpu: SERVER_CPU, nodeArgs: OURS_NODE_ARGS })
    return { name, pid: sp.pid, urlTemplate: `ws://127.0.0.1:${sp.port}/collab/{room}`, protocol: 'y-websocket', doc: sp.fixtures!.tableId, token: sp.fixtures!.users.finance.token, stop: () => sp.kill(), ours: sp }
  }
  const port = await freePort()
  const script = name === 'ywebsocket' ? 'servers/ywebsocket.mjs' : 'servers/hocuspocus.mjs'
  const child: ChildProcess = spawn('taskset', ['-c', SERVER_CPU, process.execPath, script], {
    cwd: ANCHORS,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1', ...(name === 'hocuspocus-pg' ? { DATABASE_URL: privateDb!.url } : { DATABASE_URL: '' }) },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  await waitPort(port)
  const protocol = name === 'ywebsocket' ? 'y-websocket' : 'hocuspocus'
  const urlTemplate = `ws://127.0.0.1:${port}/{room}`
  const doc = `bench-${name}-${Date.now()}`
  const seedFile = path.join(OUT, 'table-seed.b64')
  if (!fs.existsSync(seedFile)) fs.writeFileSync(seedFile, Buffer.from(encodeTable(sampleTable())).toString('base64'))
  const seeded = spawnSync(process.execPath, ['seed-table.mjs', '--url', urlTemplate, '--protocol', protocol, '--doc', doc, '--update', seedFile], { cwd: ANCHORS, stdio: 'inherit' })
  if (seeded.status !== 0) throw new Error(`seeding ${name} failed`)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    name,
    pid: child.pid!,
    urlTemplate,
    protocol,
    doc,
    stop: async () => {
      child.kill('SIGTERM')
      await exited
    },
  }
}

interface YloadResult {
  latencyPerReceiverMs: { p50: number; p95: number; p99: number; max: number }
  latencyAllReceiversMs: { p50: number; p99: number }
  edits: { deliveriesObserved: number; deliveriesExpected: number; incompleteEdits: number; echoesToSender: number }
  convergence: { converged: boolean }
  host: { busyPct: number; harnessPct: number; serverPct: number; otherPct: number } | null
  server: { editPhase: { cpuPct: number; rssPeakMiB: number } | null } | null
  harness: { eventLoopMs: { p99: number }; sendLagMs: { p99: number } }[]
}

function yload(s: Running, kind: string, n: number, label: string): YloadResult {
  const json = path.join(OUT, `edit-${s.name}-${kind}-N${n}.json`)
  const args = ['yload.mjs', '--url', s.urlTemplate, '--protocol', s.protocol, '--layout', 'table', '--doc', s.doc, '--client', kind, '--clients', String(n), '--edits', String(EDITS), '--rate', '10', '--drain-timeout', '30', '--server-pid', String(s.pid), '--json', json, '--label', label, '--quiet']
  if (s.token) args.push('--token', s.token)
  const r = spawnSync(process.execPath, [...HARNESS_NODE_ARGS, ...args], { cwd: ANCHORS, stdio: ['ignore', 'inherit', 'inherit'] })
  if (!fs.existsSync(json)) throw new Error(`yload failed for ${label} (exit ${r.status})`)
  return JSON.parse(fs.readFileSync(json, 'utf8')) as YloadResult
}

const summary: string[] = []

/** Our server about itself since its last report (event loop, GC, update-log writes, hold before broadcast). */
async function printServerStats(sp: ServerProcess): Promise<void> {
  const { stats, gc } = await sp.report()
  const c = stats.commits
  console.log(`server: event loop p50 ${stats.eventLoopMs.p50} p99 ${stats.eventLoopMs.p99} max ${stats.eventLoopMs.max} ms; GC ${gc.count} pauses ${f(gc.ms, 0)} ms (max ${f(gc.maxMs, 1)}); appends ${c.statements} for ${c.updates} updates, round trip p50 ${stats.storeRoundTripMs.p50} p99 ${stats.storeRoundTripMs.p99} max ${stats.storeRoundTripMs.max} ms; accepted → sent p50 ${stats.holdMs.p50} p99 ${stats.holdMs.p99} max ${stats.holdMs.max} ms`)
}

async function phaseEdit(): Promise<void> {
  const rows: string[] = ['| server | clients | N | p50 ms | p99 ms | p99 all receivers ms | max ms | server CPU % | deliveries | converged | other CPU % |', '|---|---|---|---|---|---|---|---|---|---|---|']
  const plan: [string, number][] = [...(KINDS.includes('light') ? NS.map((n) => ['light', n] as [string, number]) : []), ...(KINDS.includes('full') ? FULL_NS.map((n) => ['full', n] as [string, number]) : [])]
  const all = new Map<string, YloadResult[]>()
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [kind, n] of plan) {
      for (const name of SERVERS) {
        const s = await startServer(name)
        try {
          await sleep(500)
          await s.ours?.report() // resets the server's event-loop and GC counters
          const r = yload(s, kind, n, `${name} ${kind} N=${n} round ${round}`)
          if (s.ours) await printServerStats(s.ours)
          const key = `${name}|${kind}|${n}`
          all.set(key, [...(all.get(key) ?? []), r])
          const l = r.latencyPerReceiverMs
          rows.push(`| ${name} | ${kind} | ${n} | ${f(l.p50)} | ${f(l.p99)} | ${f(r.latencyAllReceiversMs.p99)} | ${f(l.max)} | ${f(r.server?.editPhase?.cpuPct, 1)} | ${r.edits.deliveriesObserved}/${r.edits.deliveriesExpected} | ${r.convergence.converged} | ${f(r.host?.otherPct, 0)} |`)
          console.log(`round ${round} ${rows.at(-1)}`)
        } finally {
          await s.stop()
        }
      }
    }
  }
  summary.push('### Propagation, one table, 10 edits/s per editor', '', ...rows, '')
  if (ROUNDS > 1) {
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!
    const m: string[] = [`medians over ${ROUNDS} rounds (min–max):`, '', '| server | clients | N | p50 ms | p99 ms | server CPU % | other CPU % |', '|---|---|---|---|---|---|---|']
    for (const [key, rs] of all) {
      const [name, kind, n] = key.split('|')
      const col = (pick: (r: YloadResult) => number | undefined, d = 2) => {
        const xs = rs.map(pick).filter((x): x is number => typeof x === 'number')
        return xs.length ? `${f(med(xs), d)} (${f(Math.min(...xs), d)}–${f(Math.max(...xs), d)})` : '-'
      }
      m.push(`| ${name} | ${kind} | ${n} | ${col((r) => r.latencyPerReceiverMs.p50)} | ${col((r) => r.latencyPerReceiverMs.p99)} | ${col((r) => r.server?.editPhase?.cpuPct, 1)} | ${col((r) => r.host?.otherPct, 0)} |`)
    }
    summary.push(...m, '')
  }
}

async function phaseSync(): Promise<void> {
  const sp = await spawnCollabServer({ DATABASE_URL: privateDb!.url, SEED: '1' }, { cpu: SERVER_CPU, nodeArgs: OURS_NODE_ARGS })
  const database = await openDatabase({ url: privateDb!.url, poolSize: 2 })
  try {
    const storage = createStorage(database.db)
    const content = sampleTable(300)
    const bytes = encodeTable(content).byteLength
    const tableId = await createSeededTable(storage, sp.fixtures!.departments.d1, content)
    const url = `ws://127.0.0.1:${sp.port}/collab`
    const times: number[] = []
    for (let i = 0; i < 13; i++) {
      const t0 = performance.now()
      const c = connectClient(url, tableId, sp.fixtures!.users.finance.token)
      // the provider's own event, not a poll (a 5 ms poll added 2.5 ms on average to every figure)
      await new Promise<void>((resolve) => c.provider.on('sync', (synced: boolean) => synced && resolve()))
      const ms = performance.now() - t0
      if ((c.doc.getMap('table').get('indicators') as Y.Array<unknown> | undefined)?.length !== 300) throw new Error('synced without the 300 indicators')
      c.destroy()
      if (i >= 3) times.push(ms) // the first three warm the server's code paths up (JIT)
      for (let k = 0; k < 100; k++) {
        if ((await sp.report()).stats.rooms === 0) break
        await sleep(30)
      }
    }
    times.sort((a, b) => a - b)
    const line = `new client, 300-indicator table (${bytes} bytes) loaded from PostgreSQL each time: p50 ${f(times[Math.floor(times.length / 2)])} ms, min ${f(times[0])} ms, max ${f(times.at(-1))} ms over ${times.length} connections`
    console.log(line)
    summary.push('### New client sync', '', line, '')
  } finally {
    await database.close()
    await sp.kill()
  }
}

async function rawCycle(url: string, token: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const ws = new WebSocket(`${url}?token=${encodeURIComponent(token)}`)
    ws.on('open', () => ws.send(encodeSyncStep1(new Y.Doc())))
    ws.on('message', () => ws.close())
    ws.on('close', () => resolve())
    ws.on('error', reject)
  })
}

async function phaseMemory(): Promise<void> {
  const sp = await spawnCollabServer({ DATABASE_URL: privateDb!.url, SEED: '1' }, { cpu: SERVER_CPU, nodeArgs: ['--expose-gc'] })
  try {
    const fx = sp.fixtures!
    const url = `ws://127.0.0.1:${sp.port}/collab`
    const mib = (b: number) => (b / 1024 / 1024).toFixed(1)
    const series: string[] = []
    const holder = connectClient(url, fx.tableId, fx.users.alice.token)
    await holder.synced()
    for (let i = 0; i < 50; i++) await rawCycle(`${url}/${fx.tableId}`, fx.users.bob.token)
    const base = await sp.report()
    series.push(`connect/disconnect cycles (room held open): 0 → heap ${mib(base.memory.heapUsed)} MiB, rss ${mib(base.memory.rss)} MiB`)
    let last = base
    for (let i = 1; i <= 1000; i++) {
      await rawCycle(`${url}/${fx.tableId}`, fx.users.bob.token)
      if (i % 250 === 0) {
        last = await sp.report()
        series.push(`  ${i} → heap ${mib(last.memory.heapUsed)} MiB, rss ${mib(last.memory.rss)} MiB, connections ${last.stats.connections}`)
      }
    }
    const connGrowth = last.memory.heapUsed - base.memory.heapUsed
    holder.destroy()
    const cycle = async () => {
      const c = connectClient(url, fx.tableId, fx.users.alice.token)
      await c.synced()
      c.destroy()
      for (let k = 0; k < 200; k++) {
        if ((await sp.report()).stats.rooms === 0) return
        await sleep(20)
      }
      throw new Error('room never unloaded')
    }
    for (let i = 0; i < 10; i++) await cycle()
    const lbase = await sp.report()
    series.push(`load/unload cycles: 0 → heap ${mib(lbase.memory.heapUsed)} MiB, rss ${mib(lbase.memory.rss)} MiB`)
    let llast = lbase
    for (let i = 1; i <= 100; i++) {
      await cycle()
      if (i % 25 === 0) {
        llast = await sp.report()
        series.push(`  ${i} → heap ${mib(llast.memory.heapUsed)} MiB, rss ${mib(llast.memory.rss)} MiB, rooms ${llast.stats.rooms}, loads ${(llast.stats.registry as { loads: number }).loads}`)
      }
    }
    const loadGrowth = llast.memory.heapUsed - lbase.memory.heapUsed
    series.push(`heap growth: ${mib(connGrowth)} MiB over 1 000 connect/disconnect cycles, ${mib(loadGrowth)} MiB over 100 load/unload cycles (after GC)`)
    for (const l of series) console.log(l)
    summary.push('### Memory', '', '```', ...series, '```', '')
  } finally {
    await sp.kill()
  }
}

async function phaseMulti(): Promise<void> {
  for (const rate of (env.BENCH_MULTI_RATES ?? '10,5,2').split(',').map(Number)) {
    for (const name of (env.BENCH_MULTI_SERVERS?.split(',') ?? SERVERS)) await multiRun(name, rate)
  }
}

/** T tables × E editors on one server (bench/collab-load.ts); the anchors get the same table written into T documents. */
async function multiRun(name: string, rate: number): Promise<void> {
  const TABLES = Number(env.BENCH_MULTI_TABLES ?? 200)
  const EDITORS = Number(env.BENCH_MULTI_EDITORS ?? 5)
  const s = await startServer(name)
  try {
    let tables: string[]
    let seed: string | undefined
    if (s.ours) {
      const database = await openDatabase({ url: privateDb!.url, poolSize: 4 })
      try {
        const storage = createStorage(database.db)
        tables = [s.doc]
        while (tables.length < TABLES) tables.push(await createSeededTable(storage, s.ours.fixtures!.departments.d1, sampleTable()))
      } finally {
        await database.close()
      }
    } else {
      tables = Array.from({ length: TABLES }, (_, i) => `${s.doc}-t${i}`)
      seed = Buffer.from(encodeTable(sampleTable())).toString('base64')
    }
    const cfg = { urlTemplate: s.urlTemplate, protocol: s.protocol, token: s.token ?? 'bench', seed, tables, editors: EDITORS, rate, edits: Math.max(20, Math.round((Math.min(EDITS, 150) * rate) / 10)), serverPid: s.pid, drainMs: 15_000 }
    await s.ours?.report() // resets the server's counters
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/collab-load.ts'), JSON.stringify(cfg)], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    if (s.ours) await printServerStats(s.ours)
    const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { latencyMs: { p50: number; p99: number; max: number }; deliveries: number; expected: number; serverCpuPct: number; harnessCpuPct: number; otherCpuPct: number | null; sentPerS: number }
    fs.writeFileSync(path.join(OUT, `multi-${name}-rate${rate}.json`), JSON.stringify(result, null, 2))
    const line = `${name}: ${TABLES} tables × ${EDITORS} editors at ${rate} edits/s (${f(result.sentPerS, 0)} edits/s in all): p50 ${f(result.latencyMs.p50)} ms, p99 ${f(result.latencyMs.p99)} ms, max ${f(result.latencyMs.max)} ms; deliveries ${result.deliveries}/${result.expected}; server CPU ${f(result.serverCpuPct, 1)}% of a core, harness ${f(result.harnessCpuPct, 1)}%, other processes ${f(result.otherCpuPct, 1)}%`
    console.log(line)
    summary.push(`### Many tables (${name}, ${rate} edits/s per editor)`, '', line, '')
  } finally {
    await s.stop()
  }
}

fs.mkdirSync(OUT, { recursive: true })
ensureAnchors()
privateDb = await createTestDatabase(DATABASE_URL)
try {
  console.log(`collab bench: ${os.cpus().length} cores, node ${process.version}, server on cpu ${SERVER_CPU}, harness on cpu ${HARNESS_CPU}, load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`)
  if (PHASES.includes('edit')) await phaseEdit()
  if (PHASES.includes('sync')) await phaseSync()
  if (PHASES.includes('memory')) await phaseMemory()
  if (PHASES.includes('multi')) await phaseMulti()
} finally {
  await privateDb.drop()
}
const text = [`## collab bench ${new Date().toISOString()} (${os.cpus().length} cores, load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')})`, '', ...summary].join('\n')
fs.writeFileSync(path.join(OUT, 'summary.md'), text)
console.log('\n' + text + `\nresults in ${path.relative(ROOT, OUT)}`)
process.exit(0)
