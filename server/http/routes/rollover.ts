// 年度结转 route: POST /api/rollover (finance any department; a department user its own and its units; a
// consultant the departments assigned to it in the target year; viewers 403). The logic and what is carried:
// server/tables/rollover.ts; contract: shared/api/rollover.ts.
import { Hono } from 'hono'
import { rolloverBody, type RolloverAnswer } from '../../../shared/api/rollover.ts'
import { AppError } from '../../../shared/errors.ts'
import { rollover } from '../../tables/rollover.ts'
import type { AppDeps, AppEnv } from '../context.ts'
import { parseRequest, readJson, requireCaller } from '../guards.ts'

export function rolloverRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>()
  const { storage } = deps

  app.post('/rollover', async (c) => {
    const caller = requireCaller(c)
    if (caller.actor.role === 'viewer') throw new AppError('forbidden', '只读账号不能进行年度结转')
    const body = parseRequest(rolloverBody, await readJson(c))
    const answer = await rollover(storage, caller.actor, caller.user.id, {
      fromYear: body.fromYear,
      toYear: body.toYear ?? body.fromYear + 1,
      ...(body.departmentIds ? { departmentIds: [...new Set(body.departmentIds)] } : {}),
      dryRun: body.dryRun === true,
    })
    return c.json(answer satisfies RolloverAnswer, answer.dryRun ? 200 : 201)
  })

  return app
}
