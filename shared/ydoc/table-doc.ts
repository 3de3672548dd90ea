// Whole-table conversion between the JSON content and its Y.Doc: toYDoc / fromYDoc.
import * as Y from 'yjs'
import { parseTable, type ParseResult, type TargetTable } from '../model/index.ts'
import { tableRoot, toYValue } from './shape.ts'

/** Writes `content` into `doc` (empty root expected) in one transaction; returns the doc. */
export function toYDoc(content: TargetTable, doc: Y.Doc = new Y.Doc(), origin: unknown = null): Y.Doc {
  const root = tableRoot(doc)
  doc.transact(() => {
    for (const key of [...root.keys()]) root.delete(key)
    for (const [key, value] of Object.entries(content)) {
      if (value !== undefined) root.set(key, toYValue(value, 'root', key))
    }
  }, origin)
  return doc
}

/** The document's content as plain JSON, without checking it. */
export function yDocToJson(doc: Y.Doc): Record<string, unknown> {
  return tableRoot(doc).toJSON() as Record<string, unknown>
}

/** The document's content, checked strictly against the shared schema (nothing unknown, ids present). */
export function fromYDoc(doc: Y.Doc): ParseResult {
  return parseTable(yDocToJson(doc), { mode: 'strict', assignIds: false })
}

/** A Y.Doc holding `content`, encoded as one update (for storage seeds and tests). */
export function encodeTable(content: TargetTable): Uint8Array {
  return Y.encodeStateAsUpdate(toYDoc(content))
}
