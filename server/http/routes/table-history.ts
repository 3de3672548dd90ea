// GET /api/tables/:id/diff (two versions or `live`, field by field, with who changed what) and
// GET /api/tables/:id/history (field changes and lifecycle events, newest first). Readers only.
import { Hono } from 'hono'
import type { z } from 'zod'
import { diffQuery, historyQuery } from '../../../shared/api/review.ts'
import { AppError } from '../../../shared/errors.ts'
import { LabelContents, readDiff, readHistory } from '../../tables/history.ts'
import type { AppDeps, AppEnv } from '../context.ts'
import { requireCaller, requireTable } from '../guards.ts'

const LABELS: Record<string, string> = { from: '起始版本（from）', to: '目标版本（to）', limit: '每页数量（limit）', before: '翻页标记（before）' }

/** query problems named by their parameter; the shared schemas' messages for limit already name it */
function badQuery(error: z.ZodError): AppError {
  const issue = error.issues[0]!
  const field = String(issue.path[0] ?? '')
  let message = issue.message
  if (field === 'from' || field === 'to') message = `${LABELS[field]}应为从 1 开始的版本号或 live`
  else if (field === 'before') message = `${LABELS.before}无效：请使用上一页返回的 nextCursor`
  return new AppError('invalid_input', message, { field })
}

/** Parameters that would name another table: the diff is always between versions of the table in the path. */
const OTHER_TABLE_PARAMS = ['table', 'tableId', 'fromTable', 'toTable', 'fromTableId', 'toTableId']

export function tableHistoryRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>()
  const { storage } = deps
  const labels = new LabelContents(storage, deps.live)

  app.get('/:id/diff', async (c) => {
    const caller = requireCaller(c)
    const raw = c.req.query()
    const q = diffQuery.safeParse(raw)
    if (!q.success) throw badQuery(q.error)
    const table = await requireTable(storage, caller, c.req.param('id'), 'read')
    for (const p of OTHER_TABLE_PARAMS) {
      if (raw[p] !== undefined && raw[p] !== table.id) {
        throw new AppError('invalid_input', `不能比较两张不同表格的版本：只能比较本表（${table.id}）的版本或当前内容`, { field: p })
      }
    }
    return c.json(await readDiff(deps, table.id, q.data.from, q.data.to))
  })

  app.get('/:id/history', async (c) => {
    const caller = requireCaller(c)
    const q = historyQuery.safeParse(c.req.query())
    if (!q.success) throw badQuery(q.error)
    const table = await requireTable(storage, caller, c.req.param('id'), 'read')
    return c.json(await readHistory({ ...deps, labels }, table.id, q.data))
  })

  return app
}
