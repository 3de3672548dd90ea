// Typed calls of the bureau's workflow views (shared/api/workflow.ts; type-only imports: no zod in the
// bundle): 总览 and 工作台账 as JSON or an xlsx download, 截止日期 per year and stage, 工作阶段 set by hand.
import type { DeadlineBody, DeadlineListAnswer, LedgerAnswer, OverviewAnswer, StageBody, StageInfo } from '../../shared/api/workflow.ts'
import { api } from './api.ts'
import { download, type Downloaded } from './export-api.ts'

export function getOverview(year: number, signal?: AbortSignal): Promise<OverviewAnswer> {
  return api<OverviewAnswer>(`/api/overview?${new URLSearchParams({ year: String(year), format: 'json' })}`, { signal })
}

export function downloadOverview(year: number): Promise<Downloaded> {
  return download(`/api/overview?${new URLSearchParams({ year: String(year), format: 'xlsx' })}`, {}, `总览-${year}.xlsx`)
}

function ledgerQuery(year: number, consultantId: string | undefined, format: 'json' | 'xlsx'): string {
  const q = new URLSearchParams({ year: String(year), format })
  if (consultantId) q.set('consultantId', consultantId)
  return q.toString()
}

/** finance: every consultant's rows (or one's, with `consultantId`); a consultant: its own */
export function getLedger(year: number, consultantId?: string, signal?: AbortSignal): Promise<LedgerAnswer> {
  return api<LedgerAnswer>(`/api/ledger?${ledgerQuery(year, consultantId, 'json')}`, { signal })
}

export function downloadLedger(year: number, consultantId?: string): Promise<Downloaded> {
  return download(`/api/ledger?${ledgerQuery(year, consultantId, 'xlsx')}`, {}, `工作台账-${year}.xlsx`)
}

export function listDeadlines(year: number, signal?: AbortSignal): Promise<DeadlineListAnswer> {
  return api<DeadlineListAnswer>(`/api/deadlines?year=${encodeURIComponent(String(year))}`, { signal })
}

/** sets (or, with `dueDate: null`, clears) one stage's deadline; answers the year's deadlines */
export function putDeadline(body: DeadlineBody): Promise<DeadlineListAnswer> {
  return api<DeadlineListAnswer>('/api/deadlines', { method: 'PUT', json: body })
}

/** records (or, with `stage: null`, clears) the stage set by hand for a department and year; answers its stage after the change */
export function putStage(departmentId: string, body: StageBody): Promise<StageInfo> {
  return api<StageInfo>(`/api/departments/${encodeURIComponent(departmentId)}/stage`, { method: 'PUT', json: body })
}
