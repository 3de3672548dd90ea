// Where library entries are used (indicator_usages): the indicator rows of approved tables linked to entries
// by learning (server/library/learning.ts). A table's links are replaced or removed in one transaction that
// also recomputes usage_count (distinct approved tables) of every entry they touch and bumps the usage
// revision the library's search index watches (library_settings key `usages`).
import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm'
import type { Db } from '../db/open.ts'
import { departments, indicatorUsages, indicators, librarySettings, targetTables } from '../db/schema.ts'
import { noteLibraryWrite } from './library.ts'

export type IndicatorUsageRow = typeof indicatorUsages.$inferSelect

/** one indicator row of a table linked to a library entry */
export interface NewUsage {
  rowKey: string
  indicatorId: string
  match: 'exact' | 'near'
  level1: string
  level2: string
  level3: string
  comparator: string
  target: string
  unit: string
}

/** the library_settings key whose counter moves with every change of the usages */
export const USAGE_REVISION_KEY = 'usages'

/** one use as listed in an entry's 使用情况 (row + its table) */
export interface UsageListing {
  tableId: string
  rowKey: string
  title: string
  year: number
  departmentId: string
  departmentName: string
  functionalClass: string
  classified: boolean
  status: string
  level3: string
  comparator: string
  target: string
  unit: string
  match: 'exact' | 'near'
}

export interface UsageOptions {
  year?: number | undefined
  limit: number
  offset: number
  /**
   * whether the caller may read this table (the permission function); uses of other tables are not listed.
   * Omitted: every use is listed.
   */
  readable?: (table: { departmentId: string; classified: boolean; status: string; year: number }) => boolean
}

export interface UsageSummary {
  /** distinct approved tables linked (city-wide, within `year`) */
  tableCount: number
  departmentCount: number
  /** `≥95%`-style values, most tables first (涉密 tables the caller may not read left out) */
  typicalValues: { value: string; count: number }[]
  range: { min: number; max: number; unit: string } | null
  names: { level3: string; count: number }[]
  /** the page of uses the caller may read */
  uses: UsageListing[]
  /** every use the caller may read (exact) */
  total: number
}

export interface ReplaceResult {
  /** false: the table was no longer approved at that version (or deleted), so its links were removed instead */
  stored: boolean
  /** entries whose usage_count was recomputed */
  affected: string[]
}

export interface IndicatorUsageRepository {
  /**
   * Replaces the table's links with `rows` if the table is still approved at `version` (its row is locked
   * meanwhile, so a racing 调整 waits); otherwise removes them. One transaction, usage counts recomputed.
   */
  replaceForTable(tableId: string, from: { version: number; functionalClass: string }, rows: readonly NewUsage[]): Promise<ReplaceResult>
  /** removes the table's links and recomputes the counts of the entries they pointed to; returns those entries */
  removeForTable(tableId: string): Promise<string[]>
  /** the table's current links (row order by rowKey) */
  forTable(tableId: string): Promise<IndicatorUsageRow[]>
  usageOf(indicatorId: string, options: UsageOptions): Promise<UsageSummary>
  /** approved, undeleted tables that have no links at all (the backfill's work list), oldest first */
  approvedWithoutUsages(limit: number): Promise<{ tableId: string; version: number }[]>
  /** tables that have links but are no longer approved or were deleted (left by a failed forget) */
  staleTables(limit: number): Promise<string[]>
}

/** `≥95%`; a qualitative value (定性) is its text alone */
export function valueText(u: { comparator: string; target: string; unit: string }): string {
  const comparator = u.comparator === '定性' ? '' : u.comparator.trim()
  return `${comparator}${u.target.trim()}${u.unit.trim()}`
}

const NUMBER = /^[+-]?\d+(?:\.\d+)?$/

/** the target as a number when it is one (`1,350` and full-width digits too), else null */
export function plainNumberOf(target: string): number | null {
  const t = target.normalize('NFKC').replace(/[,\s]/g, '')
  return NUMBER.test(t) ? Number(t) : null
}

function ranked<K extends string>(counts: Map<string, Set<string>>, key: K): ({ [P in K]: string } & { count: number })[] {
  return [...counts]
    .map(([value, tables]) => ({ [key]: value, count: tables.size }) as { [P in K]: string } & { count: number })
    .sort((a, b) => b.count - a.count || (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0))
}

function addTo(map: Map<string, Set<string>>, key: string, tableId: string): void {
  const set = map.get(key)
  if (set) set.add(tableId)
  else map.set(key, new Set([tableId]))
}

export function createIndicatorUsageRepository(db: Db): IndicatorUsageRepository {
  /** usage_count = distinct tables linked, for these entries; then the revision moves */
  async function recount(tx: Db, ids: readonly string[]): Promise<void> {
    noteLibraryWrite() // usage counts rank search results: the search's cached revision is not trusted now
    if (ids.length) {
      await tx
        .update(indicators)
        .set({ usageCount: sql`(select count(distinct ${indicatorUsages.tableId})::int from ${indicatorUsages} where ${indicatorUsages.indicatorId} = ${indicators.id})` })
        .where(inArray(indicators.id, [...ids]))
    }
    await tx
      .insert(librarySettings)
      .values({ key: USAGE_REVISION_KEY, value: { n: 1 }, updatedAt: new Date() })
      .onConflictDoUpdate({
        target: librarySettings.key,
        set: { value: sql`jsonb_build_object('n', coalesce((${librarySettings.value}->>'n')::bigint, 0) + 1)`, updatedAt: new Date() },
      })
  }

  async function removeIn(tx: Db, tableId: string): Promise<string[]> {
    const gone = await tx.delete(indicatorUsages).where(eq(indicatorUsages.tableId, tableId)).returning({ id: indicatorUsages.indicatorId })
    const ids = [...new Set(gone.map((g) => g.id))]
    if (ids.length) await recount(tx, ids)
    return ids
  }

  return {
    async replaceForTable(tableId, { version, functionalClass }, rows) {
      return db.transaction(async (tx) => {
        const [table] = await tx
          .select({ status: targetTables.status, version: targetTables.version, year: targetTables.year, departmentId: targetTables.departmentId, deletedAt: targetTables.deletedAt })
          .from(targetTables)
          .where(eq(targetTables.id, tableId))
          .for('update')
        if (!table || table.deletedAt || table.status !== 'approved' || table.version !== version) {
          return { stored: false, affected: table ? await removeIn(tx, tableId) : [] }
        }
        const before = await tx.delete(indicatorUsages).where(eq(indicatorUsages.tableId, tableId)).returning({ id: indicatorUsages.indicatorId })
        if (rows.length) {
          await tx.insert(indicatorUsages).values(
            rows.map((r) => ({
              tableId, rowKey: r.rowKey, indicatorId: r.indicatorId, match: r.match,
              level1: r.level1, level2: r.level2, level3: r.level3, comparator: r.comparator, target: r.target, unit: r.unit,
              year: table.year, departmentId: table.departmentId, functionalClass, tableVersion: version,
            })),
          )
        }
        const affected = [...new Set([...before.map((b) => b.id), ...rows.map((r) => r.indicatorId)])]
        await recount(tx, affected)
        return { stored: true, affected }
      })
    },

    removeForTable(tableId) {
      return db.transaction((tx) => removeIn(tx, tableId))
    },

    forTable(tableId) {
      return db.select().from(indicatorUsages).where(eq(indicatorUsages.tableId, tableId)).orderBy(asc(indicatorUsages.rowKey))
    },

    async usageOf(indicatorId, options) {
      const rows = await db
        .select({
          tableId: indicatorUsages.tableId, rowKey: indicatorUsages.rowKey, title: targetTables.title, year: indicatorUsages.year,
          departmentId: indicatorUsages.departmentId, departmentName: departments.name, functionalClass: indicatorUsages.functionalClass,
          classified: targetTables.classified, status: targetTables.status,
          level3: indicatorUsages.level3, comparator: indicatorUsages.comparator, target: indicatorUsages.target, unit: indicatorUsages.unit,
          match: indicatorUsages.match,
        })
        .from(indicatorUsages)
        .innerJoin(targetTables, eq(targetTables.id, indicatorUsages.tableId))
        .leftJoin(departments, eq(departments.id, indicatorUsages.departmentId))
        .where(and(
          eq(indicatorUsages.indicatorId, indicatorId),
          options.year !== undefined ? eq(indicatorUsages.year, options.year) : undefined,
          isNull(targetTables.deletedAt),
          eq(targetTables.status, 'approved'),
        ))
        .orderBy(desc(indicatorUsages.year), asc(departments.code), asc(targetTables.title), asc(indicatorUsages.tableId), asc(indicatorUsages.rowKey))

      const tables = new Set<string>()
      const depts = new Set<string>()
      const values = new Map<string, Set<string>>()
      const names = new Map<string, Set<string>>()
      const numbersByUnit = new Map<string, number[]>()
      const visible: UsageListing[] = []
      for (const r of rows) {
        const use: UsageListing = { ...r, departmentName: r.departmentName ?? '', match: r.match }
        tables.add(r.tableId)
        depts.add(r.departmentId)
        const mayRead = options.readable ? options.readable(use) : true
        if (mayRead) visible.push(use)
        // a 涉密 table's values stay with those who may read it; other tables' values are shown city-wide
        if (!mayRead && r.classified) continue
        const value = valueText(r)
        if (value) addTo(values, value, r.tableId)
        if (r.level3.trim()) addTo(names, r.level3.trim(), r.tableId)
        const n = plainNumberOf(r.target)
        if (n !== null) {
          const unit = r.unit.normalize('NFKC').trim()
          const list = numbersByUnit.get(unit)
          if (list) list.push(n)
          else numbersByUnit.set(unit, [n])
        }
      }
      let range: UsageSummary['range'] = null
      if (numbersByUnit.size === 1) {
        for (const [unit, list] of numbersByUnit) range = { min: list.reduce((a, b) => Math.min(a, b)), max: list.reduce((a, b) => Math.max(a, b)), unit }
      }
      return {
        tableCount: tables.size,
        departmentCount: depts.size,
        typicalValues: ranked(values, 'value').slice(0, 10),
        range,
        names: ranked(names, 'level3').slice(0, 20),
        uses: visible.slice(options.offset, options.offset + options.limit),
        total: visible.length,
      }
    },

    async approvedWithoutUsages(limit) {
      return db
        .select({ tableId: targetTables.id, version: targetTables.version })
        .from(targetTables)
        .where(and(
          eq(targetTables.status, 'approved'),
          sql`${targetTables.version} > 0`,
          isNull(targetTables.deletedAt),
          sql`not exists (select 1 from ${indicatorUsages} where ${indicatorUsages.tableId} = ${targetTables.id})`,
        ))
        .orderBy(asc(targetTables.updatedAt), asc(targetTables.id))
        .limit(limit)
    },

    async staleTables(limit) {
      const rows = await db
        .selectDistinct({ tableId: indicatorUsages.tableId })
        .from(indicatorUsages)
        .innerJoin(targetTables, eq(targetTables.id, indicatorUsages.tableId))
        .where(sql`${targetTables.deletedAt} is not null or ${targetTables.status} <> 'approved' or ${targetTables.version} <> ${indicatorUsages.tableVersion}`)
        .limit(limit)
      return rows.map((r) => r.tableId)
    },
  }
}
