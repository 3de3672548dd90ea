// The mining job (kind `common-candidates`): reads the approved versions of a year's tables in batches
// (progress: tables read / tables), extracts their annual indicator rows, clusters them in a worker thread
// (mining-run.ts) and leaves the clusters spanning ≥ 2 departments in the job's `result`; the GET narrows to
// the caller's minDepartments and names library matches at read time (the library changes after the run).
// 涉密 tables are left out: the result is read by the third-party consultants too.
// A restart runs it again from the beginning (a minute's work at most; see README.md).
import { z } from 'zod'
import type { TargetTable } from '../../shared/model/index.ts'
import type { Storage } from '../storage/index.ts'
import type { MinedCluster, MiningStats } from '../library/mining.ts'
import { emptyColumns, pushRow, runMining } from './mining-run.ts'
import type { JobHandler } from './runner.ts'

export const candidatesParams = z.object({ year: z.number().int() })
export type CandidatesParams = z.infer<typeof candidatesParams>

export interface CandidatesResult {
  year: number
  computedAt: string
  tables: number
  indicatorRows: number
  /** every cluster spanning at least two departments, most departments first */
  clusters: MinedCluster[]
  stats: MiningStats & { readMs: number; clusterMs: number }
}

export interface CandidatesDeps {
  storage: Storage
  /** approved versions read per query (default 100) */
  batchSize?: number
  /** cluster on the runner's thread instead of a worker thread (tests of small corpora) */
  inline?: boolean
}

/** keep clusters of two departments and more in the stored result; the GET narrows */
const STORED_MIN_DEPARTMENTS = 2

export function commonCandidatesHandler(deps: CandidatesDeps): JobHandler {
  const { storage } = deps
  const batchSize = deps.batchSize ?? 100
  return async ({ job, signal, progress }) => {
    const { year } = candidatesParams.parse(job.params)
    const t0 = performance.now()
    const tables = await storage.book.candidates({ year, includeClassified: false })
    progress({ done: 0, total: tables.length })
    const names = new Map<string, string>()
    const columns = emptyColumns()
    let done = 0
    for (let i = 0; i < tables.length; i += batchSize) {
      if (signal.aborted) throw new Error('已停止')
      const batch = tables.slice(i, i + batchSize)
      const departmentOf = new Map(batch.map((t) => [t.tableId, t.departmentId]))
      for (const t of batch) names.set(t.departmentId, t.departmentName)
      for (const frozen of await storage.book.contents(batch.map((t) => ({ tableId: t.tableId, version: t.version })))) {
        const content = frozen.content as Partial<TargetTable> | null
        const departmentId = departmentOf.get(frozen.tableId)!
        for (const r of Array.isArray(content?.indicators) ? content.indicators : []) {
          if (!r || typeof r.level3 !== 'string' || (r.period ?? 'annual') !== 'annual' || !r.level3.trim()) continue
          pushRow(columns, {
            level1: str(r.level1), level2: str(r.level2), level3: r.level3, comparator: str(r.comparator), target: str(r.target), unit: str(r.unit),
            departmentId, tableId: frozen.tableId,
          })
        }
      }
      done += batch.length
      progress({ done })
    }
    const readMs = performance.now() - t0
    const synonyms = (await storage.library.synonyms()).groups
    const mined = await runMining(
      { rows: columns, synonyms, departmentNames: [...names], minDepartments: STORED_MIN_DEPARTMENTS },
      { inline: deps.inline ?? false, signal },
    )
    const result: CandidatesResult = {
      year,
      computedAt: new Date().toISOString(),
      tables: tables.length,
      indicatorRows: columns.level3.length,
      clusters: mined.clusters,
      stats: { ...mined.stats, readMs: Math.round(readMs), clusterMs: Math.round(mined.ms) },
    }
    return { result, done, failures: [] }
  }
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : v == null ? '' : String(v)
}
