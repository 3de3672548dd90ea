// The library's results: each entry with its levels, ★, 共性/个性, comparator, typical value and unit, the
// reasons it matched the search, and its explanation; 共 N 条 and 加载更多 below.
import type { IndicatorHit } from '../../../shared/api/library.ts'
import { SCOPE_TEXT } from './fields.ts'

const count = (n: number) => n.toLocaleString('zh-CN')

export function ResultList({ hits, total, stale, selectedId, hasMore, more, departmentName, onOpen, onMore }: {
  hits: readonly IndicatorHit[]
  total: number
  stale: boolean
  selectedId?: string
  hasMore: boolean
  /** 'loading' while the next page comes, or why it failed */
  more?: string
  departmentName(id: string | null): string | null
  onOpen(id: string): void
  onMore(): void
}) {
  return (
    <div className={`tt-card tl-list${stale ? ' tt-stale' : ''}`} aria-busy={stale || undefined}>
      <div className="tl-list-head">
        <span data-testid="indicator-total">共 {count(total)} 条</span>
        {hits.length < total && <span className="tt-muted">已显示 {count(hits.length)} 条</span>}
      </div>
      <ul className="tl-hits">
        {hits.map((h) => (
          <li key={h.id}>
            <button type="button" className={`tl-hit${h.id === selectedId ? ' tl-on' : ''}`} data-testid="indicator-row" data-id={h.id} onClick={() => onOpen(h.id)}>
              <span className="tl-hit-top">
                <span className="tl-hit-name">{h.core && <span className="tl-star" title="核心指标">★</span>}{h.level3}</span>
                <span className="tl-hit-value">{h.comparator === '定性' ? '定性' : `${h.comparator} ${h.typicalValue || '—'}${h.unit ? ` ${h.unit}` : ''}`}</span>
              </span>
              <span className="tl-hit-meta">
                <span>{h.level1} › {h.level2}</span>
                <span className={`tl-scope tl-scope-${h.scope}`}>{SCOPE_TEXT[h.scope]}</span>
                {h.departmentId && <span>{departmentName(h.departmentId)}</span>}
                {h.projectTypes.length > 0 && <span>{h.projectTypes.join('、')}</span>}
                {h.usageCount > 0 && <span>已用 {count(h.usageCount)} 次</span>}
              </span>
              {h.matched.length > 0 && (
                <span className="tl-reasons" data-testid="matched">
                  {h.matched.map((m) => <span key={m} className="tl-reason">{m}</span>)}
                </span>
              )}
              {h.explanation && <span className="tl-hit-text">{h.explanation}</span>}
            </button>
          </li>
        ))}
      </ul>
      {(hasMore || more) && (
        <div className="tt-pager tl-more">
          {more && more !== 'loading' && <span className="tt-form-error" role="alert">加载失败：{more}</span>}
          {hasMore && (
            <button type="button" className="tt-button" data-testid="load-more" disabled={more === 'loading'} onClick={onMore}>
              {more === 'loading' ? '正在加载…' : `加载更多（还有 ${count(total - hits.length)} 条）`}
            </button>
          )}
        </div>
      )}
    </div>
  )
}
