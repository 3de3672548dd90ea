// GET /api/audit: a department's audit trail (its tables and its people), for the finance bureau.
import { Hono } from 'hono'
import { auditQuery, type AuditAnswer } from '../../../shared/api/audit.ts'
import { AppError } from '../../../shared/errors.ts'
import { userNames } from '../../review/people.ts'
import type { AppDeps, AppEnv } from '../context.ts'
import { parseRequest, requireRole } from '../guards.ts'

export function auditRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>()
  const { storage } = deps

  app.get('/audit', async (c) => {
    requireRole(c, 'finance')
    const q = parseRequest(auditQuery, c.req.query())
    const department = await storage.departments.get(q.departmentId)
    if (!department) throw new AppError('not_found', `部门不存在：${q.departmentId}`, { field: 'departmentId' })
    const scope = await storage.departments.withDescendants([department.id])
    const rows = await storage.audit.listForDepartments(scope, { beforeId: q.before ? Number(q.before) : undefined, limit: q.limit + 1 })
    const page = rows.slice(0, q.limit)
    const names = await userNames(storage, page.map((r) => r.userId))
    const tableIds = [...new Set(page.map((r) => r.tableId).filter((x): x is string => !!x))]
    // titles of deleted tables too: the trail outlives the rows it mentions
    const titles = new Map<string, string>()
    for (const r of page) if (r.tableId && typeof r.details?.title === 'string') titles.set(r.tableId, r.details.title)
    for (const t of await storage.audit.tableTitles(tableIds)) titles.set(t.id, t.title)
    const answer: AuditAnswer = {
      entries: page.map((r) => ({
        id: r.id,
        at: r.at.toISOString(),
        userId: r.userId,
        userName: r.userId ? names.get(r.userId) ?? '' : '系统',
        action: r.action,
        tableId: r.tableId,
        tableTitle: r.tableId ? titles.get(r.tableId) ?? null : null,
        details: r.details ?? null,
      })),
      nextCursor: rows.length > q.limit ? String(page[page.length - 1]!.id) : null,
    }
    return c.json(answer)
  })

  return app
}
