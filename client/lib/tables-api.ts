// Typed calls of the table list page: list, create, delete tables; the departments directory.
// Request and answer types come from the zod schemas in shared/api (type-only imports: no zod in the bundle).
import type { z } from 'zod'
import type { CreateTableBody, TableDetail, TableListAnswer, tableListQuery } from '../../shared/api/tables.ts'
import type { DepartmentListAnswer, MeAnswer } from '../../shared/api/directory.ts'
import { api, ApiError } from './api.ts'

/** The list query as the server reads it (after parsing): the keys and value types of the contract. */
export type TableListParams = Partial<z.output<typeof tableListQuery>>

/** GET /api/tables with the query's keys as they are named in the contract; empty values are left out. */
export function listTables(query: TableListParams, signal?: AbortSignal): Promise<TableListAnswer> {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue
    params.set(k, String(v))
  }
  const qs = params.toString()
  return api<TableListAnswer>(`/api/tables${qs ? `?${qs}` : ''}`, { signal })
}

/** What POST /api/tables answers (201): the new table's own fields and its content, not yet the list's counts. */
export type CreatedTable = Pick<TableDetail, 'id' | 'kind' | 'template' | 'year' | 'departmentId' | 'title' | 'status' | 'round' | 'version' | 'content'>

export function createTable(body: CreateTableBody): Promise<CreatedTable> {
  return api<CreatedTable>('/api/tables', { method: 'POST', json: body })
}

export async function deleteTable(id: string, reason?: string): Promise<void> {
  await api<unknown>(`/api/tables/${encodeURIComponent(id)}`, { method: 'DELETE', json: reason ? { reason } : {} })
}

export async function listDepartments(signal?: AbortSignal): Promise<DepartmentListAnswer['departments']> {
  return (await api<DepartmentListAnswer>('/api/departments', { signal })).departments
}

/** The signed-in user, or null without a session. */
export async function currentUser(): Promise<MeAnswer['user'] | null> {
  try {
    return (await api<MeAnswer>('/api/auth/me')).user
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null
    throw e
  }
}

export async function logout(): Promise<void> {
  await api('/api/auth/logout', { method: 'POST' }).catch(() => undefined)
}

/** The field an error names (`details.field`, e.g. "projectName"), so a form can show it beside that field. */
export function errorField(e: unknown): string | undefined {
  if (!(e instanceof ApiError)) return undefined
  const d = e.details
  return d && typeof d === 'object' && 'field' in d && typeof d.field === 'string' ? d.field : undefined
}

export function isAbort(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError'
}
