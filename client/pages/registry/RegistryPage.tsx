// /registry (项目统计表): a year's registered projects — department, unit, project, amount, 功能分类, 类别,
// 涉密 and the table created for it (or 未建表) — with, by role, the import of an xlsx (finance and
// consultants: the report with counts, problems by cell and the departments still to map), the mapping of
// an unknown department to one of the list (finance), and 「为未建表项目创建绩效目标表」 (editors).
import { useCallback, useEffect, useMemo, useState } from 'react'
import type { PublicUser } from '../../../shared/api/directory.ts'
import type { RegistryImportAnswer, RegistryListAnswer, RegistryTablesAnswer } from '../../../shared/api/registry.ts'
import { AppHeader } from '../../components/AppHeader.tsx'
import { ApiError, goLogin } from '../../lib/api.ts'
import { createRegistryTables, listRegistry } from '../../lib/registry-api.ts'
import { isAbort } from '../../lib/tables-api.ts'
import { useDepartments } from '../../lib/use-departments.ts'
import { departmentTree } from '../tables/departments.ts'
import { budgetYear } from '../tables/FilterBar.tsx'
import { ImportPanel, ImportReport } from './ImportPanel.tsx'
import { ProjectsTable } from './ProjectsTable.tsx'
import { UnknownDepartments } from './UnknownDepartments.tsx'

const count = (n: number) => n.toLocaleString('zh-CN')

export function RegistryPage({ user }: { user: PublicUser }) {
  const [yearText, setYearText] = useState(String(budgetYear()))
  const year = /^\d{4}$/.test(yearText.trim()) ? Number(yearText.trim()) : null
  const [list, setList] = useState<RegistryListAnswer | null>(null)
  const [loadError, setLoadError] = useState<string | null>(null)
  const [tick, setTick] = useState(0)
  const reload = useCallback(() => setTick((n) => n + 1), [])
  const [report, setReport] = useState<RegistryImportAnswer | null>(null)
  const [created, setCreated] = useState<RegistryTablesAnswer | null>(null)
  const [creating, setCreating] = useState(false)
  const [createError, setCreateError] = useState<string | null>(null)
  const departments = useDepartments()
  const tree = useMemo(() => departmentTree(departments), [departments])

  const canImport = user.role === 'finance' || user.role === 'consultant'
  const canMap = user.role === 'finance'
  const canCreate = user.role !== 'viewer'

  useEffect(() => {
    if (year === null) return
    const ctl = new AbortController()
    listRegistry(year, ctl.signal).then(
      (l) => { setList(l); setLoadError(null) },
      (e) => {
        if (isAbort(e)) return
        if (e instanceof ApiError && e.status === 401) return goLogin()
        setLoadError(e instanceof Error ? e.message : String(e))
      },
    )
    return () => ctl.abort()
  }, [year, tick])

  const changeYear = (v: string) => {
    setYearText(v)
    setReport(null)
    setCreated(null)
    setCreateError(null)
  }

  const waiting = list ? list.projects.filter((p) => !p.tableId && p.departmentId).length : 0
  const create = async () => {
    if (year === null) return
    setCreating(true)
    setCreateError(null)
    setCreated(null)
    try {
      setCreated(await createRegistryTables({ year }))
      reload()
    } catch (e) {
      setCreateError(e instanceof Error ? e.message : String(e))
    } finally {
      setCreating(false)
    }
  }

  return (
    <div className="tt-shell">
      <AppHeader user={user} />
      <main className="tt-tables tr-page">
        <div className="tt-titlebar">
          <div>
            <h1>项目统计表</h1>
            <p className="tt-subtitle">各部门申报的项目清单：据此为每个项目建立绩效目标表。可导入 Excel（附件2 格式），重复导入按“预算单位＋项目名称”更新，不会重复登记。</p>
          </div>
        </div>

        <div className="tt-filters tr-toolbar">
          <label className="tt-field">
            <span>年度</span>
            <input name="year" className="tr-year" inputMode="numeric" value={yearText} onChange={(e) => changeYear(e.target.value)} aria-invalid={year === null || undefined} />
          </label>
          {year === null && <span className="tt-form-error" role="alert">年度应为四位数字，例如 2025</span>}
          {list && year !== null && (
            <span className="tt-muted" data-testid="registry-total">
              共 {count(list.total)} 个项目，已建表 {count(list.projects.filter((p) => p.tableId).length)} 个
            </span>
          )}
          <span className="tr-spacer" />
          {canImport && year !== null && <ImportPanel year={year} onImported={(a) => { setReport(a); setCreated(null); reload() }} />}
          {canCreate && year !== null && (
            <button type="button" className="tt-button tt-button-primary" data-testid="create-tables" disabled={creating || !list || waiting === 0}
              title={waiting === 0 ? '没有可建表的项目（均已建表或待对应部门）' : undefined} onClick={() => void create()}>
              {creating ? '正在创建…' : '为未建表项目创建绩效目标表'}
            </button>
          )}
        </div>

        {report && <ImportReport report={report} onClose={() => setReport(null)} />}
        {createError && <div className="tt-alert" role="alert"><span>创建失败：{createError}</span></div>}
        {created && <CreatedResult result={created} onClose={() => setCreated(null)} />}
        {canMap && list && list.unknownDepartments.length > 0 && (
          <UnknownDepartments unknown={list.unknownDepartments} departments={tree} onMapped={reload} />
        )}

        {loadError && (
          <div className="tt-alert" role="alert">
            <span>项目统计表加载失败：{loadError}</span>
            <button type="button" className="tt-button" onClick={reload}>重试</button>
          </div>
        )}
        {!list && !loadError && year !== null && <div className="tt-card tt-placeholder" aria-busy="true">正在加载…</div>}
        {list && list.total === 0 && (
          <div className="tt-card tt-empty" data-testid="no-projects">
            <p className="tt-empty-title">{list.year} 年度还没有登记项目</p>
            <p className="tt-muted">{canImport ? '点击「导入项目统计表」选择各部门填报的 Excel 文件。' : '财政局或第三方机构导入项目统计表后，这里会列出您部门的项目。'}</p>
          </div>
        )}
        {list && list.total > 0 && <ProjectsTable projects={list.projects} />}
      </main>
    </div>
  )
}

function CreatedResult({ result, onClose }: { result: RegistryTablesAnswer; onClose(): void }) {
  const existing = result.skipped.filter((s) => s.code === 'has_table').length
  const others = result.skipped.filter((s) => s.code !== 'has_table')
  return (
    <section className="tt-card tr-panel" role="status" data-testid="create-result">
      <div className="tr-panel-head">
        <h2>创建结果</h2>
        <button type="button" className="tt-icon-button" aria-label="关闭" onClick={onClose}>×</button>
      </div>
      <p className="tr-counts">
        <span className="tr-count-good">已创建 {count(result.created.length)} 张绩效目标表</span>
        {existing > 0 && <span>已有表 {count(existing)} 个</span>}
        {others.length > 0 && <span className="tt-warning-text">未创建 {count(others.length)} 个</span>}
      </p>
      {others.length > 0 && (
        <ul className="tr-lines">
          {others.map((s) => <li key={s.projectId}><strong>{s.projectName || s.projectId}</strong>：{s.reason}</li>)}
        </ul>
      )}
    </section>
  )
}
