// The library's left column: 指标层级 (一级 → 二级, each with how many entries the other filters leave)
// and 功能分类 (类 → 款 → 项, folded; choosing one keeps the entries for every class and for that one).
import { useEffect, useState } from 'react'
import { listIndicators } from '../../lib/library-api.ts'
import { isAbort } from '../../lib/tables-api.ts'
import { CLASS_TREE, LEVELS, className, type ClassNode } from './catalog.ts'
import { writeLocation, type LibraryFilters } from './library-query.ts'

export interface LevelCounts {
  /** entries under the other filters, every level */
  all: number
  /** by 二级 name */
  byLevel2: ReadonlyMap<string, number>
}

/**
 * How many entries each 二级 holds under the other filters (search, scope, ★, department, class): one
 * `limit=1` call per 二级 and one for all, whose `total` is the count. Null while the first answer is on its way.
 */
export function useLevelCounts(filters: LibraryFilters, tick: number): LevelCounts | null {
  const [counts, setCounts] = useState<LevelCounts | null>(null)
  const { level1: _l1, level2: _l2, ...rest } = filters
  const key = writeLocation(rest)
  useEffect(() => {
    const ctl = new AbortController()
    const base = { ...rest, core: rest.core ? 'true' as const : undefined, limit: 1 }
    const pairs = LEVELS.flatMap((l) => l.level2.map((level2) => ({ level1: l.name, level2 })))
    Promise.all([
      listIndicators(base, ctl.signal),
      ...pairs.map((p) => listIndicators({ ...base, ...p }, ctl.signal)),
    ]).then(
      ([all, ...each]) => setCounts({ all: all!.total, byLevel2: new Map(pairs.map((p, i) => [p.level2, each[i]!.total])) }),
      (e) => { if (!isAbort(e)) console.warn('library counts', e) },
    )
    return () => ctl.abort()
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, tick])
  return counts
}

export function Sidebar({ filters, counts, onChange }: {
  filters: LibraryFilters
  counts: LevelCounts | null
  onChange(patch: Partial<LibraryFilters>): void
}) {
  const n = (v: number | undefined) => (counts ? <span className="tl-count">{(v ?? 0).toLocaleString('zh-CN')}</span> : null)
  return (
    <aside className="tl-side">
      <nav className="tt-card tl-tree" aria-label="指标层级" data-testid="level-tree">
        <h2>指标层级</h2>
        <button type="button" className={`tl-node${!filters.level1 ? ' tl-on' : ''}`} onClick={() => onChange({ level1: undefined, level2: undefined })}>
          <span>全部指标</span>{n(counts?.all)}
        </button>
        {LEVELS.map((l1) => {
          const sum = counts ? l1.level2.reduce((s, x) => s + (counts.byLevel2.get(x) ?? 0), 0) : undefined
          return (
            <div key={l1.name} className="tl-group">
              <button type="button" className={`tl-node tl-level1${filters.level1 === l1.name && !filters.level2 ? ' tl-on' : ''}`}
                data-level1={l1.name} onClick={() => onChange({ level1: l1.name, level2: undefined })}>
                <span>{l1.name}</span>{n(sum)}
              </button>
              {l1.level2.map((l2) => {
                const c = counts?.byLevel2.get(l2)
                return (
                  <button key={l2} type="button" className={`tl-node tl-level2${filters.level2 === l2 ? ' tl-on' : ''}${c === 0 ? ' tl-zero' : ''}`}
                    data-level2={l2} onClick={() => onChange({ level1: l1.name, level2: l2 })}>
                    <span>{l2}</span>{n(c)}
                  </button>
                )
              })}
            </div>
          )
        })}
      </nav>
      <ClassTree selected={filters.functionalClass} onSelect={(code) => onChange({ functionalClass: code })} />
    </aside>
  )
}

function ClassTree({ selected, onSelect }: { selected?: string; onSelect(code: string | undefined): void }) {
  // the chosen class's ancestors start unfolded
  const [open, setOpen] = useState<ReadonlySet<string>>(() => new Set(selected ? [selected.slice(0, 3), selected.slice(0, 5)] : []))
  const toggle = (code: string) => setOpen((o) => { const s = new Set(o); if (s.has(code)) s.delete(code); else s.add(code); return s })
  const row = (c: ClassNode, depth: number) => (
    <li key={c.code}>
      <div className={`tl-class${selected === c.code ? ' tl-on' : ''}`} style={{ paddingLeft: 4 + depth * 14 }}>
        {c.children.length > 0
          ? <button type="button" className="tl-fold" aria-label={open.has(c.code) ? `收起${c.name}` : `展开${c.name}`} aria-expanded={open.has(c.code)} onClick={() => toggle(c.code)}>{open.has(c.code) ? '▾' : '▸'}</button>
          : <span className="tl-fold" />}
        <button type="button" className="tl-class-name" data-class={c.code} title={className(c.code)} onClick={() => onSelect(selected === c.code ? undefined : c.code)}>
          <span className="tl-code">{c.code}</span>{c.name}
        </button>
      </div>
      {open.has(c.code) && c.children.length > 0 && <ul>{c.children.map((k) => row(k, depth + 1))}</ul>}
    </li>
  )
  return (
    <nav className="tt-card tl-tree tl-classes" aria-label="支出功能分类" data-testid="class-tree">
      <h2>
        支出功能分类
        {selected && <button type="button" className="tt-link-button tl-unset" onClick={() => onSelect(undefined)}>全部</button>}
      </h2>
      {selected && <p className="tl-class-note">{className(selected)}：含通用于各类的指标</p>}
      <ul>{CLASS_TREE.map((c) => row(c, 0))}</ul>
    </nav>
  )
}
