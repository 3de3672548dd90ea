// POST /api/tables/import: tables from an xlsx in an official or common local layout (server/import).
// The workbook is read in the import worker; with ?dryRun=1 nothing is stored and the answer shows what
// would be created; otherwise every table is created in one transaction (all or nothing).
import { Hono } from 'hono'
import { AppError } from '../../../shared/errors.ts'
import { tableImportFields, type ImportedTable, type TableImportAnswer } from '../../../shared/api/imports.ts'
import { can } from '../../../shared/permissions.ts'
import { runImport } from '../../import/run.ts'
import { createTables } from '../../tables/create.ts'
import type { AppDeps, AppEnv } from '../context.ts'
import { parseRequest, requireCaller } from '../guards.ts'
import { isDryRun, readUpload } from '../upload.ts'

export function tableImportRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>()
  const { storage } = deps

  app.post('/import', async (c) => {
    const caller = requireCaller(c)
    const dryRun = isDryRun(c)
    const upload = await readUpload(c)
    const fields = parseRequest(tableImportFields, upload.fields)
    const dept = await storage.departments.get(fields.departmentId)
    if (!dept) throw new AppError('invalid_input', `部门 ${fields.departmentId} 不存在`, { field: 'departmentId' })
    const decision = can(caller.actor, 'edit', { departmentId: dept.id, status: 'draft', ...(fields.year !== undefined ? { year: fields.year } : {}) })
    if (!decision.allowed) throw new AppError('forbidden', decision.reason)

    // a file with no table, or more than MAX_IMPORT_TABLES, is refused by the reader (reason no_table / too_many_tables)
    const { tables, report } = await runImport({ kind: 'tables', data: upload.bytes, fileName: upload.fileName, year: fields.year })

    const answer = (ids: (string | undefined)[]): TableImportAnswer => ({
      dryRun,
      tables: tables.map((t, i): ImportedTable => ({
        ...(ids[i] ? { id: ids[i] } : {}),
        title: t.title, kind: t.content.kind, template: t.content.template, year: t.content.year,
        departmentId: dept.id, findings: report.tables[i]!.findings, content: t.content,
      })),
      report,
    })
    if (dryRun) return c.json(answer([]), 200)

    const rows = await storage.transaction((tx) =>
      createTables(
        tx, caller.user.id,
        tables.map((t) => ({ content: t.content, departmentId: dept.id, title: t.title, origin: { source: 'import', file: upload.fileName, sheet: t.sheet, range: t.range } })),
      ),
    )
    return c.json(answer(rows.map((r) => r.id)), 201)
  })

  return app
}
