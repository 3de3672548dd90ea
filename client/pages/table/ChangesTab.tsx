// 自上一轮以来的修改: the differences between a frozen version (by default the latest: the last submit
// or approval) and the live table, from the server's diff by row id. The changed cells are tinted in
// the grid (a colour of their own, with a legend) and each listed change selects its cell. A version
// selector compares against any version and opens one read-only (VersionView).
import { useEffect, useState } from 'react'
import type { DiffAnswer, DiffChange, VersionSummary } from '../../../shared/api/review.ts'
import { TINTS } from '../../grid/findings-map.ts'
import { debounce } from '../../lib/dom.ts'
import { formatTime, formatValue, OP_LABELS, VERSION_REASON_LABELS } from './format.ts'
import { usePage } from './Header.tsx'
import type { TablePageStore } from './store.ts'
import { useApi } from './use-api.ts'
import { VersionView } from './VersionView.tsx'

export interface Changes {
  versions: VersionSummary[]
  /** the version compared against (null: none frozen yet) */
  base: number | null
  setBase(v: number | null): void
  changes: DiffChange[]
  error: string | null
  tint: boolean
  setTint(on: boolean): void
}

/**
 * The page-wide state of the comparison: it runs while the panel shows another tab, since the grid
 * keeps the tint. The diff is asked again once edits settle (1.5 s), and after every state change.
 */
export function useChanges(store: TablePageStore): Changes {
  const s = usePage(store)
  const versions = useApi<{ versions: VersionSummary[] }>(`${store.path}/versions`, s.epoch)
  const list = [...(versions.data?.versions ?? [])].sort((a, b) => b.version - a.version)
  const latest = list[0]?.version ?? null
  const [chosen, setBase] = useState<number | null>(null)
  const base = chosen !== null && list.some((v) => v.version === chosen) ? chosen : latest
  const [edits, setEdits] = useState(0)
  const [tint, setTint] = useState(true)
  const grid = store.grid
  useEffect(() => {
    if (!grid) return
    const doc = grid.editor.binding.doc
    const later = debounce(() => setEdits((n) => n + 1), 1500)
    doc.on('update', later)
    return () => { later.cancel(); doc.off('update', later) }
  }, [grid])
  const diff = useApi<DiffAnswer>(base !== null ? `${store.path}/diff?from=${base}&to=live` : null, `${s.epoch}:${edits}`)
  const changes = base !== null && diff.data && String(diff.data.from) === String(base) ? diff.data.changes : []
  useEffect(() => {
    grid?.markChanged(tint ? changes : [])
  }, [grid, changes, tint])
  return { versions: list, base, setBase, changes, error: versions.error ?? diff.error, tint, setTint }
}

export function ChangesTab({ store, changes: c }: { store: TablePageStore; changes: Changes }) {
  const grid = store.grid
  const [viewing, setViewing] = useState<number | null>(null)
  const base = c.versions.find((v) => v.version === c.base)
  return (
    <div className="tp-tab-body" data-testid="changes">
      {c.error ? <p className="tp-field-error">{c.error}</p> : null}
      {c.versions.length === 0 ? <p className="tp-empty">尚无冻结的版本：报送或批复时会冻结一个版本，之后的修改在此列出。</p> : (
        <>
          <div className="tp-compare">
            <label className="tp-label" htmlFor="tp-base">对比基准</label>
            <select id="tp-base" className="tp-select" value={c.base ?? ''} data-testid="base-version" onChange={(e) => c.setBase(Number(e.target.value))}>
              {c.versions.map((v) => (
                <option key={v.version} value={v.version}>第 {v.version} 版 · {VERSION_REASON_LABELS[v.reason] ?? v.reason}（第 {v.round} 轮）· {formatTime(v.createdAt)}</option>
              ))}
            </select>
            <button type="button" className="tp-button tp-small" data-testid="open-version" onClick={() => setViewing(c.base)}>查看该版本</button>
          </div>
          {base ? <p className="tp-muted">{base.createdByName} {VERSION_REASON_LABELS[base.reason] ?? base.reason}于 {formatTime(base.createdAt)} → 当前内容</p> : null}
          <div className="tp-legend">
            <label><input type="checkbox" checked={c.tint} onChange={(e) => c.setTint(e.target.checked)} data-testid="tint-toggle" /> 在表格中标出</label>
            <span className="tp-swatch" style={{ background: TINTS.changed }} aria-hidden="true" /> 已修改的单元格
            <span className="tp-swatch" style={{ background: TINTS.error }} aria-hidden="true" /> 错误
            <span className="tp-swatch" style={{ background: TINTS.warning }} aria-hidden="true" /> 警告
          </div>
          {c.changes.length === 0 ? <p className="tp-empty" data-testid="no-changes">与该版本相比没有修改。</p> : (
            <ul className="tp-changes">
              {c.changes.map((ch, i) => (
                <li key={`${ch.path}-${i}`} data-op={ch.op} data-row={ch.rowId ?? ''} data-field={ch.field ?? ''} data-testid="change">
                  <button type="button" className="tp-change" onClick={() => grid?.selectPath(ch.path, ch.rowId)} title={ch.op === 'remove' ? '该行已删除' : '在表格中定位'}>
                    <span className={`tp-op tp-op-${ch.op}`}>{OP_LABELS[ch.op]}</span>
                    <span className="tp-change-place">{grid?.placeOf({ path: ch.path, rowId: ch.rowId, field: ch.field }) ?? ch.path}</span>
                    {ch.op === 'change' ? (
                      <span className="tp-before-after"><del>{formatValue(ch.before)}</del> → <ins>{formatValue(ch.after)}</ins></span>
                    ) : ch.op === 'add' ? <span className="tp-before-after"><ins>{formatValue(ch.after)}</ins></span>
                      : ch.op === 'remove' ? <span className="tp-before-after"><del>{formatValue(ch.before)}</del></span> : null}
                    {ch.byName ? <span className="tp-muted tp-by">{ch.byName}</span> : null}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {viewing !== null ? <VersionView store={store} version={viewing} onClose={() => setViewing(null)} /> : null}
    </div>
  )
}
