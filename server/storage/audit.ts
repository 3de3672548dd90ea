// The audit trail: append-only records of who did what to which table, read newest first.
import { and, desc, eq, lt, type SQL } from 'drizzle-orm'
import type { Db } from '../db/open.ts'
import { auditLog } from '../db/schema.ts'
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
