// GET /api/tables/:id/export (one table, xlsx or PDF, in its template's official layout) and
// POST /api/tables/export (selected tables in one zip). Every export asks can(actor, 'export') — the
// same decision as a read — and a 涉密 table never leaves in the public edition.
import { Hono } from 'hono'
import JSZip from 'jszip'
import { exportQuery, zipExportBody } from '../../../shared/api/export.ts'
import { AppError } from '../../../shared/errors.ts'
import { can } from '../../../shared/permissions.ts'
import type { Caller } from '../../auth/session.ts'
import { exportDoc } from '../../export/document.ts'
import { inEdition } from '../../export/edition.ts'
import { attachment, renderTable } from '../../export/render.ts'
import { loadExportSource } from '../../export/source.ts'
import type { Storage, TableRow } from '../../storage/index.ts'
import type { AppDeps, AppEnv } from '../context.ts'
import { parseRequest, readJson, requireCaller } from '../guards.ts'

/** An existing table the caller may not export is a 403 with the reason (not a 404): exports name their refusals. */
async function exportableTable(storage: Storage, caller: Caller, tableId: string): Promise<TableRow> {
  const table = await storage.tables.get(tableId)
  if (!table) throw new AppError('not_found', '表格不存在', { tableId })
  const decision = can(caller.actor, 'export', { departmentId: table.departmentId, status: table.status, classified: table.classified, year: table.year })
  if (!decision.allowed) throw new AppError('forbidden', decision.reason, { tableId, action: 'export' })
  return table
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

export function tableExportRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>()
  const { storage } = deps

  app.get('/:id/export', async (c) => {
    const caller = requireCaller(c)
    const q = parseRequest(exportQuery, c.req.query())
    const table = await exportableTable(storage, caller, c.req.param('id'))
    const doc = exportDoc(await loadExportSource(deps, table, q))
    const file = await renderTable(doc, q.format)
    await storage.audit.record({ userId: caller.user.id, action: 'table.export', tableId: table.id, details: { format: q.format, version: doc.version, edition: q.edition } })
    return c.body(file.bytes as Uint8Array<ArrayBuffer>, 200, { 'content-type': file.mediaType, 'content-disposition': attachment(file.fileName) })
  })

  app.post('/export', async (c) => {
    const caller = requireCaller(c)
    const body = parseRequest(zipExportBody, await readJson(c))
    const ids = [...new Set(body.tableIds)]
    const tables: TableRow[] = []
    const refused: { tableId: string; reason: string }[] = []
    for (const id of ids) {
      const table = await storage.tables.get(id)
      if (!table) throw new AppError('not_found', `表格 ${id} 不存在`, { field: 'tableIds', tableId: id })
      const decision = can(caller.actor, 'export', { departmentId: table.departmentId, status: table.status, classified: table.classified, year: table.year })
      if (!decision.allowed) refused.push({ tableId: id, reason: decision.reason })
      else if (!inEdition(table.classified, body.edition)) refused.push({ tableId: id, reason: `「${table.title || id}」为涉密表，不能导出公开版` })
      else tables.push(table)
    }
    if (refused.length > 0) {
      throw new AppError('forbidden', `所选表格中有 ${refused.length} 张不能导出：${refused[0]!.reason}${refused.length > 1 ? ' 等' : ''}`, { refused })
    }
    const zip = new JSZip()
    const used = new Set<string>()
    for (const table of tables) {
      const file = await renderTable(exportDoc(await loadExportSource(deps, table, { edition: body.edition })), body.format)
      let name = file.fileName
      for (let n = 2; used.has(name); n++) name = file.fileName.replace(/(\.\w+)$/, `（${n}）$1`)
      used.add(name)
      zip.file(name, file.bytes)
      await yieldToLoop() // a live session keeps its turn between tables
    }
    const bytes = await zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' })
    await storage.audit.record({ userId: caller.user.id, action: 'tables.export', details: { format: body.format, edition: body.edition, tableIds: tables.map((t) => t.id) } })
    const stamp = new Date().toISOString().slice(0, 10)
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, { 'content-type': 'application/zip', 'content-disposition': attachment(`绩效目标表导出-${stamp}（${tables.length}张）.zip`) })
  })

  return app
}
