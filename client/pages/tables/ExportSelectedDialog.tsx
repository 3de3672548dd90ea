// 导出所选: the chosen tables (each at its approved version, else its live content marked 草稿) as one
// zip in Excel or PDF, internal or public edition. A refusal lists which tables and why, by name.
import { useState } from 'react'
import type { TableSummary } from '../../../shared/api/tables.ts'
import { EDITION_LABELS, EDITIONS, EXPORT_FORMATS, FORMAT_LABELS, MAX_ZIP_TABLES, type Edition, type ExportFormat } from '../../../shared/api/constants.ts'
import { Dialog } from '../../components/Dialog.tsx'
import { exportZip, formatBytes, refusalsOf, type Refusal } from '../../lib/export-api.ts'
import { titleOf } from './TablesTable.tsx'
import { Segmented } from '../../components/Segmented.tsx'

export function ExportSelectedDialog({ tables, onClose, onDone }: {
  tables: readonly TableSummary[]
  onClose(): void
  /** after a download, so the page may clear its selection */
  onDone(): void
}) {
  const [format, setFormat] = useState<ExportFormat>('xlsx')
  const [edition, setEdition] = useState<Edition>('internal')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<{ message: string; refused: Refusal[] } | null>(null)
  const [saved, setSaved] = useState<string | null>(null)
  const classified = tables.filter((t) => t.classified)
  const tooMany = tables.length > MAX_ZIP_TABLES
  const byId = new Map(tables.map((t) => [t.id, t]))

  const run = async () => {
    setBusy(true)
    setError(null)
    setSaved(null)
    try {
      const file = await exportZip({ tableIds: tables.map((t) => t.id), format, edition })
      setSaved(`已下载 ${file.name}（${formatBytes(file.bytes)}）`)
      onDone()
    } catch (e) {
      setError({ message: e instanceof Error ? e.message : String(e), refused: refusalsOf(e) })
    } finally {
      setBusy(false)
    }
  }

  return (
    <Dialog title={`导出所选（${tables.length} 张）`} onClose={onClose} busy={busy} width={520} testId="export-selected-dialog"
      footer={<>
        <button type="button" className="tt-button" onClick={onClose} disabled={busy}>{saved ? '完成' : '取消'}</button>
        <button type="button" className="tt-button tt-button-primary" data-testid="export-selected-confirm" disabled={busy || tooMany || !!saved} onClick={() => void run()}>
          {busy ? '正在打包…' : '导出 zip'}
        </button>
      </>}>
      <div className="tt-form">
        <p className="tt-muted tt-export-intro">
          每张表一个文件，打包为 zip：已批复的表导出批复版本，其余导出当前内容并标注“草稿”。
        </p>
        <fieldset className="tt-form-field">
          <legend>格式</legend>
          <Segmented name="format" options={EXPORT_FORMATS} value={format} onChange={setFormat} label={(f) => FORMAT_LABELS[f]} />
        </fieldset>
        <fieldset className="tt-form-field">
          <legend>版本类型</legend>
          <Segmented name="edition" options={EDITIONS} value={edition} onChange={setEdition} label={(ed) => EDITION_LABELS[ed]} />
          {edition === 'public' && classified.length > 0 && (
            <p className="tt-form-hint tt-warning-text" data-testid="classified-hint">
              所选表中有 {classified.length} 张涉密表（{classified.slice(0, 3).map(titleOf).join('、')}{classified.length > 3 ? ' 等' : ''}），涉密表不能导出公开版，请取消选择或改为内部版。
            </p>
          )}
          {edition === 'public' && classified.length === 0 && <p className="tt-form-hint">公开版不含填报人、联系电话等个人信息和签字栏。</p>}
        </fieldset>
        {tooMany && <p className="tt-form-error" role="alert">一次最多导出 {MAX_ZIP_TABLES} 张表，已选 {tables.length} 张；更多请用汇编成册。</p>}
        {error && (
          <div className="tt-refusal" role="alert" data-testid="export-refusal">
            <p>{error.message}</p>
            {error.refused.length > 0 && (
              <ul>
                {error.refused.map((r) => (
                  <li key={r.tableId} data-table-id={r.tableId}>
                    <strong>{byId.has(r.tableId) ? titleOf(byId.get(r.tableId)!) : r.tableId}</strong>
                    {byId.get(r.tableId) && <span className="tt-muted">（{byId.get(r.tableId)!.departmentName}）</span>}：{r.reason}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        {saved && <p className="tt-saved" role="status" data-testid="export-saved">{saved}</p>}
      </div>
    </Dialog>
  )
}
