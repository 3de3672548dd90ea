// Target tables for registered projects (POST /api/registry/tables): one table per project that has none
// yet, its header prefilled from the registry — 项目名称, 主管部门, 实施单位 (the 预算单位), 功能分类,
// 项目类别 (fundingType), 财政资金来源, 年度资金总额 = 申请预算金额, 涉密, 项目负责人 and 联系电话 from
// the contacts. All in one transaction through createTables; the projects are locked while it runs, so two
// calls at once cannot give a project two tables. Projects without a department, outside the caller's
// scope or with a table already are skipped, each with a reason.
import { can, type Actor } from '../../shared/permissions.ts'
import { blankTable, parseTable, type ProjectTable, type TemplateId } from '../../shared/model/index.ts'
import type { RegistryContact, RegistryTablesAnswer, RegistrySkipCode } from '../../shared/api/registry.ts'
import type { RegistryProjectView, Storage } from '../storage/index.ts'
import { createTables, type TableToCreate } from '../tables/create.ts'

/** The contact who leads the project: a role naming 负责人 (not 财务), else the first without a role. */
export function projectLeader(contacts: readonly RegistryContact[]): RegistryContact | undefined {
  return contacts.find((c) => /负责人/.test(c.role) && !/财务/.test(c.role)) ?? contacts.find((c) => !c.role)
}

/** The content of the table a registered project starts with. */
export function contentFor(project: RegistryProjectView, template: TemplateId): ProjectTable {
  const table = blankTable(template, project.year) as ProjectTable
  const leader = projectLeader(project.contacts)
  const fc = project.functionalClass
  table.header = {
    ...table.header,
    projectName: project.projectName,
    ...(project.competentDept ? { competentDept: project.competentDept } : {}),
    ...(project.unit ? { implementingUnit: project.unit } : {}),
    ...(fc && (fc.code || fc.name) ? { functionalClass: { ...(fc.code ? { code: fc.code } : {}), name: fc.name ?? '' } } : {}),
    ...(project.fundingType ? { fundingType: project.fundingType } : {}),
    ...(project.fundSource ? { fundSource: project.fundSource } : {}),
    ...(leader?.name ? { projectLeader: leader.name } : {}),
    ...(leader?.phone ? { phone: leader.phone } : {}),
  }
  table.funds = { ...table.funds, annual: { ...table.funds.annual, total: project.requestedAmount ?? null } }
  return table
}

export interface RegistryTablesRequest {
  year: number
  /** already expanded to their units */
  departmentIds?: readonly string[]
  projectIds?: readonly string[]
  template: TemplateId
}

type Skipped = RegistryTablesAnswer['skipped'][number]

export async function createRegistryTables(storage: Storage, actor: Actor, userId: string, req: RegistryTablesRequest): Promise<RegistryTablesAnswer> {
  const finance = actor.role === 'finance'
  const seesUnmatched = finance || actor.role === 'consultant'
  return storage.transaction(async (tx) => {
    const skipped: Skipped[] = []
    const skip = (p: { id: string; projectName: string }, code: RegistrySkipCode, reason: string) => skipped.push({ projectId: p.id, projectName: p.projectName, code, reason })

    let projects: RegistryProjectView[]
    if (req.projectIds) {
      const wanted = [...new Set(req.projectIds)]
      const found = await tx.registry.get(wanted, { lock: true })
      const byId = new Map(found.map((p) => [p.id, p]))
      projects = []
      for (const id of wanted) {
        const p = byId.get(id)
        // a project of another year, or one the caller may not see, looks absent
        const visible = p && p.year === req.year && (p.departmentId ? finance || actor.departmentIds.includes(p.departmentId) : seesUnmatched)
        if (!p || !visible) skipped.push({ projectId: id, projectName: '', code: 'not_found', reason: `${req.year} 年度没有该登记项目，或您无权查看` })
        else if (req.departmentIds && (!p.departmentId || !req.departmentIds.includes(p.departmentId))) skip(p, 'not_found', '该项目不属于所选部门')
        else projects.push(p)
      }
    } else {
      // what the caller may see: finance everything, others their own departments (and units)
      const mine = finance ? undefined : new Set(actor.departmentIds)
      const scope = req.departmentIds ? req.departmentIds.filter((d) => !mine || mine.has(d)) : mine ? [...mine] : undefined
      projects = await tx.registry.list(req.year, { ...(scope ? { departmentIds: scope } : {}), unmatched: !req.departmentIds && seesUnmatched, lock: true })
    }

    const items: (TableToCreate & { projectId: string })[] = []
    for (const p of projects) {
      if (p.tableId) { skip(p, 'has_table', '已有绩效目标表'); continue }
      if (!p.departmentId) {
        const who = p.competentDept?.name || p.unit?.name || p.competentDept?.code || p.unit?.code || '（空白）'
        skip(p, 'no_department', `部门“${who}”未对应到部门列表，请先在「待对应部门」中选择对应部门`)
        continue
      }
      const decision = can(actor, 'edit', { departmentId: p.departmentId, status: 'draft', classified: p.classified === true, year: p.year })
      if (!decision.allowed) { skip(p, 'forbidden', decision.reason); continue }
      const parsed = parseTable(contentFor(p, req.template))
      if (!parsed.ok) { skip(p, 'invalid', `无法生成表格：${parsed.problems[0]?.message ?? '内容不符合表样'}`); continue }
      items.push({
        projectId: p.id,
        content: parsed.table,
        departmentId: p.departmentId,
        title: p.projectName,
        classified: p.classified === true,
        origin: { source: 'registry', projectId: p.id },
      })
    }
    const rows = await createTables(tx, userId, items)
    const created = rows.map((row, i) => ({ projectId: items[i]!.projectId, tableId: row.id }))
    await tx.registry.setTables(created)
    return { template: req.template, created, skipped }
  })
}
