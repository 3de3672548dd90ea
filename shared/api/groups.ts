// 同质化部门组 and 示范点 (issue 16 item 4; tables.md §12; glossary `group`): a group of departments shares
// one indicator set held in a group table (sourceTableId); propagating writes that set into each member's
// table of the same kind as a server-side change of its live document (each member sees it in the grid and
// its history, and may adjust it). Members keep their own overrides: a later propagation changes only what
// the member left as last propagated (group_propagations keeps that base per member table). A demo-town
// group (kind demo-towns) promotes a demo town's approved set as the starting point of every other town's
// tables (members are towns; the source must be approved).
// CONTRACT.md → `GET/POST /api/groups`, `POST /api/groups/:id/propagate`; this product adds
// `PATCH/DELETE /api/groups/:id`. Who: finance for any group; a consultant for groups whose members are all
// assigned to it that year; others 403.
import { z } from 'zod'
import { isoTime } from './common.ts'

export const GROUP_KINDS = ['homogeneous', 'demo-towns'] as const
export type GroupKind = (typeof GROUP_KINDS)[number]
export const GROUP_KIND_LABELS: Readonly<Record<GroupKind, string>> = { homogeneous: '同质化部门组', 'demo-towns': '示范点（镇街）' }

const year = z.coerce
  .number({ error: '预算年度（year）必须是数字' })
  .int({ error: '预算年度（year）必须是整数' })
  .min(2000, { error: '预算年度（year）应在 2000–2100 之间' })
  .max(2100, { error: '预算年度（year）应在 2000–2100 之间' })
const name = z.string({ error: '组名（name）必填' }).trim().min(1, { error: '组名（name）必填' }).max(100, { error: '组名（name）最多 100 字' })
const departmentIds = z
  .array(z.string().min(1).max(100), { error: '成员（departmentIds）必须是部门编号列表' })
  .min(1, { error: '请至少选择一个成员（departmentIds）' })
  .max(500, { error: '一个组最多 500 个成员（departmentIds）' })

/** GET /api/groups?year= */
export const groupListQuery = z.object({ year: year.optional() })

export const groupMember = z.object({ departmentId: z.string(), code: z.string(), name: z.string(), kind: z.enum(['department', 'unit', 'town']) })
export const group = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(GROUP_KINDS),
  year: z.number().int(),
  /** the table holding the shared set (a homogeneous group's group table; a demo town's approved table) */
  sourceTableId: z.string().nullable(),
  sourceTableTitle: z.string().nullable(),
  /** the department the source table belongs to (a demo-towns group: the demo town) */
  sourceDepartmentId: z.string().nullable(),
  members: z.array(groupMember),
  createdAt: isoTime,
  lastPropagatedAt: isoTime.nullable(),
})
export type Group = z.infer<typeof group>
export const groupListAnswer = z.object({ groups: z.array(group) })
export type GroupListAnswer = z.infer<typeof groupListAnswer>

/**
 * POST /api/groups: a department is in at most one group per year (409 naming the other group); a
 * demo-towns group's members must be towns; the source table must be of the group's year and, for
 * demo-towns, approved and of a member town.
 */
export const createGroupBody = z.object({
  name,
  kind: z.enum(GROUP_KINDS, { error: '组类型（kind）应为 homogeneous 或 demo-towns' }),
  year,
  departmentIds,
  sourceTableId: z.string().min(1).max(100).optional(),
})
export type CreateGroupBody = z.infer<typeof createGroupBody>

/** PATCH /api/groups/:id — the same checks as creation */
export const updateGroupBody = z.object({ name: name.optional(), departmentIds: departmentIds.optional(), sourceTableId: z.string().min(1).max(100).nullable().optional() })
export type UpdateGroupBody = z.infer<typeof updateGroupBody>

/** POST /api/groups/:id/propagate — dryRun: the report of what would change, nothing written */
export const propagateBody = z.object({ dryRun: z.boolean({ error: '预览（dryRun）必须是布尔值' }).default(false) })
export type PropagateBody = z.input<typeof propagateBody>

export const PROPAGATION_OUTCOMES = ['written', 'created', 'unchanged', 'skipped'] as const
export type PropagationOutcome = (typeof PROPAGATION_OUTCOMES)[number]
/** why a member was skipped */
export const PROPAGATION_SKIPS = ['approved', 'submitted', 'no_table', 'source_member'] as const
export type PropagationSkip = (typeof PROPAGATION_SKIPS)[number]

/** One indicator row's fate in a member table. `keep`: the member changed it since the last propagation; its value stays. */
export const propagationItem = z.object({
  op: z.enum(['add', 'update', 'remove', 'keep']),
  level1: z.string(),
  level2: z.string(),
  /** 三级指标 name */
  name: z.string(),
  /** the fields that change (update) or that the member overrode (keep), e.g. ['comparator','target','unit'] */
  fields: z.array(z.string()),
  /** 指标值 as the member table has it now / as it will be after */
  before: z.string().nullable(),
  after: z.string().nullable(),
})
export type PropagationItem = z.infer<typeof propagationItem>

export const propagationMember = z.object({
  departmentId: z.string(),
  departmentName: z.string(),
  /** the member's table written (or that would be); null when there is none and none was created */
  tableId: z.string().nullable(),
  tableTitle: z.string().nullable(),
  outcome: z.enum(PROPAGATION_OUTCOMES),
  skip: z.enum(PROPAGATION_SKIPS).nullable(),
  /** a Chinese sentence for a skip (e.g. 该部门的表已审核通过，未写入) */
  message: z.string().nullable(),
  counts: z.object({ added: z.number().int(), updated: z.number().int(), removed: z.number().int(), kept: z.number().int() }),
  items: z.array(propagationItem),
})
export type PropagationMember = z.infer<typeof propagationMember>

export const propagationReport = z.object({
  groupId: z.string(),
  dryRun: z.boolean(),
  /** indicators in the shared set */
  setSize: z.number().int(),
  members: z.array(propagationMember),
  at: isoTime,
})
export type PropagationReport = z.infer<typeof propagationReport>
