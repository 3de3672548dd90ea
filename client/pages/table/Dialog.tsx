// The table page's dialogs on the product's one dialog component: the reason dialog of 退回修改 / 调整,
// which refuses an empty reason before anything is sent, and a confirmation.
import { useId, useState, type ReactNode } from 'react'
import { MAX_REASON } from '../../../shared/api/constants.ts'
import { Dialog } from '../../components/Dialog.tsx'

/** The product's dialog (client/components/Dialog.tsx), 500 px unless told. */
export function Modal(props: { title: string; onClose: () => void; children: ReactNode; footer?: ReactNode; width?: number; busy?: boolean; testId?: string }) {
  return (
    <Dialog title={props.title} onClose={props.onClose} footer={props.footer} busy={props.busy} testId={props.testId} width={props.width ?? 500}>
      {props.children}
    </Dialog>
  )
}

export interface ReasonDialogProps {
  title: string
  /** what the reason is for, e.g. 退回原因 */
  label: string
  hint?: string
  confirmText: string
  danger?: boolean
  busy?: boolean
  /** the server's refusal, if the last try failed */
  error?: string | null
  onConfirm: (reason: string) => void
  onClose: () => void
  testId?: string
}

export function ReasonDialog(p: ReasonDialogProps) {
  const [reason, setReason] = useState('')
  const [problem, setProblem] = useState<string | null>(null)
  const id = useId()
  const confirm = () => {
    const r = reason.trim()
    if (!r) return setProblem(`请填写${p.label}（reason），${p.label}不能为空`)
    if (r.length > MAX_REASON) return setProblem(`${p.label}（reason）不能超过 ${MAX_REASON} 个字符`)
    setProblem(null)
    p.onConfirm(r)
  }
  const shown = problem ?? p.error ?? null
  return (
    <Modal
      title={p.title}
      onClose={p.onClose}
      busy={p.busy}
      testId={p.testId}
      footer={<>
        <button type="button" className="tp-button" onClick={p.onClose} disabled={p.busy}>取消</button>
        <button type="button" className={`tp-button ${p.danger ? 'tp-danger' : 'tp-primary'}`} data-testid="reason-confirm" disabled={p.busy} onClick={confirm}>
          {p.busy ? '正在提交…' : p.confirmText}
        </button>
      </>}
    >
      {p.hint ? <p className="tp-hint">{p.hint}</p> : null}
      <label htmlFor={id} className="tp-label">{p.label}<span className="tp-required">*</span></label>
      <textarea
        id={id}
        className="tp-textarea"
        rows={5}
        autoFocus
        value={reason}
        maxLength={MAX_REASON + 100}
        aria-invalid={shown ? true : undefined}
        data-testid="reason-input"
        placeholder={`请写明${p.label}，将记入表格历史`}
        onChange={(e) => { setReason(e.target.value); if (problem) setProblem(null) }}
        onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) confirm() }}
      />
      <div className="tp-field-foot">
        <span className="tp-field-error" role="alert" data-testid="reason-error">{shown ?? ''}</span>
        <span className={`tp-counter${reason.length > MAX_REASON ? ' tp-over' : ''}`}>{reason.length} / {MAX_REASON}</span>
      </div>
    </Modal>
  )
}

export function ConfirmDialog(p: { title: string; children: ReactNode; confirmText: string; busy?: boolean; onConfirm: () => void; onClose: () => void; testId?: string }) {
  return (
    <Modal
      title={p.title}
      onClose={p.onClose}
      busy={p.busy}
      testId={p.testId}
      footer={<>
        <button type="button" className="tp-button" onClick={p.onClose} disabled={p.busy}>取消</button>
        <button type="button" className="tp-button tp-primary" data-testid="confirm" disabled={p.busy} onClick={p.onConfirm}>{p.busy ? '正在提交…' : p.confirmText}</button>
      </>}
    >
      {p.children}
    </Modal>
  )
}
