// Field-level differences between two versions of one table (rows matched by id: added, removed, moved,
// fields changed) and a readable Chinese place for each change. Pure; the server's diff, history and
// journal and the browser's "changed since" tint use the same function.
import type { DiffChange } from '../api/review.ts'
import { FIELD_LABELS, fieldLabel, formatPath, parsePath, type PathSegment, type TargetTable } from '../model/index.ts'
import { ROW_LISTS } from '../ydoc/shape.ts'

/**
 * One difference, without who made it (the history adds that). Paths follow rules.md → Reporting
 * conventions, as findings do: a row is named by its index — in `after`, or in `before` for a removed
 * row — and `rowId` names it for good, e.g. `indicators[3].target` with `rowId: "r7"`.
 * A move carries the row's index before and after; an added or removed row carries the whole row.
 */
export type TableChange = Omit<DiffChange, 'by' | 'byName'>

type Json = Record<string, unknown>

const ROW_LIST_SET: ReadonlySet<string> = new Set(ROW_LISTS)
/** the form's order, so a list of changes reads from the top of the table down */
const TOP_ORDER = ['kind', 'template', 'framework', 'year', 'moneyUnit', 'id', 'title', 'header', 'funds', 'midTermGoal', 'annualGoal', 'tasks', 'taskTotals', 'indicators', 'waivers', 'budgetLink', 'coreIndicators', 'priorYear', 'unplaced']
const TOP_RANK = new Map(TOP_ORDER.map((k, i) => [k, i]))
const FIELD_RANK = new Map(Object.keys(FIELD_LABELS).map((k, i) => [k, i]))
const EMPTY: Json = Object.freeze({}) as Json

export function diffTables(before: TargetTable, after: TargetTable): TableChange[] {
  const out: TableChange[] = []
  const b = before as unknown as Json
  const a = after as unknown as Json
  for (const key of orderedKeys(b, a, TOP_RANK)) {
    if (ROW_LIST_SET.has(key)) diffRows(key, b[key], a[key], out)
    else diffValue([key], b[key], a[key], out)
  }
  return out
}

/**
 * Where a change is, in words: an indicator row's 一级/二级/三级 (`（中期）` for a mid-term row), a task's
 * name, a field's label (nested labels joined by `/`), a row's field as `row · field`. `table` is the
 * content the reader sees (the current one for the history); a row no longer in it is named from the
 * change itself when the change carries the row (add, remove), else by its list.
 */
export function changeLabel(table: TargetTable, change: Pick<TableChange, 'op' | 'path' | 'rowId' | 'field' | 'before' | 'after'>): string {
  const segs = parsePath(change.path)
  const list = segs[0]
  if (typeof list === 'string' && ROW_LIST_SET.has(list) && (change.rowId !== undefined || typeof segs[1] === 'number')) {
    const rows = rowsOf((table as unknown as Json)[list])
    let row: Json | undefined = change.rowId !== undefined ? rows.find((r) => r.id === change.rowId) : rows[segs[1] as number]
    if (!row && change.op === 'remove' && isPlainObject(change.before)) row = change.before
    if (!row && change.op === 'add' && isPlainObject(change.after)) row = change.after
    const place = (row && rowPlace(row)) || fieldLabel(list)
    const field = change.field ?? (typeof segs[2] === 'string' ? segs[2] : undefined)
    return field ? `${place} · ${fieldLabel(field)}` : place
  }
  const names = segs.filter((s): s is string => typeof s === 'string' && s !== 'header').map((s) => fieldLabel(s))
  return names.join('/') || '表格'
}

function rowPlace(row: Json): string {
  if ('level3' in row) {
    const levels = [row.level1, row.level2, row.level3].filter((v) => typeof v === 'string' && v.trim() !== '') as string[]
    const text = levels.join('/')
    return text && row.period === 'midTerm' ? `${text}（中期）` : text
  }
  if (typeof row.cell === 'string' && !('name' in row)) return [row.sheet, row.cell].filter((v) => typeof v === 'string' && v.trim() !== '').join('!')
  return typeof row.name === 'string' ? row.name.trim() : ''
}

// ---- values

function diffValue(path: PathSegment[], x: unknown, y: unknown, out: TableChange[]): void {
  const xo = isPlainObject(x)
  const yo = isPlainObject(y)
  // nested objects (header.functionalClass, funds.annual) are compared leaf by leaf; a blank side counts as {}
  if ((xo || yo) && (xo || isBlank(x)) && (yo || isBlank(y))) {
    const xs = xo ? x : EMPTY
    const ys = yo ? y : EMPTY
    for (const k of orderedKeys(xs, ys, FIELD_RANK)) diffValue([...path, k], xs[k], ys[k], out)
    return
  }
  if (sameValue(x, y)) return
  out.push(withValues({ op: 'change', path: formatPath(path) }, x, y))
}

/**
 * WATCH OUT: a blank is absent, null or "" (CONTRACT.md → Table JSON: any field may be blank in any of
 * the three ways); a grid clearing a cell writes one of them, so they are the same value here.
 */
function isBlank(v: unknown): boolean {
  return v === undefined || v === null || v === ''
}

function sameValue(x: unknown, y: unknown): boolean {
  if (x === y) return true
  if (isBlank(x) && isBlank(y)) return true
  if (Array.isArray(x) && Array.isArray(y)) return x.length === y.length && x.every((v, i) => sameValue(v, y[i]))
  const xo = isPlainObject(x)
  const yo = isPlainObject(y)
  if ((xo || isBlank(x)) && (yo || isBlank(y)) && (xo || yo)) {
    const xs = xo ? x : EMPTY
    const ys = yo ? y : EMPTY
    for (const k in xs) if (!sameValue(xs[k], ys[k])) return false
    for (const k in ys) if (!(k in xs) && !isBlank(ys[k])) return false
    return true
  }
  return false
}

function withValues(change: TableChange, before: unknown, after: unknown): TableChange {
  if (before !== undefined) change.before = before
  if (after !== undefined) change.after = after
  return change
}

// ---- rows

function diffRows(list: string, x: unknown, y: unknown, out: TableChange[]): void {
  const before = rowsOf(x)
  const after = rowsOf(y)
  const bKeys = rowKeys(before)
  const aKeys = rowKeys(after)
  const bIndex = new Map(bKeys.map((k, i) => [k, i]))
  const aIndex = new Map(aKeys.map((k, i) => [k, i]))
  before.forEach((row, i) => {
    if (!aIndex.has(bKeys[i]!)) out.push({ op: 'remove', path: formatPath([list, i]), rowId: idOf(row), before: row })
  })
  const staying = keptInOrder(aKeys, bIndex)
  after.forEach((row, i) => {
    const key = aKeys[i]!
    const was = bIndex.get(key)
    const rowId = idOf(row)
    if (was === undefined) {
      out.push({ op: 'add', path: formatPath([list, i]), rowId, after: row })
      return
    }
    if (!staying.has(key)) out.push({ op: 'move', path: formatPath([list, i]), rowId, before: was, after: i })
    const old = before[was]!
    for (const field of orderedKeys(old, row, FIELD_RANK)) {
      if (field === 'id' || sameValue(old[field], row[field])) continue
      out.push(withValues({ op: 'change', path: formatPath([list, i, field]), rowId, field }, old[field], row[field]))
    }
  })
}

/**
 * The rows present on both sides that keep their relative order: a longest increasing subsequence of
 * their old positions taken in their new order (ids are unique, so this is the longest common
 * subsequence), O(n log n). Every other common row is reported as moved — the fewest moves that explain
 * the new order.
 */
function keptInOrder(aKeys: readonly string[], bIndex: ReadonlyMap<string, number>): Set<string> {
  const keys: string[] = []
  const seq: number[] = []
  for (const k of aKeys) {
    const i = bIndex.get(k)
    if (i !== undefined) {
      keys.push(k)
      seq.push(i)
    }
  }
  // tails[l]: index in seq of the smallest tail of an increasing run of length l + 1
  const tails: number[] = []
  const prev = new Array<number>(seq.length).fill(-1)
  for (let i = 0; i < seq.length; i++) {
    let lo = 0
    let hi = tails.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (seq[tails[mid]!]! < seq[i]!) lo = mid + 1
      else hi = mid
    }
    if (lo > 0) prev[i] = tails[lo - 1]!
    tails[lo] = i
  }
  const kept = new Set<string>()
  for (let i = tails.length ? tails[tails.length - 1]! : -1; i >= 0; i = prev[i]!) kept.add(keys[i]!)
  return kept
}

/** A key per row: its id, made unique for a repeated id (auxiliary lists do not forbid them) by its occurrence. */
function rowKeys(rows: readonly Json[]): string[] {
  const seen = new Map<string, number>()
  return rows.map((row, i) => {
    const id = typeof row.id === 'string' ? row.id : `\u0000#${i}`
    const n = seen.get(id) ?? 0
    seen.set(id, n + 1)
    return n === 0 ? id : `${id}\u0000${n}`
  })
}

function idOf(row: Json): string | undefined {
  return typeof row.id === 'string' ? row.id : undefined
}

function rowsOf(v: unknown): Json[] {
  return Array.isArray(v) ? v.filter(isPlainObject) : []
}

// ---- helpers

function isPlainObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Keys of both objects in the form's order (unknown keys last, alphabetically), so stored key order never matters. */
function orderedKeys(x: Json, y: Json, rank: ReadonlyMap<string, number>): string[] {
  const keys = new Set(Object.keys(x))
  for (const k of Object.keys(y)) keys.add(k)
  return [...keys].sort((p, q) => {
    const rp = rank.get(p) ?? Infinity
    const rq = rank.get(q) ?? Infinity
    return rp !== rq ? rp - rq : p < q ? -1 : p > q ? 1 : 0
  })
}
