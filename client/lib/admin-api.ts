// Typed calls of the /admin page (shared/api/assignments.ts, shared/api/directory.ts; type-only imports: no zod in the bundle).
import type { AssignBody, AssignmentListAnswer } from '../../shared/api/assignments.ts'
import type { PublicUser, UserListAnswer } from '../../shared/api/directory.ts'
import { api } from './api.ts'

/** GET /api/assignments: finance every firm's, a consultant its own; every year when `year` is undefined */
export function listAssignments(year: number | undefined, signal?: AbortSignal): Promise<AssignmentListAnswer> {
  const q = year !== undefined ? `?year=${encodeURIComponent(String(year))}` : ''
  return api<AssignmentListAnswer>(`/api/assignments${q}`, { signal })
}

export function assignDepartments(body: AssignBody): Promise<AssignmentListAnswer> {
  return api<AssignmentListAnswer>('/api/assignments', { method: 'POST', json: body })
}

export function unassignDepartment(year: number, departmentId: string): Promise<void> {
  return api<void>(`/api/assignments?year=${year}&departmentId=${encodeURIComponent(departmentId)}`, { method: 'DELETE' })
}

export async function listUsers(signal?: AbortSignal): Promise<PublicUser[]> {
  return (await api<UserListAnswer>('/api/users', { signal })).users
}
