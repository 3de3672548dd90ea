// Candidate 共性指标 (mined from approved tables): read the newest result of a year and the state of its newest
// run (finance, consultants), start a run (a durable job, server/jobs/common-candidates.ts; one per year at a
// time), and promote a cluster into the library as a 共性 entry (finance). Contract: shared/api/library-mining.ts.
// Mounted before indicatorRoutes: `GET /indicators/:id` would otherwise take `common-candidates` as an id.
import { sql } from 'drizzle-orm'
import { Hono } from 'hono'
import {
  candidatesQuery, promoteCandidateBody, type CandidateCluster, type CandidatesAnswer, type PromoteAnswer,
} from '../../../shared/api/library-mining.ts'
import { AppError } from '../../../shared/errors.ts'
import { nameKey, synonymTable } from '../../../shared/library/match.ts'
import { executeRows } from '../../db/execute.ts'
import type { CandidatesResult } from '../../jobs/common-candidates.ts'
import { libraryMatcher, numericTarget, type LibraryMatcher } from '../../library/mining.ts'
import { toEntry } from '../../library/service.ts'
import type { Job, Storage } from '../../storage/index.ts'
import type { AppDeps, AppEnv } from '../context.ts'
import { parseRequest, readJson, requireRole } from '../guards.ts'

const KIND = 'common-candidates' as const
/** first key of pg_advisory_xact_lock(int, int) for “a mining run of year N is being queued” */
const MINING_LOCK_NAMESPACE = 15_005
const SYNONYM_WORD_MAX = 30
const SYNONYM_GROUP_MAX = 20
const REASON_VARIANTS_MAX = 20

type YearJobs = { newest: Job | null; done: Job | null; all: Job[] }

async function jobsOfYear(storage: Storage, year: number): Promise<YearJobs> {
  const all = (await storage.jobs.list(KIND, 500)).filter((j) => (j.params as { year?: unknown } | null)?.year === year)
  return { newest: all[0] ?? null, done: all.find((j) => j.status === 'done' && j.result) ?? null, all }
}

const matcherCache = new WeakMap<Storage, { revision: string; match: LibraryMatcher }>()

/** the library's matcher, built again only when the library or the synonyms changed (revision) */
async function matcherFor(storage: Storage): Promise<LibraryMatcher> {
  const revision = await storage.library.revision()
  const hit = matcherCache.get(storage)
  if (hit && hit.revision === revision) return hit.match
  const names = (await storage.library.all()).map((e) => ({ id: e.id, level1: e.level1, level3: e.level3, scope: e.scope }))
  const match = libraryMatcher(names, synonymTable((await storage.library.synonyms()).groups))
  matcherCache.set(storage, { revision, match })
  return match
}

/** the clusters with their library matches as the library is now */
async function withLibraryMatches(storage: Storage, clusters: CandidateCluster[]): Promise<CandidateCluster[]> {
  const match = await matcherFor(storage)
  return clusters.map((c) => ({ ...c, libraryMatch: match(c) }))
}

async function answerFor(storage: Storage, year: number, minDepartments: number): Promise<CandidatesAnswer> {
  const { newest, done } = await jobsOfYear(storage, year)
  const result = (done?.result ?? null) as CandidatesResult | null
  const clusters = result ? await withLibraryMatches(storage, result.clusters.filter((c) => c.departments.length >= minDepartments)) : []
  const state: CandidatesAnswer['state'] = !newest ? 'none' : newest.status === 'cancelled' ? 'failed' : newest.status
  return {
    year,
    state,
    jobId: newest?.id ?? null,
    progress: newest && (newest.status === 'running' || newest.status === 'queued') ? { done: newest.done, total: newest.total } : null,
    error: newest && (newest.status === 'failed' || newest.status === 'cancelled') ? newest.error ?? '分析失败' : null,
    computedAt: result?.computedAt ?? null,
    tables: result?.tables ?? 0,
    indicatorRows: result?.indicatorRows ?? 0,
    clusters,
  }
}

/** The library's typical value from the cluster's most frequent target (`≥95%` → 95). */
function typicalNumber(c: CandidateCluster): string {
  for (const v of c.typicalValues) {
    const n = numericTarget(v.value, '')
    if (n) return String(n.value)
  }
  return ''
}

/**
 * The synonym groups with the cluster's names added: to the existing group holding one of them (the
 * entry's name first), else as one new group. Words already in a group are left where they are.
 */
function addSynonymGroup(groups: string[][], name: string, variants: readonly string[]): { groups: string[][]; added: string[] } {
  const out = groups.map((g) => [...g])
  const known = new Map<string, number>()
  out.forEach((g, i) => g.forEach((w) => known.has(nameKey(w)) || known.set(nameKey(w), i)))
  const words: string[] = []
  const seen = new Set<string>()
  for (const w of [name, ...variants]) {
    const k = nameKey(w)
    if (!k || seen.has(k) || w.trim().length > SYNONYM_WORD_MAX) continue
    seen.add(k)
    words.push(w.trim())
  }
  const fresh = words.filter((w) => !known.has(nameKey(w)))
  const holder = words.map((w) => known.get(nameKey(w))).find((i) => i !== undefined)
  if (holder !== undefined) {
    const room = Math.max(0, SYNONYM_GROUP_MAX - out[holder]!.length)
    const added = fresh.slice(0, room)
    out[holder]!.push(...added)
    return { groups: out, added }
  }
  if (fresh.length < 2) return { groups: out, added: [] }
  const added = fresh.slice(0, SYNONYM_GROUP_MAX)
  out.push(added)
  return { groups: out, added }
}

export function commonCandidateRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>()
  const { storage } = deps

  app.get('/indicators/common-candidates', async (c) => {
    requireRole(c, 'finance', 'consultant')
    const { year, minDepartments } = parseRequest(candidatesQuery, c.req.query())
    return c.json((await answerFor(storage, year, minDepartments)) satisfies CandidatesAnswer)
  })

  app.post('/indicators/common-candidates', async (c) => {
    const caller = requireRole(c, 'finance', 'consultant')
    const { year, minDepartments } = parseRequest(candidatesQuery, c.req.query())
    // one run per year: the check and the insert under a per-year transaction lock (two requests at once
    // would otherwise both find no run)
    const job = await storage.transaction(async (tx) => {
      await executeRows(tx.db, sql`select pg_advisory_xact_lock(${sql.raw(String(MINING_LOCK_NAMESPACE))}, ${year})`)
      const { newest } = await jobsOfYear(tx, year)
      if (newest && (newest.status === 'queued' || newest.status === 'running')) return null
      const created = await tx.jobs.create({ kind: KIND, params: { year }, createdBy: caller.user.id })
      await tx.audit.record({ userId: caller.user.id, action: 'library.mining.start', details: { jobId: created.id, year } })
      return created
    })
    if (!job) return c.json((await answerFor(storage, year, minDepartments)) satisfies CandidatesAnswer, 200)
    const { done, all } = await jobsOfYear(storage, year)
    // older finished runs of the year go: the newest result stays until this run replaces it
    for (const old of all) if (old.id !== done?.id && old.id !== job.id && old.status !== 'queued' && old.status !== 'running') await storage.jobs.remove(old.id)
    deps.jobs?.wake()
    const answer = await answerFor(storage, year, minDepartments)
    return c.json({ ...answer, jobId: job.id } satisfies CandidatesAnswer, 202)
  })

  app.post('/indicators/common-candidates/promote', async (c) => {
    const caller = requireRole(c, 'finance')
    const body = parseRequest(promoteCandidateBody, await readJson(c))
    const { done } = await jobsOfYear(storage, body.year)
    const result = (done?.result ?? null) as CandidatesResult | null
    if (!result) throw new AppError('not_found', `${body.year} 年度还没有共性指标分析结果，请先分析`, { field: 'year' })
    const stored = result.clusters.find((x) => x.key === body.key)
    if (!stored) throw new AppError('not_found', '该候选已不在最新的分析结果中，请刷新后再试', { field: 'key' })
    const [cluster] = await withLibraryMatches(storage, [stored])
    const variants = cluster!.variants.map((v) => v.level3)
    const level3 = body.level3 ?? cluster!.level3

    const answer = await storage.transaction(async (tx) => {
      let created = false
      let row = cluster!.libraryMatch ? await tx.library.get(cluster!.libraryMatch.id) : null
      if (!row) {
        const listed = variants.slice(0, REASON_VARIANTS_MAX).join('、') + (variants.length > REASON_VARIANTS_MAX ? ` 等 ${variants.length} 个名称` : '')
        row = await tx.library.createVersioned(
          {
            level1: body.level1 ?? cluster!.level1,
            level2: body.level2 ?? cluster!.level2,
            level3,
            comparator: cluster!.comparator,
            unit: cluster!.unit,
            typicalValue: body.typicalValue ?? typicalNumber(cluster!),
            explanation: body.explanation ?? '',
            scope: 'common',
            functionalClasses: ['*'],
          },
          { userId: caller.user.id, reason: `由共性指标候选生成：${listed}` },
        )
        created = true
      }
      let synonymsAdded: string[] = []
      if (body.addSynonyms) {
        const current = await tx.library.synonyms()
        const next = addSynonymGroup(current.groups, row.level3, variants)
        if (next.added.length) {
          await tx.library.setSynonyms(next.groups, caller.user.id)
          synonymsAdded = next.added
        }
      }
      await tx.audit.record({
        userId: caller.user.id, action: 'library.promote',
        details: { year: body.year, key: body.key, indicatorId: row.id, created, variants: variants.length, synonymsAdded },
      })
      return { indicator: toEntry(row), created, synonymsAdded } satisfies PromoteAnswer
    })
    return c.json(answer, answer.created ? 201 : 200)
  })

  return app
}
