// 截止日期 for one year: by which date every department should have reached each stage after 资料收集 (the first
// stage has nothing before it to be late for). 保存 sets a stage's date, 清除 removes it; the server refuses a
// date before today (the bureau's calendar) and its message shows under that field. The overview and the
// ledger mark a department 逾期 once a deadline of a stage it has not reached has passed.
import { useCallback, useEffect, useState } from 'react'
import type { Deadline } from '../../../shared/api/workflow.ts'
import { STAGE_LABELS, STAGES, type Stage } from '../../../shared/workflow/stage.ts'
import { isAbort } from '../../lib/tables-api.ts'
import { listDeadlines, putDeadline } from '../../lib/workflow-api.ts'
import { formatTime } from '../tables/TablesTable.tsx'

const message = (e: unknown) => (e instanceof Error ? e.message : String(e))
const DATED: readonly Stage[] = STAGES.filter((s) => s !== 'materials')

export function DeadlinesSection({ year }: { year: number }) {
  const [deadlines, setDeadlines] = useState<Deadline[] | null>(null)
  const [loadError, setLoadError] = useState<string | null>(null)

  const load = useCallback((signal?: AbortSignal) => {
    setLoadError(null)
    return listDeadlines(year, signal).then((a) => setDeadlines(a.deadlines), (e) => { if (!isAbort(e)) setLoadError(message(e)) })
  }, [year])
  useEffect(() => {
    const ctl = new AbortController()
    setDeadlines(null)
    void load(ctl.signal)
    return () => ctl.abort()
  }, [load])

  return (
    <section className="tt-card tr-panel ta-deadlines" aria-label="截止日期" data-testid="deadlines">
      <div className="tr-panel-head">
        <h2>{year} 年截止日期</h2>
        <span className="tt-subtitle">各部门应在该日期（含）前进入相应阶段，过期未进入的在总览和工作台账中标为逾期。</span>
      </div>
      {loadError && <div className="tt-alert" role="alert">截止日期加载失败：{loadError}</div>}
      {deadlines === null ? (
        !loadError && <p className="tt-placeholder" aria-busy="true">正在加载…</p>
      ) : (
        <div className="ta-deadline-rows">
          {DATED.map((s) => (
            <DeadlineRow key={`${year}:${s}`} year={year} stage={s} current={deadlines.find((d) => d.stage === s) ?? null} onChanged={setDeadlines} />
          ))}
        </div>
      )}
    </section>
  )
}

function DeadlineRow({ year, stage, current, onChanged }: { year: number; stage: Stage; current: Deadline | null; onChanged(d: Deadline[]): void }) {
  const [value, setValue] = useState(current?.dueDate ?? '')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [saved, setSaved] = useState<string | null>(null)
  useEffect(() => setValue(current?.dueDate ?? ''), [current?.dueDate])

  const send = async (dueDate: string | null) => {
    setBusy(true)
    setError(null)
    setSaved(null)
    try {
      const a = await putDeadline({ year, stage, dueDate })
      onChanged(a.deadlines)
      setSaved(dueDate ? '已保存' : '已清除')
    } catch (e) {
      setError(message(e))
    } finally {
      setBusy(false)
    }
  }
  const label = STAGE_LABELS[stage]
  const id = `deadline-${stage}`
  return (
    <div className="ta-deadline" data-stage={stage}>
      <label htmlFor={id} className="ta-deadline-label">{label}</label>
      <div className="ta-deadline-field">
        <div className="ta-deadline-controls">
          <input id={id} type="date" value={value} onChange={(e) => { setValue(e.target.value); setSaved(null) }} disabled={busy}
            aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} aria-label={`${label}截止日期`} />
          <button type="button" className="tt-button tt-button-primary" disabled={busy || !value || value === current?.dueDate} onClick={() => void send(value)}>保存</button>
          <button type="button" className="tt-button" disabled={busy || !current} onClick={() => void send(null)}>清除</button>
          {saved && <span className="ta-saved ta-inline" role="status">{saved}</span>}
          {current && !saved && <span className="tt-subtitle ta-inline">{current.setByName ? `${current.setByName} ` : ''}{formatTime(current.setAt)} 设置</span>}
        </div>
        {error && <p className="tt-form-error" id={`${id}-error`} role="alert">{error}</p>}
      </div>
    </div>
  )
}
