// The department a new or imported table goes to, as both dialogs offer it: the departments the server lets the
// caller create in for the chosen year (a consultant's assignments are per year, so the choices follow the year),
// and the notes under the choice — why nothing is offered, or why the assignments could not be read.
import { useMemo } from 'react'
import type { DepartmentSummary, PublicUser } from '../../../shared/api/directory.ts'
import { assignedIds, useAssignments, type AssignmentsState } from '../../lib/use-departments.ts'
import { createChoices, noDepartments, type DepartmentOption } from './departments.ts'

/**
 * The choices for `year` (null while it is not a valid year) and the department actually chosen: `departmentId`
 * when it is offered for this year, else none (it comes back if the year is changed back).
 */
export function useYearDepartments(user: PublicUser, departments: readonly DepartmentSummary[], year: number | null, departmentId: string): {
  assignments: AssignmentsState
  options: DepartmentOption[]
  chosen: string
} {
  const assignments = useAssignments(user, year)
  const assigned = assignedIds(assignments)
  const options = useMemo(() => createChoices(user, departments, assigned), [user, departments, assigned])
  return { assignments, options, chosen: options.some((o) => o.id === departmentId) ? departmentId : '' }
}

/** The department select's placeholder while a consultant's assignments for the year are on their way. */
export function yearDepartmentsPlaceholder(year: number | null, assignments: AssignmentsState): string {
  return year !== null && assignments.state === 'loading' ? '正在读取分配给您的部门…' : '请选择部门或单位'
}

/** Under the choice: the assignments could not be read (the server's reason), or the year offers nothing (why). */
export function YearDepartmentNotes({ user, year, assignments, offered }: { user: PublicUser; year: number | null; assignments: AssignmentsState; offered: number }) {
  if (year === null) return null
  if (assignments.state === 'failed') {
    return <p className="tt-form-error" role="alert" data-testid="assignments-failed">读取分配给您的部门失败：{assignments.message}</p>
  }
  if (assignments.state === 'ready' && offered === 0) return <p className="tt-form-hint" data-testid="no-departments">{noDepartments(user, year)}</p>
  return null
}
