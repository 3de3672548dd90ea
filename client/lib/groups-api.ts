// Typed calls of 同质化部门组 and 示范点 (shared/api/groups.ts; type-only imports: no zod in the bundle).
import type { CreateGroupBody, Group, GroupListAnswer, PropagateBody, PropagationReport, UpdateGroupBody } from '../../shared/api/groups.ts'
import { api } from './api.ts'

export function listGroups(year: number, signal?: AbortSignal): Promise<GroupListAnswer> {
  return api<GroupListAnswer>(`/api/groups?year=${encodeURIComponent(String(year))}`, { signal })
}

export function createGroup(body: CreateGroupBody): Promise<Group> {
  return api<Group>('/api/groups', { method: 'POST', json: body })
}

export function updateGroup(id: string, body: UpdateGroupBody): Promise<Group> {
  return api<Group>(`/api/groups/${encodeURIComponent(id)}`, { method: 'PATCH', json: body })
}

export function deleteGroup(id: string): Promise<void> {
  return api<void>(`/api/groups/${encodeURIComponent(id)}`, { method: 'DELETE' })
}

/** `dryRun: true` answers what would change (预览) and writes nothing; without it the set is written (下发). */
export function propagateGroup(id: string, body: PropagateBody): Promise<PropagationReport> {
  return api<PropagationReport>(`/api/groups/${encodeURIComponent(id)}/propagate`, { method: 'POST', json: body })
}
