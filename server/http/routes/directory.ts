// Departments and users: GET for signed-in users (users: finance only), POST for finance.
import { Hono } from 'hono'
import { z } from 'zod'
import type { UserListAnswer } from '../../../shared/api/directory.ts'
import { AppError } from '../../../shared/errors.ts'
import { ROLES } from '../../../shared/permissions.ts'
import type { AppDeps, AppEnv } from '../context.ts'
import { parseRequest, readJson, requireCaller, requireRole } from '../guards.ts'
import { publicUser } from './auth.ts'


export const departmentSchema = z.object({
  code: z.string({ error: '部门代码（code）必填' }),
  name: z.string({ error: '部门名称（name）必填' }),
  kind: z.enum(['department', 'unit', 'town'], { error: '部门类型（kind）应为 department、unit 或 town' }),
  parentId: z.string().nullish(),
})

export const userSchema = z.object({
  username: z.string({ error: '用户名（username）必填' }),
  password: z.string({ error: '密码（password）必填' }),
  displayName: z.string().optional(),
  role: z.enum(ROLES, { error: `角色（role）应为 ${ROLES.join('、')} 之一` }),
  departmentIds: z.array(z.string(), { error: '所属部门（departmentIds）必须是列表' }).default([]),
})

export function directoryRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>()

  app.get('/departments', async (c) => {
    requireCaller(c)
    return c.json({ departments: await deps.storage.departments.list() })
  })

  app.post('/departments', async (c) => {
    const caller = requireRole(c, 'finance')
    const input = parseRequest(departmentSchema, await readJson(c))
    const dept = await deps.storage.departments.create(input)
    await deps.storage.audit.record({ userId: caller.user.id, action: 'department.create', details: { id: dept.id, code: dept.code } })
    return c.json(dept, 201)
  })

  app.get('/users', async (c) => {
    requireRole(c, 'finance')
    return c.json({ users: (await deps.storage.users.list()).map(publicUser) } satisfies UserListAnswer)
  })

  app.post('/users', async (c) => {
    const caller = requireRole(c, 'finance')
    const input = parseRequest(userSchema, await readJson(c))
    for (const id of input.departmentIds) {
      if (!(await deps.storage.departments.get(id))) throw new AppError('invalid_input', `所属部门 ${id} 不存在`, { field: 'departmentIds' })
    }
    const user = await deps.storage.users.create(input)
    await deps.storage.audit.record({ userId: caller.user.id, action: 'user.create', details: { id: user.id, username: user.username, role: user.role } })
    return c.json(publicUser(user), 201)
  })

  return app
}
