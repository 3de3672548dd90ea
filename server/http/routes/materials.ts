// 资料清单 routes (contract: shared/api/materials.ts): a department's twelve items for a year, their statuses
// and files. Scope (materialsAccess): finance everything; a department user or consultant its departments for
// the year (departmentsFor: memberships with units, plus a consultant's assignments of that year); a
// department's read-only account reads its own; a city-wide viewer reads the checklist without downloading
// files; anyone else finds neither the checklist nor a file (404). Every change is audited in its transaction.
import { Hono, type Context } from 'hono'
import {
  MATERIAL_ITEMS,
  MAX_MATERIAL_FILES_PER_ITEM,
  MAX_MATERIAL_FILE_BYTES,
  cleanMaterialFileName,
  materialContentType,
  materialItemPath,
  materialStatusBody,
  materialsQuery,
  type MaterialFile,
  type MaterialItem,
  type MaterialsAnswer,
} from '../../../shared/api/materials.ts'
import { AppError } from '../../../shared/errors.ts'
import { departmentsFor, isCityWideViewer, type Actor } from '../../../shared/permissions.ts'
import type { Caller } from '../../auth/session.ts'
import type { MaterialFileMeta } from '../../storage/materials.ts'
import type { Storage } from '../../storage/index.ts'
import type { AppDeps, AppEnv } from '../context.ts'
import { parseRequest, readJson, requireCaller } from '../guards.ts'

export interface MaterialsAccess {
  write: boolean
  download: boolean
}

/** What the actor may do with a department's materials of a year; null: nothing (the caller sees 404). */
export function materialsAccess(actor: Actor, departmentId: string, year: number): MaterialsAccess | null {
  if (actor.role === 'finance') return { write: true, download: true }
  if (departmentsFor(actor, year).includes(departmentId)) return { write: actor.role !== 'viewer', download: true }
  if (isCityWideViewer(actor)) return { write: false, download: false }
  return null
}

const DEPARTMENT_NOT_FOUND = '部门不存在，或您无权查看该部门的资料清单'
const FILE_NOT_FOUND = '文件不存在'

async function requireDepartmentAccess(storage: Storage, caller: Caller, departmentId: string, year: number): Promise<MaterialsAccess> {
  const department = await storage.departments.get(departmentId)
  const access = department ? materialsAccess(caller.actor, departmentId, year) : null
  if (!access) throw new AppError('not_found', DEPARTMENT_NOT_FOUND, { field: 'id' })
  return access
}

/** a file's metadata, or 404 when it does not exist or lies outside the caller's scope */
async function requireFile(storage: Storage, caller: Caller, fileId: string): Promise<{ file: MaterialFileMeta; access: MaterialsAccess }> {
  const file = await storage.materials.fileMeta(fileId)
  const access = file ? materialsAccess(caller.actor, file.departmentId, file.year) : null
  if (!file || !access) throw new AppError('not_found', FILE_NOT_FOUND, { field: 'fileId' })
  return { file, access }
}

const requireWrite = (access: MaterialsAccess) => {
  if (!access.write) throw new AppError('forbidden', '只读账号不能修改资料清单')
}

const toFile = (f: MaterialFileMeta): MaterialFile => ({ id: f.id, name: f.name, size: f.size, contentType: f.contentType, uploadedAt: f.uploadedAt.toISOString(), uploadedByName: f.uploadedByName })

async function answer(storage: Storage, departmentId: string, year: number, access: MaterialsAccess): Promise<MaterialsAnswer> {
  const { items, files } = await storage.materials.list(departmentId, year)
  const list: MaterialItem[] = MATERIAL_ITEMS.map((label, i) => {
    const row = items.find((r) => r.item === i + 1)
    return {
      item: i + 1,
      label,
      status: row?.status ?? 'missing',
      note: row?.note ?? '',
      updatedAt: row ? row.updatedAt.toISOString() : null,
      updatedByName: row?.updatedByName ?? null,
      files: files.filter((f) => f.item === i + 1).map(toFile),
    }
  })
  return {
    departmentId,
    year,
    items: list,
    received: list.filter((x) => x.status === 'received').length,
    total: list.filter((x) => x.status !== 'not_applicable').length,
    access,
  }
}

/** RFC 6266 / RFC 5987: an ASCII fallback name and the exact UTF-8 name */
export function contentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%;]/g, '_') || 'file'
  const encoded = encodeURIComponent(name).replace(/['()*!]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`
}

async function readMaterialUpload(c: Context): Promise<File> {
  const type = (c.req.header('content-type') ?? '').toLowerCase()
  if (!type.startsWith('multipart/form-data')) throw new AppError('invalid_input', '请以 multipart/form-data 上传文件（字段 file）', { field: 'file', reason: 'not_multipart' })
  let body: Record<string, string | File | (string | File)[]>
  try {
    body = await c.req.parseBody({ all: true })
  } catch (e) {
    if (e instanceof AppError) throw e // the body limit's 413
    throw new AppError('invalid_input', '上传内容无法解析，请重新选择文件上传', { field: 'file', reason: 'bad_multipart' })
  }
  const raw = body.file
  if (Array.isArray(raw) && raw.length > 1) throw new AppError('invalid_input', '一次只能上传一个文件（file）', { field: 'file', reason: 'several_files' })
  const file = Array.isArray(raw) ? raw[0] : raw
  if (!file || typeof file === 'string') throw new AppError('invalid_input', '请选择要上传的文件（file）', { field: 'file', reason: 'missing' })
  if (file.size > MAX_MATERIAL_FILE_BYTES) {
    throw new AppError('payload_too_large', `文件过大（${(file.size / 1024 / 1024).toFixed(1)} MB），每个文件最多 ${MAX_MATERIAL_FILE_BYTES / 1024 / 1024} MB`, { field: 'file', reason: 'too_large' })
  }
  if (file.size === 0) throw new AppError('invalid_input', '文件是空的（0 字节），请重新选择', { field: 'file', reason: 'empty' })
  return file
}

export function materialRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>()
  const { storage } = deps

  app.get('/departments/:id/materials', async (c) => {
    const caller = requireCaller(c)
    const { year } = parseRequest(materialsQuery, c.req.query())
    const departmentId = c.req.param('id')
    const access = await requireDepartmentAccess(storage, caller, departmentId, year)
    return c.json(await answer(storage, departmentId, year, access))
  })

  app.put('/departments/:id/materials/:item', async (c) => {
    const caller = requireCaller(c)
    const { item } = parseRequest(materialItemPath, { item: c.req.param('item') })
    const body = parseRequest(materialStatusBody, await readJson(c))
    const departmentId = c.req.param('id')
    const access = await requireDepartmentAccess(storage, caller, departmentId, body.year)
    requireWrite(access)
    await storage.transaction(async (s) => {
      const { before } = await s.materials.setStatus({ departmentId, year: body.year, item, status: body.status, ...(body.note !== undefined ? { note: body.note } : {}), updatedBy: caller.user.id })
      await s.audit.record({ userId: caller.user.id, action: 'materials.status', details: { departmentId, year: body.year, item, before, status: body.status, ...(body.note !== undefined ? { note: body.note } : {}) } })
    })
    const all = await answer(storage, departmentId, body.year, access)
    return c.json(all.items[item - 1]!)
  })

  app.post('/departments/:id/materials/:item/files', async (c) => {
    const caller = requireCaller(c)
    const { item } = parseRequest(materialItemPath, { item: c.req.param('item') })
    const { year } = parseRequest(materialsQuery, c.req.query())
    const departmentId = c.req.param('id')
    const access = await requireDepartmentAccess(storage, caller, departmentId, year)
    requireWrite(access)
    const upload = await readMaterialUpload(c)
    const name = cleanMaterialFileName(upload.name)
    const bytes = new Uint8Array(await upload.arrayBuffer())
    const stored = await storage.transaction(async (s) => {
      await s.materials.lockItem(departmentId, year, item)
      if ((await s.materials.countFiles(departmentId, year, item)) >= MAX_MATERIAL_FILES_PER_ITEM) {
        throw new AppError('invalid_input', `该资料项已有 ${MAX_MATERIAL_FILES_PER_ITEM} 个文件，请先删除不需要的文件`, { field: 'file', reason: 'too_many_files' })
      }
      const file = await s.materials.addFile({ departmentId, year, item, name, contentType: materialContentType(upload.type), bytes, uploadedBy: caller.user.id })
      await s.audit.record({ userId: caller.user.id, action: 'materials.upload', details: { departmentId, year, item, fileId: file.id, name, size: file.size, sha256: file.sha256 } })
      return file
    })
    return c.json(toFile(stored), 201)
  })

  app.get('/materials/files/:fileId', async (c) => {
    const caller = requireCaller(c)
    const { file, access } = await requireFile(storage, caller, c.req.param('fileId'))
    if (!access.download) throw new AppError('forbidden', '只读账号可以查看资料清单，但不能下载部门资料文件')
    const bytes = await storage.materials.fileBytes(file.id)
    if (!bytes) throw new AppError('not_found', FILE_NOT_FOUND, { field: 'fileId' })
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': file.contentType,
      'Content-Length': String(bytes.byteLength),
      'Content-Disposition': contentDisposition(file.name),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, no-store',
    })
  })

  app.delete('/materials/files/:fileId', async (c) => {
    const caller = requireCaller(c)
    const { file, access } = await requireFile(storage, caller, c.req.param('fileId'))
    requireWrite(access)
    await storage.transaction(async (s) => {
      if (!(await s.materials.deleteFile(file.id))) throw new AppError('not_found', FILE_NOT_FOUND, { field: 'fileId' })
      await s.audit.record({ userId: caller.user.id, action: 'materials.delete_file', details: { departmentId: file.departmentId, year: file.year, item: file.item, fileId: file.id, name: file.name, size: file.size, sha256: file.sha256 } })
    })
    return c.body(null, 204)
  })

  return app
}
