// /admin (管理, finance): the bureau's settings for a budget year: 第三方机构分工 — which consultant works on which
// departments and towns, with each one's 难度分类 — and the 截止日期 of each stage. Other roles see why they cannot use the page.
import { useState } from 'react'
import type { PublicUser } from '../../../shared/api/directory.ts'
import { AppHeader } from '../../components/AppHeader.tsx'
import { budgetYear } from '../tables/FilterBar.tsx'
import { AssignmentsSection } from './AssignmentsSection.tsx'
import { DeadlinesSection } from './DeadlinesSection.tsx'
import { GroupsSection } from '../groups/GroupsSection.tsx'

export function AdminPage({ user }: { user: PublicUser }) {
  const [yearText, setYearText] = useState(String(budgetYear()))
  const year = /^\d{4}$/.test(yearText.trim()) ? Number(yearText.trim()) : null
  return (
    <div className="tt-shell">
      <AppHeader user={user} />
      <main className="tt-tables tr-page" data-testid="admin-page">
        <div className="tt-titlebar">
          <div>
            <h1>管理</h1>
            <p className="tt-subtitle">按预算年度设置第三方机构分工和各工作阶段的截止日期：分工决定第三方机构可以查看、编辑、评审哪些部门的绩效目标表，保存后立即生效。</p>
          </div>
        </div>
        {user.role !== 'finance' ? (
          <div className="tt-card tt-empty" role="alert">只有财政局可以使用管理页面。</div>
        ) : (
          <>
            <div className="tt-toolbar tr-toolbar">
              <label>
                预算年度{' '}
                <input className="tr-year" value={yearText} onChange={(e) => setYearText(e.target.value)} aria-invalid={year === null} data-testid="admin-year" />
              </label>
              {year === null && <span className="tt-error-text">请输入四位年度，如 {budgetYear()}</span>}
            </div>
            {year !== null && <AssignmentsSection year={year} />}
            {year !== null && <DeadlinesSection year={year} />}
            {year !== null && <GroupsSection year={year} user={user} />}
          </>
        )}
      </main>
    </div>
  )
}
