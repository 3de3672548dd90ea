// Mining of candidate 共性指标 off the server's event loop: the clustering of a year's indicator rows
// (≈0.2–1 s of CPU for 2 000 tables, bench/README.md) runs in a one-shot worker thread, so live editing is
// not held up meanwhile. The rows travel as columns of strings (one structured clone, no per-row objects).
// `inline: true` runs it on the calling thread instead (unit-sized inputs, benches comparing the two).
import { Worker } from 'node:worker_threads'
import { synonymTable } from '../../shared/library/match.ts'
import { mineCandidates, type MinedCluster, type MiningRow, type MiningStats } from '../library/mining.ts'

/** the rows as parallel columns */
export interface MiningColumns {
  level1: string[]
  level2: string[]
  level3: string[]
  comparator: string[]
  target: string[]
  unit: string[]
  departmentId: string[]
  tableId: string[]
}

export interface MiningTask {
  rows: MiningColumns
  synonyms: string[][]
  departmentNames: [string, string][]
  minDepartments: number
}

export interface MiningAnswer {
  clusters: MinedCluster[]
  stats: MiningStats
  /** CPU time of the clustering itself */
  ms: number
}

export function emptyColumns(): MiningColumns {
  return { level1: [], level2: [], level3: [], comparator: [], target: [], unit: [], departmentId: [], tableId: [] }
}

export function pushRow(c: MiningColumns, r: MiningRow): void {
  c.level1.push(r.level1)
  c.level2.push(r.level2)
  c.level3.push(r.level3)
  c.comparator.push(r.comparator)
  c.target.push(r.target)
  c.unit.push(r.unit)
  c.departmentId.push(r.departmentId)
  c.tableId.push(r.tableId)
}

export function* rowsOf(c: MiningColumns): Generator<MiningRow> {
  for (let i = 0; i < c.level3.length; i++) {
    yield {
      level1: c.level1[i]!, level2: c.level2[i]!, level3: c.level3[i]!, comparator: c.comparator[i]!,
      target: c.target[i]!, unit: c.unit[i]!, departmentId: c.departmentId[i]!, tableId: c.tableId[i]!,
    }
  }
}

const WORKER_URL = new URL('./mining-worker.ts', import.meta.url).href
/** tsx registered in the worker's own thread (see server/import/run.ts: execArgv does not reach a worker on Node 20) */
const WORKER_ENTRY = new URL(
  'data:text/javascript,' +
    encodeURIComponent(`const { register } = await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}); register(); await import(${JSON.stringify(WORKER_URL)})`),
)
const WORKER_HEAP_MB = 1024

/** Clusters the rows in a worker thread (or inline); `signal` terminates the worker. */
export function runMining(task: MiningTask, options: { inline?: boolean; signal?: AbortSignal } = {}): Promise<MiningAnswer> {
  if (options.inline) {
    const names = new Map(task.departmentNames)
    const t0 = performance.now()
    const { clusters, stats } = mineCandidates(rowsOf(task.rows), {
      synonyms: synonymTable(task.synonyms), minDepartments: task.minDepartments, departmentName: (id) => names.get(id) ?? id,
    })
    return Promise.resolve({ clusters, stats, ms: performance.now() - t0 })
  }
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_ENTRY, { workerData: task, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } })
    let settled = false
    const settle = (fn: () => void) => {
      if (settled) return
      settled = true
      options.signal?.removeEventListener('abort', onAbort)
      fn()
      void worker.terminate()
    }
    const onAbort = () => settle(() => reject(new Error('已停止')))
    options.signal?.addEventListener('abort', onAbort, { once: true })
    worker.once('message', (m: { ok: true; clusters: MinedCluster[]; stats: MiningStats; ms: number } | { ok: false; message: string }) => {
      settle(() => (m.ok ? resolve({ clusters: m.clusters, stats: m.stats, ms: m.ms }) : reject(new Error(`共性指标分析出错：${m.message}`))))
    })
    worker.once('error', (err) => {
      const oom = /heap|memory/i.test(err.message) || (err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY'
      settle(() => reject(new Error(oom ? '共性指标分析超出内存上限' : `共性指标分析进程出错（${err.message}）`)))
    })
    worker.once('exit', (code) => settle(() => reject(new Error(`共性指标分析进程退出（${code}）`))))
  })
}
