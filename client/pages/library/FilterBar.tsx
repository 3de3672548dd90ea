// The library's filter bar: search as one types (debounced, kept in the URL in place), 共性/个性, ★ 核心
// and 部门. Every change goes to the page, which puts it in the URL and reloads the first page.
import { useEffect, useRef, useState } from 'react'
import { Segmented } from '../../components/Segmented.tsx'
import { DepartmentSelect } from '../tables/FilterBar.tsx'
import type { DepartmentOption } from '../tables/departments.ts'
import { SCOPE_TEXT } from './fields.ts'
import { narrows, type LibraryFilters } from './library-query.ts'

export const SEARCH_DELAY_MS = 200

const SCOPES = ['', 'common', 'specific'] as const

export function FilterBar({ filters, departments, onChange }: {
  filters: LibraryFilters
  departments: readonly DepartmentOption[]
  onChange(patch: Partial<LibraryFilters>, mode?: 'push' | 'replace'): void
}) {
  const [text, setText] = useState(filters.q ?? '')
  const typed = useRef(false)

  // the URL may change under us (back/forward, 清除筛选): follow it unless the user is typing
  useEffect(() => {
    if (!typed.current) setText((t) => (t.trim() === (filters.q ?? '') ? t : filters.q ?? ''))
  }, [filters.q])

  useEffect(() => {
    if (!typed.current) return
    const t = setTimeout(() => {
      typed.current = false
      const q = text.trim()
      if (q !== (filters.q ?? '')) onChange({ q: q || undefined }, 'replace')
    }, SEARCH_DELAY_MS)
    return () => clearTimeout(t)
  }, [text, filters.q, onChange])

  return (
    <div className="tt-filters" role="search">
      <input
        type="search"
        name="q"
        className="tt-search tl-search"
        placeholder="搜索指标，如 满意度、myd"
        aria-label="搜索指标"
        maxLength={200}
        value={text}
        onChange={(e) => { typed.current = true; setText(e.target.value) }}
        onKeyDown={(e) => {
          if (e.key !== 'Enter') return
          typed.current = false
          const q = text.trim()
          if (q !== (filters.q ?? '')) onChange({ q: q || undefined }, 'replace')
        }}
      />
      <Segmented
        name="scope"
        value={filters.scope ?? ''}
        options={SCOPES}
        label={(v) => SCOPE_TEXT[v]}
        onChange={(v) => onChange({ scope: v || undefined })}
      />
      <label className="tt-check" title="各行业、领域的核心绩效指标">
        <input type="checkbox" name="core" checked={!!filters.core} onChange={(e) => onChange({ core: e.target.checked || undefined })} />
        <span>★ 仅核心指标</span>
      </label>
      <label className="tt-field">
        <span>部门</span>
        <DepartmentSelect name="departmentId" value={filters.departmentId ?? ''} options={departments} placeholder="全部（共性指标及各部门）" onChange={(id) => onChange({ departmentId: id || undefined })} />
      </label>
      {narrows(filters) && (
        <button type="button" className="tt-link-button tt-clear" onClick={() => {
          typed.current = false
          setText('')
          onChange({ q: undefined, level1: undefined, level2: undefined, functionalClass: undefined, scope: undefined, departmentId: undefined, core: undefined })
        }}>清除筛选</button>
      )}
    </div>
  )
}
