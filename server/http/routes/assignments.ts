// 第三方机构分工 routes: finance assigns departments to consultants per budget year and reads every
// assignment; a consultant reads its own. A change re-checks every open live socket at once (as a sign-out
// does), so a consultant taken off a department loses write access to its open tables immediately.
// Contract: shared/api/assignments.ts.
import { Hono } from 'hono'
import { assignBody, assignmentListQuery, unassignQuery, type Assignment, type AssignmentListAnswer } from '../../../shared/api/assignments.ts'
import { AppError } from '../../../shared/errors.ts'
import type { Assignment as StoredAssignment } from '../../storage/assignments.ts'
import type { AppDeps, AppEnv } from '../context.ts'
import { parseRequest, readJson, requireCaller, requireRole } from '../guards.ts'

function toAssignment(a: StoredAssignment): Assignment {
  const { assignedBy: _by, ...rest } = a
  return { ...rest, assignedAt: new Date(a.assignedAt).toISOString() }
}

export function assignmentRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>()
  const { storage } = deps

  app.get('/assignments', async (c) => {
    const caller = requireCaller(c)
    const q = parseRequest(assignmentListQuery, c.req.query())
    const { role, id } = caller.actor
    if (role !== 'finance' && role !== 'consultant') throw new AppError('forbidden', '只有财政局和第三方机构可以查看分工')
    if (role === 'consultant' && q.consultantId && q.consultantId !== id) throw new AppError('forbidden', '第三方机构只能查看本机构的分工', { field: 'consultantId' })
    const rows = await storage.assignments.list({ ...(q.year !== undefined ? { year: q.year } : {}), ...(role === 'consultant' ? { consultantId: id } : q.consultantId ? { consultantId: q.consultantId } : {}) })
    return c.json({ assignments: rows.map(toAssignment) } satisfies AssignmentListAnswer)
  })

  app.post('/assignments', async (c) => {
    const who = requireRole(c, 'finance')
    const body = parseRequest(assignBody, await readJson(c))
    const rows = await storage.assignments.assign({ ...body, assignedBy: who.user.id })
    await storage.audit.record({ userId: who.user.id, action: 'assignment.assign', details: { year: body.year, consultantId: body.consultantId, departmentIds: body.departmentIds, difficulty: body.difficulty } })
    deps.onSessionRevoked?.()
    return c.json({ assignments: rows.map(toAssignment) } satisfies AssignmentListAnswer)
  })

  app.delete('/assignments', async (c) => {
    const who = requireRole(c, 'finance')
    const q = parseRequest(unassignQuery, c.req.query())
    const removed = await storage.assignments.unassign(q.year, q.departmentId)
    if (!removed) throw new AppError('not_found', `${q.year} 年该部门没有分工（departmentId=${q.departmentId}）`, { field: 'departmentId' })
    await storage.audit.record({ userId: who.user.id, action: 'assignment.unassign', details: { year: q.year, departmentId: q.departmentId } })
    deps.onSessionRevoked?.()
    return c.body(null, 204)
  })

  return app
}
