// The directory as the API answers it: departments (部门/单位/镇街) and the signed-in user. Pages infer
// their types from these; GET /api/departments and GET /api/auth/me answer in these shapes.
import { z } from 'zod'
import { ROLES } from '../permissions.ts'
import { isoTime } from './common.ts'

export const DEPARTMENT_KINDS = ['department', 'unit', 'town'] as const
export type DepartmentKind = (typeof DEPARTMENT_KINDS)[number]
export const DEPARTMENT_KIND_LABELS: Readonly<Record<DepartmentKind, string>> = { department: '部门', unit: '单位', town: '镇街' }

export const departmentSummary = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  kind: z.enum(DEPARTMENT_KINDS),
  /** a unit's department or town; null for departments and towns */
  parentId: z.string().nullable(),
  createdAt: isoTime,
})
export type DepartmentSummary = z.infer<typeof departmentSummary>

export const departmentListAnswer = z.object({ departments: z.array(departmentSummary) })
export type DepartmentListAnswer = z.infer<typeof departmentListAnswer>

export const publicUser = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(ROLES),
  /** the departments the user was given (their units are in scope too) */
  departmentIds: z.array(z.string()),
})
export type PublicUser = z.infer<typeof publicUser>

/** GET /api/users (finance) */
export const userListAnswer = z.object({ users: z.array(publicUser) })
export type UserListAnswer = z.infer<typeof userListAnswer>

export const meAnswer = z.object({ user: publicUser })
export type MeAnswer = z.infer<typeof meAnswer>

export const loginAnswer = z.object({ token: z.string(), user: publicUser })
export type LoginAnswer = z.infer<typeof loginAnswer>
