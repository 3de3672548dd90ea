// 删除 confirmation: names the table, asks an optional reason (kept in the audit log), then
// DELETE /api/tables/:id. The server decides; its refusal is shown as it words it.
import { useState } from 'react'
import type { TableSummary } from '../../../shared/api/tables.ts'
import { MAX_REASON, STATUS_LABELS } from '../../../shared/api/constants.ts'
import { Dialog } from '../../components/Dialog.tsx'
import { deleteTable } from '../../lib/tables-api.ts'
import { titleOf } from './TablesTable.tsx'

export function DeleteTableDialog({ table, onClose, onDeleted }: { table: TableSummary; onClose(): void; onDeleted(id: string): void }) {
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')

  const submit = async () => {
    setBusy(true)
    setError('')
    try {
      await deleteTable(table.id, reason.trim() || undefined)
      onDeleted(table.id)
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
      setBusy(false)
    }
  }

  return (
    <Dialog title="删除绩效目标表" onClose={onClose} busy={busy} testId="delete-dialog"
      footer={<>
        <button type="button" className="tt-button" onClick={onClose} disabled={busy}>取消</button>
        <button type="button" className="tt-button tt-button-danger" onClick={() => void submit()} disabled={busy}>{busy ? '正在删除…' : '删除'}</button>
      </>}>
      <p className="tt-confirm">
        确定删除「<strong>{titleOf(table)}</strong>」（{table.year} 年度，{table.departmentName}，{STATUS_LABELS[table.status]}）吗？
        删除后该表从所有列表中移除，操作记入审计日志。
      </p>
      <label className="tt-form-field">
        <span>删除原因（可选）</span>
        <textarea name="reason" rows={3} maxLength={MAX_REASON} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="例如：重复创建" />
      </label>
      {error && <p className="tt-form-error" role="alert">{error}</p>}
    </Dialog>
  )
}
