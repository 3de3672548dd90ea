// 指标建议: a department proposes a new library entry or a change to one; finance accepts (the entry is
// created or changed, versioned with the proposal's reason and the decision) or rejects with a reason.
// CONTRACT.md → `POST /api/indicators/proposals`, `POST /api/indicators/proposals/:id/(accept|reject)`;
// here also `GET /api/indicators/proposals?status=&limit=&cursor=` (finance: all; others: their own
// departments') and `DELETE /api/indicators/:id` (finance, with a reason; history kept).
import { z } from 'zod'
import { createIndicatorBody, indicatorEntry, patchIndicatorBody } from './library.ts'
import { isoTime, limitParam } from './common.ts'

export const PROPOSAL_KINDS = ['add', 'change'] as const
export type ProposalKind = (typeof PROPOSAL_KINDS)[number]
export const PROPOSAL_STATUSES = ['pending', 'accepted', 'rejected'] as const
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number]
export const PROPOSAL_STATUS_LABELS: Readonly<Record<ProposalStatus, string>> = { pending: '待处理', accepted: '已采纳', rejected: '未采纳' }
export const PROPOSAL_KIND_LABELS: Readonly<Record<ProposalKind, string>> = { add: '新增指标', change: '修改指标' }

const reason = (label: string) =>
  z.string({ error: `${label}必填` }).trim().min(1, { error: `${label}必填` }).max(500, { error: `${label}不能超过 500 个字符` })

/** the fields of a new entry (no id, no reason: the proposal's own reason is used) */
export const proposedEntry = createIndicatorBody.omit({ id: true, reason: true })
/** the changed fields of an existing entry */
export const proposedChange = patchIndicatorBody.omit({ reason: true, version: true })

/** POST /api/indicators/proposals (department users; finance and consultants edit directly) */
export const createProposalBody = z.discriminatedUnion(
  'kind',
  [
    z.object({
      kind: z.literal('add'),
      fields: proposedEntry,
      reason: reason('建议理由（reason）'),
      /** the proposer's department the proposal speaks for (default: the user's only department) */
      departmentId: z.string().min(1).max(100).optional(),
    }),
    z.object({
      kind: z.literal('change'),
      indicatorId: z.string({ error: '指标（indicatorId）必填' }).min(1, { error: '指标（indicatorId）必填' }).max(100),
      /** the entry's version the proposer read (a later change is shown beside the proposal on decision) */
      baseVersion: z.number({ error: '版本（baseVersion）必须是数字' }).int().min(1),
      fields: proposedChange,
      reason: reason('建议理由（reason）'),
      departmentId: z.string().min(1).max(100).optional(),
    }),
  ],
  { error: '建议类型（kind）应为 add 或 change' },
)
export type CreateProposalBody = z.infer<typeof createProposalBody>

/** accept: `reason` optional (default 采纳部门建议); reject: `reason` required */
export const decideProposalBody = z.object({ reason: reason('处理意见（reason）').optional() })
export type DecideProposalBody = z.infer<typeof decideProposalBody>

export const proposal = z.object({
  id: z.string(),
  kind: z.enum(PROPOSAL_KINDS),
  /** `change`: the entry; `add`: the created entry once accepted, else null */
  indicatorId: z.string().nullable(),
  baseVersion: z.number().int().nullable(),
  fields: z.record(z.string(), z.unknown()),
  reason: z.string(),
  departmentId: z.string().nullable(),
  departmentName: z.string().nullable(),
  proposedBy: z.string().nullable(),
  proposedByName: z.string().nullable(),
  status: z.enum(PROPOSAL_STATUSES),
  decidedBy: z.string().nullable(),
  decidedByName: z.string().nullable(),
  decisionReason: z.string().nullable(),
  decidedAt: isoTime.nullable(),
  createdAt: isoTime,
  /** `change`: the entry as it is now (null when it was deleted meanwhile) */
  current: indicatorEntry.nullable(),
})
export type Proposal = z.infer<typeof proposal>

export const proposalListQuery = z.object({
  status: z.enum(PROPOSAL_STATUSES, { error: '状态（status）应为 pending、accepted 或 rejected' }).optional(),
  limit: limitParam(50),
  cursor: z.string().max(200).optional(),
})
export type ProposalListQuery = z.input<typeof proposalListQuery>

export const proposalListAnswer = z.object({ proposals: z.array(proposal), total: z.number().int(), nextCursor: z.string().nullable() })
export type ProposalListAnswer = z.infer<typeof proposalListAnswer>

export const proposalAnswer = z.object({ proposal })
export type ProposalAnswer = z.infer<typeof proposalAnswer>

/** DELETE /api/indicators/:id (finance): the reason is recorded in the entry's history, which is kept */
export const deleteIndicatorBody = z.object({ reason: reason('删除原因（reason）') })
export type DeleteIndicatorBody = z.infer<typeof deleteIndicatorBody>
/** the entry as it was when deleted */
export const deleteIndicatorAnswer = z.object({ indicator: indicatorEntry })
export type DeleteIndicatorAnswer = z.infer<typeof deleteIndicatorAnswer>
