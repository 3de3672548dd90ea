// Creating tables: one path for the 新建 dialog, the xlsx import and the registry, so every new table
// gets its row, its first document update (the content) and its audit entry the same way. Call it
// inside storage.transaction so a batch is stored whole or not at all.
import type { TargetTable } from '../../shared/model/index.ts'
import type { Storage, TableRow } from '../storage/index.ts'
import { initialUpdate } from './documents.ts'

export interface TableToCreate {
  content: TargetTable
  departmentId: string
  title: string
  classified?: boolean
  /** why it was created, kept in the audit entry (e.g. {source:'import', file, sheet}) */
  origin?: Record<string, unknown>
  /** 年度结转: the approved table of the year before this one is carried from */
  rolledFromId?: string
}

/** The title a table gets when none is given: its 项目名称 or 部门名称. */
export function titleOf(content: TargetTable): string {
  return content.kind === 'project' ? (content.header.projectName ?? '') : (content.header.deptName ?? '')
}

/** Stores each table with its content; `storage` should be a transaction's. */
export async function createTables(storage: Storage, userId: string, items: readonly TableToCreate[]): Promise<TableRow[]> {
  const rows: TableRow[] = []
  for (const item of items) {
    const { content } = item
    const created = await storage.tables.create({
      kind: content.kind, template: content.template, year: content.year, departmentId: item.departmentId,
      title: item.title, classified: item.classified ?? false, createdBy: userId,
      ...(item.rolledFromId ? { rolledFromId: item.rolledFromId } : {}),
    })
    await storage.docLog.appendUpdates(created.id, 'table', [{ update: initialUpdate(content), userId }])
    await storage.audit.record({
      userId, action: 'table.create', tableId: created.id,
      details: { template: content.template, year: content.year, ...(item.origin ?? {}) },
    })
    rows.push(created)
  }
  return rows
}
