// Blank is not broken (CONTRACT.md → Table JSON): any field may be blank — absent, `null` or "" — in a
// file, the API, an import or the live document. Before the schema judges a table, every blank is put
// into ONE canonical form, so the static types (schema.ts) stay as they are and no consumer (rules,
// layout, export, diff) ever meets a `null` where it expects an object or a string:
//   - required text → ""            (projectName, annualGoal, a row's level3 …)
//   - optional text → absent when null; "" is kept as typed
//   - amounts       → null when absent, null, "" or only spaces (text amounts are kept for R-FUND-FORMAT)
//   - optional objects (competentDept, projectPeriod, waivers …) → absent when null, "" or spaces; a present one
//     has its own fields made canonical (a code-name object with a blank name keeps `name: ""`)
//   - required objects (header, funds, funds.annual, taskTotals) → their blank form when missing or null
//   - row lists → [] (indicators, tasks) or absent (the optional lists) when missing or null
//   - optional enums and booleans → absent when null, "" or spaces; an indicator's blank period → 'annual'
// Only blanks are touched: a value of the wrong type (a number for an object, a string for a list) is
// left for the schema to refuse. kind, template and year are the table's identity and stay required.
// The spec below mirrors schema.ts key for key (test/unit/blanks.test.ts checks that it does).
import { numberToPlainString } from './money.ts'

export type FieldSpec =
  | 'text' // required text
  | 'optText'
  | 'amount' // required amount (null when blank)
  | 'optAmount'
  | 'optEnum'
  | 'optBool'
  | 'flag' // required boolean: blank → false
  | 'period' // an indicator's period: blank → 'annual'
  | 'optYears' // projectPeriod.years: a number, blank → absent
  | 'id' // row id: left as is (assigned by parseTable in lenient mode)
  | { object: ObjectSpec; optional: boolean; nullable?: boolean }

export type ObjectSpec = Readonly<Record<string, FieldSpec>>

const codeName: FieldSpec = { object: { code: 'optText', name: 'text' }, optional: true }
const fundSplit: ObjectSpec = { total: 'amount', fiscal: 'amount', other: 'amount', carryOver: 'optAmount' }
const signature: ObjectSpec = { preparer: 'optText', phone: 'optText', unitLeader: 'optText', fillDate: 'optText', reviewOpinion: 'optText' }

export const PROJECT_HEADER_SPEC: ObjectSpec = {
  projectName: 'text',
  competentDept: codeName,
  implementingUnit: codeName,
  projectAttribute: 'optText',
  projectCategory: 'optText',
  fundingType: 'optText',
  oneOff: 'optBool',
  crossYear: 'optBool',
  projectPeriod: { object: { start: 'optText', end: 'optText', years: 'optYears' }, optional: true },
  functionalClass: codeName,
  fundSource: 'optText',
  projectLeader: 'optText',
  ...signature,
}

export const DEPARTMENT_HEADER_SPEC: ObjectSpec = {
  deptName: 'text',
  deptCode: 'optText',
  deptType: 'optText',
  functionalClass: codeName,
  deptBudgetTotal: 'optAmount',
  deptFunctions: 'optText',
  ...signature,
}

/** Row fields per row list. */
export const ROW_SPECS: Readonly<Record<string, ObjectSpec>> = {
  indicators: {
    id: 'id', period: 'period', level1: 'text', level2: 'text', level3: 'text', comparator: 'text', target: 'text', unit: 'text',
    valueKind: 'optEnum', direction: 'optEnum', weight: 'optAmount', explanation: 'optText', formula: 'optText', basis: 'optText',
    dataSource: 'optText', scoringRule: 'optText', remark: 'optText', taskRef: 'optText', core: 'optBool',
  },
  tasks: { id: 'id', name: 'text', content: 'text', total: 'amount', fiscal: 'amount', other: 'amount' },
  coreIndicators: { id: 'id', level1: 'optText', level2: 'optText', level3: 'text' },
  priorYear: { id: 'id', period: 'optEnum', level3: 'text', comparator: 'optText', target: 'optText', unit: 'optText', actual: 'optText' },
  unplaced: { id: 'id', cell: 'text', text: 'text', sheet: 'optText', reason: 'optText' },
}

/** Row lists of each kind: required ones (blank → []) and optional ones (blank → absent). */
const LISTS_OF: Readonly<Record<'project' | 'department', Readonly<Record<string, 'required' | 'optional'>>>> = {
  project: { indicators: 'required', coreIndicators: 'optional', priorYear: 'optional', unplaced: 'optional' },
  department: { indicators: 'required', tasks: 'required', coreIndicators: 'optional', priorYear: 'optional', unplaced: 'optional' },
}

const COMMON_SPEC: ObjectSpec = {
  id: 'optText',
  title: 'optText',
  framework: 'optEnum',
  moneyUnit: 'optEnum',
  annualGoal: 'text',
  waivers: { object: { noServiceObject: 'flag', reason: 'text' }, optional: true },
  budgetLink: { object: { total: 'amount', fiscal: 'optAmount', source: 'optText' }, optional: true },
}

/** Root keys (other than kind, template, year and the row lists) per table kind. */
export const ROOT_SPECS: Readonly<Record<'project' | 'department', ObjectSpec>> = {
  project: {
    ...COMMON_SPEC,
    header: { object: PROJECT_HEADER_SPEC, optional: false },
    funds: { object: { midTerm: { object: fundSplit, optional: true, nullable: true }, annual: { object: fundSplit, optional: false } }, optional: false },
    midTermGoal: 'optText',
  },
  department: {
    ...COMMON_SPEC,
    header: { object: DEPARTMENT_HEADER_SPEC, optional: false },
    taskTotals: { object: { total: 'amount', fiscal: 'amount', other: 'amount' }, optional: false },
  },
}

export const ROW_LIST_KEYS = Object.keys(ROW_SPECS)

/** Marks a key to be removed (an optional field left blank). */
export const ABSENT: unique symbol = Symbol('absent')

export interface CanonicalOptions {
  /** numbers typed into text fields become their exact text (outside input); the live document keeps them for the schema to refuse */
  numbersToText?: boolean
}

/** `table[key]` for an own key only: a JSON key such as `constructor` or `__proto__` names nothing here. */
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** absent, null, "" or only spaces: a blank where a structure (object, list, choice) belongs */
export const isBlank = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '')

/** The canonical form of one value under `spec`; ABSENT when the key should not be there. */
export function canonicalValue(spec: FieldSpec, v: unknown, options: CanonicalOptions = {}): unknown {
  if (typeof spec === 'object') {
    if (isBlank(v)) return spec.optional ? (spec.nullable && v !== undefined ? null : ABSENT) : canonicalObject(spec.object, {}, options)
    return isPlainObject(v) ? canonicalObject(spec.object, v, options) : v
  }
  switch (spec) {
    case 'text':
      if (v === undefined || v === null) return ''
      return options.numbersToText && typeof v === 'number' ? numberToPlainString(v) : v
    case 'optText':
      if (v === undefined || v === null) return ABSENT
      return options.numbersToText && typeof v === 'number' ? numberToPlainString(v) : v
    case 'amount':
    case 'optAmount':
      if (v === undefined) return spec === 'amount' ? null : ABSENT
      return isBlank(v) ? null : v
    case 'optEnum':
    case 'optBool':
    case 'optYears':
      return isBlank(v) ? ABSENT : v
    case 'flag':
      return isBlank(v) ? false : v
    case 'period':
      return isBlank(v) ? 'annual' : v
    case 'id':
      return v === undefined ? ABSENT : v
  }
}

interface CompiledSpec {
  fields: ReadonlyMap<string, FieldSpec>
  /** keys that are not left out when absent (required text, amounts, objects …), with their spec */
  required: readonly [string, FieldSpec][]
}
const COMPILED = new WeakMap<ObjectSpec, CompiledSpec>()

function compiled(spec: ObjectSpec): CompiledSpec {
  let c = COMPILED.get(spec)
  if (!c) {
    const entries = Object.entries(spec)
    c = { fields: new Map(entries), required: entries.filter(([, sub]) => canonicalValue(sub, undefined) !== ABSENT) }
    COMPILED.set(spec, c)
  }
  return c
}

/**
 * `obj` with every key of `spec` made canonical; keys outside `spec` are kept for the schema to judge.
 * Returns `obj` itself when nothing is blank (the common case: a 300-row table is not copied row by row),
 * else a new object; never changes `obj`. Visits the keys `obj` has, then the required ones it lacks.
 */
export function canonicalObject(spec: ObjectSpec, obj: Record<string, unknown>, options: CanonicalOptions = {}): Record<string, unknown> {
  const { fields, required } = compiled(spec)
  let changed: Map<string, unknown> | null = null
  for (const key in obj) {
    const sub = fields.get(key)
    if (sub === undefined) continue
    const cur = obj[key]
    const v = canonicalValue(sub, cur, options)
    if (v !== cur) (changed ??= new Map()).set(key, v)
  }
  for (const [key, sub] of required) {
    // WATCH OUT: own-key test, not obj[key]: V8 looks a missing key up slowly on some objects (rows built by spread)
    if (!Object.hasOwn(obj, key)) (changed ??= new Map()).set(key, canonicalValue(sub, undefined, options))
  }
  return changed ? rebuilt(obj, changed) : obj
}

/**
 * A fresh object: `obj`'s keys in order with `changes` applied (ABSENT drops a key), then the added keys.
 * Built anew rather than copied and `delete`d (a deleted key can leave a V8 object in slow dictionary mode).
 */
function rebuilt(obj: Record<string, unknown>, changes: Map<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key in obj) {
    const v = changes.has(key) ? changes.get(key) : obj[key]
    if (v !== ABSENT) put(out, key, v)
  }
  for (const [key, v] of changes) if (v !== ABSENT && !Object.hasOwn(obj, key)) put(out, key, v)
  return out
}

/** out[key] = v, as an own property even for a JSON key `__proto__` (left for the schema to judge, never a prototype). */
function put(out: Record<string, unknown>, key: string, v: unknown): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true })
  else out[key] = v
}

/** A row of `list` in canonical form (non-objects are returned as they are, for the schema to refuse). */
export function canonicalRow(list: string, row: unknown, options: CanonicalOptions = {}): unknown {
  const spec = own(ROW_SPECS, list)
  return spec && isPlainObject(row) ? canonicalObject(spec, row, options) : row
}

/** The canonical form of one field of a row of `list` (ABSENT: no such key); unknown fields are untouched. */
export function canonicalRowField(list: string, key: string, value: unknown, options: CanonicalOptions = {}): unknown {
  const rowSpec = own(ROW_SPECS, list)
  const spec = rowSpec && own(rowSpec, key)
  return spec ? canonicalValue(spec, value, options) : value
}

/**
 * The canonical form of one root value of a table of `kind`; ABSENT when the key should not be there.
 * Row lists: blank → [] or ABSENT, each object row made canonical. kind, template, year and keys the
 * kind does not have (e.g. `tasks` on a project): untouched, for the schema to judge.
 */
export function canonicalRootValue(kind: 'project' | 'department', key: string, value: unknown, options: CanonicalOptions = {}): unknown {
  const list = own(LISTS_OF[kind], key)
  if (list) {
    if (isBlank(value)) return list === 'required' ? [] : ABSENT
    if (!Array.isArray(value)) return value
    let rows: unknown[] | null = null
    for (let i = 0; i < value.length; i++) {
      const row = canonicalRow(key, value[i], options)
      if (row !== value[i]) (rows ??= value.slice())[i] = row
    }
    return rows ?? value
  }
  const spec = own(ROOT_SPECS[kind], key)
  return spec ? canonicalValue(spec, value, options) : value
}

/** The table with every blank in canonical form (a copy when anything changed); unchanged when `kind` is not a table kind. */
export function canonicalTable(raw: Record<string, unknown>, options: CanonicalOptions = {}): Record<string, unknown> {
  const kind = raw.kind
  if (kind !== 'project' && kind !== 'department') return raw
  let changed: Map<string, unknown> | null = null
  for (const key of new Set([...Object.keys(raw), ...Object.keys(ROOT_SPECS[kind]), ...Object.keys(LISTS_OF[kind])])) {
    const has = Object.hasOwn(raw, key)
    const cur = has ? raw[key] : undefined
    const v = canonicalRootValue(kind, key, cur, options)
    if (v === ABSENT ? has : v !== cur) (changed ??= new Map()).set(key, v)
  }
  return changed ? rebuilt(raw, changed) : raw
}
