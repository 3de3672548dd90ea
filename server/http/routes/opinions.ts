// 意见汇总表 routes: one table's round, and a department's (with its units) year, as JSON or xlsx.
// Access is the table's read permission, asked table by table, so an export never shows more than a read would.
import type { Context } from 'hono'
import { Hono } from 'hono'
import type { z } from 'zod'
import { cityOpinionsQuery, opinionsQuery, type OpinionRow, type OpinionsAnswer } from '../../../shared/api/review.ts'
import { AppError } from '../../../shared/errors.ts'
import { can, departmentsFor, isCityWideViewer } from '../../../shared/permissions.ts'
import { loadOpinions } from '../../review/opinions.ts'
import { opinionsWorkbook, type OpinionsWorkbookInput } from '../../review/opinions-xlsx.ts'
import type { Storage, TableRow } from '../../storage/index.ts'
import type { AppDeps, AppEnv } from '../context.ts'
import { roundInPath } from './table-lifecycle.ts'
import { parseRequest, requireCaller, requireTable } from '../guards.ts'

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'


/** Characters Windows and macOS refuse in a file name, and control characters. */
const UNSAFE_FILE_CHARS = /[\\/:*?"<>|\u0000-\u001F\u007F]/g

function fileNamePart(s: string, max = 60): string {
  const clean = s.replace(UNSAFE_FILE_CHARS, '_').trim()
  return [...clean].slice(0, max).join('') || '未命名'
}

/** RFC 6266 with an RFC 5987 UTF-8 name, and a plain ASCII name for clients that predate it. */
export function attachmentHeader(fileName: string, asciiFallback: string): string {
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)
  return `attachment; filename="${asciiFallback.replace(/[^\x20-\x7E]|["\\]/g, '_')}"; filename*=UTF-8''${encoded}`
}

async function answer(
  c: Context<AppEnv>,
  format: 'json' | 'xlsx',
  opinions: OpinionRow[],
  sheet: Omit<OpinionsWorkbookInput, 'opinions' | 'exportedAt'>,
  names: { fileName: string; ascii: string },
) {
  if (format === 'json') return c.json({ opinions } satisfies OpinionsAnswer)
  const bytes = await opinionsWorkbook({ ...sheet, opinions, exportedAt: new Date() })
  return c.body(new Uint8Array(bytes), 200, {
    'content-type': XLSX_TYPE,
    'content-disposition': attachmentHeader(names.fileName, names.ascii),
    'cache-control': 'no-store',
  })
}

const PAGE = 500

/** Every table the filter matches (deleted ones never), page by page: a department's year is never cut short. */
async function allTables(storage: Storage, filter: { year: number; allowedDepartmentIds: readonly string[] }): Promise<TableRow[]> {
  const out: TableRow[] = []
  for (let offset = 0; ; offset += PAGE) {
    const page = await storage.tables.list({ ...filter, limit: PAGE, offset })
    out.push(...page)
    if (page.length < PAGE) return out
  }
}

export function opinionRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>()
  const { storage } = deps

  app.get('/tables/:id/rounds/:n/opinions', async (c) => {
    const caller = requireCaller(c)
    const { format } = parseRequest(opinionsQuery, c.req.query())
    const table = await requireTable(storage, caller, c.req.param('id'), 'read')
    const round = roundInPath(c.req.param('n'), table)
    const opinions = await loadOpinions([table], { storage, live: deps.live, round })
    const title = table.title || '未命名表格'
    return answer(c, format, opinions, { scope: title, year: table.year, round, withTableColumn: false }, {
      fileName: `意见汇总表-${fileNamePart(title)}-第${round}轮.xlsx`,
      ascii: `opinions-${table.id}-round-${round}.xlsx`,
    })
  })

  app.get('/opinions', async (c) => {
    const caller = requireCaller(c)
    const query = c.req.query()
    if (!query.year) throw new AppError('invalid_input', '年度（year）必填', { field: 'year' })
    const q = parseRequest(cityOpinionsQuery, query)
    const { actor } = caller
    const department = await storage.departments.get(q.departmentId)
    if (!department) throw new AppError('not_found', `部门不存在（departmentId=${q.departmentId}）`, { field: 'departmentId' })
    // finance and city-wide viewers read across departments; everyone else only inside their departments and units
    if (actor.role !== 'finance' && !isCityWideViewer(actor) && !departmentsFor(actor, q.year).includes(department.id)) {
      throw new AppError('forbidden', `您无权查看${department.name}的意见汇总表`, { field: 'departmentId' })
    }
    const scope = await storage.departments.withDescendants([department.id])
    const readable = (await allTables(storage, { year: q.year, allowedDepartmentIds: scope }))
      .filter((t) => can(actor, 'read', { departmentId: t.departmentId, status: t.status, classified: t.classified, year: t.year }).allowed)
    // the department first, then its units (codes extend the parent's), each by title
    const codes = new Map((await Promise.all([...new Set(readable.map((t) => t.departmentId))].map((id) => storage.departments.get(id))))
      .filter((d) => d !== null)
      .map((d) => [d.id, d.code]))
    const tables = readable.sort((a, b) =>
      (codes.get(a.departmentId) ?? '').localeCompare(codes.get(b.departmentId) ?? '') || a.title.localeCompare(b.title, 'zh-Hans-CN') || a.id.localeCompare(b.id))
    const opinions = await loadOpinions(tables, { storage, live: deps.live, round: q.round })
    const rounds = q.round === undefined ? '全部轮次' : `第${q.round}轮`
    return answer(c, q.format, opinions, {
      scope: scope.length > 1 ? `${department.name}（含下属单位）` : department.name, year: q.year, round: q.round ?? null, withTableColumn: true, tableCount: tables.length,
    }, {
      fileName: `意见汇总表-${fileNamePart(department.name)}-${q.year}年度-${rounds}.xlsx`,
      ascii: `opinions-${department.code}-${q.year}-${q.round === undefined ? 'all-rounds' : `round-${q.round}`}.xlsx`,
    })
  })

  return app
}
