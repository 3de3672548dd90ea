// 工作阶段 / 截止日期 / 工作台账 / 总览 routes (contract: shared/api/workflow.ts). The overview is finance's; the
// ledger finance's (all, or one consultant's) and each consultant's own; deadlines are read by both and set by
// finance, never before the bureau's today; a department's stage is set by finance or the consultant
// responsible for it that year. Every write is audited. Assembly: server/workflow.
import { Hono } from 'hono'
import { deadlineBody, deadlineListQuery, ledgerQuery, overviewQuery, stageBody, type DeadlineListAnswer, type StageInfo } from '../../../shared/api/workflow.ts'
import { AppError } from '../../../shared/errors.ts'
import { departmentsFor } from '../../../shared/permissions.ts'
import { STAGE_LABELS, bureauDate } from '../../../shared/workflow/stage.ts'
import { buildLedger } from '../../workflow/ledger.ts'
import { buildOverview, loadYear, toDeadline } from '../../workflow/overview.ts'
import { ledgerFileName, ledgerWorkbook, overviewFileName, overviewWorkbook } from '../../workflow/workflow-xlsx.ts'
import type { AppDeps, AppEnv } from '../context.ts'
import { parseRequest, readJson, requireCaller, requireRole } from '../guards.ts'
import { attachmentHeader } from './opinions.ts'

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

export interface WorkflowRouteOptions {
  /** the bureau's date (YYYY-MM-DD); default bureauDate() at each request — tests pass a fixed clock */
  today?: () => string
}

export function workflowRoutes(deps: AppDeps, options: WorkflowRouteOptions = {}) {
  const app = new Hono<AppEnv>()
  const { storage } = deps
  const today = options.today ?? (() => bureauDate())

  const xlsx = (bytes: Uint8Array, fileName: string, ascii: string) =>
    new Response(new Uint8Array(bytes), {
      status: 200,
      headers: { 'content-type': XLSX_TYPE, 'content-disposition': attachmentHeader(fileName, ascii), 'cache-control': 'no-store' },
    })

  app.get('/overview', async (c) => {
    const caller = requireCaller(c)
    if (caller.actor.role !== 'finance') throw new AppError('forbidden', '只有财政局可以查看工作总览')
    const q = parseRequest(overviewQuery, c.req.query())
    const answer = await buildOverview(storage, q.year, { today: today() })
    if (q.format === 'json') return c.json(answer)
    return xlsx(await overviewWorkbook(answer), overviewFileName(q.year), `overview-${q.year}.xlsx`)
  })

  app.get('/ledger', async (c) => {
    const caller = requireCaller(c)
    const { role, id } = caller.actor
    if (role !== 'finance' && role !== 'consultant') throw new AppError('forbidden', '只有财政局和第三方机构可以查看工作台账')
    const q = parseRequest(ledgerQuery, c.req.query())
    if (role === 'consultant' && q.consultantId !== undefined && q.consultantId !== id) throw new AppError('forbidden', '第三方机构只能查看本机构的工作台账', { field: 'consultantId' })
    const consultantId = role === 'consultant' ? id : q.consultantId
    const answer = await buildLedger(storage, q.year, consultantId !== undefined ? { consultantId } : {}, { today: today() })
    if (q.format === 'json') return c.json(answer)
    return xlsx(await ledgerWorkbook(answer), ledgerFileName(q.year), `ledger-${q.year}.xlsx`)
  })

  const deadlineList = async (year: number): Promise<DeadlineListAnswer> => ({ year, deadlines: (await storage.workflow.deadlines(year)).map(toDeadline) })

  app.get('/deadlines', async (c) => {
    const caller = requireCaller(c)
    if (caller.actor.role !== 'finance' && caller.actor.role !== 'consultant') throw new AppError('forbidden', '只有财政局和第三方机构可以查看截止日期')
    const q = parseRequest(deadlineListQuery, c.req.query())
    return c.json(await deadlineList(q.year))
  })

  app.put('/deadlines', async (c) => {
    const who = requireRole(c, 'finance')
    const body = parseRequest(deadlineBody, await readJson(c))
    if (body.stage === 'materials') throw new AppError('invalid_input', `${STAGE_LABELS.materials}是第一个工作阶段，不设截止日期`, { field: 'stage' })
    if (body.dueDate === null) {
      const removed = await storage.workflow.clearDeadline(body.year, body.stage)
      if (removed) await storage.audit.record({ userId: who.user.id, action: 'deadline.clear', details: { year: body.year, stage: body.stage } })
    } else {
      const now = today()
      if (body.dueDate < now) throw new AppError('invalid_input', `截止日期不能早于今天（${now}）`, { field: 'dueDate', today: now })
      await storage.workflow.setDeadline({ year: body.year, stage: body.stage, dueDate: body.dueDate, setBy: who.user.id })
      await storage.audit.record({ userId: who.user.id, action: 'deadline.set', details: { year: body.year, stage: body.stage, dueDate: body.dueDate } })
    }
    return c.json(await deadlineList(body.year))
  })

  // answers the department's stage after the change (shared/api/workflow.ts stageInfo)
  app.put('/departments/:id/stage', async (c) => {
    const caller = requireCaller(c)
    const { actor } = caller
    if (actor.role !== 'finance' && actor.role !== 'consultant') throw new AppError('forbidden', '只有财政局和负责该部门的第三方机构可以设置工作阶段')
    const body = parseRequest(stageBody, await readJson(c))
    const departmentId = c.req.param('id')
    const department = await storage.departments.get(departmentId)
    if (!department) throw new AppError('not_found', `部门不存在：${departmentId}`, { field: 'id' })
    if (actor.role === 'consultant' && !departmentsFor(actor, body.year).includes(departmentId)) {
      throw new AppError('forbidden', `${body.year} 年${department.name}不由本机构负责，不能设置其工作阶段`, { field: 'id' })
    }
    if (department.kind === 'unit' && department.parentId) {
      const parent = await storage.departments.get(department.parentId)
      const parentName = parent?.name ?? department.parentId
      throw new AppError('invalid_input', `${department.name}是${parentName}的下属单位，工作阶段随${parentName}；请设置${parentName}的工作阶段`, { field: 'id', departmentId: department.parentId, departmentName: parentName })
    }
    const before = await storage.workflow.getStage(body.year, departmentId)
    if (body.stage === null) await storage.workflow.clearStage(body.year, departmentId)
    else await storage.workflow.setStage({ year: body.year, departmentId, stage: body.stage, note: body.note?.trim() ?? '', setBy: caller.user.id })
    await storage.audit.record({
      userId: caller.user.id,
      action: body.stage === null ? 'stage.clear' : 'stage.set',
      details: { year: body.year, departmentId, from: before?.stage ?? null, to: body.stage, note: body.note ?? null },
    })
    const view = await loadYear(storage, body.year, { today: today() })
    const node = view.byId.get(departmentId)
    if (!node) throw new AppError('not_found', `部门不存在：${departmentId}`, { field: 'id' })
    return c.json(node.stage satisfies StageInfo)
  })

  return app
}
