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
