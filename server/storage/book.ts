// What the compiled book (汇编成册) reads: the approved tables of a year with their departments, and the
// frozen content of their approved versions, a small batch at a time (never the whole book in memory).
import { and, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import type { TableKind } from '../../shared/model/index.ts'
import type { Db } from '../db/open.ts'
import { departments, tableVersions, targetTables, type VersionReason } from '../db/schema.ts'

export interface BookFilter {
  year: number
  /** departments (units included by the caller); omitted → every department */
  departmentIds?: readonly string[]
  kinds?: readonly TableKind[]
  /** false leaves 涉密 tables out (the public edition) */
  includeClassified: boolean
}

export interface BookCandidate {
  tableId: string
  title: string
  kind: TableKind
  classified: boolean
  /** the approved version printed (target_tables.version) */
  version: number
  departmentId: string
  departmentName: string
  departmentCode: string
  /** the department a unit sits below; null for a department or town */
  parentCode: string | null
}

export interface FrozenContent {
  tableId: string
  version: number
  reason: VersionReason
  createdAt: Date
  content: unknown
}

export interface BookRepository {
  count(filter: BookFilter): Promise<number>
  /** the approved tables the filter names, unordered (the plan orders them) */
  candidates(filter: BookFilter): Promise<BookCandidate[]>
  /** the frozen content of these (table, version) pairs; a missing pair is simply absent */
  contents(keys: readonly { tableId: string; version: number }[]): Promise<FrozenContent[]>
}

export function createBookRepository(db: Db): BookRepository {
  const where = (f: BookFilter): SQL =>
    and(
      eq(targetTables.year, f.year),
      eq(targetTables.status, 'approved'),
      sql`${targetTables.version} > 0`,
      isNull(targetTables.deletedAt),
      f.departmentIds ? inArray(targetTables.departmentId, [...f.departmentIds]) : undefined,
      f.kinds ? inArray(targetTables.kind, [...f.kinds]) : undefined,
      f.includeClassified ? undefined : eq(targetTables.classified, false),
    )!

  return {
    async count(filter) {
      if (filter.departmentIds?.length === 0) return 0
      const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(targetTables).where(where(filter))
      return Number(row?.n ?? 0)
    },

    async candidates(filter) {
      if (filter.departmentIds?.length === 0) return []
      const parent = alias(departments, 'parent')
      return db
        .select({
          tableId: targetTables.id,
          title: targetTables.title,
          kind: targetTables.kind,
          classified: targetTables.classified,
          version: targetTables.version,
          departmentId: targetTables.departmentId,
          departmentName: departments.name,
          departmentCode: departments.code,
          parentCode: parent.code,
        })
        .from(targetTables)
        .innerJoin(departments, eq(departments.id, targetTables.departmentId))
        .leftJoin(parent, eq(parent.id, departments.parentId))
        .where(where(filter))
    },

    async contents(keys) {
      if (keys.length === 0) return []
      const rows = await db
        .select({ tableId: tableVersions.tableId, version: tableVersions.version, reason: tableVersions.reason, createdAt: tableVersions.createdAt, content: tableVersions.content })
        .from(tableVersions)
        .where(or(...keys.map((k) => and(eq(tableVersions.tableId, k.tableId), eq(tableVersions.version, k.version)))))
      return rows
    },
  }
}
