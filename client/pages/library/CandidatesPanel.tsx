// 共性指标候选 (finance and consultants, on /library): indicators that recur across departments under
// near-identical names in a year's approved tables, as the server mined them (a background run: 重新分析 starts
// one, a progress bar follows it by polling). Each cluster shows its name, the names it appeared under, its
// departments, value range and typical values, and whether the library already holds it; finance adds it to the
// library in one click (a 共性 entry, its names as one synonym group).
import { useCallback, useEffect, useState } from 'react'
import type { CandidateCluster, CandidatesAnswer } from '../../../shared/api/library-mining.ts'
import type { IndicatorEntry } from '../../../shared/api/library.ts'
import { ApiError, goLogin } from '../../lib/api.ts'
import { getCommonCandidates, promoteCandidate, runCommonCandidates } from '../../lib/library-api.ts'
import { isAbort } from '../../lib/tables-api.ts'
import './candidates.css'

const POLL_MS = 1000
const MIN_DEPARTMENTS = [2, 3, 5, 10] as const
const SHOWN_DEPARTMENTS = 6
const STATE_LABELS: Record<CandidatesAnswer['state'], string> = { none: '尚未分析', queued: '排队中', running: '分析中', done: '已完成', failed: '分析失败' }

const message = (e: unknown) => (e instanceof Error ? e.message : String(e))
const time = (iso: string) => new Date(iso).toLocaleString('zh-CN', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false })
const number = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/\.?0+$/, ''))

function yearsAround(now: number): number[] {
  return [now + 1, now, now - 1, now - 2, now - 3]
}

export function CandidatesPanel({ canPromote, onClose, onPromoted }: {
  /** finance: 加入指标库 */
  canPromote: boolean
  onClose(): void
  onPromoted(entry: IndicatorEntry): void
}) {
  const [year, setYear] = useState(() => new Date().getFullYear())
  const [minDepartments, setMinDepartments] = useState<number>(3)
  const [answer, setAnswer] = useState<CandidatesAnswer | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [starting, setStarting] = useState(false)
  const [tick, setTick] = useState(0)

  const busy = answer?.state === 'queued' || answer?.state === 'running'

  useEffect(() => {
    const ctl = new AbortController()
    getCommonCandidates(year, minDepartments, ctl.signal).then(
      (a) => {
        setAnswer(a)
        setError(null)
      },
      (e) => {
        if (isAbort(e)) return
        if (e instanceof ApiError && e.status === 401) return goLogin()
        setError(message(e))
      },
    )
    return () => ctl.abort()
  }, [year, minDepartments, tick])

  // follow a run until it ends
  useEffect(() => {
    if (!busy) return
    const timer = setTimeout(() => setTick((n) => n + 1), POLL_MS)
    return () => clearTimeout(timer)
  }, [busy, answer])

  const start = async () => {
    setStarting(true)
    setError(null)
    try {
      setAnswer(await runCommonCandidates(year, minDepartments))
    } catch (e) {
      setError(message(e))
    } finally {
      setStarting(false)
    }
  }

  const promoted = useCallback((key: string, entry: IndicatorEntry) => {
    setAnswer((a) => a && { ...a, clusters: a.clusters.map((c) => (c.key === key ? { ...c, libraryMatch: { id: entry.id, level3: entry.level3, scope: entry.scope } } : c)) })
    onPromoted(entry)
  }, [onPromoted])

  const progress = answer?.progress
  const percent = progress && progress.total > 0 ? Math.round((100 * progress.done) / progress.total) : 0

  return (
    <aside className="tl-panel lc-panel" role="dialog" aria-label="共性指标候选" data-testid="candidates-panel">
      <div className="tl-panel-head">
        <div className="tl-panel-title">
          <h2>共性指标候选</h2>
          <p className="tt-muted">从该年度审核通过的绩效目标表中，找出多个部门以相同或相近名称使用的指标。</p>
        </div>
        <button type="button" className="tt-icon-button" aria-label="关闭" onClick={onClose}>×</button>
      </div>
      <div className="lc-controls">
        <label>
          预算年度
          <select value={year} onChange={(e) => setYear(Number(e.target.value))} data-testid="candidates-year">
            {yearsAround(new Date().getFullYear()).map((y) => <option key={y} value={y}>{y}</option>)}
          </select>
        </label>
        <label>
          至少
          <select value={minDepartments} onChange={(e) => setMinDepartments(Number(e.target.value))} data-testid="candidates-min">
            {MIN_DEPARTMENTS.map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
          个部门
        </label>
        <button type="button" className="tt-button tt-button-primary" disabled={busy || starting} onClick={() => void start()} data-testid="candidates-run">
          {busy ? '分析中…' : answer?.computedAt ? '重新分析' : '开始分析'}
        </button>
      </div>
      <div className="tl-panel-body">
        {error && <div className="tt-alert" role="alert">{error}</div>}
        {answer && (
          <p className="lc-status" data-testid="candidates-status">
            <span className={`lc-state lc-state-${answer.state}`}>{STATE_LABELS[answer.state]}</span>
            {answer.state === 'failed' && answer.error && <span>：{answer.error}</span>}
            {answer.computedAt && (
              <span className="tt-muted">
                {' '}上次分析 {time(answer.computedAt)} · {answer.tables} 张表 · {answer.indicatorRows} 条指标 · {answer.clusters.length} 个候选
              </span>
            )}
          </p>
        )}
        {busy && progress && (
          <div className="lc-progress-row">
            <div className="lc-progress" role="progressbar" aria-label="分析进度" aria-valuemin={0} aria-valuemax={progress.total} aria-valuenow={progress.done} data-testid="candidates-progress">
              <div className={`lc-progress-fill${answer?.state === 'queued' ? ' lc-progress-queued' : ''}`} style={{ width: `${percent}%` }} />
            </div>
            <span className="lc-progress-text">{answer?.state === 'queued' ? '排队等待…' : `已读 ${progress.done} / ${progress.total} 张表`}</span>
          </div>
        )}
        {answer && !busy && answer.state !== 'failed' && !answer.computedAt && (
          <div className="tt-empty lc-empty">
            <p className="tt-empty-title">{year} 年度还没有分析结果</p>
            <p className="tt-muted">点击「开始分析」，从审核通过的表中找出共性指标候选（涉密表不参与）。</p>
          </div>
        )}
        {answer?.computedAt && answer.clusters.length === 0 && (
          <div className="tt-empty lc-empty" data-testid="candidates-none">
            <p className="tt-empty-title">没有在 {minDepartments} 个以上部门出现的指标</p>
            <p className="tt-muted">可降低部门数再看，或在更多表审核通过后重新分析。</p>
          </div>
        )}
        {answer && answer.clusters.length > 0 && (
          <ol className="lc-list" data-testid="candidates-list">
            {answer.clusters.map((c) => (
              <ClusterItem key={c.key} cluster={c} year={answer.year} canPromote={canPromote} onPromoted={promoted} />
            ))}
          </ol>
        )}
      </div>
    </aside>
  )
}

function ClusterItem({ cluster: c, year, canPromote, onPromoted }: {
  cluster: CandidateCluster
  year: number
  canPromote: boolean
  onPromoted(key: string, entry: IndicatorEntry): void
}) {
  const [state, setState] = useState<{ saving?: boolean; error?: string; done?: string }>({})
  const [allDepartments, setAllDepartments] = useState(false)
  const shown = allDepartments ? c.departments : c.departments.slice(0, SHOWN_DEPARTMENTS)

  const promote = async () => {
    setState({ saving: true })
    try {
      const a = await promoteCandidate({ year, key: c.key })
      const synonyms = a.synonymsAdded.length ? `，同义词补充 ${a.synonymsAdded.join('、')}` : ''
      setState({ done: `${a.created ? '已加入指标库（共性指标）' : '指标库已有此指标'}${synonyms}` })
      onPromoted(c.key, a.indicator)
    } catch (e) {
      setState({ error: message(e) })
    }
  }

  return (
    <li className="lc-item" data-testid="candidate" data-key={c.key}>
      <div className="lc-item-top">
        <div>
          <span className="lc-name" data-testid="candidate-name">{c.level3}</span>
          <span className="lc-levels tt-muted">{c.level1} / {c.level2}</span>
        </div>
        <span className="lc-count"><strong>{c.departments.length}</strong> 个部门 · {c.tableCount} 张表</span>
      </div>
      <div className="lc-variants" aria-label="名称变体">
        {c.variants.map((v) => <span key={v.level3} className="lc-chip">{v.level3}<span className="lc-chip-n">×{v.count}</span></span>)}
      </div>
      <dl className="lc-facts">
        <div><dt>数值范围</dt><dd>{c.range ? `${number(c.range.min)}${c.range.min === c.range.max ? '' : ` – ${number(c.range.max)}`}${c.range.unit}` : '—'}</dd></div>
        <div><dt>常见指标值</dt><dd>{c.typicalValues.length ? c.typicalValues.map((v) => `${v.value}（${v.count}）`).join('、') : '—'}</dd></div>
        <div>
          <dt>部门</dt>
          <dd>
            {shown.map((d) => d.name).join('、')}
            {c.departments.length > SHOWN_DEPARTMENTS && (
              <button type="button" className="lc-link" onClick={() => setAllDepartments((x) => !x)}>
                {allDepartments ? '收起' : `等 ${c.departments.length} 个`}
              </button>
            )}
          </dd>
        </div>
      </dl>
      <div className="lc-actions">
        {c.libraryMatch ? (
          <a className="lc-in-library" href={`/library?id=${encodeURIComponent(c.libraryMatch.id)}`} data-testid="candidate-in-library">
            ✓ 已在指标库：{c.libraryMatch.level3}（{c.libraryMatch.scope === 'common' ? '共性' : '个性'}）
          </a>
        ) : canPromote ? (
          <button type="button" className="tt-button" disabled={state.saving} onClick={() => void promote()} data-testid="candidate-promote">
            {state.saving ? '正在加入…' : '加入指标库'}
          </button>
        ) : (
          <span className="tt-muted">未在指标库</span>
        )}
        {state.done && <span className="lc-done" role="status">{state.done}</span>}
        {state.error && <span className="lc-error" role="alert">{state.error}</span>}
      </div>
    </li>
  )
}

/** The 共性指标候选 button of the /library title bar and the panel it opens (finance and consultants). */
export function CandidatesButton({ canPromote, onPromoted }: { canPromote: boolean; onPromoted(entry: IndicatorEntry): void }) {
  const [open, setOpen] = useState(false)
  return (
    <>
      <button type="button" className="tt-button" data-testid="open-candidates" onClick={() => setOpen(true)}>共性指标候选</button>
      {open && <CandidatesPanel canPromote={canPromote} onClose={() => setOpen(false)} onPromoted={onPromoted} />}
    </>
  )
}
