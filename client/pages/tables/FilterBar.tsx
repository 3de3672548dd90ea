// The list's filters: search by name (debounced), 年度, 部门 (tree), 类型, 状态, 有错误, 有未解决意见.
// Every change goes to the page, which puts it in the URL and reloads the first page.
import { useEffect, useRef, useState } from 'react'
import { KIND_LABELS, STATUS_LABELS, TABLE_KINDS } from '../../../shared/api/constants.ts'
import { TABLE_STATUSES } from '../../../shared/permissions.ts'
import type { DepartmentOption } from './departments.ts'
import { narrows, type ListFilters } from './list-query.ts'

const SEARCH_DELAY_MS = 300

export interface FilterBarProps {
  filters: ListFilters
  departments: readonly DepartmentOption[]
  onChange(patch: Partial<ListFilters>, mode?: 'push' | 'replace'): void
}

/** The budget year being prepared: next calendar year. */
export const budgetYear = () => new Date().getFullYear() + 1

function yearOptions(selected: number | undefined): number[] {
  const newest = budgetYear() + 1
  const oldest = Math.min(2020, selected ?? 2020)
  return Array.from({ length: newest - oldest + 1 }, (_, i) => newest - i)
}

/** A department tree as a select: units indented under their department or town. */
export function DepartmentSelect({ value, options, onChange, name, placeholder, invalid }: {
  value: string
  options: readonly DepartmentOption[]
  onChange(id: string): void
  name: string
  placeholder: string
  invalid?: boolean
}) {
  // each root keeps its units below it; towns go to their own group
  const groups: { label: string; items: DepartmentOption[] }[] = [{ label: '部门', items: [] }, { label: '镇街', items: [] }]
  let current = groups[0]!
  for (const o of options) {
    if (o.depth === 0) current = o.kind === 'town' ? groups[1]! : groups[0]!
    current.items.push(o)
  }
  return (
    <select name={name} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={invalid || undefined}>
      <option value="">{placeholder}</option>
      {groups.filter((g) => g.items.length).map((g) => (
        <optgroup key={g.label} label={g.label}>
          {g.items.map((o) => (
            <option key={o.id} value={o.id}>{`${'\u3000'.repeat(o.depth)}${o.depth ? '└ ' : ''}${o.name}`}</option>
          ))}
        </optgroup>
      ))}
    </select>
  )
}

export function FilterBar({ filters, departments, onChange }: FilterBarProps) {
  const [text, setText] = useState(filters.q ?? '')
  const typed = useRef(false)

  // the URL may change under us (back/forward, 清除筛选): follow it unless the user is typing
  useEffect(() => {
    if (!typed.current) setText((t) => (t.trim() === (filters.q ?? '') ? t : filters.q ?? ''))
  }, [filters.q])

  useEffect(() => {
    if (!typed.current) return
    const t = setTimeout(() => {
      if (!typed.current) return // Enter got there first
      typed.current = false
      const q = text.trim()
      if (q !== (filters.q ?? '')) onChange({ q: q || undefined }, 'replace')
    }, SEARCH_DELAY_MS)
    return () => clearTimeout(t)
  }, [text, filters.q, onChange])

  const flag = (v: boolean) => (v ? true : undefined)

  return (
    <div className="tt-filters" role="search">
      <input
        type="search"
        name="q"
        className="tt-search"
        placeholder="搜索表名（项目名称、部门名称）"
        aria-label="搜索表名"
        maxLength={200}
        value={text}
        onChange={(e) => { typed.current = true; setText(e.target.value) }}
        onKeyDown={(e) => { if (e.key === 'Enter') { typed.current = false; onChange({ q: text.trim() || undefined }, 'replace') } }}
      />
      <label className="tt-field">
        <span>年度</span>
        <select name="year" value={filters.year ?? ''} onChange={(e) => onChange({ year: e.target.value ? Number(e.target.value) : undefined })}>
          <option value="">全部</option>
          {yearOptions(filters.year).map((y) => <option key={y} value={y}>{y}</option>)}
        </select>
      </label>
      <label className="tt-field">
        <span>部门</span>
        <DepartmentSelect name="departmentId" value={filters.departmentId ?? ''} options={departments} placeholder="全部部门" onChange={(id) => onChange({ departmentId: id || undefined })} />
      </label>
      <label className="tt-field">
        <span>类型</span>
        <select name="kind" value={filters.kind ?? ''} onChange={(e) => onChange({ kind: (e.target.value || undefined) as ListFilters['kind'] })}>
          <option value="">全部</option>
          {TABLE_KINDS.map((k) => <option key={k} value={k}>{KIND_LABELS[k]}</option>)}
        </select>
      </label>
      <label className="tt-field">
        <span>状态</span>
        <select name="status" value={filters.status ?? ''} onChange={(e) => onChange({ status: (e.target.value || undefined) as ListFilters['status'] })}>
          <option value="">全部</option>
          {TABLE_STATUSES.map((s) => <option key={s} value={s}>{STATUS_LABELS[s]}</option>)}
        </select>
      </label>
      <label className="tt-check">
        <input type="checkbox" name="hasErrors" checked={filters.hasErrors === true} onChange={(e) => onChange({ hasErrors: flag(e.target.checked) })} />
        有错误
      </label>
      <label className="tt-check">
        <input type="checkbox" name="hasOpenThreads" checked={filters.hasOpenThreads === true} onChange={(e) => onChange({ hasOpenThreads: flag(e.target.checked) })} />
        有未解决意见
      </label>
      {narrows(filters) && (
        <button type="button" className="tt-link-button tt-clear"
          onClick={() => { typed.current = false; setText(''); onChange({ year: undefined, departmentId: undefined, kind: undefined, status: undefined, q: undefined, hasErrors: undefined, hasOpenThreads: undefined }) }}>
          清除筛选
        </button>
      )}
    </div>
  )
}
