// The city's departments, units and towns for a page (GET /api/departments), read when it mounts and
// again whenever `reload` changes (after the department list was imported); and a consultant's assigned
// departments (GET /api/assignments, its own), which widen what its department filters offer.
import { useEffect, useState } from 'react'
import type { DepartmentSummary, PublicUser } from '../../shared/api/directory.ts'
import { isAbort, listDepartments } from './tables-api.ts'
import { myAssignments } from './workflow-api.ts'

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
 * The departments assigned to the signed-in consultant for `year` (every year when undefined); empty for
 * other roles, which have no assignments.
 */
export function useAssignedDepartments(user: PublicUser, year: number | undefined): readonly string[] {
  const [ids, setIds] = useState<readonly string[]>(NONE)
  useEffect(() => {
    if (user.role !== 'consultant') return
    const ctl = new AbortController()
    myAssignments(year, ctl.signal).then((a) => setIds([...new Set(a.map((x) => x.departmentId))]), (e) => { if (!isAbort(e)) console.warn('assignments', e) })
    return () => ctl.abort()
  }, [user.role, year])
  return user.role === 'consultant' ? ids : NONE
}
