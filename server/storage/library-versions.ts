// 指标库版本: the library frozen as a budget year's version (1, 2, … within the year), each entry as it
// was, so a table records which version it drew from (target_tables.library_version_id, set when the
// table is created: storage/tables.ts) and a published version can be exported as it was.
import { desc, eq, max, sql } from 'drizzle-orm'
import type { Db } from '../db/open.ts'
import { mapDbErrors } from '../db/errors.ts'
import { indicators, libraryVersions, targetTables, users } from '../db/schema.ts'

export interface LibraryVersionSummary {
  id: number
  year: number
  version: number
  note: string
  entryCount: number
  createdBy: string | null
  createdByName: string | null
  createdAt: Date
  tableCount: number
}

export interface LibraryVersionRepository {
  /** freezes every entry now as the year's next version */
  publish(input: { year: number; note: string; userId: string | null }): Promise<LibraryVersionSummary>
  /** newest year first, then newest version */
  list(): Promise<LibraryVersionSummary[]>
  /** one version with its frozen entries (IndicatorEntry fields without usage, in id order) */
  get(id: number): Promise<(LibraryVersionSummary & { entries: Record<string, unknown>[] }) | null>
  /** the newest version of a year; null when none is published */
  latestFor(year: number): Promise<number | null>
}

/** what a version keeps of each entry (usage counts move with learning; they are not the library's content) */
const FROZEN = [
  'id', 'level1', 'level2', 'level3', 'explanation', 'formula', 'comparator', 'typicalValue', 'unit', 'basis', 'dataSource',
  'scope', 'functionalClasses', 'projectTypes', 'alt2021', 'departmentId', 'core', 'version',
] as const

export function createLibraryVersionRepository(db: Db): LibraryVersionRepository {
  const tableCount = sql<number>`(select count(*)::int from ${targetTables} where ${targetTables.libraryVersionId} = ${libraryVersions.id} and ${targetTables.deletedAt} is null)`
  const summary = {
    id: libraryVersions.id, year: libraryVersions.year, version: libraryVersions.version, note: libraryVersions.note,
    entryCount: libraryVersions.entryCount, createdBy: libraryVersions.createdBy, createdByName: users.displayName,
    createdAt: libraryVersions.createdAt, tableCount,
  }
  const fix = <T extends { createdByName: string | null; tableCount: number }>(r: T): T => ({ ...r, createdByName: r.createdByName ?? null, tableCount: Number(r.tableCount) })

  return {
    async publish({ year, note, userId }) {
      const id = await mapDbErrors(
        () =>
          db.transaction(async (tx) => {
            // one publisher per year at a time: the unique (year, version) refuses a concurrent twin
            const rows = await tx.select().from(indicators).orderBy(indicators.id)
            const entries = rows.map((r) => Object.fromEntries(FROZEN.map((k) => [k, r[k] ?? null])))
            const [last] = await tx.select({ v: max(libraryVersions.version) }).from(libraryVersions).where(eq(libraryVersions.year, year))
            const [row] = await tx
              .insert(libraryVersions)
              .values({ year, version: (last?.v ?? 0) + 1, note, entryCount: entries.length, entries, createdBy: userId })
              .returning({ id: libraryVersions.id })
            return row!.id
          }),
        { conflict: `${year} 年度的指标库版本正被他人同时发布，请刷新后重试` },
      )
      const [out] = await db.select(summary).from(libraryVersions).leftJoin(users, eq(users.id, libraryVersions.createdBy)).where(eq(libraryVersions.id, id))
      return fix(out!)
    },

    async list() {
      const rows = await db
        .select(summary)
        .from(libraryVersions)
        .leftJoin(users, eq(users.id, libraryVersions.createdBy))
        .orderBy(desc(libraryVersions.year), desc(libraryVersions.version))
      return rows.map(fix)
    },

    async get(versionId) {
      const [row] = await db
        .select({ ...summary, entries: libraryVersions.entries })
        .from(libraryVersions)
        .leftJoin(users, eq(users.id, libraryVersions.createdBy))
        .where(eq(libraryVersions.id, versionId))
      return row ? fix(row) : null
    },

    async latestFor(year) {
      const [row] = await db
        .select({ id: libraryVersions.id })
        .from(libraryVersions)
        .where(eq(libraryVersions.year, year))
        .orderBy(desc(libraryVersions.version))
        .limit(1)
      return row?.id ?? null
    },
  }
}

