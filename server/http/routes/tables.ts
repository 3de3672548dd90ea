// Tables: list (scoped to the caller), create, read, findings, transitions, versions, comments.
// Every route asks the shared permission function through requireTable before touching content.
import { Hono } from 'hono'
import { AppError } from '../../../shared/errors.ts'
import { TEMPLATE_IDS, TEMPLATES, blankTable, parseTable, type TargetTable, type TemplateId } from '../../../shared/model/index.ts'
import { can, TABLE_STATUSES, type TableStatus } from '../../../shared/permissions.ts'
import { readThreads } from '../../../shared/ydoc/index.ts'
import type { TableRow } from '../../storage/index.ts'
import { readContent, readTableDoc } from '../../tables/documents.ts'
import { createTables, titleOf } from '../../tables/create.ts'
import type { AppDeps, AppEnv } from '../context.ts'
import type { Caller } from '../../auth/session.ts'
import { createTableBody, type TableAccess, type TableDetail } from '../../../shared/api/tables.ts'
import { openThreadsOf } from '../../review/lifecycle.ts'
import { toTableSummary } from '../../tables/summary.ts'
import { parseRequest, readJson, requireCaller, requireTable } from '../guards.ts'


/** What the caller may do with the table now: the page shows exactly these buttons. */
export function accessOf(caller: Caller, table: TableRow): TableAccess {
  const ref = { departmentId: table.departmentId, status: table.status, classified: table.classified, version: table.version, year: table.year }
  const edit = can(caller.actor, 'edit', ref)
  const comment = can(caller.actor, 'comment', ref)
  const actions = (['submit', 'return', 'approve', 'reopen', 'delete', 'review'] as const).filter((a) => can(caller.actor, a, ref).allowed)
  return { edit: edit.allowed, comment: comment.allowed, ...(edit.allowed ? {} : { reason: edit.reason }), actions }
}

/** A new table's own fields (POST answer): it has no counts or department name to show yet. */
function createdFields(t: TableRow) {
  return {
    id: t.id, kind: t.kind, template: t.template, year: t.year, departmentId: t.departmentId, title: t.title,
    status: t.status, round: t.round, version: t.version, classified: t.classified, updatedAt: t.updatedAt,
  }
}

/** Parses submitted content for a new table, checking it agrees with the table's own fields. */
function contentForNewTable(raw: unknown, kind: 'project' | 'department', template: TemplateId, year: number): TargetTable {
  if (raw === undefined || raw === null) return blankTable(template, year)
  const parsed = parseTable(raw)
  if (!parsed.ok) throw new AppError('invalid_table', '表格内容格式不正确', { problems: parsed.problems })
  const content = parsed.table
  if (content.kind !== kind) throw new AppError('invalid_input', `内容的表类型（content.kind=${content.kind}）与 kind=${kind} 不一致`, { field: 'content.kind' })
  if (content.template !== template) throw new AppError('invalid_input', `内容的表样（content.template=${content.template}）与 template=${template} 不一致`, { field: 'content.template' })
  if (content.year !== year) throw new AppError('invalid_input', `内容的年度（content.year=${content.year}）与 year=${year} 不一致`, { field: 'content.year' })
  return content
}

export function tableRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>()
  const { storage } = deps

  // GET / (the list) lives in table-list.ts

  app.post('/', async (c) => {
    const caller = requireCaller(c)
    const input = parseRequest(createTableBody, await readJson(c))
    if (TEMPLATES[input.template].kind !== input.kind) {
      throw new AppError('invalid_input', `表样 ${input.template} 不适用于 ${input.kind === 'project' ? '项目' : '部门整体'}表`, { field: 'template' })
    }
    const dept = await storage.departments.get(input.departmentId)
    if (!dept) throw new AppError('invalid_input', `部门 ${input.departmentId} 不存在`, { field: 'departmentId' })
    const decision = can(caller.actor, 'edit', { departmentId: dept.id, status: 'draft', year: input.year })
    if (!decision.allowed) throw new AppError('forbidden', decision.reason)
    // a blank name is kept like any blank (the rules report R-HEADER-REQUIRED); the dialog asks for one
    const projectName = input.projectName?.trim() ?? ''
    const content = contentForNewTable(input.content, input.kind, input.template, input.year)
    // a blank form starts with what the dialog asked: the project's name, or the department's
    if (input.content === undefined) {
      if (content.kind === 'project') content.header.projectName = projectName
      else content.header.deptName = dept.name
    }
    const [row] = await storage.transaction((tx) =>
      createTables(tx, caller.user.id, [{ content, departmentId: dept.id, title: input.title ?? titleOf(content), classified: input.classified ?? false }]),
    )
    return c.json({ ...createdFields(row!), content }, 201)
  })

  app.get('/:id', async (c) => {
    const caller = requireCaller(c)
    const table = await requireTable(storage, caller, c.req.param('id'), 'read')
    const [content, department, findings, open] = await Promise.all([
      readContent(storage, deps.live, table.id),
      storage.departments.get(table.departmentId),
      deps.findings.get(table.id),
      openThreadsOf(deps, table.id),
    ])
    const answer: TableDetail = {
      ...toTableSummary(table, department?.name ?? '', findings.counts),
      // counted from the document just read (the stored count may trail a change made behind the server's back)
      openThreads: open.length,
      access: accessOf(caller, table),
      content,
      libraryVersionId: table.libraryVersionId ?? null,
    }
    return c.json(answer)
  })

  app.get('/:id/findings', async (c) => {
    const caller = requireCaller(c)
    const table = await requireTable(storage, caller, c.req.param('id'), 'read')
    const result = await deps.findings.get(table.id)
    return c.json(result)
  })

  app.get('/:id/comments', async (c) => {
    const caller = requireCaller(c)
    const table = await requireTable(storage, caller, c.req.param('id'), 'read')
    const round = c.req.query('round')
    const doc = await readTableDoc(storage, deps.live, table.id, 'comments')
    const threads = readThreads(doc).filter((t) => round === undefined || String(t.round) === round)
    return c.json({ threads })
  })

  /** Names of the people who wrote in the table's comments (and the caller), so authors show by name. */
  app.get('/:id/participants', async (c) => {
    const caller = requireCaller(c)
    const table = await requireTable(storage, caller, c.req.param('id'), 'read')
    const doc = await readTableDoc(storage, deps.live, table.id, 'comments')
    const ids = new Set<string>([caller.user.id])
    for (const t of readThreads(doc)) {
      ids.add(t.authorId)
      for (const m of t.messages) ids.add(m.authorId)
    }
    const users = await Promise.all([...ids].map((id) => storage.users.get(id)))
    const participants = users.filter((u) => u !== null).map((u) => ({ id: u.id, displayName: u.displayName, role: u.role }))
    return c.json({ participants })
  })

  return app
}
