// The rows of the table list: name (link to the grid), kind, year, department, status with its round,
// the server's error/warning counts, open opinions, last change; sortable headers; 删除 where allowed;
// a checkbox per row (and one for the page) choosing tables for 导出所选.
import type { TableSummary } from '../../../shared/api/tables.ts'
import { KIND_LABELS, STATUS_LABELS, type TableSort } from '../../../shared/api/constants.ts'
import { TEMPLATES } from '../../../shared/model/templates.ts'
import { defaultOrder, type ListFilters } from './list-query.ts'

type Order = NonNullable<ListFilters['order']>

export interface TablesTableProps {
  tables: readonly TableSummary[]
  sort: TableSort
  /** undefined: the sort's default order */
  order: Order | undefined
  onSort(sort: TableSort, order: Order): void
  mayDelete(t: TableSummary): boolean
  onDelete(t: TableSummary): void
  /** ids of the chosen tables (any page) */
  selected: ReadonlySet<string>
  onSelect(tables: readonly TableSummary[], on: boolean): void
}

const pad = (n: number) => String(n).padStart(2, '0')

/** 2024-05-01 14:03 in the browser's time zone */
export function formatTime(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}

const templateName = (id: string) => (id in TEMPLATES ? TEMPLATES[id as keyof typeof TEMPLATES].name : id)

export function titleOf(t: TableSummary): string {
  return t.title.trim() || `（未命名${KIND_LABELS[t.kind]}表）`
}

function SortHeader({ label, column, sort, order, onSort, numeric }: {
  label: string
  column: TableSort
  sort: TableSort
  order: Order | undefined
  onSort(sort: TableSort, order: Order): void
  numeric?: boolean
}) {
  const active = sort === column
  const current = order ?? defaultOrder(sort)
  const next: Order = active ? (current === 'asc' ? 'desc' : 'asc') : defaultOrder(column)
  return (
    <th className={numeric ? 'tt-num' : undefined} aria-sort={active ? (current === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" className={`tt-sort${active ? ' tt-sort-active' : ''}`} data-sort={column} onClick={() => onSort(column, next)}>
        {label}
        <span className="tt-sort-arrow" aria-hidden="true">{active ? (current === 'asc' ? '▲' : '▼') : '↕'}</span>
      </button>
    </th>
  )
}

export function TablesTable({ tables, sort, order, onSort, mayDelete, onDelete, selected, onSelect }: TablesTableProps) {
  const head = { sort, order, onSort }
  const chosenHere = tables.filter((t) => selected.has(t.id)).length
  const all = chosenHere > 0 && chosenHere === tables.length
  return (
    <table className="tt-grid-list">
      <colgroup>
        <col style={{ width: 40 }} /><col /><col style={{ width: 116 }} /><col style={{ width: 64 }} /><col style={{ width: 200 }} /><col style={{ width: 140 }} />
        <col style={{ width: 68 }} /><col style={{ width: 60 }} /><col style={{ width: 96 }} /><col style={{ width: 144 }} /><col style={{ width: 64 }} />
      </colgroup>
      <thead>
        <tr>
          <th className="tt-select-cell">
            <input type="checkbox" aria-label="选择本页全部表格" data-testid="select-page" checked={all}
              ref={(el) => { if (el) el.indeterminate = chosenHere > 0 && !all }}
              onChange={() => onSelect(tables, !all)} />
          </th>
          <SortHeader label="名称" column="title" {...head} />
          <th>类型</th>
          <th className="tt-num">年度</th>
          <SortHeader label="部门" column="department" {...head} />
          <SortHeader label="状态" column="status" {...head} />
          <SortHeader label="错误" column="errors" numeric {...head} />
          <th className="tt-num">警告</th>
          <th className="tt-num">未解决意见</th>
          <SortHeader label="更新时间" column="updated" {...head} />
          <th><span className="tt-visually-hidden">操作</span></th>
        </tr>
      </thead>
      <tbody>
        {tables.map((t) => (
          <tr key={t.id} data-table-id={t.id} className={selected.has(t.id) ? 'tt-selected' : undefined}>
            <td className="tt-select-cell">
              <input type="checkbox" aria-label={`选择 ${titleOf(t)}`} data-testid="select-row" checked={selected.has(t.id)} onChange={(e) => onSelect([t], e.target.checked)} />
            </td>
            <td className="tt-title-cell">
              <a href={`/tables/${encodeURIComponent(t.id)}`}>{titleOf(t)}</a>
              <span className="tt-template">
                {templateName(t.template)}
                {t.classified && <span className="tt-tag tt-tag-secret">涉密</span>}
              </span>
            </td>
            <td>{KIND_LABELS[t.kind]}</td>
            <td className="tt-num">{t.year}</td>
            <td className="tt-dept-cell" title={t.departmentName}><a className="tt-dept-link" href={`/departments/${encodeURIComponent(t.departmentId)}?year=${t.year}`}>{t.departmentName}</a></td>
            <td data-testid="status">
              <span className={`tt-status tt-status-${t.status}`}>{STATUS_LABELS[t.status]}</span>
              <span className="tt-round">第 {t.round} 轮</span>
            </td>
            <td className="tt-num" data-testid="errors"><span className={t.findings.errors ? 'tt-count-error' : 'tt-zero'}>{t.findings.errors}</span></td>
            <td className="tt-num" data-testid="warnings"><span className={t.findings.warnings ? 'tt-count-warning' : 'tt-zero'}>{t.findings.warnings}</span></td>
            <td className="tt-num" data-testid="open-threads"><span className={t.openThreads ? 'tt-count-open' : 'tt-zero'}>{t.openThreads}</span></td>
            <td className="tt-time">{formatTime(t.updatedAt)}</td>
            <td className="tt-actions">
              {mayDelete(t) && <button type="button" className="tt-link-button tt-danger" onClick={() => onDelete(t)}>删除</button>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
