// Importing a 项目统计表: 「导入项目统计表」 opens the file picker; the chosen xlsx is uploaded for the year
// at once (one transaction on the server). The report then shows what happened — 新登记 / 更新 / 未变,
// the departments still to map, and every problem with its sheet and cell.
import { useRef, useState } from 'react'
import type { ImportProblem } from '../../../shared/api/imports.ts'
import type { RegistryImportAnswer } from '../../../shared/api/registry.ts'
import { importRegistry } from '../../lib/registry-api.ts'

const SEVERITY = { error: '错误', warning: '提醒', info: '说明' } as const
const count = (n: number) => n.toLocaleString('zh-CN')

export function ImportPanel({ year, onImported }: { year: number; onImported(answer: RegistryImportAnswer): void }) {
  const input = useRef<HTMLInputElement>(null)
  const [busy, setBusy] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)

  const upload = async (file: File | undefined) => {
    if (!file) return
    setBusy(file.name)
    setError(null)
    try {
      onImported(await importRegistry(file, year))
    } catch (e) {
      setError(`“${file.name}”导入失败：${e instanceof Error ? e.message : String(e)}`)
    } finally {
      setBusy(null)
      if (input.current) input.current.value = ''
    }
  }

  return (
    <>
      <input ref={input} type="file" accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" className="tt-visually-hidden"
        data-testid="registry-file" aria-label="选择项目统计表文件" onChange={(e) => void upload(e.target.files?.[0])} />
      <button type="button" className="tt-button" data-testid="import-registry" disabled={!!busy} onClick={() => input.current?.click()}>
        {busy ? `正在导入“${busy}”…` : `导入 ${year} 年度项目统计表`}
      </button>
      {error && <p className="tt-form-error tr-import-error" role="alert" data-testid="import-error">{error}</p>}
    </>
  )
}

function problemLine(p: ImportProblem) {
  return (
    <li key={`${p.sheet ?? ''}|${p.cell ?? ''}|${p.code}|${p.message}`} className={`tr-problem tr-${p.severity}`}>
      <span className="tr-severity">{SEVERITY[p.severity]}</span>
      {p.cell && <span className="tr-cell">{p.sheet ? `${p.sheet}!` : ''}{p.cell}</span>}
      <span>{p.message}</span>
    </li>
  )
}

export function ImportReport({ report: r, onClose }: { report: RegistryImportAnswer; onClose(): void }) {
  const serious = r.report.problems.filter((p) => p.severity !== 'info')
  const info = r.report.problems.filter((p) => p.severity === 'info')
  return (
    <section className="tt-card tr-panel" aria-labelledby="tr-report-title" data-testid="import-report">
      <div className="tr-panel-head">
        <h2 id="tr-report-title">导入结果：{r.report.file}</h2>
        <button type="button" className="tt-icon-button" aria-label="关闭" onClick={onClose}>×</button>
      </div>
      <p className="tr-counts" data-testid="import-counts">
        <span>读取 {count(r.projects.length)} 个项目</span>
        <span className="tr-count-good">新登记 {count(r.created)} 个</span>
        <span>更新 {count(r.updated)} 个</span>
        <span className="tt-muted">未变 {count(r.unchanged)} 个</span>
        {r.unknownDepartments.length > 0 && <span className="tt-warning-text">待对应部门 {count(r.unknownDepartments.length)} 个</span>}
      </p>
      {r.report.sheets.filter((s) => s.skipped).map((s) => <p key={s.name} className="tt-form-hint">工作表「{s.name}」未读取：{s.skipped}</p>)}
      {serious.length > 0 && (
        <>
          <h3 className="tr-subhead">需要核对（{serious.length}）</h3>
          <ul className="tr-lines" data-testid="import-problems">{serious.map(problemLine)}</ul>
        </>
      )}
      {info.length > 0 && (
        <details className="tr-details">
          <summary>导入说明（{info.length}）</summary>
          <ul className="tr-lines">{info.map(problemLine)}</ul>
        </details>
      )}
    </section>
  )
}
