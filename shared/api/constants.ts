// Plain values of the API contract (no zod): pages import them from here, so the list and login routes
// do not bundle the schemas. tables.ts and common.ts re-export them; change them only here.
import type { TableStatus } from '../permissions.ts'

/** largest page any list answers; a bigger `limit` is refused (never silently cut) */
export const MAX_PAGE = 500

export const TABLE_KINDS = ['project', 'department'] as const
export const STATUS_LABELS = { draft: '草稿', submitted: '已报送', returned: '退回修改', approved: '已批复' } as const satisfies Record<TableStatus, string>
export const KIND_LABELS = { project: '项目支出', department: '部门整体支出' } as const satisfies Record<(typeof TABLE_KINDS)[number], string>
export const TABLE_SORTS = ['updated', 'title', 'department', 'status', 'errors'] as const
export type TableSort = (typeof TABLE_SORTS)[number]

export const TRANSITIONS = ['submit', 'return', 'approve', 'reopen'] as const
export type Transition = (typeof TRANSITIONS)[number]
export const TRANSITION_LABELS: Readonly<Record<Transition, string>> = { submit: '报送', return: '退回修改', approve: '审核通过', reopen: '调整' }
export const MAX_REASON = 2000

// ---- export and the compiled book (export.ts re-exports these) ----
export const EXPORT_FORMATS = ['xlsx', 'pdf'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]
export const FORMAT_LABELS: Readonly<Record<ExportFormat, string>> = { xlsx: 'Excel（xlsx）', pdf: 'PDF' }

export const EDITIONS = ['internal', 'public'] as const
export type Edition = (typeof EDITIONS)[number]
export const EDITION_LABELS: Readonly<Record<Edition, string>> = { internal: '内部版', public: '公开版' }

/** the biggest book one job builds; a bigger request is refused with this number in the message */
export const MAX_BOOK_TABLES = 5000
/** the most tables one zip export takes (the book is the way to export more) */
export const MAX_ZIP_TABLES = 50

export const JOB_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const
export type JobStatus = (typeof JOB_STATUSES)[number]
export const JOB_STATUS_LABELS: Readonly<Record<JobStatus, string>> = {
  queued: '排队中', running: '生成中', done: '已完成', failed: '失败', cancelled: '已取消',
}
