// The department tree the list filter and the new-table dialog offer: departments and towns with their
// units, cut to what the signed-in user may see (finance and city-wide viewers: everyone; others: their own,
// and a consultant also the departments assigned to it — shared/permissions.ts departmentsFor).
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

/** Who sees every department: finance, and city-wide viewers (no department: read every table that is not 涉密). */
export function seesAll(user: PublicUser): boolean {
  return user.role === 'finance' || isCityWideViewer(user)
}
