// 年度结转 (finance, departments, consultants; POST /api/rollover): pick the year to carry from and the year
// to carry into (finance also a department, or all), 预览 lists what would be carried, left out and refused,
// 确认结转 creates the tables and shows the report with links to the new tables.
import { useState } from 'react'
import type { RolloverAnswer, RolloverLeftOut } from '../../../shared/api/rollover.ts'
import type { PublicUser } from '../../../shared/api/directory.ts'
import { Dialog } from '../../components/Dialog.tsx'
import { rollover } from '../../lib/rollover-api.ts'
import { errorField } from '../../lib/tables-api.ts'
import type { DepartmentOption } from './departments.ts'
import { budgetYear, DepartmentSelect } from './FilterBar.tsx'

const REASONS: Readonly<Record<RolloverLeftOut['reason'], string>> = {
  one_off: '一次性项目', not_approved: '未批复', already_rolled: '已结转', ended: '项目已结束', invalid: '内容无法结转',
}
const KINDS = { project: '项目支出', department: '部门整体' } as const

export default function RolloverDialog({ user, departments, onClose, onDone }: {
  user: PublicUser
  departments: readonly DepartmentOption[]
  onClose(): void
  /** after a rollover stored tables: the list reloads */
  onDone(): void
}) {
  const [fromYear, setFromYear] = useState(String(budgetYear() - 1))
  const [toYear, setToYear] = useState(String(budgetYear()))
  const [departmentId, setDepartmentId] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<{ field?: string; message: string } | null>(null)
  const [answer, setAnswer] = useState<RolloverAnswer | null>(null)
  const finance = user.role === 'finance'

  const run = async (dryRun: boolean) => {
    setBusy(true)
    setError(null)
    try {
      const got = await rollover({
        fromYear: Number(fromYear), toYear: Number(toYear), dryRun,
        ...(departmentId ? { departmentIds: [departmentId] } : {}),
      })
      setAnswer(got)
      if (!dryRun) onDone()
    } catch (e) {
      setError({ ...(errorField(e) ? { field: errorField(e)! } : {}), message: e instanceof Error ? e.message : String(e) })
    } finally {
      setBusy(false)
    }
  }
  const edit = <T,>(set: (v: T) => void) => (v: T) => { set(v); setAnswer(null) }
  const stored = answer && !answer.dryRun
  const fieldError = (f: string) => error?.field === f && <p className="tt-form-error" role="alert" data-field={f}>{error.message}</p>

  return (
    <Dialog title="年度结转" onClose={onClose} busy={busy} width={760} testId="rollover-dialog"
      footer={<>
        <button type="button" className="tt-button" onClick={onClose} disabled={busy}>{stored ? '关闭' : '取消'}</button>
        {!stored && <button type="button" className="tt-button" data-testid="rollover-preview" onClick={() => void run(true)} disabled={busy}>{busy && !answer ? '正在预览…' : '预览'}</button>}
        {!stored && (
          <button type="button" className="tt-button tt-button-primary" data-testid="rollover-confirm" disabled={busy || !answer?.dryRun || answer.carried.length === 0}
            title={answer?.dryRun ? '按预览结果创建目标年度的表' : '请先预览'} onClick={() => void run(false)}>确认结转</button>
        )}
      </>}>
      <p className="tt-muted">以结转年度已批复的表生成目标年度的表：非一次性项目结转为延续项目，指标和指标值保留上年值并标记“待复核”，年度资金清空待填；部门整体表连同年度主要任务结转。一次性、未批复、已结转的表不结转，列在下面。</p>
      <div className="tt-form-row">
        <label className="tt-form-field tt-year-field">
          <span>结转年度</span>
          <input name="fromYear" inputMode="numeric" value={fromYear} disabled={!!stored} onChange={(e) => edit(setFromYear)(e.target.value)} />
          {fieldError('fromYear')}
        </label>
        <label className="tt-form-field tt-year-field">
          <span>目标年度</span>
          <input name="toYear" inputMode="numeric" value={toYear} disabled={!!stored} onChange={(e) => edit(setToYear)(e.target.value)} />
          {fieldError('toYear')}
        </label>
        {finance && (
          <label className="tt-form-field tt-grow">
            <span>部门</span>
            <DepartmentSelect name="departmentId" value={departmentId} options={departments} placeholder="全部部门" onChange={edit(setDepartmentId)} />
            {fieldError('departmentIds')}
          </label>
        )}
      </div>
      {error && !['fromYear', 'toYear', 'departmentIds'].includes(error.field ?? '') && <p className="tt-form-error" role="alert">{error.message}</p>}
      {answer && <RolloverReport answer={answer} />}
    </Dialog>
  )
}

function RolloverReport({ answer }: { answer: RolloverAnswer }) {
  const { carried, leftOut, refused, dryRun } = answer
  return (
    <div data-testid="rollover-report">
      <p data-testid="rollover-summary"><strong>
        {dryRun ? `预览：将结转 ${carried.length} 张` : `已结转 ${carried.length} 张到 ${answer.toYear} 年度`}，未结转 {leftOut.length} 张{refused.length ? `，${refused.length} 个部门被拒绝` : ''}
      </strong></p>
      {refused.length > 0 && (
        <>
          <h3>拒绝结转的部门</h3>
          <ul data-testid="rollover-refused">{refused.map((r) => <li key={r.departmentId} className="tt-form-error">{r.message}</li>)}</ul>
        </>
      )}
      {carried.length > 0 && (
        <>
          <h3>{dryRun ? '将结转' : '已结转'}</h3>
          <table className="tt-audit" data-testid="rollover-carried">
            <thead><tr><th>表格</th><th>类型</th><th>部门</th></tr></thead>
            <tbody>
              {carried.map((c) => (
                <tr key={c.sourceTableId}>
                  <td>{c.tableId ? <a href={`/tables/${encodeURIComponent(c.tableId)}`}>{c.title || '（未命名）'}</a> : c.title || '（未命名）'}</td>
                  <td>{KINDS[c.kind]}</td>
                  <td>{c.departmentName}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {leftOut.length > 0 && (
        <>
          <h3>未结转</h3>
          <table className="tt-audit" data-testid="rollover-left-out">
            <thead><tr><th>表格</th><th>部门</th><th>原因</th></tr></thead>
            <tbody>
              {leftOut.map((l) => (
                <tr key={l.sourceTableId}>
                  <td><a href={`/tables/${encodeURIComponent(l.sourceTableId)}`}>{l.title || '（未命名）'}</a></td>
                  <td>{l.departmentName}</td>
                  <td data-reason={l.reason} title={REASONS[l.reason]}>{l.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {carried.length === 0 && leftOut.length === 0 && refused.length === 0 && <p className="tt-muted">结转年度没有可结转的表。</p>}
    </div>
  )
}
