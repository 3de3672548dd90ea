// Pieces the 总览 (/overview) and 工作台账 (/ledger) pages share: the year in the URL, a sortable column
// heading, the stage badge (手动 when a consultant set it), table counts by status, the deadline cell with its
// 逾期 N 天 mark, and the xlsx download button. Types from shared/api/workflow.ts only.
import { useState } from 'react'
import { STATUS_LABELS } from '../../../shared/api/constants.ts'
import type { DeadlineState, StageInfo, TableCounts } from '../../../shared/api/workflow.ts'
import { TABLE_STATUSES } from '../../../shared/permissions.ts'
import { STAGE_LABELS } from '../../../shared/workflow/stage.ts'
import type { Downloaded } from '../../lib/export-api.ts'
import { budgetYear } from '../tables/FilterBar.tsx'
import { formatTime } from '../tables/TablesTable.tsx'

export type Order = 'asc' | 'desc'
export interface SortState<K extends string> { key: K; order: Order }

export const message = (e: unknown) => (e instanceof Error ? e.message : String(e))

const YEAR_KEY = 'tt.workflowYear'
const validYear = (v: string | null): number | null => (v && /^\d{4}$/.test(v) && Number(v) >= 2000 && Number(v) <= 2100 ? Number(v) : null)

/** ?year= of the page URL, else the year last chosen on 总览 or 工作台账 in this tab, else the budget year being prepared */
export function initialYear(): number {
  return validYear(new URLSearchParams(location.search).get('year')) ?? validYear(sessionStorage.getItem(YEAR_KEY)) ?? budgetYear()
}

/** keeps ?year= in the URL (in place: the year is a view setting, not a step back) and for the other page */
export function rememberYear(year: number): void {
  const url = new URL(location.href)
  url.searchParams.set('year', String(year))
  history.replaceState(null, '', url)
  sessionStorage.setItem(YEAR_KEY, String(year))
}

export function YearSelect({ year, onChange, testId }: { year: number; onChange(y: number): void; testId: string }) {
  const newest = budgetYear() + 1
  const oldest = Math.min(2020, year)
  const years = Array.from({ length: newest - oldest + 1 }, (_, i) => newest - i)
  if (!years.includes(year)) years.unshift(year)
  return (
    <label className="tt-field">
      <span>预算年度</span>
      <select value={year} onChange={(e) => onChange(Number(e.target.value))} data-testid={testId}>
        {years.map((y) => <option key={y} value={y}>{y}</option>)}
      </select>
    </label>
  )
}

export function SortHeader<K extends string>({ label, column, sort, onSort, numeric, title, defaultOrder = 'asc' }: {
  label: string
  column: K
  sort: SortState<K>
  onSort(s: SortState<K>): void
  numeric?: boolean
  title?: string
  /** the first click's order (counts and dates: most first) */
  defaultOrder?: Order
}) {
  const active = sort.key === column
  const next: Order = active ? (sort.order === 'asc' ? 'desc' : 'asc') : defaultOrder
  return (
    <th className={numeric ? 'tt-num' : undefined} aria-sort={active ? (sort.order === 'asc' ? 'ascending' : 'descending') : 'none'} title={title}>
      <button type="button" className={`tt-sort${active ? ' tt-sort-active' : ''}`} data-sort={column} onClick={() => onSort({ key: column, order: next })}>
        {label}
        <span className="tt-sort-arrow" aria-hidden="true">{active ? (sort.order === 'asc' ? '▲' : '▼') : '↕'}</span>
      </button>
    </th>
  )
}

/** compares two rows by a key the caller picks; ties keep the server's order (stable sort) */
export function compareBy<T>(value: (row: T) => string | number | null, order: Order): (a: T, b: T) => number {
  const sign = order === 'asc' ? 1 : -1
  return (a, b) => {
    const x = value(a)
    const y = value(b)
    // empty values (no deadline, no activity) go last either way
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1
    if (typeof x === 'number' && typeof y === 'number') return (x - y) * sign
    return String(x).localeCompare(String(y), 'zh-CN', { numeric: true }) * sign
  }
}

export function StageBadge({ stage }: { stage: StageInfo }) {
  const manual = stage.source === 'manual'
  const title = manual
    ? `第三方机构手动设置为${STAGE_LABELS[stage.stage]}（按表格状态为${STAGE_LABELS[stage.derived]}）${stage.manualNote ? `：${stage.manualNote}` : ''}`
    : '按表格状态推算'
  return (
    <span className={`tw-stage tw-stage-${stage.stage}`} title={title} data-testid="stage">
      {STAGE_LABELS[stage.stage]}
      {manual && <span className="tw-manual">手动</span>}
    </span>
  )
}

/** 草稿 2 · 已报送 1 …, zero counts left out; 暂无表格 when there is none */
export function CountChips({ tables }: { tables: TableCounts }) {
  if (tables.total === 0) return <span className="tt-zero">暂无表格</span>
  return (
    <span className="tw-chips" title={`共 ${tables.total} 张`}>
      {TABLE_STATUSES.filter((s) => tables[s] > 0).map((s) => (
        <span key={s} className={`tt-status tt-status-${s}`} data-status={s}>{STATUS_LABELS[s]} {tables[s]}</span>
      ))}
    </span>
  )
}

export function Count({ n, tone }: { n: number; tone: 'error' | 'open' | 'plain' }) {
  return <span className={n === 0 ? 'tt-zero' : tone === 'error' ? 'tt-count-error' : tone === 'open' ? 'tt-count-open' : undefined}>{n}</span>
}

export function DeadlineCell({ deadline }: { deadline: DeadlineState | null }) {
  if (!deadline) return <span className="tt-zero">未设置</span>
  return (
    <span className="tw-deadline">
      <span className="tw-due" title={`应在此日前进入${STAGE_LABELS[deadline.stage]}`}>{deadline.dueDate}<span className="tw-due-stage">{STAGE_LABELS[deadline.stage]}</span></span>
      {deadline.overdue && <span className="tw-overdue" data-testid="overdue">逾期 {deadline.days} 天</span>}
    </span>
  )
}

export function Activity({ at }: { at: string | null }) {
  return at ? <span className="tt-time">{formatTime(at)}</span> : <span className="tt-zero">—</span>
}

/** 导出 Excel: downloads what the page shows (the server builds the workbook); a refusal shows under it */
export function ExportButton({ run, testId }: { run(): Promise<Downloaded>; testId: string }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const click = async () => {
    setBusy(true)
    setError(null)
    try {
      await run()
    } catch (e) {
      setError(`导出失败：${message(e)}`)
    } finally {
      setBusy(false)
    }
  }
  return (
    <span className="tw-export">
      <button type="button" className="tt-button" data-testid={testId} disabled={busy} onClick={() => void click()}>{busy ? '正在导出…' : '导出 Excel'}</button>
      {error && <span className="tt-form-error" role="alert">{error}</span>}
    </span>
  )
}
