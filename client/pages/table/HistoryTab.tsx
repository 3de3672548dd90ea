// 历史: who changed which field when (before → after) and every transition with its reason, newest
// first, a page at a time (`nextCursor` → 加载更多).
import { useEffect, useState } from 'react'
import type { HistoryAnswer, HistoryEntry } from '../../../shared/api/review.ts'
import { api } from '../../lib/api.ts'
import { eventLabel, formatTime, formatValue, OP_LABELS } from './format.ts'
import { usePage } from './Header.tsx'
import type { TablePageStore } from './store.ts'

const PAGE = 50

export function HistoryTab({ store, active }: { store: TablePageStore; active: boolean }) {
  const s = usePage(store)
  const [entries, setEntries] = useState<HistoryEntry[]>([])
  const [cursor, setCursor] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [loading, setLoading] = useState(false)
  const load = async (before: string | null, replace: boolean) => {
    setLoading(true)
    try {
      const r = await api<HistoryAnswer>(`${store.path}/history?limit=${PAGE}${before ? `&before=${encodeURIComponent(before)}` : ''}`)
      setEntries((old) => (replace ? r.entries : [...old, ...r.entries]))
      setCursor(r.nextCursor)
      setError(null)
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setLoading(false)
    }
  }
  // the first page again whenever the tab is shown or the table's state moved
  useEffect(() => {
    if (active) void load(null, true)
  }, [active, s.epoch])
  const grid = store.grid
  return (
    <div className="tp-tab-body" data-testid="history">
      {error ? <p className="tp-field-error">{error}</p> : null}
      {entries.length === 0 && !loading && !error ? <p className="tp-empty">暂无记录。</p> : null}
      <ol className="tp-history">
        {entries.map((e, i) => (
          <li key={`${e.at}-${i}`} className={`tp-history-${e.type}`} data-type={e.type} data-action={e.type === 'event' ? e.action : e.op}>
            <div className="tp-msg-head"><strong>{e.byName || '系统'}</strong><time>{formatTime(e.at)}</time></div>
            {e.type === 'event' ? (
              <div>
                <span className="tp-event">{eventLabel(e.action)}</span>
                {e.round ? <span className="tp-muted"> · 第 {e.round} 轮</span> : null}
                {e.version ? <span className="tp-muted"> · 版本 {e.version}</span> : null}
                {e.reason ? <div className="tp-reason">{e.action === 'table.review' ? '审核意见' : '原因'}：{e.reason}</div> : null}
              </div>
            ) : (
              <button type="button" className="tp-change" onClick={() => grid?.selectPath(e.path, e.rowId ?? undefined)}>
                <span className={`tp-op tp-op-${e.op}`}>{OP_LABELS[e.op]}</span>
                <span className="tp-change-place">{e.label}</span>
                {e.op === 'change' ? <span className="tp-before-after"><del>{formatValue(e.before)}</del> → <ins>{formatValue(e.after)}</ins></span> : null}
              </button>
            )}
          </li>
        ))}
      </ol>
      {cursor ? <button type="button" className="tp-button tp-block" disabled={loading} data-testid="history-more" onClick={() => void load(cursor, false)}>{loading ? '正在加载…' : '加载更多'}</button> : null}
      {loading && !entries.length ? <p className="tp-muted">正在加载…</p> : null}
    </div>
  )
}
