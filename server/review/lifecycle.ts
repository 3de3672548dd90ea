// The lifecycle of a table: 报送 (submit) opens a 征求意见 round and freezes a version, 退回修改 (return)
// and 调整 (reopen) need a reason, 审核通过 (approve) freezes the approved version. Gates: no error
// findings to submit or approve; no open opinion of any round to approve. A transition that raced
// another one fails with `conflict` (the row moves only if it still holds the state read here).
import { AppError } from '../../shared/errors.ts'
import type { TargetTable } from '../../shared/model/index.ts'
import type { TableStatus } from '../../shared/permissions.ts'
import { TRANSITION_LABELS, type BlockedDetails, type Transition, type TransitionAnswer } from '../../shared/api/tables.ts'
import { readThreads, type CommentThread } from '../../shared/ydoc/index.ts'
import type { Finding } from '../../shared/rules/index.ts'
import type { Caller } from '../auth/session.ts'
import type { AppDeps } from '../http/context.ts'
import type { TableRow } from '../storage/index.ts'
import { readContent, readTableDoc } from '../tables/documents.ts'
import { syncUsagesQuietly } from '../library/learning.ts'

/** what a held gate reports (409 blocked): the error findings and the open opinions, each linkable in the page */
export type GateDetails = BlockedDetails

export async function openThreadsOf(deps: AppDeps, tableId: string): Promise<CommentThread[]> {
  const doc = await readTableDoc(deps.storage, deps.live, tableId, 'comments')
  return readThreads(doc).filter((t) => t.status === 'open')
}

async function gate(deps: AppDeps, table: TableRow, action: 'submit' | 'approve'): Promise<TargetTable> {
  const content = await readContent(deps.storage, deps.live, table.id)
  const findings = (await deps.findings.refresh(table.id, content)).findings.filter((f) => f.severity === 'error')
  // every round's open opinions block approval, not only the current round's: an opinion of round 1
  // left open when round 2 was opened is still unanswered
  const open = action === 'approve' ? await openThreadsOf(deps, table.id) : []
  if (findings.length || open.length) {
    const why = [findings.length ? `${findings.length} 项错误未修正` : '', open.length ? `${open.length} 条审核意见未解决` : ''].filter(Boolean).join('，')
    const openThreads: GateDetails['openThreads'] = open.map((t) => ({ id: t.id, anchor: t.anchor, round: t.round, authorId: t.authorId, createdAt: t.createdAt, text: t.messages[0]?.text ?? '' }))
    const details: GateDetails = { findings, openThreads }
    throw new AppError('blocked', `不能${TRANSITION_LABELS[action]}：${why}`, details)
  }
  return content
}

function requireReason(action: Transition, reason: string | undefined): string {
  const r = reason?.trim() ?? ''
  if (!r) throw new AppError('invalid_input', `${TRANSITION_LABELS[action]}必须填写原因（reason）`, { field: 'reason' })
  return r
}

export async function runTransition(deps: AppDeps, caller: Caller, table: TableRow, action: Transition, rawReason: string | undefined): Promise<TransitionAnswer> {
  const { storage } = deps
  const expected = { status: table.status, round: table.round, version: table.version }
  const reason = action === 'return' || action === 'reopen' ? requireReason(action, rawReason) : rawReason?.trim() || null
  let next: { status: TableStatus; round?: number; version?: number }
  let freeze: { content: TargetTable; reason: 'submitted' | 'approved' } | undefined
  let openRound = false

  switch (action) {
    case 'submit': {
      const content = await gate(deps, table, 'submit')
      // round n opens with the n-th submit; a draft's first submit opens the round it already shows
      const current = await storage.rounds.get(table.id, table.round)
      next = { status: 'submitted', round: current ? table.round + 1 : table.round, version: table.version + 1 }
      freeze = { content, reason: 'submitted' }
      openRound = true
      break
    }
    case 'approve': {
      const content = await gate(deps, table, 'approve')
      next = { status: 'approved', version: table.version + 1 }
      freeze = { content, reason: 'approved' }
      break
    }
    case 'return':
      next = { status: 'returned' }
      break
    case 'reopen':
      next = { status: 'draft' }
      break
  }

  const updated = await storage.transaction(async (tx) => {
    const row = await tx.tables.updateState(table.id, expected, next)
    if (freeze) await tx.versions.freeze({ tableId: table.id, version: row.version, round: row.round, reason: freeze.reason, content: freeze.content, createdBy: caller.user.id })
    if (openRound) await tx.rounds.open({ tableId: table.id, round: row.round, version: row.version, submittedBy: caller.user.id })
    await tx.audit.record({
      userId: caller.user.id,
      action: `table.${action}`,
      tableId: table.id,
      details: { reason, from: expected, to: { status: row.status, round: row.round, version: row.version } },
    })
    return row
  })
  deps.onTableStateChanged?.(table.id)
  // learning (指标库使用情况): an approval links the table's rows to library entries, 调整 removes them; a
  // failure is logged and left to the backfill — the transition has happened
  if (action === 'approve' || action === 'reopen') await syncUsagesQuietly(storage, table.id)
  return { status: updated.status, round: updated.round, version: updated.version }
}
