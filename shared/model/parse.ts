// Turns untrusted JSON into a TargetTable, or into a list of specific, path-named problems.
// Only what cannot be a table at all is refused; bad values inside a valid shape are kept for the rules.
import type { z } from 'zod'
import { LIMITS } from './limits.ts'
import { newId } from './ids.ts'
import { fieldLabel } from './labels.ts'
import { formatPath, type PathSegment } from './path.ts'
import { lenientSchemas, strictSchemas, type SchemaMode, type TargetTable } from './schema.ts'
import { canonicalTable, isBlank, ROW_LIST_KEYS } from './canonical.ts'

export interface ParseProblem {
  /** location in the table, e.g. `indicators[3].target` */
  path: string
  /** stable machine code: `type`, `too_long`, `too_many`, `unknown_key`, `invalid_value`, `required`, `not_object` */
  code: string
  /** Chinese message naming the field */
  message: string
}

export type ParseResult = { ok: true; table: TargetTable } | { ok: false; problems: ParseProblem[] }

export interface ParseOptions {
  mode?: SchemaMode
  /** assign missing row ids (files and API input); the live document must already have them */
  assignIds?: boolean
}

const ROW_LISTS = ROW_LIST_KEYS
const LIST_CAPS: Readonly<Record<string, number>> = {
  indicators: LIMITS.indicators,
  tasks: LIMITS.tasks,
  coreIndicators: LIMITS.auxRows,
  priorYear: LIMITS.auxRows,
  unplaced: LIMITS.auxRows,
}
const ID_PREFIX: Readonly<Record<string, string>> = { tasks: 't', unplaced: 'u' }

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Cheap checks that must run before any deep work, so a 20 000-row table costs nothing. */
function precheck(raw: unknown): ParseProblem[] {
  if (!isPlainObject(raw)) return [{ path: '', code: 'not_object', message: '表格内容必须是一个 JSON 对象' }]
  const problems: ParseProblem[] = []
  for (const key of ROW_LISTS) {
    const list = raw[key]
    if (isBlank(list)) continue // a blank list is an empty one (canonical.ts)
    if (!Array.isArray(list)) {
      problems.push({ path: key, code: 'type', message: `${fieldLabel(key)}（${key}）必须是列表` })
      continue
    }
    if (list.length > LIST_CAPS[key]!) {
      problems.push({ path: key, code: 'too_many', message: `${fieldLabel(key)}（${key}）共 ${list.length} 行，超过上限 ${LIST_CAPS[key]} 行` })
      continue
    }
    list.forEach((row, i) => {
      if (!isPlainObject(row)) problems.push({ path: `${key}[${i}]`, code: 'not_object', message: `${fieldLabel(key)}第 ${i + 1} 行必须是对象` })
    })
  }
  return problems
}

/**
 * Returns a normalised copy: every blank in its canonical form (canonical.ts), then, for outside input,
 * numbers typed into text fields kept as their text and missing row ids assigned.
 */
function normalise(raw: Record<string, unknown>, assignIds: boolean, numbersToText: boolean): Record<string, unknown> {
  const canonical = canonicalTable(raw, { numbersToText })
  if (!assignIds) return canonical
  const out = { ...canonical } // never the caller's object
  for (const key of ROW_LISTS) {
    const list = out[key]
    if (!Array.isArray(list)) continue
    out[key] = list.map((row: Record<string, unknown>) =>
      row.id === undefined || row.id === null || row.id === '' ? { ...row, id: newId(ID_PREFIX[key] ?? 'r') } : row)
  }
  return out
}

function valueAt(input: unknown, path: readonly PathSegment[]): unknown {
  let v: unknown = input
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined
    v = (v as Record<string | number, unknown>)[seg]
  }
  return v
}

function describeIssue(issue: z.core.$ZodIssue, path: PathSegment[], input: unknown): ParseProblem {
  const where = formatPath(path)
  const last = path[path.length - 1]
  const label = typeof last === 'number' ? `${fieldLabel(path[path.length - 2])}${fieldLabel(last)}` : fieldLabel(last)
  const named = where ? `${label}（${where}）` : '表格'
  switch (issue.code) {
    case 'invalid_type': {
      if (valueAt(input, path) === undefined) return { path: where, code: 'required', message: `${named}缺失` }
      return { path: where, code: 'type', message: `${named}类型错误：应为${typeName(issue.expected)}` }
    }
    case 'too_big':
      if (issue.origin === 'string') return { path: where, code: 'too_long', message: `${named}文字过长（最多 ${issue.maximum} 字）` }
      if (issue.origin === 'array') return { path: where, code: 'too_many', message: `${named}行数过多（最多 ${issue.maximum} 行）` }
      return { path: where, code: 'invalid_value', message: `${named}数值过大（最大 ${issue.maximum}）` }
    case 'too_small':
      if (issue.origin === 'string') return { path: where, code: 'required', message: `${named}不能为空` }
      return { path: where, code: 'invalid_value', message: `${named}数值过小（最小 ${issue.minimum}）` }
    case 'unrecognized_keys':
      return { path: where, code: 'unknown_key', message: `${named}含未知字段：${issue.keys.join('、')}` }
    case 'invalid_value':
      return { path: where, code: 'invalid_value', message: `${named}取值无效，应为：${issue.values.map(String).join(' / ')}` }
    case 'invalid_union': {
      if (last === 'kind' || (issue as { discriminator?: string }).discriminator === 'kind') {
        return { path: 'kind', code: 'invalid_value', message: '表类型（kind）取值无效，应为 project（项目）或 department（部门整体）' }
      }
      return { path: where, code: 'type', message: `${named}格式无效` }
    }
    default:
      return { path: where, code: 'invalid_value', message: `${named}：${issue.message}` }
  }
}

function typeName(expected: string): string {
  const names: Record<string, string> = { string: '文字', number: '数字', boolean: '是/否', object: '对象', array: '列表', int: '整数', null: '空值' }
  return names[expected] ?? expected
}

function collectIssues(issues: readonly z.core.$ZodIssue[], input: unknown, out: ParseProblem[]) {
  for (const issue of issues) {
    const path = issue.path as PathSegment[]
    out.push(describeIssue(issue, issue.code === 'invalid_union' && path.length === 0 ? ['kind'] : path, input))
  }
}

export function parseTable(raw: unknown, options: ParseOptions = {}): ParseResult {
  const mode = options.mode ?? 'lenient'
  const early = precheck(raw)
  if (early.length) return { ok: false, problems: early }
  // Blanks are made canonical in both modes: the live document may hold a null or a deleted key a
  // client wrote (kept there as written), and its readers get the same canonical table as everyone.
  // Only outside input has its ids assigned and numbers in text fields turned into text.
  const outside = mode !== 'strict' || options.assignIds === true
  const input = normalise(raw as Record<string, unknown>, options.assignIds ?? mode !== 'strict', outside)
  const schemas = mode === 'strict' ? strictSchemas : lenientSchemas
  const result = schemas.table.safeParse(input)
  if (result.success) {
    const dup = duplicateIds(result.data)
    if (dup.length) return { ok: false, problems: dup }
    return { ok: true, table: result.data as TargetTable }
  }
  const problems: ParseProblem[] = []
  collectIssues(result.error.issues, input, problems)
  return { ok: false, problems: problems.slice(0, 50) }
}

function duplicateIds(table: TargetTable): ParseProblem[] {
  const problems: ParseProblem[] = []
  const lists: [string, { id: string }[] | undefined][] = [
    ['indicators', table.indicators],
    ['tasks', table.kind === 'department' ? table.tasks : undefined],
  ]
  const seen = new Set<string>()
  for (const [key, rows] of lists) {
    rows?.forEach((row, i) => {
      if (seen.has(row.id)) problems.push({ path: `${key}[${i}].id`, code: 'duplicate_id', message: `${fieldLabel(key)}第 ${i + 1} 行的编号 ${row.id} 重复` })
      seen.add(row.id)
    })
  }
  return problems
}

/** Parses or throws an AppError-shaped problem list; convenience for trusted call sites and tests. */
export function parseTableOrThrow(raw: unknown, options?: ParseOptions): TargetTable {
  const r = parseTable(raw, options)
  if (!r.ok) throw new Error(r.problems.map((p) => `${p.path}: ${p.message}`).join('\n'))
  return r.table
}
