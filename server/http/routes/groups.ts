// 同质化部门组 and 示范点 routes: GET/POST /api/groups, PATCH/DELETE /api/groups/:id, POST
// /api/groups/:id/propagate (finance any group; a consultant groups whose members are all assigned to it
// that year; others 403). Checks: server/workflow/groups.ts; propagation: server/workflow/propagate.ts;
// contract: shared/api/groups.ts.
import { Hono } from 'hono'
import { createGroupBody, groupListQuery, propagateBody, updateGroupBody, type Group, type GroupListAnswer, type PropagationReport } from '../../../shared/api/groups.ts'
import { assertGroupRole, checkGroup, mayManage, requireGroup, toGroup } from '../../workflow/groups.ts'
import { propagate, storedDocWriter } from '../../workflow/propagate.ts'
import type { AppDeps, AppEnv } from '../context.ts'
import { parseRequest, readJson, requireCaller } from '../guards.ts'

export function groupRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>()
  const { storage } = deps

  app.get('/groups', async (c) => {
    const caller = requireCaller(c)
    assertGroupRole(caller.actor)
    const q = parseRequest(groupListQuery, c.req.query())
    const groups = (await storage.groups.list(q.year !== undefined ? { year: q.year } : {})).filter((g) => mayManage(caller.actor, g))
    return c.json({ groups: groups.map(toGroup) } satisfies GroupListAnswer)
  })

  app.post('/groups', async (c) => {
    const caller = requireCaller(c)
    assertGroupRole(caller.actor)
    const body = parseRequest(createGroupBody, await readJson(c))
    const departmentIds = [...new Set(body.departmentIds)]
    await checkGroup(storage, caller.actor, { kind: body.kind, year: body.year, departmentIds, sourceTableId: body.sourceTableId ?? null })
    const g = await storage.groups.create({ name: body.name, kind: body.kind, year: body.year, departmentIds, sourceTableId: body.sourceTableId ?? null, createdBy: caller.user.id })
    await storage.audit.record({ userId: caller.user.id, action: 'group.create', details: { groupId: g.id, name: g.name, kind: g.kind, year: g.year, departmentIds, sourceTableId: g.sourceTableId } })
    return c.json(toGroup(g) satisfies Group, 201)
  })

  app.patch('/groups/:id', async (c) => {
    const caller = requireCaller(c)
    const current = await requireGroup(storage, caller.actor, c.req.param('id'))
    const body = parseRequest(updateGroupBody, await readJson(c))
    const departmentIds = body.departmentIds ? [...new Set(body.departmentIds)] : current.members.map((m) => m.departmentId)
    const sourceTableId = body.sourceTableId !== undefined ? body.sourceTableId : current.sourceTableId
    // the source is judged again when it or the members change (a reopened demo town does not block a rename)
    const touchesSource = body.sourceTableId !== undefined || body.departmentIds !== undefined
    await checkGroup(storage, caller.actor, { kind: current.kind, year: current.year, departmentIds, sourceTableId: touchesSource ? sourceTableId : null })
    const g = await storage.groups.update(current.id, {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.departmentIds ? { departmentIds } : {}),
      ...(body.sourceTableId !== undefined ? { sourceTableId: body.sourceTableId } : {}),
    })
    await storage.audit.record({ userId: caller.user.id, action: 'group.update', details: { groupId: g.id, name: g.name, ...body } })
    return c.json(toGroup(g) satisfies Group)
  })

  app.delete('/groups/:id', async (c) => {
    const caller = requireCaller(c)
    const g = await requireGroup(storage, caller.actor, c.req.param('id'))
    await storage.groups.delete(g.id)
    await storage.audit.record({ userId: caller.user.id, action: 'group.delete', details: { groupId: g.id, name: g.name, year: g.year, departmentIds: g.members.map((m) => m.departmentId) } })
    return c.body(null, 204)
  })

  app.post('/groups/:id/propagate', async (c) => {
    const caller = requireCaller(c)
    const g = await requireGroup(storage, caller.actor, c.req.param('id'))
    const body = parseRequest(propagateBody, await readJson(c))
    const report = await propagate(g, { storage, writer: deps.collab ?? storedDocWriter(storage), userId: caller.user.id, dryRun: body.dryRun, acrossProcesses: deps.database.kind === 'postgres' })
    return c.json(report satisfies PropagationReport)
  })

  return app
}
