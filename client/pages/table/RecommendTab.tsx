// 推荐指标: the library's suggestions for this table (GET /api/tables/:id/recommendations), each with its
// reasons (★ 本类核心指标, 同类项目 78% 使用, 补足缺失的时效指标 …) and, for a 延续 project, last year's target.
// 「插入」 adds the indicator to the live document as a new annual row after the last row of its 一级/二级 group
// (or of its 一级, or of the annual rows), with comparator, target, unit, explanation and basis — one edit the
// grid can undo, reaching everyone in the room. Editors only (the page shows the tab to them alone).
import { useEffect, useState } from 'react'
import type * as Y from 'yjs'
import type { Recommendation, RecommendationAnswer, RecommendedIndicator } from '../../../shared/api/recommendations.ts'
import { normaliseLevel1, normaliseLevel2 } from '../../../shared/model/index.ts'
import { insertRow, tableRoot } from '../../../shared/ydoc/index.ts'
import { LOCAL } from '../../grid/binding.ts'
import { api } from '../../lib/api.ts'
import { usePage } from './Header.tsx'
import type { TablePageStore } from './store.ts'
import './recommend-tab.css'

interface RowPlace { period?: string; level1?: string; level2?: string }

/** Where a new annual row of this 一级/二级 goes: after the group's last row, else its 一级's, else the last annual row. */
export function insertIndex(rows: readonly RowPlace[], level1: string, level2: string): number {
  const l1 = normaliseLevel1(level1)
  const l2 = normaliseLevel2(level2)
  let group = -1
  let sameL1 = -1
  let annual = -1
  rows.forEach((r, i) => {
    if ((r.period ?? 'annual') !== 'annual') return
    annual = i
    if (normaliseLevel1(r.level1 ?? '') !== l1) return
    sameL1 = i
    if (normaliseLevel2(r.level2 ?? '') === l2) group = i
  })
  const after = group >= 0 ? group : sameL1 >= 0 ? sameL1 : annual
  return after >= 0 ? after + 1 : rows.length
}

/** Inserts a suggestion into the table document; returns the new row's id. */
export function insertRecommended(doc: Y.Doc, indicator: RecommendedIndicator): string {
  const list = tableRoot(doc).get('indicators') as Y.Array<Y.Map<unknown>> | undefined
  const rows = (list?.toJSON() ?? []) as RowPlace[]
  const row: Record<string, unknown> = {
    period: 'annual', level1: indicator.level1, level2: indicator.level2, level3: indicator.level3,
    comparator: indicator.comparator, target: indicator.target, unit: indicator.unit,
  }
  if (indicator.explanation) row.explanation = indicator.explanation
  if (indicator.basis) row.basis = indicator.basis
  if (indicator.core) row.core = true
  return insertRow(doc, 'indicators', insertIndex(rows, indicator.level1, indicator.level2), row, LOCAL)
}

export function RecommendTab({ store, active }: { store: TablePageStore; active: boolean }) {
  const s = usePage(store)
  const doc = store.grid?.editor.binding.doc
  const editable = s.detail.access.edit
  const [items, setItems] = useState<Recommendation[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [loading, setLoading] = useState(false)
  const [tick, setTick] = useState(0)

  useEffect(() => {
    if (!active || !editable) return
    let live = true
    setLoading(true)
    api<RecommendationAnswer>(`${store.path}/recommendations?limit=20`).then(
      (r) => { if (live) { setItems(r.recommendations); setError(null) } },
      (e) => { if (live) setError(e instanceof Error ? e.message : String(e)) },
    ).finally(() => { if (live) setLoading(false) })
    return () => { live = false }
  }, [active, editable, s.epoch, tick, store.path])

  if (!editable) return <p className="tp-empty">只有本表的编辑者可以插入推荐指标</p>
  const insert = (r: Recommendation) => {
    if (!doc) return
    insertRecommended(doc, r.indicator)
    setItems((old) => old?.filter((x) => x !== r) ?? null)
  }
  return (
    <div className="tp-tab-body tp-recommend" data-testid="recommend">
      <div className="tp-recommend-bar">
        <p className="tp-hint">按本表的功能分类、项目名称和目标、同类及本部门已批复表的用法排序；★ 为本类核心指标。</p>
        <button type="button" className="tp-link" onClick={() => setTick((t) => t + 1)} disabled={loading}>刷新</button>
      </div>
      {error ? <p className="tp-field-error">{error}</p> : null}
      {items && items.length === 0 && !loading ? <p className="tp-empty">指标库中没有可推荐的指标</p> : null}
      {!items && loading ? <p className="tp-empty">正在加载推荐…</p> : null}
      <ul className="tp-recommend-list" aria-label="推荐指标">
        {(items ?? []).map((r) => {
          const i = r.indicator
          return (
            <li key={i.id ?? i.level3} className={`tp-recommend-item${i.core ? ' tp-recommend-core' : ''}`} data-recommend={i.id ?? i.level3}>
              <div className="tp-recommend-head">
                <span className="tp-recommend-name">{i.core ? '★ ' : ''}{i.level3}</span>
                <span className="tp-recommend-place">{i.level1} / {i.level2}</span>
              </div>
              <div className="tp-recommend-value">
                {i.comparator}{i.target}{i.unit ? ` ${i.unit}` : ''}
                {i.priorTarget || i.priorActual ? <span className="tp-recommend-prior">（上年目标 {i.priorTarget ?? '—'}{i.priorActual ? `，实际 ${i.priorActual}` : ''}）</span> : null}
              </div>
              {i.explanation ? <div className="tp-recommend-explanation">{i.explanation}</div> : null}
              <ul className="tp-recommend-reasons">
                {r.reasons.map((x) => <li key={x}>{x}</li>)}
              </ul>
              <button type="button" className="tp-button tp-recommend-insert" disabled={!doc} onClick={() => insert(r)}>插入</button>
            </li>
          )
        })}
      </ul>
    </div>
  )
}
