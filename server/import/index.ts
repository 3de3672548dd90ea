// Tables from an xlsx workbook (issue 14; CONTRACT.md → POST /api/tables/import): read the workbook
// safely (workbook.ts), find the tables of each sheet (recognise.ts), read each one — the header by labels
// (project-form.ts / department-form.ts), the indicator grid (indicator-grid.ts), a 一体化 flat sheet
// whole (flat.ts) — keep every cell nobody placed in the table's `unplaced` list, parse the content
// leniently, judge it with the rules, and report per table what was read and changed. Nothing here
// touches storage: the route stores the tables of one import in one transaction.
//
// The budget year: the one the importer is given (`options.year`, the year chosen in the import
// dialog). When the title names another year (（2024年度）) the table is still stored under
// `options.year` and a `year_mismatch` warning says so — the flat reader (flat.ts) does the same.
// Without `options.year` (validating a file: npm run validate, POST /api/validate) each table takes
// the year its title names, else the current year.
import { MAX_IMPORT_TABLES, type ImportProblem, type ImportReport, type ImportTableReport } from '../../shared/api/imports.ts'
import { AppError } from '../../shared/errors.ts'
import {
  LIMITS, TEMPLATES, newId, normaliseLevel1, parseTable,
  type FrameworkId, type IndicatorRow, type TargetTable,
} from '../../shared/model/index.ts'
import { validateTable } from '../../shared/rules/index.ts'
import { countFindings } from '../../shared/ydoc/findings-message.ts'
import { cellAt, type SheetGrid } from './grid.ts'
import { readWorkbook } from './workbook.ts'
import { ReportBuilder } from './report.ts'
import { readFlatSheet } from './flat.ts'
import { readIndicators, type IndicatorHeading } from './indicator-grid.ts'
import { FormReader } from './form-reader.ts'
import { readProjectForm } from './project-form.ts'
import { readDepartmentForm } from './department-form.ts'
import { NOTE_REASON, noteRows, readTitleArea, recogniseSheet, type RecognisedTable } from './recognise.ts'

/** One table read from the workbook, as it would be stored. */
export interface ImportedContent {
  content: TargetTable
  sheet: string
  /** the cells it was read from, e.g. `A1:H42` */
  range: string
  /** its title as listed: the 项目名称 / 部门名称, else the sheet and row */
  title: string
}

export interface ImportOptions {
  /** the uploaded file's name (messages and the report) */
  fileName: string
  /** the budget year the tables are imported into; absent: the title's year, else the current year */
  year?: number
}

export interface ImportResult {
  tables: ImportedContent[]
  report: ImportReport
}

/** Reads every table of an xlsx workbook. Throws AppError when the file cannot be read or holds no table. */
export async function importWorkbook(data: Uint8Array, options: ImportOptions): Promise<ImportResult> {
  const { sheets, problems } = await readWorkbook(data, { fileName: options.fileName })
  return importSheets(sheets, options, problems)
}

/** The same from sheets already read (tests build them with gridFromRows). */
export function importSheets(sheets: readonly SheetGrid[], options: ImportOptions, readProblems: readonly ImportProblem[] = []): ImportResult {
  const problems: ImportProblem[] = [...readProblems]
  const report: ImportReport = { file: options.fileName, sheets: [], tables: [], problems }
  const tables: ImportedContent[] = []
  const count = () => {
    if (tables.length > MAX_IMPORT_TABLES) {
      throw new AppError('invalid_input', `文件“${options.fileName}”中的表格超过单次导入上限 ${MAX_IMPORT_TABLES} 张，请分成几个文件导入`, {
        field: 'file', reason: 'too_many_tables', limit: MAX_IMPORT_TABLES,
      })
    }
  }

  for (const grid of sheets) {
    const found = recogniseSheet(grid)
    if (found.kind === 'none') {
      const empty = found.reason === '空工作表'
      report.sheets.push({ name: grid.name, tables: 0, skipped: found.reason })
      problems.push({
        sheet: grid.name, code: 'no_table', severity: empty ? 'info' : 'warning',
        message: empty ? `工作表“${grid.name}”是空的，已跳过` : `工作表“${grid.name}”中没有找到绩效目标表（${found.reason}），已跳过`,
      })
      continue
    }
    const before = tables.length
    if (found.kind === 'flat') {
      const sheetReport = new ReportBuilder(grid.name)
      const flat = readFlatSheet(grid, sheetReport, { ...(options.year !== undefined ? { year: options.year } : {}) })
      problems.push(...sheetReport.problems)
      flat.tables.forEach((t, i) => {
        // what belongs to the sheet rather than to a project (title area, rows under the data) stays with the first table
        if (i === 0) t.report.unplaced.unshift(...sheetReport.unplaced)
        finish(t.content, t.report, { sheet: grid.name, range: t.range, title: t.title, layout: '一体化系统导出（平铺，一表多项目）' }, tables, report)
        count()
      })
      if (flat.tables.length === 0 && sheetReport.unplaced.length) {
        problems.push({ sheet: grid.name, code: 'no_table', severity: 'warning', message: `工作表“${grid.name}”的一体化平铺表中没有可读入的项目` })
      }
    } else {
      for (const t of found.tables) {
        const built = readForm(grid, t, options)
        finish(built.content, built.report, { sheet: grid.name, range: t.range, title: t.title, layout: t.layout }, tables, report)
        count()
      }
    }
    report.sheets.push({ name: grid.name, tables: tables.length - before })
  }
  if (tables.length === 0) {
    const refused = problems.find((p) => p.code === 'invalid_table')
    throw new AppError('invalid_input', refused
      ? `文件“${options.fileName}”中的表格无法导入：${refused.message}`
      : `文件“${options.fileName}”中没有找到可以导入的绩效目标表：请确认表格含有“项目名称”或“部门（单位）名称”栏目，以及一级/二级/三级指标的列标题`, {
      field: 'file', reason: 'no_table', report,
    })
  }
  return { tables, report }
}

// ---- one form ------------------------------------------------------------------------

function rowsBetween(from: number, to: number): number[] {
  const out: number[] = []
  for (let r = from; r <= to; r++) out.push(r)
  return out
}

/** 成本指标 as a 一级 anywhere in the grid marks the 2021 framework (tables.md §3). */
function frameworkFor(grid: SheetGrid, t: RecognisedTable, report: ReportBuilder): FrameworkId {
  const own = TEMPLATES[t.template].framework
  const h = t.heading
  if (own === 'mof2021' || !h || h.level1Col === null) return own
  for (let r = h.dataRow; r <= t.endRow; r++) {
    const cell = cellAt(grid, r, h.level1Col)
    if (cell && normaliseLevel1(cell.text).startsWith('成本指标')) {
      report.normalise(cell.ref, 'framework', cell.text, 'mof2021', '一级指标中有“成本指标”，按 2021 年指标框架（mof2021）读入')
      return 'mof2021'
    }
  }
  return own
}

function readForm(grid: SheetGrid, t: RecognisedTable, options: ImportOptions): { content: Record<string, unknown>; report: ReportBuilder } {
  const report = new ReportBuilder(grid.name)
  const template = TEMPLATES[t.template]
  if (t.closest) report.problem('closest_template', 'info', t.closest, grid.rows[t.formRow]?.[0]?.ref)

  // money unit and year
  const moneyUnit = t.moneyUnit?.unit ?? template.moneyUnit
  if (t.moneyUnit) report.normalise(t.moneyUnit.ref, 'moneyUnit', t.moneyUnit.text, moneyUnit, `金额单位：${moneyUnit}（取自表头）`)
  else report.problem('money_unit_default', 'info', `表格未写明金额单位，按表样默认“${moneyUnit}”读入`)
  for (const u of t.otherUnits) {
    report.problem('money_unit_conflict', 'warning', `单元格 ${u.ref} 写“${u.text}”，与 ${t.moneyUnit!.ref} 的“${t.moneyUnit!.unit}”不一致：按“${t.moneyUnit!.unit}”读入`, u.ref)
  }
  if (t.year && options.year !== undefined && t.year.year !== options.year) {
    report.problem('year_mismatch', 'warning', `标题“${t.year.text}”写的是 ${t.year.year} 年度，导入年度为 ${options.year}：按导入年度保存`, t.year.ref)
  }
  const year = options.year ?? t.year?.year ?? new Date().getFullYear()

  const reader = new FormReader(grid, report, moneyUnit)
  readTitleArea(reader, t.titleRows)

  // the indicator grid
  const framework = frameworkFor(grid, t, report)
  let indicators: IndicatorRow[] = []
  let gridEnd = t.endRow + 1
  const heading: IndicatorHeading | null = t.heading
  if (!heading) {
    report.problem('no_indicator_grid', 'warning', `工作表“${grid.name}”第 ${t.formRow + 1} 行起的表格没有找到绩效指标的列标题（一级指标、二级指标、三级指标），只读入了表头`, grid.rows[t.formRow]?.[0]?.ref)
  } else {
    const read = readIndicators(grid, heading, report, { framework, endRow: t.endRow + 1, year })
    indicators = read.indicators
    gridEnd = read.endRow
  }
  // the form's own rows: above the grid, and under it (review and signature rows); notes apart
  const headerRows = rowsBetween(t.formRow, (heading ? heading.firstRow : t.endRow + 1) - 1)
  const trailer = heading ? rowsBetween(gridEnd, t.endRow) : []
  const notes = new Set(noteRows(grid, [...headerRows, ...trailer]))
  for (const r of notes) reader.unplaceRest([r], NOTE_REASON)
  const formRows = [...headerRows, ...trailer].filter((r) => !notes.has(r))

  const common = {
    template: t.template, framework, year, moneyUnit,
  }
  let content: Record<string, unknown>
  if (t.kind === 'department') {
    const f = readDepartmentForm(reader, formRows)
    reader.unplaceRest(formRows)
    content = { kind: 'department', ...common, header: f.header, tasks: f.tasks, taskTotals: f.taskTotals, annualGoal: f.annualGoal, indicators }
  } else {
    const f = readProjectForm(reader, formRows)
    reader.unplaceRest(formRows)
    content = {
      kind: 'project', ...common, header: f.header, funds: f.funds,
      ...(f.midTermGoal !== undefined || template.hasMidTerm ? { midTermGoal: f.midTermGoal ?? '' } : {}),
      annualGoal: f.annualGoal, indicators,
    }
  }
  return { content, report }
}

// ---- every table: unplaced kept, parsed, judged, reported ---------------------------------

interface Meta { sheet: string; range: string; title: string; layout: string }

function finish(raw: TargetTable | Record<string, unknown>, rep: ReportBuilder, meta: Meta, tables: ImportedContent[], report: ImportReport): void {
  let unplaced = rep.unplaced.map((u) => ({ id: newId('u'), cell: u.cell, text: u.text, sheet: meta.sheet, reason: u.reason }))
  if (unplaced.length > LIMITS.auxRows) {
    // the table holds at most LIMITS.auxRows of them; the report lists every one
    const rest = unplaced.length - (LIMITS.auxRows - 1)
    unplaced = [...unplaced.slice(0, LIMITS.auxRows - 1), { id: newId('u'), cell: '', text: `另有 ${rest} 个未放置的单元格，见导入报告`, sheet: meta.sheet, reason: '未放置的单元格过多' }]
    rep.problem('too_many_unplaced', 'warning', `有 ${rep.unplaced.length} 个单元格未能放置，表中保留前 ${LIMITS.auxRows - 1} 个，其余见导入报告`)
  }
  const content: Record<string, unknown> = { ...(raw as Record<string, unknown>), ...(unplaced.length ? { unplaced } : {}) }
  const parsed = parseTable(content)
  const name = String((content.header as { projectName?: string; deptName?: string } | undefined)?.projectName
    ?? (content.header as { deptName?: string } | undefined)?.deptName ?? '')
  const title = name || `${meta.title || '未命名表格'}（${meta.sheet} ${meta.range}）`
  report.problems.push(...rep.problems)
  if (!parsed.ok) {
    report.problems.push({
      sheet: meta.sheet, code: 'invalid_table', severity: 'error',
      message: `“${title}”（${meta.range}）无法作为绩效目标表保存：${parsed.problems.slice(0, 5).map((p) => p.message).join('；')}`,
    })
    return
  }
  const table = parsed.table
  const entry: ImportTableReport = {
    sheet: meta.sheet,
    range: meta.range,
    title,
    kind: table.kind,
    template: table.template,
    layout: meta.layout,
    rows: { indicators: table.indicators.length, tasks: table.kind === 'department' ? table.tasks.length : 0 },
    normalisations: rep.normalisations,
    unplaced: rep.unplaced,
    findings: countFindings(validateTable(table)),
  }
  report.tables.push(entry)
  tables.push({ content: table, sheet: meta.sheet, range: meta.range, title })
}

