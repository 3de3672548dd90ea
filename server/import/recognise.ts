// Finds the tables in a sheet and tells which form each is (tables.md §0–§6): a 一体化 flat sheet (read
// whole by flat.ts), or one or more forms, each starting at its 项目名称 / 部门（单位）名称 row with its title
// area above (项目支出绩效目标申报表, （2025年度）, 填报单位（盖章）, 金额单位, notes) and running to the
// next form's title area. For each form: kind, template, a Chinese name of the layout for the report
// (an unknown or 审批表-like form is read in the closest template, and the report says so), the budget
// year and money unit it names, the indicator heading, and which rows are title area and which are notes.
import type { TableKind, TemplateId } from '../../shared/model/index.ts'
import { columnLetters, type SheetGrid } from './grid.ts'
import { findIndicatorHeading, type IndicatorHeading } from './indicator-grid.ts'
import { isFlatHeading } from './flat.ts'
import {
  DEPARTMENT_LABELS, PROJECT_LABELS, TITLE_RE, distinctCells, foldLabel, inlineLabel, isNoteText, matchLabel, moneyUnitIn,
  titleAreaWord, yearInTitle, type LabelId, type MoneyUnit,
} from './form-labels.ts'
import type { FormReader } from './form-reader.ts'

export interface Located { ref: string; text: string }

export interface RecognisedTable {
  kind: TableKind
  template: TemplateId
  /** the layout recognised, in Chinese (ImportTableReport.layout) */
  layout: string
  /** set when the form is none of the supported templates: why this one was chosen (Chinese) */
  closest?: string
  /** first and last row of the table (title area to the last row with content), inclusive */
  startRow: number
  endRow: number
  /** first row of the form itself (its first label row) */
  formRow: number
  /** rows above the form: title, year, 填报单位, 金额单位, notes */
  titleRows: number[]
  /** the indicator heading, null when the form has no indicator grid */
  heading: IndicatorHeading | null
  /** the title as printed (without a draft stamp); '' when there is none */
  title: string
  year?: Located & { year: number }
  moneyUnit?: Located & { unit: MoneyUnit }
  /** other units named in the table (a conflict the reader reports) */
  otherUnits: (Located & { unit: MoneyUnit })[]
  /** A1 range of the table, e.g. `A1:H42` */
  range: string
}

export type RecognisedSheet =
  | { kind: 'flat' }
  | { kind: 'forms'; tables: RecognisedTable[] }
  | { kind: 'none'; reason: string }

const DEPT_ANCHOR = /^(部门\(单位\)名称|部门名称|部门\(单位\)|镇街名称)$/

type Anchor = { row: number; kind: TableKind }

function anchorOf(grid: SheetGrid, row: number): TableKind | undefined {
  for (const c of distinctCells(grid, row)) {
    const text = c.cell.text
    if (!text) continue
    const t = foldLabel(text)
    const inlineDept = /[:：]/.test(text) && DEPT_ANCHOR.test(foldLabel(text.split(/[:：]/)[0] ?? ''))
    if (DEPT_ANCHOR.test(t) || inlineDept) return 'department'
    const p = matchLabel(text, PROJECT_LABELS) ?? inlineLabel(text, PROJECT_LABELS)?.def
    if (p?.id === 'projectName') return 'project'
  }
  return undefined
}

function hasContent(grid: SheetGrid, row: number): boolean {
  return (grid.rows[row] ?? []).some((c) => !c.master && (c.text !== '' || !!c.error))
}

/** Is every cell with content in the row title-area furniture (a note is not: it stays with the table above)? */
function isTitleAreaRow(grid: SheetGrid, row: number): boolean {
  const cells = distinctCells(grid, row).filter((c) => c.cell.text !== '')
  return cells.length > 0 && cells.every((c) => titleAreaWord(c.cell.text) !== undefined
    || /^(填报单位|预算单位|申报单位)(\(盖章\)|（盖章）)?[:：]/.test(c.cell.text.replace(/\s+/g, '')) || moneyUnitIn(c.cell.text) !== undefined && c.cell.text.length < 40)
}

export function recogniseSheet(grid: SheetGrid): RecognisedSheet {
  const rowCount = grid.rows.length
  if (!grid.rows.some((_, r) => hasContent(grid, r))) return { kind: 'none', reason: '空工作表' }
  for (let r = 0; r < rowCount; r++) if (isFlatHeading(grid, r)) return { kind: 'flat' }

  // anchors: a form starts at its 项目名称 / 部门（单位）名称 row; a second anchor before any indicator grid
  // belongs to the same form (a 项目名称 repeated in a 进度计划 block)
  const anchors: Anchor[] = []
  let lastHadGrid = true
  for (let r = 0; r < rowCount; r++) {
    const kind = anchorOf(grid, r)
    if (kind && lastHadGrid) {
      anchors.push({ row: r, kind })
      lastHadGrid = false
    }
    if (!lastHadGrid && anchors.length && findIndicatorHeading(grid, r, r + 1)) lastHadGrid = true
  }
  if (anchors.length === 0) {
    // no header at all: an indicator grid alone is still a table (read in the closest template)
    const heading = findIndicatorHeading(grid, 0)
    if (!heading) return { kind: 'none', reason: '没有找到“项目名称”“部门（单位）名称”或指标表的列标题（一级指标、二级指标、三级指标）' }
    anchors.push({ row: heading.firstRow, kind: 'project' })
  }

  // each form: its title area above the anchor, down to the next form's title area
  const starts = anchors.map((a, i) => {
    const floor = i === 0 ? 0 : anchors[i - 1]!.row + 1
    let s = a.row
    while (s - 1 >= floor && (!hasContent(grid, s - 1) || isTitleAreaRow(grid, s - 1))) s--
    if (i > 0) while (s < a.row && !hasContent(grid, s)) s++
    return s
  })
  const tables: RecognisedTable[] = anchors.map((a, i) => {
    const startRow = i === 0 ? 0 : starts[i]!
    const nextStart = i + 1 < anchors.length ? starts[i + 1]! : rowCount
    let endRow = nextStart - 1
    while (endRow > a.row && !hasContent(grid, endRow)) endRow--
    const heading = findIndicatorHeading(grid, a.row, endRow + 1)
    const titleRows: number[] = []
    for (let r = startRow; r < a.row; r++) titleRows.push(r)
    return describe(grid, a, startRow, endRow, titleRows, heading)
  })
  return { kind: 'forms', tables }
}

// ---- one form ----------------------------------------------------------------------

function describe(grid: SheetGrid, a: Anchor, startRow: number, endRow: number, titleRows: number[], heading: IndicatorHeading | null): RecognisedTable {
  // title, year, units in the title area
  let title = ''
  let year: RecognisedTable['year']
  const units: (Located & { unit: MoneyUnit })[] = []
  for (const r of titleRows) {
    for (const c of distinctCells(grid, r)) {
      const text = c.cell.text
      if (!text) continue
      const word = titleAreaWord(text)
      if (word === 'title' && !title) title = text.replace(/[（(]草稿[）)]\s*$/, '').trim()
      if ((word === 'title' || word === 'year') && !year) {
        const y = yearInTitle(text)
        if (y) year = { year: y, ref: c.cell.ref, text }
      }
      const unit = moneyUnitIn(text)
      if (unit && /单位[:：]/.test(text)) units.push({ unit, ref: c.cell.ref, text })
    }
  }
  // labels of the header, for telling the layouts apart; units named in labels (项目资金（万元）…)
  const seen = new Set<LabelId>()
  const flags = { schedule: false, approval: /审批表/.test(title), split: false }
  const headerEnd = heading ? heading.firstRow - 1 : endRow
  const defs = a.kind === 'department' ? DEPARTMENT_LABELS : PROJECT_LABELS
  for (let r = a.row; r <= headerEnd; r++) {
    for (const c of distinctCells(grid, r)) {
      const text = c.cell.text
      if (!text) continue
      const def = matchLabel(text, defs) ?? inlineLabel(text, defs)?.def
      if (def) seen.add(def.id)
      const t = foldLabel(text)
      if (/进度计划/.test(t)) flags.schedule = true
      if (/^(项目分类|建设周期|项目总体概况|年度主要目标和成果|项目审批)$/.test(t)) flags.approval = true
      if (/^(上级资金|本级资金)/.test(t)) flags.split = true
      const unit = def && def.id !== 'noPlace' ? moneyUnitIn(text) : undefined
      if (unit) units.push({ unit, ref: c.cell.ref, text })
    }
  }

  const pick = pickTemplate(a.kind, seen, heading, title, flags)
  const first = units[0]
  const out: RecognisedTable = {
    kind: a.kind,
    template: pick.template,
    layout: pick.layout,
    startRow,
    endRow,
    formRow: a.row,
    titleRows,
    heading,
    title,
    otherUnits: first ? units.slice(1).filter((u) => u.unit !== first.unit) : [],
    range: rangeOf(grid, startRow, endRow),
  }
  if (pick.closest) out.closest = pick.closest
  if (year) out.year = year
  if (first) out.moneyUnit = first
  return out
}

function rangeOf(grid: SheetGrid, startRow: number, endRow: number): string {
  const first = grid.rows[startRow]?.[0]?.ref ?? `A${startRow + 1}`
  const lastCell = grid.rows[endRow]?.[grid.columnCount - 1]
  const last = lastCell?.ref ?? `${columnLetters(Math.max(0, grid.columnCount - 1))}${endRow + 1}`
  return `${first}:${last}`
}

function headingHas(heading: IndicatorHeading | null, field: string): boolean {
  return !!heading?.halves.some((h) => field in h.columns)
}

function pickTemplate(kind: TableKind, seen: Set<LabelId>, heading: IndicatorHeading | null, title: string,
  flags: { schedule: boolean; approval: boolean; split: boolean }): { template: TemplateId; layout: string; closest?: string } {
  if (kind === 'department') {
    if (seen.has('deptFundsBlock')) return { template: 'mof2015-dept', layout: '部门整体支出绩效目标申报表（含部门总体资金情况，地方表样）' }
    return { template: 'mof2015-dept', layout: '部门（单位）整体支出绩效目标申报表' }
  }
  const midTerm = !!heading?.halves.some((h) => h.period === 'midTerm') || seen.has('midTermGoal')
  if (midTerm) return { template: 'mof2015-project', layout: '项目支出绩效目标申报表（中期+年度）' }
  if (flags.approval) {
    return {
      template: 'mof2021-core',
      layout: '项目支出绩效目标审批表（地方表样）',
      closest: '审批表不是支持的表样，按最接近的“项目支出核心绩效指标表”（mof2021-core，成本指标单列一级）导入；分值记入指标权重，审批表特有的栏目原文保留在未放置内容中',
    }
  }
  const separate = headingHas(heading, 'comparator')
  const meta = headingHas(heading, 'explanation') || headingHas(heading, 'basis') || headingHas(heading, 'scoringRule')
  if (/核心绩效指标/.test(title) || (separate && meta)) return { template: 'mof2021-core', layout: '项目支出核心绩效指标表' }
  if (!seen.has('projectName')) {
    const template: TemplateId = separate ? 'mof2021-core' : 'local-simple'
    return {
      template,
      layout: '只有指标表的表格（无表头）',
      closest: `没有项目名称等表头，按最接近的表样“${template === 'mof2021-core' ? '项目支出核心绩效指标表' : '项目支出绩效目标申报表（县市级，年度）'}”导入`,
    }
  }
  const variants: string[] = []
  if (seen.has('leaderAndPhone')) variants.push('含项目负责人及电话')
  if (flags.split) variants.push('上级资金/本级资金')
  if (flags.schedule) variants.push('含项目实施进度计划')
  if (headingHas(heading, 'basis')) variants.push('指标值及单位/绩效标准')
  const layout = `项目支出绩效目标申报表（县市级，年度${variants.length ? `；${variants.join('；')}` : ''}）`
  if (TITLE_RE.test(title) || seen.has('fundsBlock') || seen.has('annualGoal')) return { template: 'local-simple', layout }
  return { template: 'local-simple', layout, closest: '未能确认表样，按最接近的“项目支出绩效目标申报表（县市级，年度）”导入' }
}

// ---- the title area ---------------------------------------------------------------------

const NOTE_REASON = '表格上方或下方的说明文字，原文保留'

/**
 * Marks the title area's furniture as read (title, year, 金额单位, stamps, an empty 填报单位（盖章）：) and
 * keeps everything else there in `unplaced`: notes, a filled-in 填报单位, any other text.
 */
export function readTitleArea(reader: FormReader, rows: readonly number[]): void {
  for (const r of rows) {
    for (const c of distinctCells(reader.grid, r)) {
      const text = c.cell.text
      if (!text) { reader.use(r, c.col); continue }
      const word = titleAreaWord(text)
      if (word) { reader.use(r, c.col); continue }
      if (isNoteText(text)) { reader.unplace({ row: r, col: c.col }, c.cell, NOTE_REASON); continue }
      const stripped = text.replace(/[\s\u3000]+/g, '')
      if (/^(金额|资金)?单位[:：](万元|元)$/.test(stripped)) { reader.use(r, c.col); continue }
      if (/^(填报单位|预算单位|申报单位)/.test(stripped)) {
        reader.unplace({ row: r, col: c.col }, c.cell, '填报单位（盖章）：表头以外的信息，原文保留')
        continue
      }
      reader.unplace({ row: r, col: c.col }, c.cell, '标题区的文字，原文保留')
    }
  }
}

/** Rows whose only content is a note (注：…): kept in `unplaced` with their reason, not read as labels. */
export function noteRows(grid: SheetGrid, rows: readonly number[]): number[] {
  return rows.filter((r) => {
    const cells = distinctCells(grid, r).filter((c) => c.cell.text !== '')
    return cells.length > 0 && isNoteText(cells[0]!.cell.text)
  })
}

export { NOTE_REASON }
