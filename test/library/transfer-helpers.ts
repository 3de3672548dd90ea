// Helpers for the library transfer tests: upload a workbook to POST /api/indicators/import, read an
// exported one back with ExcelJS, and write workbooks row by row (ExcelJS's streaming writer).
import { PassThrough } from 'node:stream'
import ExcelJS from 'exceljs'
import { LIBRARY_COLUMNS } from '../../shared/api/library-transfer.ts'
import type { TestApp } from '../helpers/app.ts'

export const LABELS = LIBRARY_COLUMNS.map((c) => c.label)

export async function uploadLibrary(t: TestApp, token: string, bytes: Uint8Array, options: { dryRun?: boolean; name?: string } = {}) {
  const form = new FormData()
  form.set('file', new File([new Uint8Array(bytes)], options.name ?? 'library.xlsx', { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }))
  const res = await t.app.request(`/api/indicators/import${options.dryRun ? '?dryRun=1' : ''}`, {
    method: 'POST', body: form, headers: { authorization: `Bearer ${token}` },
  })
  return { status: res.status, body: (await res.json()) as any }
}

export async function exportLibrary(t: TestApp, token: string, query = '?format=xlsx') {
  const res = await t.app.request(`/api/indicators/export${query}`, { headers: { authorization: `Bearer ${token}` } })
  const bytes = new Uint8Array(await res.arrayBuffer())
  return { status: res.status, headers: res.headers, bytes }
}

/** The first sheet's rows as text (1-based row → cells by column 1…) */
export async function readBack(bytes: Uint8Array): Promise<{ sheet: ExcelJS.Worksheet; rows: string[][] }> {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(bytes as unknown as ArrayBuffer)
  const sheet = wb.worksheets[0]!
  const rows: string[][] = []
  sheet.eachRow({ includeEmpty: true }, (row, r) => {
    rows[r - 1] = LABELS.map((_, i) => {
      const v = row.getCell(i + 1).value
      return v === null || v === undefined ? '' : String(v)
    })
  })
  return { sheet, rows }
}

export type CellInput = string | number | { formula: string } | null

/** A workbook written row by row (the streaming writer: 50 000 rows in a second or two). */
export async function writeRows(rows: Iterable<CellInput[]>, sheetName = '指标库'): Promise<Uint8Array> {
  const chunks: Buffer[] = []
  const stream = new PassThrough()
  stream.on('data', (c: Buffer) => chunks.push(c))
  const ended = new Promise((resolve) => stream.on('end', resolve))
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useSharedStrings: true })
  const ws = wb.addWorksheet(sheetName)
  for (const r of rows) ws.addRow(r as ExcelJS.CellValue[]).commit()
  await ws.commit()
  await wb.commit()
  await ended
  return new Uint8Array(Buffer.concat(chunks))
}

/** Rewrites an exported workbook with `edit` applied to its rows (header included, as text). */
export async function editExport(bytes: Uint8Array, edit: (rows: string[][]) => CellInput[][]): Promise<Uint8Array> {
  const { rows } = await readBack(bytes)
  return writeRows(edit(rows))
}
