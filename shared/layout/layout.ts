// Pure sheet layout: table content + template → every cell's text, style and binding target, the
// merges, widths, heights, dropdowns and protected ranges of the official form (tables.md §1–§5, §9).
// No Univer import: the binding turns this into mutations; tests run it in Node.
import {
  FRAMEWORKS, TEMPLATES, findLevel1, findLevel2, frameworkOf, normaliseLevel1, normaliseLevel2, parseAmount,
  type FrameworkId, type GridColumn, type IndicatorRow, type TargetTable, type TemplateDef, type TemplateId,
} from '../model/index.ts'
import {
  COMPARATOR_LIST, DIRECTION_LABELS, formatAmount, formatCodeName, formatDirection, formatIndicatorValue,
  formatNumber, formatPeriod,
} from './codecs.ts'

export type ListName = 'indicators' | 'tasks'

/** How a cell's text maps to stored values (see codecs.ts). */
export type Codec = 'text' | 'amount' | 'number' | 'codeName' | 'period' | 'value' | 'comparator' | 'direction'

export type CellTarget =
  /** form furniture: printed, never edited */
  | { kind: 'label' }
  /** derived from other cells (金额合计, 年度): printed, never edited */
  | { kind: 'computed'; path: string }
  /** a header / fund / goal field, by its path from the table root */
  | { kind: 'field'; path: string[]; codec: Codec }
  /** one field of one row, addressed by row id so it follows the row wherever it moves */
  | { kind: 'row'; list: ListName; rowId: string; field: string; codec: Codec }
  /** a merged 一级/二级 cell: the value applies to every row of the group */
  | { kind: 'group'; rowIds: string[]; field: 'level1' | 'level2'; period?: string }
  /** a blank line of the form (empty 二级, padding, no tasks yet): typing creates a row */
  | { kind: 'new'; list: ListName; padKey: string; field: string; codec: Codec; seed: Record<string, string>; afterRowId?: string }
  /** inside a merge, not its top-left cell */
  | { kind: 'covered' }

export type StyleName =
  | 'title' | 'subtitle' | 'note' | 'stamp' | 'label' | 'head' | 'text' | 'group' | 'num' | 'long' | 'computed' | 'blank'

export interface LayoutCell {
  v: string
  style: StyleName
  target: CellTarget
  /** stable address independent of the grid position: `${rowId}|${field}` or `|${path}` */
  anchor: string
  /** required and empty → shown as 待填 */
  required?: boolean
  /** dropdown values (data validation list) */
  list?: readonly string[]
}

export interface Range { startRow: number; endRow: number; startColumn: number; endColumn: number }
export interface CellPos { row: number; col: number }

export interface SheetLayout {
  templateId: TemplateId
  rowCount: number
  columnCount: number
  /** cells[row][col]; every position inside the form is filled */
  cells: LayoutCell[][]
  merges: Range[]
  columnWidths: number[]
  rowHeights: number[]
  /** anchor → top-left cell */
  anchors: Map<string, CellPos>
  /** finding location (`header.projectName`, `funds.annual`, `indicators#<rowId>`, `indicators#<rowId>.target`, …) → cells */
  paths: Map<string, CellPos[]>
  /** first grid row of the indicator block (its column headings) */
  indicatorHeaderRow: number
}

// ---- styles (Univer IStyleData shape, kept as plain data) ---------------------

const LINE = { s: 1, cl: { rgb: '#000000' } }
const BOX = { t: LINE, b: LINE, l: LINE, r: LINE }
const TEXT_FORMAT = { pattern: '@' } // WATCH OUT: without '@' Univer turns "95%" into 0.95 and "1,234.5" into a float
export const LABEL_BG = '#F2F2F2'

export const STYLES: Readonly<Record<StyleName, Record<string, unknown>>> = Object.freeze({
  title: { fs: 16, bl: 1, ht: 2, vt: 2 },
  subtitle: { fs: 11, ht: 2, vt: 2 },
  note: { fs: 10, ht: 3, vt: 2 },
  /** paper only: the version line left of 金额单位 */
  stamp: { fs: 10, ht: 1, vt: 2 },
  label: { bl: 1, bg: { rgb: LABEL_BG }, ht: 2, vt: 2, tb: 3, bd: BOX, fs: 10 },
  head: { bl: 1, bg: { rgb: '#E6E6E6' }, ht: 2, vt: 2, tb: 3, bd: BOX, fs: 10 },
  text: { ht: 1, vt: 2, tb: 3, bd: BOX, fs: 10, n: TEXT_FORMAT },
  group: { ht: 2, vt: 2, tb: 3, bd: BOX, fs: 10, n: TEXT_FORMAT },
  num: { ht: 3, vt: 2, tb: 3, bd: BOX, fs: 10, n: TEXT_FORMAT },
  long: { ht: 1, vt: 1, tb: 3, bd: BOX, fs: 10, n: TEXT_FORMAT },
  computed: { ht: 3, vt: 2, bl: 1, bg: { rgb: LABEL_BG }, bd: BOX, fs: 10 },
  blank: {},
})

// ---- builder ------------------------------------------------------------------

const EMPTY: LayoutCell = { v: '', style: 'blank', target: { kind: 'label' }, anchor: '' }

class Builder {
  cells: LayoutCell[][] = []
  merges: Range[] = []
  heights: number[] = []
  anchors = new Map<string, CellPos>()
  paths = new Map<string, CellPos[]>()
  /** first row of the indicator block */
  head = 0

  constructor(readonly columnCount: number, readonly widths: number[]) {}

  private ensure(row: number) {
    while (this.cells.length <= row) {
      this.cells.push(Array.from({ length: this.columnCount }, () => EMPTY))
      this.heights.push(ROW_H)
    }
  }

  /** Places `cell` over rows r..r2, columns c..c2 (merged when larger than one cell). */
  put(r: number, c: number, r2: number, c2: number, cell: LayoutCell): void {
    this.ensure(r2)
    for (let i = r; i <= r2; i++) {
      for (let j = c; j <= c2; j++) {
        this.cells[i]![j] = i === r && j === c ? cell : { v: '', style: cell.style, target: { kind: 'covered' }, anchor: '' }
      }
    }
    if (r2 > r || c2 > c) this.merges.push({ startRow: r, endRow: r2, startColumn: c, endColumn: c2 })
    if (cell.anchor && !this.anchors.has(cell.anchor)) this.anchors.set(cell.anchor, { row: r, col: c })
    // rows grow to fit wrapped text (an estimate: CJK ≈ 13 px, Latin ≈ 7 px at 10 pt)
    if (cell.v && cell.style !== 'title') {
      const width = this.widths.slice(c, c2 + 1).reduce((a, b) => a + b, 0) - 8
      const need = textHeight(cell.v, width)
      const rows = r2 - r + 1
      const per = Math.ceil(need / rows)
      for (let i = r; i <= r2; i++) if (this.heights[i]! < per) this.heights[i] = Math.min(per, MAX_ROW_H)
    }
  }

  path(path: string, pos: CellPos): void {
    const list = this.paths.get(path)
    if (list) { if (!list.some((p) => p.row === pos.row && p.col === pos.col)) list.push(pos) }
    else this.paths.set(path, [pos])
  }

  /** Registers `path` and each of its dotted prefixes (`funds.annual.total` → `funds.annual`, `funds`). */
  pathWithPrefixes(path: string, pos: CellPos): void {
    const parts = path.split('.')
    for (let i = parts.length; i >= 1; i--) this.path(parts.slice(0, i).join('.'), pos)
  }

  label(r: number, c: number, r2: number, c2: number, text: string, style: StyleName = 'label', key?: string): void {
    this.put(r, c, r2, c2, { v: text, style, target: { kind: 'label' }, anchor: `|label:${key ?? text}` })
  }

  height(r: number, h: number): void {
    this.ensure(r)
    this.heights[r] = h
  }
}

const ROW_H = 26
const MAX_ROW_H = 220

function textWidth(s: string): number {
  let w = 0
  for (const ch of s) w += ch.charCodeAt(0) > 0x2e7f ? 13.5 : 7
  return w
}

function textHeight(text: string, width: number): number {
  let lines = 0
  for (const para of text.split('\n')) lines += Math.max(1, Math.ceil(textWidth(para) / Math.max(width, 20)))
  return lines <= 1 ? ROW_H : lines * 17 + 9
}

/** Template column widths are in half-width characters (templates.ts); the grid wants pixels. */
function px(chars: number): number {
  return Math.round(chars * 7.5 + 12)
}

// ---- reading the table defensively (a live document may be half-typed) --------

interface Ctx {
  table: TargetTable
  template: TemplateDef
  framework: FrameworkId
  moneyUnit: string
  decimals: number
  level1Order: string[]
}

function get(obj: unknown, path: readonly string[]): unknown {
  let v: unknown = obj
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined
    v = (v as Record<string, unknown>)[k]
  }
  return v
}

function str(v: unknown): string {
  if (v === null || v === undefined) return ''
  return typeof v === 'number' ? formatNumber(v) : String(v)
}

function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined || v === '') return true
  if (typeof v === 'object') return Object.values(v as object).every(isEmpty)
  return false
}

function formatField(ctx: Ctx, codec: Codec, value: unknown): string {
  switch (codec) {
    case 'amount': return formatAmount(value, ctx.moneyUnit, ctx.decimals)
    case 'number': return formatNumber(value)
    case 'codeName': return formatCodeName(value)
    case 'period': return formatPeriod(value)
    case 'direction': return formatDirection(value)
    default: return str(value)
  }
}

// ---- field cells ----------------------------------------------------------------

function fieldCell(b: Builder, ctx: Ctx, r: number, c: number, r2: number, c2: number, path: string[], codec: Codec,
  opts: { required?: boolean; style?: StyleName; list?: readonly string[] } = {}): void {
  const value = get(ctx.table, path)
  const cell: LayoutCell = {
    v: formatField(ctx, codec, value),
    style: opts.style ?? (codec === 'amount' ? 'num' : 'text'),
    target: { kind: 'field', path, codec },
    anchor: `|${path.join('.')}`,
  }
  if (opts.required) cell.required = true
  if (opts.list) cell.list = opts.list
  b.put(r, c, r2, c2, cell)
  b.pathWithPrefixes(path.join('.'), { row: r, col: c })
}

function goalCell(b: Builder, ctx: Ctx, r: number, c: number, r2: number, c2: number, key: 'annualGoal' | 'midTermGoal', required: boolean): void {
  fieldCell(b, ctx, r, c, r2, c2, [key], 'text', { required, style: 'long' })
  if (b.heights[r]! < 60) b.height(r, 60) // the official form leaves room for 目标1…目标3
}

function yearTitle(ctx: Ctx): string {
  return `（${ctx.table.year}年度）`
}

function computedCell(b: Builder, r: number, c: number, r2: number, c2: number, path: string, v: string, style: StyleName = 'computed'): void {
  b.put(r, c, r2, c2, { v, style, target: { kind: 'computed', path }, anchor: `|${path}` })
  b.pathWithPrefixes(path, { row: r, col: c })
}

function titleBlock(b: Builder, ctx: Ctx, last: number, opts: { yearInTitle?: boolean } = {}): number {
  if (opts.yearInTitle) {
    computedCell(b, 0, 0, 0, last, 'year', `${ctx.template.title}${yearTitle(ctx)}`, 'title')
    b.height(0, 40)
    b.label(1, 0, 1, last, `金额单位：${ctx.moneyUnit}`, 'note', 'moneyUnit')
    return 2
  }
  b.label(0, 0, 0, last, ctx.template.title, 'title', 'title')
  b.height(0, 40)
  computedCell(b, 1, 0, 1, last, 'year', yearTitle(ctx), 'subtitle')
  b.label(2, 0, 2, last, `金额单位：${ctx.moneyUnit}`, 'note', 'moneyUnit')
  return 3
}

const ATTRIBUTES = ['新增', '延续'] as const

// ---- indicator grouping ------------------------------------------------------------

interface Level2Group { name: string; known: boolean; rows: IndicatorRow[] }
interface Level1Group { name: string; known: boolean; level2: Level2Group[] }

function level2Names(ctx: Ctx, level1: string): string[] {
  const l1 = findLevel1(ctx.framework, level1)
  if (l1) return l1.level2.map((l) => l.name)
  return FRAMEWORKS[ctx.framework].level1.flatMap((l) => l.level2.map((x) => x.name))
}

function level1Names(ctx: Ctx): string[] {
  return FRAMEWORKS[ctx.framework].level1.map((l) => l.name)
}

/** Canonical 一级 name of a row (alias-normalised); rows outside the framework keep their own text. */
function level1Of(ctx: Ctx, row: IndicatorRow): string {
  const l1 = findLevel1(ctx.framework, row.level1 ?? '')
  return l1 ? l1.name : normaliseLevel1(row.level1 ?? '')
}

function level2Of(ctx: Ctx, row: IndicatorRow): string {
  const l2 = findLevel2(ctx.framework, row.level1 ?? '', row.level2 ?? '')
  return l2 ? l2.name : normaliseLevel2(row.level2 ?? '')
}

/** Groups rows by 一级 in the template's order (then unknown ones as met), 二级 in framework order; rows keep stored order. */
function groupRows(ctx: Ctx, rows: IndicatorRow[], keepEmptyLevel2: boolean): Level1Group[] {
  const groups: Level1Group[] = ctx.level1Order.map((name) => ({
    name,
    known: true,
    level2: (findLevel1(ctx.framework, name)?.level2 ?? []).map((l) => ({ name: l.name, known: true, rows: [] })),
  }))
  for (const row of rows) {
    const n1 = level1Of(ctx, row)
    let g1 = groups.find((g) => g.name === n1)
    if (!g1) {
      g1 = { name: n1, known: !!findLevel1(ctx.framework, n1), level2: [] }
      groups.push(g1)
    }
    const n2 = level2Of(ctx, row)
    let g2 = g1.level2.find((g) => g.name === n2)
    if (!g2) {
      g2 = { name: n2, known: false, rows: [] }
      g1.level2.push(g2)
    }
    g2.rows.push(row)
  }
  for (const g of groups) g.level2 = g.level2.filter((l2) => l2.rows.length > 0 || (keepEmptyLevel2 && l2.known))
  return groups
}

type Line =
  | { kind: 'row'; row: IndicatorRow; l2: Level2Group }
  | { kind: 'empty2'; l2: Level2Group }
  | { kind: 'pad' }

function linesOf(g1: Level1Group): Line[] {
  const out: Line[] = []
  for (const l2 of g1.level2) {
    if (l2.rows.length === 0) out.push({ kind: 'empty2', l2 })
    else for (const row of l2.rows) out.push({ kind: 'row', row, l2 })
  }
  return out
}

/** One column of an indicator half: which field, at which grid column, over how many columns. */
interface Place { field: GridColumn['field']; col: number; span: number }

function codecOf(field: GridColumn['field']): Codec {
  switch (field) {
    case 'value': return 'value'
    case 'comparator': return 'comparator'
    case 'weight': return 'number'
    case 'direction': return 'direction'
    default: return 'text'
  }
}

function styleOf(field: GridColumn['field']): StyleName {
  switch (field) {
    case 'comparator': case 'unit': case 'direction': case 'level1': case 'level2': return 'group'
    case 'value': case 'target': case 'weight': return 'group'
    default: return 'text'
  }
}

function listOf(field: GridColumn['field']): readonly string[] | undefined {
  if (field === 'comparator') return COMPARATOR_LIST
  if (field === 'direction') return Object.values(DIRECTION_LABELS)
  return undefined
}

function rowValue(row: IndicatorRow, field: GridColumn['field']): unknown {
  if (field === 'value') return formatIndicatorValue(row)
  return (row as unknown as Record<string, unknown>)[field]
}

function isRequired(ctx: Ctx, row: IndicatorRow | undefined, field: GridColumn['field']): boolean {
  if (field === 'level3' || field === 'value' || field === 'target' || field === 'comparator') return true
  if (field === 'unit') return row?.comparator !== '定性'
  return false
}

/** The finding paths a field answers to: the legacy 指标值 cell stands for comparator, target and unit. */
function fieldAliases(field: GridColumn['field']): string[] {
  return field === 'value' ? ['value', 'comparator', 'target', 'unit', 'valueKind'] : [field]
}

function rowCell(b: Builder, ctx: Ctx, r: number, place: Place, row: IndicatorRow): void {
  const codec = codecOf(place.field)
  const value = rowValue(row, place.field)
  const cell: LayoutCell = {
    v: place.field === 'value' ? String(value) : formatField(ctx, codec, value),
    style: styleOf(place.field),
    target: { kind: 'row', list: 'indicators', rowId: row.id, field: place.field, codec },
    anchor: `${row.id}|${place.field}`,
  }
  if (isRequired(ctx, row, place.field)) cell.required = true
  const list = place.field === 'level1' ? level1Names(ctx) : place.field === 'level2' ? level2Names(ctx, row.level1) : listOf(place.field)
  if (list) cell.list = list
  b.put(r, place.col, r, place.col + place.span - 1, cell)
  b.path(`indicators#${row.id}`, { row: r, col: place.col })
  for (const f of fieldAliases(place.field)) b.path(`indicators#${row.id}.${f}`, { row: r, col: place.col })
}

function newCell(b: Builder, r: number, place: Place, padKey: string, seed: Record<string, string>, afterRowId: string | undefined,
  list?: readonly string[]): void {
  const codec = codecOf(place.field)
  const target: CellTarget = { kind: 'new', list: 'indicators', padKey, field: place.field, codec, seed }
  if (afterRowId) target.afterRowId = afterRowId
  const cell: LayoutCell = { v: '', style: styleOf(place.field), target, anchor: `|new:${padKey}.${place.field}` }
  const l = list ?? listOf(place.field)
  if (l) cell.list = l
  b.put(r, place.col, r, place.col + place.span - 1, cell)
}

interface Half { period: 'annual' | 'midTerm'; level2: Place; rest: Place[] }

/**
 * The merged indicator grid of the official forms: 一级 merged over its group, 二级 merged over its
 * rows, several halves (中期 | 年度) side by side padded to the same height inside each 一级 block.
 */
function mergedIndicatorGrid(b: Builder, ctx: Ctx, startRow: number, level1Col: number, halves: Half[]): number {
  const rows = (ctx.table.indicators ?? []) as IndicatorRow[]
  const groupsByHalf = halves.map((h) => groupRows(ctx, rows.filter((x) => (x.period ?? 'annual') === h.period), ctx.template.keepEmptyLevel2))
  // 一级 blocks in one order across halves: the template's order, then unknown ones in order of first appearance
  const names: string[] = []
  for (const gs of groupsByHalf) for (const g of gs) if (!names.includes(g.name)) names.push(g.name)
  let r = startRow
  for (const name of names) {
    const perHalf = groupsByHalf.map((gs) => gs.find((g) => g.name === name) ?? { name, known: false, level2: [] })
    const lines = perHalf.map(linesOf)
    const height = Math.max(1, ...lines.map((l) => l.length))
    const allIds = lines.flat().flatMap((l) => (l.kind === 'row' ? [l.row.id] : []))
    const known = !!findLevel1(ctx.framework, name)
    // 一级 cell
    if (allIds.length) {
      b.put(r, level1Col, r + height - 1, level1Col, {
        v: name, style: 'group', target: { kind: 'group', rowIds: allIds, field: 'level1' },
        anchor: `${allIds[0]}|level1`, list: level1Names(ctx), required: true,
      })
      for (const id of allIds) b.path(`indicators#${id}.level1`, { row: r, col: level1Col })
    } else {
      b.label(r, level1Col, r + height - 1, level1Col, name, 'group', `l1:${name}`)
    }
    halves.forEach((half, h) => {
      const hl = lines[h]!
      while (hl.length < height) hl.push({ kind: 'pad' })
      const lastRowId = [...rows].reverse().find((x) => (x.period ?? 'annual') === half.period && level1Of(ctx, x) === name)?.id
      let i = 0
      while (i < hl.length) {
        const line = hl[i]!
        const rr = r + i
        if (line.kind === 'pad') {
          const padKey = `${half.period}|${name}|pad${i}`
          const seed = { period: half.period, level1: name }
          newCell(b, rr, half.level2, padKey, seed, lastRowId, known ? level2Names(ctx, name) : undefined)
          for (const p of half.rest) newCell(b, rr, p, padKey, seed, lastRowId)
          i++
          continue
        }
        // 二级 run: consecutive lines of the same 二级 group
        let j = i
        while (j + 1 < hl.length && hl[j + 1]!.kind !== 'pad' && (hl[j + 1] as { l2: Level2Group }).l2 === line.l2) j++
        const l2 = line.l2
        const ids = hl.slice(i, j + 1).flatMap((l) => (l.kind === 'row' ? [l.row.id] : []))
        if (ids.length) {
          b.put(rr, half.level2.col, r + j, half.level2.col + half.level2.span - 1, {
            v: l2.name, style: 'group', target: { kind: 'group', rowIds: ids, field: 'level2', period: half.period },
            anchor: `${ids[0]}|level2`, list: level2Names(ctx, name), required: true,
          })
          for (const id of ids) b.path(`indicators#${id}.level2`, { row: rr, col: half.level2.col })
        } else {
          b.label(rr, half.level2.col, r + j, half.level2.col + half.level2.span - 1, l2.name, 'group', `l2:${half.period}:${name}:${l2.name}`)
        }
        for (let k = i; k <= j; k++) {
          const ln = hl[k]!
          if (ln.kind === 'row') for (const p of half.rest) rowCell(b, ctx, r + k, p, ln.row)
          else {
            const padKey = `${half.period}|${name}|${l2.name}`
            const seed = { period: half.period, level1: name, level2: l2.name }
            const after = [...rows].reverse().find((x) => (x.period ?? 'annual') === half.period && level1Of(ctx, x) === name)?.id
            for (const p of half.rest) newCell(b, r + k, p, padKey, seed, after)
          }
        }
        i = j + 1
      }
    })
    r += height
  }
  return r
}

function indicatorHeadings(b: Builder, r: number, places: Place[], labels: Record<string, string>): void {
  for (const p of places) b.label(r, p.col, r, p.col + p.span - 1, labels[p.field] ?? p.field, 'head', `th:${r}:${p.col}`)
}

function columnLabels(template: TemplateDef): Record<string, string> {
  return Object.fromEntries(template.columns.map((c) => [c.field, c.label]))
}

// ---- templates -----------------------------------------------------------------

/** §1 mof2015-project: 8 columns, 中期 and 年度 indicator halves side by side. */
function mof2015Project(ctx: Ctx): Builder {
  const widths = [14, 13, 17, 26, 14, 17, 26, 14].map(px)
  const b = new Builder(8, widths)
  let r = titleBlock(b, ctx, 7)
  const years = (get(ctx.table, ['header', 'projectPeriod', 'years']) as number | undefined) ?? 1
  b.label(r, 0, r, 0, '项目名称')
  fieldCell(b, ctx, r, 1, r, 7, ['header', 'projectName'], 'text', { required: true })
  r++
  b.label(r, 0, r, 0, '主管部门及代码')
  fieldCell(b, ctx, r, 1, r, 3, ['header', 'competentDept'], 'codeName', { required: true })
  b.label(r, 4, r, 4, '实施单位')
  fieldCell(b, ctx, r, 5, r, 7, ['header', 'implementingUnit'], 'codeName', { required: true })
  r++
  b.label(r, 0, r, 0, '项目属性')
  fieldCell(b, ctx, r, 1, r, 3, ['header', 'projectAttribute'], 'text', { required: true, list: ATTRIBUTES })
  b.label(r, 4, r, 4, '项目期')
  fieldCell(b, ctx, r, 5, r, 7, ['header', 'projectPeriod'], 'period', { required: true })
  r++
  b.label(r, 0, r + 2, 0, `项目资金（${ctx.moneyUnit}）`, 'label', 'funds')
  const fundRows: [string, string, 'total' | 'fiscal' | 'other'][] = [
    ['中期资金总额', '年度资金总额', 'total'], ['其中：财政拨款', '其中：财政拨款', 'fiscal'], ['其他资金', '其他资金', 'other'],
  ]
  for (const [mid, ann, key] of fundRows) {
    b.label(r, 1, r, 1, mid, 'label', `mid:${key}`)
    fieldCell(b, ctx, r, 2, r, 3, ['funds', 'midTerm', key], 'amount', { required: years > 1 })
    b.label(r, 4, r, 4, ann, 'label', `ann:${key}`)
    fieldCell(b, ctx, r, 5, r, 7, ['funds', 'annual', key], 'amount', { required: true })
    r++
  }
  b.label(r, 0, r + 1, 0, '总体目标', 'label', 'goals')
  b.label(r, 1, r, 3, `中期目标（${midTermSpan(ctx)}）`, 'label', 'midTermGoal')
  b.label(r, 4, r, 7, '年度目标', 'label', 'annualGoal')
  r++
  goalCell(b, ctx, r, 1, r, 3, 'midTermGoal', years > 1)
  goalCell(b, ctx, r, 4, r, 7, 'annualGoal', true)
  r++
  const head = r
  b.label(r, 1, r + 1, 1, '一级指标', 'head', 'th:level1')
  b.label(r, 2, r, 4, '中期指标', 'head', 'th:midTerm')
  b.label(r, 5, r, 7, '年度指标', 'head', 'th:annual')
  r++
  const mid: Half = { period: 'midTerm', level2: { field: 'level2', col: 2, span: 1 }, rest: [{ field: 'level3', col: 3, span: 1 }, { field: 'value', col: 4, span: 1 }] }
  const ann: Half = { period: 'annual', level2: { field: 'level2', col: 5, span: 1 }, rest: [{ field: 'level3', col: 6, span: 1 }, { field: 'value', col: 7, span: 1 }] }
  indicatorHeadings(b, r, [mid.level2, ...mid.rest, ann.level2, ...ann.rest], columnLabels(ctx.template))
  r++
  const end = mergedIndicatorGrid(b, ctx, r, 1, [mid, ann])
  b.label(head, 0, end - 1, 0, '绩效指标', 'label', 'indicators')
  b.path('indicators', { row: head, col: 0 })
  b.head = head
  return b
}

function midTermSpan(ctx: Ctx): string {
  const p = get(ctx.table, ['header', 'projectPeriod']) as { start?: string; end?: string; years?: number } | undefined
  const startY = /^(\d{4})/.exec(p?.start ?? '')?.[1]
  const endY = /^(\d{4})/.exec(p?.end ?? '')?.[1]
  const from = startY ?? String(ctx.table.year)
  const to = endY ?? String(Number(from) + Math.max(1, p?.years ?? 1) - 1)
  return `${from}年—${to}年`
}

/** §2 mof2015-dept: 6 columns, task block with 金额合计, then the indicator grid. */
function mof2015Dept(ctx: Ctx): Builder {
  const widths = [13, 14, 26, 12, 12, 14].map(px)
  const b = new Builder(6, widths)
  let r = titleBlock(b, ctx, 5)
  b.label(r, 0, r, 0, '部门（单位）名称')
  fieldCell(b, ctx, r, 1, r, 5, ['header', 'deptName'], 'text', { required: true })
  r++
  const taskTop = r
  b.label(r, 1, r + 1, 1, '任务名称', 'head', 'th:taskName')
  b.label(r, 2, r + 1, 2, '主要内容', 'head', 'th:taskContent')
  b.label(r, 3, r, 5, `预算金额（${ctx.moneyUnit}）`, 'head', 'th:taskAmount')
  r++
  b.label(r, 3, r, 3, '总额', 'head', 'th:total')
  b.label(r, 4, r, 4, '财政拨款', 'head', 'th:fiscal')
  b.label(r, 5, r, 5, '其他资金', 'head', 'th:other')
  r++
  const tasks = ctx.table.kind === 'department' ? ctx.table.tasks ?? [] : []
  const taskFields: [string, number, Codec, StyleName][] = [['name', 1, 'text', 'text'], ['content', 2, 'text', 'long'], ['total', 3, 'amount', 'num'], ['fiscal', 4, 'amount', 'num'], ['other', 5, 'amount', 'num']]
  for (const t of tasks) {
    for (const [field, col, codec, style] of taskFields) {
      const value = (t as unknown as Record<string, unknown>)[field]
      b.put(r, col, r, col, {
        v: formatField(ctx, codec, value), style,
        target: { kind: 'row', list: 'tasks', rowId: t.id, field, codec },
        anchor: `${t.id}|${field}`, required: field !== 'content',
      })
      b.path(`tasks#${t.id}`, { row: r, col })
      b.path(`tasks#${t.id}.${field}`, { row: r, col })
    }
    r++
  }
  if (tasks.length === 0) {
    for (const [field, col, codec, style] of taskFields) {
      b.put(r, col, r, col, {
        v: '', style, target: { kind: 'new', list: 'tasks', padKey: 'tasks|pad', field, codec, seed: {} },
        anchor: `|new:tasks.${field}`, required: field === 'name',
      })
    }
    r++
  }
  const sums = taskSums(ctx)
  b.label(r, 1, r, 2, '金额合计', 'label', 'taskTotals')
  computedCell(b, r, 3, r, 3, 'taskTotals.total', sums.total)
  computedCell(b, r, 4, r, 4, 'taskTotals.fiscal', sums.fiscal)
  computedCell(b, r, 5, r, 5, 'taskTotals.other', sums.other)
  b.label(taskTop, 0, r, 0, '年度主要任务', 'label', 'tasks')
  b.path('tasks', { row: taskTop, col: 0 })
  r++
  b.label(r, 0, r, 0, '年度总体目标', 'label', 'annualGoalLabel')
  goalCell(b, ctx, r, 1, r, 5, 'annualGoal', true)
  r++
  const head = r
  const half: Half = { period: 'annual', level2: { field: 'level2', col: 2, span: 1 }, rest: [{ field: 'level3', col: 3, span: 2 }, { field: 'value', col: 5, span: 1 }] }
  indicatorHeadings(b, r, [{ field: 'level1', col: 1, span: 1 }, half.level2, ...half.rest], columnLabels(ctx.template))
  r++
  const end = mergedIndicatorGrid(b, ctx, r, 1, [half])
  b.label(head, 0, end - 1, 0, '年度绩效指标', 'label', 'indicators')
  b.path('indicators', { row: head, col: 0 })
  b.head = head
  return b
}

/** Exact 金额合计 of the task block, in the template's decimals; unparsable amounts are left out (R-FUND-FORMAT reports them). */
export function taskSums(ctx: { table: TargetTable; moneyUnit: string; decimals: number }): { total: string; fiscal: string; other: string } {
  const tasks = ctx.table.kind === 'department' ? ctx.table.tasks ?? [] : []
  const out = { total: '', fiscal: '', other: '' }
  for (const key of ['total', 'fiscal', 'other'] as const) {
    let sum = 0n
    let any = false
    for (const t of tasks) {
      const p = parseAmount(t[key] ?? null, ctx.moneyUnit)
      if (p.ok) { sum += p.micro; any = true }
    }
    out[key] = any ? formatAmount(microToPlain(sum), ctx.moneyUnit, ctx.decimals) : ''
  }
  return out
}

function microToPlain(micro: bigint): string {
  const int = micro / 1_000_000n
  const frac = (micro % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '')
  return frac ? `${int}.${frac}` : `${int}`
}

/** §3 mof2021-core: the indicator table with 指标性质/指标值/度量单位 and the 2021 metadata columns. */
function mof2021Core(ctx: Ctx): Builder {
  const cols = ctx.template.columns
  const widths = cols.map((c) => px(Math.max(c.width, c.field === 'level1' ? 12 : c.width)))
  const n = cols.length
  const last = n - 1
  const b = new Builder(n, widths)
  let r = titleBlock(b, ctx, last)
  const pairs: [string, string[], Codec, boolean, (readonly string[])?][][] = [
    [['项目名称', ['header', 'projectName'], 'text', true], ['主管部门及代码', ['header', 'competentDept'], 'codeName', true]],
    [['实施单位', ['header', 'implementingUnit'], 'codeName', true], ['项目属性', ['header', 'projectAttribute'], 'text', true, ATTRIBUTES]],
    [['项目期', ['header', 'projectPeriod'], 'period', true], [`年度资金总额（${ctx.moneyUnit}）`, ['funds', 'annual', 'total'], 'amount', true]],
    [['其中：财政拨款', ['funds', 'annual', 'fiscal'], 'amount', true], ['其他资金', ['funds', 'annual', 'other'], 'amount', true]],
  ]
  const mid = Math.floor(n / 2) // left pair: A | B..mid-1 ; right pair: mid..mid+1 | mid+2..last
  for (const [left, right] of pairs) {
    b.label(r, 0, r, 0, left![0], 'label', `h:${left![0]}`)
    fieldCell(b, ctx, r, 1, r, mid - 1, left![1], left![2], { required: left![3], list: left![4] })
    b.label(r, mid, r, mid + 1, right![0], 'label', `h:${right![0]}`)
    fieldCell(b, ctx, r, mid + 2, r, last, right![1], right![2], { required: right![3], list: right![4] })
    r++
  }
  b.label(r, 0, r, 0, '年度目标', 'label', 'annualGoalLabel')
  goalCell(b, ctx, r, 1, r, last, 'annualGoal', true)
  r++
  const head = r
  const places: Place[] = cols.map((c, i) => ({ field: c.field, col: i, span: 1 }))
  indicatorHeadings(b, r, places, columnLabels(ctx.template))
  b.path('indicators', { row: head, col: 0 })
  r++
  const half: Half = { period: 'annual', level2: places[1]!, rest: places.slice(2) }
  mergedIndicatorGrid(b, ctx, r, 0, [half])
  b.head = head
  return b
}

/** §5 local-simple: county annual form with 备注 and the 财政部门审核意见 row. */
function localSimple(ctx: Ctx): Builder {
  const widths = [14, 13, 17, 28, 16, 14].map(px)
  const b = new Builder(6, widths)
  let r = titleBlock(b, ctx, 5)
  b.label(r, 0, r, 0, '项目名称')
  fieldCell(b, ctx, r, 1, r, 2, ['header', 'projectName'], 'text', { required: true })
  b.label(r, 3, r, 3, '项目负责人及电话')
  fieldCell(b, ctx, r, 4, r, 4, ['header', 'projectLeader'], 'text')
  fieldCell(b, ctx, r, 5, r, 5, ['header', 'phone'], 'text')
  r++
  b.label(r, 0, r, 0, '主管部门')
  fieldCell(b, ctx, r, 1, r, 2, ['header', 'competentDept'], 'codeName', { required: true })
  b.label(r, 3, r, 3, '实施单位')
  fieldCell(b, ctx, r, 4, r, 5, ['header', 'implementingUnit'], 'codeName', { required: true })
  r++
  b.label(r, 0, r, 0, '项目属性')
  fieldCell(b, ctx, r, 1, r, 2, ['header', 'projectAttribute'], 'text', { required: true, list: ATTRIBUTES })
  b.label(r, 3, r, 3, '项目期')
  fieldCell(b, ctx, r, 4, r, 5, ['header', 'projectPeriod'], 'period', { required: true })
  r++
  b.label(r, 0, r + 2, 0, `资金情况（${ctx.moneyUnit}）`, 'label', 'funds')
  for (const [label, key] of [['年度资金总额', 'total'], ['其中：财政拨款', 'fiscal'], ['其他资金', 'other']] as const) {
    b.label(r, 1, r, 1, label, 'label', `ann:${key}`)
    fieldCell(b, ctx, r, 2, r, 5, ['funds', 'annual', key], 'amount', { required: true })
    r++
  }
  b.label(r, 0, r + 1, 0, '总体目标', 'label', 'goals')
  b.label(r, 1, r, 5, '年度目标', 'label', 'annualGoal')
  r++
  goalCell(b, ctx, r, 1, r, 5, 'annualGoal', true)
  r++
  const head = r
  const half: Half = { period: 'annual', level2: { field: 'level2', col: 2, span: 1 }, rest: [{ field: 'level3', col: 3, span: 1 }, { field: 'value', col: 4, span: 1 }, { field: 'remark', col: 5, span: 1 }] }
  indicatorHeadings(b, r, [{ field: 'level1', col: 1, span: 1 }, half.level2, ...half.rest], columnLabels(ctx.template))
  r++
  const end = mergedIndicatorGrid(b, ctx, r, 1, [half])
  b.label(head, 0, end - 1, 0, '绩效指标', 'label', 'indicators')
  b.path('indicators', { row: head, col: 0 })
  b.label(end, 0, end, 0, '财政部门审核意见', 'label', 'reviewOpinion')
  fieldCell(b, ctx, end, 1, end, 5, ['header', 'reviewOpinion'], 'text', { style: 'long' })
  if (b.heights[end]! < 52) b.height(end, 52)
  b.head = head
  return b
}

/** §4 yth-flat: one row per 三级 indicator, project cells merged down, rows sorted 一级→二级 (stored order inside). */
function ythFlat(ctx: Ctx): Builder {
  const lead: { label: string; path: string[]; codec: Codec; width: number }[] = [
    { label: '单位名称', path: ['header', 'implementingUnit'], codec: 'codeName', width: 16 },
    { label: '项目名称', path: ['header', 'projectName'], codec: 'text', width: 18 },
    { label: `预算数（${ctx.moneyUnit}）`, path: ['funds', 'annual', 'total'], codec: 'amount', width: 12 },
    { label: '年度目标', path: ['annualGoal'], codec: 'text', width: 30 },
  ]
  const cols = ctx.template.columns
  const widths = [...lead.map((l) => px(l.width)), ...cols.map((c) => px(c.width + (c.field === 'level1' ? 2 : 0)))]
  const n = widths.length
  const b = new Builder(n, widths)
  let r = titleBlock(b, ctx, n - 1, { yearInTitle: true })
  const head = r
  lead.forEach((l, i) => b.label(r, i, r, i, l.label, 'head', `th:${l.path.join('.')}`))
  const places: Place[] = cols.map((c, i) => ({ field: c.field, col: lead.length + i, span: 1 }))
  indicatorHeadings(b, r, places, columnLabels(ctx.template))
  b.path('indicators', { row: head, col: lead.length })
  r++
  const rows = sortFlat(ctx, ((ctx.table.indicators ?? []) as IndicatorRow[]).filter((x) => (x.period ?? 'annual') === 'annual'))
  const first = r
  for (const row of rows) {
    for (const p of places) rowCell(b, ctx, r, p, row)
    r++
  }
  if (rows.length === 0) {
    const seed = { period: 'annual', level1: ctx.level1Order[0] ?? '' }
    for (const p of places) newCell(b, r, p, 'flat|pad', seed, undefined, p.field === 'level1' ? level1Names(ctx) : p.field === 'level2' ? level2Names(ctx, seed.level1) : undefined)
    r++
  }
  lead.forEach((l, i) => fieldCell(b, ctx, first, i, r - 1, i, l.path, l.codec, { required: true, style: l.path[0] === 'annualGoal' ? 'long' : l.codec === 'amount' ? 'num' : 'group' }))
  b.head = head
  return b
}

function sortFlat(ctx: Ctx, rows: IndicatorRow[]): IndicatorRow[] {
  const rank1 = (row: IndicatorRow) => {
    const i = ctx.level1Order.indexOf(level1Of(ctx, row))
    return i < 0 ? ctx.level1Order.length : i
  }
  const rank2 = (row: IndicatorRow) => {
    const names = findLevel1(ctx.framework, row.level1)?.level2.map((l) => l.name) ?? []
    const i = names.indexOf(level2Of(ctx, row))
    return i < 0 ? names.length : i
  }
  return rows.map((row, i) => ({ row, i })).sort((a, b) => rank1(a.row) - rank1(b.row) || rank2(a.row) - rank2(b.row) || a.i - b.i).map((x) => x.row)
}

const BUILDERS: Record<TemplateId, (ctx: Ctx) => Builder> = {
  'mof2015-project': mof2015Project,
  'mof2015-dept': mof2015Dept,
  'mof2021-core': mof2021Core,
  'local-simple': localSimple,
  'yth-flat': ythFlat,
}

/** Templates a table can be shown in: the ones of its own kind. */
export function templatesFor(kind: TargetTable['kind']): TemplateId[] {
  return (Object.keys(TEMPLATES) as TemplateId[]).filter((id) => TEMPLATES[id].kind === kind)
}

/** What paper adds to the form on screen (xlsx and PDF export, tables.md §9.6). */
export interface PaperOptions {
  /** the signature block (填报人、联系电话、单位负责人、填报日期, and 审核意见 where the form has none); false in the public edition */
  signatures: boolean
  /** printed with the title: `草稿` for a draft, `第 2 版（2026年11月20日审核通过）` for an approved version */
  stamp?: string
}

const DRAFT = '草稿'

/** 填报人、联系电话、单位负责人、填报日期: the signature block under the form (tables.md §9.6) */
const SIGNATURE_FIELDS = [['填报人', 'preparer'], ['联系电话', 'phone'], ['单位负责人', 'unitLeader'], ['填报日期', 'fillDate']] as const

/** Templates whose form already prints a 审核意见 row. */
const HAS_REVIEW_ROW: ReadonlySet<TemplateId> = new Set<TemplateId>(['local-simple'])

/**
 * The paper's furniture: a draft's title ends in （草稿）; any other stamp (a version and its approval
 * date) is printed left of 金额单位 on the line under the title; with signatures, a 审核意见 row (where
 * the form has none) and the signature block are appended under the form.
 */
function applyPaper(b: Builder, ctx: Ctx, paper: PaperOptions): void {
  const last = b.columnCount - 1
  const stamp = paper.stamp?.trim() ?? ''
  if (stamp === DRAFT) {
    const title = b.cells[0]![0]!
    b.cells[0]![0] = { ...title, v: `${title.v}（${DRAFT}）` }
  } else if (stamp) {
    const note = b.anchors.get('|label:moneyUnit')!
    const r = note.row
    const text = b.cells[r]![0]!.v
    b.merges = b.merges.filter((m) => !(m.startRow === r && m.startColumn === 0))
    const mid = Math.max(1, Math.floor(b.columnCount / 2))
    b.label(r, 0, r, mid - 1, stamp, 'stamp', 'stamp')
    b.label(r, mid, r, last, text, 'note', 'moneyUnit')
  }
  if (!paper.signatures) return
  let r = b.cells.length
  if (!HAS_REVIEW_ROW.has(ctx.template.id)) {
    b.label(r, 0, r, 0, '审核意见', 'label', 'reviewOpinion')
    fieldCell(b, ctx, r, 1, r, last, ['header', 'reviewOpinion'], 'text', { style: 'long' })
    if (b.heights[r]! < 52) b.height(r, 52)
    r++
  }
  // four label/value pairs on one line when the form is 8 columns or wider, else two lines of two
  const perRow = b.columnCount >= 8 ? 4 : 2
  for (let i = 0; i < SIGNATURE_FIELDS.length; i += perRow) {
    const pairs = SIGNATURE_FIELDS.slice(i, i + perRow)
    let c = 0
    pairs.forEach(([label, key], k) => {
      const end = Math.round(((k + 1) * b.columnCount) / perRow) - 1
      b.label(r, c, r, c, label, 'label', `sig:${key}`)
      fieldCell(b, ctx, r, c + 1, r, Math.max(c + 1, end), ['header', key], 'text')
      c = end + 1
    })
    r++
  }
}

/**
 * Lays a table out in its template (or `templateId`, when the table's kind fits it); with `paper`, the
 * printed form (export) rather than the screen's.
 * WATCH OUT: the table may come straight from a live Y.Doc, half-typed; every read is defensive.
 */
export function buildLayout(table: TargetTable, templateId: TemplateId = table.template, paper?: PaperOptions): SheetLayout {
  const own = TEMPLATES[table.template] ?? TEMPLATES[templateId] ?? TEMPLATES['mof2015-project']
  const wanted = TEMPLATES[templateId]
  const template = wanted && wanted.kind === (table.kind ?? own.kind) ? wanted : own
  const framework = table.framework && FRAMEWORKS[table.framework] ? table.framework : frameworkOf({ template: template.id })
  const ctx: Ctx = {
    table: { ...table, kind: table.kind ?? template.kind, year: table.year ?? new Date().getFullYear() } as TargetTable,
    template,
    framework,
    moneyUnit: table.moneyUnit ?? template.moneyUnit,
    decimals: template.moneyDecimals,
    level1Order: framework === template.framework ? template.level1Order : FRAMEWORKS[framework].order,
  }
  const b = BUILDERS[template.id](ctx)
  if (paper) applyPaper(b, ctx, paper)
  return {
    templateId: template.id,
    rowCount: b.cells.length,
    columnCount: b.columnCount,
    cells: b.cells,
    merges: b.merges,
    columnWidths: b.widths,
    rowHeights: b.heights,
    anchors: b.anchors,
    paths: b.paths,
    indicatorHeaderRow: b.head,
  }
}

// ---- derived views used by the binding --------------------------------------------

export function isEditable(target: CellTarget): boolean {
  return target.kind === 'field' || target.kind === 'row' || target.kind === 'group' || target.kind === 'new'
}

/** Cells no one may type into (labels, computed cells), as few rectangles as possible. */
export function protectedRanges(layout: SheetLayout): Range[] {
  const runs: Range[] = []
  layout.cells.forEach((row, r) => {
    let start = -1
    for (let c = 0; c <= layout.columnCount; c++) {
      const cell = row[c]
      const locked = cell !== undefined && !isEditable(coveringTarget(layout, r, c))
      if (locked && start < 0) start = c
      if (!locked && start >= 0) {
        runs.push({ startRow: r, endRow: r, startColumn: start, endColumn: c - 1 })
        start = -1
      }
    }
  })
  // stack identical runs of consecutive rows into one rectangle
  const out: Range[] = []
  for (const run of runs) {
    const prev = out.find((o) => o.endRow === run.startRow - 1 && o.startColumn === run.startColumn && o.endColumn === run.endColumn)
    if (prev) prev.endRow = run.endRow
    else out.push({ ...run })
  }
  return out
}

/** The target of the merge a cell belongs to (a covered cell is as editable as its top-left). */
export function coveringTarget(layout: SheetLayout, row: number, col: number): CellTarget {
  const cell = layout.cells[row]?.[col]
  if (!cell) return { kind: 'label' }
  if (cell.target.kind !== 'covered') return cell.target
  const m = layout.merges.find((x) => row >= x.startRow && row <= x.endRow && col >= x.startColumn && col <= x.endColumn)
  return m ? layout.cells[m.startRow]![m.startColumn]!.target : { kind: 'label' }
}

/** The top-left cell of the merge containing (row, col), or the cell itself. */
export function topLeft(layout: SheetLayout, row: number, col: number): CellPos {
  const m = layout.merges.find((x) => row >= x.startRow && row <= x.endRow && col >= x.startColumn && col <= x.endColumn)
  return m ? { row: m.startRow, col: m.startColumn } : { row, col }
}

/** Dropdown lists grouped into ranges: one data-validation rule per distinct list. */
export function dropdowns(layout: SheetLayout): { list: readonly string[]; ranges: Range[] }[] {
  const byKey = new Map<string, { list: readonly string[]; ranges: Range[] }>()
  layout.cells.forEach((row, r) => row.forEach((cell, c) => {
    if (!cell.list) return
    const key = cell.list.join('\u0001')
    let entry = byKey.get(key)
    if (!entry) byKey.set(key, (entry = { list: cell.list, ranges: [] }))
    const m = layout.merges.find((x) => x.startRow === r && x.startColumn === c)
    entry.ranges.push(m ? { ...m } : { startRow: r, endRow: r, startColumn: c, endColumn: c })
  }))
  return [...byKey.values()]
}
