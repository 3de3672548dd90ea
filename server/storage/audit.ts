// The audit trail: append-only records of who did what to which table, read newest first.
import { and, desc, eq, inArray, lt, or, type SQL } from 'drizzle-orm'
import type { Db } from '../db/open.ts'
import { auditLog, targetTables, userDepartments } from '../db/schema.ts'
import { parseInput, requiredText } from './input.ts'

export type AuditEntry = typeof auditLog.$inferSelect

export interface NewAuditEntry {
  userId?: string | null
  /** a dotted verb such as `table.submit`, `user.create`, `auth.login_failed` */
  action: string
  tableId?: string | null
  details?: Record<string, unknown> | null
}

export interface AuditFilter {
  tableId?: string
  userId?: string
  action?: string
  /** entries with a smaller id (paging backwards) */
  beforeId?: number
  /** default 100, at most 1000 */
  limit?: number
}

export interface AuditRepository {
  record(entry: NewAuditEntry): Promise<AuditEntry>
  list(filter?: AuditFilter): Promise<AuditEntry[]>
  /**
   * A department's trail, newest first: entries about its tables (deleted ones included) and entries
   * by its people. `departmentIds` is the department with its units.
   */
  listForDepartments(departmentIds: readonly string[], page?: { beforeId?: number; limit?: number }): Promise<AuditEntry[]>
  /** titles of the tables a trail names, deleted ones included */
  tableTitles(tableIds: readonly string[]): Promise<{ id: string; title: string }[]>
}

const ACTION = requiredText('操作（action）', 100)

export function createAuditRepository(db: Db): AuditRepository {
  return {
    async record(entry) {
      const action = parseInput(ACTION, entry.action)
      const [row] = await db
        .insert(auditLog)
        .values({ userId: entry.userId ?? null, action, tableId: entry.tableId ?? null, details: entry.details ?? null })
        .returning()
      return row!
    },

    async listForDepartments(departmentIds, page = {}) {
      if (departmentIds.length === 0) return []
      const ids = [...departmentIds]
      const limit = Math.min(Math.max(Math.trunc(page.limit ?? 100), 1), 1000)
      const theirs = or(
        inArray(auditLog.tableId, db.select({ id: targetTables.id }).from(targetTables).where(inArray(targetTables.departmentId, ids))),
        inArray(auditLog.userId, db.select({ id: userDepartments.userId }).from(userDepartments).where(inArray(userDepartments.departmentId, ids))),
      )
      const conditions: (SQL | undefined)[] = [theirs]
      if (page.beforeId !== undefined) conditions.push(lt(auditLog.id, page.beforeId))
      return db.select().from(auditLog).where(and(...conditions)).orderBy(desc(auditLog.id)).limit(limit)
    },

    async tableTitles(tableIds) {
      if (tableIds.length === 0) return []
      return db.select({ id: targetTables.id, title: targetTables.title }).from(targetTables).where(inArray(targetTables.id, [...tableIds]))
    },

    list(filter = {}) {
      const conditions: SQL[] = []
      if (filter.tableId !== undefined) conditions.push(eq(auditLog.tableId, filter.tableId))
      if (filter.userId !== undefined) conditions.push(eq(auditLog.userId, filter.userId))
      if (filter.action !== undefined) conditions.push(eq(auditLog.action, filter.action))
      if (filter.beforeId !== undefined) conditions.push(lt(auditLog.id, filter.beforeId))
      const requested = filter.limit !== undefined && Number.isFinite(filter.limit) ? Math.trunc(filter.limit) : 100
      const limit = Math.min(Math.max(requested, 1), 1000)
      return db.select().from(auditLog).where(and(...conditions)).orderBy(desc(auditLog.id)).limit(limit)
    },
  }
}
