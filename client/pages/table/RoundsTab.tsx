// 征求意见: each round of the table (opened by a submit) with who submitted it when, its open and
// resolved opinions, the reviewers' grades (完整性/相关性/适当性/可行性) and verdict, the 意见汇总表
// download, and — for a reviewer — the form that grades the current round.
import { useEffect, useState } from 'react'
import { GRADES, VERDICT_LABELS, type Grade } from '../../../shared/api/common.ts'
import { GRADE_DIMENSIONS, type ReviewBody, type RoundsAnswer, type RoundSummary } from '../../../shared/api/review.ts'
import { api } from '../../lib/api.ts'
import { formatTime } from './format.ts'
import { usePage } from './Header.tsx'
import type { TablePageStore } from './store.ts'
import { useApi } from './use-api.ts'

export function RoundsTab({ store, active }: { store: TablePageStore; active: boolean }) {
  const s = usePage(store)
  const rounds = useApi<RoundsAnswer>(active ? `${store.path}/rounds` : null, s.epoch)
  const list = [...(rounds.data?.rounds ?? [])].sort((a, b) => b.round - a.round)
  const canReview = s.detail.access.actions.includes('review')
  return (
    <div className="tp-tab-body" data-testid="rounds">
      {rounds.error ? <p className="tp-field-error">{rounds.error}</p> : null}
      {!rounds.data && rounds.loading ? <p className="tp-muted">正在加载…</p> : null}
      {rounds.data && list.length === 0 ? <p className="tp-empty">尚未报送，还没有征求意见轮次。报送后开始第 1 轮。</p> : null}
      {list.map((r) => (
        <RoundCard
          key={r.round}
          store={store}
          round={r}
          current={r.round === s.detail.round}
          canReview={canReview && r.round === s.detail.round}
          onSaved={rounds.reload}
        />
      ))}
    </div>
  )
}

function RoundCard(p: { store: TablePageStore; round: RoundSummary; current: boolean; canReview: boolean; onSaved: () => void }) {
  const r = p.round
  const [editing, setEditing] = useState(false)
  const review = r.review
  const xlsx = `${p.store.path}/rounds/${r.round}/opinions?format=xlsx`
  return (
    <article className={`tp-card${p.current ? ' tp-card-current' : ''}`} data-round={r.round} data-testid="round">
      <header className="tp-card-head">
        <h3>第 {r.round} 轮{p.current ? <span className="tp-chip tp-chip-blue">当前</span> : null}</h3>
        <a className="tp-link" href={xlsx} download data-testid="opinions-xlsx">下载意见汇总表</a>
      </header>
      <p className="tp-muted">{r.submittedByName || '—'} 于 {formatTime(r.submittedAt)} 报送{r.version ? ` · 版本 ${r.version}` : ''}</p>
      <p className="tp-counts">
        <span className={r.threads.open ? 'tp-count-open' : ''} data-testid="round-open">未解决意见 {r.threads.open}</span>
        <span data-testid="round-resolved">已解决 {r.threads.resolved}</span>
      </p>
      {review && !editing ? (
        <div className="tp-review" data-testid="review">
          <table className="tp-grades">
            <tbody>
              <tr>{GRADE_DIMENSIONS.map(([k, label]) => <th key={k}>{label}</th>)}</tr>
              <tr>{GRADE_DIMENSIONS.map(([k]) => <td key={k}><GradeMark grade={review.grades[k]} /></td>)}</tr>
            </tbody>
          </table>
          <p className="tp-verdict" data-testid="verdict">审核结论：<GradeMark grade={review.verdict} /> {VERDICT_LABELS[review.verdict]}</p>
          {review.comment ? <p className="tp-review-comment">{review.comment}</p> : null}
          <p className="tp-muted">{review.byName} · {formatTime(review.at)}</p>
          {p.canReview ? <button type="button" className="tp-button tp-small" onClick={() => setEditing(true)}>修改评审</button> : null}
        </div>
      ) : null}
      {!review && !p.canReview ? <p className="tp-muted">本轮尚未评审。</p> : null}
      {p.canReview && (editing || !review) ? (
        <ReviewForm store={p.store} round={r.round} initial={review ? { grades: review.grades, verdict: review.verdict, comment: review.comment ?? undefined } : null} onCancel={review ? () => setEditing(false) : undefined} onSaved={() => { setEditing(false); p.onSaved() }} />
      ) : null}
    </article>
  )
}

function GradeMark({ grade }: { grade: Grade }) {
  return <span className={`tp-grade tp-grade-${GRADES.indexOf(grade)}`}>{grade}</span>
}

function ReviewForm(p: { store: TablePageStore; round: number; initial: ReviewBody | null; onSaved: () => void; onCancel?: () => void }) {
  const [grades, setGrades] = useState<Partial<ReviewBody['grades']>>(p.initial?.grades ?? {})
  const [verdict, setVerdict] = useState<Grade | undefined>(p.initial?.verdict)
  const [comment, setComment] = useState(p.initial?.comment ?? '')
  const [problem, setProblem] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  useEffect(() => setProblem(null), [grades, verdict])
  const save = async () => {
    const missing = GRADE_DIMENSIONS.filter(([k]) => !grades[k]).map(([, label]) => label)
    if (missing.length) return setProblem(`请为${missing.join('、')}评定等级`)
    if (!verdict) return setProblem('请选择审核结论（verdict）')
    setBusy(true)
    try {
      const body: ReviewBody = { grades: grades as ReviewBody['grades'], verdict, ...(comment.trim() ? { comment: comment.trim() } : {}) }
      await api(`${p.store.path}/rounds/${p.round}/review`, { method: 'PUT', json: body })
      p.store.set({ notice: { tone: 'success', text: `第 ${p.round} 轮评审已保存。` } })
      p.onSaved()
    } catch (e) {
      setProblem(e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <form className="tp-review-form" data-testid="review-form" onSubmit={(e) => { e.preventDefault(); void save() }}>
      <h4>评审第 {p.round} 轮（财预〔2015〕88号）</h4>
      {GRADE_DIMENSIONS.map(([k, label]) => (
        <div className="tp-grade-row" key={k} role="radiogroup" aria-label={label} data-dimension={k}>
          <span className="tp-grade-label">{label}</span>
          {GRADES.map((g) => (
            <button
              type="button" key={g} role="radio" aria-checked={grades[k] === g}
              className={`tp-seg${grades[k] === g ? ' tp-seg-on' : ''}`} data-grade={g}
              onClick={() => setGrades((x) => ({ ...x, [k]: g }))}
            >{g}</button>
          ))}
        </div>
      ))}
      <div className="tp-grade-row tp-verdict-row" role="radiogroup" aria-label="审核结论" data-dimension="verdict">
        <span className="tp-grade-label">结论</span>
        {GRADES.map((g) => (
          <button
            type="button" key={g} role="radio" aria-checked={verdict === g}
            className={`tp-seg tp-seg-wide${verdict === g ? ' tp-seg-on' : ''}`} data-grade={g}
            onClick={() => setVerdict(g)}
          >{g} {VERDICT_LABELS[g]}</button>
        ))}
      </div>
      <label className="tp-label" htmlFor={`review-comment-${p.round}`}>审核意见</label>
      <textarea id={`review-comment-${p.round}`} className="tp-textarea" rows={3} maxLength={2000} value={comment} placeholder="总体意见（选填）" onChange={(e) => setComment(e.target.value)} />
      {problem ? <p className="tp-field-error" role="alert">{problem}</p> : null}
      <div className="tp-form-actions">
        {p.onCancel ? <button type="button" className="tp-button" onClick={p.onCancel}>取消</button> : null}
        <button type="submit" className="tp-button tp-primary" disabled={busy} data-testid="review-save">{busy ? '正在保存…' : '保存评审'}</button>
      </div>
    </form>
  )
}
