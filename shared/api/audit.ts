// A department's audit trail (who did what to its tables, and what its people did), for finance.
import { z } from 'zod'
import { isoTime, limitParam } from './common.ts'

export const auditQuery = z.object({
  departmentId: z.string({ error: '部门（departmentId）必填' }).min(1, { error: '部门（departmentId）必填' }).max(100),
  limit: limitParam(100),
  /** from the previous answer's nextCursor */
  before: z.string().regex(/^\d{1,15}$/, { error: '翻页位置（before）格式不正确' }).optional(),
})

export const auditEntry = z.object({
  id: z.number().int(),
  at: isoTime,
  userId: z.string().nullable(),
  userName: z.string(),
  /** a dotted verb: table.create, table.submit, table.return, table.approve, table.reopen, table.review, table.delete, auth.login, … */
  action: z.string(),
  tableId: z.string().nullable(),
  tableTitle: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
})
export type AuditEntryAnswer = z.infer<typeof auditEntry>
export const auditAnswer = z.object({ entries: z.array(auditEntry), nextCursor: z.string().nullable() })
export type AuditAnswer = z.infer<typeof auditAnswer>
