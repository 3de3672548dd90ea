// POST /api/validate: judges posted content (JSON `content`, or a multipart xlsx `file`) without storing
// anything; GET /api/schema/table.
import { Hono } from 'hono'
import type { ValidateXlsxAnswer } from '../../../shared/api/imports.ts'
import { runImport } from '../../import/run.ts'
import { readUpload } from '../upload.ts'
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
    if ((c.req.header('content-type') ?? '').toLowerCase().startsWith('multipart/form-data')) {
      const upload = await readUpload(c)
      // without a year each table is judged in the year its title names (else the current year)
      const year = Number(upload.fields.year) || undefined
      const { tables, report } = await runImport({ kind: 'tables', data: upload.bytes, fileName: upload.fileName, ...(year ? { year } : {}) })
      const answer: ValidateXlsxAnswer = {
        tables: tables.map((t) => ({ title: t.title, sheet: t.sheet, findings: judge(t.content).findings })),
        report,
      }
      return c.json(answer)
    }
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
