// /departments/<id>?year= (a department's page): its name and kind, a budget year, and its 资料清单 for that
// year. The year lives in the URL so a link from a table row opens the table's year.
import { useEffect, useState } from 'react'
import { DEPARTMENT_KIND_LABELS, type PublicUser } from '../../../shared/api/directory.ts'
import { AppHeader } from '../../components/AppHeader.tsx'
import { useDepartments } from '../../lib/use-departments.ts'
import { budgetYear } from '../tables/FilterBar.tsx'
import { MaterialsSection } from './MaterialsSection.tsx'

const yearFromUrl = () => new URLSearchParams(location.search).get('year') ?? String(budgetYear())

export function DepartmentPage({ user, departmentId }: { user: PublicUser; departmentId: string }) {
  const [yearText, setYearText] = useState(yearFromUrl)
  const year = /^\d{4}$/.test(yearText.trim()) ? Number(yearText.trim()) : null
  const departments = useDepartments()
  const department = departments.find((d) => d.id === departmentId)
  const parent = department?.parentId ? departments.find((d) => d.id === department.parentId) : undefined

  useEffect(() => {
    if (year === null) return
    const url = new URL(location.href)
    url.searchParams.set('year', String(year))
    history.replaceState(null, '', url)
  }, [year])

  return (
    <div className="tt-shell">
      <AppHeader user={user} />
      <main className="tt-tables tr-page" data-testid="department-page">
        <div className="tt-titlebar">
          <div>
            <h1 data-testid="department-name">{department?.name ?? (departments.length ? '部门' : '正在加载…')}</h1>
            <p className="tt-subtitle">
              {department ? `${DEPARTMENT_KIND_LABELS[department.kind]} · 代码 ${department.code}` : ''}
              {parent ? ` · 上级：${parent.name}` : ''}
            </p>
          </div>
          <a className="tt-button td-tables-link" href={`/tables?departmentId=${encodeURIComponent(departmentId)}${year ? `&year=${year}` : ''}`}>查看该部门的绩效目标表</a>
        </div>
        <div className="tt-toolbar tr-toolbar">
          <label>
            预算年度{' '}
            <input className="tr-year" value={yearText} onChange={(e) => setYearText(e.target.value)} aria-invalid={year === null} data-testid="department-year" />
          </label>
          {year === null && <span className="tt-error-text">请输入四位年度，如 {budgetYear()}</span>}
        </div>
        {year !== null && <MaterialsSection departmentId={departmentId} year={year} />}
      </main>
    </div>
  )
}
