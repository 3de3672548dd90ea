// 第三方机构分工 for one year: every department and town (units follow their department) with its consultant
// and 难度分类. Choosing a consultant assigns at once; choosing another moves the department (the old
// assignment is removed first, since a department has one consultant a year); 未分配 removes it. Per
// consultant, how many departments of each difficulty it holds.
import { useCallback, useEffect, useMemo, useState } from 'react'
import { DIFFICULTIES, DIFFICULTY_LABELS, type Assignment, type Difficulty } from '../../../shared/api/assignments.ts'
import { DEPARTMENT_KIND_LABELS, type DepartmentSummary, type PublicUser } from '../../../shared/api/directory.ts'
import { assignDepartments, listAssignments, listUsers, unassignDepartment } from '../../lib/admin-api.ts'
import { isAbort } from '../../lib/tables-api.ts'
import { useDepartments } from '../../lib/use-departments.ts'

const message = (e: unknown) => (e instanceof Error ? e.message : String(e))

/** a town defaults to 镇街; a department to 难度较低 until finance says otherwise */
const defaultDifficulty = (d: DepartmentSummary): Difficulty => (d.kind === 'town' ? 'town' : 'low')

export function AssignmentsSection({ year }: { year: number }) {
  const departments = useDepartments()
  const [consultants, setConsultants] = useState<PublicUser[]>([])
  const [rows, setRows] = useState<Assignment[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState<string | null>(null)
  const [saved, setSaved] = useState<string | null>(null)

  useEffect(() => {
    const ctl = new AbortController()
    listUsers(ctl.signal).then((u) => setConsultants(u.filter((x) => x.role === 'consultant')), (e) => { if (!isAbort(e)) setError(message(e)) })
    return () => ctl.abort()
  }, [])

  const load = useCallback((signal?: AbortSignal) => {
    return listAssignments(year, signal).then((a) => setRows(a.assignments), (e) => { if (!isAbort(e)) setError(message(e)) })
  }, [year])
  useEffect(() => {
    const ctl = new AbortController()
    setRows(null)
    void load(ctl.signal)
    return () => ctl.abort()
  }, [load])

  const top = useMemo(() => departments.filter((d) => d.parentId === null).sort((a, b) => a.code.localeCompare(b.code)), [departments])
  const unitCount = useMemo(() => {
    const m = new Map<string, number>()
    for (const d of departments) if (d.parentId) m.set(d.parentId, (m.get(d.parentId) ?? 0) + 1)
    return m
  }, [departments])
  const byDepartment = useMemo(() => new Map((rows ?? []).map((a) => [a.departmentId, a])), [rows])

  const change = async (d: DepartmentSummary, consultantId: string, difficulty: Difficulty) => {
    const current = byDepartment.get(d.id)
    setBusy(d.id)
    setError(null)
    setSaved(null)
    try {
      if (current && current.consultantId !== consultantId) await unassignDepartment(year, d.id)
      if (consultantId) await assignDepartments({ year, consultantId, departmentIds: [d.id], difficulty })
      await load()
      const who = consultants.find((c) => c.id === consultantId)?.displayName
      setSaved(who ? `已将${d.name}分配给${who}（${DIFFICULTY_LABELS[difficulty]}）` : `已取消${d.name}的分工`)
    } catch (e) {
      setError(`${d.name}：${message(e)}`)
      await load()
    } finally {
      setBusy(null)
    }
  }

  const summary = consultants.map((c) => {
    const mine = (rows ?? []).filter((a) => a.consultantId === c.id)
    return { c, total: mine.length, by: DIFFICULTIES.map((k) => [k, mine.filter((a) => a.difficulty === k).length] as const).filter(([, n]) => n > 0) }
  })

  return (
    <section className="tt-card tr-panel ta-assignments" aria-label="第三方机构分工">
      <div className="tr-panel-head">
        <h2>{year} 年第三方机构分工</h2>
        <span className="tt-subtitle">已分配 {rows?.length ?? 0} / {top.length} 个部门和镇街</span>
      </div>
      {summary.length > 0 && (
        <p className="tr-counts" data-testid="assignment-summary">
          {summary.map(({ c, total, by }) => (
            <span key={c.id}>{c.displayName}：{total} 个{by.length > 0 && `（${by.map(([k, n]) => `${DIFFICULTY_LABELS[k]} ${n}`).join('，')}）`}</span>
          ))}
        </p>
      )}
      {consultants.length === 0 && <p className="tt-subtitle">还没有第三方机构账号。</p>}
      {error && <div className="tt-alert" role="alert">{error}</div>}
      {saved && <p className="ta-saved" role="status">{saved}</p>}
      {rows === null ? (
        <p className="tt-placeholder" aria-busy="true">正在加载…</p>
      ) : (
        <table className="tt-grid-list" data-testid="assignments">
          <thead>
            <tr><th>代码</th><th>部门／镇街</th><th>类型</th><th>第三方机构</th><th>难度分类</th></tr>
          </thead>
          <tbody>
            {top.map((d) => {
              const a = byDepartment.get(d.id)
              const difficulty = a?.difficulty ?? defaultDifficulty(d)
              const units = unitCount.get(d.id) ?? 0
              return (
                <tr key={d.id} data-department={d.name} aria-busy={busy === d.id}>
                  <td className="tr-code">{d.code}</td>
                  <td>{d.name}{units > 0 && <span className="tt-subtitle">（含 {units} 个下属单位）</span>}</td>
                  <td>{DEPARTMENT_KIND_LABELS[d.kind]}</td>
                  <td>
                    <select aria-label={`${d.name}的第三方机构`} value={a?.consultantId ?? ''} disabled={busy !== null} onChange={(e) => void change(d, e.target.value, difficulty)}>
                      <option value="">未分配</option>
                      {consultants.map((c) => <option key={c.id} value={c.id}>{c.displayName}</option>)}
                    </select>
                  </td>
                  <td>
                    <select aria-label={`${d.name}的难度分类`} value={difficulty} disabled={busy !== null || !a} onChange={(e) => a && void change(d, a.consultantId, e.target.value as Difficulty)}>
                      {DIFFICULTIES.map((k) => <option key={k} value={k}>{DIFFICULTY_LABELS[k]}</option>)}
                    </select>
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      )}
    </section>
  )
}
