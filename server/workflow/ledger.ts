// The consultants' 工作台账 (ledger) of a year: one row per assignment (第三方机构分工) with the department's
// stage, its and its units' tables by status, current round, open threads, errors, last activity, 资料清单 and
// deadline. Who sees which rows is the route's business (finance: all or one consultant; a consultant: its own).
import { MATERIAL_ITEMS } from '../../shared/api/materials.ts'
import type { LedgerAnswer, LedgerRow } from '../../shared/api/workflow.ts'
import type { Storage } from '../storage/index.ts'
import { loadYear, tableCounts, type WorkflowOptions } from './overview.ts'

export async function buildLedger(storage: Storage, year: number, filter: { consultantId?: string }, options: WorkflowOptions = {}): Promise<LedgerAnswer> {
  const view = await loadYear(storage, year, options)
  const rows: LedgerRow[] = []
  for (const node of view.nodes) {
    const a = node.department.id === node.assignment?.departmentId ? node.assignment : null
    if (!a || (filter.consultantId !== undefined && a.consultantId !== filter.consultantId)) continue
    const m = node.own.materials
    rows.push({
      consultantId: a.consultantId,
      consultantName: a.consultantName,
      departmentId: node.department.id,
      departmentCode: node.department.code,
      departmentName: node.department.name,
      difficulty: a.difficulty,
      stage: node.stage,
      tables: tableCounts(node.withUnits),
      currentRound: node.withUnits.currentRound,
      openThreads: node.withUnits.openThreads,
      errorCount: node.withUnits.errorCount,
      lastActivityAt: node.withUnits.lastActivityAt?.toISOString() ?? null,
      materials: { received: m.received, notApplicable: m.notApplicable, missing: Math.max(0, MATERIAL_ITEMS.length - m.received - m.notApplicable), files: m.files },
      deadline: node.deadline,
    })
  }
  // per consultant (by name, then id), each consultant's departments in tree order
  const order = new Map(rows.map((r, i) => [r, i]))
  rows.sort((x, y) => x.consultantName.localeCompare(y.consultantName, 'zh-CN') || (x.consultantId < y.consultantId ? -1 : x.consultantId > y.consultantId ? 1 : 0) || order.get(x)! - order.get(y)!)
  return { year, today: view.today, rows }
}
