// An empty table of a template: what "新建绩效目标表" starts from (no indicator rows; the grid
// prints the template's empty 二级 labels).
import type { TargetTable, TemplateId } from './schema.ts'
import { TEMPLATES } from './templates.ts'

export function blankTable(template: TemplateId, year: number): TargetTable {
  const t = TEMPLATES[template]
  const common = { template, framework: t.framework, year, moneyUnit: '万元' as const, annualGoal: '', indicators: [] }
  if (t.kind === 'department') {
    return { kind: 'department', ...common, header: { deptName: '' }, tasks: [], taskTotals: { total: null, fiscal: null, other: null } }
  }
  return {
    kind: 'project',
    ...common,
    header: { projectName: '' },
    funds: { midTerm: t.hasMidTerm ? { total: null, fiscal: null, other: null } : null, annual: { total: null, fiscal: null, other: null } },
    ...(t.hasMidTerm ? { midTermGoal: '' } : {}),
  }
}
