// Typed calls of the /admin page (shared/api/assignments.ts, shared/api/directory.ts; type-only imports: no zod in the bundle).
import type { AssignBody, AssignmentListAnswer } from '../../shared/api/assignments.ts'
import type { PublicUser, UserListAnswer } from '../../shared/api/directory.ts'
import { api } from './api.ts'

export function listAssignments(year: number, signal?: AbortSignal): Promise<AssignmentListAnswer> {
  return api<AssignmentListAnswer>(`/api/assignments?year=${encodeURIComponent(String(year))}`, { signal })
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
