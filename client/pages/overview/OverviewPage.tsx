// /overview (总览, finance): a budget year at a glance — every department with its units (collapsed under it)
// and then the towns, each with 难度, 第三方机构, 工作阶段, tables by status, errors, open opinions, the deadline
// it is measured against and its last activity. Overdue rows are red; headings sort; filters narrow by stage,
// consultant, overdue and name/code; a name opens that department's tables; 导出 Excel downloads the year.
import { useEffect, useMemo, useState } from 'react'
import { DIFFICULTIES, DIFFICULTY_LABELS } from '../../../shared/api/assignments.ts'
import { STATUS_LABELS } from '../../../shared/api/constants.ts'
import type { PublicUser } from '../../../shared/api/directory.ts'
import type { OverviewAnswer, OverviewRow } from '../../../shared/api/workflow.ts'
import { TABLE_STATUSES, type TableStatus } from '../../../shared/permissions.ts'
import { STAGE_LABELS, STAGES, stageOrder, type Stage } from '../../../shared/workflow/stage.ts'
import { AppHeader } from '../../components/AppHeader.tsx'
import { ApiError, goLogin } from '../../lib/api.ts'
import { isAbort } from '../../lib/tables-api.ts'
import { downloadOverview, getOverview } from '../../lib/workflow-api.ts'
import { Activity, compareBy, Count, DeadlineCell, ExportButton, message, SortHeader, StageBadge, rememberYear, YearSelect, initialYear, type SortState } from './parts.tsx'

type Key = 'name' | 'difficulty' | 'consultant' | 'stage' | TableStatus | 'errors' | 'openThreads' | 'deadline' | 'activity'

const NO_CONSULTANT = '-'

const VALUE: Readonly<Record<Key, (r: OverviewRow) => string | number | null>> = {
  name: (r) => r.code,
  difficulty: (r) => (r.difficulty ? DIFFICULTIES.indexOf(r.difficulty) : null),
  consultant: (r) => r.consultant?.name ?? null,
  stage: (r) => stageOrder(r.stage.stage),
  draft: (r) => r.tables.draft,
  submitted: (r) => r.tables.submitted,
  returned: (r) => r.tables.returned,
  approved: (r) => r.tables.approved,
  errors: (r) => r.errorCount,
  openThreads: (r) => r.openThreads,
  deadline: (r) => r.deadline?.dueDate ?? null,
  activity: (r) => r.lastActivityAt,
}

interface Filters { stage: Stage | ''; consultantId: string; overdueOnly: boolean; q: string }
const NO_FILTERS: Filters = { stage: '', consultantId: '', overdueOnly: false, q: '' }

type Load = { state: 'loading'; answer?: OverviewAnswer } | { state: 'ready'; answer: OverviewAnswer } | { state: 'failed'; message: string; answer?: OverviewAnswer }

/** a top-level row (department or town) with the units shown under it */
interface Group { row: OverviewRow; units: OverviewRow[]; unitCount: number; forcedOpen: boolean }

export function OverviewPage({ user }: { user: PublicUser }) {
  const [year, setYear] = useState(initialYear)
  const [load, setLoad] = useState<Load>({ state: 'loading' })
  const [retry, setRetry] = useState(0)
  const [sort, setSort] = useState<SortState<Key>>({ key: 'name', order: 'asc' })
  const [filters, setFilters] = useState<Filters>(NO_FILTERS)
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set())
  const finance = user.role === 'finance'

  useEffect(() => rememberYear(year), [year])
  useEffect(() => {
    if (!finance) return
    const ctl = new AbortController()
    setLoad((l) => ({ state: 'loading', answer: l.answer }))
    getOverview(year, ctl.signal).then(
      (answer) => setLoad({ state: 'ready', answer }),
      (e) => {
        if (isAbort(e)) return
        if (e instanceof ApiError && e.status === 401) return goLogin()
        setLoad((l) => ({ state: 'failed', message: message(e), answer: l.answer }))
      },
    )
    return () => ctl.abort()
  }, [year, retry, finance])

  const answer = load.answer
  const consultants = useMemo(() => {
    const m = new Map<string, string>()
    for (const r of answer?.rows ?? []) if (r.consultant) m.set(r.consultant.id, r.consultant.name)
    return [...m].sort((a, b) => a[1].localeCompare(b[1], 'zh-CN'))
  }, [answer])

  const sections = useMemo(() => {
    const rows = answer?.rows ?? []
    const units = new Map<string, OverviewRow[]>()
    for (const r of rows) if (r.parentId) units.set(r.parentId, [...(units.get(r.parentId) ?? []), r])
    const ids = new Set(rows.map((r) => r.departmentId))
    // a unit whose department is not in the answer stands on its own
    const tops = rows.filter((r) => !r.parentId || !ids.has(r.parentId))
    const q = filters.q.trim().toLowerCase()
    const hits = (r: OverviewRow) => !q || r.name.toLowerCase().includes(q) || r.code.toLowerCase().includes(q)
    const cmp = compareBy(VALUE[sort.key], sort.order)
    const groups: Group[] = []
    for (const top of tops) {
      const mine = top.parentId && ids.has(top.parentId) ? [] : units.get(top.departmentId) ?? []
      if (filters.stage && top.stage.stage !== filters.stage) continue
      if (filters.consultantId && (top.consultant?.id ?? NO_CONSULTANT) !== filters.consultantId) continue
      if (filters.overdueOnly && !top.deadline?.overdue && !mine.some((u) => u.deadline?.overdue)) continue
      const unitHits = mine.filter(hits)
      if (!hits(top) && unitHits.length === 0) continue
      // the name search found units: show those under their department, opened
      const shownUnits = q && !hits(top) ? unitHits : mine
      groups.push({ row: top, units: [...shownUnits].sort(cmp), unitCount: mine.length, forcedOpen: !!q && !hits(top) })
    }
    groups.sort((a, b) => cmp(a.row, b.row))
    return [
      { label: '部门', groups: groups.filter((g) => g.row.kind !== 'town') },
      { label: '镇街', groups: groups.filter((g) => g.row.kind === 'town') },
    ]
  }, [answer, filters, sort])

  const shown = sections.reduce((n, s) => n + s.groups.length, 0)
  const narrowed = filters.stage !== '' || filters.consultantId !== '' || filters.overdueOnly || filters.q.trim() !== ''
  const toggle = (id: string) => setOpen((old) => { const next = new Set(old); if (next.has(id)) next.delete(id); else next.add(id); return next })
  const head = { sort, onSort: setSort }

  return (
    <div className="tt-shell">
      <AppHeader user={user} />
      <main className="tt-tables tw-page" data-testid="overview-page">
        <div className="tt-titlebar">
          <div>
            <h1>总览</h1>
            <p className="tt-subtitle">各部门、下属单位和镇街的工作阶段、表格进度、问题和截止日期{answer ? `；逾期按 ${answer.today} 判断` : ''}。</p>
          </div>
          {finance && (
            <div className="tt-titlebar-actions">
              <YearSelect year={year} onChange={(y) => { setYear(y); setOpen(new Set()) }} testId="overview-year" />
              <ExportButton run={() => downloadOverview(year)} testId="overview-export" />
            </div>
          )}
        </div>

        {!finance ? (
          <div className="tt-card tt-empty" role="alert">只有财政局可以查看总览。</div>
        ) : (
          <>
            {answer && <Totals answer={answer} />}

            <div className="tt-filters" role="search">
              <input type="search" className="tt-search" placeholder="搜索部门名称或代码" aria-label="搜索部门名称或代码" maxLength={100}
                value={filters.q} onChange={(e) => setFilters((f) => ({ ...f, q: e.target.value }))} data-testid="overview-search" />
              <label className="tt-field">
                <span>工作阶段</span>
                <select value={filters.stage} onChange={(e) => setFilters((f) => ({ ...f, stage: e.target.value as Stage | '' }))} data-testid="overview-stage">
                  <option value="">全部</option>
                  {STAGES.map((s) => <option key={s} value={s}>{STAGE_LABELS[s]}</option>)}
                </select>
              </label>
              <label className="tt-field">
                <span>第三方机构</span>
                <select value={filters.consultantId} onChange={(e) => setFilters((f) => ({ ...f, consultantId: e.target.value }))} data-testid="overview-consultant">
                  <option value="">全部</option>
                  {consultants.map(([id, name]) => <option key={id} value={id}>{name}</option>)}
                  <option value={NO_CONSULTANT}>未分配</option>
                </select>
              </label>
              <label className="tt-check">
                <input type="checkbox" checked={filters.overdueOnly} onChange={(e) => setFilters((f) => ({ ...f, overdueOnly: e.target.checked }))} data-testid="overview-overdue" />
                只看逾期
              </label>
              {narrowed && <button type="button" className="tt-link-button tt-clear" onClick={() => setFilters(NO_FILTERS)}>清除筛选</button>}
            </div>

            {load.state === 'failed' && (
              <div className="tt-alert" role="alert">
                <span>总览加载失败：{load.message}</span>
                <button type="button" className="tt-button" onClick={() => setRetry((n) => n + 1)}>重试</button>
              </div>
            )}
            {!answer && load.state === 'loading' && <div className="tt-card tt-placeholder" aria-busy="true">正在加载…</div>}
            {answer && (
              <div className={`tt-card${load.state === 'loading' ? ' tt-stale' : ''}`}>
                {shown === 0 ? (
                  <div className="tt-empty" data-testid="overview-empty">
                    <p className="tt-empty-title">{answer.rows.length ? '没有符合条件的部门' : `${year} 年还没有部门`}</p>
                    {narrowed && <button type="button" className="tt-button" onClick={() => setFilters(NO_FILTERS)}>清除筛选</button>}
                  </div>
                ) : (
                  <div className="tw-scroll"><table className="tt-grid-list tw-grid" data-testid="overview">
                    <colgroup>
                      <col /><col style={{ width: 84 }} /><col style={{ width: 168 }} /><col style={{ width: 108 }} />
                      <col style={{ width: 62 }} /><col style={{ width: 72 }} /><col style={{ width: 84 }} /><col style={{ width: 72 }} />
                      <col style={{ width: 62 }} /><col style={{ width: 94 }} /><col style={{ width: 150 }} /><col style={{ width: 132 }} />
                    </colgroup>
                    <thead>
                      <tr>
                        <SortHeader label="部门" column="name" {...head} title="按代码排序" />
                        <SortHeader label="难度" column="difficulty" {...head} />
                        <SortHeader label="第三方机构" column="consultant" {...head} />
                        <SortHeader label="工作阶段" column="stage" {...head} />
                        {TABLE_STATUSES.map((s) => <SortHeader key={s} label={STATUS_LABELS[s]} column={s} numeric defaultOrder="desc" {...head} title={`${STATUS_LABELS[s]}的表格数`} />)}
                        <SortHeader label="错误" column="errors" numeric defaultOrder="desc" {...head} />
                        <SortHeader label="待处理意见" column="openThreads" numeric defaultOrder="desc" {...head} />
                        <SortHeader label="截止日期" column="deadline" {...head} />
                        <SortHeader label="最近活动" column="activity" defaultOrder="desc" {...head} />
                      </tr>
                    </thead>
                    {sections.filter((s) => s.groups.length > 0).map((s) => (
                      <tbody key={s.label}>
                        <tr className="tw-section"><th colSpan={12} scope="rowgroup">{s.label}<span className="tw-section-count">{s.groups.length}</span></th></tr>
                        {s.groups.map((g) => {
                          const expanded = g.forcedOpen || open.has(g.row.departmentId)
                          return [
                            <Row key={g.row.departmentId} row={g.row} year={year} unitCount={g.unitCount} expanded={expanded} onToggle={g.forcedOpen ? undefined : () => toggle(g.row.departmentId)} />,
                            ...(expanded ? g.units.map((u) => <Row key={u.departmentId} row={u} year={year} unit />) : []),
                          ]
                        })}
                      </tbody>
                    ))}
                  </table></div>
                )}
              </div>
            )}
          </>
        )}
      </main>
    </div>
  )
}

function Totals({ answer }: { answer: OverviewAnswer }) {
  const t = answer.totals
  return (
    <div className="tw-totals" data-testid="overview-totals">
      <div className="tw-total"><span className="tw-total-label">部门和镇街</span><strong>{t.departments}</strong></div>
      <div className="tw-total">
        <span className="tw-total-label">绩效目标表</span><strong>{t.tables.total}</strong>
        <span className="tw-total-detail">{TABLE_STATUSES.map((s) => `${STATUS_LABELS[s]} ${t.tables[s]}`).join(' · ')}</span>
      </div>
      <div className={`tw-total${t.overdue ? ' tw-total-bad' : ''}`}><span className="tw-total-label">逾期</span><strong data-testid="overdue-total">{t.overdue}</strong></div>
      <div className={`tw-total${t.errorCount ? ' tw-total-bad' : ''}`}><span className="tw-total-label">错误</span><strong>{t.errorCount}</strong></div>
      <div className="tw-total"><span className="tw-total-label">待处理意见</span><strong>{t.openThreads}</strong></div>
      <div className="tw-total tw-total-wide">
        <span className="tw-total-label">截止日期</span>
        <span className="tw-total-detail">
          {answer.deadlines.length === 0 ? '未设置（在「管理」页设置）' : [...answer.deadlines].sort((a, b) => stageOrder(a.stage) - stageOrder(b.stage)).map((d) => `${STAGE_LABELS[d.stage]} ${d.dueDate}`).join(' · ')}
        </span>
      </div>
    </div>
  )
}

function Row({ row, year, unit, unitCount = 0, expanded, onToggle }: {
  row: OverviewRow
  year: number
  unit?: boolean
  unitCount?: number
  expanded?: boolean
  /** absent: the units are shown because a search found them */
  onToggle?: () => void
}) {
  const overdue = row.deadline?.overdue === true
  return (
    <tr className={`${unit ? 'tw-unit' : 'tw-top'}${overdue ? ' tw-row-overdue' : ''}`} data-department={row.name} data-overdue={overdue || undefined}>
      <td><div className="tw-name-cell">
        {!unit && (unitCount > 0
          ? <button type="button" className="tw-toggle" aria-expanded={expanded} aria-label={`${expanded ? '收起' : '展开'}${row.name}的下属单位`} disabled={!onToggle} onClick={onToggle}>{expanded ? '▾' : '▸'}</button>
          : <span className="tw-toggle-space" />)}
        <span className="tw-name">
          <a href={`/tables?${new URLSearchParams({ departmentId: row.departmentId, year: String(year) })}`} title={`查看${row.name} ${year} 年的绩效目标表`}>{row.name}</a>
          <span className="tw-code">{row.code}{!unit && unitCount > 0 && ` · ${unitCount} 个下属单位`}</span>
        </span>
      </div></td>
      <td>{row.difficulty ? DIFFICULTY_LABELS[row.difficulty] : <span className="tt-zero">—</span>}</td>
      <td className="tw-ellipsis" title={row.consultant?.name}>{row.consultant ? row.consultant.name : <span className="tt-zero">未分配</span>}</td>
      <td><StageBadge stage={row.stage} /></td>
      {TABLE_STATUSES.map((s) => <td key={s} className="tt-num" data-status={s}><Count n={row.tables[s]} tone="plain" /></td>)}
      <td className="tt-num"><Count n={row.errorCount} tone="error" /></td>
      <td className="tt-num"><Count n={row.openThreads} tone="open" /></td>
      <td><DeadlineCell deadline={row.deadline} /></td>
      <td><Activity at={row.lastActivityAt} /></td>
    </tr>
  )
}
