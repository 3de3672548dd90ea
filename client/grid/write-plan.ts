// What a grid edit means for the table: cell targets + what was typed/pasted → field-level edits
// keyed by row id (never by grid address). Pure; binding.ts applies the plan to the Y.Doc.
import {
  FRAMEWORKS, frameworkOf, normaliseLevel2, parseAmount, TEMPLATES,
  type TargetTable,
} from '../../shared/model/index.ts'
import { isLongText, type FieldValue } from '../../shared/ydoc/index.ts'
import {
  inputText, normaliseBreaks, parseAmountInput, parseCodeName, parseComparator, parseDirection, parseIndicatorValue,
  parseNumberInput, parsePeriod, singleLine, type CellInput,
} from '../../shared/layout/codecs.ts'
import type { CellTarget, ListName } from '../../shared/layout/layout.ts'

export type Edit =
  | { op: 'field'; path: string[]; value: FieldValue | undefined }
  | { op: 'row'; list: ListName; rowId: string; field: string; value: FieldValue | undefined }
  /** insert after `afterRowId` (or at the end when absent / gone) */
  | { op: 'insert'; list: ListName; afterRowId?: string; row: Record<string, FieldValue> }

export interface CellWrite { target: CellTarget; input: CellInput }

function moneyUnitOf(table: TargetTable): string {
  return table.moneyUnit ?? TEMPLATES[table.template]?.moneyUnit ?? '万元'
}

/** The 一级 a 二级 name belongs to in the table's framework, when it is unambiguous. */
function level1ForLevel2(table: TargetTable, level2: string): string | undefined {
  const name = normaliseLevel2(level2)
  const owners = FRAMEWORKS[frameworkOf(table)].level1.filter((l1) => l1.level2.some((l2) => l2.name === name))
  return owners.length === 1 ? owners[0]!.name : undefined
}

/** Field values of one row-ish write (a row cell, a 'new' cell): a legacy 指标值 expands to three fields. */
function rowFieldValues(table: TargetTable, field: string, codec: string, input: CellInput): Record<string, FieldValue | undefined> | null {
  const text = inputText(input).trim()
  switch (codec) {
    case 'value': {
      const v = parseIndicatorValue(input)
      const out: Record<string, FieldValue | undefined> = { comparator: v.comparator, target: v.target, unit: v.unit }
      if (v.comparator) out.valueKind = v.comparator === '定性' ? 'qualitative' : 'quantitative'
      return out
    }
    case 'comparator': {
      const c = parseComparator(input)
      const out: Record<string, FieldValue | undefined> = { comparator: c }
      if (c === '定性') out.valueKind = 'qualitative'
      else if (['≥', '≤', '=', '>', '<'].includes(c)) out.valueKind = 'quantitative'
      return out
    }
    case 'amount': return { [field]: parseAmountInput(input, moneyUnitOf(table)) }
    case 'number': {
      const n = parseNumberInput(input)
      return { [field]: n === null ? undefined : n }
    }
    case 'direction': {
      const d = parseDirection(input)
      return d === null ? null : { [field]: d }
    }
    default: {
      if (field === 'level2') {
        const l1 = level1ForLevel2(table, text)
        return l1 ? { level2: text, level1: l1 } : { level2: text }
      }
      return { [field]: text }
    }
  }
}

function fieldEdits(table: TargetTable, path: string[], codec: string, input: CellInput): Edit[] {
  switch (codec) {
    case 'amount': return [{ op: 'field', path, value: parseAmountInput(input, moneyUnitOf(table)) }]
    case 'number': return [{ op: 'field', path, value: parseNumberInput(input) }]
    case 'codeName': {
      const v = parseCodeName(input)
      return [{ op: 'field', path: [...path, 'name'], value: v.name }, { op: 'field', path: [...path, 'code'], value: v.code }]
    }
    case 'period': {
      const p = parsePeriod(input)
      return (['start', 'end', 'years'] as const).map((k) => ({ op: 'field' as const, path: [...path, k], value: p[k] }))
    }
    default: return [{ op: 'field', path, value: inputText(input) }]
  }
}

function emptyIndicator(seed: Record<string, string>): Record<string, FieldValue> {
  return { period: 'annual', level1: '', level2: '', level3: '', comparator: '', target: '', unit: '', ...seed }
}

function emptyTask(): Record<string, FieldValue> {
  return { name: '', content: '', total: null, fiscal: null, other: null }
}

/**
 * Whether a cell takes several lines (Alt+Enter): the document's long-text fields (Y.Text — the goals,
 * a task's content, 部门职能, 审核意见). Every other field is one line.
 */
export function isMultiLine(target: CellTarget): boolean {
  switch (target.kind) {
    case 'field': {
      const key = target.path[target.path.length - 1]!
      return target.codec === 'text' && isLongText(target.path.length > 1 ? target.path[target.path.length - 2]! : 'root', key)
    }
    case 'row':
    case 'new':
      return target.codec === 'text' && isLongText(target.list, target.field)
    default:
      return false
  }
}

/** Line breaks as stored: `\n` in a multi-line field (trailing ones dropped), a space in any other. */
function lineBreaks(target: CellTarget, input: CellInput): CellInput {
  if (typeof input !== 'string' || !/[\r\n]/.test(input)) return input
  return isMultiLine(target) ? normaliseBreaks(input).replace(/\n+$/, '') : singleLine(input)
}

/**
 * Turns the cells of one grid mutation into edits. Cells that cannot be written (labels, computed
 * cells, covered parts of merges, refused values) produce nothing: the next render puts the form back.
 */
export function planWrites(table: TargetTable, writes: CellWrite[]): Edit[] {
  const edits: Edit[] = []
  const inserts = new Map<string, Extract<Edit, { op: 'insert' }>>()
  for (const write of writes) {
    const target = write.target
    const input = lineBreaks(target, write.input)
    switch (target.kind) {
      case 'field':
        edits.push(...fieldEdits(table, target.path, target.codec, input))
        break
      case 'row': {
        const values = rowFieldValues(table, target.field, target.codec, input)
        if (!values) break
        for (const [field, value] of Object.entries(values)) edits.push({ op: 'row', list: target.list, rowId: target.rowId, field, value })
        break
      }
      case 'group': {
        const text = inputText(input).trim()
        if (text === '') break // clearing a group cell would orphan its rows; refused
        const l1 = target.field === 'level2' ? level1ForLevel2(table, text) : undefined
        for (const rowId of target.rowIds) {
          edits.push({ op: 'row', list: 'indicators', rowId, field: target.field, value: text })
          if (l1) edits.push({ op: 'row', list: 'indicators', rowId, field: 'level1', value: l1 })
        }
        break
      }
      case 'new': {
        if (inputText(input).trim() === '') break // an empty paste into a blank line creates nothing
        const values = rowFieldValues(table, target.field, target.codec, input)
        if (!values) break
        let ins = inserts.get(target.padKey)
        if (!ins) {
          ins = { op: 'insert', list: target.list, row: target.list === 'tasks' ? emptyTask() : emptyIndicator(target.seed) }
          if (target.afterRowId) ins.afterRowId = target.afterRowId
          inserts.set(target.padKey, ins)
          edits.push(ins)
        }
        for (const [k, v] of Object.entries(values)) if (v !== undefined) ins.row[k] = v
        break
      }
      default:
        break
    }
  }
  return withTaskTotals(table, withParents(table, edits))
}

/** Objects the schema needs whole: created with all their keys when a first field of them is typed. */
const PARENT_DEFAULTS: Record<string, Record<string, FieldValue>> = {
  'funds.midTerm': { total: null, fiscal: null, other: null },
  'funds.annual': { total: null, fiscal: null, other: null },
  taskTotals: { total: null, fiscal: null, other: null },
  'header.competentDept': { name: '' },
  'header.implementingUnit': { name: '' },
  'header.functionalClass': { name: '' },
}

function withParents(table: TargetTable, edits: Edit[]): Edit[] {
  const out: Edit[] = []
  const created = new Set<string>()
  for (const e of edits) {
    if (e.op === 'field' && e.path.length > 1) {
      const parent = e.path.slice(0, -1)
      const key = parent.join('.')
      const defaults = PARENT_DEFAULTS[key]
      let cur: unknown = table
      for (const k of parent) cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined
      if (defaults && (cur === null || typeof cur !== 'object') && !created.has(key)) {
        created.add(key)
        for (const [k, v] of Object.entries(defaults)) if (k !== e.path[e.path.length - 1]) out.push({ op: 'field', path: [...parent, k], value: v })
      }
    }
    out.push(e)
  }
  return out
}

/** A department table's stored 金额合计 follows its tasks: recomputed (exactly) whenever a task amount is edited here. */
function withTaskTotals(table: TargetTable, edits: Edit[]): Edit[] {
  if (table.kind !== 'department') return edits
  const touches = edits.some((e) => (e.op === 'row' && e.list === 'tasks' && ['total', 'fiscal', 'other'].includes(e.field)) || (e.op === 'insert' && e.list === 'tasks'))
  if (!touches) return edits
  const after = simulate(table, edits)
  const tasks = (after.tasks ?? []) as Record<string, unknown>[]
  const unit = moneyUnitOf(table)
  const out = [...edits]
  for (const key of ['total', 'fiscal', 'other'] as const) {
    let sum = 0n
    for (const t of tasks) {
      const p = parseAmount((t[key] ?? null) as number | string | null, unit)
      if (p.ok) sum += p.micro
    }
    out.push({ op: 'field', path: ['taskTotals', key], value: parseAmountInput(microPlain(sum), unit) })
  }
  return out
}

function microPlain(micro: bigint): string {
  const int = micro / 1_000_000n
  const frac = (micro % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '')
  return frac ? `${int}.${frac}` : `${int}`
}

/** The table as JSON after `edits` (for derived values and tests; ids of inserted rows are left out). */
export function simulate(table: TargetTable, edits: Edit[]): Record<string, unknown> {
  const out = structuredClone(table) as unknown as Record<string, unknown>
  for (const e of edits) {
    if (e.op === 'field') {
      let obj = out
      for (const k of e.path.slice(0, -1)) {
        if (obj[k] === null || typeof obj[k] !== 'object') obj[k] = {}
        obj = obj[k] as Record<string, unknown>
      }
      const last = e.path[e.path.length - 1]!
      if (e.value === undefined) delete obj[last]
      else obj[last] = e.value
    } else if (e.op === 'row') {
      const rows = (out[e.list] ?? []) as Record<string, unknown>[]
      const row = rows.find((r) => r.id === e.rowId)
      if (row) { if (e.value === undefined) delete row[e.field]; else row[e.field] = e.value }
    } else {
      const rows = ((out[e.list] ??= []) as Record<string, unknown>[])
      const at = e.afterRowId ? rows.findIndex((r) => r.id === e.afterRowId) + 1 : rows.length
      rows.splice(at > 0 ? at : rows.length, 0, { ...e.row })
    }
  }
  return out
}

/** Only the edits that change something (a paste over identical cells writes nothing). */
export function effectiveEdits(table: TargetTable, edits: Edit[]): Edit[] {
  const json = table as unknown as Record<string, unknown>
  return edits.filter((e) => {
    if (e.op === 'insert') return true
    if (e.op === 'field') {
      let v: unknown = json
      for (const k of e.path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined
      return !same(v, e.value)
    }
    const row = ((json[e.list] ?? []) as Record<string, unknown>[]).find((r) => r.id === e.rowId)
    return row !== undefined && !same(row[e.field], e.value)
  })
}

function same(a: unknown, b: unknown): boolean {
  // WATCH OUT: null and a missing key differ for amounts (the schema wants the key), so no loose equality here
  return a === b
}

/** Seed for a row inserted next to `rowId` (same period, 一级, 二级). */
export function siblingSeed(table: TargetTable, rowId: string): Record<string, string> {
  const row = (table.indicators ?? []).find((r) => r.id === rowId)
  if (!row) return {}
  return { period: row.period ?? 'annual', level1: row.level1, level2: row.level2 }
}
