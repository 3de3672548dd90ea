// Typed calls of the /library page (指标库, shared/api/library.ts; type-only imports: no zod in the bundle).
import type {
  CreateIndicatorBody, IndicatorAnswer, IndicatorEntry, IndicatorListAnswer, IndicatorListQuery, PatchIndicatorBody,
} from '../../shared/api/library.ts'
import { api } from './api.ts'

/** GET /api/indicators with the contract's keys; empty values are left out. */
export function listIndicators(query: IndicatorListQuery, signal?: AbortSignal): Promise<IndicatorListAnswer> {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue
    params.set(k, String(v))
  }
  const qs = params.toString()
  return api<IndicatorListAnswer>(`/api/indicators${qs ? `?${qs}` : ''}`, { signal })
}

export function getIndicator(id: string, signal?: AbortSignal): Promise<IndicatorAnswer> {
  return api<IndicatorAnswer>(`/api/indicators/${encodeURIComponent(id)}`, { signal })
}

/** PATCH /api/indicators/:id: the changed fields with the required reason; answers the entry and its history. */
export function patchIndicator(id: string, body: PatchIndicatorBody): Promise<IndicatorAnswer> {
  return api<IndicatorAnswer>(`/api/indicators/${encodeURIComponent(id)}`, { method: 'PATCH', json: body })
}

export function createIndicator(body: CreateIndicatorBody): Promise<IndicatorAnswer | IndicatorEntry> {
  return api<IndicatorAnswer | IndicatorEntry>('/api/indicators', { method: 'POST', json: body })
}

/** The entry of a PATCH/POST answer, whether the server wraps it with its history or not. */
export function entryOf(a: IndicatorAnswer | IndicatorEntry): IndicatorEntry {
  return 'indicator' in a ? a.indicator : a
}
