// 删除指标 (finance): a reason is required; the entry's history is kept on the server with a last row
// naming the deletion, and pending change proposals for it stay (shown as 该指标已被删除).
import { useState } from 'react'
import type { IndicatorEntry } from '../../../shared/api/library.ts'
import { Dialog } from '../../components/Dialog.tsx'
import { deleteIndicator } from '../../lib/library-api.ts'

export function DeleteEntryAction({ entry, onDeleted }: { entry: IndicatorEntry; onDeleted(): void }) {
  const [open, setOpen] = useState(false)
  const [reason, setReason] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const remove = async () => {
    if (!reason.trim()) return setError('删除原因必填：请说明为什么删除这条指标')
    setBusy(true)
    setError(null)
    try {
      await deleteIndicator(entry.id, reason.trim())
      setOpen(false)
      onDeleted()
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <>
      <button type="button" className="tt-button tp-delete" data-testid="delete-indicator" onClick={() => setOpen(true)}>删除</button>
      {open && (
        <Dialog title={`删除指标：${entry.level3}`} busy={busy} onClose={() => setOpen(false)} testId="delete-indicator-dialog"
          footer={<>
            <button type="button" className="tt-button" onClick={() => setOpen(false)} disabled={busy}>取消</button>
            <button type="submit" form="tl-delete-form" className="tt-button tt-button-primary" data-testid="confirm-delete" disabled={busy}>{busy ? '正在删除…' : '删除'}</button>
          </>}>
          <form id="tl-delete-form" className="tt-form" onSubmit={(e) => { e.preventDefault(); void remove() }}>
            <p className="tt-form-hint">删除后指标不再出现在指标库和推荐中；修改历史保留，待处理的修改建议仍可不采纳。</p>
            <label className="tt-form-field">
              <span>删除原因</span>
              <textarea name="deleteReason" rows={2} value={reason} aria-invalid={!!error || undefined} placeholder="必填：例如“与 C-MTG-01 重复”" onChange={(e) => setReason(e.target.value)} />
            </label>
            {error && <p className="tt-form-error" role="alert" data-testid="delete-error">{error}</p>}
          </form>
        </Dialog>
      )}
    </>
  )
}
