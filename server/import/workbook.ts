// Turns an uploaded file into SheetGrids: the preflight (preflight.ts) refuses what cannot or must not
// be read, ExcelJS reads the verified parts, and each visible worksheet becomes a grid of what a reader
// sees — hidden rows and columns removed, merges resolved, formulas as their cached results.
//
// Cell text, as the importers get it:
// - strings and rich text as typed (trimmed); hyperlinks by their text;
// - booleans as TRUE / FALSE (what Excel and WPS show, in Chinese too); `value` is the boolean;
// - numbers in plain notation, 15 significant digits, no thousands separators, no exponent
//   (1234567.5, 0.000001), whatever the number format says — except percent formats, whose text is the
//   percent as shown (0.955 in `0.0%` → `95.5%`), and zero-padded integer formats (1 in `000` → `001`,
//   codes typed as numbers); `value` is always the number;
// - dates (a number in a date format) as `YYYY-MM-DD`, or `YYYY-MM` when the format shows no day
//   (`yyyy"年"m"月"`); `date: true`, `value` is that text. Times alone (`h:mm`) as `H:mm` / `H:mm:ss`;
// - formulas as their cached result (`formula: true`); errors (`#REF!`, …) as '' with `error` set.
import ExcelJS from 'exceljs'
import type { ImportProblem } from '../../shared/api/imports.ts'
import { MAX_IMPORT_CELLS } from '../../shared/api/imports.ts'
import { columnLetters, type GridCell, type GridRange, type SheetGrid } from './grid.ts'
import { fileRefusal, preflightWorkbook, type PreflightOptions, type PreparedSheet } from './preflight.ts'

export interface ReadWorkbookOptions extends Pick<PreflightOptions, 'maxBytes' | 'maxUncompressedBytes' | 'maxCells'> {
  /** the uploaded file's name, for messages only (the format is judged by the bytes) */
  fileName?: string
}

export interface ReadWorkbookResult {
  /** one grid per visible worksheet, in workbook order */
  sheets: SheetGrid[]
  /** hidden sheets, hidden rows/columns, formula errors and values missing, odd merges */
  problems: ImportProblem[]
}

/** grid cells (content or blank) one workbook may produce: bounds memory when content is sparse but far apart */
const MAX_GRID_CELLS = MAX_IMPORT_CELLS
/** problems of one kind listed per sheet before they are summed up */
const MAX_LISTED = 50

export async function readWorkbook(data: Uint8Array, options: ReadWorkbookOptions = {}): Promise<ReadWorkbookResult> {
  const prepared = await preflightWorkbook(data, options)
  const wb = new ExcelJS.Workbook()
  try {
    await wb.xlsx.load(prepared.zip as unknown as ArrayBuffer)
  } catch {
    throw fileRefusal(
      'corrupt',
      `${options.fileName ? `文件“${options.fileName}”` : '文件'}已损坏，无法读取；请在 Excel/WPS 中打开并重新保存为 .xlsx 后再导入`,
    )
  }
  const problems: ImportProblem[] = [...prepared.problems]
  const sheets: SheetGrid[] = []
  const budget = { cells: options.maxCells ?? MAX_GRID_CELLS }
  for (const sheet of prepared.sheets) {
    if (sheet.state !== 'visible' || sheet.id === undefined) continue
    const ws = wb.getWorksheet(sheet.id)
    if (!ws) continue
    sheets.push(readSheet(ws, sheet, problems, budget))
    wb.removeWorksheet(sheet.id) // its cells can go before the next sheet is read
  }
  return { sheets, problems }
}

// ---- one sheet --------------------------------------------------------------------

/** counts for the grid's extent: text or an error (a formula without a result is reported, not shown) */
const shows = (c: GridCell) => c.text !== '' || c.error !== undefined

function readSheet(ws: ExcelJS.Worksheet, sheet: PreparedSheet, problems: ImportProblem[], budget: { cells: number }): SheetGrid {
  const name = sheet.name
  const problem = (code: string, severity: ImportProblem['severity'], message: string, cell?: string) =>
    problems.push({ sheet: name, ...(cell ? { cell } : {}), code, severity, message })

  // cells by original (1-based) row, then column (sparse arrays)
  const content = new Map<number, GridCell[]>()
  const letters: string[] = []
  const letter = (c: number) => letters[c] ?? (letters[c] = columnLetters(c - 1))
  let maxRow = 0
  let maxCol = 0
  let errors = 0
  let noValues = 0
  ws.eachRow({ includeEmpty: false }, (row, r) => {
    let cells: GridCell[] | undefined
    row.eachCell({ includeEmpty: false }, (xc, c) => {
      const ref = letter(c) + r
      const cell = readCell(xc, ref)
      if (!cell) return
      if (cell.error) {
        if (errors++ < MAX_LISTED) {
          problem('formula_error', 'warning', cell.formula
            ? `工作表“${name}”单元格 ${ref} 的公式结果是错误值 ${cell.error}，按空白读取`
            : `工作表“${name}”单元格 ${ref} 是错误值 ${cell.error}，按空白读取`, ref)
        }
      } else if (noValue.has(cell)) {
        if (noValues++ < MAX_LISTED) {
          problem('formula_no_value', 'warning', `工作表“${name}”单元格 ${ref} 的公式没有保存计算结果，按空白读取；请在 Excel/WPS 中打开并保存后再导入`, ref)
        }
      }
      if (!cells) content.set(r, (cells = []))
      cells[c] = cell
      if (shows(cell)) {
        if (r > maxRow) maxRow = r
        if (c > maxCol) maxCol = c
      }
    })
  })
  if (errors > MAX_LISTED) problem('formula_error', 'warning', `工作表“${name}”另有 ${errors - MAX_LISTED} 个单元格是错误值，按空白读取`)
  if (noValues > MAX_LISTED) problem('formula_no_value', 'warning', `工作表“${name}”另有 ${noValues - MAX_LISTED} 个公式没有保存计算结果，按空白读取`)

  // hidden rows and columns: flags over every row and column the sheet defines
  const rowTotal = ws.rowCount
  const isHiddenRow = new Uint8Array(rowTotal + 2)
  for (let r = 1; r <= rowTotal; r++) if (ws.findRow(r)?.hidden) isHiddenRow[r] = 1
  const columns: ({ hidden?: boolean } | undefined)[] = ws.columns ?? []
  const isHiddenCol = new Uint8Array(Math.max(columns.length, maxCol) + 2)
  for (let c = 1; c <= columns.length; c++) if (columns[c - 1]?.hidden) isHiddenCol[c] = 1
  const hiddenRow = (r: number) => r < isHiddenRow.length && isHiddenRow[r] === 1
  const hiddenCol = (c: number) => c < isHiddenCol.length && isHiddenCol[c] === 1
  /** the first visible row (column) at or after n, in one step whatever the number of hidden ones */
  const nextVisibleOf = (flags: Uint8Array) => {
    const next = new Int32Array(flags.length)
    for (let n = flags.length - 1; n >= 0; n--) next[n] = flags[n] && n + 1 < flags.length ? next[n + 1]! : n
    return (n: number) => (n < next.length ? next[n]! : n)
  }
  const nextVisibleRow = nextVisibleOf(isHiddenRow)
  const nextVisibleCol = nextVisibleOf(isHiddenCol)

  // trailing empty visible rows and columns go
  let lastRow = 0
  let lastCol = 0
  for (const [r, cells] of content) {
    if (hiddenRow(r)) continue
    cells.forEach((cell, c) => {
      if (!shows(cell) || hiddenCol(c)) return
      if (r > lastRow) lastRow = r
      if (c > lastCol) lastCol = c
    })
  }
  // a merge whose top-left is hidden shows its content in its first visible cell
  for (const ref of sheet.merges) {
    const d = decodeRange(ref)
    const master = d && content.get(d.r1)?.[d.c1]
    if (!d || !master || !shows(master) || (!hiddenRow(d.r1) && !hiddenCol(d.c1))) continue
    const r = nextVisibleRow(d.r1)
    const c = nextVisibleCol(d.c1)
    if (r > d.r2 || c > d.c2) continue
    if (r > lastRow) lastRow = r
    if (c > lastCol) lastCol = c
  }
  // listed: hidden rows and columns up to the last content, visible or not
  const hiddenRows: number[] = []
  for (let r = 1; r <= Math.max(lastRow, maxRow); r++) if (hiddenRow(r)) hiddenRows.push(r)
  const hiddenCols: number[] = []
  for (let c = 1; c <= Math.max(lastCol, maxCol); c++) if (hiddenCol(c)) hiddenCols.push(c)
  const rowsKept: number[] = []
  for (let r = 1; r <= lastRow; r++) if (!hiddenRow(r)) rowsKept.push(r)
  const colsKept: number[] = []
  for (let c = 1; c <= lastCol; c++) if (!hiddenCol(c)) colsKept.push(c)
  const area = rowsKept.length * colsKept.length
  if (area > budget.cells) {
    throw fileRefusal(
      'too_many_cells',
      `工作表“${name}”的内容范围 A1:${columnLetters(lastCol - 1)}${lastRow} 过大（${rowsKept.length} 行 × ${colsKept.length} 列），请删除多余的行列或拆分后再导入`,
    )
  }
  budget.cells -= area

  const rows: GridCell[][] = rowsKept.map((r) => {
    const cells = content.get(r)
    return colsKept.map((c) => cells?.[c] ?? { text: '', value: null, ref: letter(c) + r })
  })

  const merges = placeMerges(sheet.merges, rows, rowsKept, colsKept, content, problem, name)

  if (hiddenRows.length || hiddenCols.length) {
    const parts: string[] = []
    if (hiddenRows.length) parts.push(`第 ${listShort(hiddenRows.map(String))} 行`)
    if (hiddenCols.length) parts.push(` ${listShort(hiddenCols.map((c) => columnLetters(c - 1)))} 列`)
    problem('hidden_skipped', 'info', `工作表“${name}”隐藏的${parts.join('和')}未导入`)
  }

  return {
    name,
    rows,
    columnCount: colsKept.length,
    merges,
    hidden: { rows: hiddenRows.map(String), columns: hiddenCols.map((c) => columnLetters(c - 1)) },
  }
}

function listShort(items: string[]): string {
  return items.length <= 20 ? items.join('、') : `${items.slice(0, 20).join('、')} 等 ${items.length} 个`
}

/** 1-based A1 range → numbers; undefined when unreadable. */
function decodeRange(ref: string): { r1: number; c1: number; r2: number; c2: number } | undefined {
  const m = /^([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?$/.exec(ref)
  if (!m) return undefined
  const col = (s: string) => [...s].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0)
  const a = { r: Number(m[2]), c: col(m[1]!) }
  const b = m[3] ? { r: Number(m[4]), c: col(m[3]) } : a
  return { r1: Math.min(a.r, b.r), c1: Math.min(a.c, b.c), r2: Math.max(a.r, b.r), c2: Math.max(a.c, b.c) }
}

/** First index in sorted `xs` with xs[i] >= v. */
function lowerBound(xs: number[], v: number): number {
  let lo = 0
  let hi = xs.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (xs[mid]! < v) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * Merged ranges in grid coordinates: clipped to the visible rows and columns; when the top-left cell is
 * hidden, the first visible cell of the range shows its content (as Excel does). Overlapping merges
 * (only crafted files have them) keep the first.
 */
function placeMerges(
  refs: string[],
  rows: GridCell[][],
  rowsKept: number[],
  colsKept: number[],
  content: Map<number, GridCell[]>,
  problem: (code: string, severity: ImportProblem['severity'], message: string, cell?: string) => void,
  sheetName: string,
): GridRange[] {
  const merges: GridRange[] = []
  if (rows.length === 0 || colsKept.length === 0) return merges
  const claimed = new Uint8Array(rows.length * colsKept.length)
  const width = colsKept.length
  let overlaps = 0
  let hiddenContent = 0
  // WATCH OUT: crafted overlapping merges could make the overlap checks quadratic; they get a budget
  let checks = claimed.length * 2 + 100_000
  for (let i = 0; i < refs.length; i++) {
    const ref = refs[i]!
    const d = decodeRange(ref)
    if (!d) continue
    const startRow = lowerBound(rowsKept, d.r1)
    const endRow = lowerBound(rowsKept, d.r2 + 1) - 1
    const startColumn = lowerBound(colsKept, d.c1)
    const endColumn = lowerBound(colsKept, d.c2 + 1) - 1
    if (startRow > endRow || startColumn > endColumn) continue
    checks -= (endRow - startRow + 1) * (endColumn - startColumn + 1)
    if (checks < 0) {
      problem('merge_overlap', 'warning', `工作表“${sheetName}”的合并区域过多且相互重叠，其余 ${refs.length - i} 个合并区域按未合并读取`)
      break
    }
    let free = true
    for (let r = startRow; r <= endRow && free; r++) {
      for (let c = startColumn; c <= endColumn; c++) if (claimed[r * width + c]) { free = false; break }
    }
    if (!free) {
      if (overlaps++ < MAX_LISTED) problem('merge_overlap', 'warning', `工作表“${sheetName}”的合并区域 ${ref} 与其他合并区域重叠，按未合并读取`, ref.split(':')[0])
      continue
    }
    for (let r = startRow; r <= endRow; r++) for (let c = startColumn; c <= endColumn; c++) claimed[r * width + c] = 1
    const masterRow = rows[startRow]!
    // the top-left is hidden: its content shows in the first visible cell
    if (rowsKept[startRow] !== d.r1 || colsKept[startColumn] !== d.c1) {
      const master = content.get(d.r1)?.[d.c1]
      masterRow[startColumn] = master ?? { text: '', value: null, ref: masterRow[startColumn]!.ref }
    }
    for (let r = startRow; r <= endRow; r++) {
      const row = rows[r]!
      for (let c = startColumn; c <= endColumn; c++) {
        if (r === startRow && c === startColumn) continue
        const covered = row[c]!
        if (covered.text !== '' && hiddenContent++ < MAX_LISTED) {
          problem('merged_cell_content', 'info', `工作表“${sheetName}”单元格 ${covered.ref} 在合并区域 ${ref} 内，其内容“${covered.text}”在 Excel 中不显示，未导入`, covered.ref)
        }
        row[c] = { text: '', value: null, ref: covered.ref, master: { row: startRow, col: startColumn } }
      }
    }
    if (endRow > startRow || endColumn > startColumn) merges.push({ startRow, endRow, startColumn, endColumn })
  }
  return merges
}

// ---- one cell ---------------------------------------------------------------------

/** formula cells without a cached result (reported as such; the grid cell itself is a plain blank) */
const noValue = new WeakSet<GridCell>()

type RawValue = ExcelJS.CellValue | undefined

export function readCell(xc: ExcelJS.Cell, ref: string): GridCell | undefined {
  const v = xc.value as RawValue
  if (v === null || v === undefined) return undefined
  if (typeof v === 'object' && !(v instanceof Date) && ('formula' in v || 'sharedFormula' in v)) {
    const result = (v as { result?: unknown }).result as RawValue
    if (result === undefined || result === null) {
      const cell: GridCell = { text: '', value: null, ref, formula: true }
      noValue.add(cell)
      return cell
    }
    const cell = readValue(result, xc.numFmt, ref)
    cell.formula = true
    return cell
  }
  return readValue(v, xc.numFmt, ref)
}

function readValue(v: RawValue, numFmt: string | undefined, ref: string): GridCell {
  if (typeof v === 'string') return stringCell(v, ref)
  if (typeof v === 'number') {
    // NaN: a value ExcelJS could not parse as the number its type says
    if (!Number.isFinite(v)) return { text: '', value: null, ref }
    const value = cleanNumber(v)
    if (numFmt && numFmt !== 'General') {
      if (numFmt.includes('%')) {
        const places = percentDecimals(numFmt)
        if (places !== undefined) return { text: percentText(v, places), value, ref }
      }
      const width = zeroPadWidth(numFmt)
      if (width && Number.isInteger(value) && value >= 0) return { text: plainNumber(value).padStart(width, '0'), value, ref }
    }
    return { text: plainNumber(value), value, ref }
  }
  if (v === null || v === undefined) return { text: '', value: null, ref }
  if (typeof v === 'boolean') return { text: v ? 'TRUE' : 'FALSE', value: v, ref }
  if (v instanceof Date) {
    const d = dateText(v, numFmt)
    if (d === undefined) return { text: '', value: null, ref }
    return d.date ? { text: d.text, value: d.text, ref, date: true } : { text: d.text, value: d.text, ref }
  }
  if (typeof v === 'object') {
    if ('error' in v) return { text: '', value: null, ref, error: String((v as { error: unknown }).error) }
    if ('richText' in v) return stringCell(richText(v.richText), ref)
    if ('text' in v) {
      const t = (v as { text: unknown }).text
      if (typeof t === 'string') return stringCell(t, ref)
      if (t && typeof t === 'object' && 'richText' in t) return stringCell(richText((t as ExcelJS.CellRichTextValue).richText), ref)
      return readValue(t as RawValue, numFmt, ref)
    }
  }
  return stringCell(String(v), ref)
}

function richText(runs: readonly { text?: unknown }[] | undefined): string {
  return (runs ?? []).map((r) => (typeof r.text === 'string' ? r.text : '')).join('')
}

/** `_x000D_`-style escapes OOXML uses for characters XML cannot hold. */
function unescapeOoxml(s: string): string {
  return s.includes('_x') ? s.replace(/_x([0-9A-Fa-f]{4})_/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))) : s
}

function stringCell(raw: string, ref: string): GridCell {
  const s = unescapeOoxml(raw.includes('\r') ? raw.replace(/\r\n?/g, '\n') : raw)
  const text = s.trim()
  return { text, value: text === '' ? null : s, ref }
}

// ---- numbers ----------------------------------------------------------------------

/** The number at 15 significant digits (what Excel shows), so 0.1+0.2 reads 0.3. */
export function cleanNumber(n: number): number {
  if (n === 0 || !Number.isFinite(n)) return n === 0 ? 0 : n
  return Number(n.toPrecision(15))
}

/** Decimal digits and exponent of |n| at 15 significant digits: |n| = digits × 10^exp. */
function decimal(n: number): { digits: bigint; exp: number } {
  const [mant, e] = Math.abs(n).toExponential(14).split('e')
  return { digits: BigInt(mant!.replace('.', '')), exp: Number(e) - 14 }
}

/** digits × 10^exp rounded half-up to `places` decimals, as a string. */
function formatScaled(digits: bigint, exp: number, places: number): string {
  let scaled: bigint
  const shift = exp + places
  if (shift >= 0) scaled = digits * 10n ** BigInt(shift)
  else {
    const div = 10n ** BigInt(-shift)
    scaled = (digits + div / 2n) / div
  }
  let s = scaled.toString()
  if (places === 0) return s
  s = s.padStart(places + 1, '0')
  return `${s.slice(0, -places)}.${s.slice(-places)}`
}

/** Plain notation, no separators, no exponent, 15 significant digits: 1e21 → 1000000000000000000000. */
export function plainNumber(n: number): string {
  if (n === 0 || !Number.isFinite(n)) return n === 0 ? '0' : String(n)
  const quick = String(cleanNumber(n))
  if (!quick.includes('e')) return quick
  const { digits, exp } = decimal(n)
  let s = formatScaled(digits, exp, Math.max(0, -exp))
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '')
  return n < 0 ? `-${s}` : s
}

/** The format's first section without quoted text, brackets and escapes. */
function formatSection(fmt: string, n: number): string {
  const sections = fmt.split(/;(?=(?:[^"]*"[^"]*")*[^"]*$)/)
  const section = (n < 0 && sections[1]) || sections[0] || ''
  return section.replace(/"[^"]*"/g, '').replace(/\[[^\]]*\]/g, '').replace(/\\./g, '').replace(/_./g, '')
}

/** Decimal places of a percent format (`0.0%` → 1), undefined when the format is no percent. */
export function percentDecimals(fmt: string): number | undefined {
  const s = formatSection(fmt, 1)
  if (!s.includes('%')) return undefined
  const point = s.indexOf('.')
  if (point < 0) return 0
  const m = /^[0#?]*/.exec(s.slice(point + 1))
  return m ? m[0].length : 0
}

/** Digits of a zero-padded integer format (`000` shows 1 as 001: codes typed as numbers), else 0. */
export function zeroPadWidth(fmt: string): number {
  const s = formatSection(fmt, 1).trim()
  return /^0{2,}$/.test(s) ? s.length : 0
}

function percentText(n: number, places: number): string {
  if (n === 0) return `${formatScaled(0n, 0, places)}%`
  const { digits, exp } = decimal(n)
  const s = formatScaled(digits, exp + 2, places)
  return `${n < 0 && /[1-9]/.test(s) ? '-' : ''}${s}%`
}

// ---- dates ------------------------------------------------------------------------

const pad = (n: number, w = 2) => String(n).padStart(w, '0')

/** Date text by what the format shows: a day → YYYY-MM-DD, a month without day → YYYY-MM, a time alone → H:mm(:ss). */
export function dateText(d: Date, numFmt: string | undefined): { text: string; date: boolean } | undefined {
  if (Number.isNaN(d.getTime())) return undefined
  const f = numFmt ? formatSection(numFmt, 1).toLowerCase() : 'yyyy-mm-dd'
  const hasDay = /d/.test(f)
  const hasYear = /y|e/.test(f)
  const hasHour = /h/.test(f)
  const hasSecond = /s/.test(f)
  const ymd = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
  if (!hasDay && !hasYear && (hasHour || hasSecond)) {
    const time = `${d.getUTCHours()}:${pad(d.getUTCMinutes())}${hasSecond ? `:${pad(d.getUTCSeconds())}` : ''}`
    return { text: time, date: false }
  }
  if (!hasDay && hasYear) return { text: ymd.slice(0, 7), date: true }
  return { text: ymd, date: true }
}
