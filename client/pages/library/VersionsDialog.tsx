// /library: 指标库版本 — every published version (year, version, entries, who, when, note, tables that
// record it) with its own Excel export, and for finance 发布版本: the library as it is now frozen as a
// budget year's next version (tables created afterwards for that year record it).
import { useEffect, useState } from 'react'
import type { LibraryVersion } from '../../../shared/api/library-transfer.ts'
import { Dialog } from '../../components/Dialog.tsx'
import { libraryExportUrl, listLibraryVersions, publishLibraryVersion } from '../../lib/library-api.ts'
import './transfer.css'

export function VersionsButton({ canPublish, canExport }: { canPublish: boolean; canExport: boolean }) {
  const [open, setOpen] = useState(false)
  return (
    <>
      <button type="button" className="tt-button" data-testid="library-versions" onClick={() => setOpen(true)}>指标库版本</button>
      {open && <VersionsDialog canPublish={canPublish} canExport={canExport} onClose={() => setOpen(false)} />}
    </>
  )
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e))
const when = (iso: string) => new Date(iso).toLocaleString('zh-CN', { hour12: false })

function VersionsDialog({ canPublish, canExport, onClose }: { canPublish: boolean; canExport: boolean; onClose(): void }) {
  const [versions, setVersions] = useState<LibraryVersion[] | null>(null)
  const [error, setError] = useState<string>()
  const [year, setYear] = useState(String(new Date().getFullYear() + 1))
  const [note, setNote] = useState('')
  const [saving, setSaving] = useState(false)
  const [tick, setTick] = useState(0)

  useEffect(() => {
    const ctl = new AbortController()
    listLibraryVersions(ctl.signal).then((a) => setVersions(a.versions), (e) => { if (!ctl.signal.aborted) setError(message(e)) })
    return () => ctl.abort()
  }, [tick])

  const publish = async () => {
    setSaving(true)
    setError(undefined)
    try {
      await publishLibraryVersion({ year: Number(year), note: note.trim() })
      setNote('')
      setTick((n) => n + 1)
    } catch (e) {
      setError(message(e))
    } finally {
      setSaving(false)
    }
  }

  return (
    <Dialog title="指标库版本" width={760} busy={saving} onClose={onClose} testId="library-versions-dialog"
      footer={<button type="button" className="tt-button" onClick={onClose} disabled={saving}>关闭</button>}>
      <div className="lt-import">
        {canPublish && (
          <form className="lt-publish" onSubmit={(e) => { e.preventDefault(); void publish() }}>
            <label className="tt-form-field tt-year-field">
              <span>预算年度</span>
              <input type="number" min={2000} max={2100} value={year} onChange={(e) => setYear(e.currentTarget.value)} data-testid="version-year" />
            </label>
            <label className="tt-form-field tt-grow">
              <span>说明（可选）</span>
              <input type="text" maxLength={500} value={note} onChange={(e) => setNote(e.currentTarget.value)} placeholder="如：年初批复前定稿" data-testid="version-note" />
            </label>
            <button type="submit" className="tt-button tt-button-primary" disabled={saving} data-testid="version-publish">{saving ? '正在发布…' : '发布版本'}</button>
          </form>
        )}
        {canPublish && <p className="tt-muted">发布后，该年度新建的绩效目标表记录所用的指标库版本。</p>}
        {error && <p className="tt-form-error" role="alert">{error}</p>}
        {!versions && !error && <p className="tt-muted" aria-busy="true">正在加载…</p>}
        {versions && versions.length === 0 && <p className="tt-muted">尚未发布指标库版本。</p>}
        {versions && versions.length > 0 && (
          <div className="lt-rejected">
            <table className="lt-table" data-testid="library-versions-list">
              <thead><tr><th>年度</th><th>版本</th><th>指标数</th><th>发布人</th><th>发布时间</th><th>说明</th><th>使用的表</th>{canExport && <th />}</tr></thead>
              <tbody>
                {versions.map((v) => (
                  <tr key={v.id}>
                    <td>{v.year}</td><td>第 {v.version} 版</td><td>{v.entryCount}</td><td>{v.createdByName ?? '—'}</td>
                    <td>{when(v.createdAt)}</td><td>{v.note || '—'}</td><td>{v.tableCount}</td>
                    {canExport && <td><a href={libraryExportUrl(v.id)} download>导出 Excel</a></td>}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </Dialog>
  )
}
