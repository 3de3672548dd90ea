// The registered projects of a year, in department order: 部门, 预算单位, 项目名称, 申请金额, 功能分类,
// 项目类别, 涉密 and the table (a link) or 未建表 / 待对应部门. Blanks show as blanks; an amount typed with
// prose is shown as typed and marked.
import type { RegistryProject } from '../../../shared/api/registry.ts'

function amount(v: RegistryProject['requestedAmount']) {
  if (v === null || v === '') return <span className="tt-zero">—</span>
  if (typeof v === 'number') return v.toLocaleString('zh-CN', { maximumFractionDigits: 6 })
  return <span className="tt-warning-text" title="不是数字，按原文保留">{v}</span>
}

function functionalClass(p: RegistryProject) {
  const fc = p.functionalClass
  if (!fc) return <span className="tt-zero">—</span>
  if (fc.code || fc.name) return <>{fc.code && <span className="tr-code">{fc.code}</span>}{fc.name}</>
  return [fc.levels.class, fc.levels.section, fc.levels.item].filter(Boolean).join(' / ')
}

const codeName = (v: RegistryProject['unit']) => (v ? [v.code, v.name].filter(Boolean).join(' ') : '')

export function ProjectsTable({ projects }: { projects: readonly RegistryProject[] }) {
  return (
    <div className="tt-card">
      <table className="tt-grid-list tr-list" data-testid="registry-list">
        <thead>
          <tr>
            <th style={{ width: '15%' }}>部门</th>
            <th style={{ width: '15%' }}>预算单位</th>
            <th style={{ width: '20%' }}>项目名称</th>
            <th className="tt-num" style={{ width: '9%' }}>申请金额（万元）</th>
            <th style={{ width: '14%' }}>功能分类</th>
            <th style={{ width: '10%' }}>项目类别</th>
            <th style={{ width: '5%' }}>涉密</th>
            <th style={{ width: '12%' }}>绩效目标表</th>
          </tr>
        </thead>
        <tbody>
          {projects.map((p) => (
            <tr key={p.id} data-project-id={p.id} data-testid="registry-row">
              <td className="tt-dept-cell" title={p.departmentName ?? codeName(p.competentDept)}>
                {p.departmentName ?? <span className="tt-warning-text">{codeName(p.competentDept) || codeName(p.unit) || '（空白）'}</span>}
              </td>
              <td className="tt-dept-cell" title={codeName(p.unit)}>{codeName(p.unit) || <span className="tt-zero">—</span>}</td>
              <td className="tr-name">{p.projectName}<span className="tr-row">第 {p.source.row} 行</span></td>
              <td className="tt-num">{amount(p.requestedAmount)}</td>
              <td className="tt-dept-cell">{functionalClass(p)}</td>
              <td>{p.fundingType ?? <span className="tt-zero">—</span>}</td>
              <td>{p.classified === true ? <span className="tt-tag tt-tag-secret">涉密</span> : p.classified === false ? '非密' : <span className="tt-zero">—</span>}</td>
              <td data-testid="table-cell">
                {p.tableId
                  ? <a href={`/tables/${encodeURIComponent(p.tableId)}`} data-testid="table-link">打开绩效目标表</a>
                  : p.departmentId ? <span className="tt-muted">未建表</span> : <span className="tt-warning-text">待对应部门</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
