// 导入部门名单 (finance): pick the xlsx → the server's dry run is shown (what would be created or updated,
// each problem with its cell) → 确认导入 stores it → the page reloads its department tree. The server
// decides everything; its refusals are shown as it words them.
import { useRef, useState } from 'react'
import type { DepartmentImportAnswer, ImportProblem } from '../../../shared/api/imports.ts'
import { ApiError } from '../../lib/api.ts'
import { Dialog } from '../../components/Dialog.tsx'
import { importDepartments, spreadsheetsOf } from '../../lib/import-api.ts'
import { ProblemList } from './ImportTablesDialog.tsx'

type Stage =
  | { step: 'pick' }
  | { step: 'checking'; file: File }
  | { step: 'preview'; file: File; answer: DepartmentImportAnswer }
  | { step: 'storing'; file: File; answer: DepartmentImportAnswer }
  | { step: 'done'; file: File; answer: DepartmentImportAnswer }
  | { step: 'failed'; file: File; message: string; problems: ImportProblem[] }

const ACTION_LABELS = { created: '新建', updated: '更新', unchanged: '不变' } as const
// shared/api/directory.ts has the same labels, but a value import from it would bring zod into the page
const KIND_LABELS: Record<DepartmentImportAnswer['departments'][number]['kind'], string> = { department: '部门', unit: '单位', town: '镇街' }

/** A refusal, with the problems the server lists in `details.problems` (e.g. why no sheet held a list). */
function failed(file: File, e: unknown): Stage {
  const details = e instanceof ApiError && e.details && typeof e.details === 'object' ? (e.details as { problems?: unknown }) : undefined
  return { step: 'failed', file, message: e instanceof Error ? e.message : String(e), problems: Array.isArray(details?.problems) ? (details.problems as ImportProblem[]) : [] }
}

export default function ImportDepartmentsDialog({ onClose, onImported }: { onClose(): void; onImported(): void }) {
  const [stage, setStage] = useState<Stage>({ step: 'pick' })
  const [showUnchanged, setShowUnchanged] = useState(false)
  const input = useRef<HTMLInputElement>(null)
  const busy = stage.step === 'checking' || stage.step === 'storing'

  const check = async (file: File) => {
    setStage({ step: 'checking', file })
    setShowUnchanged(false)
    try {
      setStage({ step: 'preview', file, answer: await importDepartments(file, true) })
    } catch (e) {
      setStage(failed(file, e))
    }
  }

  const store = async () => {
    if (stage.step !== 'preview') return
    const { file } = stage
    setStage({ step: 'storing', file, answer: stage.answer })
    try {
      const answer = await importDepartments(file, false)
      setStage({ step: 'done', file, answer })
      onImported()
    } catch (e) {
      setStage(failed(file, e))
    }
  }

  const pick = (files: FileList | null) => {
    const { accepted } = spreadsheetsOf(files ?? [])
    if (accepted[0]) void check(accepted[0])
  }

  const answer = 'answer' in stage ? stage.answer : null
  const changes = answer ? answer.created + answer.updated : 0
  const errors = answer?.report.problems.filter((p) => p.severity === 'error').length ?? 0
  const rows = answer ? answer.departments.filter((d) => showUnchanged || d.action !== 'unchanged') : []

  return (
    <Dialog title="导入部门名单" onClose={onClose} busy={busy} width={760} testId="import-departments-dialog"
      footer={<>
        <button type="button" className="tt-button" onClick={onClose} disabled={busy}>{stage.step === 'done' ? '完成' : '取消'}</button>
        {stage.step !== 'done' && (
          <button type="button" className="tt-button tt-button-primary" data-testid="import-departments-confirm"
            disabled={stage.step !== 'preview' || changes === 0} onClick={() => void store()}>
            {stage.step === 'storing' ? '正在导入…' : changes ? `确认导入（${changes} 个）` : '确认导入'}
          </button>
        )}
      </>}>
      <div className="tt-form">
        <p className="tt-muted tt-export-intro">
          Excel（.xlsx）一行一个部门、单位或镇街，表头含「代码」「名称」，可选「类型」（部门/单位/镇街）和「上级代码」；
          没有「上级代码」列时，代码以某部门代码开头的（如 820001 之于 820）视为其下属单位。已有的代码更新名称、类型和上级，不会重复创建。
        </p>
        <div className="tt-dropzone" data-testid="department-file-zone"
          onDragOver={(e) => { if (!busy) { e.preventDefault(); e.dataTransfer.dropEffect = 'copy' } }}
          onDrop={(e) => { e.preventDefault(); if (!busy) pick(e.dataTransfer.files) }}>
          <span>{'file' in stage ? <>已选择 <strong>{stage.file.name}</strong></> : '将部门名单 xlsx 拖到这里，或'}</span>
          <button type="button" className="tt-button" disabled={busy} onClick={() => input.current?.click()}>{'file' in stage ? '重新选择' : '选择文件'}</button>
          <input ref={input} type="file" name="file" accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" hidden
            onChange={(e) => { pick(e.target.files); e.target.value = '' }} />
        </div>

        {stage.step === 'checking' && <p className="tt-muted" aria-busy="true">正在读取 {stage.file.name}…</p>}
        {stage.step === 'failed' && <div className="tt-refusal" role="alert" data-testid="import-error"><p>{stage.message}</p></div>}
        {stage.step === 'failed' && <ProblemList problems={stage.problems} />}

        {answer && (
          <>
            <p className={stage.step === 'done' ? 'tt-saved' : 'tt-import-summary'} role="status" data-testid="department-summary">
              {stage.step === 'done' ? '已导入：' : '预览（尚未保存）：'}
              新建 <strong>{answer.created}</strong> 个，更新 <strong>{answer.updated}</strong> 个，不变 {answer.unchanged} 个
              {errors > 0 && <>；<span className="tt-count-error">{errors} 行有错误{stage.step === 'done' ? '未导入' : '，不会导入'}</span></>}
            </p>
            <ProblemList problems={answer.report.problems} />
            {answer.departments.length > 0 && (
              <div className="tt-import-scroll">
                <table className="tt-audit" data-testid="department-preview">
                  <thead><tr><th>代码</th><th>名称</th><th>类型</th><th>上级代码</th><th>操作</th></tr></thead>
                  <tbody>
                    {rows.map((d) => (
                      <tr key={d.code} data-action={d.action}>
                        <td className="tt-nowrap">{d.code}</td>
                        <td>{d.name}</td>
                        <td className="tt-nowrap">{KIND_LABELS[d.kind]}</td>
                        <td className="tt-nowrap">{d.parentCode ?? ''}</td>
                        <td className={`tt-nowrap tt-action-${d.action}`}>{ACTION_LABELS[d.action]}</td>
                      </tr>
                    ))}
                    {rows.length === 0 && <tr><td colSpan={5} className="tt-muted">名单与系统一致，没有需要新建或更新的部门。</td></tr>}
                  </tbody>
                </table>
              </div>
            )}
            {answer.unchanged > 0 && (
              <label className="tt-check">
                <input type="checkbox" checked={showUnchanged} onChange={(e) => setShowUnchanged(e.target.checked)} />
                显示不变的 {answer.unchanged} 个
              </label>
            )}
          </>
        )}
      </div>
    </Dialog>
  )
}
