// The comments room's Yjs layout (CONTRACT.md): root `doc.getMap('threads')`, thread id →
// Y.Map {id, anchor:{rowId?,field?}, round, status, authorId, createdAt, messages: Y.Array<Y.Map>}, and
// once answered the department's disposition (已修改 / 不采纳 with its reason) and who resolved it.
import * as Y from 'yjs'
import { newId } from '../model/index.ts'

export const COMMENTS_ROOT = 'threads'
export type ThreadStatus = 'open' | 'resolved'
/** the department's answer to an opinion: 已修改 (revised) or 不采纳 (declined, with a reason) */
export const DISPOSITIONS = ['revised', 'declined'] as const
export type Disposition = (typeof DISPOSITIONS)[number]
export const DISPOSITION_LABELS: Readonly<Record<Disposition, string>> = { revised: '已修改', declined: '不采纳' }

export interface CommentAnchor { rowId?: string; field?: string }
export interface CommentMessage { id: string; authorId: string; text: string; createdAt: string }
export interface CommentThread {
  id: string
  anchor: CommentAnchor
  round: number
  status: ThreadStatus
  authorId: string
  createdAt: string
  messages: CommentMessage[]
  disposition?: Disposition
  dispositionReason?: string
  dispositionBy?: string
  dispositionAt?: string
  resolvedBy?: string
  resolvedAt?: string
}

export function threadsRoot(doc: Y.Doc): Y.Map<Y.Map<unknown>> {
  return doc.getMap(COMMENTS_ROOT)
}

function messageMap(m: CommentMessage): Y.Map<unknown> {
  const map = new Y.Map<unknown>()
  for (const [k, v] of Object.entries(m)) map.set(k, v)
  return map
}

export function addThread(
  doc: Y.Doc,
  input: { anchor: CommentAnchor; round: number; authorId: string; text: string; id?: string; now?: Date },
  origin: unknown = null,
): string {
  const id = input.id ?? newId('c')
  const createdAt = (input.now ?? new Date()).toISOString()
  doc.transact(() => {
    const thread = new Y.Map<unknown>()
    const anchor = new Y.Map<unknown>()
    if (input.anchor.rowId) anchor.set('rowId', input.anchor.rowId)
    if (input.anchor.field) anchor.set('field', input.anchor.field)
    thread.set('id', id)
    thread.set('anchor', anchor)
    thread.set('round', input.round)
    thread.set('status', 'open')
    thread.set('authorId', input.authorId)
    thread.set('createdAt', createdAt)
    const messages = new Y.Array<Y.Map<unknown>>()
    messages.push([messageMap({ id: newId('m'), authorId: input.authorId, text: input.text, createdAt })])
    thread.set('messages', messages)
    threadsRoot(doc).set(id, thread)
  }, origin)
  return id
}

export function addReply(doc: Y.Doc, threadId: string, input: { authorId: string; text: string; now?: Date }, origin: unknown = null): string | undefined {
  const thread = threadsRoot(doc).get(threadId)
  if (!thread) return undefined
  const id = newId('m')
  doc.transact(() => {
    const messages = thread.get('messages') as Y.Array<Y.Map<unknown>>
    messages.push([messageMap({ id, authorId: input.authorId, text: input.text, createdAt: (input.now ?? new Date()).toISOString() })])
  }, origin)
  return id
}

/** Resolves (with who and when) or reopens a thread; only a reviewer may resolve (the server's guard checks). */
export function setThreadStatus(doc: Y.Doc, threadId: string, status: ThreadStatus, origin: unknown = null, by?: { userId: string; now?: Date }): boolean {
  const thread = threadsRoot(doc).get(threadId)
  if (!thread) return false
  doc.transact(() => {
    thread.set('status', status)
    if (status === 'resolved' && by) {
      thread.set('resolvedBy', by.userId)
      thread.set('resolvedAt', (by.now ?? new Date()).toISOString())
    }
  }, origin)
  return true
}

/** The department marks an opinion 已修改 or 不采纳 (a reason is required for 不采纳: the guard refuses a blank one). */
export function setDisposition(
  doc: Y.Doc,
  threadId: string,
  input: { disposition: Disposition; reason?: string; userId: string; now?: Date },
  origin: unknown = null,
): boolean {
  const thread = threadsRoot(doc).get(threadId)
  if (!thread) return false
  doc.transact(() => {
    thread.set('disposition', input.disposition)
    thread.set('dispositionReason', input.reason ?? '')
    thread.set('dispositionBy', input.userId)
    thread.set('dispositionAt', (input.now ?? new Date()).toISOString())
  }, origin)
  return true
}

export function readThreads(doc: Y.Doc): CommentThread[] {
  return [...threadsRoot(doc).values()].map((t) => t.toJSON() as CommentThread).sort((a, b) => a.createdAt.localeCompare(b.createdAt))
}
