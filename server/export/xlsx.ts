// One table as an xlsx sheet in the official layout (ExcelJS), from the same SheetLayout the grid shows:
// cells, merges, widths, heights and styles as laid out, amounts as numbers, A4 print setup. The same
// writer fills an in-memory worksheet (one table's export) and a streaming one (the compiled book).
import ExcelJS from 'exceljs'
import { TEMPLATES } from '../../shared/model/index.ts'
import { STYLES, type LayoutCell, type SheetLayout, type StyleName } from '../../shared/layout/layout.ts'
import { cellText } from '../review/opinions-xlsx.ts'
import type { ExportDoc } from './document.ts'

/**
 * One font family for every cell: 宋体 is what the official forms are printed in and what every Windows
 * Excel and WPS has; where it is missing (LibreOffice on a Linux server) fontconfig maps it to a CJK
 * serif such as Noto Serif CJK SC. Noto Sans CJK SC would fall back to a random face on most desks.
 */
export const XLSX_FONT = '宋体'

/**
 * What Excel allows of a sheet: a worksheet in memory (ExcelJS.Worksheet) and the streaming writer's
 * WorksheetWriter both have these, and nothing else is used. The streaming writer fixes the sheet's
 * properties (fit to page, views) when the sheet is created: pass `sheetOptions(doc)` to addWorksheet.
 */
export type TableSheet = Pick<ExcelJS.Worksheet, 'getRow' | 'mergeCells' | 'pageSetup' | 'headerFooter' | 'columns'>

// ---- sheet names ------------------------------------------------------------------

const MAX_SHEET_NAME = 31
/** characters Excel refuses in a sheet name, and control characters */
const BAD_SHEET_CHARS = /[\[\]:*?/\\\u0000-\u001F\u007F]/g

/** Cuts `s` to at most `max` UTF-16 units without splitting a surrogate pair. */
function cut(s: string, max: number): string {
  if (s.length <= max) return s
  let end = max
  if (/[\uD800-\uDBFF]/.test(s[end - 1]!)) end--
  return s.slice(0, end)
}

/**
 * A sheet name Excel accepts and no other sheet of the workbook has: without []:*?/\ and control
 * characters, not the reserved `History`, at most 31 characters, made unique with `(2)`, `(3)`…
 * (Excel compares names case-insensitively). An apostrophe becomes ’: ExcelJS writes the name into
 * the print-title defined name without doubling apostrophes, and Excel would then "repair" the file.
 * `taken` holds the lower-cased names already used; the answer is added to it.
 */
export function safeSheetName(name: string, taken: Set<string>): string {
  let base = name.replace(BAD_SHEET_CHARS, ' ').replace(/'/g, '’').replace(/\s+/g, ' ').trim()
  if (!base || base.toLowerCase() === 'history') base = base ? `${base}表` : '表'
  base = cut(base, MAX_SHEET_NAME)
  let candidate = base
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) {
    const suffix = `(${n})`
    candidate = cut(base, MAX_SHEET_NAME - suffix.length) + suffix
  }
  taken.add(candidate.toLowerCase())
  return candidate
}

/** `'name'!A1` as a formula or hyperlink reference (apostrophes doubled inside the quotes). */
export function sheetRef(name: string, cell = 'A1'): string {
  return `'${name.replace(/'/g, "''")}'!${cell}`
}

// ---- styles -------------------------------------------------------------------------

interface UniverStyle {
  bl?: number
  fs?: number
  ht?: number
  vt?: number
  tb?: number
  bg?: { rgb?: string }
  bd?: unknown
  n?: { pattern?: string }
}

const THIN: Partial<ExcelJS.Border> = { style: 'thin', color: { argb: 'FF000000' } }
const BOX: Partial<ExcelJS.Borders> = { top: THIN, left: THIN, bottom: THIN, right: THIN }
const H_ALIGN = { 1: 'left', 2: 'center', 3: 'right' } as const
const V_ALIGN = { 1: 'top', 2: 'middle', 3: 'bottom' } as const

function argb(rgb: string): string {
  return `FF${rgb.replace('#', '').toUpperCase()}`
}

/** The ExcelJS style of a layout style (and number format). Cached: cells share the objects, never mutate them. */
const styleCache = new Map<string, Partial<ExcelJS.Style>>()

function excelStyle(name: StyleName, numFmt?: string): Partial<ExcelJS.Style> {
  const key = `${name}|${numFmt ?? ''}`
  const hit = styleCache.get(key)
  if (hit) return hit
  const s = STYLES[name] as UniverStyle
  const style: Partial<ExcelJS.Style> = {
    font: { name: XLSX_FONT, size: s.fs ?? 10, bold: s.bl === 1 },
    alignment: {
      horizontal: s.ht ? H_ALIGN[s.ht as 1 | 2 | 3] : undefined,
      vertical: s.vt ? V_ALIGN[s.vt as 1 | 2 | 3] : 'middle',
      wrapText: s.tb === 3,
    },
  }
  if (s.bg?.rgb) style.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: argb(s.bg.rgb) } }
  if (s.bd) style.border = BOX
  const fmt = numFmt ?? s.n?.pattern
  if (fmt) style.numFmt = fmt
  styleCache.set(key, style)
  return style
}

// ---- cell values ----------------------------------------------------------------------

const PLAIN_NUMBER = /^-?\d+(?:\.(\d+))?$/

/** Is this cell an amount (its codec, or a computed 金额合计)? */
function isAmount(cell: LayoutCell): boolean {
  const t = cell.target
  if (t.kind === 'field' || t.kind === 'row') return t.codec === 'amount'
  return t.kind === 'computed' && t.path.startsWith('taskTotals.')
}

/**
 * An amount cell whose text is a plain number becomes that number, shown with the template's decimals
 * (more when the stored amount has them); one a double cannot hold exactly, and all other text, stays
 * as typed.
 */
function amountValue(text: string, decimals: number): { value: number; numFmt: string } | null {
  const m = PLAIN_NUMBER.exec(text.trim())
  if (!m) return null
  const digits = text.replace(/^-|\./g, '').replace(/^0+/, '')
  if (digits.length > 15) return null
  const d = Math.max(decimals, m[1]?.length ?? 0)
  return { value: Number(text), numFmt: d > 0 ? `0.${'0'.repeat(d)}` : '0' }
}

// ---- print setup ------------------------------------------------------------------------

/** The rows of the indicator block's column headings (repeated on every printed page). */
export function headingRows(layout: SheetLayout): { first: number; last: number } {
  const first = layout.indicatorHeaderRow
  let last = first
  const isHeading = (r: number) => layout.cells[r]!.every((c) => c.target.kind === 'label' || c.target.kind === 'covered')
  while (last + 1 < layout.rowCount && isHeading(last + 1)) last++
  return { first, last }
}

/** `&` is a control character in Excel's header/footer codes. */
function hfText(s: string): string {
  return s.replace(/&/g, '&&')
}

/** Options for addWorksheet: A4, fitted to one page wide, margins, footer with page numbers, no grid lines. */
export function sheetOptions(doc: ExportDoc): Partial<ExcelJS.AddWorksheetOptions> {
  const { first, last } = headingRows(doc.layout)
  return {
    pageSetup: {
      paperSize: 9, // A4
      orientation: doc.orientation,
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      horizontalCentered: true,
      margins: { left: 0.5, right: 0.5, top: 0.6, bottom: 0.7, header: 0.3, footer: 0.3 },
      printTitlesRow: `${first + 1}:${last + 1}`,
    },
    headerFooter: {
      oddFooter: `&L&"${XLSX_FONT},Regular"&8${hfText(doc.footer)}&R&"${XLSX_FONT},Regular"&9&P / &N`,
    },
    views: [{ showGridLines: false }],
    properties: { defaultRowHeight: 19.5 },
  }
}

// ---- the sheet ---------------------------------------------------------------------------

/** Excel's column width (characters of the default font's digit, ≈ 7 px) from the layout's pixels. */
function charWidth(px: number): number {
  return Math.max(2, Math.round(((px - 5) / 7) * 100) / 100)
}

export interface PreparedCell { col: number; value: string | number | null; style: Partial<ExcelJS.Style> }

/** Everything the sheet will hold, worked out before a sheet is touched (so a failure leaves no half sheet). */
function prepare(doc: ExportDoc): PreparedCell[][] {
  const { layout } = doc
  const decimals = TEMPLATES[layout.templateId]?.moneyDecimals ?? 2
  return layout.cells.map((cells) => {
    const out: PreparedCell[] = []
    cells.forEach((cell, c) => {
      if (cell.style === 'blank' && !cell.v) return
      const amount = cell.v && isAmount(cell) ? amountValue(cell.v, decimals) : null
      if (amount) out.push({ col: c + 1, value: amount.value, style: excelStyle(cell.style, amount.numFmt) })
      else out.push({ col: c + 1, value: cell.v ? cellText(cell.v) : null, style: excelStyle(cell.style) })
    })
    return out
  })
}

/** A table's sheet worked out in full, before any sheet is touched (see TableSheetContent users). */
export interface TableSheetContent {
  options: Partial<ExcelJS.AddWorksheetOptions>
  widths: number[]
  /** row heights in points */
  heights: number[]
  rows: PreparedCell[][]
  merges: SheetLayout['merges']
}

/** Everything the sheet will hold; whatever can fail on odd content fails here, so no half sheet is left. */
export function tableSheetContent(doc: ExportDoc): TableSheetContent {
  const { layout } = doc
  return {
    options: sheetOptions(doc),
    widths: layout.columnWidths.map(charWidth),
    heights: layout.rowHeights.map((px) => Math.round(px * 0.75 * 4) / 4), // px → points
    rows: prepare(doc),
    merges: layout.merges,
  }
}

/** Writes prepared content into `ws`, rows in order (a streaming sheet writes them out when committed). */
export function fillTableSheet(ws: TableSheet, content: TableSheetContent): void {
  Object.assign(ws.pageSetup, content.options.pageSetup)
  Object.assign(ws.headerFooter, content.options.headerFooter)
  ws.columns = content.widths.map((width) => ({ width }))
  content.rows.forEach((cells, r) => {
    const row = ws.getRow(r + 1)
    row.height = content.heights[r]!
    for (const cell of cells) {
      const xc = row.getCell(cell.col)
      if (cell.value !== null) xc.value = cell.value
      xc.style = cell.style
    }
  })
  // after the values and styles: a merge gives the covered cells its top-left cell's style (borders)
  for (const m of content.merges) ws.mergeCells(m.startRow + 1, m.startColumn + 1, m.endRow + 1, m.endColumn + 1)
}

/**
 * Writes the table's layout into `ws`: cells, merges, widths, heights, print setup. Create the sheet
 * with `sheetOptions(doc)` (a streaming sheet fixes fit-to-page and views when it is created).
 */
export function writeTableSheet(ws: TableSheet, doc: ExportDoc): void {
  fillTableSheet(ws, tableSheetContent(doc))
}

/** One table as an xlsx workbook of one sheet. */
export async function tableXlsx(doc: ExportDoc): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  wb.creator = '绩效目标表'
  wb.created = new Date()
  const ws = wb.addWorksheet(safeSheetName(doc.name, new Set()), sheetOptions(doc))
  writeTableSheet(ws, doc)
  return Buffer.from(await wb.xlsx.writeBuffer())
}
