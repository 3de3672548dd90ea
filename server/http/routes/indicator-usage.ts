// Where a library entry is used (使用情况): GET /api/indicators/:id/usage — the approved tables whose rows
// learning linked to it (server/library/learning.ts). Signed in. The list and its total hold only the tables
// the caller may read (shared/permissions.ts `can(…, 'read', …)`, as every table read); the counts
// (tables, departments) are city-wide, and the typical values, range and names as written are drawn from
// every approved table except 涉密 ones the caller may not read. Contract: shared/api/library-usage.ts.
import { Hono } from 'hono'
import { usageQuery, type UsageAnswer } from '../../../shared/api/library-usage.ts'
import { AppError } from '../../../shared/errors.ts'
import { can, type TableStatus } from '../../../shared/permissions.ts'
import { decodeCursor, encodeCursor } from '../../library/service.ts'
import type { AppDeps, AppEnv } from '../context.ts'
import { parseRequest, requireCaller } from '../guards.ts'

export function indicatorUsageRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>()
  const { storage } = deps

  app.get('/indicators/:id/usage', async (c) => {
    const caller = requireCaller(c)
    const query = parseRequest(usageQuery, c.req.query())
    const id = c.req.param('id')
    if (!(await storage.library.get(id))) throw new AppError('not_found', `指标不存在：${id}`, { id })
    const offset = decodeCursor(query.cursor)
    const summary = await storage.usages.usageOf(id, {
      year: query.year,
      limit: query.limit,
      offset,
      readable: (t) => can(caller.actor, 'read', { departmentId: t.departmentId, status: t.status as TableStatus, classified: t.classified, year: t.year }).allowed,
    })
    const next = offset + query.limit
    const answer: UsageAnswer = {
      indicatorId: id,
      tableCount: summary.tableCount,
      departmentCount: summary.departmentCount,
      typicalValues: summary.typicalValues,
      range: summary.range,
      names: summary.names,
      uses: summary.uses.map((u) => ({
        tableId: u.tableId, title: u.title, year: u.year, departmentId: u.departmentId, departmentName: u.departmentName,
        functionalClass: u.functionalClass, level3: u.level3, comparator: u.comparator, target: u.target, unit: u.unit, match: u.match,
      })),
      total: summary.total,
      nextCursor: next < summary.total ? encodeCursor(next) : null,
    }
    return c.json(answer)
  })

  return app
}
