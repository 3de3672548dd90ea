// Reading and seeding table documents: the live copy when a room holds it, else snapshot + log.
import * as Y from 'yjs'
import type { Storage } from '../storage/index.ts'
import type { TargetTable } from '../../shared/model/index.ts'
import { toYDoc, fromYDoc } from '../../shared/ydoc/index.ts'
import { AppError } from '../../shared/errors.ts'

/** What the live-collaboration layer offers to REST: the in-memory document of a loaded room. */
export interface LiveDocs {
  get(tableId: string, room: 'table' | 'comments'): Y.Doc | undefined
}

export async function loadStoredDoc(storage: Storage, tableId: string, room: 'table' | 'comments'): Promise<Y.Doc> {
  const { snapshot, updates } = await storage.docLog.loadDoc(tableId, room)
  const doc = new Y.Doc()
  doc.transact(() => {
    if (snapshot) Y.applyUpdate(doc, snapshot.state)
    for (const u of updates) Y.applyUpdate(doc, u.update)
  }, 'load')
  return doc
}

export async function readTableDoc(storage: Storage, live: LiveDocs | undefined, tableId: string, room: 'table' | 'comments' = 'table'): Promise<Y.Doc> {
  return live?.get(tableId, room) ?? (await loadStoredDoc(storage, tableId, room))
}

export async function readContent(storage: Storage, live: LiveDocs | undefined, tableId: string): Promise<TargetTable> {
  const doc = await readTableDoc(storage, live, tableId)
  const r = fromYDoc(doc)
  // WATCH OUT: the guard keeps stored documents parseable; reaching this means storage was altered by hand.
  if (!r.ok) throw new AppError('internal', '存储的表格内容无法解析', { problems: r.problems })
  return r.table
}

/** The first update of a new table's document: its whole initial content. */
export function initialUpdate(content: TargetTable): Uint8Array {
  return Y.encodeStateAsUpdate(toYDoc(content))
}
