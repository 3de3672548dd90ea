// The library as an xlsx workbook (LIBRARY_SHEET): a header row with the LIBRARY_COLUMNS labels, frozen,
// then one row per entry (server/library/transfer-format.ts). Written with ExcelJS's streaming writer,
// row by row, so 50 000 entries take a second or two and little memory. Bytes only, no files.
import { PassThrough } from 'node:stream'
import ExcelJS from 'exceljs'
import { LIBRARY_COLUMNS, LIBRARY_SHEET } from '../../shared/api/library-transfer.ts'
import { cellText } from '../review/opinions-xlsx.ts'
import { entryCells, type TransferFields } from './transfer-format.ts'

/** rows written between two turns of the event loop (≈ a few ms of work each) */
const YIELD_EVERY = 200

const WIDTHS: Record<string, number> = {
  id: 14, level1: 12, level2: 14, level3: 28, explanation: 40, formula: 30, comparator: 8, typicalValue: 12, unit: 10,
  basis: 18, dataSource: 18, scope: 11, functionalClasses: 22, projectTypes: 18, 'alt2021.level1': 14, 'alt2021.level2': 14,
  departmentId: 20, core: 9,
}

export async function libraryWorkbook(entries: Iterable<TransferFields & { id: string }>, departmentName: (id: string) => string): Promise<Buffer> {
  const chunks: Buffer[] = []
  const stream = new PassThrough()
  stream.on('data', (c: Buffer) => chunks.push(c))
  const done = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve)
    stream.on('error', reject)
  })
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useSharedStrings: true, useStyles: true })
  const ws = wb.addWorksheet(LIBRARY_SHEET, { views: [{ state: 'frozen', ySplit: 1, xSplit: 0 }] })
  ws.columns = LIBRARY_COLUMNS.map((c) => ({ key: c.key, width: WIDTHS[c.key] ?? 14 }))
  const header = ws.addRow(LIBRARY_COLUMNS.map((c) => c.label))
  header.font = { bold: true }
  header.alignment = { vertical: 'middle', horizontal: 'center' }
  header.eachCell((cell) => {
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF7' } }
    cell.border = { bottom: { style: 'thin' } }
  })
  header.commit()
  let written = 0
  for (const e of entries) {
    // every cell text (a value like 001 or 95 stays the text the library holds)
    ws.addRow(entryCells(e, e.departmentId ? departmentName(e.departmentId) : '').map(cellText)).commit()
    // this runs on the live server's event loop: let sockets and other requests in between rows
    if (++written % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve))
  }
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: LIBRARY_COLUMNS.length } }
  await ws.commit()
  await wb.commit()
  await done
  return Buffer.concat(chunks)
}
