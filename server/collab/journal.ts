// Who changed what in a live table between two settles: each accepted transaction's touched rows and
// fields (read from `tr.changed`, O(changed types), no parse) with its author, and the content at load or
// at the last settle; at settle, the diff since then with each change attributed to its last toucher.
import * as Y from 'yjs'
import { diffTables, type TableChange } from '../../shared/diff/table-diff.ts'
import type { TargetTable } from '../../shared/model/index.ts'
import { fromYDoc, ROW_LISTS, TABLE_ROOT } from '../../shared/ydoc/index.ts'
import { someClientGrew } from './guard.ts'
import type { AnyType } from './shape.ts'

/** A change of a settled table and who made it (null: the server, or nobody known), at the time of their touch. */
export interface JournalChange extends TableChange {
  by: string | null
  /** epoch ms of the last touch (the settle's time when none was recorded) */
  at: number
}

interface Touch {
  by: string | null
  at: number
  /** order of the transactions: the newest touch of a field and the objects above it wins */
  seq: number
  /** applied from another process, which journals it itself */
  remote: boolean
}

const ROW_LIST_SET: ReadonlySet<string> = new Set(ROW_LISTS)

/**
 * Touch keys: a root or nested field by its dotted path (`header.functionalClass.code`, `annualGoal`), a
 * row as `list#id`, a row's field as `list#id.field`, a row list's membership (a row inserted or deleted)
 * as the list's name. One Touch object is shared by all keys of a transaction.
 */
export class ChangeJournal {
  private readonly touches = new Map<string, Touch>()
  private seq = 0
  private baseline: TargetTable | null = null
  /** the bytes the room was loaded from, the baseline until the first settle (parsed only if needed) */
  private loaded: readonly Uint8Array[] | null = null
  /** rows the last transaction deleted (`list#id`), noted before Yjs collected their content */
  private deleted: { tr: Y.Transaction; keys: string[] } | null = null

  /** The document was loaded from these bytes: what it held then is what the first settle compares with. */
  loadedFrom(parts: readonly Uint8Array[]): void {
    this.loaded = parts
    this.baseline = null
    this.touches.clear()
  }

  /**
   * Called from the document's `afterTransaction`, accepted or not yet judged: notes the rows the
   * transaction deleted while their ids can still be read (Yjs replaces deleted content right after).
   * O(deleted structs); `record` uses the note if the transaction is accepted.
   */
  noteDeletions(tr: Y.Transaction): void {
    this.deleted = null
    if (tr.origin === 'load' || tr.deleteSet.clients.size === 0) return
    const root = tr.doc.share.get(TABLE_ROOT)
    const store = tr.doc.store
    let keys: string[] | null = null
    // Walked by hand rather than with Y.iterateDeletedStructs, which splits structs at the range ends
    // (work Yjs undoes later): a row is one struct, never split. No closures (see `record`).
    for (const [client, ranges] of tr.deleteSet.clients) {
      const structs = store.clients.get(client)
      if (!structs) continue
      for (const { clock, len } of ranges) {
        const end = clock + len
        for (let i = Y.findIndexSS(structs, clock); i < structs.length; i++) {
          const s = structs[i]!
          if (s.id.clock >= end) break
          if (!(s instanceof Y.Item) || !(s.content instanceof Y.ContentType) || !(s.content.type instanceof Y.Map)) continue
          const parent = s.parent as AnyType | null
          const list = parent?._item?.parentSub
          if (!list || parent!._item!.parent !== root || !ROW_LIST_SET.has(list)) continue
          // WATCH OUT: Y.Map#get answers undefined for a deleted row's entries; the entry's content is still there
          const entry = s.content.type._map.get('id')
          const id = entry?.content.getContent()[entry.length - 1]
          if (typeof id === 'string') (keys ??= []).push(`${list}#${id}`)
        }
      }
    }
    if (keys) this.deleted = { tr, keys }
  }

  /** Remembers what an accepted transaction touched and who sent it (`remote`: another process did). */
  record(tr: Y.Transaction, by: string | null, remote = false): void {
    // WATCH OUT: runs for every accepted update. No closure is made per call (tsx's keepNames wraps each
    // one in a defineProperty, which was most of the cost), nor arrays per changed type; one Touch is
    // shared by all keys of the transaction.
    this.cur = null
    this.curBy = by
    this.curRemote = remote
    this.curRoot = tr.doc.share.get(TABLE_ROOT) ?? null
    this.lists = null
    if (this.deleted !== null) {
      if (this.deleted.tr === tr) for (const key of this.deleted.keys) this.mark(key)
      this.deleted = null
    }
    tr.changed.forEach(this.visit)
    // Rows inserted by this transaction (new or moved: a move re-inserts the row) are not in `tr.changed`,
    // only their list is; they are among the structs it integrated.
    const lists = this.lists as Map<unknown, string> | null
    if (lists) {
      const store = tr.doc.store
      someClientGrew(tr, (client, before) => {
        const structs = store.clients.get(client)
        if (!structs) return false
        const end = tr.afterState.get(client) ?? 0
        for (let i = Y.findIndexSS(structs, before); i < structs.length; i++) {
          const s = structs[i]!
          if (s.id.clock >= end) break
          if (!(s instanceof Y.Item) || s.deleted || !(s.content instanceof Y.ContentType)) continue
          const list = lists.get(s.parent)
          const id = list && s.content.type instanceof Y.Map ? s.content.type.get('id') : undefined
          if (typeof id === 'string') this.mark(`${list}#${id}`)
        }
        return false
      })
    }
    this.lists = null
    this.curRoot = null
  }

  // state of the `record` call under way, read by `visit` and `mark`
  private cur: Touch | null = null
  private curBy: string | null = null
  private curRemote = false
  private curRoot: AnyType | null = null
  private lists: Map<unknown, string> | null = null

  private mark(key: string): void {
    let touch = this.cur
    if (touch === null) touch = this.cur = { by: this.curBy, at: Date.now(), seq: ++this.seq, remote: this.curRemote }
    this.touches.set(key, touch)
  }

  /** One changed type of `tr.changed` → its keys (made once per journal, passed to forEach). */
  private readonly visit = (keys: Set<string | null>, type: AnyType): void => {
    // the three types nearest the root on the way up: top (a root key), second (a row), third (in a row)
    let top: AnyType | null = null
    let second: AnyType | null = null
    let third: AnyType | null = null
    let depth = 0
    let t = type
    while (t._item !== null) {
      if (t._item.deleted) return // inside something deleted
      third = second
      second = top
      top = t
      depth++
      t = t._item.parent as AnyType
    }
    if (t !== this.curRoot) return // another root: the guard refuses those
    if (top === null) {
      for (const k of keys) if (k !== null) this.mark(k)
      return
    }
    const name = top._item!.parentSub
    if (name === null) return
    if (ROW_LIST_SET.has(name)) {
      if (depth === 1) {
        this.mark(name)
        ;(this.lists ??= new Map()).set(top, name)
        return
      }
      const id = second instanceof Y.Map ? second.get('id') : undefined
      if (typeof id !== 'string') return this.mark(name)
      const base = `${name}#${id}`
      if (depth === 2) for (const k of keys) this.mark(k === null ? base : `${base}.${k}`)
      else this.mark(`${base}.${third!._item!.parentSub ?? ''}`)
      return
    }
    let prefix = name
    if (depth > 1) {
      const below: string[] = []
      for (let x = type; x !== top; x = x._item!.parent as AnyType) below.push(x._item!.parentSub ?? '')
      for (let i = below.length - 1; i >= 0; i--) prefix += `.${below[i]}`
    }
    for (const k of keys) this.mark(k === null ? prefix : `${prefix}.${k}`)
  }

  /**
   * The changes from the baseline to `content`, each with its last toucher, oldest first; `content`
   * becomes the baseline and the touches are forgotten. Changes last touched by another process are left
   * to that process's journal.
   */
  settle(content: TargetTable): JournalChange[] {
    let before = this.baseline
    if (!before && this.loaded && this.touches.size > 0) before = parseBytes(this.loaded)
    const out: JournalChange[] = []
    if (before) {
      const now = Date.now()
      for (const change of diffTables(before, content)) {
        const touch = this.touchOf(change)
        if (touch?.remote) continue
        out.push({ ...change, by: touch?.by ?? null, at: touch?.at ?? now })
      }
    }
    this.baseline = content
    this.loaded = null
    this.touches.clear()
    return out.sort((x, y) => x.at - y.at)
  }

  /** keys recorded since the last settle (tests, stats) */
  get touched(): number {
    return this.touches.size
  }

  private touchOf(change: TableChange): Touch | undefined {
    if (change.rowId !== undefined) {
      const list = change.path.slice(0, change.path.indexOf('['))
      const row = this.touches.get(`${list}#${change.rowId}`)
      const own = change.field !== undefined ? newest(this.touches.get(`${list}#${change.rowId}.${change.field}`), row) : row
      // a deleted row leaves only its list's membership touched
      return own ?? this.touches.get(list)
    }
    // a field, or an object above it that was replaced whole: the newest of them
    let best: Touch | undefined
    let key = change.path
    for (;;) {
      best = newest(best, this.touches.get(key))
      const dot = key.lastIndexOf('.')
      if (dot < 0) return best
      key = key.slice(0, dot)
    }
  }
}

function newest(a: Touch | undefined, b: Touch | undefined): Touch | undefined {
  if (!a) return b
  if (!b) return a
  return a.seq >= b.seq ? a : b
}

function parseBytes(parts: readonly Uint8Array[]): TargetTable | null {
  const doc = new Y.Doc({ gc: true })
  try {
    doc.transact(() => {
      for (const u of parts) Y.applyUpdate(doc, u)
    })
    const r = fromYDoc(doc)
    return r.ok ? r.table : null
  } finally {
    doc.destroy()
  }
}
