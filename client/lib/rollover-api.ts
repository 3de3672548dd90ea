// Typed call of 年度结转 (POST /api/rollover, shared/api/rollover.ts; type-only imports: no zod in the bundle).
import type { RolloverAnswer, RolloverBody } from '../../shared/api/rollover.ts'
import { api } from './api.ts'

/** `dryRun: true` previews what would be carried, left out and refused; without it the tables are created. */
export function rollover(body: RolloverBody): Promise<RolloverAnswer> {
  return api<RolloverAnswer>('/api/rollover', { method: 'POST', json: body })
}
