// GET /api/tables/:id/recommendations?limit= — library indicators ranked for the table, with reasons
// (server/library/recommend.ts). Editors of the table only: the suggestions are for inserting.
import { Hono } from 'hono'
import { recommendationQuery } from '../../../shared/api/recommendations.ts'
import { AppError } from '../../../shared/errors.ts'
import { recommend } from '../../library/recommend.ts'
import { readContent } from '../../tables/documents.ts'
import type { AppDeps, AppEnv } from '../context.ts'
import { requireCaller, requireTable } from '../guards.ts'

export function recommendationRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>()
  const { storage } = deps

  app.get('/:id/recommendations', async (c) => {
    const caller = requireCaller(c)
    const q = recommendationQuery.safeParse(c.req.query())
    if (!q.success) throw new AppError('invalid_input', q.error.issues[0]!.message, { field: 'limit' })
    const table = await requireTable(storage, caller, c.req.param('id'), 'edit')
    const content = await readContent(storage, deps.live, table.id)
    const recommendations = await recommend(storage, { table: content, departmentId: table.departmentId, year: table.year, limit: q.data.limit })
    return c.json({ recommendations })
  })

  return app
}
