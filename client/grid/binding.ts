// The Yjs ⇄ Univer binding of one table grid (tech-brief §2). Y is the single source of truth:
//  grid → Y : locally executed `sheet.mutation.set-range-values` (typing, paste, autofill, clear),
//             mapped through the layout's cell targets to field edits keyed by row id, written in
//             one doc.transact(…, LOCAL).
//  Y → grid : every Y change (local or remote) re-lays the form out (layout.ts) and applies only the
//             difference as mutations executed with {fromCollab: true}, so nothing echoes, the local
//             undo stack stays clean and the selection follows its row.
// Undo/redo: Univer's are replaced by a Y.UndoManager tracking LOCAL only, so Ctrl+Z undoes one's own
// edits (by row id, wherever the rows went), never a colleague's.
import * as Y from 'yjs'
import type { FUniver } from '@univerjs/core/facade'
import type { FWorksheet } from '@univerjs/sheets/facade'
import type { IWorkbookData, ICellData } from '@univerjs/core'
import { serializeListOptions } from '@univerjs/sheets'
import { numberToPlainString, parseTable, type TargetTable, type TemplateId } from '../../shared/model/index.ts'
import { findRowIndex, insertRow, setField, setRowField, tableRoot, yDocToJson } from '../../shared/ydoc/index.ts'
import {
  STYLES, buildLayout, dropdowns, protectedRanges, topLeft, type CellPos, type CellTarget, type LayoutCell, type Range, type SheetLayout,
} from '../../shared/layout/layout.ts'
import { effectiveEdits, planWrites, type CellWrite, type Edit } from './write-plan.ts'
import { normaliseBreaks, textBody } from '../../shared/layout/codecs.ts'
import { TINTS } from './findings-map.ts'

/** Origin of the transactions this grid makes (typing, paste, toolbar actions); the undo manager tracks only these. */
export const LOCAL = Object.freeze({ source: 'grid-local' })

const SET_RANGE_VALUES = 'sheet.mutation.set-range-values'
const INSERT_ROW = 'sheet.mutation.insert-row'
const REMOVE_ROWS = 'sheet.mutation.remove-rows'
const ADD_MERGE = 'sheet.mutation.add-worksheet-merge'
const REMOVE_MERGE = 'sheet.mutation.remove-worksheet-merge'
const ROW_HEIGHT = 'sheet.mutation.set-worksheet-row-height'
const DV_ADD = 'data-validation.mutation.addRule'
const DV_REMOVE = 'data-validation.mutation.removeRule'
const MUTATION = 2 // CommandType.MUTATION

/** Blank, locked rows below the form, so its last line never sits against the sheet edge. */
const SPARE_ROWS = 3

/**
 * User commands that would change the sheet's structure behind the template's back. Rows are
 * inserted/deleted/moved only through the table actions (actions.ts), which edit Y.
 */
const BLOCKED_COMMANDS = /^sheet\.command\.(insert-row|insert-col|insert-multi|remove-row|remove-col|delete-range|insert-range|move-rows|move-cols|move-range|add-worksheet-merge|remove-worksheet-merge|.*sort|insert-sheet|remove-sheet|copy-sheet|delete-sheet|set-worksheet-col-width|delta-column-width|set-frozen|set-col-hidden|set-row-hidden|hide-row|hide-col)/

export type Tint = 'error' | 'warning'

export interface GridModelOptions {
  doc: Y.Doc
  templateId?: TemplateId
  unitId: string
  sheetId: string
}

/** Reads the live table leniently: a document being typed into may break the strict schema for a moment. */
export function readTable(doc: Y.Doc): TargetTable {
  const json = yDocToJson(doc)
  const parsed = parseTable(json, { mode: 'lenient', assignIds: false })
  return parsed.ok ? parsed.table : (json as unknown as TargetTable)
}

function styleOf(cell: LayoutCell, tint: Tint | 'changed' | undefined, editable: boolean): { key: string; style: Record<string, unknown> } {
  const base = STYLES[cell.style]
  const overlay = tint ?? (editable && cell.required && cell.v === '' ? 'required' : undefined)
  if (!overlay) return { key: cell.style, style: base }
  return { key: `${cell.style}+${overlay}`, style: { ...base, bg: { rgb: TINTS[overlay] } } }
}

// WATCH OUT: set-range-values MERGES a style into the cell's old one; a key must be sent as null to go away
// (otherwise a finding's tint would stay after the finding is fixed).
const STYLE_KEYS = ['ff', 'fs', 'it', 'bl', 'ul', 'bbl', 'st', 'ol', 'bg', 'bd', 'cl', 'va', 'n', 'tr', 'td', 'ht', 'vt', 'tb', 'pd'] as const
function absolute(style: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of STYLE_KEYS) out[k] = style[k] ?? null
  return out
}

/** What a sheet row stands for (its cells' anchors): equal keys = the same row of the form. */
function rowKey(row: LayoutCell[]): string {
  return row.map((c) => c.anchor).join('\u0001')
}

function sig(v: string, styleKey: string): string {
  return `${styleKey}\u0000${v}`
}

function cellText(cell: ICellData | null | undefined): string {
  if (cell === null || cell === undefined) return ''
  // a text-formatted cell committed with Alt+Enter holds its paragraphs in v as \r
  if (cell.v !== undefined && cell.v !== null) return typeof cell.v === 'number' ? numberToPlainString(cell.v) : normaliseBreaks(String(cell.v))
  const ds = cell.p?.body?.dataStream
  if (typeof ds === 'string') return ds.replace(/\r\n$/, '').replace(/[\r\n]$/, '').replace(/\r/g, '\n')
  return ''
}

const FONT_KEYS = ['ff', 'fs', 'it', 'bl', 'ul', 'st', 'cl'] as const

/**
 * The rich-text document of a cell whose text has line breaks. WATCH OUT: Univer draws `\n` in a plain
 * value as a line break, but its cell editor opens such a value with the breaks dropped, so one edit
 * would join the lines; as paragraphs they survive. The font is the cell's (a document ignores it).
 */
function cellDocument(text: string, style: Record<string, unknown>): ICellData['p'] {
  const body = textBody(text)
  const ts: Record<string, unknown> = {}
  for (const k of FONT_KEYS) if (style[k] !== undefined) ts[k] = style[k]
  return { id: 'd', body: { ...body, textRuns: [{ st: 0, ed: body.dataStream.length - 2, ts }] }, documentStyle: {} } as ICellData['p']
}

/** A cell's value as the sheet holds it: multi-line text as a document too (see cellDocument). */
function cellValueOf(v: string, style: Record<string, unknown>): ICellData {
  return v.includes('\n') ? { v, t: 1, p: cellDocument(v, style) } : { v, t: 1 }
}

/** Applies planned edits to the doc in one transaction; returns the ids of inserted rows. */
export function applyEdits(doc: Y.Doc, edits: Edit[], origin: unknown = LOCAL): string[] {
  const ids: string[] = []
  doc.transact(() => {
    for (const e of edits) {
      if (e.op === 'field') setField(doc, e.path, e.value, origin)
      else if (e.op === 'row') setRowField(doc, e.list, e.rowId, e.field, e.value, origin)
      else {
        const arr = tableRoot(doc).get(e.list)
        const len = arr instanceof Y.Array ? arr.length : 0
        const after = e.afterRowId ? findRowIndex(doc, e.list, e.afterRowId) : -1
        ids.push(insertRow(doc, e.list, after >= 0 ? after + 1 : len, e.row, origin))
      }
    }
  }, origin)
  return ids
}

/** Univer workbook snapshot of a layout (the first paint; later changes go through mutations). */
export function layoutSnapshot(layout: SheetLayout, unitId: string, sheetId: string, name: string, tints: Map<string, Tint> = new Map(), editable = true): Partial<IWorkbookData> {
  const cellData: Record<number, Record<number, ICellData>> = {}
  layout.cells.forEach((row, r) => row.forEach((cell, c) => {
    const { style } = styleOf(cell, tints.get(cell.anchor), editable)
    ;(cellData[r] ??= {})[c] = cell.v === '' ? { s: style as ICellData['s'] } : { ...cellValueOf(cell.v, style), s: style as ICellData['s'] }
  }))
  const rowData: Record<number, { h: number }> = {}
  layout.rowHeights.forEach((h, r) => { rowData[r] = { h } })
  const columnData: Record<number, { w: number }> = {}
  layout.columnWidths.forEach((w, c) => { columnData[c] = { w } })
  return {
    id: unitId,
    name,
    sheetOrder: [sheetId],
    sheets: {
      [sheetId]: {
        id: sheetId,
        name,
        rowCount: layout.rowCount + SPARE_ROWS,
        columnCount: layout.columnCount,
        defaultRowHeight: 26,
        defaultColumnWidth: 90,
        showGridlines: 0,
        mergeData: layout.merges.map((m) => ({ ...m })),
        cellData: cellData as never,
        rowData: rowData as never,
        columnData: columnData as never,
      },
    },
  }
}

export interface RenderStats { renders: number; lastMs: number; structural: number; lastStructuralMs: number }

/**
 * A commit of the cell editor to a cell another user changed while it was being typed in: the typed
 * value waits (the cell keeps showing it) until the user keeps it or takes the other one.
 */
export interface EditConflict {
  readonly id: number
  /** the cell (`${rowId}|${field}` or `|${path}`) */
  readonly anchor: string
  /** what this user typed */
  readonly mine: string
  /** what the document holds now */
  readonly theirs: string
  /** Y client ids of the peers whose changes replaced the value meanwhile (awareness names them) */
  readonly authors: readonly number[]
  keepMine(): void
  takeTheirs(): void
}

/** The open cell editor: the cell it edits (by anchor and target, so the commit follows its row), its value then and now. */
interface EditSession { pos: CellPos; anchor: string; target: CellTarget; start: string; now: string | undefined; by: Set<number> }

interface Pending { id: number; anchor: string; target: CellTarget; mine: string; theirs: string; authors: Set<number> }

const WRITABLE = new Set<CellTarget['kind']>(['field', 'row', 'group', 'new'])

/**
 * One table grid: the Y.Doc, its current layout and the Univer sheet that shows it.
 * Create with the doc (to get the snapshot), then `attach` the Univer Facade.
 */
export class GridBinding {
  readonly doc: Y.Doc
  readonly unitId: string
  readonly sheetId: string
  templateId: TemplateId | undefined
  table: TargetTable
  layout: SheetLayout
  /** the Y change counter: findings are recomputed only when it moves */
  version = 0
  readonly stats: RenderStats = { renders: 0, lastMs: 0, structural: 0, lastStructuralMs: 0 }
  readonly undo: Y.UndoManager

  private api: FUniver | undefined
  private ws: FWorksheet | undefined
  private shown = new Map<number, string>()
  private shownMerges = ''
  private shownHeights: number[] = []
  private shownRows = 0
  private shownRowKeys: string[] = []
  private dv: { uid: string; key: string }[] = []
  // FRangeProtectionRule is not re-exported by @univerjs/sheets/facade 0.25.1
  private protectRule: Awaited<ReturnType<ReturnType<FWorksheet['getWorksheetPermission']>['protectRanges']>>[number] | undefined
  private protectKey = ''
  private protectChain: Promise<unknown> = Promise.resolve()
  /** finding tints by cell anchor, so they stay on their row while rows come and go */
  private tints = new Map<string, Tint>()
  /** anchors of cells changed since the last frozen version (the page's review panel), under the findings' tints */
  private changed: ReadonlySet<string> = new Set()
  private readOnly = false
  private scheduled = false
  private deferred = false
  private pendingSelect: string | undefined
  private listeners = new Set<(b: GridBinding) => void>()
  private disposers: (() => void)[] = []
  private session: EditSession | undefined
  /** Y clients whose changes arrived since the last render */
  private authors = new Set<number>()
  private pending: Pending[] = []
  private conflictSeq = 0
  /** anchors of cells whose typed value waits for an answer: not repainted meanwhile */
  private held = new Set<string>()
  private conflictListeners = new Set<(list: readonly EditConflict[]) => void>()

  constructor(opts: GridModelOptions) {
    this.doc = opts.doc
    this.unitId = opts.unitId
    this.sheetId = opts.sheetId
    this.templateId = opts.templateId
    this.table = readTable(this.doc)
    this.layout = buildLayout(this.table, this.templateId)
    this.undo = new Y.UndoManager(tableRoot(this.doc), { trackedOrigins: new Set([LOCAL]), captureTimeout: 0 })
    const onDeep = (_events: unknown, tr: Y.Transaction) => {
      this.version++
      // who wrote a remote change: the clients whose clocks it advanced (a pure deletion names no one)
      if (!tr.local) for (const [client, clock] of tr.afterState) if ((tr.beforeState.get(client) ?? 0) < clock) this.authors.add(client)
      this.schedule()
    }
    tableRoot(this.doc).observeDeep(onDeep)
    this.disposers.push(() => tableRoot(this.doc).unobserveDeep(onDeep), () => this.undo.destroy())
  }

  snapshot(name: string): Partial<IWorkbookData> {
    return layoutSnapshot(this.layout, this.unitId, this.sheetId, name, this.tints, !this.readOnly)
  }

  /** Connects to the Univer instance created from `snapshot()`. */
  attach(api: FUniver): void {
    this.api = api
    this.ws = api.getActiveWorkbook()!.getSheetBySheetId(this.sheetId)!
    this.layout.cells.forEach((row, r) => row.forEach((cell, c) => {
      this.shown.set(this.key(r, c), sig(cell.v, styleOf(cell, this.tintOf(cell.anchor), !this.readOnly).key))
    }))
    this.shownMerges = JSON.stringify(this.layout.merges)
    this.shownHeights = [...this.layout.rowHeights]
    this.shownRows = this.layout.rowCount
    this.shownRowKeys = this.layout.cells.map(rowKey)

    const onExec = api.addEvent(api.Event.CommandExecuted, (ev) => {
      if (ev.type !== MUTATION) return
      const opts = ev.options as { fromCollab?: boolean; onlyLocal?: boolean } | undefined
      if (opts?.fromCollab || opts?.onlyLocal) return
      const p = ev.params as { unitId?: string; subUnitId?: string; cellValue?: Record<string, Record<string, ICellData | null>> } | undefined
      if (!p || p.unitId !== this.unitId || p.subUnitId !== this.sheetId) return
      if (ev.id === SET_RANGE_VALUES && p.cellValue) this.onLocalValues(p.cellValue)
      else if (ev.id === ADD_MERGE || ev.id === REMOVE_MERGE || ev.id === INSERT_ROW || ev.id === REMOVE_ROWS || ev.id.startsWith('sheet.mutation.move-')) {
        // a paste can carry merges or rows with it: put the form back
        this.shownMerges = '?'
        this.shown.clear()
        this.schedule()
      }
    })
    const onBefore = api.addEvent(api.Event.BeforeCommandExecute, (ev) => {
      if (BLOCKED_COMMANDS.test(ev.id)) ev.cancel = true
    })
    // Univer's own undo stack would replay mutations at grid addresses that may now hold other rows
    const onUndo = api.addEvent(api.Event.BeforeUndo, (ev) => { ev.cancel = true; this.undoLocal() })
    const onRedo = api.addEvent(api.Event.BeforeRedo, (ev) => { ev.cancel = true; this.redoLocal() })
    const onEditStart = api.addEvent(api.Event.SheetEditStarted, (ev) => this.beginEdit(ev.row, ev.column))
    const onEditEnd = api.addEvent(api.Event.SheetEditEnded, () => {
      this.session = undefined // a commit has been mapped by now (its mutation runs first); Esc leaves nothing
      // after the commit mutation (same tick) has been mapped with the layout the user saw
      if (this.deferred) setTimeout(() => this.schedule(), 0)
    })
    this.disposers.push(() => { onExec.dispose(); onBefore.dispose(); onUndo.dispose(); onRedo.dispose(); onEditStart.dispose(); onEditEnd.dispose() })
    this.applyDropdowns()
    this.applyProtection()
  }

  get worksheet(): FWorksheet | undefined {
    return this.ws
  }

  onRender(fn: (b: GridBinding) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  /** Tints by cell anchor (see findings.ts). */
  setTints(tints: Map<string, Tint>): void {
    this.tints = tints
    this.schedule()
  }

  /** Marks the cells (by anchor) changed since the last frozen version; a finding's tint shows over it. */
  setChanged(anchors: ReadonlySet<string>): void {
    this.changed = anchors
    this.schedule()
  }

  private tintOf(anchor: string): Tint | 'changed' | undefined {
    return this.tints.get(anchor) ?? (this.changed.has(anchor) ? 'changed' : undefined)
  }

  setReadOnly(readOnly: boolean): void {
    this.readOnly = readOnly
    if (readOnly) for (const p of [...this.pending]) this.settle(p) // nothing typed can be kept now
    this.shown.clear() // required-cell hints differ
    this.schedule()
    this.applyProtection()
  }

  isReadOnly(): boolean {
    return this.readOnly
  }

  undoLocal(): void {
    if (!this.readOnly) this.undo.undo()
  }

  redoLocal(): void {
    if (!this.readOnly) this.undo.redo()
  }

  /** Selects the cell with `anchor` after the next render (e.g. the 三级 cell of a row just inserted). */
  selectAfterRender(anchor: string): void {
    this.pendingSelect = anchor
    this.schedule()
  }

  private pinned: (CellPos & { cell: LayoutCell }) | undefined

  /** Holds the selection an action works on while the cell editor commits (a commit moves the cursor down). */
  pin(cell: (CellPos & { cell: LayoutCell }) | undefined): void {
    this.pinned = cell
  }

  /** The layout cell under the current selection (top-left of its merge). */
  activeCell(): (CellPos & { cell: LayoutCell }) | undefined {
    if (this.pinned) return this.pinned
    const range = this.ws?.getActiveRange?.()
    if (!range) return undefined
    const pos = topLeft(this.layout, range.getRow(), range.getColumn())
    const cell = this.layout.cells[pos.row]?.[pos.col]
    return cell ? { ...pos, cell } : undefined
  }

  select(pos: CellPos): void {
    if (!this.ws) return
    const m = this.layout.merges.find((x) => x.startRow === pos.row && x.startColumn === pos.col)
    const range = m ? this.ws.getRange(m.startRow, m.startColumn, m.endRow - m.startRow + 1, m.endColumn - m.startColumn + 1) : this.ws.getRange(pos.row, pos.col)
    range.activate()
    // scroll only when the cell is out of sight: jumping the view on every re-selection is disorienting
    const ws = this.ws as FWorksheet & { scrollToCell?: (r: number, c: number) => unknown; getVisibleRange?: () => Range | null }
    const v = ws.getVisibleRange?.()
    const inView = v && pos.row >= v.startRow && pos.row < v.endRow && pos.col >= v.startColumn && pos.col <= v.endColumn
    if (!inView) ws.scrollToCell?.(pos.row, pos.col)
  }

  schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    queueMicrotask(() => {
      this.scheduled = false
      this.render()
    })
  }

  /** Renders now (tests and benchmarks; normal changes are batched per microtask). */
  flush(): void {
    this.render()
  }

  dispose(): void {
    for (const d of this.disposers.splice(0)) d()
    this.listeners.clear()
    this.conflictListeners.clear()
    this.pending = []
  }

  // ---- concurrent edits of the cell being typed in ------------------------------------

  /** Typed values waiting for the user's answer (oldest first). */
  conflicts(): readonly EditConflict[] {
    return this.pending.map((p) => ({
      id: p.id, anchor: p.anchor, mine: p.mine, theirs: p.theirs, authors: [...p.authors],
      keepMine: () => this.resolve(p, true),
      takeTheirs: () => this.resolve(p, false),
    }))
  }

  /** Called with the waiting conflicts whenever one comes, changes or goes. */
  onConflicts(fn: (list: readonly EditConflict[]) => void): () => void {
    this.conflictListeners.add(fn)
    return () => this.conflictListeners.delete(fn)
  }

  private emitConflicts(): void {
    const list = this.conflicts()
    for (const fn of this.conflictListeners) fn(list)
  }

  private beginEdit(row: number, col: number): void {
    const pos = topLeft(this.layout, row, col)
    const cell = this.layout.cells[pos.row]?.[pos.col]
    this.session = cell && WRITABLE.has(cell.target.kind)
      ? { pos, anchor: cell.anchor, target: cell.target, start: cell.v, now: cell.v, by: new Set() }
      : undefined
  }

  /**
   * The editor's commit of `text`. Written unless the document's value changed since typing began
   * (another user's edit) and differs from what was typed: then the user is asked (EditConflict).
   * Text equal to the value typing began with writes nothing, so a bare Enter never reverts a colleague.
   */
  private commitEdit(s: EditSession, text: string, writes: CellWrite[]): void {
    this.session = undefined
    const earlier = this.pending.find((p) => p.anchor === s.anchor)
    if (earlier) this.settle(earlier) // a newer commit of that cell answers the open question
    if (text === s.start) return
    if (s.now !== undefined && text === s.now) return
    if (s.now !== undefined && s.now !== s.start) {
      this.pending.push({ id: ++this.conflictSeq, anchor: s.anchor, target: s.target, mine: text, theirs: s.now, authors: new Set(s.by) })
      this.held.add(s.anchor)
      this.emitConflicts()
      return
    }
    // by target, not by grid address: rows may have moved under the editor; a deleted row takes nothing
    writes.push({ target: s.target, input: text })
  }

  private resolve(p: Pending, keepMine: boolean): void {
    if (!this.pending.includes(p)) return
    this.settle(p)
    if (keepMine && !this.readOnly) {
      const table = readTable(this.doc)
      const edits = effectiveEdits(table, planWrites(table, [{ target: p.target, input: p.mine }]))
      if (edits.length) applyEdits(this.doc, edits, LOCAL)
    }
  }

  private settle(p: Pending): void {
    this.pending = this.pending.filter((x) => x !== p)
    this.held.delete(p.anchor)
    this.emitConflicts()
    this.schedule()
  }

  /** Follows the edited and the held cells' document values through a render's new layout. */
  private trackEdits(layout: SheetLayout): void {
    const valueAt = (anchor: string) => {
      const pos = layout.anchors.get(anchor)
      return pos ? layout.cells[pos.row]![pos.col]!.v : undefined
    }
    const s = this.session
    if (s) {
      const now = valueAt(s.anchor)
      if (now !== s.now) {
        s.now = now
        for (const a of this.authors) s.by.add(a)
      }
    }
    let changed = false
    for (const p of [...this.pending]) {
      const now = valueAt(p.anchor)
      if (now === undefined || now === p.mine) {
        this.settle(p) // the row is gone, or the document came to hold the typed value: nothing to ask
      } else if (now !== p.theirs) {
        p.theirs = now
        for (const a of this.authors) p.authors.add(a)
        changed = true
      }
    }
    this.authors.clear()
    if (changed) this.emitConflicts()
  }

  // ---- grid → Y ------------------------------------------------------------------

  private key(r: number, c: number): number {
    return r * 1024 + c
  }

  private onLocalValues(cellValue: Record<string, Record<string, ICellData | null>>): void {
    const writes: CellWrite[] = []
    const s = this.session
    for (const [rs, cols] of Object.entries(cellValue)) {
      for (const [cs, cell] of Object.entries(cols ?? {})) {
        const r = Number(rs)
        const c = Number(cs)
        this.shown.delete(this.key(r, c)) // the grid now holds what was typed; the next render restores the form
        const lc = this.layout.cells[r]?.[c]
        if (!lc || this.readOnly) continue
        const valueChange = cell === null || 'v' in cell || 'p' in cell
        if (!valueChange) continue // style only (a paste's formatting, Ctrl+B): reverted by the render
        const text = cellText(cell)
        if (s) {
          const at = topLeft(this.layout, r, c)
          if (at.row === s.pos.row && at.col === s.pos.col) {
            this.commitEdit(s, text, writes)
            continue
          }
        }
        if (text === lc.v) continue
        writes.push({ target: lc.target, input: text })
      }
    }
    if (writes.length) {
      const edits = effectiveEdits(this.table, planWrites(this.table, writes))
      if (edits.length) applyEdits(this.doc, edits, LOCAL)
    }
    this.schedule()
  }

  // ---- Y → grid --------------------------------------------------------------------

  private render(): void {
    const api = this.api
    if (!api || !this.ws) return
    const t0 = performance.now()
    const table = readTable(this.doc)
    const layout = buildLayout(table, this.templateId)
    const mergesKey = JSON.stringify(layout.merges)
    const structural = mergesKey !== this.shownMerges || layout.rowCount !== this.shownRows
    this.trackEdits(layout)
    const wb = api.getActiveWorkbook() as (ReturnType<FUniver['getActiveWorkbook']> & { isCellEditing?: () => boolean }) | null
    if (structural && wb?.isCellEditing?.()) {
      // WATCH OUT: the open cell editor commits to the address it was opened on; re-laying rows out
      // under it would send the text to another row. Wait for SheetEditEnded.
      this.renderAfterEdit()
      return
    }
    this.deferred = false
    // WATCH OUT: Univer resets an open cell editor to the cell's value whenever a SetRangeValuesMutation
    // touches that cell (refreshEditCellState), so what the user is typing would be lost to a repaint
    // (a tint the rule engine sets on the new row, a remote edit of the same cell). That one cell waits
    // for SheetEditEnded; the rest of the sheet is painted now.
    const editing = wb?.isCellEditing?.() ? this.editingCell(wb) : undefined
    if (editing) this.renderAfterEdit()
    const before = this.activeCell()
    const beforeAnchor = before?.cell.anchor
    const unitId = this.unitId
    const subUnitId = this.sheetId
    const exec = (id: string, params: object) => api.syncExecuteCommand(id, { unitId, subUnitId, ...params }, { fromCollab: true })

    if (structural) {
      this.stats.structural++
      // a held cell's typed text may have moved or been overwritten with its rows: show the document's
      // value; the question stays open
      this.held.clear()
      const current = this.ws.getSheet().getMergeData().map((m) => ({ startRow: m.startRow, endRow: m.endRow, startColumn: m.startColumn, endColumn: m.endColumn }))
      if (current.length) exec(REMOVE_MERGE, { ranges: current })
      // Rows are inserted/removed where the layouts differ (same first and last rows kept), so the
      // rows below move with their values and styles and only the changed middle is rewritten.
      // WATCH OUT: shown[] (what the sheet holds) must move exactly as the mutations move the rows.
      const oldKeys = this.shownRowKeys
      const newKeys = layout.cells.map(rowKey)
      let p = 0
      while (p < oldKeys.length && p < newKeys.length && oldKeys[p] === newKeys[p]) p++
      let q = 0
      while (q < oldKeys.length - p && q < newKeys.length - p && oldKeys[oldKeys.length - 1 - q] === newKeys[newKeys.length - 1 - q]) q++
      const oldMid = oldKeys.length - p - q
      const newMid = newKeys.length - p - q
      const delta = newMid - oldMid
      const cols = { startColumn: 0, endColumn: layout.columnCount - 1 }
      if (delta > 0) exec(INSERT_ROW, { range: { startRow: p + oldMid, endRow: p + oldMid + delta - 1, ...cols } })
      else if (delta < 0) exec(REMOVE_ROWS, { range: { startRow: p + newMid, endRow: p + oldMid - 1, ...cols } })
      const moved = new Map<number, string>()
      for (const [k, v] of this.shown) {
        const r = Math.floor(k / 1024)
        if (r < p) moved.set(k, v)
        else if (r >= p + oldMid) moved.set(k + delta * 1024, v)
      }
      this.shown = moved
      if (delta > 0) this.shownHeights.splice(p + oldMid, 0, ...Array<number>(delta).fill(-1))
      else if (delta < 0) this.shownHeights.splice(p + newMid, -delta)
    }

    const cellValue: Record<number, Record<number, ICellData>> = {}
    let changed = 0
    layout.cells.forEach((row, r) => row.forEach((cell, c) => {
      const { key, style } = styleOf(cell, cell.anchor ? this.tintOf(cell.anchor) : undefined, !this.readOnly)
      const s = sig(cell.v, key)
      const k = this.key(r, c)
      if (this.shown.get(k) === s) return
      if (editing && editing.row === r && editing.col === c) return
      if (this.held.has(cell.anchor)) return
      this.shown.set(k, s)
      ;(cellValue[r] ??= {})[c] = { p: null as never, ...cellValueOf(cell.v, style), s: absolute(style) as ICellData['s'] }
      changed++
    }))
    if (changed) exec(SET_RANGE_VALUES, { cellValue })

    if (structural) {
      if (layout.merges.length) exec(ADD_MERGE, { ranges: layout.merges.map((m) => ({ ...m })) })
      this.shownMerges = mergesKey
      this.shownRows = layout.rowCount
      this.shownRowKeys = layout.cells.map(rowKey)
    }
    const heights: Record<number, number[]> = {}
    layout.rowHeights.forEach((h, r) => { if (this.shownHeights[r] !== h) (heights[h] ??= []).push(r) })
    for (const [h, rows] of Object.entries(heights)) {
      exec(ROW_HEIGHT, { ranges: rows.map((r) => ({ startRow: r, endRow: r, startColumn: 0, endColumn: layout.columnCount - 1 })), rowHeight: Number(h) })
    }
    this.shownHeights = [...layout.rowHeights]

    this.table = table
    this.layout = layout
    if (structural) {
      this.applyDropdowns()
      this.applyProtection()
    }
    // the selection follows its row when rows came or went above it
    const want = this.pendingSelect ?? (structural ? beforeAnchor : undefined)
    this.pendingSelect = undefined
    if (want) {
      const pos = layout.anchors.get(want)
      if (pos && (!before || pos.row !== before.row || pos.col !== before.col)) this.select(pos)
    }
    this.stats.renders++
    this.stats.lastMs = performance.now() - t0
    if (structural) this.stats.lastStructuralMs = this.stats.lastMs
    for (const fn of this.listeners) fn(this)
  }

  /** Renders again once the open cell editor has closed (SheetEditEnded; the timer covers an editor closed without that event). */
  private renderAfterEdit(): void {
    this.deferred = true
    setTimeout(() => { if (this.deferred) this.schedule() }, 250)
  }

  /** The cell under the open cell editor (top-left of its merge), as the layout shown knows it. */
  private editingCell(wb: { getActiveCell?: () => { getRow(): number; getColumn(): number } | null }): CellPos | undefined {
    const cell = wb.getActiveCell?.()
    return cell ? topLeft(this.layout, cell.getRow(), cell.getColumn()) : undefined
  }

  private applyDropdowns(): void {
    const api = this.api
    if (!api) return
    const wanted = dropdowns(this.layout).map((d) => ({ d, key: `${d.list.join(',')}@${JSON.stringify(d.ranges)}` }))
    const keep = new Set(wanted.map((w) => w.key))
    const stale = this.dv.filter((x) => !keep.has(x.key))
    const have = new Set(this.dv.map((x) => x.key))
    const base = { unitId: this.unitId, subUnitId: this.sheetId }
    if (stale.length) api.syncExecuteCommand(DV_REMOVE, { ...base, ruleId: stale.map((x) => x.uid) }, { fromCollab: true })
    this.dv = this.dv.filter((x) => keep.has(x.key))
    for (const { d, key } of wanted) {
      if (have.has(key)) continue
      const uid = `tt-dv-${Math.random().toString(36).slice(2, 10)}`
      const rule = {
        uid, type: 'list', formula1: serializeListOptions([...d.list]), ranges: d.ranges,
        allowBlank: true, showDropDown: true, errorStyle: 0, renderMode: 1,
      }
      api.syncExecuteCommand(DV_ADD, { ...base, rule }, { fromCollab: true })
      this.dv.push({ uid, key })
    }
  }

  /** Labels and computed cells (everything, when read-only) are locked with one range-protection rule. */
  private applyProtection(): void {
    const ws = this.ws
    const api = this.api
    if (!ws || !api) return
    const ranges: Range[] = this.readOnly
      ? [{ startRow: 0, endRow: this.layout.rowCount + SPARE_ROWS - 1, startColumn: 0, endColumn: this.layout.columnCount - 1 }]
      : [...protectedRanges(this.layout), { startRow: this.layout.rowCount, endRow: this.layout.rowCount + SPARE_ROWS - 1, startColumn: 0, endColumn: this.layout.columnCount - 1 }]
    const key = JSON.stringify(ranges)
    if (key === this.protectKey) return
    this.protectKey = key
    const fr = ranges.map((r) => ws.getRange(r.startRow, r.startColumn, r.endRow - r.startRow + 1, r.endColumn - r.startColumn + 1))
    // WATCH OUT: protect() leaves the owner (the local user) able to edit; Edit must be switched off.
    this.protectChain = this.protectChain.then(async () => {
      if (!this.protectRule) {
        const [rule] = await ws.getWorksheetPermission().protectRanges([{ ranges: fr, options: { name: '表样固定内容' } }])
        this.protectRule = rule
        await rule!.setPoint(api.Enum.RangePermissionPoint.Edit, false)
        // WATCH OUT: a rule made by protectRanges starts with View off in 0.25.1: the labels would vanish
        await rule!.setPoint(api.Enum.RangePermissionPoint.View, true)
      } else if (this.protectKey === key) {
        await this.protectRule.updateRanges(fr)
      }
    }).catch((e) => console.error('[grid] protection failed', e))
  }

  /** Resolves once pending protection updates are in place (tests). */
  whenProtected(): Promise<unknown> {
    return this.protectChain
  }
}
