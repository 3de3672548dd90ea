// The city's departments, units and towns for a page (GET /api/departments), read once when it mounts.
import { useEffect, useState } from 'react'
import type { DepartmentSummary } from '../../shared/api/directory.ts'
import { isAbort, listDepartments } from './tables-api.ts'

export function useDepartments(): DepartmentSummary[] {
  const [departments, setDepartments] = useState<DepartmentSummary[]>([])
  useEffect(() => {
    const ctl = new AbortController()
    listDepartments(ctl.signal).then(setDepartments, (e) => { if (!isAbort(e)) console.warn('departments', e) })
    return () => ctl.abort()
  }, [])
  return departments
}
