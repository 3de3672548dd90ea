// Export of one table or several (xlsx / PDF in the official layout) and the compiled book (汇编成册),
// a durable background job. Glossary: compilation, edition (公开版 public / 内部版 internal).
import { z } from 'zod'
import { isoTime } from './common.ts'
// plain values live in constants.ts so pages can use them without bundling zod
import { TABLE_KINDS, EDITION_LABELS, EDITIONS, EXPORT_FORMATS, FORMAT_LABELS, JOB_STATUS_LABELS, JOB_STATUSES, MAX_BOOK_TABLES, MAX_ZIP_TABLES, type Edition, type ExportFormat, type JobStatus } from './constants.ts'
export { EDITION_LABELS, EDITIONS, EXPORT_FORMATS, FORMAT_LABELS, JOB_STATUS_LABELS, JOB_STATUSES, MAX_BOOK_TABLES, MAX_ZIP_TABLES, type Edition, type ExportFormat, type JobStatus }

const format = z.enum(EXPORT_FORMATS, { error: '格式（format）只能是 xlsx 或 pdf' })
const edition = z.enum(EDITIONS, { error: '版本类型（edition）只能是 internal（内部版）或 public（公开版）' })

/** `GET /api/tables/:id/export?format=&version=&edition=`: no version → the live content (a draft says 草稿) */
export const exportQuery = z.object({
  format,
  version: z.coerce
    .number({ error: '版本（version）必须是数字' })
    .int({ error: '版本（version）必须是整数' })
    .min(1, { error: '版本（version）至少为 1' })
    .optional(),
  edition: edition.default('internal'),
})
export type ExportQuery = z.infer<typeof exportQuery>

/** `POST /api/tables/export`: several tables in one zip, each at its latest approved version or live content */
export const zipExportBody = z.object({
  tableIds: z
    .array(z.string().min(1), { error: '表编号列表（tableIds）必须是数组' })
    .min(1, { error: '请至少选择一张表（tableIds）' })
    .max(MAX_ZIP_TABLES, { error: `一次最多导出 ${MAX_ZIP_TABLES} 张表（tableIds）；更多请用汇编成册` }),
  format,
  edition: edition.default('internal'),
})
export type ZipExportBody = z.infer<typeof zipExportBody>

// ---- the compiled book ---------------------------------------------------------------

export const compilationBody = z.object({
  year: z.number({ error: '年度（year）必须是数字' }).int({ error: '年度（year）必须是整数' }).min(2000, { error: '年度（year）不能早于 2000' }).max(2100, { error: '年度（year）不能晚于 2100' }),
  /** omitted → every department */
  departmentIds: z.array(z.string().min(1), { error: '部门列表（departmentIds）必须是数组' }).min(1, { error: '部门列表（departmentIds）不能为空；全部部门请不传' }).optional(),
  /** omitted → both kinds */
  kinds: z.array(z.enum(TABLE_KINDS, { error: '表类型（kinds）只能是 project 或 department' })).min(1, { error: '表类型（kinds）不能为空；全部类型请不传' }).optional(),
  format,
  edition,
  /** the book's title on its cover; default `<year>年度预算绩效目标表汇编` */
  title: z.string().max(100, { error: '书名（title）不能超过 100 字' }).optional(),
})
export type CompilationBody = z.infer<typeof compilationBody>

export const compilationFailure = z.object({ tableId: z.string(), title: z.string(), reason: z.string() })
export type CompilationFailure = z.infer<typeof compilationFailure>

export const compilationStatus = z.object({
  jobId: z.string(),
  status: z.enum(JOB_STATUSES),
  done: z.number().int(),
  total: z.number().int(),
  failures: z.array(compilationFailure),
  /** estimated seconds left while running, from the rate so far; null when unknown */
  etaSeconds: z.number().nullable(),
  params: compilationBody,
  /** why the job failed or was cancelled */
  error: z.string().nullable(),
  /** the file, once done */
  file: z.object({ name: z.string(), bytes: z.number().int(), tables: z.number().int() }).nullable(),
  createdBy: z.string().nullable(),
  createdByName: z.string().nullable(),
  createdAt: isoTime,
  startedAt: isoTime.nullable(),
  finishedAt: isoTime.nullable(),
})
export type CompilationStatus = z.infer<typeof compilationStatus>

export const compilationAccepted = z.object({ jobId: z.string(), total: z.number().int() })
export type CompilationAccepted = z.infer<typeof compilationAccepted>

export const compilationList = z.object({ compilations: z.array(compilationStatus) })
export type CompilationList = z.infer<typeof compilationList>
