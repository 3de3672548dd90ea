// The library in and out of Excel, and its versions per budget year (shared/api/library-transfer.ts):
// GET /indicators/export (finance, consultants: the library now, or a published version as it was),
// POST /indicators/import (finance; `?dryRun=1` reports and stores nothing; each row whole or not at all,
// every good row in one transaction), GET /indicators/versions (signed in), POST /indicators/versions
// (finance: freeze the library as the year's next version).
// WATCH OUT: mounted before indicatorRoutes in app.ts — its `GET /indicators/:id` would take `export`
// and `versions` for ids.
import { Hono } from 'hono'
import {
  exportQuery, publishVersionBody,
  type LibraryImportReport, type LibraryVersion, type LibraryVersionsAnswer,
} from '../../../shared/api/library-transfer.ts'
import { AppError } from '../../../shared/errors.ts'
import { runImport } from '../../import/run.ts'
import { planLibraryImport } from '../../library/transfer-plan.ts'
import type { TransferFields } from '../../library/transfer-format.ts'
import { libraryWorkbook } from '../../library/transfer-xlsx.ts'
import type { LibraryVersionSummary, Storage } from '../../storage/index.ts'
import type { AppDeps, AppEnv } from '../context.ts'
import { parseRequest, readJson, requireCaller, requireRole } from '../guards.ts'
import { isDryRun, readUpload } from '../upload.ts'
import { attachmentHeader } from './opinions.ts'

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const EXPORTERS = ['finance', 'consultant'] as const

function versionAnswer(v: LibraryVersionSummary): LibraryVersion {
  return { ...v, createdAt: new Date(v.createdAt).toISOString() }
}

/** id → the department's name; its code when two departments share the name (the import reads either) */
async function departmentNames(storage: Storage): Promise<(id: string) => string> {
  const all = await storage.departments.list()
  const uses = new Map<string, number>()
  for (const d of all) uses.set(d.name.trim(), (uses.get(d.name.trim()) ?? 0) + 1)
  const byId = new Map(all.map((d) => [d.id, (uses.get(d.name.trim()) ?? 0) > 1 ? d.code : d.name]))
  return (id) => byId.get(id) ?? id
}

export function indicatorTransferRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>()
  const { storage } = deps

  app.get('/indicators/export', async (c) => {
    requireRole(c, ...EXPORTERS)
    const query = parseRequest(exportQuery, c.req.query())
    let entries: (TransferFields & { id: string })[]
    let fileName: string
    let ascii: string
    if (query.version !== undefined) {
      const version = await storage.libraryVersions.get(query.version)
      if (!version) throw new AppError('not_found', `指标库版本不存在：${query.version}`, { field: 'version' })
      entries = version.entries as unknown as (TransferFields & { id: string })[]
      fileName = `指标库-${version.year}年度第${version.version}版.xlsx`
      ascii = `library-${version.year}-v${version.version}.xlsx`
    } else {
      entries = await storage.library.all()
      const day = new Date().toISOString().slice(0, 10)
      fileName = `指标库-${day}.xlsx`
      ascii = `library-${day}.xlsx`
    }
    const bytes = await libraryWorkbook(entries, await departmentNames(storage))
    return c.body(new Uint8Array(bytes), 200, {
      'content-type': XLSX_TYPE,
      'content-disposition': attachmentHeader(fileName, ascii),
      'cache-control': 'no-store',
    })
  })

  app.post('/indicators/import', async (c) => {
    const caller = requireRole(c, 'finance')
    const dryRun = isDryRun(c)
    const upload = await readUpload(c)
    // read in the import worker: ExcelJS never parses on the server's event loop
    const read = await runImport({ kind: 'library', data: upload.bytes, fileName: upload.fileName })
    const run = async (tx: Storage) => {
      // planned against the library inside the same transaction, so a concurrent change cannot slip between
      const plan = planLibraryImport(read, await tx.library.all(), await tx.departments.list())
      if (!dryRun && (plan.creates.length > 0 || plan.updates.length > 0)) {
        await tx.libraryImport.apply(plan.creates, plan.updates, { userId: caller.user.id, reason: `导入：${upload.fileName}` })
        await tx.audit.record({
          userId: caller.user.id, action: 'library.import',
          details: { file: upload.fileName, rows: plan.rows, created: plan.creates.length, updated: plan.updates.length, unchanged: plan.unchanged, rejected: plan.rejected.length },
        })
      }
      return plan
    }
    const plan = dryRun ? await run(storage) : await storage.transaction(run)
    const report: LibraryImportReport = {
      dryRun,
      sheet: read.sheet,
      rows: plan.rows,
      created: plan.creates.length,
      updated: plan.updates.length,
      unchanged: plan.unchanged,
      rejected: plan.rejected,
      notes: read.notes,
    }
    return c.json(report, dryRun ? 200 : 201)
  })

  app.get('/indicators/versions', async (c) => {
    requireCaller(c)
    const versions = await storage.libraryVersions.list()
    return c.json({ versions: versions.map(versionAnswer) } satisfies LibraryVersionsAnswer)
  })

  app.post('/indicators/versions', async (c) => {
    const caller = requireRole(c, 'finance')
    const body = parseRequest(publishVersionBody, await readJson(c))
    const version = await storage.transaction(async (tx) => {
      const v = await tx.libraryVersions.publish({ year: body.year, note: body.note, userId: caller.user.id })
      await tx.audit.record({ userId: caller.user.id, action: 'library.version', details: { versionId: v.id, year: v.year, version: v.version, entries: v.entryCount } })
      return v
    })
    return c.json(versionAnswer(version), 201)
  })

  return app
}
