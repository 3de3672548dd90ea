// What one export prints: the version asked for, or — with none — the approved version of an approved
// table and the live content of any other (a draft, which the stamp marks 草稿). Shared by the one-table
// export and the zip of selected tables.
import type { Edition } from '../../shared/api/export.ts'
import { AppError } from '../../shared/errors.ts'
import type { TargetTable } from '../../shared/model/index.ts'
import type { Storage, TableRow } from '../storage/index.ts'
import { readContent, type LiveDocs } from '../tables/documents.ts'
import type { ExportSource } from './document.ts'
import { inEdition } from './edition.ts'

export interface SourceDeps {
  storage: Storage
  live?: LiveDocs
}

/** Refuses a 涉密 table in the public edition, naming it. */
export function assertInEdition(table: Pick<TableRow, 'id' | 'title' | 'classified'>, edition: Edition): void {
  if (!inEdition(table.classified, edition)) {
    throw new AppError('forbidden', `「${table.title || table.id}」为涉密表，不能导出公开版`, { tableId: table.id, edition })
  }
}

export async function loadExportSource(deps: SourceDeps, table: TableRow, q: { version?: number; edition: Edition }): Promise<ExportSource> {
  assertInEdition(table, q.edition)
  const department = await deps.storage.departments.get(table.departmentId)
  const base = {
    tableId: table.id, title: table.title, departmentName: department?.name ?? '', status: table.status, edition: q.edition,
  }
  const wanted = q.version ?? (table.status === 'approved' && table.version > 0 ? table.version : undefined)
  if (wanted === undefined) {
    return { ...base, table: await readContent(deps.storage, deps.live, table.id), version: null }
  }
  const frozen = await deps.storage.versions.get(table.id, wanted)
  if (!frozen) {
    throw new AppError('not_found', `版本 ${wanted} 不存在：该表${table.version > 0 ? `已有第 1–${table.version} 版` : '尚无冻结版本'}`, { field: 'version' })
  }
  return { ...base, table: frozen.content as TargetTable, version: frozen.version, versionReason: frozen.reason, versionAt: frozen.createdAt }
}
