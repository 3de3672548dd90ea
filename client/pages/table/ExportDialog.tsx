// 导出 on the table page: format (Excel / PDF), version (the current content or a frozen version; an
// approved table defaults to its approved version), edition (内部版 / 公开版 — not for a 涉密 table).
// The file comes through fetch as a download under the server's name; a refusal stays in the dialog.
import { useState } from 'react'
import { EDITION_LABELS, EDITIONS, EXPORT_FORMATS, FORMAT_LABELS, type Edition, type ExportFormat } from '../../../shared/api/constants.ts'
import type { VersionSummary } from '../../../shared/api/review.ts'
import { exportTable, formatBytes } from '../../lib/export-api.ts'
import { Modal } from './Dialog.tsx'
import { formatTime, VERSION_REASON_LABELS } from './format.ts'
import { usePage } from './Header.tsx'
import type { TablePageStore } from './store.ts'
import { useApi } from './use-api.ts'

const LIVE = 'live'

/** The version an approved table is exported at by default: its latest approval (else its latest version). */
function approvedVersion(versions: readonly VersionSummary[], current: number): number {
  const approved = versions.filter((v) => v.reason === 'approved').map((v) => v.version)
  return approved.length ? Math.max(...approved) : current
}

export function ExportDialog({ store, onClose }: { store: TablePageStore; onClose: () => void }) {
  const s = usePage(store)
  const { detail } = s
  const approved = detail.status === 'approved'
  const versions = useApi<{ versions: VersionSummary[] }>(`${store.path}/versions`, s.epoch)
  const list = [...(versions.data?.versions ?? [])].sort((a, b) => b.version - a.version)
  const [format, setFormat] = useState<ExportFormat>('xlsx')
  const [edition, setEdition] = useState<Edition>('internal')
  // null: not chosen yet — an approved table then takes its approved version, any other its live content
  const [chosen, setChosen] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [saved, setSaved] = useState<string | null>(null)

  const version = chosen ?? (approved && versions.data ? String(approvedVersion(list, detail.version)) : LIVE)
  const publicRefused = detail.classified

  const run = async () => {
    setBusy(true)
    setError(null)
    setSaved(null)
    try {
      const file = await exportTable(store.tableId, { format, edition: publicRefused ? 'internal' : edition, ...(version === LIVE ? {} : { version: Number(version) }) })
      setSaved(`已下载 ${file.name}（${formatBytes(file.bytes)}）`)
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal
      title="导出表格"
      onClose={onClose}
      busy={busy}
      width={460}
      testId="export-dialog"
      footer={<>
        <button type="button" className="tp-button" onClick={onClose} disabled={busy}>关闭</button>
        <button type="button" className="tp-button tp-primary" data-testid="export-confirm" disabled={busy} onClick={() => void run()}>
          {busy ? '正在生成…' : '导出'}
        </button>
      </>}
    >
      <div className="tp-export">
        <span className="tp-label">格式</span>
        <div className="tp-segs" role="radiogroup" aria-label="格式">
          {EXPORT_FORMATS.map((f) => (
            <button key={f} type="button" role="radio" aria-checked={format === f} data-format={f}
              className={`tp-seg tp-seg-wide${format === f ? ' tp-seg-on' : ''}`} onClick={() => setFormat(f)}>{FORMAT_LABELS[f]}</button>
          ))}
        </div>

        <label className="tp-label" htmlFor="tp-export-version">版本</label>
        <select id="tp-export-version" className="tp-select tp-export-select" data-testid="export-version" value={version}
          onChange={(e) => setChosen(e.target.value)} disabled={!versions.data && versions.loading}>
          <option value={LIVE}>{approved ? '当前内容（已批复的版本）' : '当前内容（标注草稿）'}</option>
          {list.map((v) => (
            <option key={v.version} value={String(v.version)}>
              版本 {v.version} · {VERSION_REASON_LABELS[v.reason] ?? v.reason} · 第 {v.round} 轮 · {formatTime(v.createdAt)}
            </option>
          ))}
        </select>
        {versions.error ? <p className="tp-field-error">版本列表加载失败：{versions.error}</p> : null}
        <p className="tp-hint tp-export-note">
          {version === LIVE
            ? approved ? '导出已批复的内容，注明版本和批复日期。' : '导出当前填报内容，标题注明“草稿”。'
            : '导出冻结的版本，注明版本号。'}
        </p>

        <span className="tp-label">版本类型</span>
        <div className="tp-segs" role="radiogroup" aria-label="版本类型">
          {EDITIONS.map((ed) => {
            const off = ed === 'public' && publicRefused
            return (
              <button key={ed} type="button" role="radio" aria-checked={!off && edition === ed} data-edition={ed} disabled={off}
                title={off ? '涉密表不能导出公开版' : undefined}
                className={`tp-seg tp-seg-wide${!off && edition === ed ? ' tp-seg-on' : ''}`} onClick={() => setEdition(ed)}>{EDITION_LABELS[ed]}</button>
            )
          })}
        </div>
        <p className="tp-hint tp-export-note" data-testid="edition-hint">
          {publicRefused
            ? '该表为涉密表，只能导出内部版。'
            : edition === 'public' ? '公开版不含填报人、联系电话等个人信息和签字栏，用于信息公开。' : '内部版含填报人、联系电话和签字栏。'}
        </p>

        {error ? <p className="tp-field-error tp-export-error" role="alert" data-testid="export-error">{error}</p> : null}
        {saved ? <p className="tp-export-saved" role="status" data-testid="export-saved">{saved}</p> : null}
      </div>
    </Modal>
  )
}
