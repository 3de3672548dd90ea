// Pieces every API schema uses: the error body, paging, grades. Schemas here are the one contract of
// the HTTP API: routes validate with them, pages infer their types from them, OpenAPI is generated from them.
import { z } from 'zod'
import { ERROR_CODES } from '../errors.ts'
import { MAX_PAGE } from './constants.ts'

export const errorBody = z.object({
  error: z.object({ code: z.enum(ERROR_CODES), message: z.string(), details: z.unknown() }),
})
export type ErrorBody = z.infer<typeof errorBody>

export { MAX_PAGE }

export const limitParam = (dflt: number) =>
  z.coerce
    .number({ error: '每页数量（limit）必须是数字' })
    .int({ error: '每页数量（limit）必须是整数' })
    .min(1, { error: '每页数量（limit）至少为 1' })
    .max(MAX_PAGE, { error: `每页数量（limit）不能超过 ${MAX_PAGE}` })
    .default(dflt)

/** `true`/`false`/`1`/`0` in a query string */
export const boolParam = (label: string) =>
  z.enum(['true', 'false', '1', '0'], { error: `${label}应为 true 或 false` }).transform((v) => v === 'true' || v === '1')

export const GRADES = ['优', '良', '中', '差'] as const
export type Grade = (typeof GRADES)[number]
/** 审核结论 for each grade (glossary: verdict) */
export const VERDICT_LABELS: Readonly<Record<Grade, string>> = { 优: '通过', 良: '修改后通过', 中: '修改后重报', 差: '不予安排' }

export const isoTime = z.string().describe('ISO 8601 time')
