// Candidate 共性指标 mined from approved tables: indicators that recur across departments under
// near-identical names (培训人次/参训人次/培训人数) are clustered and offered to finance with their variants,
// departments and value ranges; one click promotes a cluster into the library.
// CONTRACT.md → `GET /api/indicators/common-candidates?year=` (finance, consultant). The mining runs as a
// durable job (off the live server's event loop, with progress, surviving a restart): the GET answers the
// newest result for the year and the state of a run; `POST /api/indicators/common-candidates?year=` starts one
// (finance, consultant); `POST /api/indicators/common-candidates/promote` creates the entry (finance).
import { z } from 'zod'
import { COMPARATORS } from '../model/schema.ts'
import { isoTime } from './common.ts'
import { indicatorEntry } from './library.ts'

export const candidatesQuery = z.object({
  year: z.coerce.number({ error: '预算年度（year）必须是数字' }).int().min(2000, { error: '预算年度（year）应在 2000–2100 之间' }).max(2100, { error: '预算年度（year）应在 2000–2100 之间' }),
  /** clusters must span at least this many departments (default 3) */
  minDepartments: z.coerce.number({ error: '最少部门数（minDepartments）必须是数字' }).int().min(2).max(1000).default(3),
})
export type CandidatesQuery = z.input<typeof candidatesQuery>

export const candidateCluster = z.object({
  /** stable within one result: used to promote */
  key: z.string(),
  /** the suggested 三级指标 (the most used variant) */
  level3: z.string(),
  level1: z.string(),
  level2: z.string(),
  comparator: z.enum(COMPARATORS),
  unit: z.string(),
  /** every name it appeared under, most used first */
  variants: z.array(z.object({ level3: z.string(), count: z.number().int() })),
  departments: z.array(z.object({ id: z.string(), name: z.string() })),
  tableCount: z.number().int(),
  /** the numeric range of targets seen, when numeric in one unit */
  range: z.object({ min: z.number(), max: z.number(), unit: z.string() }).nullable(),
  /** most frequent targets as written */
  typicalValues: z.array(z.object({ value: z.string(), count: z.number().int() })),
  /** a library entry already holding it (then promote changes nothing but may add synonyms) */
  libraryMatch: z.object({ id: z.string(), level3: z.string(), scope: z.enum(['common', 'specific']) }).nullable(),
})
export type CandidateCluster = z.infer<typeof candidateCluster>

export const CANDIDATE_STATES = ['none', 'queued', 'running', 'done', 'failed'] as const

export const candidatesAnswer = z.object({
  year: z.number().int(),
  /** the newest run for the year: none yet, queued, running (see progress), done, failed (see error) */
  state: z.enum(CANDIDATE_STATES),
  jobId: z.string().nullable(),
  progress: z.object({ done: z.number().int(), total: z.number().int() }).nullable(),
  error: z.string().nullable(),
  /** the newest finished result (kept while a new run is under way) */
  computedAt: isoTime.nullable(),
  tables: z.number().int(),
  indicatorRows: z.number().int(),
  clusters: z.array(candidateCluster),
})
export type CandidatesAnswer = z.infer<typeof candidatesAnswer>

export const promoteCandidateBody = z.object({
  year: z.number({ error: '预算年度（year）必须是数字' }).int(),
  key: z.string({ error: '候选（key）必填' }).min(1, { error: '候选（key）必填' }).max(200),
  /** overrides of the suggested entry (name, levels, comparator, unit, typical value, explanation) */
  level3: z.string().trim().min(1).max(200).optional(),
  level1: z.string().trim().min(1).max(50).optional(),
  level2: z.string().trim().min(1).max(50).optional(),
  explanation: z.string().max(2000).optional(),
  typicalValue: z.string().max(200).optional(),
  /** add the other variants as one synonym group for search (default true) */
  addSynonyms: z.boolean().default(true),
})
export type PromoteCandidateBody = z.input<typeof promoteCandidateBody>

export const promoteAnswer = z.object({ indicator: indicatorEntry, created: z.boolean(), synonymsAdded: z.array(z.string()) })
export type PromoteAnswer = z.infer<typeof promoteAnswer>
