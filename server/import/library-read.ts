// Reads a library workbook (指标库, shared/api/library-transfer.ts) in the import worker: the same
// preflight as every import (bytes checked before ExcelJS: size, format, old .xls, password, zip bomb,
// cell count), then ExcelJS's streaming reader over the verified parts — a 50 000-row sheet is read
// row by row in a few seconds with a small heap (the whole-workbook reader takes ~10 s and ~500 MB).
// The header row is found by its labels (any order, extra columns noted); each data row comes back as
// the text of every library column, with the columns whose formula had no cached value.
import { Readable } from 'node:stream'
import ExcelJS from 'exceljs'
import { AppError } from '../../shared/errors.ts'
import { LIBRARY_COLUMNS, LIBRARY_SHEET, MAX_LIBRARY_IMPORT_ROWS, type LibraryColumnKey } from '../../shared/api/library-transfer.ts'
import { columnLetters } from './grid.ts'
import { fileRefusal, preflightWorkbook } from './preflight.ts'
import { readCell } from './workbook.ts'

export interface LibrarySheetRow {
  /** 1-based row of the sheet */
  row: number
  /** text per LIBRARY_COLUMNS index; null where the file has no such column */
  cells: (string | null)[]
  /** LIBRARY_COLUMNS indexes whose cell is a formula without a cached value */
  formulas: number[]
}

export interface LibrarySheetRead {
  sheet: string
  /** 1-based row of the header */
  headerRow: number
  /** LIBRARY_COLUMNS keys the header holds */
  present: LibraryColumnKey[]
  rows: LibrarySheetRow[]
  notes: string[]
}

/** columns a row cannot do without; a header missing one refuses the file */
export const REQUIRED_COLUMNS: readonly LibraryColumnKey[] = ['level1', 'level2', 'level3', 'comparator', 'scope']
/** rows searched for the header */
const HEADER_SCAN = 30
/** the preflight's cell bound for a library workbook: the row bound × the columns, with room for extra columns */
const MAX_LIBRARY_CELLS = (MAX_LIBRARY_IMPORT_ROWS + HEADER_SCAN) * 30

const labelKey = (s: string) => s.normalize('NFKC').replace(/[\s*＊:：]/g, '').replace(/[（(]必填[)）]$/, '')
const BY_LABEL = new Map<string, number>(LIBRARY_COLUMNS.map((c, i) => [labelKey(c.label), i]))

export async function readLibraryWorkbook(data: Uint8Array, options: { fileName?: string } = {}): Promise<LibrarySheetRead> {
  const prepared = await preflightWorkbook(data, { ...options, maxCells: MAX_LIBRARY_CELLS })
  const notes = prepared.problems.map((p) => p.message)
  const visible = prepared.sheets.filter((s) => s.state === 'visible' && s.id !== undefined)
  const chosen = visible.find((s) => s.name.trim() === LIBRARY_SHEET) ?? visible[0]
  if (!chosen) throw fileRefusal('not_workbook', `${label(options)}中没有可读取的工作表`)
  for (const s of visible) if (s !== chosen) notes.push(`只读取工作表“${chosen.name}”，工作表“${s.name}”未导入`)

  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([prepared.zip]), {
    worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore',
  } as ExcelJS.stream.xlsx.WorkbookStreamReaderOptions)

  let header: { row: number; columns: (number | undefined)[]; present: Set<number> } | undefined
  const rows: LibrarySheetRow[] = []
  const hiddenRows: number[] = []
  for await (const sheet of reader) {
    const ws = sheet as unknown as AsyncIterable<ExcelJS.Row> & { id: number | string }
    // WATCH OUT: the streaming reader names a sheet by the number in its part name, as a string
    const id = Number(ws.id)
    for await (const row of ws) {
      if (id !== chosen.id) continue
      const r = row.number
      if (!header) {
        if (r > HEADER_SCAN) break
        header = headerOf(row, notes)
        continue
      }
      if (row.hidden) {
        hiddenRows.push(r)
        continue
      }
      const cells: (string | null)[] = LIBRARY_COLUMNS.map((_, i) => (header!.present.has(i) ? '' : null))
      const formulas: number[] = []
      let any = false
      row.eachCell({ includeEmpty: false }, (xc, c) => {
        const k = header!.columns[c]
        if (k === undefined) return
        const cell = readCell(xc, columnLetters(c - 1) + r)
        if (!cell) return
        if (cell.formula && cell.value === null && !cell.error) formulas.push(k)
        if (cell.text !== '') {
          cells[k] = cell.text
          any = true
        }
      })
      if (!any && formulas.length === 0) continue
      if (rows.length >= MAX_LIBRARY_IMPORT_ROWS) {
        throw refusal('too_many_rows', `${label(options)}的指标超过 ${MAX_LIBRARY_IMPORT_ROWS.toLocaleString('en-US')} 行，请拆分后分批导入`)
      }
      rows.push({ row: r, cells, formulas })
    }
  }
  if (!header) {
    const labels = LIBRARY_COLUMNS.map((c) => c.label).join('、')
    throw refusal('no_header', `工作表“${chosen.name}”的前 ${HEADER_SCAN} 行中没有指标库的表头：需要一行含「三级指标」及其他列名（${labels}）`)
  }
  const missing = REQUIRED_COLUMNS.filter((k) => !header!.present.has(LIBRARY_COLUMNS.findIndex((c) => c.key === k)))
  if (missing.length) {
    const labels = missing.map((k) => `「${LIBRARY_COLUMNS.find((c) => c.key === k)!.label}」`).join('')
    throw refusal('missing_columns', `工作表“${chosen.name}”第 ${header.row} 行的表头缺少列${labels}，无法导入`)
  }
  if (hiddenRows.length) notes.push(`工作表“${chosen.name}”隐藏的第 ${short(hiddenRows)} 行未导入`)
  const present = [...header.present].sort((a, b) => a - b).map((i) => LIBRARY_COLUMNS[i]!.key)
  const absent = LIBRARY_COLUMNS.filter((c) => !present.includes(c.key)).map((c) => c.label)
  if (absent.length) notes.push(`表头没有列 ${absent.join('、')}：新增的指标按空白导入，已有指标保留原值`)
  return { sheet: chosen.name, headerRow: header.row, present, rows, notes }
}

function label(options: { fileName?: string }): string {
  return options.fileName ? `文件“${options.fileName}”` : '文件'
}

function short(rows: number[]): string {
  return rows.length <= 20 ? rows.join('、') : `${rows.slice(0, 20).join('、')} 等 ${rows.length} 个`
}

/** The header when this row holds 三级指标 and at least two other library labels; else undefined. */
function headerOf(row: ExcelJS.Row, notes: string[]): { row: number; columns: (number | undefined)[]; present: Set<number> } | undefined {
  const columns: (number | undefined)[] = []
  const present = new Set<number>()
  const extra: string[] = []
  row.eachCell({ includeEmpty: false }, (xc, c) => {
    const text = readCell(xc, columnLetters(c - 1) + row.number)?.text ?? ''
    if (!text) return
    const k = BY_LABEL.get(labelKey(text))
    if (k === undefined || present.has(k)) {
      extra.push(`${columnLetters(c - 1)} 列“${text}”`)
      return
    }
    columns[c] = k
    present.add(k)
  })
  const level3 = LIBRARY_COLUMNS.findIndex((c) => c.key === 'level3')
  if (!present.has(level3) || present.size < 3) return undefined
  if (extra.length) notes.push(`表头中不是指标库列的 ${extra.join('、')} 未导入`)
  return { row: row.number, columns, present }
}

function refusal(reason: 'no_header' | 'missing_columns' | 'too_many_rows', message: string): AppError {
  return new AppError('invalid_input', message, { field: 'file', reason })
}
