// Many clients joining one table at once (a 联审会 starting): N raw sockets open together against our
// server (pinned to SERVER_CPU, PostgreSQL), each sends sync step 1; prints when the upgrades opened and
// when the sync answers arrived, for N distinct sessions or (SAME=1) one shared session. Three rounds,
// the first with the room still to load.
//   npx tsx bench/collab-connect.ts          (env: N=100, SAME=1, SERVER_CPU=1, BENCH_DATABASE_URL)
import WebSocket from 'ws'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { spawnCollabServer } from '../test/helpers/collab-process.ts'
import { createTestDatabase } from '../test/helpers/database.ts'
import { openDatabase } from '../server/db/open.ts'
import { createStorage } from '../server/storage/index.ts'

const env = process.env
const N = Number(env.N ?? 100)
const db = await createTestDatabase(env.BENCH_DATABASE_URL ?? env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test')
const sp = await spawnCollabServer({ DATABASE_URL: db.url, SEED: '1' }, { cpu: env.SERVER_CPU ?? '1' })
try {
  const fx = sp.fixtures!
  const tokens: string[] = []
  const database = await openDatabase({ url: db.url, poolSize: 2 })
  const storage = createStorage(database.db)
  for (let i = 0; i < N; i++) tokens.push(env.SAME === '1' ? fx.users.finance.token : (await storage.sessions.create(fx.users.finance.id)).token)
  await database.close()
  const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)]!.toFixed(0)
  console.log(`${N} clients, ${env.SAME === '1' ? 'one session' : 'distinct sessions'}, server on cpu ${env.SERVER_CPU ?? '1'}`)
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now()
    const opened: number[] = []
    const synced: number[] = []
    const sockets = await Promise.all(tokens.map((token) => new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${sp.port}/collab/${fx.tableId}?token=${encodeURIComponent(token)}`)
      ws.on('error', reject)
      ws.on('open', () => {
        opened.push(performance.now() - t0)
        const e = encoding.createEncoder()
        encoding.writeVarUint(e, 0) // sync
        encoding.writeVarUint(e, 0) // step 1
        encoding.writeVarUint8Array(e, new Uint8Array([0])) // empty state vector
        ws.send(encoding.toUint8Array(e))
      })
      ws.on('message', (data: Buffer) => {
        const d = decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
        if (decoding.readVarUint(d) === 0 && decoding.readVarUint(d) === 1) {
          synced.push(performance.now() - t0)
          resolve(ws)
        }
      })
    })))
    console.log(`round ${round + 1}${round === 0 ? ' (room loads)' : ''}: opened p50 ${pct(opened, 0.5)} max ${pct(opened, 1)} ms; synced p50 ${pct(synced, 0.5)} max ${pct(synced, 1)} ms`)
    for (const s of sockets) s.close()
    await new Promise((r) => setTimeout(r, 1500))
  }
} finally {
  await sp.kill()
  await db.drop()
}
