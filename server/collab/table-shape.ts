// Incremental strict check of a table document after one transaction: re-validates only what the
// transaction touched (a row, a root key, a row list) with the shared strict schemas, so a keystroke
// in a 300-indicator table costs a row parse instead of a whole-table parse (README.md: figures).
import * as Y from 'yjs'
import { z } from 'zod'
import {
  ABSENT, LIMITS, canonicalRootValue, isBlank, canonicalRow, canonicalRowField, formatPath, strictSchemas, type ParseProblem, type PathSegment,
} from '../../shared/model/index.ts'
import { fromYDoc, isLongText, TABLE_ROOT, ROW_LISTS, type RowList } from '../../shared/ydoc/index.ts'
import type { ShapeChecker, ShapeContext } from './shape.ts'
import type { AnyType } from './shape.ts'
import { changedUnits, isNewIn } from './shape.ts'

const LIST_CAPS: Record<RowList, number> = {
  indicators: LIMITS.indicators,
  tasks: LIMITS.tasks,
  coreIndicators: LIMITS.auxRows,
  priorYear: LIMITS.auxRows,
  unplaced: LIMITS.auxRows,
}
/** Lists whose row ids share one namespace (parseTable's duplicate check). */
const ID_LISTS: readonly RowList[] = ['indicators', 'tasks']

type KindShape = Record<string, z.ZodType>
const SHAPES: Record<'project' | 'department', KindShape> = {
  project: strictSchemas.projectTable.shape as unknown as KindShape,
  department: strictSchemas.departmentTable.shape as unknown as KindShape,
}

/** `shape[key]` for an own key only: a key such as `constructor` or `__proto__` is unknown, not Object's. */
function own<T>(shape: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(shape, key) ? shape[key] : undefined
}

function unwrap(schema: z.ZodType): z.ZodType {
  return schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema
}

function rowSchema(shape: KindShape, list: RowList): z.ZodType | null {
  const s = own(shape, list)
  if (!s) return null
  const arr = unwrap(s)
  return arr instanceof z.ZodArray ? (arr.element as z.ZodType) : null
}

function problemsOf(result: z.ZodSafeParseResult<unknown>, base: PathSegment[]): ParseProblem[] {
  if (result.success) return []
  return result.error.issues.slice(0, 5).map((issue) => {
    const path = formatPath([...base, ...(issue.path as PathSegment[])])
    const code = issue.code === 'unrecognized_keys' ? 'unknown_key' : issue.code === 'too_big' ? 'too_long' : issue.code === 'invalid_type' ? 'type' : 'invalid_value'
    return { path, code, message: `${path || '表格'}：${issue.message}` }
  })
}

function plain(value: unknown): unknown {
  return value instanceof Y.AbstractType ? value.toJSON() : value
}

/*
 * Blanks in the live document (CONTRACT.md → Table JSON). A client may write null or "" into any field
 * or delete an optional key: the document keeps what it wrote (the Yjs state is never rewritten behind
 * the editors' backs), and every check here judges the value in its canonical blank form
 * (shared/model/canonical.ts) — exactly what the whole-table strict parse (fromYDoc → parseTable) does —
 * so both accept the same documents. Every reader of the content goes through fromYDoc (server: findings,
 * versions, journal) or the lenient parseTable (client: readTable), which yield the canonical form; no
 * consumer ever meets the raw null.
 */
const orUndefined = (v: unknown) => (v === ABSENT ? undefined : v)

/**
 * Checks the table room. Sound only when the document parsed before the transaction; the room runs
 * `full` instead while it does not (an empty or legacy document), so the first accepted update must
 * leave a whole valid table.
 */
export const tableShapeChecker: ShapeChecker = {
  roots: [TABLE_ROOT],

  full(doc: Y.Doc): ParseProblem[] {
    for (const [name, type] of doc.share) {
      if (name !== TABLE_ROOT && hasContent(type)) return [{ path: name, code: 'unknown_key', message: `文档含未知的根节点：${name}` }]
    }
    const r = fromYDoc(doc)
    if (!r.ok) return r.problems
    const root = doc.getMap<unknown>(TABLE_ROOT)
    const out: ParseProblem[] = []
    for (const [key, value] of root) layoutProblems(value, 'root', key, [key], out)
    return out.slice(0, 20)
  },

  incremental(doc: Y.Doc, tr: Y.Transaction, _ctx: ShapeContext): ParseProblem[] {
    const units = changedUnits(tr, TABLE_ROOT)
    if (units.foreignRoot) return [{ path: units.foreignRoot, code: 'unknown_key', message: `文档含未知的根节点：${units.foreignRoot}` }]
    const root = doc.getMap<unknown>(TABLE_ROOT)
    const kind = root.get('kind')
    if (units.rootKeys.has('kind') || (kind !== 'project' && kind !== 'department')) return this.full(doc)
    const shape = SHAPES[kind]
    const problems: ParseProblem[] = []
    const lists = new Set<RowList>()
    let idsTouched = false

    for (const key of units.rootKeys) {
      if ((ROW_LISTS as readonly string[]).includes(key)) {
        lists.add(key as RowList)
        continue
      }
      const schema = own(shape, key)
      if (!schema) {
        problems.push({ path: key, code: 'unknown_key', message: `表格含未知字段：${key}` })
        continue
      }
      const value = root.get(key)
      const found = problemsOf(schema.safeParse(orUndefined(canonicalRootValue(kind, key, plain(value)))), [key])
      if (!found.length) layoutProblems(value, 'root', key, [key], found)
      problems.push(...found)
    }
    for (const list of units.lists) lists.add(list as RowList)

    for (const list of lists) {
      const value = root.get(list)
      const schema = own(shape, list)
      if (!schema) {
        problems.push({ path: list, code: 'unknown_key', message: `表格含未知字段：${list}` })
        continue
      }
      if (isBlank(value)) {
        problems.push(...problemsOf(schema.safeParse(orUndefined(canonicalRootValue(kind, list, value))), [list]))
        continue
      }
      if (!(value instanceof Y.Array)) {
        problems.push({ path: list, code: 'type', message: `${list} 必须是行的列表` })
        continue
      }
      if (value.length > LIST_CAPS[list]) {
        problems.push({ path: list, code: 'too_many', message: `${list} 共 ${value.length} 行，超过上限 ${LIST_CAPS[list]} 行` })
        continue
      }
      const element = rowSchema(shape, list)!
      let i = 0
      for (const row of value) {
        if (!(row instanceof Y.Map)) problems.push({ path: `${list}[${i}]`, code: 'not_object', message: `${list}[${i}] 必须是对象` })
        else if (isNewIn(row, tr)) problems.push(...checkRow(element, row, list, i))
        i++
      }
      if (ID_LISTS.includes(list)) idsTouched = true
    }

    for (const [list, rows] of units.rows) {
      const element = rowSchema(shape, list as RowList)
      if (!element) {
        problems.push({ path: list, code: 'unknown_key', message: `表格含未知字段：${list}` })
        continue
      }
      for (const [row, keys] of rows) {
        if (lists.has(list as RowList) && isNewIn(row, tr)) continue // checked with its list above
        problems.push(...checkChangedRow(element, row, list as RowList, keys))
        if (keys.has('id') && ID_LISTS.includes(list as RowList)) idsTouched = true
      }
    }
    if (idsTouched) problems.push(...duplicateIds(root))
    return problems.slice(0, 20)
  },
}

/**
 * An existing row whose `keys` changed. The row parsed before, so checking the changed fields is the
 * same as checking the row, when the row schema is a plain object schema (no whole-row refinements);
 * otherwise the whole row is parsed. The row's index (O(rows)) is only looked up for a message.
 */
function checkChangedRow(schema: z.ZodType, row: Y.Map<unknown>, list: RowList, keys: Set<string>): ParseProblem[] {
  const fields = fieldSchemas(schema)
  if (!fields || keys.has('')) return checkRow(schema, row, list, indexOf(row))
  let found: ParseProblem[] | null = null
  for (const key of keys) {
    const field = own(fields, key)
    const value = row.get(key)
    const result = field ? field.safeParse(orUndefined(canonicalRowField(list, key, plain(value)))) : null
    if (field && result!.success) {
      const layout: ParseProblem[] = []
      layoutProblems(value, list, key, [list, '?', key], layout)
      if (!layout.length) continue
    }
    found ??= checkRow(schema, row, list, indexOf(row))
  }
  return found ?? []
}

const FIELD_SCHEMAS = new WeakMap<z.ZodType, Record<string, z.ZodType> | null>()

/** The per-field schemas of a plain strict object schema; null when the schema checks the whole row. */
function fieldSchemas(schema: z.ZodType): Record<string, z.ZodType> | null {
  let fields = FIELD_SCHEMAS.get(schema)
  if (fields === undefined) {
    const plainObject = schema instanceof z.ZodObject && !(schema._zod.def.checks?.length)
    fields = plainObject ? ((schema as z.ZodObject).shape as Record<string, z.ZodType>) : null
    FIELD_SCHEMAS.set(schema, fields)
  }
  return fields
}

function checkRow(schema: z.ZodType, row: Y.Map<unknown>, list: RowList, index: number): ParseProblem[] {
  const found = problemsOf(schema.safeParse(canonicalRow(list, row.toJSON())), [list, index])
  if (!found.length) layoutProblems(row, list, '', [list, index], found)
  return found
}

/**
 * The Yjs layout (CONTRACT.md), which a JSON parse cannot see: objects are Y.Map, lists Y.Array, long
 * text Y.Text and nothing else is. A plain object in place of a Y.Map, or a string replacing a goal's
 * Y.Text, parses fine but breaks field-level merging for everyone else. Roles follow toYValue.
 */
function layoutProblems(value: unknown, role: string, key: string, path: PathSegment[], out: ParseProblem[]): void {
  const where = formatPath(path)
  // WATCH OUT: Y.Map#toJSON turns a key `__proto__` into the result's prototype, so no JSON parse sees it
  if (key === '__proto__') {
    out.push({ path: where, code: 'unknown_key', message: `${where} 为未知字段` })
    return
  }
  if (value instanceof Y.Text) {
    if (!isLongText(role, key)) out.push({ path: where, code: 'layout', message: `${where} 应为普通文字，而不是 Y.Text` })
  } else if (value instanceof Y.Map) {
    const childRole = key === '' ? role : key
    for (const [k, v] of value) layoutProblems(v, childRole, k, [...path, k], out)
  } else if (value instanceof Y.Array) {
    let i = 0
    for (const v of value) layoutProblems(v, key, '', [...path, i++], out)
  } else if (typeof value === 'string') {
    if (isLongText(role, key)) out.push({ path: where, code: 'layout', message: `${where} 应为 Y.Text（长文本）` })
  } else if (value !== null && typeof value === 'object') {
    out.push({ path: where, code: 'layout', message: `${where} 应为 Y.Map 或 Y.Array，而不是普通对象` })
  }
}

function indexOf(row: Y.Map<unknown>): number {
  const parent = row._item?.parent
  if (!(parent instanceof Y.Array)) return -1
  let i = 0
  for (const r of parent) {
    if (r === row) return i
    i++
  }
  return -1
}

function duplicateIds(root: Y.Map<unknown>): ParseProblem[] {
  const seen = new Set<unknown>()
  const out: ParseProblem[] = []
  for (const list of ID_LISTS) {
    const arr = root.get(list)
    if (!(arr instanceof Y.Array)) continue
    let i = 0
    for (const row of arr) {
      const id = row instanceof Y.Map ? row.get('id') : undefined
      if (seen.has(id)) out.push({ path: `${list}[${i}].id`, code: 'duplicate_id', message: `${list}[${i}] 的编号 ${String(id)} 重复` })
      seen.add(id)
      i++
    }
  }
  return out
}

export function hasContent(type: AnyType): boolean {
  return type._start !== null || type._map.size > 0
}
