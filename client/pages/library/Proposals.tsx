// 指标建议 on /library: the title bar's actions (finance: 指标建议（N 条待处理）; a department: 建议新增指标 and
// 我的建议) and the list of proposals — pending first, each with its kind, department, proposer, the proposed
// fields beside the entry's current values, the reason, and for finance 采纳 / 不采纳 (a reason required to
// decline). A change whose entry moved on since it was proposed, or was deleted, says so before 采纳.
import { useCallback, useEffect, useState } from 'react'
import type { PublicUser } from '../../../shared/api/directory.ts'
import {
  PROPOSAL_KIND_LABELS, PROPOSAL_STATUS_LABELS, type Proposal, type ProposalListAnswer, type ProposalStatus,
} from '../../../shared/api/library-proposals.ts'
import { Dialog } from '../../components/Dialog.tsx'
import { ApiError, goLogin } from '../../lib/api.ts'
import { decideProposal, listProposals } from '../../lib/library-api.ts'
import { isAbort } from '../../lib/tables-api.ts'
import type { DepartmentOption } from '../tables/departments.ts'
import { FIELD_LABELS, showValue } from './fields.ts'
import { ProposeNewDialog } from './ProposalForms.tsx'
import './proposals.css'

const PAGE = 50
const FIELD_ORDER = [
  'level1', 'level2', 'level3', 'comparator', 'typicalValue', 'unit', 'explanation', 'formula', 'basis', 'dataSource',
  'scope', 'core', 'departmentId', 'functionalClasses', 'projectTypes', 'alt2021',
]
const time = (iso: string) => new Date(iso).toLocaleString('zh-CN', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false })
const message = (e: unknown) => (e instanceof Error ? e.message : String(e))

type DepartmentName = (id: string | null) => string | null

/** The title bar's buttons for proposals; `onAccepted` lets the page reload the library after an 采纳. */
export function ProposalActions({ user, departments, departmentName, onAccepted }: {
  user: PublicUser
  departments: readonly DepartmentOption[]
  departmentName: DepartmentName
  onAccepted(): void
}) {
  const [open, setOpen] = useState(false)
  const [proposing, setProposing] = useState(false)
  const [sent, setSent] = useState(false)
  const [pending, setPending] = useState<number | null>(null)
  const [tick, setTick] = useState(0)
  const finance = user.role === 'finance'

  useEffect(() => {
    if (!finance) return
    const ctl = new AbortController()
    listProposals({ status: 'pending', limit: 1 }, ctl.signal).then((a) => setPending(a.total), () => undefined)
    return () => ctl.abort()
  }, [finance, tick])

  if (finance) {
    return (
      <>
        <button type="button" className="tt-button" data-testid="proposals-button" onClick={() => setOpen(true)}>
          指标建议{pending !== null && <span className={pending > 0 ? 'tp-count tp-count-on' : 'tp-count'}>（{pending} 条待处理）</span>}
        </button>
        {open && (
          <ProposalsDialog user={user} departmentName={departmentName} onClose={() => { setOpen(false); setTick((n) => n + 1) }}
            onDecided={(p) => { setTick((n) => n + 1); if (p.status === 'accepted') onAccepted() }} />
        )}
      </>
    )
  }
  if (user.role !== 'department') return null
  return (
    <>
      {sent && <span className="tp-sent" role="status" data-testid="proposal-sent">建议已提交，等待财政局处理</span>}
      <button type="button" className="tt-button" data-testid="my-proposals" onClick={() => setOpen(true)}>我的建议</button>
      <button type="button" className="tt-button tt-button-primary" data-testid="propose-new" onClick={() => setProposing(true)}>建议新增指标</button>
      {proposing && <ProposeNewDialog user={user} departments={departments} onClose={() => setProposing(false)} onDone={() => { setProposing(false); setSent(true) }} />}
      {open && <ProposalsDialog user={user} departmentName={departmentName} onClose={() => setOpen(false)} onDecided={() => undefined} />}
    </>
  )
}

type Tab = ProposalStatus | 'all'
const TABS: readonly { tab: Tab; label: string }[] = [
  { tab: 'pending', label: '待处理' }, { tab: 'accepted', label: '已采纳' }, { tab: 'rejected', label: '未采纳' }, { tab: 'all', label: '全部' },
]

export function ProposalsDialog({ user, departmentName, onClose, onDecided }: {
  user: PublicUser
  departmentName: DepartmentName
  onClose(): void
  onDecided(p: Proposal): void
}) {
  const finance = user.role === 'finance'
  const [tab, setTab] = useState<Tab>(finance ? 'pending' : 'all')
  const [answer, setAnswer] = useState<ProposalListAnswer | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [tick, setTick] = useState(0)

  useEffect(() => {
    const ctl = new AbortController()
    setError(null)
    listProposals({ ...(tab === 'all' ? {} : { status: tab }), limit: PAGE }, ctl.signal).then(setAnswer, (e) => {
      if (isAbort(e)) return
      if (e instanceof ApiError && e.status === 401) return goLogin()
      setError(message(e))
    })
    return () => ctl.abort()
  }, [tab, tick])

  const more = async () => {
    if (!answer?.nextCursor) return
    try {
      const next = await listProposals({ ...(tab === 'all' ? {} : { status: tab }), limit: PAGE, cursor: answer.nextCursor })
      setAnswer({ ...next, proposals: [...answer.proposals, ...next.proposals] })
    } catch (e) {
      setError(message(e))
    }
  }

  const decided = useCallback((p: Proposal) => {
    setAnswer((a) => (a ? { ...a, proposals: a.proposals.map((x) => (x.id === p.id ? p : x)) } : a))
    onDecided(p)
  }, [onDecided])

  return (
    <Dialog title={finance ? '指标建议' : '我的建议'} width={860} onClose={onClose} testId="proposals-dialog">
      <div className="tp-tabs" role="tablist">
        {TABS.map((t) => (
          <button key={t.tab} type="button" role="tab" aria-selected={tab === t.tab} className={tab === t.tab ? 'tp-tab tp-tab-on' : 'tp-tab'} onClick={() => setTab(t.tab)}>
            {t.label}{tab === t.tab && answer ? `（${answer.total}）` : ''}
          </button>
        ))}
        <button type="button" className="tt-button tp-refresh" onClick={() => setTick((n) => n + 1)}>刷新</button>
      </div>
      {error && <div className="tt-alert" role="alert"><span>指标建议加载失败：{error}</span></div>}
      {!answer && !error && <p className="tt-muted" aria-busy="true">正在加载…</p>}
      {answer && answer.proposals.length === 0 && (
        <p className="tt-muted tp-empty" data-testid="no-proposals">
          {tab === 'pending' ? '没有待处理的指标建议。' : finance ? '没有符合条件的指标建议。' : '您所在部门还没有提出过指标建议；可在指标详情中「提出修改建议」，或点击「建议新增指标」。'}
        </p>
      )}
      <ol className="tp-list" data-testid="proposal-list">
        {answer?.proposals.map((p) => <ProposalCard key={p.id} p={p} canDecide={finance} departmentName={departmentName} onDecided={decided} />)}
      </ol>
      {answer?.nextCursor && <button type="button" className="tt-button tp-more" onClick={() => void more()}>加载更多（共 {answer.total} 条）</button>}
    </Dialog>
  )
}

/** The rows to compare: a change's fields beside the entry now; a new entry's filled fields. */
function rowsOf(p: Proposal): { field: string; proposed: unknown; current?: unknown }[] {
  const keys = FIELD_ORDER.filter((k) => k in p.fields)
  if (p.kind === 'change') return keys.map((k) => ({ field: k, proposed: p.fields[k], current: p.current ? (p.current as unknown as Record<string, unknown>)[k] : undefined }))
  return keys
    .filter((k) => { const v = p.fields[k]; return !(v === '' || v === null || v === undefined || (Array.isArray(v) && v.length === 0)) })
    .map((k) => ({ field: k, proposed: p.fields[k] }))
}

function nameOf(p: Proposal): string {
  const level3 = typeof p.fields.level3 === 'string' ? p.fields.level3 : null
  return p.kind === 'add' ? level3 ?? '（未命名）' : p.current?.level3 ?? level3 ?? `指标 ${p.indicatorId}`
}

function ProposalCard({ p, canDecide, departmentName, onDecided }: {
  p: Proposal
  canDecide: boolean
  departmentName: DepartmentName
  onDecided(p: Proposal): void
}) {
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const deleted = p.kind === 'change' && p.current === null && p.status === 'pending'
  const moved = p.kind === 'change' && p.current && p.baseVersion !== null && p.current.version > p.baseVersion ? p.current : null
  const rows = rowsOf(p)

  const decide = async (verb: 'accept' | 'reject') => {
    if (verb === 'reject' && !reason.trim()) return setError('不采纳须填写处理意见，说明理由')
    setBusy(true)
    setError(null)
    try {
      onDecided((await decideProposal(p.id, verb, reason.trim() ? { reason: reason.trim() } : {})).proposal)
    } catch (e) {
      setError(message(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <li className={`tp-card tp-${p.status}`} data-testid="proposal" data-status={p.status} data-kind={p.kind}>
      <div className="tp-head">
        <span className={`tp-kind tp-kind-${p.kind}`}>{PROPOSAL_KIND_LABELS[p.kind]}</span>
        <strong className="tp-name" data-testid="proposal-name">{nameOf(p)}</strong>
        <span className={`tp-status tp-status-${p.status}`} data-testid="proposal-status">{PROPOSAL_STATUS_LABELS[p.status]}</span>
      </div>
      <p className="tp-meta">
        <span>{p.departmentName ?? '（部门已删除）'}</span>
        <span>{p.proposedByName ?? '（用户已删除）'}</span>
        <span>{time(p.createdAt)} 提出</span>
        {p.kind === 'change' && p.baseVersion !== null && <span>基于第 {p.baseVersion} 版</span>}
      </p>
      <p className="tp-reason">建议理由：{p.reason}</p>
      {deleted && <p className="tp-warn" role="note" data-testid="proposal-deleted">该指标已被删除，不能采纳；可不采纳并说明原因。</p>}
      {moved && p.status === 'pending' && (
        <p className="tp-warn" role="note" data-testid="proposal-moved">
          提出建议后该指标已被修改（建议基于第 {p.baseVersion} 版，当前第 {moved.version} 版）。采纳会把下列建议值写入当前版本，请先核对“当前值”。
        </p>
      )}
      <table className="tp-fields">
        <thead>
          <tr><th>字段</th>{p.kind === 'change' && <th>当前值</th>}<th>建议值</th></tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.field} data-field={r.field}>
              <th scope="row">{FIELD_LABELS[r.field] ?? r.field}</th>
              {p.kind === 'change' && <td className="tp-current">{p.current ? showValue(r.field, r.current, departmentName) : '—'}</td>}
              <td className="tp-proposed">{showValue(r.field, r.proposed, departmentName)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {p.status !== 'pending' && (
        <p className="tp-outcome" data-testid="proposal-outcome">
          {PROPOSAL_STATUS_LABELS[p.status]} · {p.decidedByName ?? '财政局'}{p.decidedAt ? ` · ${time(p.decidedAt)}` : ''}
          {p.decisionReason ? ` · 处理意见：${p.decisionReason}` : ''}
          {p.status === 'accepted' && p.indicatorId ? ` · 指标编号 ${p.indicatorId}` : ''}
        </p>
      )}
      {canDecide && p.status === 'pending' && (
        <div className="tp-decide">
          <textarea name="decisionReason" rows={2} value={reason} aria-label="处理意见" placeholder="处理意见（采纳时选填，不采纳时必填）"
            onChange={(e) => setReason(e.target.value)} />
          <div className="tp-decide-buttons">
            <button type="button" className="tt-button tt-button-primary" data-testid="accept-proposal" disabled={busy || deleted} onClick={() => void decide('accept')}>采纳</button>
            <button type="button" className="tt-button" data-testid="reject-proposal" disabled={busy} onClick={() => void decide('reject')}>不采纳</button>
          </div>
        </div>
      )}
      {error && <p className="tt-form-error" role="alert" data-testid="decide-error">{error}</p>}
    </li>
  )
}

