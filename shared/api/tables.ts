// The table resource: list (paged, filtered in SQL), create, read, delete, lifecycle transitions.
import { z } from 'zod'
import type { Finding } from '../rules/index.ts'
import { TABLE_STATUSES } from '../permissions.ts'
import { TEMPLATE_IDS } from '../model/index.ts'
import { boolParam, isoTime, limitParam } from './common.ts'

// plain values live in constants.ts so pages can use them without bundling zod
import { KIND_LABELS, MAX_REASON, STATUS_LABELS, TABLE_KINDS, TABLE_SORTS, TRANSITION_LABELS, TRANSITIONS, type TableSort, type Transition } from './constants.ts'
export { KIND_LABELS, MAX_REASON, STATUS_LABELS, TABLE_KINDS, TABLE_SORTS, TRANSITION_LABELS, TRANSITIONS, type TableSort, type Transition }

export const findingCounts = z.object({ errors: z.number().int(), warnings: z.number().int(), infos: z.number().int() })

export const tableListQuery = z.object({
  year: z.coerce.number({ error: '年度（year）必须是数字' }).int({ error: '年度（year）必须是整数' }).optional(),
  /** a department, town or unit; a department or town includes its units */
  departmentId: z.string().min(1).max(100).optional(),
  status: z.enum(TABLE_STATUSES, { error: `状态（status）应为 ${TABLE_STATUSES.join('、')} 之一` }).optional(),
  kind: z.enum(TABLE_KINDS, { error: '表类型（kind）应为 project 或 department' }).optional(),
  /** search in the title (项目名称 / 部门名称) */
  q: z.string().max(200, { error: '搜索词（q）不能超过 200 个字符' }).optional(),
  hasErrors: boolParam('有错误（hasErrors）').optional(),
  hasOpenThreads: boolParam('有未解决意见（hasOpenThreads）').optional(),
  sort: z.enum(TABLE_SORTS, { error: `排序（sort）应为 ${TABLE_SORTS.join('、')} 之一` }).default('updated'),
  order: z.enum(['asc', 'desc'], { error: '排序方向（order）应为 asc 或 desc' }).optional(),
  limit: limitParam(50),
  /** opaque, from the previous answer's nextCursor */
  cursor: z.string().max(1000).optional(),
})
export type TableListQuery = z.input<typeof tableListQuery>

export const tableSummary = z.object({
  id: z.string(),
  kind: z.enum(TABLE_KINDS),
  template: z.string(),
  year: z.number().int(),
  departmentId: z.string(),
  departmentName: z.string(),
  title: z.string(),
  status: z.enum(TABLE_STATUSES),
  round: z.number().int(),
  version: z.number().int(),
  classified: z.boolean(),
  findings: findingCounts,
  openThreads: z.number().int(),
  updatedAt: isoTime,
})
export type TableSummary = z.infer<typeof tableSummary>

export const tableListAnswer = z.object({
  tables: z.array(tableSummary),
  /** how many tables match the filters (all pages) */
  total: z.number().int(),
  /** null on the last page */
  nextCursor: z.string().nullable(),
})
export type TableListAnswer = z.infer<typeof tableListAnswer>

export const createTableBody = z.object({
  kind: z.enum(TABLE_KINDS, { error: '表类型（kind）应为 project 或 department' }),
  template: z.enum(TEMPLATE_IDS, { error: `表样版本（template）应为 ${TEMPLATE_IDS.join('、')} 之一` }),
  year: z.number({ error: '年度（year）必须是数字' }).int().min(2000, { error: '年度（year）不能早于 2000' }).max(2100, { error: '年度（year）不能晚于 2100' }),
  departmentId: z.string({ error: '部门（departmentId）必填' }).min(1, { error: '部门（departmentId）必填' }),
  /** 项目名称 (project tables) — written into the new table's header */
  projectName: z.string().max(300, { error: '项目名称（projectName）不能超过 300 个字符' }).optional(),
  title: z.string().max(300, { error: '标题（title）不能超过 300 个字符' }).optional(),
  classified: z.boolean({ error: '涉密（classified）必须是布尔值' }).optional(),
  content: z.unknown().optional(),
})
export type CreateTableBody = z.infer<typeof createTableBody>

export const tableAccess = z.object({
  edit: z.boolean(),
  comment: z.boolean(),
  reason: z.string().optional(),
  /** lifecycle actions the caller may take now */
  actions: z.array(z.enum(['submit', 'return', 'approve', 'reopen', 'delete', 'review'])),
})
export type TableAccess = z.infer<typeof tableAccess>

export const tableDetail = tableSummary.extend({
  access: tableAccess,
  content: z.unknown(),
  /** the 指标库版本 (GET /api/indicators/versions) newest for the table's year when it was created; null: none was published */
  libraryVersionId: z.number().int().nullable().optional(),
})
export type TableDetail = z.infer<typeof tableDetail>

export const transitionBody = z.object({
  action: z.enum(TRANSITIONS, { error: '操作（action）应为 submit、return、approve 或 reopen' }),
  reason: z.string({ error: '原因（reason）必须是文本' }).max(MAX_REASON, { error: `原因（reason）不能超过 ${MAX_REASON} 个字符` }).optional(),
})
export type TransitionBody = z.infer<typeof transitionBody>

export const transitionAnswer = z.object({ status: z.enum(TABLE_STATUSES), round: z.number().int(), version: z.number().int() })
export type TransitionAnswer = z.infer<typeof transitionAnswer>

export const deleteTableBody = z.object({ reason: z.string().max(MAX_REASON, { error: `原因（reason）不能超过 ${MAX_REASON} 个字符` }).optional() })

/** an open opinion in a 409 `blocked` answer: the thread's identity and its first message's text */
export const blockedThread = z.object({
  id: z.string(),
  anchor: z.object({ rowId: z.string().optional(), field: z.string().optional() }),
  round: z.number().int(),
  authorId: z.string(),
  createdAt: isoTime,
  text: z.string(),
})
export type BlockedThread = z.infer<typeof blockedThread>
/** `error.details` of a 409 `blocked` transition: the error findings and the open opinions of any round */
export const blockedDetails = z.object({ findings: z.array(z.custom<Finding>()), openThreads: z.array(blockedThread) })
export type BlockedDetails = z.infer<typeof blockedDetails>
