// The project registry (项目统计表): registered projects per year and the department aliases finance
// mapped. Writes come in batches (an import of thousands of rows is a handful of statements) and are
// meant to run inside storage.transaction, so an import is stored whole or not at all.
import { and, asc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm'
import { registryAliasKey, type RegistryFields, type RegistrySource } from '../../shared/api/registry.ts'
import type { Db } from '../db/open.ts'
import { departments, registryDepartmentAliases, registryProjects, targetTables } from '../db/schema.ts'

export type RegistryProjectRow = typeof registryProjects.$inferSelect

/** A stored project as the routes read it: the table only while it exists, the department's name. */
export type RegistryProjectView = RegistryProjectRow & { departmentName: string | null }

export interface RegistryProjectUpsert extends RegistryFields {
  year: number
  naturalKey: string
  departmentId: string | null
  source: RegistrySource
}

export type RegistryAliasRow = typeof registryDepartmentAliases.$inferSelect

export interface RegistryListFilter {
  /** only projects of these departments (already expanded to their units); omitted → every department */
  departmentIds?: readonly string[]
  /** also the projects whose department is unknown (department_id null) */
  unmatched?: boolean
  /** lock the rows until the transaction ends (SELECT … FOR UPDATE): table creation holds them */
  lock?: boolean
}

export interface RegistryRepository {
  /** the year's projects, ordered by department then sheet row; `tableId` null when the table was deleted */
  list(year: number, filter?: RegistryListFilter): Promise<RegistryProjectView[]>
  get(ids: readonly string[], options?: { lock?: boolean }): Promise<RegistryProjectView[]>
  /** every project of the year by natural key (what a re-import compares against) */
  byKey(year: number): Promise<Map<string, RegistryProjectRow>>
  /** inserts new projects and updates those whose (year, natural key) exists; answers the stored rows */
  upsert(rows: readonly RegistryProjectUpsert[], userId: string | null): Promise<RegistryProjectRow[]>
  /** records the table created for each project */
  setTables(pairs: readonly { projectId: string; tableId: string }[]): Promise<void>
  /** attaches projects to a department (after an alias was mapped) */
  setDepartment(projectIds: readonly string[], departmentId: string, userId: string | null): Promise<void>
  /** projects without a live table whose department is unknown, any year */
  waiting(): Promise<RegistryProjectRow[]>
  aliases(): Promise<RegistryAliasRow[]>
  /** maps a code/name to a department; mapping the same key again moves it */
  upsertAlias(input: { code?: string | null; name: string; departmentId: string; createdBy: string | null }): Promise<RegistryAliasRow>
}

const CHUNK = 400

/** `table_id` as long as the table exists (a deleted table leaves the project 未建表 again) */
const liveTableId = sql<string | null>`case when ${targetTables.deletedAt} is null then ${registryProjects.tableId} end`

export function createRegistryRepository(db: Db): RegistryRepository {
  async function select(where: SQL | undefined, lock = false): Promise<RegistryProjectView[]> {
    const query = db
      .select({ row: registryProjects, tableId: liveTableId, departmentName: departments.name })
      .from(registryProjects)
      .leftJoin(targetTables, eq(targetTables.id, registryProjects.tableId))
      .leftJoin(departments, eq(departments.id, registryProjects.departmentId))
      .where(where)
      .orderBy(asc(departments.code), sql`(${registryProjects.source}->>'row')::int`, asc(registryProjects.id))
    const rows = await (lock ? query.for('update', { of: registryProjects }) : query)
    return rows.map((r) => ({ ...r.row, tableId: r.tableId, departmentName: r.departmentName }))
  }

  return {
    list(year, filter = {}) {
      const conditions: SQL[] = [eq(registryProjects.year, year)]
      if (filter.departmentIds) {
        const scope = [
          ...(filter.departmentIds.length ? [inArray(registryProjects.departmentId, [...filter.departmentIds])] : []),
          ...(filter.unmatched ? [isNull(registryProjects.departmentId)] : []),
        ]
        if (scope.length === 0) return Promise.resolve([])
        conditions.push(or(...scope)!)
      } else if (filter.unmatched === false) {
        conditions.push(sql`${registryProjects.departmentId} is not null`)
      }
      return select(and(...conditions), filter.lock)
    },

    async get(ids, options = {}) {
      if (ids.length === 0) return []
      return select(inArray(registryProjects.id, [...ids]), options.lock)
    },

    async byKey(year) {
      const rows = await db.select().from(registryProjects).where(eq(registryProjects.year, year))
      return new Map(rows.map((r) => [r.naturalKey, r]))
    },

    async upsert(rows, userId) {
      const out: RegistryProjectRow[] = []
      for (let i = 0; i < rows.length; i += CHUNK) {
        const values = rows.slice(i, i + CHUNK).map((r) => ({ ...r, createdBy: userId, updatedBy: userId }))
        const stored = await db
          .insert(registryProjects)
          .values(values)
          .onConflictDoUpdate({
            target: [registryProjects.year, registryProjects.naturalKey],
            set: {
              departmentId: sql`excluded.department_id`,
              financeOffice: sql`excluded.finance_office`,
              competentDept: sql`excluded.competent_dept`,
              unit: sql`excluded.unit`,
              contacts: sql`excluded.contacts`,
              projectName: sql`excluded.project_name`,
              requestedAmount: sql`excluded.requested_amount`,
              functionalClass: sql`excluded.functional_class`,
              classified: sql`excluded.classified`,
              fundingType: sql`excluded.funding_type`,
              fundSource: sql`excluded.fund_source`,
              source: sql`excluded.source`,
              updatedBy: sql`excluded.updated_by`,
              updatedAt: sql`now()`,
            },
          })
          .returning()
        out.push(...stored)
      }
      return out
    },

    async setTables(pairs) {
      for (let i = 0; i < pairs.length; i += CHUNK) {
        const chunk = pairs.slice(i, i + CHUNK)
        const cases = sql.join(chunk.map((p) => sql`when ${p.projectId} then ${p.tableId}`), sql` `)
        await db
          .update(registryProjects)
          .set({ tableId: sql`case ${registryProjects.id} ${cases} end` })
          .where(inArray(registryProjects.id, chunk.map((p) => p.projectId)))
      }
    },

    async setDepartment(projectIds, departmentId, userId) {
      for (let i = 0; i < projectIds.length; i += CHUNK) {
        await db
          .update(registryProjects)
          .set({ departmentId, updatedBy: userId, updatedAt: sql`now()` })
          .where(inArray(registryProjects.id, projectIds.slice(i, i + CHUNK)))
      }
    },

    async waiting() {
      const rows = await db
        .select({ row: registryProjects })
        .from(registryProjects)
        .leftJoin(targetTables, eq(targetTables.id, registryProjects.tableId))
        .where(and(isNull(registryProjects.departmentId), or(isNull(registryProjects.tableId), sql`${targetTables.deletedAt} is not null`)))
      return rows.map((r) => r.row)
    },

    aliases() {
      return db.select().from(registryDepartmentAliases).orderBy(asc(registryDepartmentAliases.createdAt))
    },

    async upsertAlias(input) {
      const code = input.code?.trim() || null
      const name = input.name.trim()
      const [row] = await db
        .insert(registryDepartmentAliases)
        .values({ key: registryAliasKey(code, name), code, name, departmentId: input.departmentId, createdBy: input.createdBy })
        .onConflictDoUpdate({
          target: registryDepartmentAliases.key,
          set: { code: sql`excluded.code`, name: sql`excluded.name`, departmentId: sql`excluded.department_id`, createdBy: sql`excluded.created_by` },
        })
        .returning()
      return row!
    },
  }
}
