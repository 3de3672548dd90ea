// /tables: the caller's tables at city scale — filters kept in the URL, sortable columns, cursor paging
// with a stack of cursors for 上一页, counts as the server computes them, new table and delete; tables
// chosen by their checkboxes (kept across pages) exported together as a zip.
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { PublicUser } from '../../../shared/api/directory.ts'
import type { TableListAnswer, TableSummary } from '../../../shared/api/tables.ts'
import { can } from '../../../shared/permissions.ts'
import { AppHeader } from '../../components/AppHeader.tsx'
import { ApiError, goLogin } from '../../lib/api.ts'
import { isAbort, listTables } from '../../lib/tables-api.ts'
import { useAssignedDepartments, useDepartments } from '../../lib/use-departments.ts'
import { actorOf, departmentTree, mayCreate as mayCreateIn, scopeOf, seesAll } from './departments.ts'
import { AuditDialog } from './AuditDialog.tsx'
import { DeleteTableDialog } from './DeleteTableDialog.tsx'
import { ExportSelectedDialog } from './ExportSelectedDialog.tsx'
import { FilterBar } from './FilterBar.tsx'
import { narrows, readFilters, writeFilters, type ListFilters } from './list-query.ts'
import { TablesTable } from './TablesTable.tsx'

// the dialog brings the template descriptions with it; most visits never open it
const CreateTableDialog = lazy(() => import('./CreateTableDialog.tsx'))
const ImportTablesDialog = lazy(() => import('./ImportTablesDialog.tsx'))
const ImportDepartmentsDialog = lazy(() => import('./ImportDepartmentsDialog.tsx'))
const RolloverDialog = lazy(() => import('./RolloverDialog.tsx'))

type Load =
  | { state: 'loading'; answer?: TableListAnswer }
  | { state: 'ready'; answer: TableListAnswer }
  | { state: 'failed'; message: string; answer?: TableListAnswer }

const count = (n: number) => n.toLocaleString('zh-CN')

export function TablesPage({ user }: { user: PublicUser }) {
  const [filters, setFilters] = useState<ListFilters>(() => readFilters(location.search))
  // cursors[i] opens page i; the last one is the page on screen (undefined: the first page)
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined])
  const [load, setLoad] = useState<Load>({ state: 'loading' })
  const [retry, setRetry] = useState(0)
  const [departmentsRead, setDepartmentsRead] = useState(0)
  const departments = useDepartments(departmentsRead)
  // 导入 Excel: the files dropped on the page or chosen in the dialog; 导入部门名单 (finance)
  const [importing, setImporting] = useState<File[] | null>(null)
  const [importingDepartments, setImportingDepartments] = useState(false)
  const [dragging, setDragging] = useState(false)
  const [creating, setCreating] = useState(false)
  const [rolling, setRolling] = useState(false)
  const [deleting, setDeleting] = useState<TableSummary | null>(null)
  // the chosen tables by id, across pages and filters (the dialog names them)
  const [selected, setSelected] = useState<ReadonlyMap<string, TableSummary>>(new Map())
  const [exporting, setExporting] = useState<'open' | 'done' | null>(null)
  const select = useCallback((tables: readonly TableSummary[], on: boolean) => {
    setSelected((old) => {
      const next = new Map(old)
      for (const t of tables) {
        if (on) next.set(t.id, t)
        else next.delete(t.id)
      }
      return next
    })
  }, [])
  const selectedIds = useMemo(() => new Set(selected.keys()), [selected])

  useEffect(() => {
    const ctl = new AbortController()
    setLoad((l) => ({ state: 'loading', answer: l.answer }))
    listTables({ ...filters, cursor: cursors[cursors.length - 1] }, ctl.signal).then(
      (answer) => setLoad({ state: 'ready', answer }),
      (e) => {
        if (isAbort(e)) return
        if (e instanceof ApiError && e.status === 401) return goLogin()
        setLoad((l) => ({ state: 'failed', message: e instanceof Error ? e.message : String(e), answer: l.answer }))
      },
    )
    return () => ctl.abort()
  }, [filters, cursors, retry])

  // back/forward between filter states the page itself pushed
  useEffect(() => {
    const onPop = () => { setFilters(readFilters(location.search)); setCursors([undefined]) }
    addEventListener('popstate', onPop)
    return () => removeEventListener('popstate', onPop)
  }, [])

  // how the next filter change enters the history: a new entry (a choice) or in place (typing)
  const urlMode = useRef<'push' | 'replace' | null>(null)
  const update = useCallback((patch: Partial<ListFilters>, mode: 'push' | 'replace' = 'push') => {
    urlMode.current = mode
    setFilters((old) => {
      const next = { ...old, ...patch }
      for (const k of Object.keys(next) as (keyof ListFilters)[]) if (next[k] === undefined || next[k] === '') delete next[k]
      return next
    })
    setCursors([undefined])
  }, [])

  useEffect(() => {
    const mode = urlMode.current
    urlMode.current = null
    if (!mode) return // from the URL itself (first load, back/forward)
    const url = `${location.pathname}${writeFilters(filters)}`
    if (url !== location.pathname + location.search) history[mode === 'push' ? 'pushState' : 'replaceState'](null, '', url)
  }, [filters])

  // a consultant's filter offers the departments assigned to it (for the year shown) besides its own
  const assigned = useAssignedDepartments(user, filters.year)
  const scope = useMemo(() => (seesAll(user) ? undefined : scopeOf(user, departments, assigned)), [user, departments, assigned])
  const tree = useMemo(() => departmentTree(departments, scope), [departments, scope])
  const actor = useMemo(() => actorOf(user, departments), [user, departments])
  // 新建 / 导入 / 结转 for whoever may create somewhere — a consultant with no department of its own through
  // its assignments of any year; each dialog offers the departments of the year chosen in it
  const assignedAnyYear = useAssignedDepartments(user, undefined)
  const mayCreate = mayCreateIn(user, assignedAnyYear)
  // 年度结转's department choice is finance's alone (the others carry over their whole scope)
  const cityTree = useMemo(() => (user.role === 'finance' ? departmentTree(departments) : []), [user, departments])
  const mayDelete = useCallback((t: TableSummary) => can(actor, 'delete', t).allowed, [actor])
  // finance reads the audit trail of the department the list is filtered to
  const [auditing, setAuditing] = useState(false)
  const auditFor = user.role === 'finance' && filters.departmentId ? departments.find((d) => d.id === filters.departmentId) ?? null : null

  const answer = load.answer
  const page = cursors.length
  const limit = filters.limit ?? 50
  const first = (page - 1) * limit + 1
  const shown = answer?.tables.length ?? 0

  const removed = (id: string) => {
    setDeleting(null)
    setSelected((old) => { if (!old.has(id)) return old; const next = new Map(old); next.delete(id); return next })
    setLoad((l) => (l.answer
      ? { ...l, answer: { ...l.answer, tables: l.answer.tables.filter((t) => t.id !== id), total: Math.max(0, l.answer.total - 1) } } as Load
      : l))
  }

  // xlsx files dragged over the page open 导入 Excel with them (editors and finance)
  const dropProps = mayCreate && !importing && !creating ? {
    onDragOver: (e: React.DragEvent) => { if (e.dataTransfer.types.includes('Files')) { e.preventDefault(); e.dataTransfer.dropEffect = 'copy'; setDragging(true) } },
    onDragLeave: (e: React.DragEvent) => { if (!e.relatedTarget || !(e.currentTarget as Node).contains(e.relatedTarget as Node)) setDragging(false) },
    onDrop: (e: React.DragEvent) => { e.preventDefault(); setDragging(false); if (e.dataTransfer.files.length) setImporting([...e.dataTransfer.files]) },
  } : {}

  return (
    <div className="tt-shell" {...dropProps} data-testid="tables-page">
      {dragging && <div className="tt-drop-overlay" data-testid="drop-overlay"><span>松开鼠标，导入 Excel 中的绩效目标表</span></div>}
      <AppHeader user={user} />
      <main className="tt-tables">
        <div className="tt-titlebar">
          <div>
            <h1>绩效目标表</h1>
            <p className="tt-subtitle" data-testid="total">
              {answer ? `共 ${count(answer.total)} 张` : '\u00a0'}
            </p>
          </div>
          <div className="tt-titlebar-actions">
            {selected.size > 0 && (
              <span className="tt-selection" data-testid="selection">
                已选 {count(selected.size)} 张
                <button type="button" className="tt-link-button" onClick={() => setSelected(new Map())}>清除选择</button>
              </span>
            )}
            <button type="button" className="tt-button" data-testid="export-selected" disabled={selected.size === 0}
              title={selected.size ? '将所选表格导出为 Excel 或 PDF，打包为 zip' : '请先勾选要导出的表格'} onClick={() => setExporting('open')}>导出所选</button>
            {auditFor && (
              <button type="button" className="tt-button" onClick={() => setAuditing(true)} title={`${auditFor.name}（含下属单位）的表格操作和人员操作记录`}>审计记录</button>
            )}
            {user.role === 'finance' && (
              <button type="button" className="tt-button" data-testid="import-departments" onClick={() => setImportingDepartments(true)}
                title="从 Excel 导入部门、单位和镇街名单（已有的按代码更新）">导入部门名单</button>
            )}
            {mayCreate && (
              <button type="button" className="tt-button" data-testid="import-tables" onClick={() => setImporting([])}
                title="从 Excel 导入绩效目标表（也可以把 .xlsx 文件拖到本页），先预览再保存">导入 Excel</button>
            )}
            {mayCreate && (
              <button type="button" className="tt-button" data-testid="rollover" onClick={() => setRolling(true)}
                title="以上一年度已批复的表生成下一年度的表（先预览再确认）">年度结转</button>
            )}
            {mayCreate && (
              <button type="button" className="tt-button tt-button-primary" onClick={() => setCreating(true)}>＋ 新建绩效目标表</button>
            )}
          </div>
        </div>

        <FilterBar filters={filters} departments={tree} onChange={update} />

        {load.state === 'failed' && (
          <div className="tt-alert" role="alert">
            <span>列表加载失败：{load.message}</span>
            <button type="button" className="tt-button" onClick={() => setRetry((n) => n + 1)}>重试</button>
          </div>
        )}

        {!answer && load.state === 'loading' && <div className="tt-card tt-placeholder" aria-busy="true">正在加载…</div>}

        {answer && answer.tables.length === 0 && load.state !== 'loading' && (
          <div className="tt-card tt-empty" data-testid="empty">
            {narrows(filters) || page > 1
              ? <>
                  <p className="tt-empty-title">没有符合条件的绩效目标表</p>
                  <button type="button" className="tt-button" onClick={() => update({ year: undefined, departmentId: undefined, kind: undefined, status: undefined, q: undefined, hasErrors: undefined, hasOpenThreads: undefined })}>清除筛选</button>
                </>
              : <>
                  <p className="tt-empty-title">还没有绩效目标表</p>
                  {mayCreate && <p className="tt-muted">点击右上角「新建绩效目标表」，选择表样后即可在线填报。</p>}
                </>}
          </div>
        )}

        {answer && answer.tables.length > 0 && (
          <div className={`tt-card${load.state === 'loading' ? ' tt-stale' : ''}`} aria-busy={load.state === 'loading'}>
            <TablesTable
              tables={answer.tables}
              sort={filters.sort ?? 'updated'}
              order={filters.order}
              onSort={(sort, order) => update({ sort, order })}
              mayDelete={mayDelete}
              onDelete={setDeleting}
              selected={selectedIds}
              onSelect={select}
            />
            <div className="tt-pager">
              <span className="tt-muted" data-testid="range">
                {shown ? `第 ${count(first)}–${count(first + shown - 1)} 张，共 ${count(answer.total)} 张` : ''}
              </span>
              <button type="button" className="tt-button" disabled={page === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>上一页</button>
              <span className="tt-page-no" data-testid="page">第 {page} 页</span>
              <button type="button" className="tt-button" disabled={!answer.nextCursor}
                onClick={() => { const next = answer.nextCursor; if (next) setCursors((c) => [...c, next]) }}>下一页</button>
            </div>
          </div>
        )}
        {answer && answer.tables.length === 0 && page > 1 && (
          <div className="tt-pager"><button type="button" className="tt-button" onClick={() => setCursors((c) => c.slice(0, -1))}>上一页</button></div>
        )}
      </main>

      {creating && (
        <Suspense fallback={null}>
          <CreateTableDialog user={user} departments={departments} onClose={() => setCreating(false)} />
        </Suspense>
      )}
      {importing && (
        <Suspense fallback={null}>
          <ImportTablesDialog user={user} departments={departments} files={importing} onClose={() => setImporting(null)} onImported={() => setRetry((n) => n + 1)} />
        </Suspense>
      )}
      {importingDepartments && (
        <Suspense fallback={null}>
          <ImportDepartmentsDialog onClose={() => setImportingDepartments(false)} onImported={() => setDepartmentsRead((n) => n + 1)} />
        </Suspense>
      )}
      {rolling && (
        <Suspense fallback={null}>
          <RolloverDialog user={user} departments={cityTree} onClose={() => setRolling(false)} onDone={() => setRetry((n) => n + 1)} />
        </Suspense>
      )}
      {auditing && auditFor && <AuditDialog departmentId={auditFor.id} departmentName={auditFor.name} onClose={() => setAuditing(false)} />}
      {exporting && (
        <ExportSelectedDialog tables={[...selected.values()]} onDone={() => setExporting('done')}
          onClose={() => { if (exporting === 'done') setSelected(new Map()); setExporting(null) }} />
      )}
      {deleting && <DeleteTableDialog table={deleting} onClose={() => setDeleting(null)} onDeleted={removed} />}
    </div>
  )
}
