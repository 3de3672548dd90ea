// Tables: list (scoped to the caller), create, read, findings, transitions, versions, comments.
// Every route asks the shared permission function through requireTable before touching content.
import { Hono } from 'hono'
import { z } from 'zod'
import { AppError } from '../../../shared/errors.ts'
import { TEMPLATE_IDS, TEMPLATES, blankTable, parseTable, type TargetTable, type TemplateId } from '../../../shared/model/index.ts'
import { can, TABLE_STATUSES, type TableStatus } from '../../../shared/permissions.ts'
import { readThreads } from '../../../shared/ydoc/index.ts'
import type { TableRow } from '../../storage/index.ts'
import { initialUpdate, readContent, readTableDoc } from '../../tables/documents.ts'
import type { AppDeps, AppEnv } from '../context.ts'
import { readJson, requireCaller, requireTable } from '../guards.ts'

const listQuery = z.object({
  year: z.coerce.number({ error: '年度（year）必须是数字' }).int().optional(),
  departmentId: z.string().optional(),
  status: z.enum(TABLE_STATUSES, { error: `状态（status）应为 ${TABLE_STATUSES.join('、')} 之一` }).optional(),
  kind: z.enum(['project', 'department'], { error: '表类型（kind）应为 project 或 department' }).optional(),
})

const createSchema = z.object({
  kind: z.enum(['project', 'department'], { error: '表类型（kind）应为 project 或 department' }),
  template: z.enum(TEMPLATE_IDS, { error: `表样版本（template）应为 ${TEMPLATE_IDS.join('、')} 之一` }),
  year: z.number({ error: '年度（year）必须是数字' }).int().min(2000).max(2100),
  departmentId: z.string({ error: '部门（departmentId）必填' }).min(1),
  title: z.string().max(500).optional(),
  classified: z.boolean().optional(),
  content: z.unknown().optional(),
})

const transitionSchema = z.object({
  action: z.enum(['submit', 'return', 'approve', 'reopen'], { error: '操作（action）应为 submit、return、approve 或 reopen' }),
  reason: z.string().max(2000).optional(),
})

function badInput(error: z.ZodError): AppError {
  const issue = error.issues[0]!
  return new AppError('invalid_input', issue.message, { field: issue.path.join('.') })
}

export function tableSummary(t: TableRow) {
  return {
    id: t.id, kind: t.kind, template: t.template, year: t.year, departmentId: t.departmentId, title: t.title,
    status: t.status, round: t.round, version: t.version, classified: t.classified, updatedAt: t.updatedAt,
  }
}

function titleOf(content: TargetTable): string {
  return content.kind === 'project' ? content.header.projectName : content.header.deptName
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

  app.get('/', async (c) => {
    const caller = requireCaller(c)
    const q = listQuery.safeParse(c.req.query())
    if (!q.success) throw badInput(q.error)
    const { actor } = caller
    const scoped = actor.role === 'finance' || actor.role === 'viewer' ? undefined : actor.departmentIds
    const rows = await storage.tables.list({ ...q.data, allowedDepartmentIds: scoped })
    const readable = rows.filter((t) => can(actor, 'read', { departmentId: t.departmentId, status: t.status, classified: t.classified }).allowed)
    const departmentNames = new Map((await storage.departments.list()).map((d) => [d.id, d.name]))
    const findings = await deps.findings.getMany(readable.map((t) => t.id))
    const tables = readable.map((t, i) => ({ ...tableSummary(t), departmentName: departmentNames.get(t.departmentId) ?? '', findings: findings[i]!.counts }))
    return c.json({ tables })
  })

  app.post('/', async (c) => {
    const caller = requireCaller(c)
    const body = createSchema.safeParse(await readJson(c))
    if (!body.success) throw badInput(body.error)
    const input = body.data
    if (TEMPLATES[input.template].kind !== input.kind) {
      throw new AppError('invalid_input', `表样 ${input.template} 不适用于 ${input.kind === 'project' ? '项目' : '部门整体'}表`, { field: 'template' })
    }
    const dept = await storage.departments.get(input.departmentId)
    if (!dept) throw new AppError('invalid_input', `部门 ${input.departmentId} 不存在`, { field: 'departmentId' })
    const decision = can(caller.actor, 'edit', { departmentId: dept.id, status: 'draft' })
    if (!decision.allowed) throw new AppError('forbidden', decision.reason)
    const content = contentForNewTable(input.content, input.kind, input.template, input.year)
    const row = await storage.transaction(async (tx) => {
      const created = await tx.tables.create({
        kind: input.kind, template: input.template, year: input.year, departmentId: dept.id,
        title: input.title ?? titleOf(content), classified: input.classified ?? false, createdBy: caller.user.id,
      })
      await tx.docLog.appendUpdates(created.id, 'table', [{ update: initialUpdate(content), userId: caller.user.id }])
      await tx.audit.record({ userId: caller.user.id, action: 'table.create', tableId: created.id, details: { template: input.template, year: input.year } })
      return created
    })
    return c.json({ ...tableSummary(row), content }, 201)
  })

  app.get('/:id', async (c) => {
    const caller = requireCaller(c)
    const table = await requireTable(storage, caller, c.req.param('id'), 'read')
    const content = await readContent(storage, deps.live, table.id)
    const edit = can(caller.actor, 'edit', table)
    const comment = can(caller.actor, 'comment', table)
    const access = { edit: edit.allowed, comment: comment.allowed, ...(edit.allowed ? {} : { reason: edit.reason }) }
    const department = await storage.departments.get(table.departmentId)
    return c.json({ ...tableSummary(table), departmentName: department?.name ?? '', access, content })
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

  app.get('/:id/versions', async (c) => {
    const caller = requireCaller(c)
    const table = await requireTable(storage, caller, c.req.param('id'), 'read')
    return c.json({ versions: await storage.versions.list(table.id) })
  })

  app.post('/:id/transitions', async (c) => {
    const caller = requireCaller(c)
    const body = transitionSchema.safeParse(await readJson(c))
    if (!body.success) throw badInput(body.error)
    const { action, reason } = body.data
    const table = await requireTable(storage, caller, c.req.param('id'), action)
    const expected = { status: table.status, round: table.round, version: table.version }

    let next: { status: TableStatus; round?: number; version?: number }
    let freeze: TargetTable | undefined
    if (action === 'submit' || action === 'approve') {
      const content = await readContent(storage, deps.live, table.id)
      const findings = deps.findings.refresh(table.id, content).findings.filter((f) => f.severity === 'error')
      const doc = await readTableDoc(storage, deps.live, table.id, 'comments')
      const openThreads = action === 'approve' ? readThreads(doc).filter((t) => t.status === 'open' && t.round === table.round) : []
      if (findings.length || openThreads.length) {
        const why = [findings.length ? `${findings.length} 项错误未修正` : '', openThreads.length ? `${openThreads.length} 条审核意见未解决` : ''].filter(Boolean).join('，')
        throw new AppError('blocked', `不能${action === 'submit' ? '报送' : '批复'}：${why}`, { findings, openThreads })
      }
      if (action === 'approve') freeze = content
      next = action === 'submit' ? { status: 'submitted' } : { status: 'approved', version: table.version + 1 }
    } else if (action === 'return') {
      next = { status: 'returned', round: table.round + 1 }
    } else {
      next = { status: 'draft', round: table.round + 1 }
    }

    const updated = await storage.transaction(async (tx) => {
      const row = await tx.tables.updateState(table.id, expected, next)
      if (freeze) await tx.versions.freeze({ tableId: table.id, version: row.version, round: row.round, reason: 'approved', content: freeze, createdBy: caller.user.id })
      await tx.audit.record({ userId: caller.user.id, action: `table.${action}`, tableId: table.id, details: { reason: reason ?? null, from: expected, to: next } })
      return row
    })
    deps.onTableStateChanged?.(table.id)
    return c.json({ status: updated.status, round: updated.round, version: updated.version })
  })

  return app
}
