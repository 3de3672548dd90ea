// 待对应部门: the departments and units a registry names that the department list does not have. Finance
// picks the department each one means (POST /api/registry/aliases); the projects waiting for it join that
// department, and later imports recognise the name. Nothing is created here.
import { useState } from 'react'
import type { UnknownDepartment } from '../../../shared/api/registry.ts'
import { mapDepartment } from '../../lib/registry-api.ts'
import type { DepartmentOption } from '../tables/departments.ts'

const ROLE = { competentDept: '主管部门', unit: '预算单位' } as const

export function UnknownDepartments({ unknown, departments, onMapped }: { unknown: readonly UnknownDepartment[]; departments: readonly DepartmentOption[]; onMapped(): void }) {
  return (
    <section className="tt-card tr-panel tr-unknown" aria-labelledby="tr-unknown-title" data-testid="unknown-departments">
      <div className="tr-panel-head">
        <h2 id="tr-unknown-title">待对应部门（{unknown.length}）</h2>
      </div>
      <p className="tt-form-hint">以下部门或单位不在部门列表中，其项目暂不能建表。请为每一个选择对应的已有部门；以后导入时会自动识别。如确属新部门，请先在部门管理中添加或导入部门名单。</p>
      <ul className="tr-unknown-list">
        {unknown.map((u) => <UnknownRow key={`${u.role}|${u.code ?? ''}|${u.name}`} unknown={u} departments={departments} onMapped={onMapped} />)}
      </ul>
    </section>
  )
}

function UnknownRow({ unknown: u, departments, onMapped }: { unknown: UnknownDepartment; departments: readonly DepartmentOption[]; onMapped(): void }) {
  const [departmentId, setDepartmentId] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const map = async () => {
    if (!departmentId) { setError('请选择对应的部门'); return }
    setBusy(true)
    setError(null)
    try {
      const a = await mapDepartment({ ...(u.code ? { code: u.code } : {}), name: u.name || u.code || '', departmentId })
      setDone(`已对应，${a.attached.length} 个项目归入该部门`)
      onMapped()
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }
  const label = [u.code, u.name].filter(Boolean).join(' ')
  return (
    <li className="tr-unknown-row" data-testid="unknown-department" data-code={u.code ?? ''}>
      <div className="tr-unknown-name">
        <span className="tr-role">{ROLE[u.role]}</span>
        <strong>{label || '（空白）'}</strong>
        <span className="tt-muted">第 {u.rows.slice(0, 8).join('、')}{u.rows.length > 8 ? ' 等' : ''} 行 · {u.projectIds.length} 个项目</span>
      </div>
      <div className="tr-unknown-action">
        <select aria-label={`“${label}”对应的部门`} value={departmentId} onChange={(e) => { setDepartmentId(e.target.value); setError(null) }} disabled={busy || !!done}>
          <option value="">选择对应的部门…</option>
          {departments.map((d) => <option key={d.id} value={d.id}>{d.depth ? '　' : ''}{d.name}（{d.code}）</option>)}
        </select>
        <button type="button" className="tt-button" onClick={() => void map()} disabled={busy || !!done}>{busy ? '正在对应…' : '对应'}</button>
      </div>
      {error && <p className="tt-form-error" role="alert">{error}</p>}
      {done && <p className="tt-saved" role="status">{done}</p>}
    </li>
  )
}
