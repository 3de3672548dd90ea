// The city's departments, units and towns for a page (GET /api/departments), read when it mounts and
// again whenever `reload` changes (after the department list was imported).
import { useEffect, useState } from 'react'
import type { DepartmentSummary } from '../../shared/api/directory.ts'
import { isAbort, listDepartments } from './tables-api.ts'

export function useDepartments(reload = 0): DepartmentSummary[] {
  const [departments, setDepartments] = useState<DepartmentSummary[]>([])
  useEffect(() => {
    const ctl = new AbortController()
    listDepartments(ctl.signal).then(setDepartments, (e) => { if (!isAbort(e)) console.warn('departments', e) })
    return () => ctl.abort()
  }, [reload])
  return departments
}
