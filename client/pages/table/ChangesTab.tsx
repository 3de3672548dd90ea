// 自上一轮以来的修改: the differences between a frozen version (by default the latest: the last submit
// or approval) and the live table, from the server's diff by row id. The changed cells are tinted in
// the grid (a colour of their own, with a legend) and each listed change selects its cell. A version
// selector compares against any version and opens one read-only (VersionView).
import { useEffect, useMemo, useState } from 'react'
import type { DiffAnswer, DiffChange, VersionAnswer, VersionSummary } from '../../../shared/api/review.ts'
import { parseTable, type TargetTable } from '../../../shared/model/index.ts'
import { anchorOf } from '../../grid/comments.ts'
import { TINTS } from '../../grid/findings-map.ts'
import { buildLayout } from '../../../shared/layout/layout.ts'
import { debounce } from '../../lib/dom.ts'
import { formatTime, formatValue, OP_LABELS, VERSION_REASON_LABELS } from './format.ts'
import { usePage } from './Header.tsx'
import type { GridBridge } from './grid-bridge.ts'
import type { TablePageStore } from './store.ts'
import { useApi } from './use-api.ts'
import { VersionView } from './VersionView.tsx'

export interface Changes {
  versions: VersionSummary[]
  /** the changes as the form prints them, one line per cell (see linesOf) */
  lines: ChangeLine[]
  /** the version compared against (null: none frozen yet) */
  base: number | null
  setBase(v: number | null): void
  changes: DiffChange[]
  error: string | null
  tint: boolean
  setTint(on: boolean): void
}

/** one empty list, so that "no changes" does not look like new changes on every render */
const NO_CHANGES: DiffChange[] = []

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
  const changes = base !== null && diff.data && String(diff.data.from) === String(base) ? diff.data.changes : NO_CHANGES
  useEffect(() => {
    grid?.markChanged(tint ? changes : [])
  }, [grid, changes, tint])
  const baseText = useVersionText(store, base)
  const lines = useMemo(() => linesOf(changes, grid, baseText), [changes, grid, baseText])
  return { versions: list, base, setBase, changes, lines, error: versions.error ?? diff.error, tint, setTint }
}

/** One line of the list: a cell of the form as it read then and reads now, or a row added, removed, moved. */
interface ChangeLine {
  key: string
  op: DiffChange['op']
  path: string
  rowId?: string
  place: string
  before?: string
  after?: string
  by: string[]
}

/**
 * The diff's changes as the form prints them: the fields one cell shows (指标值 = comparator, target
 * and unit) become one line, `=100% → ≥90%`, read from the base version's layout and the grid's.
 */
function linesOf(changes: readonly DiffChange[], grid: GridBridge | null, baseText: ReadonlyMap<string, string> | null): ChangeLine[] {
  const lines: ChangeLine[] = []
  const byCell = new Map<string, ChangeLine>()
  for (const [i, ch] of changes.entries()) {
    const by = ch.byName ? [ch.byName] : []
    const anchors = grid && ch.op === 'change' ? grid.anchorsOf(ch.path, ch.rowId) : []
    const anchor = anchors.length === 1 ? anchors[0]! : undefined
    if (grid && anchor && baseText) {
      const known = byCell.get(anchor)
      if (known) {
        for (const b of by) if (!known.by.includes(b)) known.by.push(b)
        continue
      }
      const a = anchorOf(anchor)
      const line: ChangeLine = {
        key: anchor, op: 'change', path: ch.path, rowId: ch.rowId, by,
        place: grid.placeOf({ rowId: a.rowId, field: a.field }),
        before: baseText.get(anchor) || '（空）', after: grid.cellText(anchor) || '（空）',
      }
      byCell.set(anchor, line)
      lines.push(line)
      continue
    }
    lines.push({
      key: `${ch.path}#${i}`, op: ch.op, path: ch.path, rowId: ch.rowId, by,
      place: grid?.placeOf({ path: ch.path, rowId: ch.rowId, field: ch.field }) ?? ch.path,
      before: ch.op === 'add' || ch.op === 'move' ? undefined : formatValue(ch.before),
      after: ch.op === 'remove' || ch.op === 'move' ? undefined : formatValue(ch.after),
    })
  }
  return lines
}

/** Cell texts of a frozen version laid out in its form (anchor → text); null until it has loaded. */
function useVersionText(store: TablePageStore, version: number | null): ReadonlyMap<string, string> | null {
  const v = useApi<VersionAnswer>(version !== null ? `${store.path}/versions/${version}` : null)
  return useMemo(() => {
    if (!v.data || v.data.version !== version) return null
    const parsed = parseTable(v.data.content, { mode: 'lenient', assignIds: false })
    try {
      const layout = buildLayout((parsed.ok ? parsed.table : v.data.content) as TargetTable)
      const out = new Map<string, string>()
      for (const [anchor, pos] of layout.anchors) out.set(anchor, layout.cells[pos.row]?.[pos.col]?.v ?? '')
      return out
    } catch {
      return null
    }
  }, [v.data, version])
}

export function ChangesTab({ store, changes: c }: { store: TablePageStore; changes: Changes }) {
  const grid = store.grid
  const [viewing, setViewing] = useState<number | null>(null)
  const base = c.versions.find((v) => v.version === c.base)
  const lines = c.lines
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
            <label><input type="checkbox" checked={c.tint} onChange={(e) => c.setTint(e.target.checked)} data-testid="tint-toggle" /> 在表格中标出修改</label>
            <span className="tp-key"><span className="tp-swatch" style={{ background: TINTS.changed }} aria-hidden="true" />已修改</span>
            <span className="tp-key"><span className="tp-swatch" style={{ background: TINTS.error }} aria-hidden="true" />错误</span>
            <span className="tp-key"><span className="tp-swatch" style={{ background: TINTS.warning }} aria-hidden="true" />警告</span>
          </div>
          {lines.length === 0 ? <p className="tp-empty" data-testid="no-changes">与该版本相比没有修改。</p> : (
            <ul className="tp-changes">
              {lines.map((l) => (
                <li key={l.key} data-op={l.op} data-row={l.rowId ?? ''} data-testid="change">
                  <button type="button" className="tp-change" onClick={() => grid?.selectPath(l.path, l.rowId)} title={l.op === 'remove' ? '该行已删除' : '在表格中定位'}>
                    <span className={`tp-op tp-op-${l.op}`}>{OP_LABELS[l.op]}</span>
                    <span className="tp-change-place">{l.place}</span>
                    {l.before !== undefined || l.after !== undefined ? (
                      <span className="tp-before-after">
                        {l.before !== undefined ? <del>{l.before}</del> : null}
                        {l.before !== undefined && l.after !== undefined ? ' → ' : null}
                        {l.after !== undefined ? <ins>{l.after}</ins> : null}
                      </span>
                    ) : null}
                    {l.by.length ? <span className="tp-muted tp-by">{l.by.join('、')}</span> : null}
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
