// /library: 导出 Excel (finance, consultants) and 导入 Excel (finance). The import dialog reads the chosen
// file as a dry run first and shows what would happen — counts, the file's notes and every rejected row
// with its row, column and reason — and 确认导入 stores it (POST /api/indicators/import).
import { useState } from 'react'
import type { LibraryImportReport } from '../../../shared/api/library-transfer.ts'
import { Dialog } from '../../components/Dialog.tsx'
import { importLibrary, libraryExportUrl } from '../../lib/library-api.ts'
import './transfer.css'

export function TransferActions({ canImport, onImported }: { canImport: boolean; onImported(): void }) {
  const [open, setOpen] = useState(false)
  return (
    <>
      <a className="tt-button" href={libraryExportUrl()} download data-testid="library-export">导出 Excel</a>
      {canImport && <button type="button" className="tt-button" data-testid="library-import" onClick={() => setOpen(true)}>导入 Excel</button>}
      {open && <ImportDialog onClose={() => setOpen(false)} onImported={() => { setOpen(false); onImported() }} />}
    </>
  )
}

type Step =
  | { state: 'choose'; error?: string }
  | { state: 'reading'; file: File }
  | { state: 'preview'; file: File; report: LibraryImportReport; error?: string }
  | { state: 'saving'; file: File; report: LibraryImportReport }
  | { state: 'done'; report: LibraryImportReport }

const message = (e: unknown) => (e instanceof Error ? e.message : String(e))

function ImportDialog({ onClose, onImported }: { onClose(): void; onImported(): void }) {
  const [step, setStep] = useState<Step>({ state: 'choose' })

  const choose = async (file: File | undefined) => {
    if (!file) return
    setStep({ state: 'reading', file })
    try {
      setStep({ state: 'preview', file, report: await importLibrary(file, true) })
    } catch (e) {
      setStep({ state: 'choose', error: message(e) })
    }
  }
  const confirm = async () => {
    if (step.state !== 'preview') return
    setStep({ state: 'saving', file: step.file, report: step.report })
    try {
      setStep({ state: 'done', report: await importLibrary(step.file, false) })
    } catch (e) {
      setStep({ state: 'preview', file: step.file, report: step.report, error: message(e) })
    }
  }
  const busy = step.state === 'reading' || step.state === 'saving'
  const report = 'report' in step ? step.report : undefined
  const writes = report ? report.created + report.updated : 0

  return (
    <Dialog title="导入指标库（Excel）" width={760} busy={busy} onClose={step.state === 'done' ? onImported : onClose} testId="library-import-dialog"
      footer={step.state === 'done'
        ? <button type="button" className="tt-button tt-button-primary" onClick={onImported}>完成</button>
        : <>
          <button type="button" className="tt-button" onClick={onClose} disabled={busy}>取消</button>
          {(step.state === 'preview' || step.state === 'saving') && (
            <button type="button" className="tt-button tt-button-primary" data-testid="library-import-confirm" disabled={busy || writes === 0} onClick={() => void confirm()}>
              {step.state === 'saving' ? '正在导入…' : `确认导入（${writes} 条）`}
            </button>
          )}
        </>}>
      <div className="lt-import">
        {(step.state === 'choose' || step.state === 'reading') && (
          <label className="tt-form-field">
            <span>选择 .xlsx 文件（列同“导出 Excel”：指标编号、一级指标、二级指标、三级指标……；有指标编号的行修改该指标，其余新增）</span>
            <input type="file" accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" data-testid="library-import-file"
              disabled={busy} onChange={(e) => void choose(e.currentTarget.files?.[0])} />
          </label>
        )}
        {step.state === 'reading' && <p className="tt-muted" aria-busy="true">正在读取“{step.file.name}”…</p>}
        {step.state === 'choose' && step.error && <p className="tt-form-error" role="alert">{step.error}</p>}
        {report && <ReportView report={report} done={step.state === 'done'} />}
        {step.state === 'preview' && step.error && <p className="tt-form-error" role="alert">{step.error}</p>}
      </div>
    </Dialog>
  )
}

function ReportView({ report, done }: { report: LibraryImportReport; done: boolean }) {
  return (
    <div data-testid="library-import-report">
      <p className="lt-summary">
        {done ? '已导入' : '预览（尚未保存）'}：工作表“{report.sheet}”共 {report.rows} 行 ——
        <b> 新增 {report.created}</b>，<b>修改 {report.updated}</b>，未变 {report.unchanged}，
        <b className={report.rejected.length ? 'lt-bad' : ''}>未导入 {report.rejected.length}</b>
      </p>
      {report.notes.length > 0 && <ul className="lt-notes">{report.notes.map((n, i) => <li key={i}>{n}</li>)}</ul>}
      {report.rejected.length > 0 && (
        <div className="lt-rejected">
          <table className="lt-table" data-testid="library-import-rejected">
            <thead><tr><th>行</th><th>列</th><th>原因</th></tr></thead>
            <tbody>
              {report.rejected.map((r, i) => (
                <tr key={i}><td>{r.row}</td><td>{r.column ?? '—'}</td><td>{r.message}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  )
}
