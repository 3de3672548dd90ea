// xlsx export with ExcelJS: one 60-indicator table (exportDoc + tableXlsx, first call and warm p50/p95),
// and the compiled book of 2 000 approved tables (100 departments × 20, the reference samples in turn)
// written by createXlsxBookWriter in a child process — wall time, size, and that process's RSS while
// it writes (sampled every 250 tables, to show it stays flat) and at its peak.
//   npx tsx bench/export-xlsx.ts        (env: RUNS=50, BOOK_TABLES=2000, DEPARTMENTS=100, ONLY=table|book)
import { fork } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseTableOrThrow, type TargetTable } from '../shared/model/index.ts'
import type { BookPlan } from '../server/export/book.ts'
import { createXlsxBookWriter } from '../server/export/book-xlsx.ts'
import { exportDoc } from '../server/export/document.ts'
import { tableXlsx } from '../server/export/xlsx.ts'
import { loadSample, sampleFiles } from '../test/helpers/samples.ts'
import { pct, source, tableWith } from './export-fixtures.ts'

const env = process.env
const RUNS = Number(env.RUNS ?? 50)
const BOOK_TABLES = Number(env.BOOK_TABLES ?? 2000)
const DEPARTMENTS = Number(env.DEPARTMENTS ?? 100)
const self = fileURLToPath(import.meta.url)
const f = (x: number, d = 1) => x.toFixed(d)
const mb = (bytes: number) => f(bytes / 1024 / 1024, 0)

async function benchTable(): Promise<void> {
  const table = tableWith(60)
  const src = source(table, 0, '南江市教育局', '义务教育课后服务经费补助')
  let t0 = performance.now()
  const first = await tableXlsx(exportDoc(src))
  const cold = performance.now() - t0
  for (let i = 0; i < 5; i++) await tableXlsx(exportDoc(src))
  const total: number[] = []
  const write: number[] = []
  const cpu0 = process.cpuUsage()
  for (let i = 0; i < RUNS; i++) {
    t0 = performance.now()
    const doc = exportDoc(src)
    const t1 = performance.now()
    await tableXlsx(doc)
    const t2 = performance.now()
    total.push(t2 - t0)
    write.push(t2 - t1)
  }
  const cpu = process.cpuUsage(cpu0)
  console.log(`one table, 60 indicators (mof2015-project, ${exportDoc(src).layout.rowCount} rows), ${f(first.length / 1024)} kB:`)
  console.log(`  first call ${f(cold)} ms; warm exportDoc+tableXlsx p50 ${f(pct(total, 0.5))} ms, p95 ${f(pct(total, 0.95))} ms, max ${f(Math.max(...total))} ms; tableXlsx alone p50 ${f(pct(write, 0.5))} ms; cpu mean ${f((cpu.user + cpu.system) / 1000 / RUNS)} ms (${RUNS} runs, target < 100 ms)`)
}

interface BookFigures { tables: number; seconds: number; bytes: number; maxRssKb: number; rssSamples: [number, number][] }

/** In the child: build the book as the job does (exportDoc per table, then add), report the figures. */
async function buildBook(): Promise<BookFigures> {
  const samples = sampleFiles().map((file) => parseTableOrThrow(loadSample(file)))
  const perDept = Math.ceil(BOOK_TABLES / DEPARTMENTS)
  const entries = Array.from({ length: BOOK_TABLES }, (_, i) => {
    const d = Math.floor(i / perDept)
    return { tableId: `t${i}`, departmentId: `d${d}`, departmentName: `第${d + 1}部门（局）`, title: `${samples[i % samples.length]!.title ?? '项目'}（${i + 1}）` }
  })
  const plan: BookPlan = { title: '2026年度预算绩效目标表汇编', year: 2026, edition: 'internal', entries, compiledAt: new Date() }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-xlsx-book-'))
  const file = path.join(dir, 'book.xlsx')
  try {
    const t0 = performance.now()
    const writer = await createXlsxBookWriter(file, plan)
    const rssSamples: [number, number][] = []
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!
      await writer.add(exportDoc(source(samples[i % samples.length]!, i, e.departmentName, e.title)))
      if ((i + 1) % 250 === 0) rssSamples.push([i + 1, process.memoryUsage.rss()])
    }
    const { bytes } = await writer.finish()
    const seconds = (performance.now() - t0) / 1000
    return { tables: entries.length, seconds, bytes, maxRssKb: process.resourceUsage().maxRSS, rssSamples }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

async function benchBook(): Promise<void> {
  const child = fork(self, [], { env: { ...env, BENCH_CHILD: 'book' }, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const figures = await new Promise<BookFigures>((resolve, reject) => {
    child.once('message', (m) => resolve(m as BookFigures))
    child.once('exit', (code) => reject(new Error(`book child exited ${code}`)))
  })
  child.kill()
  console.log(`book of ${figures.tables} tables (${DEPARTMENTS} departments, the ${sampleFiles().length} samples in turn, 目录 + one sheet each):`)
  console.log(`  ${f(figures.seconds, 1)} s (${f((figures.seconds * 1000) / figures.tables, 1)} ms per table, target < 60 s), ${mb(figures.bytes)} MB`)
  console.log(`  child RSS while writing: ${figures.rssSamples.map(([n, rss]) => `${n}: ${mb(rss)} MB`).join(', ')}`)
  console.log(`  child peak RSS ${f(figures.maxRssKb / 1024, 0)} MB (getrusage maxRSS; target < 1 GB)`)
}

if (env.BENCH_CHILD === 'book') {
  const figures = await buildBook()
  process.send!(figures)
} else {
  console.log(`xlsx export — node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => f(x, 2)).join(' ')}`)
  if (env.ONLY !== 'book') await benchTable()
  if (env.ONLY !== 'table') await benchBook()
  console.log(`load average after: ${os.loadavg().map((x) => f(x, 2)).join(' ')}`)
}
