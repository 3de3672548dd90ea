// The city's departments, units and towns for a page (GET /api/departments), read when it mounts and
// again whenever `reload` changes (after the department list was imported); and a consultant's assigned
// departments (GET /api/assignments, its own) for a year, which widen what its department filters and the
// new-table dialogs offer.
import { useEffect, useState } from 'react'
import type { DepartmentSummary, PublicUser } from '../../shared/api/directory.ts'
import { isAbort, listDepartments } from './tables-api.ts'
import { listAssignments } from './admin-api.ts'
import { ApiError, goLogin } from './api.ts'

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

/** A consultant's assigned departments for a year: on their way, read, or why they could not be read. */
export type AssignmentsState =
  | { state: 'loading' }
  | { state: 'ready'; ids: readonly string[] }
  | { state: 'failed'; message: string }

const READY_NONE: AssignmentsState = { state: 'ready', ids: NONE }
const LOADING: AssignmentsState = { state: 'loading' }

/**
 * The departments assigned to the signed-in consultant for `year` (every year when undefined, none when
 * null — a year still being typed); 'loading' until the answer for exactly this year is in, so a page
 * never shows one year's assignments under another, and 'failed' with the reason when it cannot come (the
 * page says so instead of waiting for ever). Ready and empty at once for other roles, which have none.
 */
export function useAssignments(user: PublicUser, year: number | null | undefined): AssignmentsState {
  const key = year === null ? null : String(year ?? 'all')
  const [got, setGot] = useState<{ key: string; state: AssignmentsState } | null>(null)
  useEffect(() => {
    if (user.role !== 'consultant' || key === null) return
    const ctl = new AbortController()
    listAssignments(year ?? undefined, ctl.signal).then(
      (a) => setGot({ key, state: { state: 'ready', ids: [...new Set(a.assignments.map((x) => x.departmentId))] } }),
      (e) => {
        if (isAbort(e)) return
        if (e instanceof ApiError && e.status === 401) return goLogin()
        setGot({ key, state: { state: 'failed', message: e instanceof Error ? e.message : String(e) } })
      },
    )
    return () => ctl.abort()
  }, [user.role, key])
  if (user.role !== 'consultant' || key === null) return READY_NONE
  return got?.key === key ? got.state : LOADING
}

/** The assigned departments once read; none while they are on their way or when they could not be read. */
export function assignedIds(a: AssignmentsState): readonly string[] {
  return a.state === 'ready' ? a.ids : NONE
}

/** As useAssignments, empty while the answer is on its way or when it could not be read. */
export function useAssignedDepartments(user: PublicUser, year: number | null | undefined): readonly string[] {
  return assignedIds(useAssignments(user, year))
}
