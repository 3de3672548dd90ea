// 年度结转 (glossary: rollover; issue 16 item 6): next year's tables from this year's approved ones.
// `POST /api/rollover` — finance for any department, a department user for its own (and its units), a
// consultant for the departments assigned to it in the target year; viewers never. Pages import the types
// only. What is carried (server/tables/rollover.ts):
//   - approved project tables that are not 一次性 (oneOff) and not ended — a project is ended when it is not
//     marked 延续 and its 项目期 ends (a readable year) before toYear; a 延续 project is always carried —
//     become 延续 in toYear with their indicators (targets kept as last year's values, each row's 备注 saying
//     上年指标值，待复核, and last year's rows as `priorYear` so R-CONTINUING-BASELINE asks for an update), the
//     year's amounts blanked (next year's budget is new: the rules report them until filled);
//   - approved department tables with their tasks (task amounts blanked) and indicators, marked the same way.
// Not carried, listed in `leftOut`: 一次性 (one_off), not approved (not_approved), rolled over already
// (already_rolled: running twice creates nothing twice, enforced by a unique index even under a race), a
// project that ended (ended). A department whose toYear already holds tables not made by a rollover is
// refused whole (`refused`, nothing of it created). The whole call is one transaction.
import { z } from 'zod'

const year = (field: string) =>
  z.number({ error: `${field}必须是数字` })
    .int({ error: `${field}必须是整数` })
    .min(2000, { error: `${field}不能早于 2000` })
    .max(2100, { error: `${field}不能晚于 2100` })

export const rolloverBody = z.object({
  fromYear: year('结转年度（fromYear）'),
  /** default fromYear + 1 */
  toYear: year('目标年度（toYear）').optional(),
  /** default: every department the caller may roll over (a department user: its own); units included */
  departmentIds: z.array(z.string({ error: '部门（departmentIds）必须是部门编号' }).min(1, { error: '部门（departmentIds）不能为空字符串' }), { error: '部门（departmentIds）必须是列表' })
    .min(1, { error: '部门（departmentIds）至少选择一个' }).max(500, { error: '部门（departmentIds）最多 500 个' }).optional(),
  /** true: the report of what would be done, nothing stored */
  dryRun: z.boolean({ error: '预览（dryRun）必须是布尔值' }).optional(),
}).superRefine((b, ctx) => {
  if (b.toYear !== undefined && b.toYear <= b.fromYear) {
    ctx.addIssue({ code: 'custom', path: ['toYear'], message: `目标年度（toYear）${b.toYear} 必须晚于结转年度（fromYear）${b.fromYear}` })
  }
})
export type RolloverBody = z.infer<typeof rolloverBody>

export const ROLLOVER_LEFT_OUT_REASONS = ['one_off', 'not_approved', 'already_rolled', 'ended', 'invalid'] as const
export type RolloverLeftOutReason = (typeof ROLLOVER_LEFT_OUT_REASONS)[number]

export const rolloverCarried = z.object({
  sourceTableId: z.string(),
  /** the new table; null in a dry run */
  tableId: z.string().nullable(),
  title: z.string(),
  kind: z.enum(['project', 'department']),
  departmentId: z.string(),
  departmentName: z.string(),
})
export type RolloverCarried = z.infer<typeof rolloverCarried>

export const rolloverLeftOut = z.object({
  sourceTableId: z.string(),
  title: z.string(),
  departmentName: z.string(),
  reason: z.enum(ROLLOVER_LEFT_OUT_REASONS),
  /** a Chinese sentence saying why */
  message: z.string(),
})
export type RolloverLeftOut = z.infer<typeof rolloverLeftOut>

export const rolloverRefused = z.object({ departmentId: z.string(), departmentName: z.string(), message: z.string() })
export type RolloverRefused = z.infer<typeof rolloverRefused>

export const rolloverAnswer = z.object({
  fromYear: z.number().int(),
  toYear: z.number().int(),
  dryRun: z.boolean(),
  carried: z.array(rolloverCarried),
  leftOut: z.array(rolloverLeftOut),
  refused: z.array(rolloverRefused),
})
export type RolloverAnswer = z.infer<typeof rolloverAnswer>

/** the mark a carried indicator row gets in its 备注 */
export const ROLLOVER_REVIEW_MARK = '上年指标值，待复核'
