// Strict check of the comments room (CONTRACT.md): root `threads`, thread id → Y.Map {id, anchor, round,
// status, authorId, createdAt, messages: Y.Array<Y.Map{id, authorId, text, createdAt}>}, plus who may
// write what: new threads and messages carry the sender's id, only the author edits a message's text,
// and live clients delete nothing (a thread is closed by resolving it).
import * as Y from 'yjs'
import { z } from 'zod'
import { LIMITS, type ParseProblem } from '../../shared/model/index.ts'
import { COMMENTS_ROOT, DISPOSITIONS } from '../../shared/ydoc/index.ts'

const DISPOSITION_KEYS = ['disposition', 'dispositionReason', 'dispositionBy', 'dispositionAt']
import { changedPaths, isNewIn, keyOf, type ShapeChecker, type ShapeContext } from './shape.ts'
import type { AnyType } from './shape.ts'
import { hasContent } from './table-shape.ts'

export const COMMENT_LIMITS = Object.freeze({ threads: 5_000, messagesPerThread: 1_000, idLength: 100 })

const id = () => z.string().min(1).max(COMMENT_LIMITS.idLength)
const messageSchema = z.strictObject({
  id: id(),
  authorId: id(),
  text: z.string().max(LIMITS.longText, { error: `意见过长（最多 ${LIMITS.longText} 字）` }),
  createdAt: z.string().max(40),
})
const threadSchema = z.strictObject({
  id: id(),
  anchor: z.strictObject({ rowId: id().optional(), field: z.string().max(COMMENT_LIMITS.idLength).optional() }),
  round: z.number().int().min(0).max(10_000),
  status: z.enum(['open', 'resolved']),
  authorId: id(),
  createdAt: z.string().max(40),
  messages: z.array(messageSchema).max(COMMENT_LIMITS.messagesPerThread),
  disposition: z.enum(DISPOSITIONS).optional(),
  dispositionReason: z.string().max(LIMITS.longText, { error: `理由过长（最多 ${LIMITS.longText} 字）` }).optional(),
  dispositionBy: id().optional(),
  dispositionAt: z.string().max(40).optional(),
  resolvedBy: id().optional(),
  resolvedAt: z.string().max(40).optional(),
})
/** Keys of a thread that may change after creation (who may change which is checked below); the rest are fixed. */
const MUTABLE_THREAD_KEYS = new Set(['status', 'anchor', 'resolvedBy', 'resolvedAt', ...DISPOSITION_KEYS])
const REVIEWERS: ReadonlySet<string> = new Set(['finance', 'consultant'])
const DISPOSERS: ReadonlySet<string> = new Set(['finance', 'department'])

const problem = (path: string, code: string, message: string): ParseProblem => ({ path, code, message })

/**
 * Who may answer and who may close an opinion (issue 12: the department replies and marks 已修改 or 不采纳
 * with its reason; only a reviewer resolves). Checked on the keys this transaction changed.
 */
function checkRoles(key: string, thread: Y.Map<unknown>, changed: ReadonlySet<string>, ctx: ShapeContext): ParseProblem[] {
  const out: ParseProblem[] = []
  const role = ctx.role
  if (changed.has('status') || changed.has('resolvedBy') || changed.has('resolvedAt')) {
    if (role !== undefined && !REVIEWERS.has(role)) out.push(problem(`${key}.status`, 'forbidden', '只有财政局和第三方机构可以将意见标记为已解决或重新打开'))
    const by = thread.get('resolvedBy')
    if (changed.has('resolvedBy') && by !== undefined && by !== ctx.actorId) out.push(problem(`${key}.resolvedBy`, 'forbidden', '解决人必须是当前用户'))
  }
  if (DISPOSITION_KEYS.some((k) => changed.has(k))) {
    if (role !== undefined && !DISPOSERS.has(role)) out.push(problem(`${key}.disposition`, 'forbidden', '只有部门用户可以答复意见（已修改/不采纳）'))
    if (thread.get('dispositionBy') !== ctx.actorId) out.push(problem(`${key}.dispositionBy`, 'forbidden', '答复人必须是当前用户'))
    const reason = thread.get('dispositionReason')
    if (thread.get('disposition') === 'declined' && (typeof reason !== 'string' || reason.trim() === '')) {
      out.push(problem(`${key}.dispositionReason`, 'required', '标记“不采纳”必须填写理由'))
    }
  }
  return out
}

/** Layout + schema of one thread (Yjs types checked too: toJSON would hide a plain object in place of a Y.Map). */
function checkThread(key: string, thread: unknown): ParseProblem[] {
  if (!(thread instanceof Y.Map)) return [problem(key, 'type', `意见 ${key} 必须是 Y.Map`)]
  if (!(thread.get('anchor') instanceof Y.Map)) return [problem(`${key}.anchor`, 'type', '意见的位置（anchor）必须是 Y.Map')]
  const messages = thread.get('messages')
  if (!(messages instanceof Y.Array)) return [problem(`${key}.messages`, 'type', '意见的回复（messages）必须是 Y.Array')]
  for (const m of messages) if (!(m instanceof Y.Map)) return [problem(`${key}.messages`, 'type', '每条回复必须是 Y.Map')]
  const r = threadSchema.safeParse(thread.toJSON())
  if (!r.success) return r.error.issues.slice(0, 5).map((i) => problem([key, ...i.path].join('.'), 'invalid_value', `${[key, ...i.path].join('.')}：${i.message}`))
  if (r.data.id !== key) return [problem(`${key}.id`, 'invalid_value', '意见编号与其键不一致')]
  return []
}

export const commentsShapeChecker: ShapeChecker = {
  roots: [COMMENTS_ROOT],

  full(doc: Y.Doc): ParseProblem[] {
    for (const [name, type] of doc.share) {
      if (name !== COMMENTS_ROOT && hasContent(type)) return [problem(name, 'unknown_key', `文档含未知的根节点：${name}`)]
    }
    const root = doc.getMap<unknown>(COMMENTS_ROOT)
    if (root.size > COMMENT_LIMITS.threads) return [problem('', 'too_many', `意见过多（最多 ${COMMENT_LIMITS.threads} 条）`)]
    const out: ParseProblem[] = []
    for (const [key, thread] of root) out.push(...checkThread(key, thread))
    return out.slice(0, 20)
  },

  incremental(doc: Y.Doc, tr: Y.Transaction, ctx: ShapeContext): ParseProblem[] {
    const root = doc.getMap<unknown>(COMMENTS_ROOT)
    const threads = new Set<string>()
    const out: ParseProblem[] = []
    for (const p of changedPaths(doc, tr)) {
      if (p.root !== COMMENTS_ROOT) return [problem(p.root, 'unknown_key', `文档含未知的根节点：${p.root}`)]
      if (p.chain.length === 0) {
        for (const k of p.keys) {
          if (k === null) continue
          if (deletedFrom(root, tr, k)) out.push(problem(k, 'forbidden', '不能删除或替换意见；请改为标记“已解决”'))
          if (root.has(k)) threads.add(k)
        }
        continue
      }
      const thread = p.chain[0]!
      threads.add(keyOf(thread) ?? '')
      if (isNewIn(thread, tr)) continue
      // an existing thread: which of its parts changed?
      if (p.chain.length === 1) {
        for (const k of p.keys) if (k !== null && !MUTABLE_THREAD_KEYS.has(k)) out.push(problem(`${keyOf(thread)}.${k}`, 'forbidden', `意见的 ${k} 创建后不能修改`))
        const changed = new Set([...p.keys].filter((k): k is string => k !== null))
        if (thread instanceof Y.Map) out.push(...checkRoles(keyOf(thread) ?? '', thread, changed, ctx))
      } else if (keyOf(p.chain[1]!) === 'messages') {
        const messages = p.chain[1] as Y.Array<unknown>
        if (p.chain.length === 2) {
          if (deletedFrom(messages, tr)) out.push(problem(`${keyOf(thread)}.messages`, 'forbidden', '不能删除回复'))
        } else {
          const message = p.chain[2]!
          if (!isNewIn(message, tr) && message instanceof Y.Map) {
            const author = message.get('authorId')
            if (author !== ctx.actorId) out.push(problem(`${keyOf(thread)}.messages`, 'forbidden', '只能修改自己发表的回复'))
            for (const k of p.keys) if (k !== 'text') out.push(problem(`${keyOf(thread)}.messages.${k ?? ''}`, 'forbidden', `回复的 ${k ?? ''} 不能修改`))
          }
        }
      }
    }
    if (root.size > COMMENT_LIMITS.threads) out.push(problem('', 'too_many', `意见过多（最多 ${COMMENT_LIMITS.threads} 条）`))
    for (const key of threads) {
      const thread = root.get(key)
      if (thread === undefined) continue
      const problems = checkThread(key, thread)
      out.push(...problems)
      if (problems.length || !(thread instanceof Y.Map)) continue
      // authorship of what this transaction created
      if (isNewIn(thread, tr) && thread.get('authorId') !== ctx.actorId) out.push(problem(`${key}.authorId`, 'forbidden', '新意见的作者必须是当前用户'))
      // a new thread is born open and unanswered: resolving or answering is a later step, checked above
      if (isNewIn(thread, tr) && (thread.get('status') !== 'open' || DISPOSITION_KEYS.some((k) => thread.has(k)) || thread.has('resolvedBy'))) {
        out.push(problem(`${key}.status`, 'forbidden', '新意见必须是未解决、未答复的状态'))
      }
      for (const m of thread.get('messages') as Y.Array<Y.Map<unknown>>) {
        if (isNewIn(m, tr) && m.get('authorId') !== ctx.actorId) out.push(problem(`${key}.messages`, 'forbidden', '新回复的作者必须是当前用户'))
      }
    }
    return out.slice(0, 20)
  },
}

/** True when `tr` deleted an entry of `parent` (under `key`, for a map) that existed before it. */
function deletedFrom(parent: AnyType, tr: Y.Transaction, key?: string): boolean {
  let found = false
  Y.iterateDeletedStructs(tr, tr.deleteSet, (struct) => {
    if (found || !(struct instanceof Y.Item) || struct.parent !== parent) return
    if (key !== undefined && struct.parentSub !== key) return
    if (struct.id.clock < (tr.beforeState.get(struct.id.client) ?? 0)) found = true
  })
  return found
}
