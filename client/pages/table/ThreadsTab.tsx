// 意见: the table's threads (the comments room, live) with their round, status and the department's
// answer. The department replies and marks an opinion 已修改 or 不采纳 (with its reason); a reviewer
// (finance, consultant) raises opinions on the selected cell and resolves them. Writes go to the
// comments Y.Doc through shared/ydoc; the server's guard checks the same rules.
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react'
import type * as Y from 'yjs'
import {
  addReply, addThread, DISPOSITION_LABELS, readThreads, setDisposition, setThreadStatus, threadsRoot,
  type CommentAnchor, type CommentThread,
} from '../../../shared/ydoc/index.ts'
import { anchorOf } from '../../grid/comments.ts'
import { formatTime } from './format.ts'
import { usePage } from './Header.tsx'
import type { GridBridge } from './grid-bridge.ts'
import type { TablePageStore } from './store.ts'

/** Origin of the panel's writes: not the grid's own (LOCAL_COMMENT), so the grid's comment cards follow them. */
export const PANEL_COMMENT = Object.freeze({ source: 'review-panel' })

/** The comments document's threads, re-read on every change. */
export function useThreads(doc: Y.Doc | undefined): CommentThread[] {
  const cache = useRef<{ v: CommentThread[] }>({ v: doc ? readThreads(doc) : [] })
  const subscribe = useMemo(() => (fn: () => void) => {
    if (!doc) return () => {}
    const on = () => { cache.current = { v: readThreads(doc) }; fn() }
    // what changed between the first read and now (React compares the snapshot after subscribing)
    cache.current = { v: readThreads(doc) }
    threadsRoot(doc).observeDeep(on)
    return () => threadsRoot(doc).unobserveDeep(on)
  }, [doc])
  return useSyncExternalStore(subscribe, () => cache.current).v
}

type Filter = 'open' | 'all' | 'round'

export function ThreadsTab({ store }: { store: TablePageStore }) {
  const s = usePage(store)
  const grid = store.grid
  const threads = useThreads(grid?.commentsDoc)
  const [filter, setFilter] = useState<Filter>('all')
  const role = s.user.role
  const may = {
    comment: s.detail.access.comment,
    dispose: s.detail.access.comment && role === 'department',
    resolve: s.detail.access.comment && (role === 'finance' || role === 'consultant'),
  }
  // authors who joined after the page loaded are named once the server knows them
  useEffect(() => {
    const unknown = threads.some((t) => t.messages.some((m) => !s.names.has(m.authorId)))
    if (unknown) void store.refreshNames()
  }, [threads, s.names, store])

  const open = threads.filter((t) => t.status === 'open').length
  const shown = threads
    .filter((t) => filter === 'all' || (filter === 'open' ? t.status === 'open' : t.round === s.detail.round))
    .sort((a, b) => Number(a.status === 'resolved') - Number(b.status === 'resolved') || a.createdAt.localeCompare(b.createdAt))
  return (
    <div className="tp-tab-body" data-testid="threads">
      {may.comment && role !== 'department' && role !== 'viewer' ? <NewThread store={store} /> : null}
      <div className="tp-filter" role="tablist" aria-label="意见筛选">
        {([['all', `全部 ${threads.length}`], ['open', `未解决 ${open}`], ['round', `第 ${s.detail.round} 轮`]] as const).map(([k, label]) => (
          <button key={k} type="button" role="tab" aria-selected={filter === k} className={`tp-seg${filter === k ? ' tp-seg-on' : ''}`} onClick={() => setFilter(k)}>{label}</button>
        ))}
      </div>
      {shown.length === 0 ? <p className="tp-empty">{threads.length === 0 ? '暂无意见。' : '没有符合条件的意见。'}</p> : null}
      {shown.map((t) => <ThreadCard key={t.id} store={store} thread={t} may={may} focused={s.focusThread === t.id} />)}
    </div>
  )
}

interface Target { anchor: CommentAnchor; place: string }

/** Where a new opinion would go: the selected cell, when it is a field or an indicator's cell (not a label). */
function selectedTarget(grid: GridBridge): Target | null {
  const cell = grid.editor.binding.activeCell()
  const kind = cell?.cell.target.kind
  if (!cell || !cell.cell.anchor || (kind !== 'row' && kind !== 'field' && kind !== 'group')) return null
  const anchor = anchorOf(cell.cell.anchor)
  return { anchor, place: grid.placeOf({ rowId: anchor.rowId, field: anchor.field }) }
}

/** A new opinion on the cell selected in the grid. */
function NewThread({ store }: { store: TablePageStore }) {
  const s = usePage(store)
  const grid = store.grid!
  const [text, setText] = useState('')
  const [problem, setProblem] = useState<string | null>(null)
  const [target, setTarget] = useState<Target | null>(() => selectedTarget(grid))
  useEffect(() => {
    const api = grid.editor.univerAPI
    // the selection is settled only after the event's turn
    let timer: ReturnType<typeof setTimeout> | undefined
    const read = () => { clearTimeout(timer); timer = setTimeout(() => setTarget(selectedTarget(grid)), 0) }
    const sub = api.addEvent(api.Event.SelectionChanged, read)
    return () => { clearTimeout(timer); sub.dispose() }
  }, [grid])
  const submit = () => {
    const target = selectedTarget(grid)
    setTarget(target)
    if (!target) return setProblem('请先在表格中选中要提意见的单元格（指标或表头字段）')
    if (!text.trim()) return setProblem('请填写意见内容')
    const id = addThread(grid.commentsDoc, { anchor: target.anchor, round: Math.max(1, s.detail.round), authorId: s.user.id, text: text.trim() }, PANEL_COMMENT)
    setText('')
    setProblem(null)
    store.set({ focusThread: id })
  }
  return (
    <div className="tp-new-thread" data-testid="new-thread">
      <div className="tp-new-target">提意见于：<strong data-testid="new-thread-target">{target?.place ?? '（请在表格中选中单元格）'}</strong></div>
      <textarea className="tp-textarea" rows={2} value={text} placeholder="输入意见，例如：请说明指标值的测算依据" data-testid="new-thread-text"
        onFocus={() => setTarget(selectedTarget(grid))} onChange={(e) => { setText(e.target.value); setProblem(null) }} />
      {problem ? <p className="tp-field-error" role="alert">{problem}</p> : null}
      <div className="tp-form-actions"><button type="button" className="tp-button tp-primary tp-small" data-testid="new-thread-submit" onClick={submit}>发表意见</button></div>
    </div>
  )
}

interface May { comment: boolean; dispose: boolean; resolve: boolean }

function ThreadCard({ store, thread: t, may, focused }: { store: TablePageStore; thread: CommentThread; may: May; focused: boolean }) {
  const s = usePage(store)
  const grid = store.grid!
  const ref = useRef<HTMLElement>(null)
  const [reply, setReply] = useState('')
  const [declining, setDeclining] = useState(false)
  const [reason, setReason] = useState('')
  const [problem, setProblem] = useState<string | null>(null)
  const name = (id: string | undefined) => (id ? s.names.get(id) ?? '用户' : '')
  useEffect(() => {
    if (focused) ref.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' })
  }, [focused])
  const doc = grid.commentsDoc
  const me = s.user.id
  const sendReply = () => {
    if (!reply.trim()) return setProblem('请填写回复内容')
    addReply(doc, t.id, { authorId: me, text: reply.trim() }, PANEL_COMMENT)
    setReply('')
    setProblem(null)
  }
  const revised = () => {
    if (reply.trim()) addReply(doc, t.id, { authorId: me, text: reply.trim() }, PANEL_COMMENT)
    setDisposition(doc, t.id, { disposition: 'revised', userId: me }, PANEL_COMMENT)
    setReply('')
    setProblem(null)
  }
  const decline = () => {
    if (!reason.trim()) return setProblem('标记“不采纳”必须填写理由')
    setDisposition(doc, t.id, { disposition: 'declined', reason: reason.trim(), userId: me }, PANEL_COMMENT)
    setDeclining(false)
    setReason('')
    setProblem(null)
  }
  const place = grid.placeOf({ rowId: t.anchor.rowId, field: t.anchor.field })
  const resolved = t.status === 'resolved'
  return (
    <article
      ref={ref}
      className={`tp-thread${resolved ? ' tp-thread-resolved' : ''}${focused ? ' tp-focus' : ''}`}
      data-thread={t.id} data-status={t.status} data-disposition={t.disposition ?? ''} data-testid="thread"
      onClick={() => { if (!focused) store.set({ focusThread: t.id }) }}
    >
      <header className="tp-thread-head">
        <button type="button" className="tp-link tp-place" title="在表格中定位" onClick={() => grid.selectAnchor(t.anchor)}>{place}</button>
        <span className="tp-chip">第 {t.round} 轮</span>
        <span className={`tp-chip ${resolved ? 'tp-chip-green' : 'tp-chip-orange'}`} data-testid="thread-status">{resolved ? '已解决' : '未解决'}</span>
        {t.disposition ? <span className={`tp-chip ${t.disposition === 'revised' ? 'tp-chip-blue' : 'tp-chip-grey'}`} data-testid="thread-disposition">{DISPOSITION_LABELS[t.disposition]}</span> : null}
      </header>
      <ol className="tp-messages">
        {t.messages.map((m, i) => (
          <li key={m.id} className={i === 0 ? 'tp-first' : ''}>
            <div className="tp-msg-head"><strong>{name(m.authorId)}</strong><time>{formatTime(m.createdAt)}</time></div>
            <div className="tp-msg-text">{m.text}</div>
          </li>
        ))}
      </ol>
      {t.disposition ? (
        <p className="tp-disposition">
          {name(t.dispositionBy)} 标记为「{DISPOSITION_LABELS[t.disposition]}」{t.dispositionReason ? `：${t.dispositionReason}` : ''}
          <time>{formatTime(t.dispositionAt)}</time>
        </p>
      ) : null}
      {resolved && t.resolvedBy ? <p className="tp-disposition">{name(t.resolvedBy)} 已解决<time>{formatTime(t.resolvedAt)}</time></p> : null}
      {!resolved && may.comment ? (
        <div className="tp-thread-actions">
          {declining ? (
            <>
              <textarea className="tp-textarea" rows={2} autoFocus value={reason} placeholder="不采纳的理由（必填）" data-testid="decline-reason"
                onChange={(e) => { setReason(e.target.value); setProblem(null) }} />
              <div className="tp-form-actions">
                <button type="button" className="tp-button tp-small" onClick={() => { setDeclining(false); setProblem(null) }}>取消</button>
                <button type="button" className="tp-button tp-small tp-danger" data-testid="decline-confirm" onClick={decline}>确认不采纳</button>
              </div>
            </>
          ) : (
            <>
              <textarea className="tp-textarea" rows={2} value={reply} placeholder={may.dispose ? '回复（说明如何修改）' : '回复'} data-testid="reply-text"
                onChange={(e) => { setReply(e.target.value); setProblem(null) }} />
              <div className="tp-form-actions">
                <button type="button" className="tp-button tp-small" data-testid="reply-send" onClick={sendReply}>回复</button>
                {may.dispose ? <button type="button" className="tp-button tp-small tp-primary" data-testid="mark-revised" onClick={revised}>已修改</button> : null}
                {may.dispose ? <button type="button" className="tp-button tp-small" data-testid="mark-declined" onClick={() => setDeclining(true)}>不采纳…</button> : null}
                {may.resolve ? <button type="button" className="tp-button tp-small tp-success" data-testid="resolve" onClick={() => setThreadStatus(doc, t.id, 'resolved', PANEL_COMMENT, { userId: me })}>解决</button> : null}
              </div>
            </>
          )}
          {problem ? <p className="tp-field-error" role="alert" data-testid="thread-error">{problem}</p> : null}
        </div>
      ) : null}
      {resolved && may.resolve ? (
        <div className="tp-form-actions"><button type="button" className="tp-button tp-small tp-quiet" onClick={() => setThreadStatus(doc, t.id, 'open', PANEL_COMMENT)}>重新打开</button></div>
      ) : null}
    </article>
  )
}
