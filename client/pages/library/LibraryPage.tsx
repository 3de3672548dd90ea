// /library (指标库): the bureau's indicators — browsed by 一级/二级 (with counts) and by the 功能分类 tree,
// filtered by 共性/个性, ★ 核心 and department, searched as one types (the server segments, matches pinyin
// initials and synonyms and says why each entry matched). Filters and the open entry live in the URL.
// An entry opens in a side panel with every field and its history; finance and consultants edit it there
// (a reason required) and add new entries; departments and viewers read.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { PublicUser } from '../../../shared/api/directory.ts'
import type { IndicatorEntry, IndicatorHit, IndicatorListAnswer } from '../../../shared/api/library.ts'
import { AppHeader } from '../../components/AppHeader.tsx'
import { ApiError, goLogin } from '../../lib/api.ts'
import { listIndicators } from '../../lib/library-api.ts'
import { isAbort } from '../../lib/tables-api.ts'
import { useDepartments } from '../../lib/use-departments.ts'
import { departmentTree } from '../tables/departments.ts'
import { CandidatesButton } from './CandidatesPanel.tsx'
import { TransferActions } from './TransferActions.tsx'
import { VersionsButton } from './VersionsDialog.tsx'
import { EntryPanel } from './EntryPanel.tsx'
import { NewEntryDialog } from './EntryForm.tsx'
import { ProposalActions } from './Proposals.tsx'
import { FilterBar } from './FilterBar.tsx'
import { filtersOf, narrows, readLocation, writeLocation, type LibraryFilters, type LibraryLocation } from './library-query.ts'
import { ResultList } from './ResultList.tsx'
import { Sidebar, useLevelCounts } from './Sidebar.tsx'

const PAGE_SIZE = 30

type Load =
  | { state: 'loading'; answer?: IndicatorListAnswer }
  | { state: 'ready'; answer: IndicatorListAnswer; more?: 'loading' | string }
  | { state: 'failed'; message: string; answer?: IndicatorListAnswer }

const message = (e: unknown) => (e instanceof Error ? e.message : String(e))

export function LibraryPage({ user }: { user: PublicUser }) {
  const [where, setWhere] = useState<LibraryLocation>(() => readLocation(location.search))
  const filters = useMemo(() => filtersOf(where), [where])
  const filterKey = writeLocation(filters)
  const [load, setLoad] = useState<Load>({ state: 'loading' })
  const [retry, setRetry] = useState(0)
  const [countsTick, setCountsTick] = useState(0)
  const [creating, setCreating] = useState(false)
  const departments = useDepartments()
  const tree = useMemo(() => departmentTree(departments), [departments])
  const departmentName = useCallback((id: string | null) => (id ? departments.find((d) => d.id === id)?.name ?? '（未知部门）' : null), [departments])
  const canEdit = user.role === 'finance' || user.role === 'consultant'

  // the first page whenever the filters change
  useEffect(() => {
    const ctl = new AbortController()
    setLoad((l) => ({ state: 'loading', answer: l.answer }))
    listIndicators({ ...filters, core: filters.core ? 'true' : undefined, limit: PAGE_SIZE }, ctl.signal).then(
      (answer) => setLoad({ state: 'ready', answer }),
      (e) => {
        if (isAbort(e)) return
        if (e instanceof ApiError && e.status === 401) return goLogin()
        setLoad((l) => ({ state: 'failed', message: message(e), answer: l.answer }))
      },
    )
    return () => ctl.abort()
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filterKey, retry])

  const counts = useLevelCounts(filters, countsTick)

  const loadMore = async () => {
    if (load.state !== 'ready' || !load.answer.nextCursor || load.more === 'loading') return
    const before = load.answer
    setLoad({ state: 'ready', answer: before, more: 'loading' })
    try {
      const next = await listIndicators({ ...filters, core: filters.core ? 'true' : undefined, limit: PAGE_SIZE, cursor: before.nextCursor! })
      setLoad({ state: 'ready', answer: { ...next, indicators: [...before.indicators, ...next.indicators] } })
    } catch (e) {
      setLoad({ state: 'ready', answer: before, more: message(e) })
    }
  }

  // back/forward between states the page itself pushed
  useEffect(() => {
    const onPop = () => setWhere(readLocation(location.search))
    addEventListener('popstate', onPop)
    return () => removeEventListener('popstate', onPop)
  }, [])

  const urlMode = useRef<'push' | 'replace' | null>(null)
  const update = useCallback((patch: Partial<LibraryLocation>, mode: 'push' | 'replace' = 'push') => {
    urlMode.current = mode
    setWhere((old) => {
      const next: LibraryLocation = { ...old, ...patch }
      for (const k of Object.keys(next) as (keyof LibraryLocation)[]) if (next[k] === undefined || next[k] === '' || next[k] === false) delete next[k]
      return next
    })
  }, [])
  const setFilters = useCallback((patch: Partial<LibraryFilters>, mode: 'push' | 'replace' = 'push') => update(patch, mode), [update])

  useEffect(() => {
    const mode = urlMode.current
    urlMode.current = null
    if (!mode) return
    const url = `${location.pathname}${writeLocation(where)}`
    if (url !== location.pathname + location.search) history[mode === 'push' ? 'pushState' : 'replaceState'](null, '', url)
  }, [where])

  // an entry changed in the panel: the list shows its new fields (its reasons stay), the counts follow
  const changed = useCallback((entry: IndicatorEntry) => {
    setLoad((l) => (l.answer
      ? { ...l, answer: { ...l.answer, indicators: l.answer.indicators.map((h) => (h.id === entry.id ? { ...h, ...entry } : h)) } } as Load
      : l))
    setCountsTick((n) => n + 1)
  }, [])

  const created = (entry: IndicatorEntry) => {
    setCreating(false)
    setRetry((n) => n + 1)
    setCountsTick((n) => n + 1)
    update({ id: entry.id })
  }

  const answer = load.answer
  const hits: IndicatorHit[] = answer?.indicators ?? []

  return (
    <div className="tt-shell" data-testid="library-page">
      <AppHeader user={user} />
      <main className={`tt-tables tl-page${where.id ? ' tl-panel-open' : ''}`}>
        <div className="tt-titlebar">
          <div>
            <h1>指标库</h1>
            <p className="tt-subtitle">
              共性指标与各行业、各领域的个性指标，按一级/二级指标和支出功能分类浏览；支持拼音首字母（如 myd）和同义词搜索。
              {!canEdit && ' 指标由财政局和第三方机构维护。'}
            </p>
          </div>
          {(canEdit || user.role === 'department') && (
            <div className="tt-titlebar-actions">
              <ProposalActions user={user} departments={tree} departmentName={departmentName} onAccepted={() => { setRetry((n) => n + 1); setCountsTick((n) => n + 1) }} />
              {canEdit && <CandidatesButton canPromote={user.role === 'finance'} onPromoted={() => { setRetry((n) => n + 1); setCountsTick((n) => n + 1) }} />}
              {canEdit && <TransferActions canImport={user.role === 'finance'} onImported={() => { setRetry((n) => n + 1); setCountsTick((n) => n + 1) }} />}
              <VersionsButton canPublish={user.role === 'finance'} canExport={canEdit} />
              {canEdit && <button type="button" className="tt-button tt-button-primary" data-testid="new-indicator" onClick={() => setCreating(true)}>＋ 新增指标</button>}
            </div>
          )}
        </div>

        <FilterBar filters={filters} departments={tree} onChange={setFilters} />

        <div className="tl-body">
          <Sidebar filters={filters} counts={counts} onChange={setFilters} />
          <section className="tl-results" aria-label="指标列表">
            {load.state === 'failed' && (
              <div className="tt-alert" role="alert">
                <span>指标库加载失败：{load.message}</span>
                <button type="button" className="tt-button" onClick={() => setRetry((n) => n + 1)}>重试</button>
              </div>
            )}
            {!answer && load.state === 'loading' && <div className="tt-card tt-placeholder" aria-busy="true">正在加载…</div>}
            {answer && answer.total === 0 && (
              <div className="tt-card tt-empty" data-testid="no-indicators">
                <p className="tt-empty-title">{narrows(filters) ? '没有符合条件的指标' : '指标库还是空的'}</p>
                <p className="tt-muted">
                  {narrows(filters)
                    ? filters.q ? `没有找到与“${filters.q}”相关的指标，可换个说法、用拼音首字母，或清除筛选。` : '换个分类或清除筛选再试。'
                    : canEdit ? '点击「新增指标」添加第一条指标。' : '财政局或第三方机构添加指标后会列在这里。'}
                </p>
                {narrows(filters) && (
                  <button type="button" className="tt-button" onClick={() => update({ q: undefined, level1: undefined, level2: undefined, functionalClass: undefined, scope: undefined, departmentId: undefined, core: undefined })}>清除筛选</button>
                )}
              </div>
            )}
            {answer && answer.total > 0 && (
              <ResultList
                hits={hits}
                total={answer.total}
                stale={load.state === 'loading'}
                selectedId={where.id}
                hasMore={!!answer.nextCursor}
                more={load.state === 'ready' ? load.more : undefined}
                departmentName={departmentName}
                onOpen={(id) => update({ id })}
                onMore={() => void loadMore()}
              />
            )}
          </section>
        </div>
      </main>

      {where.id && (
        <EntryPanel
          key={where.id}
          id={where.id}
          canEdit={canEdit}
          proposer={user.role === 'department' ? user : null}
          onDeleted={user.role === 'finance' ? () => { update({ id: undefined }); setRetry((n) => n + 1); setCountsTick((n) => n + 1) } : undefined}
          departments={tree}
          departmentName={departmentName}
          onClose={() => update({ id: undefined })}
          onChanged={changed}
        />
      )}
      {creating && <NewEntryDialog departments={tree} onClose={() => setCreating(false)} onCreated={created} />}
    </div>
  )
}
