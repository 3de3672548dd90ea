// The bureau overview (总览) of a year and the pieces the ledger shares with it: every department, unit and
// town with its own tables, its stage (a department's or town's counts its units' tables; a unit shows its
// parent's), consultant, difficulty and deadline. Built from one storage aggregate (storage.workflow.activity)
// and a few small reads; the stage rules are shared/workflow/stage.ts. `today` is injectable for tests.
import type { Deadline, DeadlineState, OverviewAnswer, OverviewRow, StageInfo, TableCounts } from '../../shared/api/workflow.ts'
import { bureauDate, deadlineFor, derivedStage, effectiveStage } from '../../shared/workflow/stage.ts'
import type { Department, Storage } from '../storage/index.ts'
import type { Assignment } from '../storage/assignments.ts'
import { emptyActivity, type DeadlineRow, type DepartmentActivity } from '../storage/workflow.ts'

export interface WorkflowOptions {
  /** the bureau's date (YYYY-MM-DD) overdue marks are judged on; default bureauDate() */
  today?: string
}

/** One row of the year before it is shaped for an answer: a department, unit or town with what it needs. */
export interface YearNode {
  department: Department
  /** its own tables and checklist */
  own: DepartmentActivity
  /** own plus its units' (a unit: own only) */
  withUnits: DepartmentActivity
  /** the stage of the department or town it belongs to (a unit: its parent's) */
  stage: StageInfo
  deadline: DeadlineState | null
  assignment: Assignment | null
}

export interface YearView {
  year: number
  today: string
  deadlines: Deadline[]
  /** tree order: departments by code each followed by its units, then towns (each followed by its units) */
  nodes: YearNode[]
  byId: Map<string, YearNode>
}

/** a department's own activity plus its units' (materials stay its own: the checklist is per department) */
function merge(own: DepartmentActivity, units: readonly DepartmentActivity[]): DepartmentActivity {
  const out: DepartmentActivity = { ...own, tables: { ...own.tables } }
  for (const u of units) {
    out.tables.draft += u.tables.draft
    out.tables.submitted += u.tables.submitted
    out.tables.returned += u.tables.returned
    out.tables.approved += u.tables.approved
    out.errorCount += u.errorCount
    out.warningCount += u.warningCount
    out.openThreads += u.openThreads
    out.approvedNotCompiled += u.approvedNotCompiled
    if (u.currentRound !== null && (out.currentRound === null || u.currentRound > out.currentRound)) out.currentRound = u.currentRound
    if (u.lastActivityAt && (!out.lastActivityAt || u.lastActivityAt > out.lastActivityAt)) out.lastActivityAt = u.lastActivityAt
  }
  return out
}

export function tableCounts(a: DepartmentActivity): TableCounts {
  const { draft, submitted, returned, approved } = a.tables
  return { total: draft + submitted + returned + approved, draft, submitted, returned, approved }
}

export function toDeadline(d: DeadlineRow): Deadline {
  return { year: d.year, stage: d.stage, dueDate: d.dueDate, setBy: d.setBy, setByName: d.setByName, setAt: d.setAt.toISOString() }
}

/** Everything the overview and the ledger of a year are made of: six small reads, one pass. */
export async function loadYear(storage: Storage, year: number, options: WorkflowOptions = {}): Promise<YearView> {
  const today = options.today ?? bureauDate()
  const [departments, activity, overrides, deadlineRows, assignments] = await Promise.all([
    storage.departments.list(),
    storage.workflow.activity(year),
    storage.workflow.stages(year),
    storage.workflow.deadlines(year),
    storage.assignments.list({ year }),
  ])
  const deadlines = deadlineRows.map(toDeadline)
  const stageDeadlines = deadlineRows.map((d) => ({ stage: d.stage, dueDate: d.dueDate }))
  const overrideOf = new Map(overrides.map((o) => [o.departmentId, o]))
  const assignmentOf = new Map(assignments.map((a) => [a.departmentId, a]))
  const unitsOf = new Map<string, Department[]>()
  for (const d of departments) if (d.kind === 'unit' && d.parentId) unitsOf.set(d.parentId, [...(unitsOf.get(d.parentId) ?? []), d])
  const ownOf = (id: string) => activity.get(id) ?? emptyActivity(id)

  const byId = new Map<string, YearNode>()
  const nodes: YearNode[] = []
  const tops = departments.filter((d) => d.kind !== 'unit' || !d.parentId) // a unit without parent is shown as its own top
  const ordered = [...tops.filter((d) => d.kind === 'department'), ...tops.filter((d) => d.kind !== 'department')] // list() is by code
  for (const top of ordered) {
    const units = unitsOf.get(top.id) ?? []
    const own = ownOf(top.id)
    const withUnits = merge(own, units.map((u) => ownOf(u.id)))
    const counts = withUnits.tables
    const derived = derivedStage({ ...counts, compiled: counts.approved > 0 && withUnits.approvedNotCompiled === 0 })
    const override = overrideOf.get(top.id)
    const shown = effectiveStage(derived, override?.stage ?? null)
    const stage: StageInfo = { stage: shown.stage, source: shown.source, derived, manual: override?.stage ?? null, manualNote: override?.note ? override.note : null }
    const deadline = deadlineFor(shown.stage, stageDeadlines, today)
    const topNode: YearNode = { department: top, own, withUnits, stage, deadline, assignment: assignmentOf.get(top.id) ?? null }
    nodes.push(topNode)
    byId.set(top.id, topNode)
    for (const u of units) {
      const uOwn = ownOf(u.id)
      // a unit without an assignment of its own is worked on by its department's consultant
      const node: YearNode = { department: u, own: uOwn, withUnits: uOwn, stage, deadline, assignment: assignmentOf.get(u.id) ?? topNode.assignment }
      nodes.push(node)
      byId.set(u.id, node)
    }
  }
  return { year, today, deadlines, nodes, byId }
}

function overviewRow(n: YearNode): OverviewRow {
  const a = n.assignment
  return {
    departmentId: n.department.id,
    code: n.department.code,
    name: n.department.name,
    kind: n.department.kind,
    parentId: n.department.kind === 'unit' ? n.department.parentId : null,
    tables: tableCounts(n.own),
    errorCount: n.own.errorCount,
    warningCount: n.own.warningCount,
    openThreads: n.own.openThreads,
    stage: n.stage,
    consultant: a ? { id: a.consultantId, name: a.consultantName } : null,
    difficulty: a?.difficulty ?? null,
    deadline: n.deadline,
    lastActivityAt: n.own.lastActivityAt?.toISOString() ?? null,
  }
}

/** GET /api/overview: every department, unit and town of the year in tree order, with totals. */
export async function buildOverview(storage: Storage, year: number, options: WorkflowOptions = {}): Promise<OverviewAnswer> {
  const view = await loadYear(storage, year, options)
  const rows = view.nodes.map(overviewRow)
  const totals: OverviewAnswer['totals'] = { departments: 0, tables: { total: 0, draft: 0, submitted: 0, returned: 0, approved: 0 }, overdue: 0, errorCount: 0, openThreads: 0 }
  for (const r of rows) {
    if (r.kind !== 'unit' || r.parentId === null) {
      totals.departments++
      if (r.deadline?.overdue) totals.overdue++
    }
    for (const k of ['total', 'draft', 'submitted', 'returned', 'approved'] as const) totals.tables[k] += r.tables[k]
    totals.errorCount += r.errorCount
    totals.openThreads += r.openThreads
  }
  return { year, today: view.today, deadlines: view.deadlines, rows, totals }
}
