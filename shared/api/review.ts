// The review cycle's resources: rounds (征求意见) and their grades, the 意见汇总表, frozen versions,
// differences between versions, and a table's history.
import { z } from 'zod'
import { GRADES, isoTime, limitParam } from './common.ts'

const grade = (label: string) => z.enum(GRADES, { error: `${label}应为 优、良、中、差 之一` })

export const roundGrades = z.object({
  completeness: grade('完整性（grades.completeness）'),
  relevance: grade('相关性（grades.relevance）'),
  appropriateness: grade('适当性（grades.appropriateness）'),
  feasibility: grade('可行性（grades.feasibility）'),
}, { error: '评分（grades）必填：完整性、相关性、适当性、可行性' })
export type RoundGrades = z.infer<typeof roundGrades>
export const GRADE_DIMENSIONS = [
  ['completeness', '完整性'],
  ['relevance', '相关性'],
  ['appropriateness', '适当性'],
  ['feasibility', '可行性'],
] as const

export const reviewBody = z.object({
  grades: roundGrades,
  verdict: grade('审核结论（verdict）'),
  comment: z.string({ error: '审核意见（comment）必须是文本' }).max(2000, { error: '审核意见（comment）不能超过 2000 个字符' }).optional(),
})
export type ReviewBody = z.infer<typeof reviewBody>

export const roundReview = reviewBody.extend({ comment: z.string().nullable(), by: z.string().nullable(), byName: z.string(), at: isoTime })
export const roundSummary = z.object({
  round: z.number().int(),
  version: z.number().int().nullable(),
  submittedAt: isoTime,
  submittedBy: z.string().nullable(),
  submittedByName: z.string(),
  review: roundReview.nullable(),
  threads: z.object({ open: z.number().int(), resolved: z.number().int() }),
})
export type RoundSummary = z.infer<typeof roundSummary>
export const roundsAnswer = z.object({ rounds: z.array(roundSummary) })
export type RoundsAnswer = z.infer<typeof roundsAnswer>

/** 处理状态 of an opinion, from the thread's status and the department's disposition */
export const OPINION_STATES = ['待回复', '已回复', '已修改', '不采纳', '已解决'] as const
export const opinionRow = z.object({
  /** 序号 */
  index: z.number().int(),
  tableId: z.string(),
  tableTitle: z.string(),
  round: z.number().int(),
  threadId: z.string(),
  /** 位置: 一级/二级/三级 of the row, or the field's label */
  position: z.string(),
  /** 意见: the thread's first message */
  opinion: z.string(),
  /** 提出人及单位 */
  author: z.string(),
  /** 提出时间 */
  createdAt: isoTime,
  /** 回复: the later messages, each "name：text" */
  replies: z.array(z.string()),
  /** 处理状态 */
  state: z.enum(OPINION_STATES),
  dispositionReason: z.string().nullable(),
})
export type OpinionRow = z.infer<typeof opinionRow>
export const opinionsAnswer = z.object({ opinions: z.array(opinionRow) })
export type OpinionsAnswer = z.infer<typeof opinionsAnswer>
export const opinionsQuery = z.object({
  format: z.enum(['json', 'xlsx'], { error: '格式（format）应为 json 或 xlsx' }).default('json'),
})
export const cityOpinionsQuery = opinionsQuery.extend({
  year: z.coerce.number({ error: '年度（year）必须是数字' }).int({ error: '年度（year）必须是整数' }),
  departmentId: z.string({ error: '部门（departmentId）必填' }).min(1, { error: '部门（departmentId）必填' }),
  round: z.coerce.number({ error: '轮次（round）必须是数字' }).int({ error: '轮次（round）必须是整数' }).min(1, { error: '轮次（round）从 1 开始' }).optional(),
})

export const versionSummary = z.object({
  version: z.number().int(),
  round: z.number().int(),
  reason: z.string(),
  hash: z.string(),
  createdBy: z.string().nullable(),
  createdByName: z.string(),
  createdAt: isoTime,
})
export type VersionSummary = z.infer<typeof versionSummary>
export const versionsAnswer = z.object({ versions: z.array(versionSummary) })
export const versionAnswer = versionSummary.extend({ content: z.unknown() })
export type VersionAnswer = z.infer<typeof versionAnswer>

/** a version number or `live` (the current document) */
export const versionRef = z.union([z.literal('live'), z.coerce.number({ error: '版本应为数字或 live' }).int().min(1, { error: '版本号从 1 开始' })], {
  error: '版本应为数字或 live',
})
export const diffQuery = z.object({ from: versionRef, to: versionRef.default('live') })

export const DIFF_OPS = ['add', 'remove', 'move', 'change'] as const
export const diffChange = z.object({
  op: z.enum(DIFF_OPS),
  /**
   * path syntax of rules.md → Reporting conventions, as findings use it: `header.projectName`,
   * `indicators[3].target` — a row by its index in the `to` side (the `from` side for a removed row);
   * `rowId` names the row for good
   */
  path: z.string(),
  rowId: z.string().optional(),
  field: z.string().optional(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  /** who made the change, when the history knows (user id) */
  by: z.string().optional(),
  byName: z.string().optional(),
})
export type DiffChange = z.infer<typeof diffChange>
export const diffAnswer = z.object({ from: z.union([z.number(), z.literal('live')]), to: z.union([z.number(), z.literal('live')]), changes: z.array(diffChange) })
export type DiffAnswer = z.infer<typeof diffAnswer>

export const historyQuery = z.object({
  limit: limitParam(100),
  /** opaque, from the previous answer's nextCursor */
  before: z.string().max(200).optional(),
})
export const historyEntry = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('change'),
    at: isoTime,
    by: z.string().nullable(),
    byName: z.string(),
    op: z.enum(DIFF_OPS),
    path: z.string(),
    /** readable place: 一级/二级/三级 of the row, or the field's label */
    label: z.string(),
    rowId: z.string().nullable(),
    field: z.string().nullable(),
    before: z.unknown(),
    after: z.unknown(),
  }),
  z.object({
    type: z.literal('event'),
    at: isoTime,
    by: z.string().nullable(),
    byName: z.string(),
    /** e.g. table.create, table.submit, table.return, table.approve, table.reopen, table.review, table.delete */
    action: z.string(),
    reason: z.string().nullable(),
    round: z.number().int().nullable(),
    version: z.number().int().nullable(),
  }),
])
export type HistoryEntry = z.infer<typeof historyEntry>
export const historyAnswer = z.object({ entries: z.array(historyEntry), nextCursor: z.string().nullable() })
export type HistoryAnswer = z.infer<typeof historyAnswer>

export const reviewAnswer = z.object({ round: z.number().int(), review: roundReview })
export type ReviewAnswer = z.infer<typeof reviewAnswer>
