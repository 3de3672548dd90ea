// Univer thread comments ⇄ the comments Y.Doc (CONTRACT: root `threads`, thread = {id, anchor:{rowId?,field?},
// round, status, authorId, createdAt, messages}). Threads are anchored to (row id, field), never to a grid
// address, so they follow rows that move; Univer only sees each thread at the cell its anchor has now.
import * as Y from 'yjs'
import type { FUniver } from '@univerjs/core/facade'
import type { UserManagerService } from '@univerjs/core'
import { addReply, addThread, readThreads, setThreadStatus, threadsRoot, type CommentAnchor, type CommentThread } from '../../shared/ydoc/index.ts'
import type { GridBinding } from './binding.ts'
import { topLeft } from '../../shared/layout/layout.ts'
import { textBody } from '../../shared/layout/codecs.ts'

const ADD = 'thread-comment.mutation.add-comment'
const UPDATE = 'thread-comment.mutation.update-comment'
const UPDATE_REF = 'thread-comment.mutation.update-comment-ref'
const RESOLVE = 'thread-comment.mutation.resolve-comment'
const DELETE = 'thread-comment.mutation.delete-comment'
const MUTATION = 2

/** Origin of comment writes made through this grid. */
export const LOCAL_COMMENT = Object.freeze({ source: 'grid-comment' })

export function toA1(r: number, c: number): string {
  let s = ''
  let n = c + 1
  while (n > 0) {
    const m = (n - 1) % 26
    s = String.fromCharCode(65 + m) + s
    n = Math.floor((n - 1) / 26)
  }
  return `${s}${r + 1}`
}

export function fromA1(ref: string): { row: number; col: number } | null {
  const m = /^([A-Z]+)(\d+)$/.exec(ref)
  if (!m) return null
  let c = 0
  for (const ch of m[1]!) c = c * 26 + (ch.charCodeAt(0) - 64)
  return { row: Number(m[2]) - 1, col: c - 1 }
}

export function anchorOf(key: string): CommentAnchor {
  const i = key.indexOf('|')
  const rowId = key.slice(0, i)
  const field = key.slice(i + 1)
  return rowId ? { rowId, field } : { field }
}

export function anchorKey(a: CommentAnchor): string {
  return `${a.rowId ?? ''}|${a.field ?? ''}`
}

function dT(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`
}

/**
 * A comment's text as a Univer document body. WATCH OUT: the comment panel (thread-comment-ui 0.25.1)
 * renders a body paragraph by paragraph, so a body without `paragraphs` shows as an empty card.
 */
export function commentBody(text: string): { dataStream: string; paragraphs: { startIndex: number }[] } {
  return textBody(text)
}

function plain(body: unknown): string {
  const ds = (body as { dataStream?: string } | undefined)?.dataStream ?? ''
  return ds.replace(/\r\n$/, '').replace(/[\r\n]+$/, '').replace(/\r/g, '\n')
}

interface Shown { threadId: string; parentId?: string; ref: string; text: string; resolved: boolean }

export interface CommentsOptions {
  api: FUniver
  binding: GridBinding
  doc: Y.Doc
  users: UserManagerService
  user: { id: string; name: string }
  round: number
  /** display names of other authors (user id → name) */
  names?: Map<string, string>
  /** false while the user may not comment (read-only table, viewer): Univer's comment commands are refused */
  canComment?: () => boolean
  /** false when the user may not resolve or reopen a thread (only reviewers may: the server refuses it) */
  canResolve?: () => boolean
  /** tells the user why an action was refused */
  onRefuse?: (message: string) => void
}

export interface CommentsController {
  threads(): CommentThread[]
  /** Adds a thread on the cell with `anchor` through the Y.Doc (tests, scripts). */
  add(anchor: CommentAnchor, text: string): string
  dispose(): void
}

export function bindComments(o: CommentsOptions): CommentsController {
  const { api, binding, doc } = o
  const unitId = binding.unitId
  const subUnitId = binding.sheetId
  const shown = new Map<string, Shown>()
  const exec = (id: string, params: object) => api.syncExecuteCommand(id, { unitId, subUnitId, ...params }, { fromCollab: true })

  const knowUser = (id: string) => {
    if (o.users.getUser(id)) return
    o.users.addUser({ userID: id, name: o.names?.get(id) ?? id, avatar: '' })
  }
  knowUser(o.user.id)

  /** Where a thread shows now: its anchor's cell, else the first cell of its row. */
  const refOf = (t: CommentThread): string | undefined => {
    const layout = binding.layout
    const pos = layout.anchors.get(anchorKey(t.anchor))
      ?? (t.anchor.rowId ? (layout.paths.get(`indicators#${t.anchor.rowId}`) ?? layout.paths.get(`tasks#${t.anchor.rowId}`))?.[0] : undefined)
    return pos ? toA1(pos.row, pos.col) : undefined
  }

  const reconcile = () => {
    const want = new Map<string, Shown & { personId: string; dT: string; order: number }>()
    let order = 0
    for (const t of readThreads(doc)) {
      const ref = refOf(t)
      if (!ref) continue // its row is not on this form (other half, deleted): hidden, not lost
      // Univer ids: every message keeps its own id; the thread id groups them (root id ≠ thread id)
      const rootId = t.messages[0]?.id ?? t.id
      t.messages.forEach((m, i) => {
        const entry: Shown & { personId: string; dT: string; order: number } = {
          threadId: t.id, ref, text: m.text, resolved: t.status === 'resolved', personId: m.authorId, dT: dT(m.createdAt), order: order++,
        }
        if (i > 0) entry.parentId = rootId
        want.set(m.id, entry)
      })
    }
    // replies before roots, so a root never disappears under its children
    const gone = [...shown.entries()].filter(([id]) => !want.has(id)).sort((a, b) => Number(!a[1].parentId) - Number(!b[1].parentId))
    for (const [id] of gone) {
      exec(DELETE, { commentId: id })
      shown.delete(id)
    }
    const adds = [...want.entries()].filter(([id]) => !shown.has(id)).sort((a, b) => Number(!!a[1].parentId) - Number(!!b[1].parentId) || a[1].order - b[1].order)
    for (const [id, w] of adds) {
      knowUser(w.personId)
      const comment: Record<string, unknown> = {
        id, threadId: w.threadId, ref: w.ref, unitId, subUnitId, personId: w.personId, dT: w.dT,
        text: commentBody(w.text), resolved: w.resolved,
      }
      if (w.parentId) comment.parentId = w.parentId
      exec(ADD, { comment })
      shown.set(id, { threadId: w.threadId, parentId: w.parentId, ref: w.ref, text: w.text, resolved: w.resolved })
    }
    for (const [id, w] of want) {
      const s = shown.get(id)
      if (!s) continue
      if (s.ref !== w.ref) { exec(UPDATE_REF, { payload: { commentId: id, ref: w.ref }, silent: true }); s.ref = w.ref }
      if (s.text !== w.text) { exec(UPDATE, { payload: { commentId: id, text: commentBody(w.text) }, silent: true }); s.text = w.text }
      if (!w.parentId && s.resolved !== w.resolved) { exec(RESOLVE, { commentId: id, resolved: w.resolved }); s.resolved = w.resolved }
    }
  }

  /** The Y thread holding the message with Univer comment id `commentId` (a thread id stands for its root). */
  const threadOf = (commentId: string): { thread: Y.Map<unknown>; index: number } | undefined => {
    for (const thread of threadsRoot(doc).values()) {
      const messages = thread.get('messages') as Y.Array<Y.Map<unknown>>
      const i = messages.toArray().findIndex((m) => m.get('id') === commentId)
      if (i >= 0) return { thread, index: i }
      if (thread.get('id') === commentId) return { thread, index: 0 }
    }
    return undefined
  }

  // The comments room never loses a thread or a reply (the server refuses deletions): resolving is
  // the way to close one. Refusing the command keeps Univer and the doc in step.
  const COMMENT_COMMANDS = /^thread-comment\.command\./
  const DELETE_COMMANDS = /^thread-comment\.command\.delete-comment/
  const RESOLVE_COMMANDS = /^thread-comment\.command\.resolve-comment/
  const onBefore = api.addEvent(api.Event.BeforeCommandExecute, (ev) => {
    if (!COMMENT_COMMANDS.test(ev.id)) return
    const p = ev.params as { unitId?: string } | undefined
    if (p?.unitId && p.unitId !== unitId) return
    if (o.canComment && !o.canComment()) {
      ev.cancel = true
      o.onRefuse?.('当前为只读状态，不能发表或处理意见')
    } else if (DELETE_COMMANDS.test(ev.id)) {
      ev.cancel = true
      o.onRefuse?.('意见和回复不能删除；处理完毕请标记为“已解决”')
    } else if (RESOLVE_COMMANDS.test(ev.id) && o.canResolve && !o.canResolve()) {
      ev.cancel = true
      o.onRefuse?.('只有财政局和第三方机构可以将意见标记为已解决；请在意见面板中答复“已修改”或“不采纳”')
    }
  })

  // ---- Univer → Y (the signed-in user's own comment actions) ----------------------------
  const onExec = api.addEvent(api.Event.CommandExecuted, (ev) => {
    if (ev.type !== MUTATION) return
    const opts = ev.options as { fromCollab?: boolean; onlyLocal?: boolean } | undefined
    if (opts?.fromCollab || opts?.onlyLocal) return
    const p = ev.params as Record<string, any> | undefined
    if (!p || p.unitId !== unitId) return
    if (ev.id === ADD) {
      const c = p.comment as { id: string; threadId?: string; parentId?: string; ref: string; text: unknown; personId: string }
      const text = plain(c.text)
      if (!c.parentId) {
        const at = fromA1(c.ref)
        if (!at) return
        const tl = topLeft(binding.layout, at.row, at.col)
        const key = binding.layout.cells[tl.row]?.[tl.col]?.anchor
        if (!key) return
        // WATCH OUT: Univer's root comment id and its thread id differ; the Y thread takes Univer's
        // thread id and its first message the root comment id, so every peer shows the same ids.
        const threadId = c.threadId || c.id
        doc.transact(() => {
          addThread(doc, { id: threadId, anchor: anchorOf(key), round: o.round, authorId: o.user.id, text }, LOCAL_COMMENT)
          const first = (threadsRoot(doc).get(threadId)?.get('messages') as Y.Array<Y.Map<unknown>> | undefined)?.get(0)
          first?.set('id', c.id)
        }, LOCAL_COMMENT)
        shown.set(c.id, { threadId, ref: c.ref, text, resolved: false })
      } else {
        const threadId = c.threadId || threadOf(c.parentId)?.thread.get('id') as string | undefined
        if (!threadId) return
        doc.transact(() => {
          const mid = addReply(doc, threadId, { authorId: o.user.id, text }, LOCAL_COMMENT)
          const messages = threadsRoot(doc).get(threadId)?.get('messages') as Y.Array<Y.Map<unknown>> | undefined
          messages?.toArray().find((m) => m.get('id') === mid)?.set('id', c.id)
        }, LOCAL_COMMENT)
        shown.set(c.id, { threadId, parentId: c.parentId, ref: c.ref, text, resolved: false })
      }
    } else if (ev.id === RESOLVE) {
      const hit = threadOf(p.commentId)
      if (!hit) return
      setThreadStatus(doc, String(hit.thread.get('id')), p.resolved ? 'resolved' : 'open', LOCAL_COMMENT, p.resolved ? { userId: o.user.id } : undefined)
      const s = shown.get(p.commentId)
      if (s) s.resolved = !!p.resolved
    } else if (ev.id === UPDATE) {
      const hit = threadOf(p.payload?.commentId)
      if (!hit) return
      const text = plain(p.payload.text)
      doc.transact(() => (hit.thread.get('messages') as Y.Array<Y.Map<unknown>>).get(hit.index).set('text', text), LOCAL_COMMENT)
      const s = shown.get(p.payload.commentId)
      if (s) s.text = text
    } else if (ev.id === DELETE) {
      const hit = threadOf(p.commentId)
      if (!hit) return
      doc.transact(() => {
        if (hit.index === 0) threadsRoot(doc).delete(String(hit.thread.get('id')))
        else (hit.thread.get('messages') as Y.Array<Y.Map<unknown>>).delete(hit.index, 1)
      }, LOCAL_COMMENT)
      shown.delete(p.commentId)
    }
  })

  // ---- Y → Univer ---------------------------------------------------------------------
  const onDeep = (_e: unknown, tr: Y.Transaction) => {
    if (tr.origin === LOCAL_COMMENT) return
    reconcile()
  }
  threadsRoot(doc).observeDeep(onDeep)
  const offRender = binding.onRender(reconcile) // rows moved: threads move with them
  reconcile()

  return {
    threads: () => readThreads(doc),
    add(anchor, text) {
      const id = addThread(doc, { anchor, round: o.round, authorId: o.user.id, text }, null)
      return id
    },
    dispose() {
      onBefore.dispose()
      onExec.dispose()
      offRender()
      threadsRoot(doc).unobserveDeep(onDeep)
    },
  }
}
