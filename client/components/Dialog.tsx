// A modal dialog on the native <dialog> element (focus trap, Esc and the backdrop come from the browser).
// Every page's dialogs use it, so they look and close alike.
import { useEffect, useRef, type ReactNode } from 'react'

export interface DialogProps {
  title: string
  onClose(): void
  children: ReactNode
  /** buttons, right-aligned under the body */
  footer?: ReactNode
  width?: number
  /** while a request runs, Esc does not close the dialog */
  busy?: boolean
  testId?: string
}

export function Dialog({ title, onClose, children, footer, width = 480, busy = false, testId }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const el = ref.current
    if (el && !el.open) el.showModal()
    return () => el?.close()
  }, [])
  return (
    <dialog
      ref={ref}
      className="tt-dialog"
      style={{ width }}
      aria-label={title}
      data-testid={testId}
      onCancel={(e) => { e.preventDefault(); if (!busy) onClose() }}
    >
      <header className="tt-dialog-head">
        <h2>{title}</h2>
        <button type="button" className="tt-icon-button" aria-label="关闭" onClick={onClose} disabled={busy}>×</button>
      </header>
      <div className="tt-dialog-body">{children}</div>
      {footer && <footer className="tt-dialog-foot">{footer}</footer>}
    </dialog>
  )
}
