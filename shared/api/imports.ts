// Imports (CONTRACT.md → HTTP API): tables from xlsx, validation of an xlsx, the project registry
// (项目统计表, tables.md §10) and the department list. One report shape for every import: what was read,
// every normalisation, every cell that could not be placed (kept, never dropped), every problem.
import { z } from 'zod'
import { TEMPLATE_IDS } from '../model/index.ts'
import { TABLE_KINDS } from './constants.ts'
import { findingCounts } from './tables.ts'
import { DEPARTMENT_KINDS } from './directory.ts'

/** Upload limits: checked before any parsing (the body limit answers 413 above MAX_IMPORT_BYTES). */
export const MAX_IMPORT_BYTES = 10 * 1024 * 1024
/** uncompressed size of all parts of the workbook (a zip bomb is refused before it is inflated) */
export const MAX_IMPORT_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
/** cells with content over all sheets */
export const MAX_IMPORT_CELLS = 1_000_000
/** tables one import may create */
export const MAX_IMPORT_TABLES = 500

/** One value the importer changed on its way in: where, which field, what was typed, what is stored. */
export const importNormalisation = z.object({
  /** A1 reference in the sheet (the table report names the sheet) */
  cell: z.string(),
  /** where it went, in the finding path syntax (`header.projectName`, `indicators[3].target`) */
  field: z.string(),
  /** the cell's text as typed */
  from: z.string(),
  /** what is stored (a string, a number, or an object such as {comparator,target,unit}) */
  to: z.unknown(),
  /** Chinese, e.g. 拆分比较符、指标值与单位 */
  note: z.string(),
})
export type ImportNormalisation = z.infer<typeof importNormalisation>

/** A cell with content the importer could not place in the form: kept in the table's `unplaced` list. */
export const importUnplaced = z.object({
  cell: z.string(),
  text: z.string(),
  /** Chinese: why it could not be placed */
  reason: z.string(),
})
export type ImportUnplaced = z.infer<typeof importUnplaced>

/** A problem that is not about one table: an unreadable sheet, a formula error, a skipped row. */
export const importProblem = z.object({
  sheet: z.string().optional(),
  cell: z.string().optional(),
  /** stable: `no_table`, `formula_error`, `hidden_skipped`, `too_many_rows`, `unknown_department`, … */
  code: z.string(),
  severity: z.enum(['error', 'warning', 'info']),
  message: z.string(),
})
export type ImportProblem = z.infer<typeof importProblem>

export const importTableReport = z.object({
  sheet: z.string(),
  /** the cells the table was read from, e.g. `A1:H42` */
  range: z.string(),
  title: z.string(),
  kind: z.enum(TABLE_KINDS),
  template: z.enum(TEMPLATE_IDS),
  /** the layout recognised, in Chinese (e.g. 项目支出绩效目标申报表（中期+年度）, 一体化导出（平铺）) */
  layout: z.string(),
  rows: z.object({ indicators: z.number().int(), tasks: z.number().int() }),
  normalisations: z.array(importNormalisation),
  unplaced: z.array(importUnplaced),
  findings: findingCounts,
})
export type ImportTableReport = z.infer<typeof importTableReport>

export const importReport = z.object({
  file: z.string(),
  sheets: z.array(z.object({ name: z.string(), tables: z.number().int(), skipped: z.string().optional() })),
  tables: z.array(importTableReport),
  problems: z.array(importProblem),
})
export type ImportReport = z.infer<typeof importReport>

// ---- POST /api/tables/import ---------------------------------------------------

/** multipart fields beside `file` (strings, as a form sends them) */
export const tableImportFields = z.object({
  departmentId: z.string({ error: '部门（departmentId）必填' }).min(1, { error: '部门（departmentId）必填' }),
  year: z.coerce.number({ error: '年度（year）必须是数字' }).int({ error: '年度（year）必须是整数' })
    .min(2000, { error: '年度（year）不能早于 2000' }).max(2100, { error: '年度（year）不能晚于 2100' }),
})
export type TableImportFields = z.infer<typeof tableImportFields>

export const importedTable = z.object({
  /** absent in a dry run */
  id: z.string().optional(),
  title: z.string(),
  kind: z.enum(TABLE_KINDS),
  template: z.enum(TEMPLATE_IDS),
  year: z.number().int(),
  departmentId: z.string(),
  findings: findingCounts,
  /** the table content as it is (or would be) stored */
  content: z.unknown(),
})
export type ImportedTable = z.infer<typeof importedTable>

export const tableImportAnswer = z.object({ dryRun: z.boolean(), tables: z.array(importedTable), report: importReport })
export type TableImportAnswer = z.infer<typeof tableImportAnswer>

/** POST /api/validate with a multipart xlsx `file` */
export const validateXlsxAnswer = z.object({
  tables: z.array(z.object({ title: z.string(), sheet: z.string(), findings: z.array(z.unknown()) })),
  report: importReport,
})
export type ValidateXlsxAnswer = z.infer<typeof validateXlsxAnswer>

// ---- the department list: POST /api/departments/import ---------------------------

export const departmentImportAnswer = z.object({
  dryRun: z.boolean(),
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  departments: z.array(z.object({ code: z.string(), name: z.string(), kind: z.enum(DEPARTMENT_KINDS), parentCode: z.string().nullable(), action: z.enum(['created', 'updated', 'unchanged']) })),
  report: z.object({ problems: z.array(importProblem) }),
})
export type DepartmentImportAnswer = z.infer<typeof departmentImportAnswer>
