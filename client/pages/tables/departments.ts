// The department tree the list filter and the new-table dialogs offer: departments and towns with their
// units, cut to what the signed-in user may see or file for (finance: everyone; others: their own, and a
// consultant also the departments assigned to it for the year — shared/permissions.ts departmentsFor).
import type { DepartmentSummary, PublicUser } from '../../../shared/api/directory.ts'
import { isCityWideViewer, type Actor } from '../../../shared/permissions.ts'

export interface DepartmentOption {
  id: string
  name: string
  code: string
  kind: DepartmentSummary['kind']
  /** 0 for a department or town, 1 for a unit under it */
  depth: number
}

/**
 * The user's departments plus every unit below them, as the server resolves the scope; `assigned` adds a
 * consultant's assigned departments (of the year the list shows, or of every year when it shows all).
 */
export function scopeOf(user: PublicUser, all: readonly DepartmentSummary[], assigned: readonly string[] = []): Set<string> {
  const scope = new Set([...user.departmentIds, ...assigned])
  // WATCH OUT: the tree is two levels today, but walking until nothing changes keeps this right if it deepens
  for (let grew = true; grew;) {
    grew = false
    for (const d of all) {
      if (d.parentId && scope.has(d.parentId) && !scope.has(d.id)) { scope.add(d.id); grew = true }
    }
  }
  return scope
}

/** The user as the shared permission function sees them. */
export function actorOf(user: PublicUser, all: readonly DepartmentSummary[]): Actor {
  return { id: user.id, role: user.role, departmentIds: [...scopeOf(user, all)] }
}

const byCode = (a: DepartmentSummary, b: DepartmentSummary) => a.code.localeCompare(b.code, 'en', { numeric: true })

/**
 * Departments first, then towns, each followed by its units; a unit whose parent is outside `visible`
 * stands on its own. Only ids in `visible` (or everything when it is undefined) are listed.
 */
export function departmentTree(all: readonly DepartmentSummary[], visible?: ReadonlySet<string>): DepartmentOption[] {
  const shown = all.filter((d) => !visible || visible.has(d.id))
  const shownIds = new Set(shown.map((d) => d.id))
  const children = new Map<string, DepartmentSummary[]>()
  const roots: DepartmentSummary[] = []
  for (const d of shown) {
    if (d.parentId && shownIds.has(d.parentId)) children.set(d.parentId, [...(children.get(d.parentId) ?? []), d])
    else roots.push(d)
  }
  const rank = { department: 0, town: 1, unit: 2 } as const
  roots.sort((a, b) => rank[a.kind] - rank[b.kind] || byCode(a, b))
  const out: DepartmentOption[] = []
  const walk = (d: DepartmentSummary, depth: number) => {
    out.push({ id: d.id, name: d.name, code: d.code, kind: d.kind, depth })
    for (const c of (children.get(d.id) ?? []).sort(byCode)) walk(c, depth + 1)
  }
  for (const r of roots) walk(r, 0)
  return out
}

/**
 * Whether the page offers 新建 / 导入 Excel / 年度结转 at all: finance; a department user or consultant with a
 * department of its own; a consultant with a department assigned to it for some year (`assignedAnyYear`).
 * Viewers never edit. Which departments, for which year, is createChoices' answer.
 */
export function mayCreate(user: PublicUser, assignedAnyYear: readonly string[]): boolean {
  if (user.role === 'finance') return true
  if (user.role === 'viewer') return false
  return user.departmentIds.length > 0 || (user.role === 'consultant' && assignedAnyYear.length > 0)
}

/**
 * The departments a new table of one budget year may go to, as the server decides it (can(actor, 'edit',
 * {status: 'draft', year}) in POST /api/tables and /api/tables/import): finance every one; a viewer none;
 * the others their departments with their units, and a consultant also those assigned to it for that year
 * (`assignedForYear`, with their units) — never a department assigned only in another year.
 */
export function createChoices(user: PublicUser, all: readonly DepartmentSummary[], assignedForYear: readonly string[]): DepartmentOption[] {
  if (user.role === 'finance') return departmentTree(all)
  if (user.role === 'viewer') return []
  return departmentTree(all, scopeOf(user, all, user.role === 'consultant' ? assignedForYear : []))
}

/** Why a dialog offers no department for the year (a consultant's assignments are per year). */
export function noDepartments(user: PublicUser, year: number): string {
  return user.role === 'consultant'
    ? `${year} 年度没有分配给您的部门，请改选年度，或请财政局在第三方机构分工中分配`
    : '没有可选择的部门'
}

/** Who sees every department: finance, and city-wide viewers (no department: read every table that is not 涉密). */
export function seesAll(user: PublicUser): boolean {
  return user.role === 'finance' || isCityWideViewer(user)
}
