// A table's lifecycle and review rounds: transitions (报送/退回修改/审核通过/调整), deletion, the
// 征求意见 rounds with their grades, and the frozen versions. Permission first in every route.
import { Hono } from 'hono'
import { z } from 'zod'
import { AppError } from '../../../shared/errors.ts'
import { STATUS_LABELS, TRANSITION_LABELS, deleteTableBody, transitionBody, type Transition } from '../../../shared/api/tables.ts'
import { can, type TableStatus } from '../../../shared/permissions.ts'
import type { Caller } from '../../auth/session.ts'
import { reviewBody, type RoundSummary, type VersionSummary } from '../../../shared/api/review.ts'
import { readThreads } from '../../../shared/ydoc/index.ts'
import { runTransition } from '../../review/lifecycle.ts'
import { userNames } from '../../review/people.ts'
import type { TableRow, TableVersionSummary } from '../../storage/index.ts'
import { readTableDoc } from '../../tables/documents.ts'
import type { AppDeps, AppEnv } from '../context.ts'
import { parseRequest, readJson, requireCaller, requireTable } from '../guards.ts'


const versionParam = z.coerce.number().int().min(1)

/**
 * The round in a path: one the table has had, 1 … its current round (round 1 is there from the start:
 * opinions on a 初稿 belong to it). A malformed number is invalid input; a round past the table's is not found.
 */
export function roundInPath(raw: string, table: Pick<TableRow, 'round'>): number {
  const shown = raw.length > 20 ? `${raw.slice(0, 20)}…` : raw
  if (!/^\d+$/.test(raw)) throw new AppError('invalid_input', `轮次「${shown}」格式不正确：轮次应为从 1 开始的整数`, { field: 'round' })
  const n = Number(raw)
  if (n < 1) throw new AppError('not_found', `第 ${n} 轮不存在（轮次从 1 开始）`, { field: 'round' })
  if (n > table.round) throw new AppError('not_found', `第 ${shown} 轮不存在（该表当前为第 ${table.round} 轮）`, { field: 'round', currentRound: table.round })
  return n
}

/** A round that can be graded: it exists and was opened by a submit (its row holds the grades). */
export async function requireSubmittedRound(deps: AppDeps, table: TableRow, raw: string) {
  const n = roundInPath(raw, table)
  const round = await deps.storage.rounds.get(table.id, n)
  if (!round) throw new AppError('conflict', `第 ${n} 轮尚未报送，报送后才能评审`, { field: 'round', round: n })
  return round
}

/** the statuses each transition starts from */
const FROM: Readonly<Record<Transition, TableStatus>> = { submit: 'draft', return: 'submitted', approve: 'submitted', reopen: 'approved' }

/**
 * A transition the caller could take, but not from the table's current status, is a state conflict
 * (409: someone moved the table first — two approvals racing), not a lack of rights (403).
 */
function assertTransitionAllowed(caller: Caller, table: TableRow, action: Transition): void {
  const ref = { departmentId: table.departmentId, status: table.status, classified: table.classified, year: table.year }
  const decision = can(caller.actor, action, ref)
  if (decision.allowed) return
  if (can(caller.actor, action, { ...ref, status: FROM[action] }).allowed) {
    throw new AppError('conflict', `该表当前状态为「${STATUS_LABELS[table.status]}」，不能${TRANSITION_LABELS[action]}；请刷新后重试`, {
      action,
      actual: { status: table.status, round: table.round, version: table.version },
    })
  }
  throw new AppError('forbidden', decision.reason, { action })
}

function versionSummary(v: TableVersionSummary, names: Map<string, string>): VersionSummary {
  return { version: v.version, round: v.round, reason: v.reason, hash: v.hash, createdBy: v.createdBy, createdByName: v.createdBy ? names.get(v.createdBy) ?? '' : '', createdAt: v.createdAt.toISOString() }
}

export function tableLifecycleRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>()
  const { storage } = deps

  app.post('/:id/transitions', async (c) => {
    const caller = requireCaller(c)
    const { action, reason } = parseRequest(transitionBody, await readJson(c))
    const table = await requireTable(storage, caller, c.req.param('id'), 'read')
    assertTransitionAllowed(caller, table, action)
    return c.json(await runTransition(deps, caller, table, action, reason))
  })

  app.delete('/:id', async (c) => {
    const caller = requireCaller(c)
    const raw = c.req.header('content-type')?.includes('json') ? await readJson(c) : {}
    const body = parseRequest(deleteTableBody, raw)
    const table = await requireTable(storage, caller, c.req.param('id'), 'delete')
    await storage.transaction(async (tx) => {
      await tx.tables.softDelete(table.id, caller.user.id)
      await tx.usages.removeForTable(table.id) // a deleted table no longer counts as a use of library entries
      await tx.audit.record({
        userId: caller.user.id,
        action: 'table.delete',
        tableId: table.id,
        details: { reason: body.reason?.trim() || null, title: table.title, departmentId: table.departmentId, year: table.year, status: table.status },
      })
    })
    // live rooms of a deleted table close (their table no longer resolves)
    deps.onTableStateChanged?.(table.id)
    return c.json({ id: table.id, deleted: true })
  })

  app.get('/:id/rounds', async (c) => {
    const caller = requireCaller(c)
    const table = await requireTable(storage, caller, c.req.param('id'), 'read')
    const [rounds, doc] = await Promise.all([storage.rounds.list(table.id), readTableDoc(storage, deps.live, table.id, 'comments')])
    const threads = readThreads(doc)
    const names = await userNames(storage, rounds.flatMap((r) => [r.submittedBy, r.reviewedBy]))
    const answer: RoundSummary[] = rounds.map((r) => {
      const own = threads.filter((t) => t.round === r.round)
      return {
        round: r.round,
        version: r.version,
        submittedAt: r.submittedAt.toISOString(),
        submittedBy: r.submittedBy,
        submittedByName: r.submittedBy ? names.get(r.submittedBy) ?? '' : '',
        review: r.grades && r.verdict && r.reviewedAt
          ? { grades: r.grades, verdict: r.verdict, comment: r.comment, by: r.reviewedBy, byName: r.reviewedBy ? names.get(r.reviewedBy) ?? '' : '', at: r.reviewedAt.toISOString() }
          : null,
        threads: { open: own.filter((t) => t.status === 'open').length, resolved: own.filter((t) => t.status === 'resolved').length },
      }
    })
    return c.json({ rounds: answer })
  })

  app.put('/:id/rounds/:n/review', async (c) => {
    const caller = requireCaller(c)
    const review = parseRequest(reviewBody, await readJson(c))
    const table = await requireTable(storage, caller, c.req.param('id'), 'review')
    const round = await requireSubmittedRound(deps, table, c.req.param('n'))
    const { grades, verdict, comment } = review
    const row = await storage.transaction(async (tx) => {
      const r = await tx.rounds.review(table.id, round.round, { grades, verdict, comment: comment?.trim() || null, reviewedBy: caller.user.id })
      await tx.audit.record({ userId: caller.user.id, action: 'table.review', tableId: table.id, details: { round: round.round, grades, verdict, comment: comment ?? null, reason: comment ?? null } })
      return r
    })
    return c.json({ round: row.round, review: { grades: row.grades, verdict: row.verdict, comment: row.comment, by: row.reviewedBy, byName: caller.user.displayName, at: row.reviewedAt?.toISOString() } })
  })

  app.get('/:id/versions', async (c) => {
    const caller = requireCaller(c)
    const table = await requireTable(storage, caller, c.req.param('id'), 'read')
    const versions = await storage.versions.list(table.id)
    const names = await userNames(storage, versions.map((v) => v.createdBy))
    return c.json({ versions: versions.map((v) => versionSummary(v, names)) })
  })

  app.get('/:id/versions/:v', async (c) => {
    const caller = requireCaller(c)
    const table = await requireTable(storage, caller, c.req.param('id'), 'read')
    const raw = c.req.param('v')
    const v = versionParam.safeParse(raw)
    if (!v.success) throw new AppError('invalid_input', `版本号（${raw}）必须是从 1 开始的整数`, { field: 'version' })
    const row = await storage.versions.get(table.id, v.data)
    if (!row) throw new AppError('not_found', table.version ? `版本 ${v.data} 不存在（该表共 ${table.version} 个版本）` : `版本 ${v.data} 不存在（该表尚无冻结的版本）`, { version: v.data })
    const names = await userNames(storage, [row.createdBy])
    return c.json({ ...versionSummary(row, names), content: row.content })
  })

  return app
}
