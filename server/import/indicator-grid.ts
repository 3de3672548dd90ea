// The indicator block of any form (tables.md §1–§5, §9): find its heading row(s), map columns by their
// heading words, and read the rows into indicator rows — 一级/二级 merged, repeated or written once per
// group, label aliases, the 中期/年度 halves side by side, a one-string 指标值 or separate
// 指标性质/指标值/度量单位 cells, the extra columns, blank and placeholder rows. Every change is reported
// as a normalisation and every cell that fits nowhere is kept in the report's unplaced list.
import { cellAt, textAt, type GridCell, type SheetGrid } from './grid.ts'
import type { ReportBuilder } from './report.ts'
import {
  findLevel1, newId, normaliseLevel1, normaliseLevel2,
  type FrameworkId, type IndicatorRow, type Period,
} from '../../shared/model/index.ts'
import { parseNumberInput } from '../../shared/layout/codecs.ts'
import { headingField, isBlockLabel, isEndLabel, isNumberingLabel, periodHeading, foldLabel, type IndicatorField } from './indicator-labels.ts'
import { normaliseDirectionCell, normaliseSeparateValue, splitIndicatorValue } from './values.ts'

export type { IndicatorField } from './indicator-labels.ts'

/** One mapped column (a heading merged over several grid columns maps all of them). */
export interface HeadingColumn {
  field: IndicatorField
  /** grid columns under the heading, left to right */
  cols: number[]
  /** the heading text as printed */
  label: string
  /** A1 of the heading cell */
  ref: string
}

/** One period's columns. Several halves share the 一级 column (mof2015-project). */
export interface IndicatorHalf {
  period: Period
  columns: Partial<Record<IndicatorField, HeadingColumn>>
}

export interface IndicatorHeading {
  sheet: string
  /** first heading row (the 中期指标/年度指标 row when there is one) */
  firstRow: number
  /** last heading row */
  lastRow: number
  /** first row of data */
  dataRow: number
  /** the 绩效指标 / 年度绩效指标 column left of 一级: form furniture */
  labelCol: number | null
  /** row-number columns (序号, 编号): furniture, neither read nor unplaced */
  numberCols: number[]
  /** the 一级 column (shared by the halves), null when the grid has none */
  level1Col: number | null
  halves: IndicatorHalf[]
  /** headings that name no indicator field: their cells go to the unplaced list */
  unknown: { cols: number[]; label: string; ref: string }[]
  /** leftmost and rightmost column of the heading */
  startColumn: number
  endColumn: number
}

// ---- heading ------------------------------------------------------------------------------

interface Segment { cols: number[]; text: string; ref: string; master: { row: number; col: number } }

/** The row's cells left to right, a horizontally merged cell once (with all its columns). */
function segments(grid: SheetGrid, row: number): Segment[] {
  const out: Segment[] = []
  for (let c = 0; c < grid.columnCount; c++) {
    const own = grid.rows[row]?.[c]
    if (!own) continue
    const master = own.master ?? { row, col: c }
    const last = out[out.length - 1]
    if (last && last.master.row === master.row && last.master.col === master.col) {
      last.cols.push(c)
      continue
    }
    const cell = cellAt(grid, row, c)!
    out.push({ cols: [c], text: cell.text, ref: cell.ref, master })
  }
  return out
}

function isMainHeadingRow(segs: Segment[]): boolean {
  const fields = new Set(segs.map((s) => headingField(s.text)?.field).filter(Boolean))
  return fields.has('level3') && (fields.has('level1') || fields.has('level2'))
}

/**
 * A row that belongs to the heading above or below its main row: every cell of its own (not a merge
 * coming from the main row, not the block label) is a heading word or a 中期/年度 marker.
 */
function isHeadingPart(grid: SheetGrid, row: number, needField: boolean): boolean {
  if (row < 0 || row >= grid.rows.length) return false
  let own = 0
  let fields = 0
  for (const s of segments(grid, row)) {
    if (s.text === '' || s.master.row !== row) continue // a merge from above (the block label, 一级指标 over two rows)
    if (isBlockLabel(s.text) && periodHeading(s.text) === null) continue
    const f = headingField(s.text)
    if (!f && periodHeading(s.text) === null) return false
    own++
    if (f) fields++
  }
  return own > 0 && (!needField || fields > 0)
}

/**
 * Finds the heading of an indicator grid in rows fromRow … toRow-1 (toRow exclusive, default: the end of
 * the sheet): the first row naming 三级指标 together with 一级 or 二级, plus a 中期指标/年度指标 row above
 * it and a sub-heading row below it (指标性质 | 指标值 | 度量单位 under a merged 指标值) when present.
 */
export function findIndicatorHeading(grid: SheetGrid, fromRow: number, toRow = grid.rows.length): IndicatorHeading | null {
  const end = Math.min(toRow, grid.rows.length)
  for (let r = Math.max(0, fromRow); r < end; r++) {
    if (!isMainHeadingRow(segments(grid, r))) continue
    const firstRow = r - 1 >= fromRow && isHeadingPart(grid, r - 1, false) ? r - 1 : r
    const lastRow = r + 1 < end && isHeadingPart(grid, r + 1, true) ? r + 1 : r
    return buildHeading(grid, firstRow, r, lastRow)
  }
  return null
}

interface Mapped { field: IndicatorField; period?: Period; cols: number[]; label: string; ref: string }

function buildHeading(grid: SheetGrid, firstRow: number, mainRow: number, lastRow: number): IndicatorHeading {
  const rows = [lastRow, mainRow, firstRow].filter((r, i, a) => a.indexOf(r) === i) // most specific first
  const mapped: Mapped[] = []
  const unknown: IndicatorHeading['unknown'] = []
  let labelCol: number | null = null
  const numberCols: number[] = []
  const seen = new Set<string>()
  let startColumn = Infinity
  let endColumn = -1
  for (let c = 0; c < grid.columnCount; c++) {
    let chosen: { seg: Segment; field: ReturnType<typeof headingField> } | null = null
    let period: Period | undefined
    let label: Segment | null = null
    let text: Segment | null = null
    for (const r of rows) {
      const seg = segments(grid, r).find((s) => s.cols.includes(c))!
      if (!seg || seg.text === '') continue
      const f = headingField(seg.text)
      if (f && !chosen) chosen = { seg, field: f }
      if (f?.period) period ??= f.period
      const p = periodHeading(seg.text)
      if (p && !f) period ??= p
      if (isBlockLabel(seg.text)) label ??= seg
      text ??= seg
    }
    if (chosen || label || text) {
      startColumn = Math.min(startColumn, c)
      endColumn = Math.max(endColumn, c)
    }
    if (chosen) {
      const key = `${chosen.seg.master.row}:${chosen.seg.master.col}`
      const prev = mapped[mapped.length - 1]
      if (seen.has(key) && prev && prev.ref === chosen.seg.ref) prev.cols.push(c)
      else {
        seen.add(key)
        const m: Mapped = { field: chosen.field!.field, cols: [c], label: chosen.seg.text, ref: chosen.seg.ref }
        if (period) m.period = period
        mapped.push(m)
      }
    } else if (label) {
      labelCol ??= c
    } else if (text && isNumberingLabel(text.text)) {
      numberCols.push(c)
    } else if (text && periodHeading(text.text) === null) {
      const prev = unknown[unknown.length - 1]
      if (prev && prev.ref === text.ref) prev.cols.push(c)
      else unknown.push({ cols: [c], label: text.text, ref: text.ref })
    }
  }
  // halves: a field met again (or another named period) opens the next half; a single 一级 column is shared
  const level1s = mapped.filter((m) => m.field === 'level1')
  const shared = level1s.length === 1 ? level1s[0]! : null
  const halves: { period?: Period; columns: Partial<Record<IndicatorField, HeadingColumn>> }[] = []
  let current: (typeof halves)[number] | null = null
  for (const m of mapped) {
    if (m === shared) continue
    const opens = !current || current.columns[m.field] !== undefined
      || (m.period !== undefined && current.period !== undefined && m.period !== current.period)
    if (opens) {
      current = { columns: {} }
      halves.push(current)
    }
    current!.columns[m.field] = { field: m.field, cols: m.cols, label: m.label, ref: m.ref }
    if (m.period) current!.period ??= m.period
  }
  if (halves.length === 0) halves.push({ columns: {} })
  // periods not named: two halves are 中期 | 年度 (mof2015-project); one half is annual
  const named = new Set(halves.map((h) => h.period).filter(Boolean))
  const out: IndicatorHalf[] = halves.map((h, i) => {
    let period = h.period
    if (!period) {
      if (halves.length === 2) period = named.has('midTerm') ? 'annual' : named.has('annual') ? 'midTerm' : i === 0 ? 'midTerm' : 'annual'
      else period = 'annual'
    }
    const columns = { ...h.columns }
    if (shared) columns.level1 = { field: 'level1', cols: shared.cols, label: shared.label, ref: shared.ref }
    // with separate 指标性质 or 度量单位 cells, 指标值 holds the target alone
    if (columns.value && !columns.target && (columns.comparator || columns.unit)) {
      columns.target = { ...columns.value, field: 'target' }
      delete columns.value
    }
    return { period, columns }
  })
  return {
    sheet: grid.name,
    firstRow,
    lastRow,
    dataRow: lastRow + 1,
    labelCol,
    numberCols,
    level1Col: shared ? shared.cols[0]! : (out[0]!.columns.level1?.cols[0] ?? null),
    halves: out,
    unknown,
    startColumn: Number.isFinite(startColumn) ? startColumn : 0,
    endColumn: Math.max(endColumn, 0),
  }
}

// ---- rows ----------------------------------------------------------------------------------

export interface ReadIndicatorsOptions {
  framework: FrameworkId
  /** first row after the block (exclusive); default: the end of the sheet or the first form label below */
  endRow?: number
  /** first row to read (default heading.dataRow) */
  startRow?: number
  /** columns another reader handles (the 一体化 flat sheet's project columns): neither read nor unplaced */
  ignoreColumns?: readonly number[]
  /** rows not read at all (the flat sheet's heading repeated after a page break) */
  skipRows?: readonly number[]
  /** budget year, for deadlines typed without one (10月底前) */
  year?: number
  /** index of the first row read in the table's indicator list (field paths `indicators[i]…`), default 0 */
  firstIndex?: number
}

export interface ReadIndicatorsResult {
  indicators: IndicatorRow[]
  /** first row after the block */
  endRow: number
}

interface Pending {
  cell: string
  field: string
  from: string
  to: unknown
  note: string
}

interface ReadRow { row: IndicatorRow; notes: Pending[]; gridRow: number }

const TOTAL_ROW = /^(合计|小计|总计|总分)$/
/** a blank form's filler in the 三级 column: ……, 指标1：, 指标2：… */
const PLACEHOLDER_LEVEL3 = /^(?:指标\s*\d*\s*[:：]?)?\s*[.…。]*$/
const NUMBERING = /^指标\s*\d+\s*[:：]\s*/
const ONLY_DOTS = /^[.…。]+$/
/** ★, ★★★ before or after a 三级 name: a core indicator of a transfer-payment template */
const CORE_MARK = /^[★☆]+\s*|\s*[★☆]+$/g

function ownCell(grid: SheetGrid, row: number, col: number): GridCell | undefined {
  return grid.rows[row]?.[col]
}

/** Text under a (possibly multi-column) heading: the first non-empty cell; more distinct cells are returned apart. */
function textUnder(grid: SheetGrid, row: number, cols: readonly number[]): { text: string; cell?: GridCell; rest: GridCell[]; own: boolean } {
  let first: GridCell | undefined
  let own = false
  const rest: GridCell[] = []
  const seen = new Set<GridCell>()
  for (const c of cols) {
    const cell = cellAt(grid, row, c)
    if (!cell || seen.has(cell)) continue
    seen.add(cell)
    if (cell.text === '') continue
    if (!first) {
      first = cell
      own = ownCell(grid, row, c) === cell
    } else if (ownCell(grid, row, c) === cell) rest.push(cell)
  }
  return { text: first?.text ?? '', cell: first, rest, own }
}

/** Is the row the end of the block: a form label in its first cells (left of and in the 一级 column)? */
function endsBlock(grid: SheetGrid, heading: IndicatorHeading, row: number, ignore: ReadonlySet<number>): boolean {
  const last = heading.level1Col ?? firstMappedColumn(heading)
  for (let c = 0; c <= last; c++) {
    if (ignore.has(c)) continue
    const t = textAt(grid, row, c)
    if (t === '') continue
    if (c === heading.labelCol && isBlockLabel(t)) continue
    if (heading.numberCols.includes(c)) continue
    return isEndLabel(t)
  }
  return false
}

function firstMappedColumn(heading: IndicatorHeading): number {
  let min = Infinity
  for (const h of heading.halves) for (const col of Object.values(h.columns)) min = Math.min(min, col!.cols[0]!)
  return Number.isFinite(min) ? min : heading.startColumn
}

/**
 * Reads the rows under `heading` until the block ends: a form label such as 财政部门审核意见 / 审核意见 /
 * 填报人 / 备注： / 注： in the first cells, another indicator heading, `options.endRow`, or the end of the
 * sheet. 中期 rows come first, then 年度 (each in sheet order). Field paths in the report count from
 * `options.firstIndex`.
 */
export function readIndicators(grid: SheetGrid, heading: IndicatorHeading, report: ReportBuilder, options: ReadIndicatorsOptions): ReadIndicatorsResult {
  const limit = Math.min(options.endRow ?? grid.rows.length, grid.rows.length)
  const start = options.startRow ?? heading.dataRow
  const ignore = new Set(options.ignoreColumns ?? [])
  const skip = new Set(options.skipRows ?? [])
  const used = new Set<number>(ignore)
  if (heading.labelCol !== null) used.add(heading.labelCol)
  for (const c of heading.numberCols) used.add(c)
  for (const h of heading.halves) for (const col of Object.values(h.columns)) for (const c of col!.cols) used.add(c)
  const unknownLabel = new Map<number, string>()
  for (const u of heading.unknown) for (const c of u.cols) unknownLabel.set(c, u.label)

  const perHalf: ReadRow[][] = heading.halves.map(() => [])
  const reported = new Set<string>()
  let level1 = ''
  const level2 = heading.halves.map(() => '')
  let end = limit
  for (let r = start; r < limit; r++) {
    if (skip.has(r)) continue
    if (endsBlock(grid, heading, r, ignore) || (r > start && isMainHeadingRow(segments(grid, r)))) {
      end = r
      break
    }
    // 一级: merged, repeated, or written on the first row of its group only (carried down)
    const l1Cell = heading.level1Col === null ? undefined : cellAt(grid, r, heading.level1Col)
    const l1Text = l1Cell?.text ?? ''
    let l1Changed = false
    if (l1Text !== '' && !ONLY_DOTS.test(l1Text)) {
      const name = normaliseLevel1Label(l1Text, options.framework)
      if (name !== level1) l1Changed = true
      level1 = name
    }
    const isTotal = TOTAL_ROW.test(foldLabel(l1Text))
    heading.halves.forEach((half, h) => {
      const cols = half.columns
      const read = (f: IndicatorField) => (cols[f] ? textUnder(grid, r, cols[f]!.cols) : { text: '', rest: [] as GridCell[], own: false })
      const l2 = read('level2')
      if (l1Changed) level2[h] = ''
      if (l2.text !== '' && !ONLY_DOTS.test(l2.text)) level2[h] = normaliseLevel2(l2.text)
      const l3 = read('level3')
      const value = read(cols.value ? 'value' : 'target')
      const own: IndicatorField[] = ['comparator', 'unit', 'explanation', 'basis', 'dataSource', 'scoringRule', 'weight', 'direction', 'remark', 'formula', 'taskRef']
      const extras = own.map((f) => ({ f, v: read(f) }))
      const valueBlank = value.text === '' || ONLY_DOTS.test(value.text)
      const l3Blank = l3.text === '' || PLACEHOLDER_LEVEL3.test(l3.text)
      if (isTotal || TOTAL_ROW.test(foldLabel(l2.text)) || (l3Blank && valueBlank)) {
        // not an indicator: a total row, a blank or padding row, a blank form's …… / 指标1： line
        for (const e of extras) if (e.v.cell && e.v.text !== '' && isOwn(grid, r, e.v.cell)) {
          report.unplace(e.v.cell.ref, e.v.text, isTotal ? '合计行不是指标，未读入' : '该行没有三级指标和指标值，未作为指标读入')
        }
        if (isTotal) for (const x of [l3, value]) if (x.cell && x.text !== '' && isOwn(grid, r, x.cell)) report.unplace(x.cell.ref, x.text, '合计行不是指标，未读入')
        return
      }
      // a row whose 三级, 指标值 and other cells all belong to merges from the rows above continues that indicator
      if (![l3, value, ...extras.map((e) => e.v)].some((x) => x.own && x.text !== '')) return
      perHalf[h]!.push(readRow(half, { level1, level2: level2[h]!, l1Cell, l2, l3, value, extras }, options, report, reported, r))
      for (const x of [l2, l3, value, ...extras.map((e) => e.v)]) for (const extra of x.rest) report.unplace(extra.ref, extra.text, '同一列标题下有多个单元格，只读入第一个')
    })
    // columns no heading names
    for (let c = 0; c < grid.columnCount; c++) {
      if (used.has(c)) continue
      const cell = ownCell(grid, r, c)
      if (!cell || cell.master || cell.text === '') continue
      const label = unknownLabel.get(c)
      report.unplace(cell.ref, cell.text, label ? `列“${label}”不是绩效指标表的列` : '该列没有列标题，无法确定含义')
    }
  }
  // 中期 halves first, then 年度: the model's order
  const ordered = heading.halves.map((half, h) => ({ half, rows: perHalf[h]! }))
    .sort((a, b) => (a.half.period === b.half.period ? 0 : a.half.period === 'midTerm' ? -1 : 1))
  const indicators: IndicatorRow[] = []
  const first = options.firstIndex ?? 0
  for (const { rows } of ordered) {
    for (const item of rows) {
      const i = first + indicators.length
      indicators.push(item.row)
      for (const n of item.notes) report.normalise(n.cell, `indicators[${i}]${n.field ? `.${n.field}` : ''}`, n.from, n.to, n.note)
    }
  }
  return { indicators, endRow: end }
}

function isOwn(grid: SheetGrid, row: number, cell: GridCell): boolean {
  return grid.rows[row]!.includes(cell)
}

/** 一级 as stored: alias normalised (产出值 → 产出指标), a printed score band dropped (产出指标（40-50分）). */
function normaliseLevel1Label(text: string, framework: FrameworkId): string {
  const name = normaliseLevel1(text)
  if (findLevel1(framework, name)) return name
  const bare = foldLabel(text).replace(/\([^()]*分\)$/, '')
  if (bare !== foldLabel(text) && findLevel1(framework, normaliseLevel1(bare))) return normaliseLevel1(bare)
  return name
}

interface Cells {
  level1: string
  level2: string
  l1Cell: GridCell | undefined
  l2: { text: string; cell?: GridCell }
  l3: { text: string; cell?: GridCell }
  value: { text: string; cell?: GridCell }
  extras: { f: IndicatorField; v: { text: string; cell?: GridCell } }[]
}

const QUANTITATIVE = new Set(['≥', '≤', '=', '>', '<'])

function readRow(half: IndicatorHalf, x: Cells, options: ReadIndicatorsOptions, report: ReportBuilder, reported: Set<string>, gridRow: number): ReadRow {
  const notes: Pending[] = []
  // 一级 / 二级 aliases: reported once per source cell (a merged cell stands for all its rows)
  if (x.l1Cell && x.l1Cell.text !== '' && x.level1 !== x.l1Cell.text && !reported.has(`l1:${x.l1Cell.ref}`)) {
    reported.add(`l1:${x.l1Cell.ref}`)
    notes.push({ cell: x.l1Cell.ref, field: 'level1', from: x.l1Cell.text, to: x.level1, note: `一级指标“${x.l1Cell.text}”记为“${x.level1}”` })
  }
  if (x.l2.cell && x.l2.text !== '' && x.level2 !== x.l2.text && !reported.has(`l2:${x.l2.cell.ref}`)) {
    reported.add(`l2:${x.l2.cell.ref}`)
    notes.push({ cell: x.l2.cell.ref, field: 'level2', from: x.l2.text, to: x.level2, note: `二级指标“${x.l2.text}”记为“${x.level2}”` })
  }
  let level3 = x.l3.text
  if (PLACEHOLDER_LEVEL3.test(level3)) level3 = ''
  else if (NUMBERING.test(level3)) {
    const bare = level3.replace(NUMBERING, '')
    notes.push({ cell: x.l3.cell!.ref, field: 'level3', from: level3, to: bare, note: '去掉三级指标前的编号“指标N：”' })
    level3 = bare
  }
  let core = false
  if (/^[★☆]|[★☆]$/.test(level3)) {
    const bare = level3.replace(CORE_MARK, '').trim()
    notes.push({ cell: x.l3.cell!.ref, field: 'level3', from: level3, to: bare, note: '三级指标的“★”记为核心指标（core）' })
    level3 = bare
    core = true
  }
  const row: IndicatorRow = { id: newId('r'), period: half.period, level1: x.level1, level2: x.level2, level3, comparator: '', target: '', unit: '' }
  const extra = new Map(x.extras.map((e) => [e.f, e.v]))
  let valueKind: IndicatorRow['valueKind']
  if (half.columns.value) {
    const text = x.value.text
    const s = splitIndicatorValue(text, { year: options.year })
    row.comparator = s.comparator
    row.target = s.target
    row.unit = s.unit
    if (s.shape === 'placeholder' && s.comparator === '' && ONLY_DOTS.test(text)) row.target = ''
    if (s.changed && x.value.cell) notes.push({ cell: x.value.cell.ref, field: 'target', from: text, to: { comparator: s.comparator, target: s.target, unit: s.unit }, note: s.note ?? '拆分指标值' })
  } else {
    const c = extra.get('comparator') ?? { text: '' }
    const u = extra.get('unit') ?? { text: '' }
    const v = normaliseSeparateValue({ comparator: c.text, target: x.value.text, unit: u.text }, { year: options.year })
    row.comparator = v.comparator
    row.target = v.target
    row.unit = v.unit
    valueKind = v.valueKind
    if (v.direction) row.direction = v.direction
    const cellOf = { comparator: c.cell, target: x.value.cell, unit: u.cell }
    for (const ch of v.changes) {
      const cell = cellOf[ch.cell]
      if (cell) notes.push({ cell: cell.ref, field: ch.field, from: ch.from, to: ch.to, note: ch.note })
    }
  }
  if (row.comparator === '定性') valueKind = 'qualitative'
  else if (QUANTITATIVE.has(row.comparator)) valueKind = 'quantitative'
  else if (!valueKind && /^-?\d+(?:\.\d+)?$|^\*+$/.test(row.target)) valueKind = 'quantitative'
  if (valueKind) row.valueKind = valueKind
  if (core) row.core = true
  for (const [f, v] of extra) {
    if (f === 'comparator' || f === 'unit' || !v.cell || v.text === '') continue
    switch (f) {
      case 'weight': {
        let n = typeof v.cell.value === 'number' ? v.cell.value : parseNumberInput(v.text)
        const m = typeof n === 'string' ? /^(\d+(?:\.\d+)?)\s*(分|%|％)$/.exec(n) : null
        if (m) {
          n = Number(m[1])
          notes.push({ cell: v.cell.ref, field: 'weight', from: v.text, to: n, note: `权重“${v.text}”记为 ${n}` })
        }
        if (n !== null) row.weight = n
        break
      }
      case 'direction': {
        const d = normaliseDirectionCell(v.text)
        if (!d.known) report.unplace(v.cell.ref, v.text, '指标方向性无法识别（应为“正向指标”或“反向指标”），原文保留在此')
        else if (d.direction) {
          row.direction = d.direction
          if (d.changed) notes.push({ cell: v.cell.ref, field: 'direction', from: v.text, to: d.direction, note: d.note! })
        }
        break
      }
      default:
        (row as unknown as Record<string, unknown>)[f] = v.text
    }
  }
  return { row, notes, gridRow }
}
