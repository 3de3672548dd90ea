// 第三方机构分工: which consultant works on which departments (with their units) in a budget year, and each
// department's 难度分类. One consultant per department and year: assigning a department another consultant
// holds is refused, naming that consultant (co-assignment would blur who answers for a table's review).
import { and, asc, eq, inArray } from 'drizzle-orm'
import { z } from 'zod'
import { AppError } from '../../shared/errors.ts'
import type { Db } from '../db/open.ts'
import { mapDbErrors } from '../db/errors.ts'
import { DIFFICULTIES, assignments, departments, users, type Difficulty } from '../db/schema.ts'
import { id, oneOf, parseInput } from './input.ts'

export interface Assignment {
  year: number
  departmentId: string
  departmentName: string
  departmentCode: string
  consultantId: string
  consultantName: string
  difficulty: Difficulty
  assignedBy: string | null
  assignedAt: Date
}

export interface AssignInput {
  year: number
  consultantId: string
  departmentIds: readonly string[]
  difficulty: Difficulty
  assignedBy: string | null
}

export interface AssignmentRepository {
  /** ordered by year, department code */
  list(filter?: { year?: number; consultantId?: string }): Promise<Assignment[]>
  /**
   * Assigns every department to the consultant for the year, all or nothing: a department another
   * consultant holds that year refuses the whole call (`conflict`, naming both); one this consultant
   * holds already gets the new difficulty. Returns the consultant's assignments for the year.
   */
  assign(input: AssignInput): Promise<Assignment[]>
  /** true when there was an assignment */
  unassign(year: number, departmentId: string): Promise<boolean>
  /** year → the department ids assigned to the consultant (without units; the caller resolves them) */
  forConsultant(consultantId: string): Promise<Map<number, string[]>>
}

const YEAR = z.number({ error: '预算年度（year）必须是数字' }).int().min(2000, { error: '预算年度（year）应在 2000–2100 之间' }).max(2100, { error: '预算年度（year）应在 2000–2100 之间' })
const assignSchema = z.object({
  year: YEAR,
  consultantId: id('第三方机构（consultantId）'),
  departmentIds: z.array(id('部门（departmentIds）'), { error: '部门（departmentIds）必须是列表' }).min(1, { error: '请至少选择一个部门（departmentIds）' }).max(1000),
  difficulty: oneOf('难度分类（difficulty）', DIFFICULTIES),
  assignedBy: z.string().nullable(),
})

export function createAssignmentRepository(db: Db): AssignmentRepository {
  const columns = {
    year: assignments.year,
    departmentId: assignments.departmentId,
    departmentName: departments.name,
    departmentCode: departments.code,
    consultantId: assignments.consultantId,
    consultantName: users.displayName,
    difficulty: assignments.difficulty,
    assignedBy: assignments.assignedBy,
    assignedAt: assignments.assignedAt,
  }
  async function list(filter: { year?: number; consultantId?: string } = {}, handle: Db = db): Promise<Assignment[]> {
    const where = and(
      filter.year !== undefined ? eq(assignments.year, filter.year) : undefined,
      filter.consultantId !== undefined ? eq(assignments.consultantId, filter.consultantId) : undefined,
    )
    return handle
      .select(columns)
      .from(assignments)
      .innerJoin(departments, eq(departments.id, assignments.departmentId))
      .innerJoin(users, eq(users.id, assignments.consultantId))
      .where(where)
      .orderBy(asc(assignments.year), asc(departments.code))
  }

  return {
    list: (filter) => list(filter),

    async assign(input) {
      const data = parseInput(assignSchema, input)
      const departmentIds = [...new Set(data.departmentIds)]
      return mapDbErrors(
        () =>
          db.transaction(async (tx) => {
            const [consultant] = await tx.select({ id: users.id, role: users.role, name: users.displayName }).from(users).where(eq(users.id, data.consultantId))
            if (!consultant) throw new AppError('invalid_input', `第三方机构账号不存在：${data.consultantId}`, { field: 'consultantId' })
            if (consultant.role !== 'consultant') throw new AppError('invalid_input', `${consultant.name} 不是第三方机构账号，不能分配部门`, { field: 'consultantId' })
            const found = await tx.select({ id: departments.id }).from(departments).where(inArray(departments.id, departmentIds))
            const missing = departmentIds.filter((d) => !found.some((f) => f.id === d))
            if (missing.length) throw new AppError('invalid_input', `部门不存在：${missing.join('、')}`, { field: 'departmentIds', missing })
            // the rows of these departments for the year, locked so two finance users cannot both assign one
            const held = await tx
              .select({ departmentId: assignments.departmentId, consultantId: assignments.consultantId, departmentName: departments.name, consultantName: users.displayName })
              .from(assignments)
              .innerJoin(departments, eq(departments.id, assignments.departmentId))
              .innerJoin(users, eq(users.id, assignments.consultantId))
              .where(and(eq(assignments.year, data.year), inArray(assignments.departmentId, departmentIds)))
              .for('update', { of: assignments })
            const taken = held.filter((h) => h.consultantId !== data.consultantId)
            if (taken.length) {
              throw new AppError(
                'conflict',
                `${data.year} 年${taken.map((t) => `${t.departmentName}已分配给${t.consultantName}`).join('；')}。一个部门一年只分配给一家第三方机构，请先取消原分配`,
                { field: 'departmentIds', taken: taken.map((t) => ({ departmentId: t.departmentId, consultantId: t.consultantId })) },
              )
            }
            await tx
              .insert(assignments)
              .values(departmentIds.map((departmentId) => ({ year: data.year, departmentId, consultantId: data.consultantId, difficulty: data.difficulty, assignedBy: data.assignedBy })))
              .onConflictDoUpdate({ target: [assignments.year, assignments.departmentId], set: { difficulty: data.difficulty, assignedBy: data.assignedBy, assignedAt: new Date() } })
            return list({ year: data.year, consultantId: data.consultantId }, tx as unknown as Db)
          }),
        { conflict: '该部门本年度已分配给其他第三方机构', missingReference: '部门或第三方机构不存在' },
      )
    },

    async unassign(year, departmentId) {
      const rows = await db.delete(assignments).where(and(eq(assignments.year, year), eq(assignments.departmentId, departmentId))).returning({ year: assignments.year })
      return rows.length > 0
    },

    async forConsultant(consultantId) {
      const rows = await db.select({ year: assignments.year, departmentId: assignments.departmentId }).from(assignments).where(eq(assignments.consultantId, consultantId))
      const out = new Map<number, string[]>()
      for (const r of rows) out.set(r.year, [...(out.get(r.year) ?? []), r.departmentId])
      return out
    },
  }
}
