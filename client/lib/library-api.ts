// Typed calls of the /library page (指标库, shared/api/library.ts; type-only imports: no zod in the bundle).
import type {
  CreateIndicatorBody, IndicatorAnswer, IndicatorEntry, IndicatorListAnswer, IndicatorListQuery, PatchIndicatorBody,
} from '../../shared/api/library.ts'
import type {
  CreateProposalBody, DecideProposalBody, DeleteIndicatorAnswer, ProposalAnswer, ProposalListAnswer, ProposalListQuery,
} from '../../shared/api/library-proposals.ts'
import type { UsageAnswer, UsageQuery } from '../../shared/api/library-usage.ts'
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

// ---- 指标建议 (shared/api/library-proposals.ts) ----------------------------------------------

/** GET /api/indicators/proposals: finance sees every department's, others their own departments'. */
export function listProposals(query: ProposalListQuery, signal?: AbortSignal): Promise<ProposalListAnswer> {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v))
  const qs = params.toString()
  return api<ProposalListAnswer>(`/api/indicators/proposals${qs ? `?${qs}` : ''}`, { signal })
}

/** POST /api/indicators/proposals (department users). */
export function createProposal(body: CreateProposalBody): Promise<ProposalAnswer> {
  return api<ProposalAnswer>('/api/indicators/proposals', { method: 'POST', json: body })
}

/** POST /api/indicators/proposals/:id/accept|reject (finance); reject needs a reason. */
export function decideProposal(id: string, verb: 'accept' | 'reject', body: DecideProposalBody): Promise<ProposalAnswer> {
  return api<ProposalAnswer>(`/api/indicators/proposals/${encodeURIComponent(id)}/${verb}`, { method: 'POST', json: body })
}

// ---- 共性指标候选 (shared/api/library-mining.ts) ---------------------------------------------

import type { CandidatesAnswer, PromoteAnswer, PromoteCandidateBody } from '../../shared/api/library-mining.ts'

/** GET /api/indicators/common-candidates: the newest result of the year and the state of its newest run. */
export function getCommonCandidates(year: number, minDepartments?: number, signal?: AbortSignal): Promise<CandidatesAnswer> {
  const qs = new URLSearchParams({ year: String(year), ...(minDepartments ? { minDepartments: String(minDepartments) } : {}) })
  return api(`/api/indicators/common-candidates?${qs}`, { signal })
}

/** POST /api/indicators/common-candidates: starts a run (or answers the one queued or running). */
export function runCommonCandidates(year: number, minDepartments?: number): Promise<CandidatesAnswer> {
  const qs = new URLSearchParams({ year: String(year), ...(minDepartments ? { minDepartments: String(minDepartments) } : {}) })
  return api(`/api/indicators/common-candidates?${qs}`, { method: 'POST' })
}

/** POST /api/indicators/common-candidates/promote (finance). */
export function promoteCandidate(body: PromoteCandidateBody): Promise<PromoteAnswer> {
  return api('/api/indicators/common-candidates/promote', { method: 'POST', json: body })
}

/** GET /api/indicators/:id/usage: where the entry is used (approved tables), a page of uses */
export function getIndicatorUsage(id: string, query: UsageQuery = {}, signal?: AbortSignal): Promise<UsageAnswer> {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v))
  const qs = params.toString()
  return api<UsageAnswer>(`/api/indicators/${encodeURIComponent(id)}/usage${qs ? `?${qs}` : ''}`, { signal })
}

/** DELETE /api/indicators/:id (finance): the reason is recorded in the entry's kept history. */
export function deleteIndicator(id: string, reason: string): Promise<{ indicator: IndicatorEntry }> {
  return api<DeleteIndicatorAnswer>(`/api/indicators/${encodeURIComponent(id)}`, { method: 'DELETE', json: { reason } })
}

// ---- xlsx import/export and 指标库版本 (shared/api/library-transfer.ts) ---------------------------

import type { LibraryImportReport, LibraryVersion, LibraryVersionsAnswer, PublishVersionBody } from '../../shared/api/library-transfer.ts'

/** The export's address (the session cookie authenticates the download); `version`: a published one. */
export function libraryExportUrl(version?: number): string {
  return `/api/indicators/export?format=xlsx${version !== undefined ? `&version=${version}` : ''}`
}

/** POST /api/indicators/import (finance): a dry run reports what would happen and stores nothing. */
export function importLibrary(file: File, dryRun: boolean, signal?: AbortSignal): Promise<LibraryImportReport> {
  const form = new FormData()
  form.set('file', file)
  return api<LibraryImportReport>(`/api/indicators/import${dryRun ? '?dryRun=1' : ''}`, { method: 'POST', body: form, signal })
}

export function listLibraryVersions(signal?: AbortSignal): Promise<LibraryVersionsAnswer> {
  return api<LibraryVersionsAnswer>('/api/indicators/versions', { signal })
}

/** POST /api/indicators/versions (finance): the library now, frozen as the year's next version. */
export function publishLibraryVersion(body: PublishVersionBody): Promise<LibraryVersion> {
  return api<LibraryVersion>('/api/indicators/versions', { method: 'POST', json: body })
}
