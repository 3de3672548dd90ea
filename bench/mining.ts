// Mining of candidate 共性指标 (server/library/mining.ts, server/jobs/common-candidates.ts) at city scale:
// a generated corpus (test/fixtures/mining/corpus.ts: 120 departments × 17 approved tables ≈ 2 040 tables of
// ~20 indicator rows — planted near-duplicate families, look-alike decoys, department-specific indicators).
//  1. the clustering alone, in-process: time per run, distinct names, name comparisons made by the blocking
//     against all pairs within each 一级;
//  2. the clustering in its worker thread (as the job runs it): wall time and the main thread's worst
//     event-loop delay meanwhile, against the delay when it runs inline;
//  3. the job end to end on a database: 2 040 approved tables written through storage, a run queued and
//     taken by a job runner, from queue to done (reading the frozen versions in batches + clustering).
// Target: < 10 s for 2 000 tables.
//   npx tsx bench/mining.ts     (env: DB=pglite|postgres (default postgres when TEST_DATABASE_URL or
//                                BENCH_DATABASE_URL is set), DEPARTMENTS=120, PER_DEPARTMENT=17, ROUNDS=5)
import os from 'node:os'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { DEFAULT_SYNONYMS } from '../shared/api/library.ts'
import { synonymTable, nameKey } from '../shared/library/match.ts'
import { normaliseLevel1 } from '../shared/model/index.ts'
import { openTestDatabase, type TestDatabaseKind } from '../test/helpers/database.ts'
import { sampleContent, seedApprovedTables } from '../test/helpers/compilations.ts'
import { contentIndicators, generateCorpus, miningRows } from '../test/fixtures/mining/corpus.ts'
import { mineCandidates } from '../server/library/mining.ts'
import { emptyColumns, pushRow, runMining } from '../server/jobs/mining-run.ts'
import { commonCandidatesHandler, type CandidatesResult } from '../server/jobs/common-candidates.ts'
import { createJobRunner } from '../server/jobs/runner.ts'
import { createStorage } from '../server/storage/index.ts'
import { bootstrap } from '../server/bootstrap/seed.ts'

const env = process.env
const DEPARTMENTS = Number(env.DEPARTMENTS ?? 120)
const PER_DEPARTMENT = Number(env.PER_DEPARTMENT ?? 17)
const ROUNDS = Number(env.ROUNDS ?? 5)
if (env.BENCH_DATABASE_URL && !env.TEST_DATABASE_URL) env.TEST_DATABASE_URL = env.BENCH_DATABASE_URL
const DB = (env.DB ?? (env.TEST_DATABASE_URL ? 'postgres' : 'pglite')) as TestDatabaseKind
const YEAR = 2030
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ')
const ms = (x: number) => `${x.toFixed(0)} ms`
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function withLoopDelay<T>(fn: () => Promise<T>): Promise<{ value: T; maxDelayMs: number }> {
  const h = monitorEventLoopDelay({ resolution: 10 })
  h.enable()
  // give the histogram a tick before the work starts
  await new Promise((r) => setTimeout(r, 20))
  const value = await fn()
  await new Promise((r) => setTimeout(r, 20))
  h.disable()
  return { value, maxDelayMs: h.max / 1e6 }
}

async function main() {
  console.log(`# mining bench — ${os.cpus().length} CPU, load ${load()}, node ${process.version}`)
  const corpus = generateCorpus({ departments: DEPARTMENTS, tablesPerDepartment: PER_DEPARTMENT })
  const rows = miningRows(corpus)
  const synonyms = synonymTable(DEFAULT_SYNONYMS)
  console.log(`corpus: ${corpus.tables.length} tables, ${DEPARTMENTS} departments, ${rows.length} indicator rows`)

  // 1. clustering alone
  const times: number[] = []
  let last: ReturnType<typeof mineCandidates> | null = null
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now()
    last = mineCandidates(rows, { synonyms })
    times.push(performance.now() - t0)
  }
  const byLevel1 = new Map<string, Set<string>>()
  for (const r of rows) {
    const l1 = normaliseLevel1(r.level1)
    if (!byLevel1.has(l1)) byLevel1.set(l1, new Set())
    byLevel1.get(l1)!.add(nameKey(r.level3))
  }
  const allPairs = [...byLevel1.values()].reduce((n, s) => n + (s.size * (s.size - 1)) / 2, 0)
  console.log(`clustering alone (in-process, ${ROUNDS} runs): median ${ms(median(times))}, min ${ms(Math.min(...times))}, max ${ms(Math.max(...times))}`)
  console.log(`  ${last!.stats.groups} distinct (一级, name) groups → ${last!.clusters.length} clusters of ≥ 2 departments; ${last!.stats.comparisons} name comparisons (all pairs within 一级: ${allPairs})`)
  console.log(`  load ${load()}`)

  // 2. worker thread against inline: the main thread's event-loop delay
  const columns = emptyColumns()
  for (const r of rows) pushRow(columns, r)
  const task = { rows: columns, synonyms: DEFAULT_SYNONYMS.map((g) => [...g]), departmentNames: [] as [string, string][], minDepartments: 2 }
  const inline = await withLoopDelay(async () => {
    const t0 = performance.now()
    await runMining(task, { inline: true })
    return performance.now() - t0
  })
  const worker = await withLoopDelay(async () => {
    const t0 = performance.now()
    const a = await runMining(task)
    return { wall: performance.now() - t0, cpu: a.ms }
  })
  console.log(`inline: ${ms(inline.value)}, event loop blocked up to ${ms(inline.maxDelayMs)}`)
  console.log(`worker thread: ${ms(worker.value.wall)} wall (clustering ${ms(worker.value.cpu)} in the worker, the rest is its start-up and the copy), event loop delay up to ${ms(worker.maxDelayMs)}`)
  console.log(`  load ${load()}`)

  // 3. the job end to end on a database
  const database = await openTestDatabase(DB)
  try {
    const storage = createStorage(database.db)
    await bootstrap(storage, { adminUsername: 'admin', adminPassword: 'bench-admin-password', demo: false })
    const departmentIds: string[] = []
    for (let d = 0; d < DEPARTMENTS; d++) departmentIds.push((await storage.departments.create({ code: String(700 + d), name: `测试部门${d + 1}`, kind: 'department' })).id)
    const t0 = performance.now()
    await seedApprovedTables(storage, {
      year: YEAR, departmentIds, perDepartment: PER_DEPARTMENT,
      content: (i) => ({ ...sampleContent(i, YEAR), indicators: contentIndicators(corpus.tables[i]!.rows) }),
    })
    console.log(`${DB}: ${corpus.tables.length} approved tables written in ${ms(performance.now() - t0)}`)
    for (const batchSize of [100]) {
      const runner = createJobRunner({ storage, pollMs: 50, log: () => {}, handlers: { 'common-candidates': commonCandidatesHandler({ storage, batchSize }) } })
      const job = await storage.jobs.create({ kind: 'common-candidates', params: { year: YEAR } })
      const started = performance.now()
      const run = await withLoopDelay(async () => {
        runner.start()
        for (;;) {
          const j = await storage.jobs.get(job.id)
          if (j && ['done', 'failed', 'cancelled'].includes(j.status)) return j
          await new Promise((r) => setTimeout(r, 50))
        }
      })
      const wall = performance.now() - started
      await runner.stop()
      const result = run.value.result as CandidatesResult | null
      if (run.value.status !== 'done' || !result) throw new Error(`job ${run.value.status}: ${run.value.error}`)
      console.log(`job end to end (${DB}, batches of ${batchSize}): ${ms(wall)} from queue to done — reading ${ms(result.stats.readMs)}, clustering ${ms(result.stats.clusterMs)} (worker); ${result.tables} tables, ${result.indicatorRows} rows, ${result.clusters.length} clusters; event loop delay up to ${ms(run.maxDelayMs)}`)
    }
    console.log(`  load ${load()}`)
  } finally {
    await database.dispose()
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err)
    process.exit(1)
  },
)
