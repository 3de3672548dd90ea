// /ledger (工作台账, finance and consultants): a row per assigned department of a budget year — its consultant
// (finance sees every firm and can pick one), 难度, 工作阶段 with 调整 to set it by hand, tables by status, the
// current round, open opinions, errors, 资料清单 received out of twelve, the deadline it is measured against
// (逾期 N 天 in red) and its last activity. 导出 Excel downloads the same rows for the monthly report. Below it the
// year's 同质化部门组与示范点 (../groups/GroupsSection.tsx): a consultant manages groups of its own departments here.
import { useCallback, useEffect, useMemo, useState } from 'react'
import { DIFFICULTIES, DIFFICULTY_LABELS } from '../../../shared/api/assignments.ts'
import type { PublicUser } from '../../../shared/api/directory.ts'
import type { LedgerAnswer, LedgerRow } from '../../../shared/api/workflow.ts'
import { STAGE_LABELS, STAGES, stageOrder, type Stage } from '../../../shared/workflow/stage.ts'
import { AppHeader } from '../../components/AppHeader.tsx'
import { listUsers } from '../../lib/admin-api.ts'
import { ApiError, goLogin } from '../../lib/api.ts'
import { isAbort } from '../../lib/tables-api.ts'
import { downloadLedger, getLedger, putStage } from '../../lib/workflow-api.ts'
import { GroupsSection } from '../groups/GroupsSection.tsx'
import { Activity, compareBy, Count, CountChips, DeadlineCell, ExportButton, message, SortHeader, StageBadge, rememberYear, YearSelect, initialYear, type SortState } from '../overview/parts.tsx'

type Key = 'consultant' | 'name' | 'difficulty' | 'stage' | 'tables' | 'round' | 'openThreads' | 'errors' | 'materials' | 'deadline' | 'activity'

const VALUE: Readonly<Record<Key, (r: LedgerRow) => string | number | null>> = {
  consultant: (r) => r.consultantName,
  name: (r) => r.departmentCode,
  difficulty: (r) => DIFFICULTIES.indexOf(r.difficulty),
  stage: (r) => stageOrder(r.stage.stage),
  tables: (r) => r.tables.total,
  round: (r) => r.currentRound,
  openThreads: (r) => r.openThreads,
  errors: (r) => r.errorCount,
  materials: (r) => r.materials.received,
  deadline: (r) => r.deadline?.dueDate ?? null,
  activity: (r) => r.lastActivityAt,
}

type Load = { state: 'loading'; answer?: LedgerAnswer } | { state: 'ready'; answer: LedgerAnswer } | { state: 'failed'; message: string; answer?: LedgerAnswer }

export function LedgerPage({ user }: { user: PublicUser }) {
  const finance = user.role === 'finance'
  const allowed = finance || user.role === 'consultant'
  const [year, setYear] = useState(initialYear)
  const [consultantId, setConsultantId] = useState(() => (finance ? new URLSearchParams(location.search).get('consultantId') ?? '' : ''))
  const [consultants, setConsultants] = useState<PublicUser[]>([])
  const [load, setLoad] = useState<Load>({ state: 'loading' })
  const [retry, setRetry] = useState(0)
  const [sort, setSort] = useState<SortState<Key>>({ key: finance ? 'consultant' : 'name', order: 'asc' })
  const [editing, setEditing] = useState<string | null>(null)
  const [saved, setSaved] = useState<string | null>(null)

  useEffect(() => {
    rememberYear(year)
    const url = new URL(location.href)
    if (consultantId) url.searchParams.set('consultantId', consultantId)
    else url.searchParams.delete('consultantId')
    history.replaceState(null, '', url)
  }, [year, consultantId])

  useEffect(() => {
    if (!finance) return
    const ctl = new AbortController()
    listUsers(ctl.signal).then((u) => setConsultants(u.filter((x) => x.role === 'consultant')), (e) => { if (!isAbort(e)) console.warn('users', e) })
    return () => ctl.abort()
  }, [finance])

  const fetchRows = useCallback((signal?: AbortSignal) => {
    setLoad((l) => ({ state: 'loading', answer: l.answer }))
    return getLedger(year, consultantId || undefined, signal).then(
      (answer) => setLoad({ state: 'ready', answer }),
      (e) => {
        if (isAbort(e)) return
        if (e instanceof ApiError && e.status === 401) return goLogin()
        setLoad((l) => ({ state: 'failed', message: message(e), answer: l.answer }))
      },
    )
  }, [year, consultantId])
  useEffect(() => {
    if (!allowed) return
    const ctl = new AbortController()
    void fetchRows(ctl.signal)
    return () => ctl.abort()
  }, [fetchRows, retry, allowed])

  const answer = load.answer
  const rows = useMemo(() => [...(answer?.rows ?? [])].sort(compareBy(VALUE[sort.key], sort.order)), [answer, sort])
  const overdue = rows.filter((r) => r.deadline?.overdue).length
  const byStage = STAGES.map((s) => [s, rows.filter((r) => r.stage.stage === s).length] as const).filter(([, n]) => n > 0)
  const columns = finance ? 11 : 10
  const head = { sort, onSort: setSort }

  return (
    <div className="tt-shell">
      <AppHeader user={user} />
      <main className="tt-tables tw-page" data-testid="ledger-page">
        <div className="tt-titlebar">
          <div>
            <h1>工作台账</h1>
            <p className="tt-subtitle" data-testid="ledger-summary">
              {answer
                ? <>共 {rows.length} 个部门{byStage.map(([s, n]) => `　${STAGE_LABELS[s]} ${n}`).join('')}{overdue > 0 && <span className="tw-summary-bad">　逾期 {overdue}</span>}{`　逾期按 ${answer.today} 判断`}</>
                : '\u00a0'}
            </p>
          </div>
          {allowed && (
            <div className="tt-titlebar-actions">
              <YearSelect year={year} onChange={(y) => { setYear(y); setEditing(null); setSaved(null) }} testId="ledger-year" />
              {finance && (
                <label className="tt-field">
                  <span>第三方机构</span>
                  <select value={consultantId} onChange={(e) => { setConsultantId(e.target.value); setEditing(null) }} data-testid="ledger-consultant">
                    <option value="">全部</option>
                    {consultants.map((c) => <option key={c.id} value={c.id}>{c.displayName}</option>)}
                  </select>
                </label>
              )}
              <ExportButton run={() => downloadLedger(year, consultantId || undefined)} testId="ledger-export" />
            </div>
          )}
        </div>

        {!allowed ? (
          <div className="tt-card tt-empty" role="alert">工作台账供财政局和第三方机构使用。</div>
        ) : (
          <>
            {saved && <p className="tt-saved tl-saved" role="status">{saved}</p>}
            {load.state === 'failed' && (
              <div className="tt-alert" role="alert">
                <span>工作台账加载失败：{load.message}</span>
                <button type="button" className="tt-button" onClick={() => setRetry((n) => n + 1)}>重试</button>
              </div>
            )}
            {!answer && load.state === 'loading' && <div className="tt-card tt-placeholder" aria-busy="true">正在加载…</div>}
            {answer && (
              <div className={`tt-card${load.state === 'loading' ? ' tt-stale' : ''}`}>
                {rows.length === 0 ? (
                  <div className="tt-empty" data-testid="ledger-empty">
                    <p className="tt-empty-title">{year} 年{finance ? (consultantId ? '该第三方机构' : '') : '本机构'}还没有分配部门</p>
                    <p className="tt-muted">{finance ? '在「管理」页为第三方机构分配部门后，这里列出各部门的工作进度。' : '财政局分配部门后，这里列出各部门的工作进度。'}</p>
                  </div>
                ) : (
                  <div className="tw-scroll"><table className="tt-grid-list tw-grid" data-testid="ledger">
                    <colgroup>
                      {finance && <col style={{ width: 168 }} />}
                      <col /><col style={{ width: 84 }} /><col style={{ width: 150 }} /><col style={{ width: 180 }} />
                      <col style={{ width: 92 }} /><col style={{ width: 104 }} /><col style={{ width: 64 }} /><col style={{ width: 92 }} />
                      <col style={{ width: 150 }} /><col style={{ width: 132 }} />
                    </colgroup>
                    <thead>
                      <tr>
                        {finance && <SortHeader label="第三方机构" column="consultant" {...head} />}
                        <SortHeader label="部门" column="name" {...head} title="按代码排序" />
                        <SortHeader label="难度" column="difficulty" {...head} />
                        <SortHeader label="工作阶段" column="stage" {...head} />
                        <SortHeader label="表格" column="tables" defaultOrder="desc" {...head} title="部门及下属单位本年度的表格，按状态" />
                        <SortHeader label="当前轮次" column="round" numeric defaultOrder="desc" {...head} />
                        <SortHeader label="待处理意见" column="openThreads" numeric defaultOrder="desc" {...head} />
                        <SortHeader label="错误" column="errors" numeric defaultOrder="desc" {...head} />
                        <SortHeader label="资料清单" column="materials" {...head} title="已收到的资料 / 12 项" />
                        <SortHeader label="截止日期" column="deadline" {...head} />
                        <SortHeader label="最近活动" column="activity" defaultOrder="desc" {...head} />
                      </tr>
                    </thead>
                    <tbody>
                      {rows.map((r) => {
                        const late = r.deadline?.overdue === true
                        const key = `${r.consultantId}:${r.departmentId}`
                        return [
                          <tr key={key} className={late ? 'tw-row-overdue' : undefined} data-department={r.departmentName} data-overdue={late || undefined}>
                            {finance && <td className="tw-ellipsis" title={r.consultantName}>{r.consultantName}</td>}
                            <td>
                              <div className="tw-name">
                                <a href={`/tables?${new URLSearchParams({ departmentId: r.departmentId, year: String(year) })}`} title={`查看${r.departmentName} ${year} 年的绩效目标表`}>{r.departmentName}</a>
                                <span className="tw-code">{r.departmentCode}</span>
                              </div>
                            </td>
                            <td>{DIFFICULTY_LABELS[r.difficulty]}</td>
                            <td>
                              <div className="tl-stage">
                                <StageBadge stage={r.stage} />
                                <button type="button" className="tt-link-button tl-adjust" aria-expanded={editing === r.departmentId}
                                  aria-label={`调整${r.departmentName}的工作阶段`} onClick={() => { setSaved(null); setEditing(editing === r.departmentId ? null : r.departmentId) }}>调整</button>
                              </div>
                            </td>
                            <td><CountChips tables={r.tables} /></td>
                            <td className="tt-num">{r.currentRound === null ? <span className="tt-zero">—</span> : `第 ${r.currentRound} 轮`}</td>
                            <td className="tt-num"><Count n={r.openThreads} tone="open" /></td>
                            <td className="tt-num"><Count n={r.errorCount} tone="error" /></td>
                            <td><Materials row={r} year={year} /></td>
                            <td><DeadlineCell deadline={r.deadline} /></td>
                            <td><Activity at={r.lastActivityAt} /></td>
                          </tr>,
                          editing === r.departmentId && (
                            <tr key={`${key}:edit`} className="tl-editor-row">
                              <td colSpan={columns}>
                                <StageEditor row={r} year={year} onCancel={() => setEditing(null)}
                                  onSaved={(text) => { setEditing(null); setSaved(text); void fetchRows() }} />
                              </td>
                            </tr>
                          ),
                        ]
                      })}
                    </tbody>
                  </table></div>
                )}
              </div>
            )}
            <GroupsSection year={year} user={user} />
          </>
        )}
      </main>
    </div>
  )
}

function Materials({ row, year }: { row: LedgerRow; year: number }) {
  const m = row.materials
  const items = m.received + m.notApplicable + m.missing
  return (
    <a className={`tl-materials${m.missing === 0 && items > 0 ? ' tl-materials-done' : ''}`} href={`/departments/${encodeURIComponent(row.departmentId)}?year=${year}`}
      title={`已收到 ${m.received} 项，不适用 ${m.notApplicable} 项，缺 ${m.missing} 项；上传文件 ${m.files} 个`} data-testid="materials">
      {m.received}/{items}
      {m.notApplicable > 0 && <span className="tl-na">不适用 {m.notApplicable}</span>}
    </a>
  )
}

const AUTO = ''

/** 调整工作阶段: a stage from the list, or 自动 (clears the hand-set one); an optional note */
function StageEditor({ row, year, onCancel, onSaved }: { row: LedgerRow; year: number; onCancel(): void; onSaved(text: string): void }) {
  const [value, setValue] = useState<Stage | typeof AUTO>(row.stage.manual ?? AUTO)
  const [note, setNote] = useState(row.stage.manualNote ?? '')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const behind = value !== AUTO && stageOrder(value) <= stageOrder(row.stage.derived)
  const save = async () => {
    setBusy(true)
    setError(null)
    try {
      await putStage(row.departmentId, { year, stage: value === AUTO ? null : value, ...(note.trim() ? { note: note.trim() } : {}) })
      onSaved(value === AUTO ? `${row.departmentName}的工作阶段已改为按表格状态推算` : `已将${row.departmentName}的工作阶段设为${STAGE_LABELS[value]}`)
    } catch (e) {
      setError(message(e))
      setBusy(false)
    }
  }
  return (
    <form className="tl-editor" aria-label={`调整${row.departmentName}的工作阶段`} onSubmit={(e) => { e.preventDefault(); void save() }}>
      <label className="tt-field">
        <span>工作阶段</span>
        <select value={value} onChange={(e) => setValue(e.target.value as Stage | typeof AUTO)} data-testid="stage-select" disabled={busy}>
          <option value={AUTO}>自动（按表格状态）</option>
          {STAGES.map((s) => <option key={s} value={s}>{STAGE_LABELS[s]}</option>)}
        </select>
      </label>
      <label className="tt-field tl-note">
        <span>说明</span>
        <input type="text" maxLength={500} value={note} placeholder="可选，如：资料已收齐" onChange={(e) => setNote(e.target.value)} disabled={busy} data-testid="stage-note" />
      </label>
      <button type="submit" className="tt-button tt-button-primary" disabled={busy} data-testid="stage-save">{busy ? '正在保存…' : '保存'}</button>
      <button type="button" className="tt-button" onClick={onCancel} disabled={busy}>取消</button>
      <p className="tl-editor-hint">
        按表格状态为「{STAGE_LABELS[row.stage.derived]}」。{behind ? '所选阶段不晚于按表格推算的阶段，仍将显示按表格推算的阶段。' : '手动设置用于表格反映不出的进展（如资料已收齐），只能把阶段向后推进。'}
      </p>
      {error && <p className="tt-form-error" role="alert">{error}</p>}
    </form>
  )
}
