// /compilations (汇编成册): finance starts a compiled book — year, departments, kinds, format, edition,
// title — and follows the books below: progress while queued or running (the list is polled every
// second only while a job is active), failures by table, download, cancel and delete. Others are told
// the page is finance's.
import { useCallback, useEffect, useMemo, useState } from 'react'
import type { CompilationStatus } from '../../../shared/api/export.ts'
import type { PublicUser } from '../../../shared/api/directory.ts'
import { AppHeader } from '../../components/AppHeader.tsx'
import { ApiError, goLogin } from '../../lib/api.ts'
import { listCompilations } from '../../lib/export-api.ts'
import { isAbort } from '../../lib/tables-api.ts'
import { useDepartments } from '../../lib/use-departments.ts'
import { departmentTree } from '../tables/departments.ts'
import { CompilationForm } from './CompilationForm.tsx'
import { CompilationList, isActive } from './CompilationList.tsx'

/** how often the list is asked again while a book is being built */
const POLL_MS = 1000

export function CompilationsPage({ user }: { user: PublicUser }) {
  return (
    <div className="tt-shell">
      <AppHeader user={user} />
      <main className="tt-tables tc-page">
        <div className="tt-titlebar">
          <div>
            <h1>汇编成册</h1>
            <p className="tt-subtitle">将一个年度的绩效目标表按部门顺序汇编为一册 Excel 或 PDF，供印发和存档。</p>
          </div>
        </div>
        {user.role === 'finance'
          ? <Compilations />
          : (
            <div className="tt-card tt-empty" role="alert" data-testid="forbidden">
              <p className="tt-empty-title">无权限</p>
              <p className="tt-muted">汇编成册仅限财政局使用。如需某张表的 Excel 或 PDF，请在表格页面点击「导出」。</p>
              <p><a href="/tables">返回绩效目标表</a></p>
            </div>
          )}
      </main>
    </div>
  )
}

function Compilations() {
  const departments = useDepartments()
  const [books, setBooks] = useState<CompilationStatus[] | null>(null)
  const [loadError, setLoadError] = useState<string | null>(null)
  const [tick, setTick] = useState(0)
  const reload = useCallback(() => setTick((n) => n + 1), [])

  // one request per tick; the next tick is set only while some job is queued or running
  useEffect(() => {
    const ctl = new AbortController()
    let timer: ReturnType<typeof setTimeout> | undefined
    listCompilations(ctl.signal).then(
      (list) => {
        setBooks(list)
        setLoadError(null)
        if (list.some(isActive)) timer = setTimeout(reload, POLL_MS)
      },
      (e) => {
        if (isAbort(e)) return
        if (e instanceof ApiError && e.status === 401) return goLogin()
        setLoadError(e instanceof Error ? e.message : String(e))
        // a hiccup while a book builds: keep following it, more slowly
        setBooks((old) => { if (old?.some(isActive)) timer = setTimeout(reload, POLL_MS * 3); return old })
      },
    )
    return () => { ctl.abort(); if (timer) clearTimeout(timer) }
  }, [tick, reload])

  const tree = useMemo(() => departmentTree(departments), [departments])
  const names = useMemo(() => new Map(departments.map((d) => [d.id, d.name])), [departments])

  return (
    <>
      <CompilationForm departments={tree} onStarted={reload} />
      <section className="tc-books" aria-labelledby="tc-books-title">
        <h2 id="tc-books-title">汇编记录</h2>
        {loadError && (
          <div className="tt-alert" role="alert">
            <span>汇编列表加载失败：{loadError}</span>
            <button type="button" className="tt-button" onClick={reload}>重试</button>
          </div>
        )}
        {!books && !loadError && <div className="tt-card tt-placeholder" aria-busy="true">正在加载…</div>}
        {books && books.length === 0 && (
          <div className="tt-card tt-empty" data-testid="no-books">
            <p className="tt-empty-title">还没有汇编</p>
            <p className="tt-muted">在上方选择年度和范围，点击「开始汇编」。</p>
          </div>
        )}
        {books && books.length > 0 && <CompilationList books={books} departmentNames={names} onChanged={reload} />}
      </section>
    </>
  )
}
