// 导入 Excel: workbooks (chosen or dropped on /tables) into a department and year (the departments offered are
// those the server lets the caller create in for that year: a consultant's assignments are per year). Each file is first
// sent with dryRun=1 and its report shown — per table the sheet, title, layout recognised, rows, findings,
// every normalisation (cell, 原文 → 导入为) and every cell that could not be placed — then 确认导入 sends
// the same requests without dryRun and lists the new tables with links. Tables are collapsible (a
// workbook may hold twenty), and a table's details are drawn only while it is open.
import { useEffect, useMemo, useRef, useState } from 'react'
import type { DepartmentSummary, PublicUser } from '../../../shared/api/directory.ts'
import type { ImportedTable, ImportProblem, ImportTableReport, TableImportAnswer } from '../../../shared/api/imports.ts'
import { KIND_LABELS } from '../../../shared/api/constants.ts'
import { TEMPLATES } from '../../../shared/model/templates.ts'
import { Dialog } from '../../components/Dialog.tsx'
import { ApiError } from '../../lib/api.ts'
import { importTables, shownValue, spreadsheetsOf } from '../../lib/import-api.ts'
import { useYearDepartments, yearDepartmentsPlaceholder, YearDepartmentNotes } from './YearDepartmentChoice.tsx'
import { budgetYear, DepartmentSelect } from './FilterBar.tsx'

type Result = { state: 'ready'; answer: TableImportAnswer } | { state: 'failed'; message: string; problems: ImportProblem[] }
type Stored = { state: 'stored'; answer: TableImportAnswer } | { state: 'failed'; message: string; problems: ImportProblem[] }
interface Picked { key: number; file: File }

const SEVERITY_LABELS: Record<ImportProblem['severity'], string> = { error: '错误', warning: '警告', info: '提示' }
/** tables shown open at first when a file has this many or fewer */
const OPEN_AT_MOST = 2

let nextKey = 1
const message = (e: unknown) => (e instanceof Error ? e.message : String(e))
/** A refusal's report problems (e.g. no table found: why each sheet was passed over), from `details.report`. */
function problemsOf(e: unknown): ImportProblem[] {
  const report = e instanceof ApiError && e.details && typeof e.details === 'object' ? (e.details as { report?: { problems?: unknown } }).report : undefined
  return Array.isArray(report?.problems) ? (report.problems as ImportProblem[]) : []
}
const failure = (e: unknown) => ({ state: 'failed' as const, message: message(e), problems: problemsOf(e) })

export default function ImportTablesDialog({ user, departments, files, onClose, onImported }: {
  user: PublicUser
  /** the city's departments; the dialog offers those the caller may create in for the chosen year */
  departments: readonly DepartmentSummary[]
  /** files dropped on the page (the dialog can add more) */
  files: readonly File[]
  onClose(): void
  /** after 确认导入 stored at least one table */
  onImported(tables: ImportedTable[]): void
}) {
  const [picked, setPicked] = useState<Picked[]>(() => files.map((file) => ({ key: nextKey++, file })))
  const [ignored, setIgnored] = useState<string[]>([])
  // a user of one department (with or without units) most often files for that department itself
  const [departmentId, setDepartmentId] = useState(() => (user.role !== 'finance' && user.departmentIds.length === 1 ? user.departmentIds[0]! : ''))
  const [year, setYear] = useState(String(budgetYear()))
  // dry-run results by `${file key}|${department}|${year}`: a change of either checks again
  const [results, setResults] = useState<ReadonlyMap<string, Result>>(new Map())
  const [stored, setStored] = useState<ReadonlyMap<number, Stored> | null>(null)
  const [storing, setStoring] = useState(false)
  const input = useRef<HTMLInputElement>(null)

  const yearOk = /^\d{4}$/.test(year.trim())
  const yearNumber = yearOk ? Number(year.trim()) : null
  // a department not offered for this year is not sent (it comes back if the year is changed back)
  const { assignments, options, chosen } = useYearDepartments(user, departments, yearNumber, departmentId)
  const params = chosen && yearOk ? `${chosen}|${year.trim()}` : null
  const keyOf = (p: Picked) => `${p.key}|${params}`

  // the dry runs still missing, one file at a time (a 20-table workbook takes the server a moment)
  useEffect(() => {
    if (!params || stored) return
    const missing = picked.filter((p) => !results.has(keyOf(p)))
    if (!missing.length) return
    const ctl = new AbortController()
    void (async () => {
      for (const p of missing) {
        let r: Result
        try {
          r = { state: 'ready', answer: await importTables(p.file, { departmentId: chosen, year: Number(year.trim()) }, true, ctl.signal) }
        } catch (e) {
          if (ctl.signal.aborted) return
          r = failure(e)
        }
        if (ctl.signal.aborted) return
        setResults((old) => new Map(old).set(keyOf(p), r))
      }
    })()
    return () => ctl.abort()
    // `results` is read, not watched: each finished run would restart the loop
  }, [params, picked, stored])

  const add = (list: FileList | null) => {
    const { accepted, ignored: skipped } = spreadsheetsOf(list ?? [])
    setIgnored(skipped.map((f) => f.name))
    if (accepted.length) setPicked((old) => [...old, ...accepted.map((file) => ({ key: nextKey++, file }))])
  }
  const remove = (key: number) => setPicked((old) => old.filter((p) => p.key !== key))

  const previews = picked.map((p) => ({ p, result: params ? results.get(keyOf(p)) : undefined }))
  const checking = !!params && previews.some((x) => !x.result)
  const ready = previews.filter((x): x is { p: Picked; result: { state: 'ready'; answer: TableImportAnswer } } =>
    x.result?.state === 'ready' && x.result.answer.tables.length > 0)
  const tableCount = ready.reduce((n, x) => n + x.result.answer.tables.length, 0)

  const store = async () => {
    if (!params) return
    setStoring(true)
    const done = new Map<number, Stored>()
    const created: ImportedTable[] = []
    for (const { p } of ready) {
      try {
        const answer = await importTables(p.file, { departmentId: chosen, year: Number(year.trim()) }, false)
        done.set(p.key, { state: 'stored', answer })
        created.push(...answer.tables)
      } catch (e) {
        done.set(p.key, failure(e))
      }
      setStored(new Map(done))
    }
    setStored(new Map(done))
    setStoring(false)
    if (created.length) onImported(created)
  }

  const storedTables = stored ? [...stored.values()].flatMap((s) => (s.state === 'stored' ? s.answer.tables : [])) : []

  return (
    <Dialog title="导入 Excel" onClose={onClose} busy={storing} width={900} testId="import-tables-dialog"
      footer={<>
        <button type="button" className="tt-button" onClick={onClose} disabled={storing}>{stored ? '完成' : '取消'}</button>
        {!stored && (
          <button type="button" className="tt-button tt-button-primary" data-testid="import-confirm"
            disabled={storing || checking || !tableCount} onClick={() => void store()}>
            {storing ? '正在导入…' : tableCount ? `确认导入（${tableCount} 张表）` : '确认导入'}
          </button>
        )}
      </>}>
      <div className="tt-form">
        <div className="tt-form-row">
          <label className="tt-form-field tt-grow">
            <span>导入到部门</span>
            <DepartmentSelect name="departmentId" value={chosen} options={options} onChange={setDepartmentId}
              placeholder={yearDepartmentsPlaceholder(yearNumber, assignments)} />
            <YearDepartmentNotes user={user} year={yearNumber} assignments={assignments} offered={options.length} />
          </label>
          <label className="tt-form-field tt-year-field">
            <span>年度</span>
            <input name="year" inputMode="numeric" value={year} onChange={(e) => setYear(e.target.value)} aria-invalid={!yearOk || undefined} disabled={!!stored} />
          </label>
        </div>
        {!yearOk && <p className="tt-form-error" role="alert" data-field="year">年度（year）应为四位数字，例如 2025</p>}

        {!stored && (
          <div className="tt-dropzone" data-testid="import-file-zone"
            onDragOver={(e) => { e.preventDefault(); e.dataTransfer.dropEffect = 'copy' }}
            onDrop={(e) => { e.preventDefault(); add(e.dataTransfer.files) }}>
            <span>{picked.length ? `已选择 ${picked.length} 个文件；可继续拖入或` : '将 Excel（.xlsx）文件拖到这里，或'}</span>
            <button type="button" className="tt-button" onClick={() => input.current?.click()}>选择文件</button>
            <input ref={input} type="file" name="file" multiple hidden accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              onChange={(e) => { add(e.target.files); e.target.value = '' }} />
          </div>
        )}
        {ignored.length > 0 && <p className="tt-form-hint tt-warning-text">只能导入 Excel 文件（.xlsx），已忽略：{ignored.join('、')}</p>}
        {picked.length > 0 && !params && <p className="tt-muted">请选择部门{yearOk ? '' : '并填写年度'}，随后显示导入预览。</p>}

        {stored && (
          <div className="tt-saved" role="status" data-testid="import-done">
            已导入 {storedTables.length} 张表{storedTables.length ? '：' : ''}
            <ul className="tt-import-links">
              {storedTables.map((t) => (
                <li key={t.id}>
                  <a href={`/tables/${encodeURIComponent(t.id ?? '')}`} data-testid="imported-table">{t.title || '（无标题）'}</a>
                  <Counts findings={t.findings} />
                </li>
              ))}
            </ul>
          </div>
        )}

        <div className="tt-import-files">
          {previews.map(({ p, result }) => {
            const after = stored?.get(p.key)
            return (
              <section key={p.key} className="tt-import-file" data-testid="import-file" data-file={p.file.name}>
                <header className="tt-import-file-head">
                  <strong>{p.file.name}</strong>
                  <span className="tt-muted" data-testid="file-state">
                    {after?.state === 'stored' ? `已导入 ${after.answer.tables.length} 张表`
                      : after?.state === 'failed' ? '导入失败'
                      : !params ? '' : !result ? '正在检查…'
                      : result.state === 'failed' ? '无法导入'
                      : `${result.answer.tables.length} 张表（预览，尚未保存）`}
                  </span>
                  {!stored && !storing && <button type="button" className="tt-link-button" onClick={() => remove(p.key)}>移除</button>}
                </header>
                {result?.state === 'failed' && <Refusal failed={result} />}
                {after?.state === 'failed' && <Refusal failed={after} />}
                {/* once stored, the links above say it all: the preview would only push the footer away */}
                {result?.state === 'ready' && after?.state !== 'stored' && <FilePreview answer={result.answer} />}
              </section>
            )
          })}
        </div>
      </div>
    </Dialog>
  )
}

function Refusal({ failed }: { failed: { message: string; problems: ImportProblem[] } }) {
  return (
    <>
      <div className="tt-refusal" role="alert" data-testid="import-error"><p>{failed.message}</p></div>
      <ProblemList problems={failed.problems} />
    </>
  )
}

function FilePreview({ answer }: { answer: TableImportAnswer }) {
  const { report } = answer
  const skipped = report.sheets.filter((s) => s.skipped)
  const open = report.tables.length <= OPEN_AT_MOST
  return (
    <>
      <ProblemList problems={report.problems} />
      {skipped.length > 0 && (
        <ul className="tt-import-problems">
          {skipped.map((s) => <li key={s.name} data-severity="info"><span className="tt-sev">未导入</span>工作表「{s.name}」：{s.skipped}</li>)}
        </ul>
      )}
      {report.tables.length === 0 && <p className="tt-muted">文件中没有可导入的绩效目标表。</p>}
      {report.tables.map((t, i) => <TablePreview key={`${t.sheet}|${t.range}|${i}`} report={t} table={answer.tables[i]} open={open} />)}
    </>
  )
}

function TablePreview({ report, table, open: initiallyOpen }: { report: ImportTableReport; table?: ImportedTable; open: boolean }) {
  const [open, setOpen] = useState(initiallyOpen)
  const template = TEMPLATES[report.template]
  const findings = table?.findings ?? report.findings
  return (
    <details className="tt-import-table" open={open} data-testid="import-table" data-sheet={report.sheet}
      onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>
        <span className="tt-import-title">{report.title || table?.title || '（无标题）'}</span>
        <span className="tt-import-meta">
          <span>工作表「{report.sheet}」{report.range}</span>
          <span data-testid="layout">{report.layout}</span>
          <span>{KIND_LABELS[report.kind]}{template ? ` · ${template.name}` : ''}</span>
          <span data-testid="rows">指标 {report.rows.indicators} 行{report.kind === 'department' ? ` · 任务 ${report.rows.tasks} 项` : ''}</span>
          <Counts findings={findings} />
          <span>规范化 {report.normalisations.length} 处{report.unplaced.length ? ` · 未能放置 ${report.unplaced.length} 处` : ''}</span>
        </span>
      </summary>
      {open && <TableDetails report={report} />}
    </details>
  )
}

function TableDetails({ report }: { report: ImportTableReport }) {
  return (
    <div className="tt-import-details">
      {report.normalisations.length > 0 ? (
        <table className="tt-audit" data-testid="normalisations">
          <caption>导入时规范化的单元格</caption>
          <thead><tr><th className="tt-nowrap">单元格</th><th>原文</th><th>导入为</th><th>说明</th></tr></thead>
          <tbody>
            {report.normalisations.map((n, i) => (
              <tr key={`${n.cell}|${n.field}|${i}`}>
                <td className="tt-nowrap">{n.cell}</td>
                <td>{n.from}</td>
                <td>{shownValue(n.to)}</td>
                <td>{n.note}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : <p className="tt-muted">所有单元格按原样导入，没有规范化。</p>}
      {report.unplaced.length > 0 && (
        <table className="tt-audit" data-testid="unplaced">
          <caption>未能放入表格栏目的单元格（内容保留在表中，请核对）</caption>
          <thead><tr><th className="tt-nowrap">单元格</th><th>内容</th><th>原因</th></tr></thead>
          <tbody>
            {report.unplaced.map((u, i) => (
              <tr key={`${u.cell}|${i}`}><td className="tt-nowrap">{u.cell}</td><td>{u.text}</td><td>{u.reason}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}

function Counts({ findings }: { findings: ImportedTable['findings'] }) {
  return (
    <span className="tt-import-counts" data-testid="findings">
      <span className={findings.errors ? 'tt-count-error' : 'tt-zero'}>错误 {findings.errors}</span>
      {' · '}
      <span className={findings.warnings ? 'tt-count-warning' : 'tt-zero'}>警告 {findings.warnings}</span>
    </span>
  )
}

/** A report's problems, errors first, each with its sheet and cell. */
export function ProblemList({ problems }: { problems: readonly ImportProblem[] }) {
  const sorted = useMemo(() => {
    const rank = { error: 0, warning: 1, info: 2 } as const
    return problems.map((p, i) => ({ p, i })).sort((a, b) => rank[a.p.severity] - rank[b.p.severity] || a.i - b.i).map((x) => x.p)
  }, [problems])
  if (!sorted.length) return null
  return (
    <ul className="tt-import-problems" data-testid="import-problems">
      {sorted.map((p, i) => (
        <li key={i} data-severity={p.severity} data-code={p.code}>
          <span className="tt-sev">{SEVERITY_LABELS[p.severity]}</span>
          {(p.sheet || p.cell) && <span className="tt-muted">{p.sheet ? `「${p.sheet}」` : ''}{p.cell ?? ''}　</span>}
          {p.message}
        </li>
      ))}
    </ul>
  )
}
