// PDF export with Typst: one 60-indicator table (exportDoc + tablePdf, cold first call and warm p50/p95),
// and the compiled book of 2 000 approved tables (100 departments × 20, the reference samples in turn)
// built in a child process as the book job runs it — wall time, pages, size and that process's peak RSS.
//   npx tsx bench/export-pdf.ts        (env: RUNS=200, BOOK_TABLES=2000, DEPARTMENTS=100, PART_SIZE=100, ONLY=table|book)
import { fork } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseTableOrThrow, type TargetTable } from '../shared/model/index.ts'
import type { BookPlan } from '../server/export/book.ts'
import { pdfBookWriterFactory } from '../server/export/book-pdf.ts'
import { exportDoc } from '../server/export/document.ts'
import { tablePdf } from '../server/export/pdf.ts'
import { loadSample, sampleFiles } from '../test/helpers/samples.ts'
import { pct, source, tableWith } from './export-fixtures.ts'

const env = process.env
const RUNS = Number(env.RUNS ?? 200)
const BOOK_TABLES = Number(env.BOOK_TABLES ?? 2000)
const DEPARTMENTS = Number(env.DEPARTMENTS ?? 100)
const PART_SIZE = Number(env.PART_SIZE ?? 100)
const self = fileURLToPath(import.meta.url)
const f = (x: number, d = 1) => x.toFixed(d)

function benchTable(): void {
  const table = tableWith(60)
  const src = source(table, 0, '南江市教育局', '义务教育课后服务经费补助')
  let t0 = performance.now()
  const first = tablePdf(exportDoc(src))
  const cold = performance.now() - t0
  for (let i = 0; i < 10; i++) tablePdf(exportDoc(src))
  const total: number[] = []
  const typst: number[] = []
  const cpu0 = process.cpuUsage()
  for (let i = 0; i < RUNS; i++) {
    t0 = performance.now()
    const doc = exportDoc(src)
    const t1 = performance.now()
    tablePdf(doc)
    const t2 = performance.now()
    total.push(t2 - t0)
    typst.push(t2 - t1)
  }
  const cpu = process.cpuUsage(cpu0)
  // Typst memoizes: the same table again is mostly a cache hit. Each run here prints another table
  // (one value and the title changed), as a server exporting different tables sees it.
  const fresh: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const changed = { ...table, indicators: table.indicators.map((r, k) => (k === i % table.indicators.length ? { ...r, target: String(1000 + i) } : r)) } as TargetTable
    t0 = performance.now()
    tablePdf(exportDoc(source(changed, i, '南江市教育局', `义务教育课后服务经费补助${i}`)))
    fresh.push(performance.now() - t0)
  }
  console.log(`one table, 60 indicators (mof2015-project, landscape): ${first.length} bytes`)
  console.log(`  first call (compiler + fonts + first typeset): ${f(cold)} ms`)
  console.log(`  exportDoc + tablePdf: p50 ${f(pct(total, 0.5))} ms  p95 ${f(pct(total, 0.95))} ms  max ${f(pct(total, 1))} ms  cpu mean ${f((cpu.user + cpu.system) / 1000 / RUNS)} ms  (${RUNS} runs, target < 300 ms)`)
  console.log(`  tablePdf alone:       p50 ${f(pct(typst, 0.5))} ms  p95 ${f(pct(typst, 0.95))} ms`)
  console.log(`  a different table each run (exportDoc + tablePdf): p50 ${f(pct(fresh, 0.5))} ms  p95 ${f(pct(fresh, 0.95))} ms  max ${f(pct(fresh, 1))} ms`)
}

/** Child: builds the book and reports its figures to the parent. */
async function bookChild(target: string): Promise<void> {
  const samples = sampleFiles().map((file) => parseTableOrThrow(loadSample(file)))
  const perDept = Math.ceil(BOOK_TABLES / DEPARTMENTS)
  const entries = Array.from({ length: BOOK_TABLES }, (_, i) => {
    const d = Math.floor(i / perDept)
    return { tableId: `t${i}`, departmentId: `d${d}`, departmentName: `南江市第${d + 1}部门`, title: `绩效目标表${String(i + 1).padStart(4, '0')}` }
  })
  const plan: BookPlan = { title: '2027年度预算绩效目标表汇编', year: 2027, edition: 'internal', entries, compiledAt: new Date() }
  const t0 = performance.now()
  const writer = await pdfBookWriterFactory({ partSize: PART_SIZE })(target, plan)
  const tFront = performance.now()
  let peak = process.memoryUsage().rss
  for (const [i, e] of entries.entries()) {
    await writer.add(exportDoc(source(samples[i % samples.length]!, i, e.departmentName, e.title)))
    if (i % 50 === 0) peak = Math.max(peak, process.memoryUsage().rss)
  }
  const tTables = performance.now()
  const { bytes } = await writer.finish()
  const tEnd = performance.now()
  process.send!({
    frontMs: tFront - t0, tablesMs: tTables - tFront, finishMs: tEnd - tTables, totalMs: tEnd - t0, bytes,
    maxRssKb: process.resourceUsage().maxRSS, sampledPeakRss: peak,
  })
}

async function benchBook(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-pdf-book-'))
  const target = path.join(dir, 'book.pdf')
  try {
    const t0 = performance.now()
    const child = fork(self, ['book', target], { execArgv: ['--import', 'tsx'], stdio: 'inherit' })
    let vmHwm = 0
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))
        if (m) vmHwm = Math.max(vmHwm, Number(m[1]))
      } catch { /* the child has ended */ }
    }, 200)
    const figures = await new Promise<Record<string, number>>((resolve, reject) => {
      let got: Record<string, number> | null = null
      child.on('message', (m) => { got = m as Record<string, number> })
      child.on('exit', (code) => (got ? resolve(got) : reject(new Error(`book child exited with ${code}`))))
    })
    clearInterval(poll)
    const wall = performance.now() - t0
    const pages = fs.readFileSync(target).toString('latin1').match(/\/Type\s*\/Page[^s]/g)?.length ?? 0
    console.log(`book: ${BOOK_TABLES} tables in ${DEPARTMENTS} departments, parts of ${PART_SIZE}: ${pages} pages, ${f(figures.bytes! / 1e6)} MB`)
    console.log(`  front matter sized ${f(figures.frontMs! / 1000, 2)} s, tables typeset ${f(figures.tablesMs! / 1000)} s, contents + join + write ${f(figures.finishMs! / 1000)} s`)
    console.log(`  total in the child ${f(figures.totalMs! / 1000)} s (wall with process start ${f(wall / 1000)} s, target < 120 s)`)
    console.log(`  child peak RSS ${f(figures.maxRssKb! / 1024, 0)} MB (getrusage maxRSS; VmHWM polled ${f(vmHwm / 1024, 0)} MB; target < 1 GB)`)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[2] === 'book') {
  await bookChild(process.argv[3]!)
} else {
  console.log(`PDF export — node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => f(x, 2)).join(' ')}`)
  if (!env.ONLY || env.ONLY === 'table') benchTable()
  if (!env.ONLY || env.ONLY === 'book') await benchBook()
  console.log(`load average after: ${os.loadavg().map((x) => f(x, 2)).join(' ')}`)
}
