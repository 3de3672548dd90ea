// Typed calls of the 资料清单 (shared/api/materials.ts; type-only imports: no zod in the bundle).
import type { MaterialFile, MaterialItem, MaterialStatusBody, MaterialsAnswer } from '../../../shared/api/materials.ts'
import { api } from '../../lib/api.ts'

const base = (departmentId: string) => `/api/departments/${encodeURIComponent(departmentId)}/materials`

export function getMaterials(departmentId: string, year: number, signal?: AbortSignal): Promise<MaterialsAnswer> {
  return api<MaterialsAnswer>(`${base(departmentId)}?year=${year}`, { signal })
}

export function setMaterialStatus(departmentId: string, item: number, body: MaterialStatusBody): Promise<MaterialItem> {
  return api<MaterialItem>(`${base(departmentId)}/${item}`, { method: 'PUT', json: body })
}

export function uploadMaterialFile(departmentId: string, year: number, item: number, file: File): Promise<MaterialFile> {
  const form = new FormData()
  form.set('file', file, file.name)
  return api<MaterialFile>(`${base(departmentId)}/${item}/files?year=${year}`, { method: 'POST', body: form })
}

export function deleteMaterialFile(fileId: string): Promise<void> {
  return api<void>(`/api/materials/files/${encodeURIComponent(fileId)}`, { method: 'DELETE' })
}

export const materialFileUrl = (fileId: string) => `/api/materials/files/${encodeURIComponent(fileId)}`
