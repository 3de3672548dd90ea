// The table page's header: title, 状态 / 第 n 轮 / 版本, the lifecycle buttons the server allows the
// caller (access.actions), their dialogs, the state banner, and what a refused transition says —
// a 409 `blocked` lists its findings and open threads, each a link to its cell or thread.
import { useEffect, useState, useSyncExternalStore } from 'react'
import { KIND_LABELS, STATUS_LABELS, TRANSITION_LABELS, type Transition } from '../../../shared/api/constants.ts'
import type { HistoryAnswer } from '../../../shared/api/review.ts'
import { api, displayName } from '../../lib/api.ts'
import { ConfirmDialog, ReasonDialog } from './Dialog.tsx'
import { ExportDialog } from './ExportDialog.tsx'
import type { PageState, TablePageStore } from './store.ts'

export function usePage(store: TablePageStore): PageState {
  return useSyncExternalStore(store.subscribe, store.get)
}

const ROLE_LABELS: Readonly<Record<string, string>> = { finance: '财政局', department: '部门', consultant: '第三方机构', viewer: '只读' }

function titleOf(s: PageState): string {
  const header = (s.detail.content as { header?: { projectName?: string; deptName?: string } } | null)?.header
  return s.detail.title || header?.projectName || header?.deptName || '绩效目标表'
}

export function Header({ store }: { store: TablePageStore }) {
  const s = usePage(store)
  const { detail } = s
  const [dialog, setDialog] = useState<Transition | 'delete' | 'export' | null>(null)
  const [dialogError, setDialogError] = useState<string | null>(null)
  const actions = new Set(detail.access.actions)

  const run = async (action: Transition, reason?: string) => {
    setDialogError(null)
    const r = await store.transition(action, reason)
    // a refusal of the input itself stays in the dialog; anything else is shown on the page
    if (!r.ok && r.error.code === 'invalid_input') setDialogError(r.error.message)
    else setDialog(null)
  }
  const remove = async () => {
    try {
      await api(store.path, { method: 'DELETE', json: {} })
      location.assign('/tables')
    } catch (e) {
      setDialogError(e instanceof Error ? e.message : String(e))
    }
  }
  const open = (a: Transition | 'delete' | 'export') => { setDialogError(null); setDialog(a) }

  return (
    <div className="tp-header-wrap">
      <div className="tp-header">
        <a className="tp-back" href="/tables" title="返回表格列表">‹ 表格列表</a>
        <div className="tp-title-block">
          <h1 title={titleOf(s)}>{titleOf(s)}</h1>
          <div className="tp-meta">
            <span data-testid="department">{detail.departmentName}</span>
            <span>{detail.year} 年度</span>
            <span>{KIND_LABELS[detail.kind]}</span>
          </div>
        </div>
        <div className="tp-state">
          <span className={`tp-status tp-status-${detail.status}`} data-testid="status">{STATUS_LABELS[detail.status]}</span>
          <span className="tp-chip" data-testid="round">{detail.round > 0 ? `第 ${detail.round} 轮` : '尚未报送'}</span>
          {detail.version > 0 ? <span className="tp-chip" data-testid="version" title="每次报送和批复冻结一个版本">版本 {detail.version}</span> : null}
        </div>
        <div className="tp-actions" role="toolbar" aria-label="审核流程">
          {actions.has('submit') ? <button type="button" className="tp-button tp-primary" data-action="submit" disabled={!!s.busy} onClick={() => open('submit')}>{TRANSITION_LABELS.submit}</button> : null}
          {actions.has('approve') ? <button type="button" className="tp-button tp-success" data-action="approve" disabled={!!s.busy} onClick={() => open('approve')}>{TRANSITION_LABELS.approve}</button> : null}
          {actions.has('return') ? <button type="button" className="tp-button tp-danger-outline" data-action="return" disabled={!!s.busy} onClick={() => open('return')}>{TRANSITION_LABELS.return}</button> : null}
          {actions.has('reopen') ? <button type="button" className="tp-button" data-action="reopen" disabled={!!s.busy} onClick={() => open('reopen')}>{TRANSITION_LABELS.reopen}</button> : null}
          {actions.has('delete') && detail.status === 'draft' ? <button type="button" className="tp-button tp-quiet" data-action="delete" onClick={() => open('delete')}>删除</button> : null}
        </div>
        <button type="button" className="tp-button" data-action="export" title="导出为 Excel 或 PDF（正式表样）" onClick={() => open('export')}>导出</button>
        <div className="tp-user" title={ROLE_LABELS[s.user.role]}>
          <span className="tp-avatar" aria-hidden="true">{displayName(s.user).slice(0, 1)}</span>
          <span>{displayName(s.user)}</span>
          <span className="tp-role">{ROLE_LABELS[s.user.role]}</span>
        </div>
      </div>
      <StateBanner store={store} />
      {s.notice ? <NoticeLine store={store} /> : null}
      {s.blocked ? <BlockedPanel store={store} /> : null}

      {dialog === 'export' ? <ExportDialog store={store} onClose={() => setDialog(null)} /> : null}
      {dialog === 'submit' ? (
        <ConfirmDialog title="报送审核" confirmText="确认报送" busy={s.busy === 'submit'} onConfirm={() => void run('submit')} onClose={() => setDialog(null)} testId="submit-dialog">
          <p>报送后进入征求意见：财政局和第三方机构审核并提出意见，审核期间本部门不能修改表格内容，可以答复意见。</p>
          <p className="tp-hint">报送时将冻结当前内容为一个版本，用于对比此后的修改。</p>
        </ConfirmDialog>
      ) : null}
      {dialog === 'approve' ? (
        <ConfirmDialog title="审核通过" confirmText="确认通过并批复" busy={s.busy === 'approve'} onConfirm={() => void run('approve')} onClose={() => setDialog(null)} testId="approve-dialog">
          <p>审核通过后表格即批复：当前内容冻结为新版本并锁定，任何人不能再修改或发表意见。</p>
          <p className="tp-hint">各轮的意见须全部解决；如有错误或未解决的意见，系统会列出。</p>
        </ConfirmDialog>
      ) : null}
      {dialog === 'return' ? (
        <ReasonDialog
          title="退回修改" label="退回原因" confirmText="退回" danger busy={s.busy === 'return'} error={dialogError} testId="return-dialog"
          hint="退回后部门可以修改表格并重新报送；退回原因将通知部门并记入表格历史。"
          onConfirm={(r) => void run('return', r)} onClose={() => setDialog(null)}
        />
      ) : null}
      {dialog === 'reopen' ? (
        <ReasonDialog
          title="调整已批复的表" label="调整原因" confirmText="调整" busy={s.busy === 'reopen'} error={dialogError} testId="reopen-dialog"
          hint="调整将解除批复锁定，表格回到草稿，部门可以修改并重新报送。调整原因将记入表格历史（档案保存 10 年）。"
          onConfirm={(r) => void run('reopen', r)} onClose={() => setDialog(null)}
        />
      ) : null}
      {dialog === 'delete' ? (
        <ConfirmDialog title="删除草稿" confirmText="删除" onConfirm={() => void remove()} onClose={() => setDialog(null)} testId="delete-dialog">
          <p>删除后该表从所有列表中移除（审计日志中保留记录）。</p>
          {dialogError ? <p className="tp-field-error" role="alert">{dialogError}</p> : null}
        </ConfirmDialog>
      ) : null}
    </div>
  )
}

/** The latest return or reopen reason, from the table's history (best effort: no banner line without it). */
function useLastReason(store: TablePageStore, epoch: number, wanted: boolean): string | null {
  const [reason, setReason] = useState<string | null>(null)
  useEffect(() => {
    if (!wanted) return setReason(null)
    let live = true
    api<HistoryAnswer>(`${store.path}/history?limit=50`)
      .then((h) => {
        const e = h.entries.find((x) => x.type === 'event' && (x.action === 'table.return' || x.action === 'table.reopen'))
        if (live) setReason(e && e.type === 'event' ? e.reason : null)
      })
      .catch(() => { if (live) setReason(null) })
    return () => { live = false }
  }, [store, epoch, wanted])
  return reason
}

function StateBanner({ store }: { store: TablePageStore }) {
  const s = usePage(store)
  const { status, round, version } = s.detail
  const reason = useLastReason(store, s.epoch, status === 'returned' || (status === 'draft' && version > 0))
  let tone = ''
  let text: string | null = null
  if (status === 'submitted') {
    tone = 'info'
    text = `已报送 · 第 ${round} 轮征求意见中。审核期间部门不能修改表格内容，可以答复意见。`
  } else if (status === 'returned') {
    tone = 'warning'
    text = `已退回修改（第 ${round} 轮）。${reason ? `退回原因：${reason}` : '请按意见修改后重新报送。'}`
  } else if (status === 'approved') {
    tone = 'success'
    text = `已批复 · 第 ${version} 版已锁定，内容不能再修改。如需修改，须由财政局“调整”。`
  } else if (status === 'draft' && reason) {
    tone = 'warning'
    text = `已调整，重新填报中。调整原因：${reason}`
  }
  if (!text) return null
  return <div className={`tp-banner tp-banner-${tone}`} role="status" data-testid="status-banner" data-status={status}>{text}</div>
}

function NoticeLine({ store }: { store: TablePageStore }) {
  const s = usePage(store)
  const notice = s.notice
  useEffect(() => {
    if (notice?.tone !== 'success') return
    const t = setTimeout(() => { if (store.get().notice === notice) store.set({ notice: null }) }, 5000)
    return () => clearTimeout(t)
  }, [notice, store])
  if (!notice) return null
  return (
    <div className={`tp-notice tp-notice-${notice.tone}`} role={notice.tone === 'error' ? 'alert' : 'status'} data-testid="notice">
      <span>{notice.text}</span>
      <button type="button" className="tp-icon-button" aria-label="关闭提示" onClick={() => store.set({ notice: null })}>×</button>
    </div>
  )
}

function BlockedPanel({ store }: { store: TablePageStore }) {
  const s = usePage(store)
  const b = s.blocked!
  const grid = store.grid
  const name = (id: string) => s.names.get(id) ?? '审核人'
  return (
    <section className="tp-blocked" role="alert" data-testid="blocked">
      <header>
        <strong>{b.message}</strong>
        <button type="button" className="tp-icon-button" aria-label="关闭" onClick={() => store.set({ blocked: null })}>×</button>
      </header>
      <div className="tp-blocked-body">
        {b.findings.length ? (
          <div>
            <h3>需修正的错误（{b.findings.length}）</h3>
            <ul>
              {b.findings.map((f, i) => (
                <li key={`${f.ruleId}-${f.path}-${i}`} data-rule={f.ruleId}>
                  <button type="button" className="tp-link" data-testid="blocked-finding" onClick={() => grid?.selectPath(f.path, f.rowId)}>
                    {grid?.placeOf({ path: f.path, rowId: f.rowId }) ?? f.path}
                  </button>
                  <span className="tp-rule">{f.ruleId}</span>
                  <span>{f.message}</span>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        {b.openThreads.length ? (
          <div>
            <h3>未解决的意见（{b.openThreads.length}）</h3>
            <ul>
              {b.openThreads.map((t) => (
                <li key={t.id}>
                  <button type="button" className="tp-link" data-testid="blocked-thread" data-thread={t.id} onClick={() => store.openThread(t.id)}>
                    第 {t.round} 轮 · {grid?.placeOf({ rowId: t.anchor.rowId, field: t.anchor.field }) ?? '意见'}
                  </button>
                  <span>{t.text}</span>
                  <span className="tp-muted">— {name(t.authorId)}</span>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </div>
    </section>
  )
}
