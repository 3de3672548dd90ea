// The Yjs layout of a table (CONTRACT.md → Live documents): root `doc.getMap('table')` mirrors
// the JSON content; objects are Y.Map, row lists Y.Array<Y.Map> with `id`, long text Y.Text.
import * as Y from 'yjs'

export const TABLE_ROOT = 'table'
export const ROW_LISTS = ['indicators', 'tasks', 'coreIndicators', 'priorYear', 'unplaced'] as const
export type RowList = (typeof ROW_LISTS)[number]

/**
 * Keys whose string values are held as Y.Text so concurrent typing in one goal merges by character.
 * Keyed by the parent's role: root, header, a task row, waivers.
 */
const LONG_TEXT: Readonly<Record<string, ReadonlySet<string>>> = {
  root: new Set(['annualGoal', 'midTermGoal']),
  header: new Set(['deptFunctions', 'reviewOpinion']),
  tasks: new Set(['content']),
  waivers: new Set(['reason']),
}

export function isLongText(parentRole: string, key: string): boolean {
  return LONG_TEXT[parentRole]?.has(key) ?? false
}

export function tableRoot(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(TABLE_ROOT)
}

/** Converts a JSON value to its Yjs form; `role` names the parent so long-text keys become Y.Text. */
export function toYValue(value: unknown, role: string, key: string): unknown {
  if (Array.isArray(value)) {
    const arr = new Y.Array<unknown>()
    arr.push(value.map((item) => toYValue(item, key, '')))
    return arr
  }
  if (value !== null && typeof value === 'object') {
    const map = new Y.Map<unknown>()
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v !== undefined) map.set(k, toYValue(v, key === '' ? role : key, k))
    }
    return map
  }
  if (typeof value === 'string' && isLongText(role, key)) return new Y.Text(value)
  return value
}

/** Plain JSON of any Yjs value (Y.Text → string). */
export function fromYValue(value: unknown): unknown {
  if (value instanceof Y.Map || value instanceof Y.Array || value instanceof Y.Text) return value.toJSON()
  return value
}
