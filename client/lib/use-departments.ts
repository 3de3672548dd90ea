// The city's departments, units and towns for a page (GET /api/departments), read when it mounts and
// again whenever `reload` changes (after the department list was imported); and a consultant's assigned
// departments (GET /api/assignments, its own) for a year, which widen what its department filters and the
// new-table dialogs offer.
import { useEffect, useState } from 'react'
import type { DepartmentSummary, PublicUser } from '../../shared/api/directory.ts'
import { isAbort, listDepartments } from './tables-api.ts'
import { listAssignments } from './admin-api.ts'

export function useDepartments(reload = 0): DepartmentSummary[] {
  const [departments, setDepartments] = useState<DepartmentSummary[]>([])
  useEffect(() => {
    const ctl = new AbortController()
    listDepartments(ctl.signal).then(setDepartments, (e) => { if (!isAbort(e)) console.warn('departments', e) })
    return () => ctl.abort()
  }, [reload])
  return departments
}

const NONE: readonly string[] = []

/**
 * The departments assigned to the signed-in consultant for `year` (every year when undefined, none when
 * null — a year still being typed); undefined until the answer for exactly this year is in, so a page
 * never shows one year's assignments under another. Empty at once for other roles, which have none.
 */
export function useAssignments(user: PublicUser, year: number | null | undefined): readonly string[] | undefined {
  const key = year === null ? null : String(year ?? 'all')
  const [got, setGot] = useState<{ key: string; ids: readonly string[] } | null>(null)
  useEffect(() => {
    if (user.role !== 'consultant' || key === null) return
    const ctl = new AbortController()
    listAssignments(year ?? undefined, ctl.signal).then(
      (a) => setGot({ key, ids: [...new Set(a.assignments.map((x) => x.departmentId))] }),
      (e) => { if (!isAbort(e)) console.warn('assignments', e) },
    )
    return () => ctl.abort()
  }, [user.role, key])
  if (user.role !== 'consultant' || key === null) return NONE
  return got?.key === key ? got.ids : undefined
}

/** As useAssignments, empty while the answer is on its way. */
export function useAssignedDepartments(user: PublicUser, year: number | null | undefined): readonly string[] {
  return useAssignments(user, year) ?? NONE
}
