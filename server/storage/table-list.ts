// The table list at city scale: one page of target tables filtered, scoped and sorted in SQL with keyset
// paging, plus the exact total. Scope is `can(actor, 'read')` of shared/permissions.ts said in SQL, so
// neither the page nor the total needs filtering afterwards.
import { and, asc, count, desc, eq, getTableColumns, gt, inArray, isNull, or, sql, type SQL } from 'drizzle-orm'
import { AppError } from '../../shared/errors.ts'
import type { Actor } from '../../shared/permissions.ts'
import { MAX_PAGE, TABLE_SORTS, type TableSort } from '../../shared/api/constants.ts'
import type { Db } from '../db/open.ts'
import { TABLE_STATUSES, departments, docSnapshots, docUpdates, targetTables, type TableStatus } from '../db/schema.ts'

export { TABLE_SORTS, type TableSort }
export type SortOrder = 'asc' | 'desc'

/** the natural direction of each sort: newest first, most errors first, the rest A→Z */
export const DEFAULT_ORDER: Readonly<Record<TableSort, SortOrder>> = { updated: 'desc', title: 'asc', department: 'asc', status: 'asc', errors: 'desc' }

/** A position in a sorted list: the sort key of the last row seen and its id (the tie-breaker). */
export interface TableKey {
  key: string | number
  id: string
}

export interface TablePageQuery {
  /** rows are those this actor may read (can(actor, 'read')) */
  reader: Pick<Actor, 'role' | 'departmentIds'>
  year?: number
  /** only these departments (a department or town with its units: departments.withDescendants) */
  departmentIds?: readonly string[]
  status?: TableStatus
  kind?: 'project' | 'department'
  /** search in the title, case-insensitive; `%` and `_` match themselves */
  q?: string
  /** on the stored counts: error_count > 0 (true) or no errors (false) */
  hasErrors?: boolean
  /** on the stored count: open_threads > 0 (true) or none (false) */
  hasOpenThreads?: boolean
  sort: TableSort
  order?: SortOrder
  /** 1…500 */
  limit: number
  /** continue after this row (from the previous page's `next`) */
  after?: TableKey | null
}

export type TableListRow = typeof targetTables.$inferSelect & {
  departmentName: string
  departmentCode: string
  /** the table document's version now (docLog.versions), to compare with `findingsVersion` */
  docVersion: number
}

export interface TablePage {
  rows: TableListRow[]
  /** how many tables match the filters and scope, on every page together */
  total: number
  /** where the next page starts; null on the last page */
  next: TableKey | null
}

const STATUS_RANK = sql.raw(`array[${TABLE_STATUSES.map((s) => `'${s}'`).join(', ')}]::text[]`)

interface SortSpec {
  /** the sorted expression */
  expr: SQL
  /** the same value as the cursor carries it (text for time, so no precision is lost on the way) */
  keyOut: SQL
  /** the cursor's value back in the expression's type */
  keyIn(v: string | number): SQL
  valid(v: unknown): boolean
}

const isInt = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v)
const isText = (v: unknown) => typeof v === 'string' && v.length <= 1000
// WATCH OUT: timestamps carry microseconds and a JS Date keeps milliseconds; a cursor holding a rounded
// time skips or repeats rows that share the millisecond. The key travels as text with all six digits.
const ISO_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/

const SORTS: Readonly<Record<TableSort, SortSpec>> = {
  updated: {
    expr: sql`${targetTables.updatedAt}`,
    keyOut: sql<string>`to_char(${targetTables.updatedAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    keyIn: (v) => sql`${v}::timestamptz`,
    valid: (v) => typeof v === 'string' && ISO_MICROS.test(v),
  },
  title: { expr: sql`${targetTables.title}`, keyOut: sql<string>`${targetTables.title}`, keyIn: (v) => sql`${v}::text`, valid: isText },
  // departments in their official code order (部门代码), which is how the bureau reads its lists
  department: { expr: sql`${departments.code}`, keyOut: sql<string>`${departments.code}`, keyIn: (v) => sql`${v}::text`, valid: isText },
  // the lifecycle's order (draft → submitted → returned → approved), not the alphabet's
  status: {
    expr: sql`array_position(${STATUS_RANK}, ${targetTables.status})`,
    keyOut: sql<number>`array_position(${STATUS_RANK}, ${targetTables.status})`,
    keyIn: (v) => sql`${v}::int`,
    valid: isInt,
  },
  // never-computed counts (null) sort below zero errors
  errors: {
    expr: sql`coalesce(${targetTables.errorCount}, -1)`,
    keyOut: sql<number>`coalesce(${targetTables.errorCount}, -1)`,
    keyIn: (v) => sql`${v}::int`,
    valid: isInt,
  },
}

/** `%`, `_` and the escape character itself match literally in a LIKE pattern. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`)
}

/**
 * `can(reader, 'read', table)` as a condition on target_tables (undefined: every table).
 * WATCH OUT: this restates shared/permissions.ts `readable`; test/storage/table-list-suite.ts checks
 * the two agree for every role, scope and 涉密 flag — change both together.
 */
export function readableBy(reader: Pick<Actor, 'role' | 'departmentIds' | 'assignedDepartmentIds'>): SQL | undefined {
  const ids = [...reader.departmentIds]
  const inScope = ids.length ? inArray(targetTables.departmentId, ids) : sql`false`
  const open = eq(targetTables.classified, false)
  switch (reader.role) {
    case 'finance':
      return undefined
    case 'department':
      return inScope
    case 'consultant': {
      // its departments, and those assigned to it for a table's year (第三方机构分工)
      const assigned = Object.entries(reader.assignedDepartmentIds ?? {})
        .filter(([, years]) => years.length > 0)
        .map(([year, years]) => and(eq(targetTables.year, Number(year)), inArray(targetTables.departmentId, [...years])))
      return and(assigned.length ? or(inScope, ...assigned) : inScope, open)
    }
    case 'viewer':
      // city-wide (no department): every table that is not 涉密; else only its departments' (see isCityWideViewer)
      return ids.length ? inScope : open
    default:
      // an unknown role reads nothing rather than everything
      return sql`false`
  }
}

function filters(q: TablePageQuery): SQL[] {
  const where: SQL[] = [isNull(targetTables.deletedAt)]
  const scope = readableBy(q.reader)
  if (scope) where.push(scope)
  if (q.year !== undefined) where.push(eq(targetTables.year, q.year))
  if (q.departmentIds) where.push(q.departmentIds.length ? inArray(targetTables.departmentId, [...q.departmentIds]) : sql`false`)
  if (q.status !== undefined) where.push(eq(targetTables.status, q.status))
  if (q.kind !== undefined) where.push(eq(targetTables.kind, q.kind))
  if (q.q) where.push(sql`${targetTables.title} ilike ${`%${escapeLike(q.q)}%`} escape '\\'`)
  if (q.hasErrors !== undefined) where.push(q.hasErrors ? gt(targetTables.errorCount, 0) : sql`coalesce(${targetTables.errorCount}, 0) = 0`)
  if (q.hasOpenThreads !== undefined) where.push(q.hasOpenThreads ? gt(targetTables.openThreads, 0) : eq(targetTables.openThreads, 0))
  return where
}

export function invalidCursor(): AppError {
  return new AppError('invalid_input', '翻页游标（cursor）无效，请从第一页重新查询', { field: 'cursor' })
}

export async function pageTables(db: Db, q: TablePageQuery): Promise<TablePage> {
  if (!Number.isInteger(q.limit) || q.limit < 1 || q.limit > MAX_PAGE) {
    throw new AppError('invalid_input', `每页数量（limit）应在 1 到 ${MAX_PAGE} 之间`, { field: 'limit' })
  }
  const spec = SORTS[q.sort]
  if (!spec) throw new AppError('invalid_input', `排序（sort）应为 ${TABLE_SORTS.join('、')} 之一`, { field: 'sort' })
  const order = q.order ?? DEFAULT_ORDER[q.sort]
  const where = filters(q)
  const pageWhere = [...where]
  if (q.after) {
    if (!spec.valid(q.after.key) || !isText(q.after.id)) throw invalidCursor()
    // a row comparison walks the same (key, id) order as ORDER BY, so no row is skipped or repeated
    const op = sql.raw(order === 'asc' ? '>' : '<')
    pageWhere.push(sql`(${spec.expr}, ${targetTables.id}) ${op} (${spec.keyIn(q.after.key)}, ${q.after.id})`)
  }
  const dir = order === 'asc' ? asc : desc
  // One statement answers the page, the total and each row's document version: a list is one round trip,
  // and a fresh process (PGlite above all) pays the first-time cost of one statement instead of four.
  // PostgreSQL evaluates the version subqueries after the sort and limit (only for the rows returned),
  // and the total once (an uncorrelated subquery: inside it target_tables is its own FROM).
  const found = await db
    .select({
      ...getTableColumns(targetTables),
      departmentName: departments.name,
      departmentCode: departments.code,
      sortKey: spec.keyOut,
      total: sql<number>`(select count(*) from ${targetTables} where ${and(...where)})`.mapWith(Number),
      docVersion: docVersion.mapWith(Number),
    })
    .from(targetTables)
    .innerJoin(departments, eq(departments.id, targetTables.departmentId))
    .where(and(...pageWhere))
    .orderBy(order === 'asc' ? sql`${spec.expr} asc` : sql`${spec.expr} desc`, dir(targetTables.id))
    .limit(q.limit + 1)
  const more = found.length > q.limit
  const page = more ? found.slice(0, q.limit) : found
  const last = page[page.length - 1]
  const rows = page.map(({ sortKey: _k, total: _t, ...row }) => row)
  // an empty page carries no total: nothing matches at all, or a cursor ran past the end
  const total = found[0]?.total ?? (q.after ? Number((await db.select({ n: count() }).from(targetTables).where(and(...where)))[0]?.n ?? 0) : 0)
  return { rows, total, next: more && last ? { key: last.sortKey as string | number, id: last.id } : null }
}

/**
 * The table document's version, as docLog.versions defines it: the highest update id in its log or folded
 * into its snapshot (0 without either). WATCH OUT: keep it the same as storage/doc-log.ts `versions`.
 */
const docVersion = sql<number>`greatest(
  coalesce((select max(u.id) from ${docUpdates} u where u.table_id = ${targetTables.id} and u.room = 'table'), 0),
  coalesce((select s.last_update_id from ${docSnapshots} s where s.table_id = ${targetTables.id} and s.room = 'table'), 0))`
