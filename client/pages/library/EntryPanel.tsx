// The side panel of one library entry: every field, its history (who, when, why, before → after, newest
// first) and, for finance and consultants, 编辑 in place (取消 reads the entry again: someone may have changed
// it meanwhile). Departments and viewers read.
import { useCallback, useEffect, useState } from 'react'
import type { PublicUser } from '../../../shared/api/directory.ts'
import type { IndicatorAnswer, IndicatorChange, IndicatorEntry } from '../../../shared/api/library.ts'
import { ApiError, goLogin } from '../../lib/api.ts'
import { getIndicator } from '../../lib/library-api.ts'
import { isAbort } from '../../lib/tables-api.ts'
import type { DepartmentOption } from '../tables/departments.ts'
import { EditEntryForm } from './EntryForm.tsx'
import { ProposeChangeAction } from './ProposalForms.tsx'
import { DeleteEntryAction } from './DeleteEntry.tsx'
import { FIELD_LABELS, showValue } from './fields.ts'
import { UsageSection } from './UsageSection.tsx'

const SHOWN: readonly (keyof IndicatorEntry)[] = [
  'level1', 'level2', 'explanation', 'formula', 'comparator', 'typicalValue', 'unit', 'basis', 'dataSource',
  'scope', 'core', 'departmentId', 'functionalClasses', 'projectTypes', 'alt2021',
]

const time = (iso: string) => new Date(iso).toLocaleString('zh-CN', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false })

export function EntryPanel({ id, canEdit, proposer, onDeleted, departments, departmentName, onClose, onChanged }: {
  id: string
  canEdit: boolean
  /** a department user: 提出修改建议 instead of the read-only note */
  proposer?: PublicUser | null
  /** finance: 删除 (with a reason); told after the entry is gone */
  onDeleted?: (() => void) | undefined
  departments: readonly DepartmentOption[]
  departmentName(id: string | null): string | null
  onClose(): void
  onChanged(entry: IndicatorEntry): void
}) {
  const [answer, setAnswer] = useState<IndicatorAnswer | null>(null)
  const [error, setError] = useState<{ message: string; missing: boolean } | null>(null)
  const [tick, setTick] = useState(0)
  const [editing, setEditing] = useState(false)
  const [saved, setSaved] = useState(false)

  useEffect(() => {
    const ctl = new AbortController()
    getIndicator(id, ctl.signal).then(
      (a) => { setAnswer(a); setError(null) },
      (e) => {
        if (isAbort(e)) return
        if (e instanceof ApiError && e.status === 401) return goLogin()
        setError({ message: e instanceof Error ? e.message : String(e), missing: e instanceof ApiError && e.status === 404 })
      },
    )
    return () => ctl.abort()
  }, [id, tick])

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape' && !editing && !document.querySelector('dialog[open]')) onClose() }
    addEventListener('keydown', onKey)
    return () => removeEventListener('keydown', onKey)
  }, [editing, onClose])

  const afterSave = useCallback(async () => {
    const a = await getIndicator(id).catch(() => null)
    setEditing(false)
    setSaved(true)
    if (a) { setAnswer(a); onChanged(a.indicator) } else setTick((n) => n + 1)
  }, [id, onChanged])

  const entry = answer?.indicator
  return (
    <aside className="tl-panel" aria-label="指标详情" data-testid="indicator-panel">
      <header className="tl-panel-head">
        <div className="tl-panel-title">
          <h2 data-testid="panel-title">{entry ? <>{entry.core && <span className="tl-star" title="核心指标">★</span>}{entry.level3}</> : '指标详情'}</h2>
          {entry && <p className="tt-muted">编号 {entry.id} · 第 {entry.version} 版{entry.usageCount > 0 ? ` · 已被 ${entry.usageCount} 张表使用` : ''}</p>}
        </div>
        <button type="button" className="tt-icon-button" aria-label="关闭" onClick={onClose}>×</button>
      </header>
      <div className="tl-panel-body">
        {error && (
          <div className="tt-alert" role="alert">
            <span>{error.missing ? '这条指标不存在或已被删除。' : `指标加载失败：${error.message}`}</span>
            {!error.missing && <button type="button" className="tt-button" onClick={() => setTick((n) => n + 1)}>重试</button>}
          </div>
        )}
        {!entry && !error && <p className="tt-muted" aria-busy="true">正在加载…</p>}
        {entry && editing && (
          <EditEntryForm entry={entry} departments={departments} onCancel={() => { setEditing(false); setTick((n) => n + 1) }} onSaved={() => void afterSave()} />
        )}
        {entry && !editing && (
          <>
            {saved && <p className="tt-saved" role="status" data-testid="saved">已保存，修改记录见下方“修改历史”。</p>}
            <div className="tl-panel-actions">
              {canEdit
                ? <><button type="button" className="tt-button" data-testid="edit-indicator" onClick={() => { setSaved(false); setEditing(true) }}>编辑</button>{onDeleted && <DeleteEntryAction entry={entry} onDeleted={onDeleted} />}</>
                : proposer ? <ProposeChangeAction user={proposer} entry={entry} departments={departments} />
                : <p className="tt-form-hint tl-readonly" data-testid="read-only">指标库由财政局和第三方机构维护；如需新增或修改指标，请联系财政局绩效科。</p>}
            </div>
            <dl className="tl-fields" data-testid="indicator-fields">
              {SHOWN.filter((k) => k !== 'alt2021' || entry.alt2021).map((k) => (
                <div key={k} className="tl-field-row" data-field={k}>
                  <dt>{FIELD_LABELS[k]}</dt>
                  <dd className={entry[k] === '' ? 'tt-zero' : undefined}>{showValue(k, entry[k], departmentName)}</dd>
                </div>
              ))}
              <div className="tl-field-row"><dt>更新时间</dt><dd>{time(entry.updatedAt)}</dd></div>
            </dl>
            <UsageSection id={entry.id} />
            <History history={answer.history} departmentName={departmentName} />
          </>
        )}
      </div>
    </aside>
  )
}

function History({ history, departmentName }: { history: readonly IndicatorChange[]; departmentName(id: string | null): string | null }) {
  return (
    <section className="tl-history" data-testid="indicator-history">
      <h3>修改历史</h3>
      {history.length === 0 && <p className="tt-muted">暂无修改记录（随指标库初始导入）。</p>}
      <ol>
        {history.map((h) => {
          const fields = Object.keys(h.after).filter((k) => k !== 'reason' && k !== 'version' && k !== 'updatedAt')
          return (
            <li key={h.version} className="tl-change" data-testid="history-line">
              <div className="tl-change-head">
                <strong>{h.changedByName ?? h.changedBy ?? '系统'}</strong>
                <span className="tt-time">{time(h.at)}</span>
                <span className="tt-muted">第 {h.version} 版</span>
              </div>
              <p className="tl-change-reason">原因：{h.reason || '（未说明）'}</p>
              {h.before === null
                ? (h.reason === '新增指标' ? null : <p className="tt-muted tl-change-line">新增指标</p>)
                : (
                  <ul className="tl-change-fields">
                    {fields.map((k) => (
                      <li key={k}>
                        <span className="tl-change-field">{FIELD_LABELS[k] ?? k}</span>
                        <del>{showValue(k, h.before?.[k], departmentName)}</del>
                        <span aria-hidden="true"> → </span>
                        <ins>{showValue(k, h.after[k], departmentName)}</ins>
                      </li>
                    ))}
                  </ul>
                )}
            </li>
          )
        })}
      </ol>
    </section>
  )
}
