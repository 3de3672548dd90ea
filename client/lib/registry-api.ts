// Typed calls of the /registry page (项目统计表, shared/api/registry.ts; type-only imports: no zod in the bundle).
import type {
  RegistryAliasAnswer, RegistryAliasBody, RegistryImportAnswer, RegistryListAnswer, RegistryTablesAnswer, RegistryTablesBody,
} from '../../shared/api/registry.ts'
import { api } from './api.ts'

export function listRegistry(year: number, signal?: AbortSignal): Promise<RegistryListAnswer> {
  return api<RegistryListAnswer>(`/api/registry?year=${encodeURIComponent(String(year))}`, { signal })
}

/** POST /api/registry/import: the xlsx as multipart `file` with the `year`; `dryRun` previews without storing. */
export function importRegistry(file: File, year: number, dryRun = false): Promise<RegistryImportAnswer> {
  const form = new FormData()
  form.set('file', file)
  form.set('year', String(year))
  return api<RegistryImportAnswer>(`/api/registry/import${dryRun ? '?dryRun=1' : ''}`, { method: 'POST', body: form })
}

export function mapDepartment(body: RegistryAliasBody): Promise<RegistryAliasAnswer> {
  return api<RegistryAliasAnswer>('/api/registry/aliases', { method: 'POST', json: body })
}

export function createRegistryTables(body: RegistryTablesBody): Promise<RegistryTablesAnswer> {
  return api<RegistryTablesAnswer>('/api/registry/tables', { method: 'POST', json: body })
}
