// Reading an uploaded file (multipart/form-data `file` + text fields) for the import routes. The body
// limit in app.ts already answers 413 above MAX_IMPORT_BYTES; this names what is missing in Chinese.
import type { Context } from 'hono'
import { AppError } from '../../shared/errors.ts'
import { MAX_IMPORT_BYTES } from '../../shared/api/imports.ts'

export interface Upload {
  fileName: string
  bytes: Uint8Array
  /** the other form fields, as text */
  fields: Record<string, string>
}

/** `?dryRun=1` / `true`: look, store nothing. */
export function isDryRun(c: Context): boolean {
  const v = c.req.query('dryRun')
  return v === '1' || v === 'true'
}

export async function readUpload(c: Context): Promise<Upload> {
  const type = (c.req.header('content-type') ?? '').toLowerCase()
  if (!type.startsWith('multipart/form-data')) {
    throw new AppError('invalid_input', '请以 multipart/form-data 上传文件（字段 file）', { field: 'file', reason: 'not_multipart' })
  }
  let body: Record<string, string | File | (string | File)[]>
  try {
    body = await c.req.parseBody({ all: true })
  } catch {
    throw new AppError('invalid_input', '上传内容无法解析，请重新选择文件上传', { field: 'file', reason: 'bad_multipart' })
  }
  const raw = body.file
  const file = Array.isArray(raw) ? raw.find((f): f is File => typeof f !== 'string') : raw
  if (Array.isArray(raw) && raw.length > 1) throw new AppError('invalid_input', '一次只能上传一个文件（file）', { field: 'file', reason: 'several_files' })
  if (!file || typeof file === 'string') throw new AppError('invalid_input', '请选择要导入的 Excel 文件（file）', { field: 'file', reason: 'missing' })
  if (file.size > MAX_IMPORT_BYTES) {
    throw new AppError('payload_too_large', `文件过大（${(file.size / 1024 / 1024).toFixed(1)} MB，最多 ${MAX_IMPORT_BYTES / 1024 / 1024} MB）`, { field: 'file', reason: 'too_large' })
  }
  const fields: Record<string, string> = {}
  for (const [k, v] of Object.entries(body)) {
    if (k === 'file') continue
    const one = Array.isArray(v) ? v[0] : v
    if (typeof one === 'string') fields[k] = one
  }
  return { fileName: file.name || 'upload.xlsx', bytes: new Uint8Array(await file.arrayBuffer()), fields }
}
