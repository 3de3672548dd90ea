// 指标建议 and deleting library entries: departments propose a new entry or a change (finance and
// consultants edit directly), finance accepts (the entry is written in the same transaction) or rejects
// with a reason, and finance deletes an entry with a reason (its history is kept). Every action audited.
// Mounted before indicatorRoutes: `/indicators/proposals` must not be read as `/indicators/:id`.
// Contract: shared/api/library-proposals.ts.
import { Hono, type Context } from 'hono'
import {
  createProposalBody, decideProposalBody, deleteIndicatorBody, proposalListQuery, type DeleteIndicatorAnswer,
  type Proposal, type ProposalAnswer, type ProposalListAnswer,
} from '../../../shared/api/library-proposals.ts'
import { AppError } from '../../../shared/errors.ts'
import type { Caller } from '../../auth/session.ts'
import { decodeCursor, encodeCursor, toEntry } from '../../library/service.ts'
import type { ProposalView } from '../../storage/index.ts'
import type { AppDeps, AppEnv } from '../context.ts'
import { parseRequest, readJson, requireCaller } from '../guards.ts'

const iso = (d: Date | string) => new Date(d).toISOString()

export function toProposal(p: ProposalView): Proposal {
  return {
    id: p.id,
    kind: p.kind,
    indicatorId: p.indicatorId,
    baseVersion: p.baseVersion,
    fields: p.fields,
    reason: p.reason,
    departmentId: p.departmentId,
    departmentName: p.departmentName,
    proposedBy: p.proposedBy,
    proposedByName: p.proposedByName,
    status: p.status,
    decidedBy: p.decidedBy,
    decidedByName: p.decidedByName,
    decisionReason: p.decisionReason,
    decidedAt: p.decidedAt ? iso(p.decidedAt) : null,
    createdAt: iso(p.createdAt),
    current: p.current ? toEntry(p.current) : null,
  }
}

/** A body that may be absent (accept): no body reads as {}. */
async function optionalJson(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text()
  if (!text.trim()) return {}
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new AppError('invalid_input', '请求体必须是 JSON')
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AppError('invalid_input', '请求体必须是 JSON 对象')
  return body as Record<string, unknown>
}

function requireFinance(caller: Caller, what: string): void {
  if (caller.actor.role !== 'finance') throw new AppError('forbidden', `只有财政局可以${what}`)
}

/** The department a proposal speaks for: the one named (one of the caller's), else the caller's only one. */
function proposingDepartment(caller: Caller, named: string | undefined): string {
  const own = caller.actor.departmentIds
  if (named) {
    if (!own.includes(named)) throw new AppError('invalid_input', `部门（departmentId）不是您所在的部门：${named}`, { field: 'departmentId' })
    return named
  }
  const direct = caller.user.departmentIds
  if (direct.length === 1) return direct[0]!
  if (direct.length === 0) throw new AppError('forbidden', '您的账号未归属任何部门，不能提出指标建议')
  throw new AppError('invalid_input', '您属于多个部门，请选择以哪个部门提出建议（departmentId）', { field: 'departmentId' })
}

export function indicatorProposalRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>()
  const { storage } = deps

  app.get('/indicators/proposals', async (c) => {
    const caller = requireCaller(c)
    const { status, limit, cursor } = parseRequest(proposalListQuery, c.req.query())
    const offset = decodeCursor(cursor)
    const { rows, total } = await storage.proposals.list({
      ...(status ? { status } : {}),
      departmentIds: caller.actor.role === 'finance' ? null : caller.actor.departmentIds,
      limit,
      offset,
    })
    const next = offset + limit
    return c.json({ proposals: rows.map(toProposal), total, nextCursor: next < total ? encodeCursor(next) : null } satisfies ProposalListAnswer)
  })

  app.post('/indicators/proposals', async (c) => {
    const caller = requireCaller(c)
    const role = caller.actor.role
    if (role === 'finance' || role === 'consultant') {
      throw new AppError('forbidden', '财政局和第三方机构可直接在指标库中新增或修改指标，无需提出建议')
    }
    if (role !== 'department') throw new AppError('forbidden', '只读用户不能提出指标建议')
    const body = parseRequest(createProposalBody, await readJson(c))
    const departmentId = proposingDepartment(caller, body.departmentId)
    const entryDepartment = body.fields.departmentId
    if (entryDepartment && !caller.actor.departmentIds.includes(entryDepartment)) {
      throw new AppError('invalid_input', `所属部门（fields.departmentId）只能是全局或您所在的部门：${entryDepartment}`, { field: 'fields.departmentId' })
    }
    let baseVersion: number | null = null
    let indicatorId: string | null = null
    if (body.kind === 'change') {
      if (Object.keys(body.fields).length === 0) throw new AppError('invalid_input', '建议修改的字段（fields）不能为空：至少填写一项要改的内容', { field: 'fields' })
      const entry = await storage.library.get(body.indicatorId)
      if (!entry) throw new AppError('invalid_input', `指标（indicatorId）不存在：${body.indicatorId}`, { field: 'indicatorId' })
      if (body.baseVersion > entry.version) {
        throw new AppError('invalid_input', `版本（baseVersion）不存在：该指标当前为第 ${entry.version} 版`, { field: 'baseVersion' })
      }
      indicatorId = entry.id
      baseVersion = body.baseVersion
    }
    const created = await storage.transaction(async (tx) => {
      const p = await tx.proposals.create({ kind: body.kind, indicatorId, baseVersion, fields: body.fields, reason: body.reason, departmentId, proposedBy: caller.user.id })
      await tx.audit.record({ userId: caller.user.id, action: 'library.proposal.create', details: { proposalId: p.id, kind: p.kind, indicatorId, departmentId } })
      return p
    })
    return c.json({ proposal: toProposal(created) } satisfies ProposalAnswer, 201)
  })

  for (const verb of ['accept', 'reject'] as const) {
    app.post(`/indicators/proposals/:id/${verb}`, async (c) => {
      const caller = requireCaller(c)
      requireFinance(caller, '处理指标建议')
      const { reason } = parseRequest(decideProposalBody, await optionalJson(c))
      if (verb === 'reject' && !reason) throw new AppError('invalid_input', '不采纳时处理意见（reason）必填', { field: 'reason' })
      const id = c.req.param('id')
      const decided = await storage.transaction(async (tx) => {
        const p = await tx.proposals.decide(id, { accept: verb === 'accept', userId: caller.user.id, reason })
        await tx.audit.record({
          userId: caller.user.id, action: `library.proposal.${verb}`,
          details: { proposalId: p.id, kind: p.kind, indicatorId: p.indicatorId, departmentId: p.departmentId, reason: reason ?? null },
        })
        return p
      })
      return c.json({ proposal: toProposal(decided) } satisfies ProposalAnswer)
    })
  }

  app.delete('/indicators/:id', async (c) => {
    const caller = requireCaller(c)
    requireFinance(caller, '删除指标')
    const { reason } = parseRequest(deleteIndicatorBody, await optionalJson(c))
    const id = c.req.param('id')
    const removed = await storage.transaction(async (tx) => {
      const row = await tx.library.removeVersioned(id, { userId: caller.user.id, reason: `删除指标：${reason}` })
      await tx.audit.record({ userId: caller.user.id, action: 'library.delete', details: { indicatorId: id, level3: row.level3, reason } })
      return row
    })
    return c.json({ indicator: toEntry(removed) } satisfies DeleteIndicatorAnswer)
  })

  return app
}
