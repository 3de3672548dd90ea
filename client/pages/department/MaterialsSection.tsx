// 资料清单 of a department for a year (tables.md §11): twelve rows, each with its status (未收到/已收到/不适用),
// a note (saved when it loses focus or on Enter), its files (download links; upload and delete for editors)
// and who changed it last. Read-only callers see the same rows without the controls.
import { useCallback, useEffect, useRef, useState } from 'react'
import { MATERIAL_STATUSES, MATERIAL_STATUS_LABELS, MAX_MATERIAL_FILE_BYTES, type MaterialItem, type MaterialStatus, type MaterialsAnswer } from '../../../shared/api/materials.ts'
import { ApiError, goLogin } from '../../lib/api.ts'
import { isAbort } from '../../lib/tables-api.ts'
import { deleteMaterialFile, getMaterials, materialFileUrl, setMaterialStatus, uploadMaterialFile } from './materials-api.ts'

const message = (e: unknown) => (e instanceof Error ? e.message : String(e))
const MB = 1024 * 1024

export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < MB) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / MB).toFixed(1)} MB`
}

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString('zh-CN', { hour12: false }) : '')

export function MaterialsSection({ departmentId, year }: { departmentId: string; year: number }) {
  const [data, setData] = useState<MaterialsAnswer | null>(null)
  const [error, setError] = useState<string | null>(null)

  const load = useCallback(
    (signal?: AbortSignal) =>
      getMaterials(departmentId, year, signal).then(
        (a) => { setData(a); setError(null) },
        (e) => {
          if (isAbort(e)) return
          if (e instanceof ApiError && e.status === 401) return goLogin()
          setError(message(e))
        },
      ),
    [departmentId, year],
  )
  useEffect(() => {
    const ctl = new AbortController()
    setData(null)
    void load(ctl.signal)
    return () => ctl.abort()
  }, [load])

  return (
    <section className="tt-card tr-panel td-materials" aria-label="资料清单">
      <div className="tr-panel-head">
        <h2>{year} 年资料清单</h2>
        {data && <span className="tt-subtitle" data-testid="materials-count">已收到 {data.received} / {data.total} 项{data.total < 12 ? `（${12 - data.total} 项不适用）` : ''}</span>}
      </div>
      <p className="tt-subtitle">部门交给第三方机构的资料：每项标记已收到、未收到或不适用，并上传文件（任意类型，每个文件最多 {MAX_MATERIAL_FILE_BYTES / MB} MB）。</p>
      {error && <div className="tt-alert" role="alert">{error}</div>}
      {data === null ? (
        !error && <p className="tt-placeholder" aria-busy="true">正在加载…</p>
      ) : (
        <table className="tt-grid-list td-list" data-testid="materials">
          <thead>
            <tr><th className="td-no">序号</th><th>资料</th><th className="td-status">状态</th><th>说明</th><th>文件</th><th className="td-updated">最后修改</th></tr>
          </thead>
          <tbody>
            {data.items.map((item) => (
              <MaterialRow key={`${year}-${item.item}`} departmentId={departmentId} year={year} item={item} write={data.access.write} download={data.access.download} onChanged={() => void load()} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

function MaterialRow({ departmentId, year, item, write, download, onChanged }: { departmentId: string; year: number; item: MaterialItem; write: boolean; download: boolean; onChanged: () => void }) {
  const [note, setNote] = useState(item.note)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const input = useRef<HTMLInputElement>(null)
  useEffect(() => setNote(item.note), [item.note])

  const run = async (what: () => Promise<unknown>) => {
    setBusy(true)
    setError(null)
    try {
      await what()
      onChanged()
    } catch (e) {
      setError(message(e))
    } finally {
      setBusy(false)
    }
  }
  const save = (status: MaterialStatus, text = note) => run(() => setMaterialStatus(departmentId, item.item, { year, status, note: text }))
  const saveNote = () => { if (note !== item.note) void save(item.status) }
  const upload = (files: FileList | null) => {
    const file = files?.[0]
    if (!file) return
    if (file.size > MAX_MATERIAL_FILE_BYTES) return setError(`文件过大（${fileSize(file.size)}），每个文件最多 ${MAX_MATERIAL_FILE_BYTES / MB} MB`)
    void run(() => uploadMaterialFile(departmentId, year, item.item, file)).finally(() => { if (input.current) input.current.value = '' })
  }
  const remove = (id: string, name: string) => {
    if (!confirm(`删除文件“${name}”？`)) return
    void run(() => deleteMaterialFile(id))
  }

  return (
    <tr data-item={item.item} data-status={item.status} aria-busy={busy}>
      <td className="td-no">{item.item}</td>
      <td className="td-label">{item.label}</td>
      <td className="td-status">
        {write ? (
          <select aria-label={`第 ${item.item} 项的状态`} className={`td-select td-${item.status}`} value={item.status} disabled={busy} onChange={(e) => void save(e.target.value as MaterialStatus)}>
            {MATERIAL_STATUSES.map((s) => <option key={s} value={s}>{MATERIAL_STATUS_LABELS[s]}</option>)}
          </select>
        ) : (
          <span className={`td-badge td-${item.status}`}>{MATERIAL_STATUS_LABELS[item.status]}</span>
        )}
      </td>
      <td className="td-note">
        {write ? (
          <input aria-label={`第 ${item.item} 项的说明`} value={note} maxLength={500} disabled={busy} placeholder="说明" onChange={(e) => setNote(e.target.value)} onBlur={saveNote} onKeyDown={(e) => { if (e.key === 'Enter') saveNote() }} />
        ) : (
          item.note
        )}
      </td>
      <td className="td-files">
        <ul>
          {item.files.map((f) => (
            <li key={f.id}>
              {download ? <a href={materialFileUrl(f.id)} download={f.name}>{f.name}</a> : <span>{f.name}</span>}
              <span className="td-meta">{fileSize(f.size)}{f.uploadedByName ? ` · ${f.uploadedByName}` : ''}</span>
              {write && <button type="button" className="td-link" disabled={busy} aria-label={`删除 ${f.name}`} onClick={() => remove(f.id, f.name)}>删除</button>}
            </li>
          ))}
        </ul>
        {write && (
          <label className="tt-button td-upload" aria-disabled={busy}>
            上传文件
            <input ref={input} type="file" hidden disabled={busy} aria-label={`为第 ${item.item} 项上传文件`} onChange={(e) => upload(e.target.files)} />
          </label>
        )}
        {error && <p className="tt-error-text td-error" role="alert">{error}</p>}
      </td>
      <td className="td-updated">{item.updatedAt ? <>{item.updatedByName ?? ''}<span className="td-meta">{when(item.updatedAt)}</span></> : <span className="td-meta">—</span>}</td>
    </tr>
  )
}
