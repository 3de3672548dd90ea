// The 一体化 flat sheet (tables.md §4, template `yth-flat`): one heading row 单位名称 | 项目名称 | 预算数 |
// 年度目标 | 一级 | 二级 | 三级 | 指标性质 | 指标值 | 度量单位 | 权重 | 指标方向性 (any order, with aliases),
// a title and 金额单位 above, department subtotal rows (820-XX镇部门), project cells merged down or
// repeated, several projects per sheet → one project table each. Amounts stay in the sheet's unit.
import { cellAt, columnLetters, type GridCell, type SheetGrid } from './grid.ts'
import { ReportBuilder } from './report.ts'
import { findIndicatorHeading, readIndicators, type IndicatorHeading } from './indicator-grid.ts'
import { foldLabel, isClosingLabel } from './indicator-labels.ts'
import {
  normaliseLevel1, parseAmount, parseTable,
  type Amount, type FrameworkId, type ProjectTable, type TargetTable,
} from '../../shared/model/index.ts'
import { parseAmountInput, parseCodeName } from '../../shared/layout/codecs.ts'

type LeadField = 'unit' | 'projectName' | 'budget' | 'annualGoal' | 'dept'

const LEAD_ALIASES: Record<LeadField, readonly string[]> = {
  unit: ['单位名称', '预算单位', '预算单位名称', '单位(部门)名称', '实施单位', '单位编码及名称', '单位代码及名称'],
  projectName: ['项目名称', '项目', '项目名称(全称)', '预算项目名称', '项目全称'],
  budget: ['预算数', '预算金额', '项目预算数', '年度预算数', '资金总额', '项目金额', '年度资金总额', '申请预算金额', '预算数合计', '项目资金'],
  annualGoal: ['年度目标', '年度绩效目标', '绩效目标', '项目年度目标', '总体目标', '年度总体目标', '项目绩效目标'],
  dept: ['部门名称', '主管部门', '部门'],
}

/** trailing 金额 unit of a heading: 预算数（元）, 预算数（万元） */
const UNIT_IN_HEADING = /\((万元|元)\)$/

function leadField(text: string): { field: LeadField; moneyUnit?: '元' | '万元' } | null {
  let t = foldLabel(text)
  const m = UNIT_IN_HEADING.exec(t)
  if (m) t = t.slice(0, -m[0].length)
  for (const [field, labels] of Object.entries(LEAD_ALIASES) as [LeadField, readonly string[]][]) {
    if (labels.includes(t)) return m ? { field, moneyUnit: m[1] as '元' | '万元' } : { field }
  }
  return null
}

interface Lead { field: LeadField; col: number; label: string; moneyUnit?: '元' | '万元' }

function leadColumns(grid: SheetGrid, row: number): Lead[] {
  const out: Lead[] = []
  const taken = new Set<LeadField>()
  for (let c = 0; c < grid.columnCount; c++) {
    const own = grid.rows[row]?.[c]
    if (!own || own.master) continue
    const f = leadField(own.text)
    if (!f || taken.has(f.field)) continue
    taken.add(f.field)
    out.push({ field: f.field, col: c, label: own.text, ...(f.moneyUnit ? { moneyUnit: f.moneyUnit } : {}) })
  }
  return out
}

/** Is `row` the heading of a flat sheet: 项目名称 beside an indicator heading (三级 with 一级 or 二级)? */
export function isFlatHeading(grid: SheetGrid, row: number): boolean {
  const lead = leadColumns(grid, row)
  if (!lead.some((l) => l.field === 'projectName')) return false
  const h = findIndicatorHeading(grid, row, row + 1)
  return h !== null
}

export interface FlatTable {
  content: TargetTable
  /** the cells the table was read from, e.g. `A4:L11` */
  range: string
  title: string
  report: ReportBuilder
}

export interface FlatSheetResult {
  tables: FlatTable[]
}

const SIGNATURES: [RegExp, 'reviewOpinion' | 'preparer' | 'phone' | 'unitLeader' | 'fillDate'][] = [
  [/^(财政部门|主管部门)?审核意见$/, 'reviewOpinion'],
  [/^(填报人|填表人)$/, 'preparer'],
  [/^联系电话$/, 'phone'],
  [/^单位负责人$/, 'unitLeader'],
  [/^(填报日期|填表日期)$/, 'fillDate'],
]

function signatureField(text: string) {
  const t = foldLabel(text).replace(/[:：]$/, '')
  return SIGNATURES.find(([re]) => re.test(t))?.[1]
}

interface Project {
  startRow: number
  endRow: number
  nameCell: GridCell
  unitCell?: GridCell
  dept?: { text: string; ref: string }
}

const TOTAL = /^(合计|总计|小计)/
const YEAR = /(\d{4})\s*年/
const MONEY_NOTE = /(?:金额)?单位[:：]\s*(万元|元)/

/**
 * Reads a flat sheet into one project table per project. `report` takes what belongs to the sheet
 * (title and notes that fit nowhere, subtotal checks); each table has its own report.
 */
/** `options.year`: the year the tables are imported into; absent, the title's year, else the current year. */
export function readFlatSheet(grid: SheetGrid, report: ReportBuilder, options: { year?: number }): FlatSheetResult {
  let headRow = -1
  for (let r = 0; r < grid.rows.length; r++) if (isFlatHeading(grid, r)) { headRow = r; break }
  if (headRow < 0) {
    report.problem('no_table', 'error', `工作表“${grid.name}”中没有找到一体化平铺表的列标题行（项目名称、一级指标、二级指标、三级指标…）`)
    return { tables: [] }
  }
  const heading = findIndicatorHeading(grid, headRow)!
  const lead = leadColumns(grid, headRow)
  const col = (f: LeadField) => lead.find((l) => l.field === f)?.col

  // title, 金额单位 and year from the rows above the heading
  let moneyUnit: '元' | '万元' | undefined = lead.find((l) => l.moneyUnit)?.moneyUnit
  let title = ''
  let titleRef: string | undefined
  for (let r = 0; r < heading.firstRow; r++) {
    for (const cell of grid.rows[r]!) {
      if (cell.master || cell.text === '') continue
      const note = MONEY_NOTE.exec(cell.text)
      if (note) {
        if (moneyUnit && note[1] !== moneyUnit) report.problem('money_unit_conflict', 'warning', `单元格 ${cell.ref} 写“${cell.text}”，列标题写“${moneyUnit}”：按列标题读入`, cell.ref)
        moneyUnit ??= note[1] as '元' | '万元'
        continue
      }
      if (!title) { title = cell.text; titleRef = cell.ref; continue }
      report.unplace(cell.ref, cell.text, '表格上方的文字，不属于任何项目')
    }
  }
  if (!moneyUnit) report.problem('money_unit_default', 'info', '表格未写明金额单位，按一体化导出的默认“元”读入')
  moneyUnit ??= '元'
  const titleYear = YEAR.exec(title)?.[1]
  if (titleYear && options.year !== undefined && Number(titleYear) !== options.year) {
    report.problem('year_mismatch', 'warning', `标题“${title}”写的是 ${titleYear} 年度，导入年度为 ${options.year}：按导入年度保存`, titleRef)
  }
  const year = options.year ?? (titleYear ? Number(titleYear) : new Date().getFullYear())

  // rows: projects, department subtotal rows, the end of the data
  const pCol = col('projectName')!
  const uCol = col('unit')
  const indicatorCols = heading.halves.flatMap((h) => Object.values(h.columns).flatMap((c) => c!.cols))
  /** indicator cells with content of their own (not a label row merged across the sheet) */
  const hasIndicator = (r: number, first: GridCell) => indicatorCols.some((c) => {
    const cell = cellAt(grid, r, c)
    return cell !== undefined && cell !== first && cell.text !== ''
  })
  const mergedDown = new Set<GridCell>()
  for (const m of grid.merges) if (m.endRow > m.startRow) { const top = grid.rows[m.startRow]?.[m.startColumn]; if (top) mergedDown.add(top) }
  const projects: Project[] = []
  let current: Project | null = null
  let dept: { text: string; ref: string; total?: Amount; projects: Project[]; ref2?: string } | undefined
  const depts: NonNullable<typeof dept>[] = []
  let dataEnd = grid.rows.length
  const level3Cols = heading.halves.flatMap((h) => h.columns.level3?.cols ?? [])
  const ownLevel3 = (r: number) => level3Cols.some((c) => {
    const own = grid.rows[r]?.[c]
    return own !== undefined && !own.master && own.text !== ''
  })
  const repeatedHeadings: number[] = []
  let afterBreak = false
  for (let r = heading.dataRow; r < grid.rows.length; r++) {
    const first = grid.rows[r]!.map((_, c) => cellAt(grid, r, c)!).find((c) => c.text !== '')
    if (!first) continue
    if (isFlatHeading(grid, r)) {
      // the heading printed again after a page break: not data, the project goes on
      repeatedHeadings.push(r)
      afterBreak = true
      continue
    }
    // 审核意见 / 填报人 / 注： rows close the data (a project named 总分馆建设 has its own 三级 cells)
    if ((isClosingLabel(first.text) || signatureField(first.text)) && !ownLevel3(r)) { dataEnd = r; break }
    const nameCell = cellAt(grid, r, pCol)!
    const unitCell = uCol === undefined ? undefined : cellAt(grid, r, uCol)
    if (!hasIndicator(r, first) && (nameCell.text === '' || nameCell === unitCell || TOTAL.test(foldLabel(nameCell.text)))) {
      // a department subtotal row (820-XX镇部门, 预算数 = Σ projects) or 合计
      if (current) { current.endRow = r; current = null }
      const bCol = col('budget')
      const total = bCol === undefined ? undefined : amountOf(cellAt(grid, r, bCol)!, moneyUnit)
      if (TOTAL.test(foldLabel(first.text))) continue
      dept = { text: first.text, ref: first.ref, projects: [], ...(total !== undefined ? { total } : {}) }
      depts.push(dept)
      continue
    }
    const name = nameCell.text
    const unitText = unitCell?.text ?? ''
    const same = current && (name === '' || (name === current.nameCell.text && (nameCell === current.nameCell || !mergedDown.has(current.nameCell) || afterBreak)))
      && (unitText === '' || unitText === (current.unitCell?.text ?? ''))
    afterBreak = false
    if (current && same) continue
    if (current) current.endRow = r
    if (name === '') {
      // indicator rows before any project name: kept in a project without a name, reported
      report.problem('flat_no_project', 'warning', `第 ${r + 1} 行有指标但没有项目名称：单独作为一个未命名项目读入`, nameCell.ref)
    }
    current = { startRow: r, endRow: grid.rows.length, nameCell, ...(unitCell ? { unitCell } : {}), ...(dept ? { dept: { text: dept.text, ref: dept.ref } } : {}) }
    projects.push(current)
    dept?.projects.push(current)
  }
  if (current) current.endRow = Math.min(current.endRow, dataEnd)

  // signature rows and notes under the data: shared by every project of the sheet
  const signature: Partial<Record<'reviewOpinion' | 'preparer' | 'phone' | 'unitLeader' | 'fillDate', string>> = {}
  for (let r = dataEnd; r < grid.rows.length; r++) {
    const cells = grid.rows[r]!.filter((c) => !c.master && c.text !== '')
    for (let i = 0; i < cells.length; i++) {
      const f = signatureField(cells[i]!.text)
      if (f) {
        const next = cells[i + 1]
        if (next && !signatureField(next.text)) { signature[f] = next.text; i++ }
        continue
      }
      report.unplace(cells[i]!.ref, cells[i]!.text, '表格下方的文字，不属于任何项目')
    }
  }

  const lastCol = columnLetters(heading.endColumn)
  const ignore = lead.map((l) => l.col)
  const tables: FlatTable[] = []
  for (const p of projects) {
    const rep = new ReportBuilder(grid.name)
    const framework = frameworkOf(grid, heading, p)
    const { indicators } = readIndicators(grid, heading, rep, {
      framework, startRow: p.startRow, endRow: p.endRow, ignoreColumns: ignore, skipRows: repeatedHeadings, year,
    })
    const header: ProjectTable['header'] = { projectName: p.nameCell.text }
    const field = (f: LeadField) => (col(f) === undefined ? undefined : cellAt(grid, p.startRow, col(f)!)!)
    const unit = field('unit')
    if (unit && unit.text !== '') {
      const cn = parseCodeName(unit.text)
      header.implementingUnit = cn
      if (cn.code) rep.normalise(unit.ref, 'header.implementingUnit', unit.text, cn, `单位名称拆分为代码“${cn.code}”和名称“${cn.name}”`)
    }
    const deptCell = field('dept')
    const deptText = deptCell?.text || p.dept?.text || ''
    if (deptText) {
      const cn = parseCodeName(deptText)
      header.competentDept = cn
      rep.normalise(deptCell?.text ? deptCell.ref : p.dept!.ref, 'header.competentDept', deptText, cn, deptCell?.text ? '主管部门取自部门列' : '主管部门取自部门合计行')
    }
    for (const [k, v] of Object.entries(signature)) (header as Record<string, unknown>)[k] = v
    const budget = field('budget')
    const total = budget ? amountOf(budget, moneyUnit, rep, 'funds.annual.total') : null
    const goal = field('annualGoal')
    // project cells repeated on later rows with other content: kept unplaced
    for (const l of lead) {
      const firstCell = cellAt(grid, p.startRow, l.col)!
      for (let r = p.startRow + 1; r < p.endRow; r++) {
        if (repeatedHeadings.includes(r)) continue
        const c = grid.rows[r]![l.col]!
        if (c.master || c.text === '' || c.text === firstCell.text) continue
        rep.unplace(c.ref, c.text, `同一项目的“${l.label}”与首行（${firstCell.ref}）不同，按首行读入`)
      }
    }
    const content = {
      kind: 'project' as const,
      template: 'yth-flat' as const,
      framework,
      year,
      moneyUnit,
      header,
      funds: { midTerm: null, annual: { total: total ?? null, fiscal: null, other: null } },
      annualGoal: goal?.text ?? '',
      indicators,
    }
    const parsed = parseTable(content)
    if (!parsed.ok) {
      report.problem('invalid_table', 'error', `项目“${header.projectName}”（第 ${p.startRow + 1}–${p.endRow} 行）无法保存：${parsed.problems.map((x) => x.message).join('；')}`, p.nameCell.ref)
      continue
    }
    tables.push({
      content: parsed.table,
      range: `${columnLetters(heading.startColumn)}${p.startRow + 1}:${lastCol}${p.endRow}`,
      title: header.projectName || `未命名项目（第 ${p.startRow + 1} 行）`,
      report: rep,
    })
  }

  // department subtotal rows: Σ of their projects' 预算数
  for (const d of depts) {
    if (d.total === undefined || d.total === null || d.projects.length === 0) continue
    const want = parseAmount(d.total, moneyUnit)
    if (!want.ok) continue
    let sum = 0n
    for (const p of d.projects) {
      const b = col('budget')
      const got = parseAmount(amountOf(cellAt(grid, p.startRow, b!)!, moneyUnit) ?? null, moneyUnit)
      if (got.ok) sum += got.micro
    }
    if (sum !== want.micro) {
      report.problem('subtotal_mismatch', 'warning', `部门合计行“${d.text}”的预算数与其下 ${d.projects.length} 个项目的预算数之和不等`, d.ref)
    }
  }
  return { tables }
}

/** 成本指标 as a 一级 marks the 2021 framework. */
function frameworkOf(grid: SheetGrid, heading: IndicatorHeading, p: Project): FrameworkId {
  if (heading.level1Col === null) return 'mof2015'
  for (let r = p.startRow; r < p.endRow; r++) {
    if (normaliseLevel1(cellAt(grid, r, heading.level1Col)?.text ?? '').startsWith('成本指标')) return 'mof2021'
  }
  return 'mof2015'
}

/** A 预算数 cell → the stored amount (in the sheet's unit); text that is no amount is kept as typed and reported. */
function amountOf(cell: GridCell, moneyUnit: string, report?: ReportBuilder, field?: string): Amount | undefined {
  if (cell.error) return null // the workbook reader reports error values
  if (typeof cell.value === 'number') return cell.value
  if (cell.text === '') return null
  const v = parseAmountInput(cell.text, moneyUnit)
  if (typeof v === 'number') {
    if (report && field && String(v) !== cell.text) report.normalise(cell.ref, field, cell.text, v, '预算数按数字读入')
    return v
  }
  if (report && v !== null && field) report.problem('amount_text', 'warning', `预算数“${cell.text}”不是金额，按原文保留`, cell.ref)
  return v
}
