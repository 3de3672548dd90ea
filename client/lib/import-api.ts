// Typed calls of the xlsx imports (shared/api/imports.ts, type-only imports: no zod in the bundle): tables
// into a department and year, and the department list. Each is sent once with `dryRun=1` for the preview,
// then again without it to store; the server's refusals come back as ApiError with its Chinese message.
import type { z } from 'zod'
import type { DepartmentImportAnswer, TableImportAnswer, tableImportFields } from '../../shared/api/imports.ts'
import { api } from './api.ts'

/** The multipart fields beside `file`, as the contract names them. */
export type TableImportInput = z.input<typeof tableImportFields>

function upload(file: File, fields: Record<string, string> = {}): FormData {
  const form = new FormData()
  form.set('file', file, file.name)
  for (const [k, v] of Object.entries(fields)) form.set(k, v)
  return form
}

const dry = (dryRun: boolean) => (dryRun ? '?dryRun=1' : '')

/** POST /api/tables/import: the tables of one workbook, previewed (dryRun) or stored. */
export function importTables(file: File, input: TableImportInput, dryRun: boolean, signal?: AbortSignal): Promise<TableImportAnswer> {
  const fields: Record<string, string> = { departmentId: input.departmentId, year: String(input.year) }
  return api<TableImportAnswer>(`/api/tables/import${dry(dryRun)}`, { method: 'POST', body: upload(file, fields), signal })
}

/** POST /api/departments/import (finance): the department list, previewed (dryRun) or stored. */
export function importDepartments(file: File, dryRun: boolean, signal?: AbortSignal): Promise<DepartmentImportAnswer> {
  return api<DepartmentImportAnswer>(`/api/departments/import${dry(dryRun)}`, { method: 'POST', body: upload(file), signal })
}

/** The files of a drop or a file input worth sending: Excel workbooks by name (the server judges the content). */
export function spreadsheetsOf(files: Iterable<File>): { accepted: File[]; ignored: File[] } {
  const accepted: File[] = []
  const ignored: File[] = []
  for (const f of files) (/\.(xlsx|xlsm|xls)$/i.test(f.name) ? accepted : ignored).push(f)
  return { accepted, ignored }
}

/** A value the importer stored, for people: text as is, {comparator,target,unit} as `≥ 95 %`-like parts. */
export function shownValue(v: unknown): string {
  if (v === null || v === undefined || v === '') return '（空）'
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v)
  if (Array.isArray(v)) return v.map(shownValue).join('；')
  if (typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${VALUE_PARTS[k] ?? k}：${shownValue(x)}`)
      .join('，')
  }
  return String(v)
}

const VALUE_PARTS: Record<string, string> = {
  comparator: '比较符', target: '指标值', unit: '单位', value: '值', code: '代码', name: '名称',
  start: '开始', end: '结束', years: '年数', total: '合计', fiscal: '财政资金', other: '其他资金',
}
