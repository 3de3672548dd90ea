// Fine-grained edits of a live table: set one field, insert/move/delete one row by id.
// Each edit is one transaction with the caller's origin, so bindings can tell their own edits apart.
import * as Y from 'yjs'
import { newId } from '../model/index.ts'
import { isLongText, tableRoot, toYValue, type RowList } from './shape.ts'

export type FieldValue = string | number | boolean | null

function rowList(doc: Y.Doc, list: RowList): Y.Array<Y.Map<unknown>> {
  const root = tableRoot(doc)
  let arr = root.get(list)
  if (!(arr instanceof Y.Array)) {
    arr = new Y.Array<Y.Map<unknown>>()
    root.set(list, arr)
  }
  return arr as Y.Array<Y.Map<unknown>>
}

export function findRowIndex(doc: Y.Doc, list: RowList, rowId: string): number {
  const arr = tableRoot(doc).get(list)
  if (!(arr instanceof Y.Array)) return -1
  for (let i = 0; i < arr.length; i++) {
    const row = arr.get(i)
    if (row instanceof Y.Map && row.get('id') === rowId) return i
  }
  return -1
}

export function getRow(doc: Y.Doc, list: RowList, rowId: string): Y.Map<unknown> | undefined {
  const i = findRowIndex(doc, list, rowId)
  return i < 0 ? undefined : (tableRoot(doc).get(list) as Y.Array<Y.Map<unknown>>).get(i)
}

export function rowIds(doc: Y.Doc, list: RowList): string[] {
  const arr = tableRoot(doc).get(list)
  if (!(arr instanceof Y.Array)) return []
  return arr.toArray().map((r) => (r instanceof Y.Map ? String(r.get('id')) : ''))
}

/** Replaces a Y.Text's content by the smallest middle splice, so concurrent edits elsewhere in it survive. */
export function replaceText(text: Y.Text, next: string): void {
  const prev = text.toString()
  if (prev === next) return
  let start = 0
  while (start < prev.length && start < next.length && prev[start] === next[start]) start++
  let endPrev = prev.length
  let endNext = next.length
  while (endPrev > start && endNext > start && prev[endPrev - 1] === next[endNext - 1]) {
    endPrev--
    endNext--
  }
  if (endPrev > start) text.delete(start, endPrev - start)
  if (endNext > start) text.insert(start, next.slice(start, endNext))
}

function setOn(map: Y.Map<unknown>, role: string, key: string, value: FieldValue | undefined): void {
  if (value === undefined) {
    map.delete(key)
    return
  }
  const current = map.get(key)
  if (current instanceof Y.Text && typeof value === 'string') replaceText(current, value)
  else if (typeof value === 'string' && isLongText(role, key)) map.set(key, new Y.Text(value))
  else if (current !== value) map.set(key, value)
}

/**
 * Sets a field addressed by its path from the root, e.g. ['header', 'projectName'],
 * ['funds', 'annual', 'total'], ['annualGoal']. Missing intermediate maps are created.
 * `undefined` deletes the key.
 */
export function setField(doc: Y.Doc, path: readonly string[], value: FieldValue | undefined, origin: unknown = null): void {
  if (path.length === 0) throw new Error('setField needs a path')
  doc.transact(() => {
    let map = tableRoot(doc)
    let role = 'root'
    for (const key of path.slice(0, -1)) {
      let next = map.get(key)
      if (!(next instanceof Y.Map)) {
        next = new Y.Map<unknown>()
        map.set(key, next)
      }
      map = next as Y.Map<unknown>
      role = key
    }
    setOn(map, role, path[path.length - 1]!, value)
  }, origin)
}

/** Sets one field of one row; returns false when the row no longer exists (deleted concurrently). */
export function setRowField(doc: Y.Doc, list: RowList, rowId: string, field: string, value: FieldValue | undefined, origin: unknown = null): boolean {
  if (field === 'id') throw new Error('a row id cannot be changed')
  let found = false
  doc.transact(() => {
    const row = getRow(doc, list, rowId)
    if (!row) return
    found = true
    setOn(row, list, field, value)
  }, origin)
  return found
}

/** Inserts a row at `index` (clamped); assigns an id when missing; returns the id. */
export function insertRow(doc: Y.Doc, list: RowList, index: number, row: Record<string, unknown>, origin: unknown = null): string {
  const id = typeof row.id === 'string' && row.id ? row.id : newId(list === 'tasks' ? 't' : 'r')
  doc.transact(() => {
    const arr = rowList(doc, list)
    const at = Math.max(0, Math.min(index, arr.length))
    arr.insert(at, [toYValue({ ...row, id }, list, '') as Y.Map<unknown>])
  }, origin)
  return id
}

export function deleteRow(doc: Y.Doc, list: RowList, rowId: string, origin: unknown = null): boolean {
  let found = false
  doc.transact(() => {
    const i = findRowIndex(doc, list, rowId)
    if (i < 0) return
    found = true
    rowList(doc, list).delete(i, 1)
  }, origin)
  return found
}

/**
 * Moves a row to `toIndex` (the index it will have afterwards). Yjs has no move: the row is
 * re-inserted as a copy with the same id.
 * WATCH OUT: an edit another client makes to that row while the move is in flight lands on the
 * deleted copy and is lost; moves are rare, deliberate actions, and the id keeps anchors valid.
 */
export function moveRow(doc: Y.Doc, list: RowList, rowId: string, toIndex: number, origin: unknown = null): boolean {
  let found = false
  doc.transact(() => {
    const arr = rowList(doc, list)
    const from = findRowIndex(doc, list, rowId)
    if (from < 0) return
    found = true
    const json = arr.get(from).toJSON()
    arr.delete(from, 1)
    const at = Math.max(0, Math.min(toIndex, arr.length))
    arr.insert(at, [toYValue(json, list, '') as Y.Map<unknown>])
  }, origin)
  return found
}
