// 使用情况 of one library entry (GET /api/indicators/:id/usage): how many approved tables use it and in how
// many departments, the values they set (most common first) and their range, the names they wrote, and the
// tables themselves (only those the reader may open; the counts are city-wide), 20 at a time.
import { useEffect, useState } from 'react'
import type { IndicatorUse, UsageAnswer } from '../../../shared/api/library-usage.ts'
import { ApiError, goLogin } from '../../lib/api.ts'
import { getIndicatorUsage } from '../../lib/library-api.ts'
import { isAbort } from '../../lib/tables-api.ts'

const PAGE = 20

const valueOf = (u: Pick<IndicatorUse, 'comparator' | 'target' | 'unit'>) =>
  `${u.comparator === '定性' ? '' : u.comparator}${u.target}${u.unit}`

export function UsageSection({ id }: { id: string }) {
  const [answer, setAnswer] = useState<UsageAnswer | null>(null)
  const [uses, setUses] = useState<IndicatorUse[]>([])
  const [error, setError] = useState<string | null>(null)
  const [more, setMore] = useState(false)
  const [tick, setTick] = useState(0)

  useEffect(() => {
    const ctl = new AbortController()
    setAnswer(null)
    setError(null)
    getIndicatorUsage(id, { limit: PAGE }, ctl.signal).then(
      (a) => { setAnswer(a); setUses(a.uses) },
      (e) => {
        if (isAbort(e)) return
        if (e instanceof ApiError && e.status === 401) return goLogin()
        setError(e instanceof Error ? e.message : String(e))
      },
    )
    return () => ctl.abort()
  }, [id, tick])

  const loadMore = async () => {
    if (!answer?.nextCursor) return
    setMore(true)
    try {
      const next = await getIndicatorUsage(id, { limit: PAGE, cursor: answer.nextCursor })
      setAnswer(next)
      setUses((u) => [...u, ...next.uses])
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setMore(false)
    }
  }

  return (
    <section className="tl-history tl-usage" data-testid="indicator-usage" aria-label="使用情况">
      <h3>使用情况</h3>
      {error && (
        <div className="tt-alert" role="alert">
          <span>使用情况加载失败：{error}</span>
          <button type="button" className="tt-button" onClick={() => setTick((n) => n + 1)}>重试</button>
        </div>
      )}
      {!answer && !error && <p className="tt-muted" aria-busy="true">正在加载…</p>}
      {answer && answer.tableCount === 0 && <p className="tt-muted" data-testid="usage-none">尚未被已审核通过的表使用（审核通过时自动记录）。</p>}
      {answer && answer.tableCount > 0 && (
        <>
          <p data-testid="usage-summary">被 {answer.tableCount} 张已审核通过的表使用（{answer.departmentCount} 个部门）</p>
          <dl className="tl-fields">
            {answer.typicalValues.length > 0 && (
              <div className="tl-field-row" data-testid="usage-values">
                <dt>常见指标值</dt>
                <dd>{answer.typicalValues.map((v) => `${v.value}（${v.count} 张表）`).join('、')}</dd>
              </div>
            )}
            {answer.range && (
              <div className="tl-field-row" data-testid="usage-range">
                <dt>数值范围</dt>
                <dd>{answer.range.min === answer.range.max ? `${answer.range.min}` : `${answer.range.min} ~ ${answer.range.max}`}{answer.range.unit}</dd>
              </div>
            )}
            {answer.names.length > 0 && (
              <div className="tl-field-row" data-testid="usage-names">
                <dt>各表写法</dt>
                <dd>{answer.names.map((n) => `${n.level3}（${n.count}）`).join('、')}</dd>
              </div>
            )}
          </dl>
          {answer.total === 0
            ? <p className="tt-muted" data-testid="usage-hidden">使用该指标的表不在您可查看的范围内。</p>
            : (
              <ol className="tl-usage-list" data-testid="usage-tables">
                {uses.map((u, i) => (
                  <li key={`${u.tableId}/${i}`} className="tl-field-row" data-testid="usage-table">
                    <span className="tt-muted">{u.year} 年</span>
                    <span>
                      <a href={`/tables/${encodeURIComponent(u.tableId)}`}>{u.title || '（无标题）'}</a>
                      <br />
                      <span className="tt-muted">
                        {u.departmentName} · {u.level3}{u.match === 'near' ? '（近似名称）' : ''} {valueOf(u)}
                      </span>
                    </span>
                  </li>
                ))}
              </ol>
            )}
          {answer.total > uses.length && answer.nextCursor && (
            <button type="button" className="tt-button" disabled={more} onClick={() => void loadMore()} data-testid="usage-more">
              {more ? '正在加载…' : `加载更多（共 ${answer.total} 条）`}
            </button>
          )}
        </>
      )}
    </section>
  )
}
