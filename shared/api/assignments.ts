// 第三方机构分工: finance assigns departments (with their units and towns) to a consultant for a budget year,
// each with its 难度分类. CONTRACT.md → `/api/assignments`. The assignment is what gives the consultant read,
// edit, comment and grading rights on that year's tables of those departments (shared/permissions.ts).
import { z } from 'zod'
import { isoTime } from './common.ts'

export const DIFFICULTIES = ['high', 'low', 'homogeneous', 'town'] as const
export type Difficulty = (typeof DIFFICULTIES)[number]
/** glossary: 难度分类 高/低/同质化/镇街 */
export const DIFFICULTY_LABELS: Readonly<Record<Difficulty, string>> = { high: '难度较高', low: '难度较低', homogeneous: '同质化', town: '镇街' }

const year = z.coerce
  .number({ error: '预算年度（year）必须是数字' })
  .int({ error: '预算年度（year）必须是整数' })
  .min(2000, { error: '预算年度（year）应在 2000–2100 之间' })
  .max(2100, { error: '预算年度（year）应在 2000–2100 之间' })

/** GET /api/assignments?year=&consultantId= (finance: all; a consultant: its own; others 403) */
export const assignmentListQuery = z.object({ year: year.optional(), consultantId: z.string().min(1).max(100).optional() })
export type AssignmentListQuery = z.input<typeof assignmentListQuery>

export const assignment = z.object({
  year: z.number().int(),
  departmentId: z.string(),
  departmentName: z.string(),
  departmentCode: z.string(),
  consultantId: z.string(),
  consultantName: z.string(),
  difficulty: z.enum(DIFFICULTIES),
  assignedAt: isoTime,
})
export type Assignment = z.infer<typeof assignment>

export const assignmentListAnswer = z.object({ assignments: z.array(assignment) })
export type AssignmentListAnswer = z.infer<typeof assignmentListAnswer>

/**
 * POST /api/assignments (finance): assign these departments to the consultant for the year, all or nothing.
 * A department another consultant holds that year refuses the call with 409 naming it (one consultant per
 * department and year); one this consultant holds already takes the new difficulty.
 */
export const assignBody = z.object({
  year,
  consultantId: z.string({ error: '第三方机构（consultantId）必填' }).min(1, { error: '第三方机构（consultantId）必填' }).max(100),
  departmentIds: z
    .array(z.string().min(1).max(100), { error: '部门（departmentIds）必须是列表' })
    .min(1, { error: '请至少选择一个部门（departmentIds）' })
    .max(1000, { error: '一次最多分配 1000 个部门（departmentIds）' }),
  difficulty: z.enum(DIFFICULTIES, { error: '难度分类（difficulty）应为 high、low、homogeneous 或 town' }),
})
export type AssignBody = z.infer<typeof assignBody>

/** DELETE /api/assignments?year=&departmentId= (finance) */
export const unassignQuery = z.object({ year, departmentId: z.string({ error: '部门（departmentId）必填' }).min(1, { error: '部门（departmentId）必填' }).max(100) })
