// How the table page writes times, values and event names for people (zh-CN).
import type { DiffChange } from '../../../shared/api/review.ts'

const pad = (n: number) => String(n).padStart(2, '0')

/** `2026-03-14 09:05` in the browser's time zone; '' when not a time. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** A field's value before or after a change, short enough for a line of the panel. */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined || v === '') return '（空）'
  if (typeof v === 'string') return v
  if (typeof v === 'number') return String(v)
  if (typeof v === 'boolean') return v ? '是' : '否'
  if (Array.isArray(v)) return `${v.length} 项`
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>
    // a row: its indicator or task name says more than its JSON
    const name = o.level3 ?? o.name ?? o.projectName ?? o.deptName
    if (typeof name === 'string' && name) return name
    if ('code' in o || 'name' in o) return [o.code, o.name].filter(Boolean).join(' ')
    const s = JSON.stringify(v)
    return s.length > 80 ? `${s.slice(0, 77)}…` : s
  }
  return String(v)
}

/** why a version was frozen (table_versions.reason) */
export const VERSION_REASON_LABELS: Readonly<Record<string, string>> = { submitted: '报送', approved: '批复', round: '轮次', manual: '手动' }

export const OP_LABELS: Readonly<Record<DiffChange['op'], string>> = { add: '新增', remove: '删除', move: '移动', change: '修改' }

/** History events (`table.submit` …) as a reader names them. */
export const EVENT_LABELS: Readonly<Record<string, string>> = {
  'table.create': '新建表格',
  'table.submit': '报送',
  'table.return': '退回修改',
  'table.approve': '审核通过（批复）',
  'table.reopen': '调整（重新打开）',
  'table.review': '评审',
  'table.delete': '删除',
  'table.restore': '恢复',
}

export function eventLabel(action: string): string {
  return EVENT_LABELS[action] ?? action
}
