// Typed calls of export and the compiled book (shared/api/export.ts, type-only imports: no zod in the
// bundle): one table or a zip of several as a browser download, and the compilation jobs of /compilations.
import type { CompilationAccepted, CompilationBody, CompilationList, CompilationStatus, Edition, ExportFormat, ZipExportBody } from '../../shared/api/export.ts'
import { api, ApiError, token, type ApiErrorBody } from './api.ts'

/** What a download saved: the server's file name and its size. */
export interface Downloaded { name: string; bytes: number }

/** The file name of a Content-Disposition header: `filename*` (RFC 5987, UTF-8) first, else `filename`. */
export function fileNameOf(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback
  const star = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(disposition)
  if (star) {
    try {
      return decodeURIComponent(star[2]!.trim().replace(/^"|"$/g, ''))
    } catch {
      /* a malformed escape: fall back to the plain name */
    }
  }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/i.exec(disposition)
  return plain ? (plain[2] ?? plain[1]!).trim() : fallback
}

/**
 * Fetches `path` and hands the answer to the browser as a download (blob → object URL → `<a download>`)
 * under the server's file name. A refusal is thrown as ApiError with the server's message and details.
 */
export async function download(path: string, init: RequestInit & { json?: unknown } = {}, fallbackName = 'download'): Promise<Downloaded> {
  const headers = new Headers(init.headers)
  if (init.json !== undefined) headers.set('content-type', 'application/json')
  const t = token()
  if (t && !headers.has('authorization')) headers.set('authorization', `Bearer ${t}`)
  const res = await fetch(path, { ...init, headers, credentials: 'same-origin', body: init.json !== undefined ? JSON.stringify(init.json) : init.body })
  if (!res.ok) {
    const text = await res.text().catch(() => '')
    let e: ApiErrorBody['error'] | undefined
    try { e = (JSON.parse(text) as ApiErrorBody).error } catch { /* not JSON */ }
    throw new ApiError(res.status, e?.code ?? `http_${res.status}`, e?.message ?? `下载失败（${res.status}）`, e?.details)
  }
  const blob = await res.blob()
  const name = fileNameOf(res.headers.get('content-disposition'), fallbackName)
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.style.display = 'none'
  document.body.append(a)
  a.click()
  a.remove()
  // the click has handed the blob to the download manager; free it once that has started
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
  return { name, bytes: blob.size }
}

export interface TableExportOptions { format: ExportFormat; edition: Edition; /** absent: the live content (or the approved version of an approved table) */ version?: number }

export function exportTable(tableId: string, o: TableExportOptions): Promise<Downloaded> {
  const q = new URLSearchParams({ format: o.format, edition: o.edition })
  if (o.version !== undefined) q.set('version', String(o.version))
  return download(`/api/tables/${encodeURIComponent(tableId)}/export?${q}`, {}, `export.${o.format}`)
}

export function exportZip(body: ZipExportBody): Promise<Downloaded> {
  return download('/api/tables/export', { method: 'POST', json: body }, 'export.zip')
}

/** One table the server would not export, from a 403's `details.refused`. */
export interface Refusal { tableId: string; reason: string }

export function refusalsOf(e: unknown): Refusal[] {
  if (!(e instanceof ApiError) || !e.details || typeof e.details !== 'object') return []
  const r = (e.details as { refused?: unknown }).refused
  return Array.isArray(r) ? r.filter((x): x is Refusal => !!x && typeof x.tableId === 'string' && typeof x.reason === 'string') : []
}

// ---- the compiled book ----

export function startCompilation(body: CompilationBody): Promise<CompilationAccepted> {
  return api<CompilationAccepted>('/api/compilations', { method: 'POST', json: body })
}

export async function listCompilations(signal?: AbortSignal): Promise<CompilationStatus[]> {
  return (await api<CompilationList>('/api/compilations', { signal })).compilations
}

/** Cancels a queued or running job, or deletes a finished one's file. */
export async function removeCompilation(jobId: string): Promise<void> {
  await api<unknown>(`/api/compilations/${encodeURIComponent(jobId)}`, { method: 'DELETE' })
}

export const compilationFileUrl = (jobId: string) => `/api/compilations/${encodeURIComponent(jobId)}/file`

/** 1.2 MB, 340 KB: a file's size for people. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`
  return `${(n / 1024 / 1024).toFixed(1)} MB`
}
