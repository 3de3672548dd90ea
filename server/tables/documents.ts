// Reading and seeding table documents: the live copy when a room holds it, else snapshot + log.
// Reading a comments document also keeps the table's stored count of open threads current.
import * as Y from 'yjs'
import type { LoadedDoc, Storage } from '../storage/index.ts'
import type { TargetTable } from '../../shared/model/index.ts'
import { toYDoc, fromYDoc, threadsRoot, type CommentThread } from '../../shared/ydoc/index.ts'
import { AppError } from '../../shared/errors.ts'

/** What the live-collaboration layer offers to REST: the in-memory document of a loaded room. */
export interface LiveDocs {
  get(tableId: string, room: 'table' | 'comments'): Y.Doc | undefined
}

function docOf({ snapshot, updates }: LoadedDoc): Y.Doc {
  const doc = new Y.Doc()
  doc.transact(() => {
    if (snapshot) Y.applyUpdate(doc, snapshot.state)
    for (const u of updates) Y.applyUpdate(doc, u.update)
  }, 'load')
  return doc
}

export async function loadStoredDoc(storage: Storage, tableId: string, room: 'table' | 'comments'): Promise<Y.Doc> {
  return docOf(await storage.docLog.loadDoc(tableId, room))
}

/**
 * readTableDoc of many tables: live copies where a room holds them, the rest read from storage together
 * (two queries, not one transaction per table). Unlike readTableDoc it stores no open-thread counts.
 */
export async function readTableDocs(storage: Storage, live: LiveDocs | undefined, tableIds: readonly string[], room: 'table' | 'comments' = 'table'): Promise<Map<string, Y.Doc>> {
  const out = new Map<string, Y.Doc>()
  for (const id of tableIds) {
    const doc = live?.get(id, room)
    if (doc) out.set(id, doc)
  }
  const stored = await storage.docLog.loadDocs(tableIds.filter((id) => !out.has(id)), room)
  for (const [id, loaded] of stored) out.set(id, docOf(loaded))
  return out
}

export async function readTableDoc(storage: Storage, live: LiveDocs | undefined, tableId: string, room: 'table' | 'comments' = 'table'): Promise<Y.Doc> {
  const doc = live?.get(tableId, room) ?? (await loadStoredDoc(storage, tableId, room))
  if (room === 'comments') noteOpenThreads(storage, tableId, countOpen(doc))
  return doc
}

/** Open threads of any round in a comments document (what blocks approval, what the list shows). */
export function countOpenThreads(threads: readonly Pick<CommentThread, 'status'>[]): number {
  let n = 0
  for (const t of threads) if (t.status === 'open') n++
  return n
}

function countOpen(doc: Y.Doc): number {
  let n = 0
  for (const t of threadsRoot(doc).values()) if (t.get('status') === 'open') n++
  return n
}

/**
 * Stores the count on the side: a route that read the comments document anyway answers without waiting.
 * WATCH OUT: not awaited, so `storage` must not be a transaction's (it may be over when this runs).
 */
function noteOpenThreads(storage: Storage, tableId: string, n: number): void {
  storage.tables.setOpenThreads(tableId, n).catch((err) => console.error('[tables] storing open threads failed', tableId, err instanceof Error ? err.message : err))
}

export async function readContent(storage: Storage, live: LiveDocs | undefined, tableId: string): Promise<TargetTable> {
  return contentOf(await readTableDoc(storage, live, tableId))
}

/** The table held by a table document. */
export function contentOf(doc: Y.Doc): TargetTable {
  const r = fromYDoc(doc)
  // WATCH OUT: the guard keeps stored documents parseable; reaching this means storage was altered by hand.
  if (!r.ok) throw new AppError('internal', '存储的表格内容无法解析', { problems: r.problems })
  return r.table
}

/** The first update of a new table's document: its whole initial content. */
export function initialUpdate(content: TargetTable): Uint8Array {
  return Y.encodeStateAsUpdate(toYDoc(content))
}
