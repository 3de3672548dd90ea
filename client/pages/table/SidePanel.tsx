// The table page's side panel: 审核提示 (the grid's findings panel, moved in here), 征求意见 (rounds),
// 意见 (threads), 修改 (changes since the last version), 历史, and 导入遗留 (cells an import could not
// place) while there are any, as tabs.
import { useEffect, useRef, type ReactNode } from 'react'
import { ChangesTab, useChanges } from './ChangesTab.tsx'
import { usePage } from './Header.tsx'
import { HistoryTab } from './HistoryTab.tsx'
import { RecommendTab } from './RecommendTab.tsx'
import { RoundsTab } from './RoundsTab.tsx'
import type { PanelTab, TablePageStore } from './store.ts'
import { ThreadsTab, useThreads } from './ThreadsTab.tsx'
import { UnplacedTab, useUnplaced } from './UnplacedTab.tsx'

export function SidePanel({ store }: { store: TablePageStore }) {
  const s = usePage(store)
  const grid = store.grid
  const threads = useThreads(grid?.commentsDoc)
  const changes = useChanges(store)
  const unplaced = useUnplaced(grid?.editor.binding.doc)
  const open = threads.filter((t) => t.status === 'open').length
  const tabs: [PanelTab, string, number | null][] = [
    ['findings', '审核提示', null],
    ['rounds', '征求意见', null],
    ['threads', '意见', open || null],
    ['changes', '修改', changes.lines.length || null],
    ['history', '历史', null],
    ...(s.detail.access.edit ? [['recommend', '推荐指标', null] as [PanelTab, string, number | null]] : []),
    ...(unplaced.length || s.tab === 'unplaced' ? [['unplaced', '导入遗留', unplaced.length || null] as [PanelTab, string, number | null]] : []),
  ]
  return (
    <div className="tp-panel">
      <div className="tp-tabs" role="tablist" aria-label="审核面板">
        {tabs.map(([id, label, badge]) => (
          <button
            key={id} type="button" role="tab" id={`tp-tab-${id}`} aria-selected={s.tab === id} aria-controls={`tp-pane-${id}`}
            className={`tp-tab${s.tab === id ? ' tp-tab-on' : ''}`} data-tab={id}
            onClick={() => store.set({ tab: id })}
          >
            {label}{badge ? <span className="tp-badge" data-testid={`badge-${id}`}>{badge}</span> : null}
          </button>
        ))}
      </div>
      <Pane id="findings" on={s.tab === 'findings'}><FindingsHost store={store} /></Pane>
      <Pane id="rounds" on={s.tab === 'rounds'}><RoundsTab store={store} active={s.tab === 'rounds'} /></Pane>
      <Pane id="threads" on={s.tab === 'threads'}>{grid ? <ThreadsTab store={store} /> : null}</Pane>
      <Pane id="changes" on={s.tab === 'changes'}><ChangesTab store={store} changes={changes} /></Pane>
      <Pane id="history" on={s.tab === 'history'}><HistoryTab store={store} active={s.tab === 'history'} /></Pane>
      <Pane id="recommend" on={s.tab === 'recommend'}><RecommendTab store={store} active={s.tab === 'recommend'} /></Pane>
      <Pane id="unplaced" on={s.tab === 'unplaced'}><UnplacedTab store={store} cells={unplaced} /></Pane>
    </div>
  )
}

/** Tabs stay mounted (their forms keep what was typed); a hidden one is only not shown. */
function Pane({ id, on, children }: { id: PanelTab; on: boolean; children: ReactNode }) {
  return <section className="tp-pane" role="tabpanel" id={`tp-pane-${id}`} aria-labelledby={`tp-tab-${id}`} hidden={!on} data-pane={id}>{children}</section>
}

/**
 * The grid's findings panel (client/grid/findings.ts builds and repaints it) shown in this tab.
 * WATCH OUT: the element is moved, not copied: the grid keeps painting into it wherever it is.
 */
function FindingsHost({ store }: { store: TablePageStore }) {
  const ref = useRef<HTMLDivElement>(null)
  const element = store.grid?.editor.findings.element
  useEffect(() => {
    if (element && ref.current && element.parentElement !== ref.current) ref.current.append(element)
  }, [element])
  return <div ref={ref} className="tp-findings-host" />
}
