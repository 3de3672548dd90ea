// The books, newest first: what each was asked for, its status, a progress bar with done/total and the
// time left while queued or running, the tables that could not be added (表名 + reason), the file to
// download with its size, 取消 for an active job and 删除 for a finished one (after a confirmation).
import { useState } from 'react'
import type { CompilationStatus } from '../../../shared/api/export.ts'
import { EDITION_LABELS, FORMAT_LABELS, JOB_STATUS_LABELS, KIND_LABELS } from '../../../shared/api/constants.ts'
import { Dialog } from '../../components/Dialog.tsx'
import { compilationFileUrl, formatBytes, removeCompilation } from '../../lib/export-api.ts'
import { formatTime } from '../tables/TablesTable.tsx'
import { defaultTitle } from './CompilationForm.tsx'

export const isActive = (b: CompilationStatus) => b.status === 'queued' || b.status === 'running'

const count = (n: number) => n.toLocaleString('zh-CN')

/** 约 8 秒, 约 3 分钟, 约 1 小时 5 分 */
export function formatEta(seconds: number): string {
  const s = Math.max(1, Math.round(seconds))
  if (s < 60) return `约 ${s} 秒`
  const m = Math.round(s / 60)
  if (m < 60) return `约 ${m} 分钟`
  return `约 ${Math.floor(m / 60)} 小时 ${m % 60} 分`
}

function scopeOf(b: CompilationStatus, names: ReadonlyMap<string, string>): string {
  const ids = b.params.departmentIds
  if (!ids) return '全部部门'
  const named = ids.map((id) => names.get(id) ?? id)
  return named.length <= 3 ? named.join('、') : `${named.slice(0, 3).join('、')} 等 ${named.length} 个部门`
}

const kindsOf = (b: CompilationStatus) => (b.params.kinds ? b.params.kinds.map((k) => KIND_LABELS[k]).join('、') : '全部表类型')

export function CompilationList({ books, departmentNames, onChanged }: {
  books: readonly CompilationStatus[]
  departmentNames: ReadonlyMap<string, string>
  onChanged(): void
}) {
  const [confirming, setConfirming] = useState<CompilationStatus | null>(null)
  return (
    <>
      <ul className="tc-list">
        {books.map((b) => <Book key={b.jobId} book={b} scope={scopeOf(b, departmentNames)} onRemove={() => setConfirming(b)} />)}
      </ul>
      {confirming && <RemoveDialog book={confirming} onClose={() => setConfirming(null)} onDone={() => { setConfirming(null); onChanged() }} />}
    </>
  )
}

function Book({ book: b, scope, onRemove }: { book: CompilationStatus; scope: string; onRemove(): void }) {
  const active = isActive(b)
  const percent = b.total > 0 ? Math.min(100, Math.round((b.done / b.total) * 100)) : 0
  const title = b.params.title?.trim() || defaultTitle(b.params.year)
  return (
    <li className={`tt-card tc-book tc-book-${b.status}`} data-job-id={b.jobId} data-status={b.status} data-testid="book">
      <div className="tc-book-head">
        <div className="tc-book-title">
          <h3>{title}</h3>
          <p className="tc-book-meta">
            <span>{b.params.year} 年度</span>
            <span>{scope}</span>
            <span>{kindsOf(b)}</span>
            <span>{FORMAT_LABELS[b.params.format]}</span>
            <span>{EDITION_LABELS[b.params.edition]}</span>
          </p>
          <p className="tc-book-meta tc-book-by">
            {b.createdByName ?? '—'} 于 {formatTime(b.createdAt)} 发起{b.finishedAt ? ` · ${formatTime(b.finishedAt)} 结束` : ''}
          </p>
        </div>
        <span className={`tc-status tc-status-${b.status}`} data-testid="book-status">{JOB_STATUS_LABELS[b.status]}</span>
      </div>

      {active && (
        <div className="tc-progress-row">
          <div className="tc-progress" role="progressbar" aria-label="汇编进度" aria-valuemin={0} aria-valuemax={b.total} aria-valuenow={b.done} data-testid="progress">
            <div className={`tc-progress-fill${b.status === 'queued' ? ' tc-progress-queued' : ''}`} style={{ width: `${percent}%` }} />
          </div>
          <span className="tc-progress-text" data-testid="progress-text">
            {count(b.done)} / {count(b.total)}
            {b.status === 'queued' ? ' · 排队等待' : b.etaSeconds !== null ? ` · 剩余${formatEta(b.etaSeconds)}` : ' · 正在估算剩余时间'}
          </span>
          <button type="button" className="tt-button tc-small" data-testid="cancel" onClick={onRemove}>取消</button>
        </div>
      )}

      {!active && (
        <div className="tc-result">
          {b.status === 'done' && b.file && (
            <a className="tt-button tt-button-primary tc-small" href={compilationFileUrl(b.jobId)} download={b.file.name} data-testid="download">
              下载（{formatBytes(b.file.bytes)}）
            </a>
          )}
          {b.status === 'done' && b.file && <span className="tt-muted" data-testid="file-info">{b.file.name} · 共 {count(b.file.tables)} 张表</span>}
          {b.status === 'done' && !b.file && <span className="tt-muted">文件已删除</span>}
          {b.status !== 'done' && b.error && <span className={b.status === 'failed' ? 'tc-error' : 'tt-muted'} data-testid="book-error">{b.error}</span>}
          <button type="button" className="tt-link-button tt-danger tc-remove" data-testid="delete" onClick={onRemove}>删除</button>
        </div>
      )}

      {b.failures.length > 0 && (
        <details className="tc-failures" data-testid="failures" open={b.failures.length <= 5}>
          <summary>{count(b.failures.length)} 张表未能收录</summary>
          <ul>
            {b.failures.map((f) => (
              <li key={f.tableId}><a href={`/tables/${encodeURIComponent(f.tableId)}`}>{f.title || f.tableId}</a>：{f.reason}</li>
            ))}
          </ul>
        </details>
      )}
    </li>
  )
}

function RemoveDialog({ book, onClose, onDone }: { book: CompilationStatus; onClose(): void; onDone(): void }) {
  const active = isActive(book)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const title = book.params.title?.trim() || defaultTitle(book.params.year)
  const run = async () => {
    setBusy(true)
    setError(null)
    try {
      await removeCompilation(book.jobId)
      onDone()
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
      setBusy(false)
    }
  }
  return (
    <Dialog title={active ? '取消汇编' : '删除汇编'} onClose={onClose} busy={busy} testId="remove-dialog"
      footer={<>
        <button type="button" className="tt-button" onClick={onClose} disabled={busy}>{active ? '继续汇编' : '保留'}</button>
        <button type="button" className="tt-button tt-button-danger" data-testid="remove-confirm" disabled={busy} onClick={() => void run()}>
          {busy ? '正在处理…' : active ? '取消汇编' : '删除'}
        </button>
      </>}>
      <p className="tt-confirm">
        {active
          ? <>停止生成「{title}」？已完成的部分不会保留，需要时可重新汇编。</>
          : <>删除「{title}」{book.file ? `及其文件（${formatBytes(book.file.bytes)}）` : ''}？删除后不能再下载，需要时可重新汇编。</>}
      </p>
      {error && <p className="tt-form-error" role="alert">{error}</p>}
    </Dialog>
  )
}
