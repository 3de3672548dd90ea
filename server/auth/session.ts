// Resolves the caller of a request from the session cookie or a bearer token into an Actor
// (role + departments including the units below them). Shared by REST and the socket upgrade.
import type { Storage, User } from '../storage/index.ts'
import type { Actor } from '../../shared/permissions.ts'

export const SESSION_COOKIE = 'tt_session'

export interface Caller { actor: Actor; user: User; sessionId: string; token: string }

export function tokenFromRequest(headers: { authorization?: string | null; cookie?: string | null }, queryToken?: string | null): string | null {
  const auth = headers.authorization
  if (auth && /^Bearer\s+/i.test(auth)) return auth.replace(/^Bearer\s+/i, '').trim() || null
  if (queryToken) return queryToken
  const cookie = headers.cookie
  if (!cookie) return null
  for (const part of cookie.split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k === SESSION_COOKIE) return decodeURIComponent(v.join('=')) || null
  }
  return null
}

/** `idleMs`: how long a session may go unused (config.sessionIdleMs; the storage default when omitted). */
export async function resolveCaller(storage: Storage, token: string | null, idleMs?: number): Promise<Caller | null> {
  if (!token || token.length > 200) return null
  const found = await storage.sessions.lookup(token, new Date(), idleMs)
  if (!found) return null
  const departmentIds = found.user.departmentIds.length ? await storage.departments.withDescendants(found.user.departmentIds) : []
  const assignedDepartmentIds = found.user.role === 'consultant' ? await assignedScope(storage, found.user.id) : undefined
  return {
    actor: { id: found.user.id, role: found.user.role, departmentIds, ...(assignedDepartmentIds ? { assignedDepartmentIds } : {}) },
    user: found.user,
    sessionId: found.session.id,
    token,
  }
}

/** A consultant's assignments (第三方机构分工): year → the assigned departments with their units. */
async function assignedScope(storage: Storage, consultantId: string): Promise<Record<number, string[]>> {
  const byYear = await storage.assignments.forConsultant(consultantId)
  const out: Record<number, string[]> = {}
  for (const [year, ids] of byYear) out[year] = await storage.departments.withDescendants(ids)
  return out
}
