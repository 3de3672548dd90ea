// Departments (部门), their units (单位) and towns (镇街): a two-level tree, department/town → unit.
import { asc, eq, sql } from 'drizzle-orm'
import { z } from 'zod'
import { AppError } from '../../shared/errors.ts'
import type { Db } from '../db/open.ts'
import { executeRows } from '../db/execute.ts'
import { mapDbErrors } from '../db/errors.ts'
import { DEPARTMENT_KINDS, departments, type DepartmentKind } from '../db/schema.ts'
import { id, notFound, oneOf, parseInput, requiredText } from './input.ts'

export type Department = typeof departments.$inferSelect

export interface NewDepartment {
  id?: string
  code: string
  name: string
  kind: DepartmentKind
  parentId?: string | null
}

export interface DepartmentRepository {
  create(input: NewDepartment): Promise<Department>
  get(id: string): Promise<Department | null>
  getByCode(code: string): Promise<Department | null>
  /** every department, ordered by code */
  list(): Promise<Department[]>
  update(id: string, patch: { code?: string; name?: string }): Promise<Department>
  /** the given ids plus every unit below them — what a department user may see */
  withDescendants(ids: readonly string[]): Promise<string[]>
  /**
   * Creates or updates departments by code (name, kind and parent, the parent named by its code), in
   * one transaction (a savepoint inside storage.transaction): all are stored or none. Give parents
   * before their children when both are new. Refuses (invalid_input) a result where a unit has no
   * parent, a parent is a unit, or a department or town has a parent.
   */
  upsertByCode(items: readonly DepartmentByCode[]): Promise<{ department: Department; action: 'created' | 'updated' | 'unchanged' }[]>
}

export interface DepartmentByCode {
  code: string
  name: string
  kind: DepartmentKind
  /** the parent's code; null for departments and towns */
  parentCode: string | null
}

const CODE = requiredText('部门代码（code）', 50)
const NAME = requiredText('部门名称（name）', 200)
const newDepartmentSchema = z.object({
  id: id('部门编号（id）').optional(),
  code: CODE,
  name: NAME,
  kind: oneOf('部门类型（kind）', DEPARTMENT_KINDS),
  parentId: id('上级部门（parentId）').nullish(),
})
const departmentByCodeSchema = z.object({
  code: CODE,
  name: NAME,
  kind: oneOf('部门类型（kind）', DEPARTMENT_KINDS),
  parentCode: CODE.nullable(),
})
const CONFLICT = { conflict: '部门代码（code）已存在', missingReference: '上级部门（parentId）不存在' }

export function createDepartmentRepository(db: Db): DepartmentRepository {
  async function get(departmentId: string): Promise<Department | null> {
    const [row] = await db.select().from(departments).where(eq(departments.id, departmentId))
    return row ?? null
  }

  return {
    async create(input) {
      const data = parseInput(newDepartmentSchema, input)
      // Only units hang below something, and only below a department or a town, so "a department
      // and its units" is always one level deep.
      if (data.kind === 'unit' && !data.parentId) throw new AppError('invalid_input', '单位必须指定上级部门（parentId）')
      if (data.kind !== 'unit' && data.parentId) throw new AppError('invalid_input', '部门和镇街不能指定上级部门（parentId）')
      return mapDbErrors(
        () =>
          db.transaction(async (tx) => {
            if (data.parentId) {
              const [parent] = await tx.select().from(departments).where(eq(departments.id, data.parentId))
              if (!parent) throw new AppError('invalid_input', `上级部门（parentId）不存在：${data.parentId}`)
              if (parent.kind === 'unit') throw new AppError('invalid_input', '上级部门（parentId）不能是单位')
            }
            const [row] = await tx
              .insert(departments)
              .values({ ...(data.id ? { id: data.id } : {}), code: data.code, name: data.name, kind: data.kind, parentId: data.parentId ?? null })
              .returning()
            return row!
          }),
        CONFLICT,
      )
    },

    get,

    async getByCode(code) {
      const [row] = await db.select().from(departments).where(eq(departments.code, code))
      return row ?? null
    },

    list() {
      return db.select().from(departments).orderBy(asc(departments.code))
    },

    async update(departmentId, patch) {
      const data = parseInput(z.object({ code: CODE.optional(), name: NAME.optional() }), patch)
      if (data.code === undefined && data.name === undefined) {
        const row = await get(departmentId)
        if (!row) throw notFound('部门', departmentId)
        return row
      }
      const [row] = await mapDbErrors(
        () => db.update(departments).set(data).where(eq(departments.id, departmentId)).returning(),
        CONFLICT,
      )
      if (!row) throw notFound('部门', departmentId)
      return row
    },

    async upsertByCode(items) {
      const data = items.map((item) => parseInput(departmentByCodeSchema, item))
      return mapDbErrors(
        () =>
          db.transaction(async (tx) => {
            const byCode = new Map((await tx.select().from(departments)).map((d) => [d.code, d]))
            const out: { department: Department; action: 'created' | 'updated' | 'unchanged' }[] = []
            for (const item of data) {
              let parentId: string | null = null
              if (item.parentCode !== null) {
                const parent = byCode.get(item.parentCode)
                if (!parent) throw new AppError('invalid_input', `部门 ${item.code} 的上级代码 ${item.parentCode} 不存在`)
                parentId = parent.id
              }
              const before = byCode.get(item.code)
              let row: Department
              let action: 'created' | 'updated' | 'unchanged'
              if (!before) {
                ;[row] = await tx.insert(departments).values({ code: item.code, name: item.name, kind: item.kind, parentId }).returning() as [Department]
                action = 'created'
              } else if (before.name === item.name && before.kind === item.kind && before.parentId === parentId) {
                row = before
                action = 'unchanged'
              } else {
                ;[row] = await tx.update(departments).set({ name: item.name, kind: item.kind, parentId }).where(eq(departments.id, before.id)).returning() as [Department]
                action = 'updated'
              }
              byCode.set(row.code, row)
              out.push({ department: row, action })
            }
            // the two-level tree holds for everything after the batch (changed rows and their neighbours)
            const byId = new Map([...byCode.values()].map((d) => [d.id, d]))
            for (const d of byCode.values()) {
              const parent = d.parentId ? byId.get(d.parentId) : undefined
              if (d.kind === 'unit' && !parent) throw new AppError('invalid_input', `单位 ${d.code}（${d.name}）必须有上级部门`)
              if (d.kind !== 'unit' && d.parentId) throw new AppError('invalid_input', `部门或镇街 ${d.code}（${d.name}）不能有上级部门`)
              if (parent && parent.kind === 'unit') throw new AppError('invalid_input', `单位 ${d.code}（${d.name}）的上级 ${parent.code} 是单位，单位只能隶属于部门或镇街`)
            }
            return out
          }),
        CONFLICT,
      )
    },

    async withDescendants(ids) {
      if (ids.length === 0) return []
      // One recursive query instead of one query per level: every request and socket upgrade resolves
      // its caller's scope with it, so each level was another round trip before anything else ran.
      const start = sql.join(ids.map((id) => sql`${id}`), sql`, `)
      const rows = await executeRows<{ id: string }>(db, sql`
        with recursive scope(id) as (
          select unnest(array[${start}]::text[])
          union
          select d.id from ${departments} d join scope on d.parent_id = scope.id
        )
        select id from scope`)
      const seen = new Set(ids)
      for (const r of rows) seen.add(r.id)
      return [...seen]
    },
  }
}
