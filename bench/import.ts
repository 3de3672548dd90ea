// xlsx import (server/import): one official 60-indicator table (our own export of S01 grown to 60
// indicators, mof2015-project with both halves) read back by importWorkbook — first call and warm
// p50/p95 — and a dry run of a 20-table workbook (one table per sheet, the ten reference samples
// twice) both in-process and through the import worker the server uses (runImport, off the event loop).
//   npx tsx bench/import.ts        (env: RUNS=30)
import ExcelJS from 'exceljs'
import { parseTableOrThrow } from '../shared/model/index.ts'
import { exportDoc } from '../server/export/document.ts'
import { safeSheetName, sheetOptions, tableXlsx, writeTableSheet } from '../server/export/xlsx.ts'
import { importWorkbook } from '../server/import/index.ts'
import { closeImportWorker, runImport } from '../server/import/run.ts'
import { loadSample, sampleFiles } from '../test/helpers/samples.ts'
import { pct, source, tableWith } from './export-fixtures.ts'

const RUNS = Number(process.env.RUNS ?? 30)
const f = (x: number, d = 1) => x.toFixed(d)

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now()
  const r = await fn()
  return [performance.now() - t0, r]
}

async function oneTable(): Promise<void> {
  const table = tableWith(60)
  const bytes = new Uint8Array(await tableXlsx(exportDoc(source(table, 0, '南江市教育局', '义务教育课后服务经费补助'))))
  const [cold, first] = await timed(() => importWorkbook(bytes, { fileName: 'one.xlsx', year: table.year }))
  const read = first.tables[0]?.content.indicators.length ?? 0
  const times: number[] = []
  for (let i = 0; i < RUNS; i++) times.push((await timed(() => importWorkbook(bytes, { fileName: 'one.xlsx', year: table.year })))[0])
  console.log(`one official table (mof2015-project, 60 indicators, ${f(bytes.length / 1024)} kB), ${read} indicators read back:`)
  console.log(`  first call ${f(cold)} ms; warm importWorkbook p50 ${f(pct(times, 0.5))} ms, p95 ${f(pct(times, 0.95))} ms, max ${f(Math.max(...times))} ms (${RUNS} runs, target < 300 ms)`)
}

async function twentyTables(): Promise<void> {
  const samples = sampleFiles().map((file) => parseTableOrThrow(loadSample(file)))
  const wb = new ExcelJS.Workbook()
  const taken = new Set<string>()
  for (let i = 0; i < 20; i++) {
    const table = samples[i % samples.length]!
    const doc = exportDoc(source(table, i, '南江市教育局', `${table.title ?? '表'}（${i + 1}）`))
    const name = safeSheetName(`${i + 1}-${doc.name}`, taken)
    taken.add(name)
    writeTableSheet(wb.addWorksheet(name, sheetOptions(doc)), doc)
  }
  const bytes = new Uint8Array(await wb.xlsx.writeBuffer())
  const [inProcess, r] = await timed(() => importWorkbook(bytes, { fileName: 'twenty.xlsx', year: 2025 }))
  const worker: number[] = []
  for (let i = 0; i < 5; i++) worker.push((await timed(() => runImport({ kind: 'tables', data: bytes, fileName: 'twenty.xlsx', year: 2025 })))[0])
  closeImportWorker()
  console.log(`20-table workbook (one table per sheet, ${f(bytes.length / 1024)} kB), ${r.tables.length} tables recognised:`)
  console.log(`  dry run in-process ${f(inProcess)} ms; through the import worker: first ${f(worker[0]!)} ms (worker start included), warm p50 ${f(pct(worker.slice(1), 0.5))} ms (target < 3 s)`)
}

await oneTable()
await twentyTables()
