// POST /api/validate: judges posted content without storing anything; GET /api/schema/table.
import { Hono } from 'hono'
import { AppError } from '../../../shared/errors.ts'
import { parseTable, tableJsonSchema } from '../../../shared/model/index.ts'
import { judge } from '../../tables/findings.ts'
import type { AppEnv } from '../context.ts'
import { readJson, requireCaller } from '../guards.ts'

export function validateRoutes() {
  const app = new Hono<AppEnv>()
  const schema = tableJsonSchema()

  app.post('/validate', async (c) => {
    requireCaller(c)
    const body = await readJson(c)
    if (!('content' in body)) throw new AppError('invalid_input', '请在 content 字段中提交表格内容', { field: 'content' })
    const parsed = parseTable(body.content)
    if (!parsed.ok) throw new AppError('invalid_table', '表格内容格式不正确', { problems: parsed.problems })
    const { findings, counts } = judge(parsed.table)
    return c.json({ findings, counts })
  })

  app.get('/schema/table', (c) => c.json(schema))

  return app
}
