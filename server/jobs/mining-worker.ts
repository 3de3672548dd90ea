// The mining worker thread (see mining-run.ts): one message in — the year's indicator rows as columns, the
// synonym groups and department names — one message out: the clusters (server/library/mining.ts) or an error.
import { parentPort, workerData } from 'node:worker_threads'
import { synonymTable } from '../../shared/library/match.ts'
import { mineCandidates } from '../library/mining.ts'
import { rowsOf, type MiningTask } from './mining-run.ts'

const task = workerData as MiningTask
try {
  const names = new Map(task.departmentNames)
  const t0 = performance.now()
  const { clusters, stats } = mineCandidates(rowsOf(task.rows), {
    synonyms: synonymTable(task.synonyms),
    minDepartments: task.minDepartments,
    departmentName: (id) => names.get(id) ?? id,
  })
  parentPort!.postMessage({ ok: true, clusters, stats, ms: performance.now() - t0 })
} catch (err) {
  parentPort!.postMessage({ ok: false, message: (err as Error).message })
}
