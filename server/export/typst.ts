// ExportDoc → Typst: the printed table as the same grid as the layout (shared/layout), for pdf.ts (one table)
// and book-pdf.ts (the compiled book). User text never enters the markup: every table travels as JSON in
// `sys.inputs.data` and the fixed Typst source below reads it with `json(bytes(…))`, so a project name like
// `#sys.exit() *x* $y$` is a string the document prints, never code it runs.
import { STYLES, type SheetLayout } from '../../shared/layout/layout.ts'
import type { ExportDoc } from './document.ts'

/** One printed cell: text, span, style index; `cut` drops a stroke where a merge was split at the heading rows. */
export interface SheetCell {
  v: string
  cs?: number
  rs?: number
  s: number
  /** 't' no top stroke, 'b' no bottom stroke, 'tb' neither */
  cut?: 't' | 'b' | 'tb'
  /** the row's least height in pt (the layout's height for a row it made taller: goals, 审核意见) */
  m?: number
}

/** A style as Typst reads it. */
export interface SheetStyle {
  /** bold */
  b: boolean
  /** font size in pt */
  z: number
  a: 'left' | 'center' | 'right'
  v: 'top' | 'horizon' | 'bottom'
  /** fill `#RRGGBB` or null */
  f: string | null
  /** thin box stroke */
  k: boolean
}

/** One table as the Typst source reads it (JSON). */
export interface SheetData {
  /** column widths (relative) */
  w: number[]
  /** landscape */
  l: boolean
  /** footer line (before the page number) */
  f: string
  st: SheetStyle[]
  /** cells before the heading rows, the heading rows (repeated on every page), the rest; row-major, covered cells left out */
  pre: SheetCell[]
  head: SheetCell[]
  body: SheetCell[]
}

const DEFAULT_SIZE = 10
/** the layout's ordinary row height (px): rows this high take the height of their text */
const PLAIN_ROW_PX = 26
const PT_PER_PX = 0.75
/** vertical inset of a cell (pt), as in SHEET_LIB */
const INSET_Y = 3.5
const HEX = /^#[0-9a-fA-F]{6}$/

function styleOf(name: string): SheetStyle {
  const s = (STYLES as Record<string, Record<string, unknown> | undefined>)[name] ?? {}
  const fill = (s.bg as { rgb?: unknown } | undefined)?.rgb
  const fs = Number(s.fs)
  return {
    b: s.bl === 1 || s.bl === true,
    z: Number.isFinite(fs) && fs > 0 ? fs : DEFAULT_SIZE,
    a: s.ht === 2 ? 'center' : s.ht === 3 ? 'right' : 'left',
    v: s.vt === 1 ? 'top' : s.vt === 3 ? 'bottom' : 'horizon',
    f: typeof fill === 'string' && HEX.test(fill) ? fill : null,
    k: s.bd !== undefined && s.bd !== null,
  }
}

/** The indicator heading rows: from indicatorHeaderRow while the row holds heading ('head') cells. */
function headingRows(layout: SheetLayout): [number, number] | null {
  const first = layout.indicatorHeaderRow
  if (!(first >= 0 && first < layout.rowCount)) return null
  const isHead = (r: number) => layout.cells[r]?.some((c) => c.style === 'head') ?? false
  if (!isHead(first)) return null
  let last = first
  while (last + 1 < layout.rowCount && isHead(last + 1)) last++
  // a heading taller than a third of the table would not leave room to repeat it
  if (last + 1 >= layout.rowCount || last - first + 1 > 6) return null
  return [first, last]
}

interface Span { r: number; c: number; r2: number; c2: number; text: boolean }

/** The layout as Typst cells: merges as spans (split at the heading rows' edges so the heading can repeat). */
export function sheetData(doc: ExportDoc): SheetData {
  const L = doc.layout
  const rows = L.rowCount
  const cols = L.columnCount
  const head = headingRows(L)

  // merges → spans keyed by their top-left; overlapping or out-of-range merges are ignored (cells print alone)
  const owner: (Span | null)[][] = Array.from({ length: rows }, () => Array<Span | null>(cols).fill(null))
  for (const m of L.merges) {
    const r2 = Math.min(m.endRow, rows - 1)
    const c2 = Math.min(m.endColumn, cols - 1)
    if (m.startRow < 0 || m.startColumn < 0 || m.startRow > r2 || m.startColumn > c2) continue
    let free = true
    for (let i = m.startRow; i <= r2 && free; i++) for (let j = m.startColumn; j <= c2; j++) if (owner[i]![j]) { free = false; break }
    if (!free) continue
    // cut where the span crosses the heading block's top or bottom edge
    const cuts = [m.startRow]
    if (head) {
      if (m.startRow < head[0] && r2 >= head[0]) cuts.push(head[0])
      if (m.startRow <= head[1] && r2 > head[1]) cuts.push(head[1] + 1)
    }
    cuts.push(r2 + 1)
    for (let k = 0; k + 1 < cuts.length; k++) {
      const span: Span = { r: cuts[k]!, c: m.startColumn, r2: cuts[k + 1]! - 1, c2, text: k === 0 }
      for (let i = span.r; i <= span.r2; i++) for (let j = span.c; j <= span.c2; j++) owner[i]![j] = span
    }
  }

  const styleIndex = new Map<string, number>()
  const st: SheetStyle[] = []
  const styleNo = (name: string) => {
    let i = styleIndex.get(name)
    if (i === undefined) { i = st.length; st.push(styleOf(name)); styleIndex.set(name, i) }
    return i
  }

  const pre: SheetCell[] = [], heading: SheetCell[] = [], body: SheetCell[] = []
  for (let r = 0; r < rows; r++) {
    const list = head && r >= head[0] && r <= head[1] ? heading : head && r > head[1] ? body : pre
    const heightPx = L.rowHeights[r] ?? PLAIN_ROW_PX
    let minHeight = heightPx > PLAIN_ROW_PX ? Math.round((heightPx * PT_PER_PX - 2 * INSET_Y) * 10) / 10 : 0
    for (let c = 0; c < cols; c++) {
      const span = owner[r]![c]
      if (span && (span.r !== r || span.c !== c)) continue
      const origin = span && !span.text ? null : L.cells[r]?.[c]
      // a split merge's later parts carry the style of its first cell but no text
      const styleCell = L.cells[r]?.[c]
      const cell: SheetCell = { v: origin?.v ?? '', s: styleNo(styleCell?.style ?? 'blank') }
      if (span) {
        if (span.c2 > span.c) cell.cs = span.c2 - span.c + 1
        if (span.r2 > span.r) cell.rs = span.r2 - span.r + 1
        const merge = L.merges.find((m) => m.startColumn === span.c && m.startRow <= span.r && m.endRow >= span.r2)
        if (merge) {
          const noTop = span.r > merge.startRow
          const noBottom = span.r2 < merge.endRow
          if (noTop || noBottom) cell.cut = noTop && noBottom ? 'tb' : noTop ? 't' : 'b'
        }
      }
      // one single-row cell of a tall row carries the row's least height
      if (minHeight > 0 && !cell.rs) { cell.m = minHeight; minHeight = 0 }
      list.push(cell)
    }
  }

  const total = L.columnWidths.slice(0, cols).reduce((a, b) => a + Math.max(b, 1), 0)
  return {
    w: Array.from({ length: cols }, (_, i) => Math.max(L.columnWidths[i] ?? 1, 1) / Math.max(total, 1)),
    l: doc.orientation === 'landscape',
    f: doc.footer,
    st,
    pre,
    head: heading,
    body,
  }
}

/** Typst definitions shared by the single table and the book: `sheet(t)` typesets one SheetData. */
export const SHEET_LIB = String.raw`
#let FONT = ("Noto Sans CJK SC",)
#let HA = (left: left, center: center, right: right)
#let VA = (top: top, horizon: horizon, bottom: bottom)
#let LINE = 0.5pt + black
#let mkcell(c, st) = {
  let s = st.at(c.s)
  let cut = c.at("cut", default: "")
  let stroke = if s.k {
    (left: LINE, right: LINE,
     top: if cut.contains("t") { none } else { LINE },
     bottom: if cut.contains("b") { none } else { LINE })
  } else { none }
  let al = HA.at(s.a) + VA.at(s.v)
  let body = text(size: s.z * 1pt, weight: if s.b { "bold" } else { "regular" }, c.v)
  let m = c.at("m", default: 0)
  table.cell(
    colspan: c.at("cs", default: 1),
    rowspan: c.at("rs", default: 1),
    fill: if s.f == none { none } else { rgb(s.f) },
    align: al,
    stroke: stroke,
    // a zero-width strut column holds the row at its least height; the text keeps its alignment beside it
    if m > 0 { grid(columns: (0pt, 1fr), align: al, box(height: m * 1pt), body) } else { body },
  )
}
#let sheet(t) = table(
  columns: t.w.map(x => x * 1fr),
  stroke: none,
  inset: (x: 4pt, y: 3.5pt),
  ..t.pre.map(c => mkcell(c, t.st)),
  ..if t.head.len() > 0 { (table.header(repeat: true, ..t.head.map(c => mkcell(c, t.st))),) } else { () },
  ..t.body.map(c => mkcell(c, t.st)),
)
#let PAGE = (paper: "a4", margin: (x: 14mm, top: 14mm, bottom: 18mm))
#let footer-of(t, total) = context {
  set text(size: 8pt)
  t.f
  h(1fr)
  if total [第 #counter(page).display() 页 / 共 #counter(page).final().first() 页] else [第 #counter(page).display() 页]
}
#set text(font: FONT, lang: "zh", region: "cn", size: 10pt)
#set par(leading: 0.5em)
`

/** One table as a whole document: reads `sys.inputs.data` (SheetData JSON). */
export const TABLE_SOURCE = SHEET_LIB + String.raw`
#let t = json(bytes(sys.inputs.data))
#set document(title: t.f)
#set page(..PAGE, flipped: t.l, footer: footer-of(t, true))
#sheet(t)
`

/** A run of the book's tables: reads `sys.inputs.data` = { start: first page number, tables: SheetData[] }. */
export const PART_SOURCE = SHEET_LIB + String.raw`
#let d = json(bytes(sys.inputs.data))
#for (i, t) in d.tables.enumerate() {
  page(..PAGE, flipped: t.l, footer: footer-of(t, false))[
    #if i == 0 { counter(page).update(d.start) }
    #context [#metadata((i: i, page: here().page())) <tb>]
    #sheet(t)
  ]
}
`

/** The inputs of TABLE_SOURCE for one table. */
export function tableInputs(doc: ExportDoc): Record<string, string> {
  return { data: JSON.stringify(sheetData(doc)) }
}
