// The library in and out of Excel, and its versions per budget year.
// CONTRACT.md → `GET /api/indicators/export?format=xlsx` and `POST /api/indicators/import` (finance): one row
// per indicator, the same columns both ways (LIBRARY_COLUMNS), so an exported file imports back unchanged.
// Here also `GET/POST /api/indicators/versions` (指标库版本: read signed in; publish finance) and
// `GET /api/indicators/export?format=xlsx&version=<id>` for a published version.
import { z } from 'zod'
import { isoTime } from './common.ts'

/** Columns of the library workbook, in order. `key` names the IndicatorEntry field; labels are the headings. */
export const LIBRARY_COLUMNS = [
  { key: 'id', label: '指标编号' },
  { key: 'level1', label: '一级指标' },
  { key: 'level2', label: '二级指标' },
  { key: 'level3', label: '三级指标' },
  { key: 'explanation', label: '指标解释' },
  { key: 'formula', label: '计算方法' },
  { key: 'comparator', label: '比较符' },
  { key: 'typicalValue', label: '指标值' },
  { key: 'unit', label: '度量单位' },
  { key: 'basis', label: '指标值设定依据' },
  { key: 'dataSource', label: '数据来源' },
  /** 共性指标 / 个性指标 */
  { key: 'scope', label: '指标范围' },
  /** 功能分类 codes joined by 、 (`*` = every class) */
  { key: 'functionalClasses', label: '适用功能分类' },
  /** joined by 、 */
  { key: 'projectTypes', label: '适用项目类型' },
  { key: 'alt2021.level1', label: '2021版一级指标' },
  { key: 'alt2021.level2', label: '2021版二级指标' },
  /** the department's name ('' = the whole bureau's) */
  { key: 'departmentId', label: '所属部门' },
  /** ★ or blank */
  { key: 'core', label: '核心指标' },
] as const
export type LibraryColumnKey = (typeof LIBRARY_COLUMNS)[number]['key']
/** the sheet the export writes and the import reads first (else the first visible sheet) */
export const LIBRARY_SHEET = '指标库'
/** the most data rows one import reads (more: refused whole, naming the count) */
export const MAX_LIBRARY_IMPORT_ROWS = 100_000

export const exportQuery = z.object({
  format: z.enum(['xlsx'], { error: '格式（format）应为 xlsx' }).default('xlsx'),
  /** a published version's id (GET /api/indicators/versions); absent: the library as it is now */
  version: z.coerce.number({ error: '版本（version）必须是数字' }).int().min(1).optional(),
})

/** Why a row was not imported; each is all or nothing for its row. */
export const LIBRARY_ROW_PROBLEMS = [
  /** a required column is blank (一级/二级/三级指标, 比较符, 指标范围) */
  'required',
  /** a value is not one the column allows (比较符, 指标范围, 核心指标, text too long) */
  'invalid_value',
  /** a 功能分类 code not in the functional classification */
  'unknown_class',
  /** 所属部门 names no department */
  'unknown_department',
  /** the same 一级/二级/三级 (and department) as an earlier row of the file */
  'duplicate_in_file',
  /** the same 一级/二级/三级 (and department) as another library entry (without a matching 指标编号) */
  'duplicate_in_library',
  /** a formula cell with no value Excel computed */
  'formula',
] as const
export type LibraryRowProblem = (typeof LIBRARY_ROW_PROBLEMS)[number]

export const libraryImportRejection = z.object({
  /** the 1-based row of the sheet */
  row: z.number().int(),
  /** the column heading (LIBRARY_COLUMNS label) when one column is at fault */
  column: z.string().nullable(),
  problem: z.enum(LIBRARY_ROW_PROBLEMS),
  /** in Chinese, naming the value: 第 12 行 适用功能分类“20999”不在功能分类科目中 */
  message: z.string(),
})
export type LibraryImportRejection = z.infer<typeof libraryImportRejection>

/** POST /api/indicators/import (multipart `file`; `?dryRun=1` reports without writing) */
export const libraryImportReport = z.object({
  dryRun: z.boolean(),
  sheet: z.string(),
  /** data rows read (blank rows skipped) */
  rows: z.number().int(),
  /** new entries (rows without 指标编号, or with one the library does not hold) */
  created: z.number().int(),
  /** existing entries changed (each versioned, reason 导入：<file name>) */
  updated: z.number().int(),
  /** rows equal to their entry */
  unchanged: z.number().int(),
  /** every rejected row, in row order (never cut short); each row is imported whole or not at all */
  rejected: z.array(libraryImportRejection),
  /** file-level notes (hidden sheets skipped, columns not recognised …) */
  notes: z.array(z.string()),
})
export type LibraryImportReport = z.infer<typeof libraryImportReport>

// ---- 指标库版本 -------------------------------------------------------------------------------

export const libraryVersion = z.object({
  id: z.number().int(),
  year: z.number().int(),
  /** 1, 2, … within the year */
  version: z.number().int(),
  note: z.string(),
  entryCount: z.number().int(),
  createdBy: z.string().nullable(),
  createdByName: z.string().nullable(),
  createdAt: isoTime,
  /** tables that record this version */
  tableCount: z.number().int(),
})
export type LibraryVersion = z.infer<typeof libraryVersion>

export const libraryVersionsAnswer = z.object({ versions: z.array(libraryVersion) })
export type LibraryVersionsAnswer = z.infer<typeof libraryVersionsAnswer>

export const publishVersionBody = z.object({
  year: z.number({ error: '预算年度（year）必须是数字' }).int().min(2000, { error: '预算年度（year）应在 2000–2100 之间' }).max(2100, { error: '预算年度（year）应在 2000–2100 之间' }),
  note: z.string().trim().max(500, { error: '说明（note）不能超过 500 个字符' }).default(''),
})
export type PublishVersionBody = z.input<typeof publishVersionBody>
