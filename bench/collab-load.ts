// Multi-table load generator (yload's light clients, for many documents at once): T tables × E editors,
// each a raw socket speaking the y-websocket protocol, each editing the `target` of its own indicator
// row R times a second with a value that carries its send time; every receiver measures the delay.
// Speaks y-websocket to our server and the reference server, Hocuspocus's multiplexed protocol to
// Hocuspocus; with `seed` (a table as one base64 Yjs update), first writes it into every document that
// lacks it (the anchors' documents start empty) and keeps those seeding clients until the editors synced.
//   node --import tsx bench/collab-load.ts '<json config>'   → prints one JSON result line
import * as Y from 'yjs'
import WebSocket from 'ws'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import * as syncProtocol from 'y-protocols/sync'
import { readFileSync } from 'node:fs'

interface Config {
  /** document URL with {room} for the table id, e.g. ws://127.0.0.1:3000/collab/{room} */
  urlTemplate: string
  protocol?: 'y-websocket' | 'hocuspocus'
  token: string
  seed?: string
  tables: string[]
  editors: number
  rate: number
  edits: number
  serverPid?: number
  drainMs?: number
}

const cfg = JSON.parse(process.argv[2]!) as Config
const now = () => performance.timeOrigin + performance.now()
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** 0.02 ms buckets to 200 ms, then 1 ms buckets to 60 s (as yload). */
class Hist {
  fine = new Float64Array(10_000)
  coarse = new Float64Array(60_000)
  n = 0
  max = 0
  add(ms: number) {
    this.n++
    if (ms > this.max) this.max = ms
    if (ms < 200) this.fine[Math.floor(Math.max(0, ms) / 0.02)]!++
    else this.coarse[Math.min(59_999, Math.floor(ms))]!++
  }
  q(p: number) {
    const target = Math.ceil((p / 100) * this.n)
    let c = 0
    for (let i = 0; i < this.fine.length; i++) if ((c += this.fine[i]!) >= target) return (i + 1) * 0.02
    for (let i = 0; i < this.coarse.length; i++) if ((c += this.coarse[i]!) >= target) return i + 1
    return this.max
  }
}

function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100
  } catch {
    return 0
  }
}

/** CPU time of the whole machine in ms: [busy, all] (/proc/stat; null elsewhere) */
function hostCpuMs(): [number, number] | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
    const all = f.reduce((a, b) => a + b, 0)
    const idle = f[3]! + (f[4] ?? 0)
    return [((all - idle) * 1000) / 100, (all * 1000) / 100]
  } catch {
    return null
  }
}

const MARK = Buffer.from('~yl~')
const hist = new Hist()
let echoes = 0

interface Light {
  cid: number
  ws: WebSocket
  doc: Y.Doc
  row: Y.Map<unknown> | null
}

const HP = cfg.protocol === 'hocuspocus'

/** A message of the document's protocol: Hocuspocus prefixes every message with the document name. */
function head(tableId: string, type: number): encoding.Encoder {
  const e = encoding.createEncoder()
  if (HP) encoding.writeVarString(e, tableId)
  encoding.writeVarUint(e, type)
  return e
}

function connect(tableId: string, cid: number, rowIndex: number, seed?: Uint8Array): Promise<Light> {
  return new Promise((resolve, reject) => {
    const at = cfg.urlTemplate.indexOf('{room}')
    const url = HP ? cfg.urlTemplate.slice(0, at).replace(/\/$/, '') : `${cfg.urlTemplate.replace('{room}', tableId)}?token=${encodeURIComponent(cfg.token)}`
    const ws = new WebSocket(url)
    ws.binaryType = 'nodebuffer'
    const doc = new Y.Doc()
    const light: Light = { cid, ws, doc, row: null }
    let synced = false
    const timer = setTimeout(() => reject(new Error(`sync timeout ${tableId}`)), 60_000)
    const send = (e: encoding.Encoder) => ws.readyState === WebSocket.OPEN && ws.send(encoding.toUint8Array(e))
    ws.on('error', reject)
    ws.on('open', () => {
      if (HP) {
        const a = head(tableId, 2)
        encoding.writeVarUint(a, 0)
        encoding.writeVarString(a, cfg.token)
        encoding.writeVarString(a, '4.7.0')
        send(a)
      }
      const e = head(tableId, 0)
      syncProtocol.writeSyncStep1(e, doc)
      send(e)
    })
    ws.on('message', (data: Buffer) => {
      if (synced) {
        let i = data.indexOf(MARK)
        if (i < 0) return
        const t = now()
        while (i >= 0) {
          const e1 = data.indexOf(0x7e, i + 4)
          const e2 = e1 >= 0 ? data.indexOf(0x7e, e1 + 1) : -1
          if (e2 < 0) break
          const id = data.toString('latin1', i + 4, e1)
          const from = Number(id.slice(0, id.indexOf('.')))
          if (from === cid) echoes++
          else hist.add(t - Number(data.toString('latin1', e1 + 1, e2)))
          i = data.indexOf(MARK, e2)
        }
        return
      }
      const d = decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
      if (HP) decoding.readVarString(d)
      if (decoding.readVarUint(d) !== 0) return
      const sub = decoding.readVarUint(d)
      if (sub === 0) {
        const sv = decoding.readVarUint8Array(d)
        const e = head(tableId, 0)
        encoding.writeVarUint(e, 1)
        encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(doc, sv))
        send(e)
      } else {
        Y.applyUpdate(doc, decoding.readVarUint8Array(d), 'remote')
        if (sub === 1) {
          synced = true
          clearTimeout(timer)
          if (seed && !(doc.getMap('table').get('indicators') instanceof Y.Array)) Y.applyUpdate(doc, seed) // sent by the update handler
          const rows = doc.getMap('table').get('indicators')
          if (!seed && !(rows instanceof Y.Array)) return reject(new Error(`document ${tableId} has no table.indicators`))
          if (rows instanceof Y.Array) light.row = rows.get(rowIndex % rows.length) as Y.Map<unknown>
          resolve(light)
        }
      }
    })
    doc.on('update', (u: Uint8Array, origin: unknown) => {
      if (origin === 'remote' || ws.readyState !== WebSocket.OPEN) return
      const e = head(tableId, 0)
      encoding.writeVarUint(e, 2)
      encoding.writeVarUint8Array(e, u)
      send(e)
    })
  })
}

// the anchors' documents start empty: one client per table writes the table first, and stays until the
// editors have synced (the reference server drops a document with its last connection)
const seeders: Light[] = []
if (cfg.seed) {
  const seed = new Uint8Array(Buffer.from(cfg.seed, 'base64'))
  for (let k = 0; k < cfg.tables.length; k += 50) seeders.push(...(await Promise.all(cfg.tables.slice(k, k + 50).map((t, i) => connect(t, -1 - k - i, 0, seed)))))
  await sleep(1000)
}

const clients: Light[] = []
const tConn = now()
let cid = 0
const jobs = cfg.tables.flatMap((t) => Array.from({ length: cfg.editors }, (_, i) => ({ t, i, cid: cid++ })))
for (let k = 0; k < jobs.length; k += 50) clients.push(...(await Promise.all(jobs.slice(k, k + 50).map((j) => connect(j.t, j.cid, j.i)))))
const connectMs = now() - tConn
for (const c of seeders) c.ws.close()
await sleep(1000)

const interval = 1000 / cfg.rate
const startAt = now() + 500
const cpu0 = cfg.serverPid ? cpuMs(cfg.serverPid) : 0
const host0 = hostCpuMs()
const self0 = process.cpuUsage()
await Promise.all(
  clients.map(
    (c) =>
      new Promise<void>((resolve) => {
        const offset = Math.random() * interval
        let seq = 0
        const step = () => {
          c.row!.set('target', `~yl~${c.cid}.${seq}~${now().toFixed(3)}~`)
          if (++seq >= cfg.edits) return resolve()
          setTimeout(step, Math.max(0, startAt + offset + seq * interval - now()))
        }
        setTimeout(step, Math.max(0, startAt + offset - now()))
      }),
  ),
)
const tEnd = now()
const cpu1 = cfg.serverPid ? cpuMs(cfg.serverPid) : 0
const host1 = hostCpuMs()
const self = process.cpuUsage(self0)
const expected = cfg.tables.length * cfg.editors * (cfg.editors - 1) * cfg.edits
const deadline = now() + (cfg.drainMs ?? 10_000)
while (hist.n < expected && now() < deadline) await sleep(20)
for (const c of clients) c.ws.close()
const windowMs = tEnd - startAt
console.log(
  JSON.stringify({
    tables: cfg.tables.length,
    editorsPerTable: cfg.editors,
    clients: clients.length,
    connectMs,
    sentPerS: (clients.length * cfg.edits) / (windowMs / 1000),
    deliveries: hist.n,
    expected,
    echoes,
    latencyMs: { p50: hist.q(50), p95: hist.q(95), p99: hist.q(99), max: hist.max },
    serverCpuPct: cfg.serverPid ? (100 * (cpu1 - cpu0)) / windowMs : null,
    harnessCpuPct: (100 * (self.user + self.system)) / 1000 / windowMs,
    // the rest of the machine's busy time (PostgreSQL, mostly), in % of one core
    otherCpuPct: host0 && host1 && cfg.serverPid ? (100 * (host1[0] - host0[0] - (cpu1 - cpu0) - (self.user + self.system) / 1000)) / windowMs : null,
  }),
)
process.exit(0)
