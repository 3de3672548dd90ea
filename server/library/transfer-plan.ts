// What a library import would do (pure: the read rows, the library and the departments in; the plan out):
// each row is checked whole — levels and comparator and scope present, values the columns allow, lengths,
// 功能分类 codes in the classification, the department known, no duplicate in the file or the library, no
// formula without a cached value — and becomes a new entry, a change of the entry its 指标编号 names, an
// unchanged row, or one or more rejections (the row is then left out whole).
import { LIBRARY_COLUMNS, type LibraryColumnKey, type LibraryImportRejection, type LibraryRowProblem } from '../../shared/api/library-transfer.ts'
import { COMPARATORS } from '../../shared/model/schema.ts'
import { classEntry } from '../import/functional-class.ts'
import type { LibrarySheetRead } from '../import/library-read.ts'
import { COLUMN_INDEX, TRANSFER_FIELDS, readCore, readScope, sameField, splitList, type TransferFields } from './transfer-format.ts'

export interface PlanEntry extends TransferFields { id: string; version: number }
export interface PlanDepartment { id: string; code: string; name: string }

export interface PlannedCreate { row: number; id?: string; fields: TransferFields }
export interface PlannedUpdate {
  row: number
  id: string
  /** the version the change is made against (the write refuses if the entry moved meanwhile) */
  version: number
  fields: TransferFields
  before: Record<string, unknown>
  after: Record<string, unknown>
}

export interface LibraryImportPlan {
  rows: number
  creates: PlannedCreate[]
  updates: PlannedUpdate[]
  unchanged: number
  rejected: LibraryImportRejection[]
}

/** the longest text per column (as the library's own contract: shared/api/library.ts) */
const MAX_LENGTH: Partial<Record<LibraryColumnKey, number>> = {
  level1: 50, level2: 50, level3: 200, explanation: 2000, formula: 2000, typicalValue: 200, unit: 50, basis: 200,
  dataSource: 500, 'alt2021.level1': 50, 'alt2021.level2': 50,
}
const ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/
const CLASS_PATTERN = /^(\*|\d{3}|\d{5}|\d{7})$/

/**
 * A 功能分类 code the classification holds. The built-in list names every 类 and 款 but only some 项
 * (shared/domain/functional-classification.json is a representative subset), so a 7-digit 项 under a known
 * 款 is accepted too.
 */
export function knownClass(code: string): boolean {
  if (code === '*') return true
  if (!CLASS_PATTERN.test(code)) return false
  return classEntry(code) !== undefined || (code.length === 7 && classEntry(code.slice(0, 5)) !== undefined)
}

const labelOf = (k: LibraryColumnKey) => LIBRARY_COLUMNS[COLUMN_INDEX[k]]!.label
const keyOf = (f: Pick<TransferFields, 'level1' | 'level2' | 'level3' | 'departmentId'>) =>
  `${f.level1.trim()}\u0000${f.level2.trim()}\u0000${f.level3.trim()}\u0000${f.departmentId ?? ''}`

export function planLibraryImport(read: LibrarySheetRead, library: readonly PlanEntry[], departments: readonly PlanDepartment[]): LibraryImportPlan {
  const byId = new Map(library.map((e) => [e.id, e]))
  const byKey = new Map<string, PlanEntry>()
  for (const e of library) if (!byKey.has(keyOf(e))) byKey.set(keyOf(e), e)
  const deptByName = new Map<string, PlanDepartment[]>()
  const deptByCode = new Map<string, PlanDepartment>()
  for (const d of departments) {
    const n = d.name.trim()
    deptByName.set(n, [...(deptByName.get(n) ?? []), d])
    deptByCode.set(d.code.trim(), d)
  }
  const seenKeys = new Map<string, number>()
  const seenIds = new Map<string, number>()
  const plan: LibraryImportPlan = { rows: read.rows.length, creates: [], updates: [], unchanged: 0, rejected: [] }

  for (const { row, cells, formulas } of read.rows) {
    const problems: LibraryImportRejection[] = []
    const reject = (problem: LibraryRowProblem, column: LibraryColumnKey | null, message: string) =>
      problems.push({ row, column: column ? labelOf(column) : null, problem, message: `第 ${row} 行 ${column ? labelOf(column) : ''}${message}` })
    const cell = (k: LibraryColumnKey) => cells[COLUMN_INDEX[k]] ?? null

    for (const i of formulas) {
      const k = LIBRARY_COLUMNS[i]!.key
      reject('formula', k, '是公式，文件中没有保存计算结果；请在 Excel/WPS 中打开并保存后再导入')
    }
    const formulaCols = new Set(formulas.map((i) => LIBRARY_COLUMNS[i]!.key))

    const id = (cell('id') ?? '').trim()
    if (id && !ID_PATTERN.test(id)) reject('invalid_value', 'id', `“${cut(id)}”只能含字母、数字、_ . -，最多 64 个字符`)
    const current = id ? byId.get(id) : undefined
    if (id && seenIds.has(id)) reject('duplicate_in_file', 'id', `“${id}”与第 ${seenIds.get(id)} 行重复`)

    // text columns: present → the cell; absent from the file → the entry's value (a change) or blank (new)
    const text = (k: Exclude<LibraryColumnKey, 'id' | 'scope' | 'functionalClasses' | 'projectTypes' | 'alt2021.level1' | 'alt2021.level2' | 'departmentId' | 'core'>): string => {
      const v = cell(k)
      if (v === null) return current ? current[k] : ''
      const max = MAX_LENGTH[k]
      if (max !== undefined && v.length > max) reject('invalid_value', k, `超过 ${max} 个字符（${v.length} 个）`)
      return v
    }
    const level1 = text('level1')
    const level2 = text('level2')
    const level3 = text('level3')
    for (const [k, v] of [['level1', level1], ['level2', level2], ['level3', level3]] as const) {
      if (!v.trim() && !formulaCols.has(k)) reject('required', k, '必填')
    }
    const explanation = text('explanation')
    const formula = text('formula')
    const comparatorText = text('comparator').trim()
    let comparator = comparatorText
    if (!comparatorText) {
      if (!formulaCols.has('comparator')) reject('required', 'comparator', '必填')
    } else {
      comparator = comparatorText.replace('>=', '≥').replace('<=', '≤').replace('＝', '=').replace('＞', '>').replace('＜', '<')
      if (!(COMPARATORS as readonly string[]).includes(comparator)) reject('invalid_value', 'comparator', `“${cut(comparatorText)}”应为 ${COMPARATORS.join('、')} 之一`)
    }
    const typicalValue = text('typicalValue')
    const unit = text('unit')
    const basis = text('basis')
    const dataSource = text('dataSource')

    let scope: TransferFields['scope'] = current?.scope ?? 'specific'
    const scopeText = cell('scope')
    if (scopeText !== null) {
      if (!scopeText.trim()) {
        if (!formulaCols.has('scope')) reject('required', 'scope', '必填（共性指标 或 个性指标）')
      } else {
        const s = readScope(scopeText)
        if (s) scope = s
        else reject('invalid_value', 'scope', `“${cut(scopeText)}”应为 共性指标 或 个性指标`)
      }
    }

    let functionalClasses = current?.functionalClasses ?? []
    const classText = cell('functionalClasses')
    if (classText !== null) {
      functionalClasses = splitList(classText)
      const unknown = functionalClasses.filter((c) => !knownClass(c))
      if (unknown.length) reject('unknown_class', 'functionalClasses', `${unknown.map((c) => `“${cut(c)}”`).join('、')}不在功能分类科目中`)
      if (functionalClasses.length > 200) reject('invalid_value', 'functionalClasses', `最多 200 个功能分类（${functionalClasses.length} 个）`)
    }

    let projectTypes = current?.projectTypes ?? []
    const typesText = cell('projectTypes')
    if (typesText !== null) {
      projectTypes = splitList(typesText)
      const long = projectTypes.find((t) => t.length > 100)
      if (long) reject('invalid_value', 'projectTypes', `“${cut(long)}”超过 100 个字符`)
      if (projectTypes.length > 100) reject('invalid_value', 'projectTypes', `最多 100 个项目类型（${projectTypes.length} 个）`)
    }

    let alt2021 = current?.alt2021 ?? null
    const a1 = cell('alt2021.level1')
    const a2 = cell('alt2021.level2')
    if (a1 !== null || a2 !== null) {
      const l1 = (a1 ?? alt2021?.level1 ?? '').trim()
      const l2 = (a2 ?? alt2021?.level2 ?? '').trim()
      if (!l1 && !l2) alt2021 = null
      else if (!l1 || !l2) reject('invalid_value', !l1 ? 'alt2021.level1' : 'alt2021.level2', '与另一个 2021 版指标列须同时填写或同时留空')
      else if (l1.length > 50 || l2.length > 50) reject('invalid_value', l1.length > 50 ? 'alt2021.level1' : 'alt2021.level2', '超过 50 个字符')
      else alt2021 = { level1: l1, level2: l2 }
    }

    let departmentId = current?.departmentId ?? null
    const deptText = cell('departmentId')
    if (deptText !== null) {
      const name = deptText.trim()
      if (!name) departmentId = null
      else {
        const named = deptByName.get(name) ?? []
        const d = named.length === 1 ? named[0] : deptByCode.get(name)
        if (d) departmentId = d.id
        else if (named.length > 1) reject('unknown_department', 'departmentId', `“${cut(name)}”对应多个部门，请改填部门代码`)
        else reject('unknown_department', 'departmentId', `“${cut(name)}”不是已有的部门（按名称或代码查找）`)
      }
    }

    let core = current?.core ?? false
    const coreText = cell('core')
    if (coreText !== null) {
      const c = readCore(coreText)
      if (c === undefined) reject('invalid_value', 'core', `“${cut(coreText)}”应为 ★ 或留空`)
      else core = c
    }

    const fields: TransferFields = {
      level1: level1.trim(), level2: level2.trim(), level3: level3.trim(), explanation, formula, comparator: comparator as TransferFields['comparator'],
      typicalValue, unit, basis, dataSource, scope, functionalClasses, projectTypes, alt2021, departmentId, core,
    }

    // duplicates: by levels and department, against earlier rows and against other library entries
    if (problems.length === 0 || problems.every((p) => p.problem !== 'required')) {
      const key = keyOf(fields)
      const earlier = seenKeys.get(key)
      if (earlier !== undefined) reject('duplicate_in_file', 'level3', `“${cut(fields.level3)}”（${fields.level1}/${fields.level2}）与第 ${earlier} 行重复`)
      else {
        const other = byKey.get(key)
        const keyChanged = !current || keyOf(current) !== key
        if (other && other.id !== current?.id && keyChanged) {
          reject('duplicate_in_library', 'level3', `“${cut(fields.level3)}”（${fields.level1}/${fields.level2}）已在指标库中（指标编号 ${other.id}）`)
        }
      }
      if (problems.length === 0) seenKeys.set(key, row)
    }
    if (id && !seenIds.has(id) && problems.length === 0) seenIds.set(id, row)

    if (problems.length) {
      problems.sort((a, b) => colOrder(a.column) - colOrder(b.column))
      plan.rejected.push(...problems)
      continue
    }
    if (!current) {
      plan.creates.push({ row, ...(id ? { id } : {}), fields })
      continue
    }
    const before: Record<string, unknown> = {}
    const after: Record<string, unknown> = {}
    for (const k of TRANSFER_FIELDS) {
      if (sameField(fields[k], current[k])) continue
      before[k] = current[k]
      after[k] = fields[k]
    }
    if (Object.keys(after).length === 0) plan.unchanged++
    else plan.updates.push({ row, id: current.id, version: current.version, fields, before, after })
  }
  return plan
}

const colOrder = (label: string | null) => (label === null ? -1 : LIBRARY_COLUMNS.findIndex((c) => c.label === label))

function cut(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s
}
