// A collaboration server as its own process (run with tsx), for crash and multi-process tests and the
// bench: PostgreSQL when DATABASE_URL is set, else PGlite in DATA_DIR; Redis when REDIS_URL is set.
// Prints one JSON line {ready, port, pid, fixtures?} on stdout once listening. SIGTERM shuts down cleanly;
// SIGUSR2 prints {memory, stats} (after a GC when started with --expose-gc), for the bench.
//   env: PORT (0) HOST (127.0.0.1) DATABASE_URL | DATA_DIR, SEED=1 (create fixtures), REDIS_URL,
//        DURABILITY (store-first | relay), DATABASE_UNIX_SOCKET=off (TCP even to a local PostgreSQL), HOLD_ROOM_UPDATES, REDIS_PREFIX, STORE_WAIT_MS, STORE_MAX_MS, SETTLE_MS, SETTLE_MAX_MS, PACE_MS_PER_RECEIVER, PACE_MAX_MS, PACE_MIN_RECEIVERS, RELAY_WRITE_GAP_MS, COLLAB_LOG=1 (echo the log to stderr),
//        HEAP_SAMPLE=<file> (diagnostics: sample every allocation, collected or not, written at SIGTERM;
//        with HEAP_SAMPLE_PROMOTED=1 only what survived young-generation collections)
import { PerformanceObserver } from 'node:perf_hooks'
import { Session } from 'node:inspector/promises'
import { writeFileSync } from 'node:fs'
import { openDatabase } from '../../server/db/open.ts'
import { createStorage } from '../../server/storage/index.ts'
import { createRedisBus } from '../../server/collab/redis.ts'
import { consoleLog, silentLog, type CollabLog } from '../../server/collab/log.ts'
import { createMemoryPersistence } from '../../server/collab/persistence.ts'
import type { Timings } from '../../server/collab/registry.ts'
import { encodeTable } from '../../shared/ydoc/index.ts'
import { sampleTable, seedCollabFixtures } from './collab-fixtures.ts'
import { startCollabServer } from './collab-server.ts'

const env = process.env
const log: CollabLog = env.COLLAB_LOG === '1' ? { ...consoleLog, info: (e, f) => console.error(`[collab] ${e}`, f ?? '') } : { ...silentLog, error: consoleLog.error }
const database = await openDatabase(env.DATABASE_URL ? { url: env.DATABASE_URL, poolSize: 5, unixSocket: env.DATABASE_UNIX_SOCKET !== 'off' } : { dataDir: env.DATA_DIR })
const storage = createStorage(database.db)
const fixtures = env.SEED === '1' ? await seedCollabFixtures(storage) : undefined
const bus = env.REDIS_URL ? await createRedisBus({ url: env.REDIS_URL, prefix: env.REDIS_PREFIX, log }) : undefined
const TIMING_ENV = { STORE_WAIT_MS: 'storeWaitMs', STORE_MAX_MS: 'storeMaxMs', SETTLE_MS: 'settleMs', SETTLE_MAX_MS: 'settleMaxMs', PACE_MS_PER_RECEIVER: 'paceMsPerReceiver', PACE_MAX_MS: 'paceMaxMs', PACE_MIN_RECEIVERS: 'paceMinReceivers', RELAY_WRITE_GAP_MS: 'relayWriteGapMs' } as const satisfies Record<string, keyof Timings>
const timings: Partial<Timings> = Object.fromEntries(Object.entries(TIMING_ENV).filter(([name]) => env[name]).map(([name, key]) => [key, Number(env[name])]))
// PERSISTENCE=memory (diagnostics only: what the server costs without its database round trips)
const memory = env.PERSISTENCE === 'memory' ? createMemoryPersistence() : undefined
if (memory && fixtures) await memory.append(fixtures.tableId, 'table', [{ update: encodeTable(sampleTable()), userId: null }])
const durability = (env.DURABILITY || 'store-first') as 'store-first' | 'relay'
if (durability !== 'store-first' && durability !== 'relay') throw new Error(`DURABILITY must be 'store-first' or 'relay', not '${env.DURABILITY}'`)
const holdLimits = env.HOLD_ROOM_UPDATES ? { roomUpdates: Number(env.HOLD_ROOM_UPDATES) } : undefined
const server = await startCollabServer({ storage, port: Number(env.PORT ?? 0), log, bus, timings, synchronousCommit: database.kind !== 'postgres', persistence: memory, durability, holdLimits })
process.stdout.write(JSON.stringify({ ready: true, port: server.port, pid: process.pid, fixtures }) + '\n')

// HEAP_SAMPLE: the inspector's sampling heap profiler, counting objects the GC already collected too,
// so the profile says who allocates the garbage (bench/README.md → collab.ts)
const heapSession = env.HEAP_SAMPLE ? new Session() : null
if (heapSession) {
  heapSession.connect()
  await heapSession.post('HeapProfiler.enable')
  await heapSession.post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: env.HEAP_SAMPLE_PROMOTED !== '1' } as never)
}

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  if (heapSession) writeFileSync(env.HEAP_SAMPLE!, JSON.stringify(((await heapSession.post('HeapProfiler.stopSampling')) as { profile: unknown }).profile))
  await server.close()
  await database.close()
  process.exit(0)
}
// garbage-collection pauses since the last report (for the bench)
let gc = { count: 0, ms: 0, maxMs: 0 }
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gc.count++
    gc.ms += e.duration
    gc.maxMs = Math.max(gc.maxMs, e.duration)
  }
}).observe({ entryTypes: ['gc'] })
process.on('SIGUSR2', () => {
  ;(globalThis as { gc?: () => void }).gc?.()
  process.stdout.write(JSON.stringify({ memory: process.memoryUsage(), stats: server.collab.stats(), gc }) + '\n')
  gc = { count: 0, ms: 0, maxMs: 0 }
})
process.on('SIGTERM', () => void stop())
process.on('SIGINT', () => void stop())
