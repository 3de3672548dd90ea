// Field-level history of tables (field_changes): appended in batches when a live document settles,
// read newest first with keyset paging by id, and the last author of each row or field for a diff.
import { and, desc, eq, gt, lt, lte, sql, type SQL } from 'drizzle-orm'
import { AppError } from '../../shared/errors.ts'
import type { Db } from '../db/open.ts'
import { mapDbErrors } from '../db/errors.ts'
import { fieldChanges } from '../db/schema.ts'

export type FieldChange = typeof fieldChanges.$inferSelect
export type FieldChangeOp = FieldChange['op']

export interface NewFieldChange {
  tableId: string
  /** when the change was made (default: now) */
  at?: Date
  userId?: string | null
  op: FieldChangeOp
  path: string
  rowId?: string | null
  field?: string | null
  before?: unknown
  after?: unknown
}

export interface HistoryListOptions {
  /** entries with a smaller id (the previous page's last id) */
  beforeId?: number
  /** default 100, at most 1000 */
  limit?: number
}

/** The newest change of one row (field null: added, removed, moved), one row field, or one path outside rows. */
export interface LastAuthor {
  rowId: string | null
  field: string | null
  path: string
  userId: string | null
  at: Date
}

export interface HistoryRepository {
  /** stores the changes with multi-row inserts; returns their ids in input order */
  append(changes: readonly NewFieldChange[]): Promise<number[]>
  /** a table's changes, newest first */
  list(tableId: string, options?: HistoryListOptions): Promise<FieldChange[]>
  /** per row, row field or path, the newest change with `after < at ≤ until` (either bound optional) */
  lastAuthors(tableId: string, window?: { after?: Date; until?: Date }): Promise<LastAuthor[]>
}

/**
 * WATCH OUT: drizzle's jsonb reader runs JSON.parse over any string it gets, so a stored string that
 * looks like JSON ("77", "true") came back as a number or boolean, on both drivers. The values are read
 * as text and parsed here once.
 */
const LISTED = {
  id: fieldChanges.id,
  tableId: fieldChanges.tableId,
  at: fieldChanges.at,
  userId: fieldChanges.userId,
  op: fieldChanges.op,
  path: fieldChanges.path,
  rowId: fieldChanges.rowId,
  field: fieldChanges.field,
  before: sql<string | null>`${fieldChanges.before}::text`,
  after: sql<string | null>`${fieldChanges.after}::text`,
}

function fromJsonText(text: string | null): unknown {
  return text === null ? null : JSON.parse(text)
}

const OPS: ReadonlySet<string> = new Set(['add', 'remove', 'move', 'change'])
/** 10 columns a row: well under PostgreSQL's 65 535 parameters per statement */
const MAX_ROWS_PER_INSERT = 1000

export function createHistoryRepository(db: Db): HistoryRepository {
  return {
    async append(changes) {
      if (changes.length === 0) return []
      const rows = changes.map((c, i) => {
        if (!OPS.has(c.op)) throw new AppError('invalid_input', `第 ${i + 1} 条修改的操作（op）必须是 add、remove、move 或 change`)
        if (typeof c.path !== 'string' || c.path === '') throw new AppError('invalid_input', `第 ${i + 1} 条修改的位置（path）不能为空`)
        return {
          tableId: c.tableId,
          ...(c.at ? { at: c.at } : {}),
          userId: c.userId ?? null,
          op: c.op,
          path: c.path,
          rowId: c.rowId ?? null,
          field: c.field ?? null,
          // WATCH OUT: jsonb has no undefined; a value that did not exist is stored as null
          before: c.before === undefined ? null : c.before,
          after: c.after === undefined ? null : c.after,
        }
      })
      return mapDbErrors(
        async () => {
          const ids: number[] = []
          for (let i = 0; i < rows.length; i += MAX_ROWS_PER_INSERT) {
            const inserted = await db.insert(fieldChanges).values(rows.slice(i, i + MAX_ROWS_PER_INSERT)).returning({ id: fieldChanges.id })
            // RETURNING follows VALUES order for a plain INSERT … VALUES, and the ids rise in that order
            ids.push(...inserted.map((r) => r.id).sort((a, b) => a - b))
          }
          return ids
        },
        { missingReference: { field_changes_table_id_target_tables_id_fk: '绩效目标表不存在' } },
      )
    },

    async list(tableId, options = {}) {
      const conditions: SQL[] = [eq(fieldChanges.tableId, tableId)]
      if (options.beforeId !== undefined) conditions.push(lt(fieldChanges.id, options.beforeId))
      const requested = options.limit !== undefined && Number.isFinite(options.limit) ? Math.trunc(options.limit) : 100
      const limit = Math.min(Math.max(requested, 1), 1000)
      const rows = await db.select(LISTED).from(fieldChanges).where(and(...conditions)).orderBy(desc(fieldChanges.id)).limit(limit)
      return rows.map((r) => ({ ...r, before: fromJsonText(r.before), after: fromJsonText(r.after) }))
    },

    lastAuthors(tableId, window = {}) {
      const conditions: SQL[] = [eq(fieldChanges.tableId, tableId)]
      if (window.after) conditions.push(gt(fieldChanges.at, window.after))
      if (window.until) conditions.push(lte(fieldChanges.at, window.until))
      // one entry per row field / whole row (field null) / path outside rows (where the index in the path does not matter)
      const rowKey = sql`coalesce(${fieldChanges.rowId}, '')`
      const fieldKey = sql`coalesce(${fieldChanges.field}, '')`
      const pathKey = sql`case when ${fieldChanges.rowId} is null then ${fieldChanges.path} else '' end`
      return db
        .selectDistinctOn([rowKey, fieldKey, pathKey], { rowId: fieldChanges.rowId, field: fieldChanges.field, path: fieldChanges.path, userId: fieldChanges.userId, at: fieldChanges.at })
        .from(fieldChanges)
        .where(and(...conditions))
        .orderBy(rowKey, fieldKey, pathKey, desc(fieldChanges.at), desc(fieldChanges.id))
    },
  }
}
