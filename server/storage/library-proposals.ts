// 指标建议 (proposals): a department proposes a new library entry or a change to one; finance accepts
// (the entry is created or changed through the library's versioned writes, in the same transaction as
// the proposal's decision) or rejects it with a reason. Contract: shared/api/library-proposals.ts.
import { and, count, desc, eq, inArray, sql, type SQL } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import { AppError } from '../../shared/errors.ts'
import { PROPOSAL_STATUS_LABELS, type ProposalKind, type ProposalStatus } from '../../shared/api/library-proposals.ts'
import type { Db } from '../db/open.ts'
import { mapDbErrors } from '../db/errors.ts'
import { departments, indicatorChanges, indicatorProposals, indicators, users } from '../db/schema.ts'
import { createLibraryRepository, type Indicator, type NewIndicator } from './library.ts'
import { notFound } from './input.ts'

export type ProposalRow = typeof indicatorProposals.$inferSelect

/** A proposal with the names a page shows and, when it names an entry, that entry as it is now. */
export interface ProposalView extends ProposalRow {
  departmentName: string | null
  proposedByName: string | null
  decidedByName: string | null
  /** the entry the proposal names, as it is now (null: none yet, or deleted meanwhile) */
  current: Indicator | null
}

export interface NewProposal {
  kind: ProposalKind
  /** `change` only */
  indicatorId?: string | null
  /** `change` only: the entry's version the proposer read */
  baseVersion?: number | null
  fields: Record<string, unknown>
  reason: string
  departmentId: string | null
  proposedBy: string | null
}

export interface ProposalListFilter {
  status?: ProposalStatus
  /** null/undefined: every department's (finance); else only proposals of these departments */
  departmentIds?: readonly string[] | null
  limit: number
  offset: number
}

export interface Decision {
  accept: boolean
  userId: string | null
  /** reject: required; accept: optional (recorded with the entry's history) */
  reason?: string | undefined
}

/** When and by whom an entry was deleted (its final history row), if it was. */
export interface DeletedEntry {
  at: Date
  byName: string | null
  reason: string
}

export interface ProposalRepository {
  create(input: NewProposal): Promise<ProposalView>
  get(id: string): Promise<ProposalView | null>
  /** pending first, then newest first; `total` is exact */
  list(filter: ProposalListFilter): Promise<{ rows: ProposalView[]; total: number }>
  /**
   * Accepts or rejects a pending proposal in one transaction with the entry's write: accepting `add`
   * creates the entry (history: 采纳部门建议：…), accepting `change` applies the proposed fields to the entry
   * as it is now (even when it moved past baseVersion; the history records the real before values).
   * `conflict` when the proposal was already decided, or (accept only) when its entry was deleted.
   */
  decide(id: string, decision: Decision): Promise<ProposalView>
  /** the entry's deletion (its last history row) when the entry is gone, else null */
  deletedEntry(indicatorId: string): Promise<DeletedEntry | null>
}

const proposer = alias(users, 'proposer')
const decider = alias(users, 'decider')

const fmt = (d: Date) => {
  const t = new Date(d)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())} ${p(t.getHours())}:${p(t.getMinutes())}`
}

/** The accept reason recorded in the entry's history. */
export function acceptReason(proposalReason: string, decisionReason?: string): string {
  const base = `采纳部门建议：${proposalReason}`
  return decisionReason ? `${base}（处理意见：${decisionReason}）` : base
}

export function createProposalRepository(db: Db): ProposalRepository {
  function select(d: Db) {
    return d
      .select({
        p: indicatorProposals,
        departmentName: departments.name,
        proposedByName: proposer.displayName,
        decidedByName: decider.displayName,
      })
      .from(indicatorProposals)
      .leftJoin(departments, eq(departments.id, indicatorProposals.departmentId))
      .leftJoin(proposer, eq(proposer.id, indicatorProposals.proposedBy))
      .leftJoin(decider, eq(decider.id, indicatorProposals.decidedBy))
  }

  async function withCurrent(d: Db, rows: { p: ProposalRow; departmentName: string | null; proposedByName: string | null; decidedByName: string | null }[]): Promise<ProposalView[]> {
    const ids = [...new Set(rows.map((r) => r.p.indicatorId).filter((x): x is string => !!x))]
    const entries = ids.length ? await d.select().from(indicators).where(inArray(indicators.id, ids)) : []
    const byId = new Map(entries.map((e) => [e.id, e]))
    return rows.map((r) => ({
      ...r.p,
      departmentName: r.departmentName ?? null,
      proposedByName: r.proposedByName ?? null,
      decidedByName: r.decidedByName ?? null,
      current: r.p.indicatorId ? byId.get(r.p.indicatorId) ?? null : null,
    }))
  }

  async function getWith(d: Db, id: string): Promise<ProposalView | null> {
    const rows = await select(d).where(eq(indicatorProposals.id, id))
    return rows[0] ? (await withCurrent(d, rows))[0]! : null
  }

  async function deletedEntry(d: Db, indicatorId: string): Promise<DeletedEntry | null> {
    const [entry] = await d.select({ id: indicators.id }).from(indicators).where(eq(indicators.id, indicatorId))
    if (entry) return null
    const [last] = await d
      .select({ at: indicatorChanges.at, byName: users.displayName, reason: indicatorChanges.reason })
      .from(indicatorChanges)
      .leftJoin(users, eq(users.id, indicatorChanges.changedBy))
      .where(eq(indicatorChanges.indicatorId, indicatorId))
      .orderBy(desc(indicatorChanges.version))
      .limit(1)
    return last ? { at: last.at, byName: last.byName ?? null, reason: last.reason } : null
  }

  return {
    async create(input) {
      const [row] = await mapDbErrors(
        () =>
          db
            .insert(indicatorProposals)
            .values({
              kind: input.kind,
              indicatorId: input.kind === 'change' ? input.indicatorId ?? null : null,
              baseVersion: input.kind === 'change' ? input.baseVersion ?? null : null,
              fields: input.fields,
              reason: input.reason,
              departmentId: input.departmentId,
              proposedBy: input.proposedBy,
            })
            .returning({ id: indicatorProposals.id }),
        { missingReference: '部门（departmentId）不存在' },
      )
      return (await getWith(db, row!.id))!
    },

    get: (id) => getWith(db, id),

    async list(filter) {
      const conditions: (SQL | undefined)[] = []
      if (filter.status) conditions.push(eq(indicatorProposals.status, filter.status))
      if (filter.departmentIds) {
        if (filter.departmentIds.length === 0) return { rows: [], total: 0 }
        conditions.push(inArray(indicatorProposals.departmentId, [...filter.departmentIds]))
      }
      const where = and(...conditions)
      const [n] = await db.select({ n: count() }).from(indicatorProposals).where(where)
      const rows = await select(db)
        .where(where)
        .orderBy(sql`case when ${indicatorProposals.status} = 'pending' then 0 else 1 end`, desc(indicatorProposals.createdAt), desc(indicatorProposals.id))
        .limit(filter.limit)
        .offset(filter.offset)
      return { rows: await withCurrent(db, rows), total: n?.n ?? 0 }
    },

    decide(id, decision) {
      return db.transaction(async (tx) => {
        const [p] = await tx.select().from(indicatorProposals).where(eq(indicatorProposals.id, id)).for('update')
        if (!p) throw notFound('指标建议', id)
        if (p.status !== 'pending') {
          throw new AppError('conflict', `该建议已于 ${fmt(p.decidedAt ?? p.createdAt)} 处理（${PROPOSAL_STATUS_LABELS[p.status]}），不能再次处理`, { status: p.status })
        }
        if (!decision.accept && !decision.reason?.trim()) {
          throw new AppError('invalid_input', '不采纳时处理意见（reason）必填', { field: 'reason' })
        }
        let indicatorId = p.indicatorId
        if (decision.accept) {
          const library = createLibraryRepository(tx)
          const change = { userId: decision.userId, reason: acceptReason(p.reason, decision.reason) }
          if (p.kind === 'add') {
            const created = await library.createVersioned(p.fields as unknown as NewIndicator, change)
            indicatorId = created.id
          } else {
            const [exists] = await tx.select({ id: indicators.id }).from(indicators).where(eq(indicators.id, p.indicatorId!)).for('update')
            if (!exists) {
              const gone = await deletedEntry(tx, p.indicatorId!)
              const when = gone ? `该指标已于 ${fmt(gone.at)} 被${gone.byName ?? '他人'}删除` : '该指标已被删除'
              throw new AppError('conflict', `${when}，不能采纳这条修改建议；可以不采纳并说明原因`, { indicatorId: p.indicatorId, field: 'indicatorId' })
            }
            await library.change(p.indicatorId!, p.fields as Partial<NewIndicator>, change)
          }
        }
        await tx
          .update(indicatorProposals)
          .set({
            status: decision.accept ? 'accepted' : 'rejected',
            indicatorId,
            decidedBy: decision.userId,
            decisionReason: decision.reason?.trim() || null,
            decidedAt: new Date(),
          })
          .where(eq(indicatorProposals.id, id))
        return (await getWith(tx, id))!
      })
    },

    deletedEntry: (indicatorId) => deletedEntry(db, indicatorId),
  }
}
