// Target tables (绩效目标表) as rows: kind, template, year, department, status/round/version.
// The content itself lives in the live document (doc-log.ts); state changes use an optimistic check.
import { and, asc, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import { AppError } from '../../shared/errors.ts'
import { TABLE_KINDS, TEMPLATE_IDS, getTemplate, type TableKind } from '../../shared/model/index.ts'
import type { Db } from '../db/open.ts'
import { mapDbErrors } from '../db/errors.ts'
import { TABLE_STATUSES, libraryVersions, targetTables, type TableStatus } from '../db/schema.ts'
import { id, nonNegativeInt, notFound, oneOf, optionalText, parseInput, positiveInt } from './input.ts'
import { pageTables, type TablePage, type TablePageQuery } from './table-list.ts'

export type TableRow = typeof targetTables.$inferSelect

export interface NewTable {
  id?: string
  kind: TableKind
  template: string
  year: number
  departmentId: string
  title?: string
  classified?: boolean
  createdBy?: string | null
  /** 年度结转: the approved table this one is rolled over from (unique among live tables) */
  rolledFromId?: string
}

export interface TableFilter {
  year?: number
  departmentId?: string
  status?: TableStatus
  kind?: TableKind
  classified?: boolean
  /** when given, only tables of these departments (the caller's scope); an empty list yields nothing */
  allowedDepartmentIds?: readonly string[]
  limit?: number
  offset?: number
}

/** findings counts of a table as computed at a document version (docLog.version) */
export interface StoredFindingCounts {
  id: string
  counts: { errors: number; warnings: number; infos: number }
  version: number
  /** the table's content changed since the counts stored last (a live room settled): moves updated_at */
  edited?: boolean
}

export interface TableState {
  status: TableStatus
  round: number
  version: number
}

export interface TableRepository {
  create(input: NewTable): Promise<TableRow>
  get(id: string): Promise<TableRow | null>
  /** 年度结转: the live tables rolled over from these source tables */
  rolledFrom(sourceIds: readonly string[]): Promise<TableRow[]>
  /** like get, but throws AppError('not_found') */
  require(id: string): Promise<TableRow>
  /** every table matching the filter (not paged: internal use, at most `limit`, default 1000); never deleted ones */
  list(filter?: TableFilter): Promise<TableRow[]>
  /** one page of what a reader may see, filtered and sorted in SQL (table-list.ts), with the exact total */
  page(query: TablePageQuery): Promise<TablePage>
  /**
   * Moves status/round/version only if the row still holds `expected`; otherwise throws
   * AppError('conflict') (someone else moved it first) or AppError('not_found').
   */
  updateState(id: string, expected: TableState, next: Partial<TableState>): Promise<TableRow>
  update(id: string, patch: { title?: string; classified?: boolean }): Promise<TableRow>
  /** deletes the table with its document, versions and comments; false when it did not exist */
  remove(id: string): Promise<boolean>
  /** marks the table deleted: it leaves every list and lookup, its rows stay for the audit trail; false when absent or deleted already */
  softDelete(id: string, userId: string | null): Promise<boolean>
  /**
   * Stores findings counts (one statement for all). A row only moves forward: counts of an older
   * document version than the stored one are ignored.
   */
  setFindingCounts(entries: readonly StoredFindingCounts[]): Promise<void>
  /** stores how many review threads of any round are open (from the comments document) */
  setOpenThreads(id: string, openThreads: number): Promise<void>
}

const YEAR = z.number({ error: '年度（year）必须是数字' }).int({ error: '年度（year）必须是整数' }).min(2000, { error: '年度（year）不能早于 2000' }).max(2100, { error: '年度（year）不能晚于 2100' })
const STATUS = oneOf('状态（status）', TABLE_STATUSES)
const KIND = oneOf('表类型（kind）', TABLE_KINDS)
const TITLE = optionalText('标题（title）', 300)

const newTableSchema = z.object({
  // WATCH OUT: the id is part of the room name `<tableId>/comments`, so it must not contain '/'.
  id: id('表编号（id）').regex(/^[A-Za-z0-9_-]+$/, { error: '表编号（id）只能包含字母、数字、下划线和连字符' }).optional(),
  kind: KIND,
  template: oneOf('表样（template）', TEMPLATE_IDS),
  year: YEAR,
  departmentId: id('部门（departmentId）'),
  title: TITLE.optional(),
  classified: z.boolean({ error: '涉密（classified）必须是布尔值' }).optional(),
  createdBy: id('创建人（createdBy）').nullish(),
  rolledFromId: id('结转来源（rolledFromId）').optional(),
})

const stateSchema = z.object({ status: STATUS, round: positiveInt('轮次（round）'), version: nonNegativeInt('版本（version）') })

const filterSchema = z.object({
  year: YEAR.optional(),
  departmentId: id('部门（departmentId）').optional(),
  status: STATUS.optional(),
  kind: KIND.optional(),
  classified: z.boolean({ error: '涉密（classified）必须是布尔值' }).optional(),
  allowedDepartmentIds: z.array(z.string()).readonly().optional(),
  limit: z.number().int().min(1).max(1000, { error: '每页数量（limit）不能超过 1000' }).optional(),
  offset: nonNegativeInt('偏移（offset）').optional(),
})

const MESSAGES = {
  conflict: { target_tables_pkey: '表编号（id）已存在', target_tables_rolled_from_unique: '该表已结转到下一年度，不能重复结转（可能有人同时发起了结转，请刷新后再试）' },
  missingReference: {
    target_tables_department_id_departments_id_fk: '部门（departmentId）不存在',
    target_tables_created_by_users_id_fk: '创建人（createdBy）不存在',
  },
}

export function createTableRepository(db: Db): TableRepository {
  async function get(tableId: string): Promise<TableRow | null> {
    const [row] = await db.select().from(targetTables).where(and(eq(targetTables.id, tableId), isNull(targetTables.deletedAt)))
    return row ?? null
  }
  async function require(tableId: string): Promise<TableRow> {
    const row = await get(tableId)
    if (!row) throw notFound('绩效目标表', tableId)
    return row
  }

  return {
    async create(input) {
      const data = parseInput(newTableSchema, input)
      if (getTemplate(data.template).kind !== data.kind) {
        throw new AppError('invalid_input', `表样（template）${data.template} 不适用于表类型（kind）${data.kind}`)
      }
      const [row] = await mapDbErrors(
        () =>
          db
            .insert(targetTables)
            .values({
              ...(data.id ? { id: data.id } : {}),
              kind: data.kind,
              template: data.template,
              year: data.year,
              departmentId: data.departmentId,
              title: data.title ?? '',
              classified: data.classified ?? false,
              createdBy: data.createdBy ?? null,
              ...(data.rolledFromId ? { rolledFromId: data.rolledFromId } : {}),
              // the 指标库版本 the table draws from: the newest published for its year (null when none)
              libraryVersionId: sql`(select ${libraryVersions.id} from ${libraryVersions} where ${libraryVersions.year} = ${data.year} order by ${libraryVersions.version} desc limit 1)`,
            })
            .returning(),
        MESSAGES,
      )
      return row!
    },

    get,
    require,

    async rolledFrom(sourceIds) {
      if (sourceIds.length === 0) return []
      return db.select().from(targetTables).where(and(inArray(targetTables.rolledFromId, [...sourceIds]), isNull(targetTables.deletedAt)))
    },

    async list(filter = {}) {
      const f = parseInput(filterSchema, filter)
      // WATCH OUT: `IN ()` is a syntax error, and "no allowed departments" must mean "nothing", not "everything".
      if (f.allowedDepartmentIds && f.allowedDepartmentIds.length === 0) return []
      const conditions: SQL[] = [isNull(targetTables.deletedAt)]
      if (f.year !== undefined) conditions.push(eq(targetTables.year, f.year))
      if (f.departmentId !== undefined) conditions.push(eq(targetTables.departmentId, f.departmentId))
      if (f.status !== undefined) conditions.push(eq(targetTables.status, f.status))
      if (f.kind !== undefined) conditions.push(eq(targetTables.kind, f.kind))
      if (f.classified !== undefined) conditions.push(eq(targetTables.classified, f.classified))
      if (f.allowedDepartmentIds) conditions.push(inArray(targetTables.departmentId, [...f.allowedDepartmentIds]))
      return db
        .select()
        .from(targetTables)
        .where(and(...conditions))
        .orderBy(desc(targetTables.year), asc(targetTables.departmentId), asc(targetTables.createdAt), asc(targetTables.id))
        .limit(f.limit ?? 1000)
        .offset(f.offset ?? 0)
    },

    async updateState(tableId, expected, next) {
      const from = parseInput(stateSchema, expected)
      const to = parseInput(stateSchema.partial(), next)
      const rows = await db
        .update(targetTables)
        .set({ ...to, updatedAt: new Date() })
        .where(
          and(
            eq(targetTables.id, tableId),
            isNull(targetTables.deletedAt),
            eq(targetTables.status, from.status),
            eq(targetTables.round, from.round),
            eq(targetTables.version, from.version),
          ),
        )
        .returning()
      if (rows[0]) return rows[0]
      const current = await get(tableId)
      if (!current) throw notFound('绩效目标表', tableId)
      throw new AppError('conflict', '绩效目标表状态已被他人修改，请刷新后重试', {
        expected: from,
        actual: { status: current.status, round: current.round, version: current.version },
      })
    },

    async update(tableId, patch) {
      const data = parseInput(
        z.object({ title: TITLE.optional(), classified: z.boolean({ error: '涉密（classified）必须是布尔值' }).optional() }),
        patch,
      )
      const rows = await db
        .update(targetTables)
        .set({ ...data, updatedAt: new Date() })
        .where(and(eq(targetTables.id, tableId), isNull(targetTables.deletedAt)))
        .returning()
      if (!rows[0]) throw notFound('绩效目标表', tableId)
      return rows[0]
    },

    async remove(tableId) {
      const rows = await db.delete(targetTables).where(eq(targetTables.id, tableId)).returning({ id: targetTables.id })
      return rows.length > 0
    },

    page: (query) => pageTables(db, query),

    async softDelete(tableId, userId) {
      const rows = await db
        .update(targetTables)
        .set({ deletedAt: new Date(), deletedBy: userId })
        .where(and(eq(targetTables.id, tableId), isNull(targetTables.deletedAt)))
        .returning({ id: targetTables.id })
      return rows.length > 0
    },

    async setFindingCounts(entries) {
      for (let i = 0; i < entries.length; i += COUNTS_PER_UPDATE) {
        const chunk = entries.slice(i, i + COUNTS_PER_UPDATE)
        const values = sql.join(
          chunk.map((e) => sql`(${e.id}::text, ${e.counts.errors}::int, ${e.counts.warnings}::int, ${e.counts.infos}::int, ${e.version}::bigint, ${e.edited === true}::boolean)`),
          sql`, `,
        )
        // WATCH OUT: updated_at moves only for an edit seen after counts were stored once (a version
        // rising over a known one); a first computation, or a recompute on read, is no edit.
        await db.execute(sql`
          update ${targetTables} as t set
            error_count = v.errors, warning_count = v.warnings, info_count = v.infos, findings_version = v.version,
            updated_at = case when v.edited and t.findings_version is not null and v.version > t.findings_version then now() else t.updated_at end
          from (values ${values}) as v(id, errors, warnings, infos, version, edited)
          where t.id = v.id and (
            t.findings_version is null or t.findings_version < v.version
            or (t.findings_version = v.version and (t.error_count, t.warning_count, t.info_count) is distinct from (v.errors, v.warnings, v.infos))
          )`)
      }
    },

    async setOpenThreads(tableId, openThreads) {
      const n = parseInput(nonNegativeInt('未解决意见数（openThreads）'), openThreads)
      // no write when nothing changed: every load of a comments room reports its count
      await db.update(targetTables).set({ openThreads: n }).where(and(eq(targetTables.id, tableId), sql`${targetTables.openThreads} <> ${n}`))
    },
  }
}

// 6 parameters a row; PostgreSQL allows 65 535 in one statement
const COUNTS_PER_UPDATE = 2000
