// The department list (部门名单) from a workbook: every sheet with a heading row is read into rows of
// code, name, kind and parent, then planned against the departments already stored. Two shapes:
//
//   A. 上级 column: 代码 | 名称 | [类型] | 上级代码 — the parent is a code (`820`), a code-name cell
//      (`820-南江市教育局`, `***-南江市教育局（部门）` with the code masked → matched by name) or a name.
//      Without a 类型 column (or with it blank): a row with a parent is a 单位, a name ending in
//      镇/乡/街道 (人民政府, 办事处) a 镇街, anything else a 部门.
//   B. no 上级 column (the 一体化 listing: a department, then its units below it): a code that extends
//      the code of a department or town in the file or the database by digits (`820001` under `820`)
//      is a unit of it (the longest such code wins); a row without such a prefix is a 部门 or 镇街 as
//      in A. A 类型 cell, when filled, is obeyed.
//
// Either shape may put code and name in one cell (`820001-南江市XX中心`) when there is no 代码 column;
// a trailing `（部门）` marks a 部门 and is dropped from the name. Blank rows, notes (`注：…`, `说明`,
// `合计`, a cell merged across the code and name columns) and title rows above the heading are skipped.
// Every row that cannot be stored becomes an ImportProblem naming its cell; the others are imported.
import type { DepartmentImportAnswer, ImportProblem } from '../../shared/api/imports.ts'
import type { DepartmentKind } from '../../shared/api/directory.ts'
import { cellAt, type SheetGrid } from './grid.ts'

/** Rows a department list may have (a city has hundreds; more is not a department list). */
export const MAX_DEPARTMENT_ROWS = 5000
const HEADING_SEARCH_ROWS = 30
const MAX_CODE = 50
const MAX_NAME = 200

export interface DepartmentListRow {
  sheet: string
  /** 1-based row in the sheet */
  row: number
  /** A1 addresses of the cells read (the code's is where most problems point) */
  cells: { code: string; name: string; kind?: string; parent?: string }
  code: string
  name: string
  /** null: not given; the planner infers it */
  kind: DepartmentKind | null
  /** the parent's code as written (shape A) */
  parentCode: string | null
  /** the parent's name when the cell had no usable code (`***-名称`, a name alone) */
  parentName: string | null
}

export interface DepartmentListRead {
  rows: DepartmentListRow[]
  problems: ImportProblem[]
  /** true when at least one sheet had a heading row (a 代码/名称 list) */
  found: boolean
  /** true when any sheet read had a 上级 column */
  parentColumn: boolean
  /** per sheet read: whether it had a 上级 column (shape A) or not (shape B) */
  shapes: Map<string, 'parent-column' | 'code-prefix'>
}

type Column = 'code' | 'name' | 'kind' | 'parent'

const LABELS: Record<Column, readonly string[]> = {
  code: ['代码', '编码', '单位代码', '部门代码', '预算单位编码', '预算单位代码', '单位编码', '部门编码', '部门单位代码', '部门单位编码'],
  name: ['名称', '单位名称', '部门名称', '预算单位名称', '部门单位名称', '预算单位', '单位', '部门', '部门单位'],
  kind: ['类型', '单位类型', '部门类型', '类别', '单位类别', '部门类别'],
  parent: ['上级代码', '上级部门代码', '主管部门代码', '上级编码', '上级部门编码', '主管部门编码', '上级单位代码', '上级部门', '主管部门', '上级单位', '上级'],
}

const KINDS: Record<string, DepartmentKind> = {
  部门: 'department', 一级部门: 'department', 主管部门: 'department', department: 'department',
  单位: 'unit', 下属单位: 'unit', 二级单位: 'unit', 预算单位: 'unit', unit: 'unit',
  镇街: 'town', 镇: 'town', 街道: 'town', 乡: 'town', 乡镇: 'town', 镇街道: 'town', town: 'town',
}

const TOWN_NAME = /(镇|乡|街道)(人民政府|办事处|街道办事处)?$/
const DEPARTMENT_SUFFIX = /[（(]部门[）)]$/
const NOTE = /^(注|说明|备注|填表说明|填报说明|合计|总计|小计)/
const CODE_TEXT = /^[0-9A-Za-z][0-9A-Za-z._-]*$/
/** `820-名称`, `***-名称`, `820－名称`, `820—名称`: a code (or a mask) and a name */
const CODE_NAME = /^([0-9A-Za-z][0-9A-Za-z._]*|\*+)\s*[-－—–]\s*(.+)$/

/** A heading cell reduced to its label: no blanks, no `*`, no colon, no bracketed remark. */
export function headingLabel(text: string): string {
  return text.replace(/\s+/g, '').replace(/[（(][^）)]*[）)]/g, '').replace(/[*＊:：]/g, '')
}

function columnOf(text: string): Column | null {
  const label = headingLabel(text)
  if (!label) return null
  for (const col of ['code', 'name', 'kind', 'parent'] as const) if (LABELS[col].includes(label)) return col
  return null
}

/** `820-南江市教育局` → {code:'820', name:'南江市教育局'}; a masked code (`***`) → code null. */
export function splitCodeName(text: string): { code: string | null; name: string } | null {
  const m = CODE_NAME.exec(text.trim())
  if (!m) return null
  return { code: m[1]!.startsWith('*') ? null : m[1]!, name: m[2]!.trim() }
}

/** 部门/单位/镇街 (and their aliases, Chinese or English) → the stored kind; null when unknown. */
export function kindOf(text: string): DepartmentKind | null {
  return KINDS[headingLabel(text).toLowerCase()] ?? null
}

function problem(sheet: string, cell: string, code: string, message: string, severity: ImportProblem['severity'] = 'error'): ImportProblem {
  return { sheet, cell, code, severity, message }
}

interface Heading { row: number; columns: Partial<Record<Column, number>> }

function findHeading(grid: SheetGrid): Heading | null {
  const last = Math.min(grid.rows.length, HEADING_SEARCH_ROWS)
  for (let r = 0; r < last; r++) {
    const columns: Partial<Record<Column, number>> = {}
    for (let c = 0; c < grid.columnCount; c++) {
      const cell = grid.rows[r]![c]!
      if (cell.master) continue
      const col = columnOf(cell.text)
      if (col && columns[col] === undefined) columns[col] = c
    }
    if (columns.name !== undefined) return { row: r, columns }
  }
  return null
}

/** Reads every sheet that holds a department list; sheets without a heading row are reported and skipped. */
export function readDepartmentList(sheets: readonly SheetGrid[]): DepartmentListRead {
  const out: DepartmentListRead = { rows: [], problems: [], found: false, parentColumn: false, shapes: new Map() }
  for (const grid of sheets) {
    const heading = findHeading(grid)
    if (!heading) {
      if (grid.rows.some((r) => r.some((c) => c.text))) {
        out.problems.push({ sheet: grid.name, code: 'no_list', severity: 'info', message: `工作表「${grid.name}」中没有找到「名称」「代码」等表头，已跳过` })
      }
      continue
    }
    out.found = true
    const { columns } = heading
    if (columns.parent !== undefined) out.parentColumn = true
    out.shapes.set(grid.name, columns.parent !== undefined ? 'parent-column' : 'code-prefix')
    for (let r = heading.row + 1; r < grid.rows.length; r++) {
      const row = readRow(grid, r, columns, out.problems)
      if (row) out.rows.push(row)
    }
  }
  return out
}

function readRow(grid: SheetGrid, r: number, columns: Partial<Record<Column, number>>, problems: ImportProblem[]): DepartmentListRow | null {
  const sheet = grid.name
  const at = (col: Column) => (columns[col] === undefined ? undefined : cellAt(grid, r, columns[col]!))
  const ref = (col: Column) => (columns[col] === undefined ? undefined : grid.rows[r]![columns[col]!]!.ref)
  const cells = grid.rows[r]!
  const texts = cells.map((c) => (c.master ? '' : c.text))
  if (texts.every((t) => t === '')) return null // blank row (or only covered cells of a merge above)
  const nameCell = at('name')!
  const codeCell = at('code')
  const nameRef = ref('name')!
  const codeRef = ref('code') ?? nameRef
  // a note: one cell merged across code and name, or a first cell reading 注/说明/合计…
  const first = texts.find((t) => t !== '') ?? ''
  if ((codeCell && codeCell === nameCell) || NOTE.test(first)) {
    problems.push(problem(sheet, cells.find((c) => !c.master && c.text)!.ref, 'note_skipped', `第 ${r + 1} 行是说明或合计行，已跳过：${clip(first)}`, 'info'))
    return null
  }
  const errorIn = (cell: string, code: string, message: string) => { problems.push(problem(sheet, cell, code, message)); return null }
  for (const col of ['code', 'name', 'kind', 'parent'] as const) {
    const c = at(col)
    if (c?.error) return errorIn(ref(col)!, 'formula_error', `第 ${r + 1} 行 ${ref(col)} 单元格是错误值 ${c.error}，本行未导入`)
  }

  let name = nameCell.text
  let code = codeCell?.text ?? ''
  if (columns.code === undefined || (!code && name)) {
    // no 代码 column (or a blank code): the name cell may carry both, `820001-名称`
    const split = splitCodeName(name)
    if (split?.code) { code = split.code; name = split.name }
  }
  let kind: DepartmentKind | null = null
  if (DEPARTMENT_SUFFIX.test(name)) { name = name.replace(DEPARTMENT_SUFFIX, '').trim(); kind = 'department' }
  if (!code && !name) {
    // something in other columns only (序号, a stray remark): not a department
    problems.push(problem(sheet, cells.find((c) => !c.master && c.text)!.ref, 'note_skipped', `第 ${r + 1} 行没有代码和名称，已跳过：${clip(first)}`, 'info'))
    return null
  }
  if (!code) return errorIn(codeRef, 'missing_code', `第 ${r + 1} 行缺少代码（${codeRef}），「${clip(name)}」未导入`)
  if (!name) return errorIn(nameRef, 'missing_name', `第 ${r + 1} 行缺少名称（${nameRef}），代码 ${code} 未导入`)
  if (code.length > MAX_CODE || !CODE_TEXT.test(code)) {
    return errorIn(codeRef, 'bad_code', `第 ${r + 1} 行代码「${clip(code)}」格式不正确（只能由数字、字母、点、短横线组成，最多 ${MAX_CODE} 个字符），本行未导入`)
  }
  if (name.length > MAX_NAME) return errorIn(nameRef, 'bad_name', `第 ${r + 1} 行名称超过 ${MAX_NAME} 个字符，本行未导入`)

  const kindText = at('kind')?.text ?? ''
  if (kindText) {
    const k = kindOf(kindText)
    if (!k) return errorIn(ref('kind')!, 'unknown_kind', `第 ${r + 1} 行类型「${clip(kindText)}」无法识别（应为 部门、单位 或 镇街），代码 ${code} 未导入`)
    kind = k
  }

  let parentCode: string | null = null
  let parentName: string | null = null
  const parentText = at('parent')?.text ?? ''
  if (parentText) {
    const split = splitCodeName(parentText)
    if (split) {
      parentCode = split.code
      parentName = split.code ? null : split.name.replace(DEPARTMENT_SUFFIX, '').trim()
    } else if (CODE_TEXT.test(parentText) && parentText.length <= MAX_CODE) {
      parentCode = parentText
    } else {
      parentName = parentText.replace(DEPARTMENT_SUFFIX, '').trim()
    }
  }
  return {
    sheet, row: r + 1,
    cells: { code: codeRef, name: nameRef, ...(ref('kind') ? { kind: ref('kind')! } : {}), ...(ref('parent') ? { parent: ref('parent')! } : {}) },
    code, name, kind, parentCode, parentName,
  }
}

const clip = (s: string, n = 40) => (s.length > n ? `${s.slice(0, n)}…` : s)

// ---- planning against what is stored ---------------------------------------------

/** What the planner needs of a stored department. */
export interface StoredDepartment { id: string; code: string; name: string; kind: DepartmentKind; parentId: string | null }

/** One department to store, parents before children. */
export interface PlannedDepartment { code: string; name: string; kind: DepartmentKind; parentCode: string | null }

export type DepartmentAction = DepartmentImportAnswer['departments'][number]['action']

export interface DepartmentImportPlan {
  /** in storing order: departments and towns first, then units (each list in file order) */
  items: PlannedDepartment[]
  /** in file order, with what storing them does */
  departments: DepartmentImportAnswer['departments']
  problems: ImportProblem[]
  created: number
  updated: number
  unchanged: number
}

interface Candidate { row: DepartmentListRow; kind: DepartmentKind; parentCode: string | null; ok: boolean }

/**
 * Decides, row by row, what storing the list does to `stored`: which rows are created, updated or
 * unchanged, and which cannot be stored (an error line each; the rest still import).
 */
export function planDepartmentImport(read: Pick<DepartmentListRead, 'rows' | 'problems' | 'shapes'>, stored: readonly StoredDepartment[]): DepartmentImportPlan {
  const problems: ImportProblem[] = [...read.problems]
  const fail = (c: Candidate, cell: string, code: string, message: string) => {
    c.ok = false
    problems.push(problem(c.row.sheet, cell, code, message))
  }
  const storedByCode = new Map(stored.map((d) => [d.code, d]))
  const storedById = new Map(stored.map((d) => [d.id, d]))
  const where = (row: DepartmentListRow) => (row.sheet ? `「${row.sheet}」第 ${row.row} 行` : `第 ${row.row} 行`)

  // duplicates: the first row of a code wins
  const firstOf = new Map<string, DepartmentListRow>()
  const candidates: Candidate[] = []
  for (const row of read.rows) {
    const c: Candidate = { row, kind: row.kind ?? 'department', parentCode: row.parentCode, ok: true }
    const earlier = firstOf.get(row.code)
    if (earlier) {
      fail(c, row.cells.code, 'duplicate_code', `第 ${row.row} 行代码 ${row.code} 与${where(earlier)}重复，本行未导入`)
      continue
    }
    firstOf.set(row.code, row)
    candidates.push(c)
  }
  const byCode = new Map(candidates.map((c) => [c.row.code, c]))

  // parents written as a name (masked code or name alone): the file's rows first, then the stored list
  for (const c of candidates) {
    const { row } = c
    if (row.parentCode || !row.parentName) continue
    const inFile = candidates.filter((o) => o.row.name === row.parentName && o !== c)
    const inStore = stored.filter((d) => d.name === row.parentName && !byCode.has(d.code))
    const found = [...inFile.map((o) => o.row.code), ...inStore.map((d) => d.code)]
    if (found.length === 1) c.parentCode = found[0]!
    else if (found.length === 0) fail(c, row.cells.parent ?? row.cells.code, 'unknown_parent', `第 ${row.row} 行上级「${clip(row.parentName)}」在名单和系统中都不存在，代码 ${row.code} 未导入`)
    else fail(c, row.cells.parent ?? row.cells.code, 'ambiguous_parent', `第 ${row.row} 行上级「${clip(row.parentName)}」有 ${found.length} 个同名部门（${found.join('、')}），请填写上级代码；代码 ${row.code} 未导入`)
  }

  // kinds: what is written, else inferred (shape A: a parent makes a unit; shape B: a code prefix does)
  for (const c of candidates) {
    if (!c.ok || read.shapes.get(c.row.sheet) !== 'code-prefix' || c.parentCode || (c.row.kind && c.row.kind !== 'unit')) continue
    c.parentCode = prefixParent(c.row.code, candidates, stored) ?? null
  }
  for (const c of candidates) {
    if (!c.ok) continue
    if (c.row.kind) c.kind = c.row.kind
    else if (c.parentCode) c.kind = 'unit'
    else c.kind = TOWN_NAME.test(c.row.name) ? 'town' : 'department'
  }

  // departments and towns: no parent
  for (const c of candidates) {
    if (!c.ok || c.kind === 'unit') continue
    if (c.parentCode) fail(c, c.row.cells.parent ?? c.row.cells.code, 'parent_not_allowed', `第 ${c.row.row} 行是${KIND_LABEL[c.kind]}，不能填写上级代码（只有单位有上级部门），代码 ${c.row.code} 未导入`)
  }
  // the kind each code has after the import (rows that fail keep what is stored)
  const finalKind = (code: string): DepartmentKind | null => {
    const c = byCode.get(code)
    if (c?.ok) return c.kind
    return storedByCode.get(code)?.kind ?? null
  }
  // units: a parent that exists (in the file or stored) and is a department or a town
  for (const c of candidates) {
    if (!c.ok || c.kind !== 'unit') continue
    const { row } = c
    const cell = row.cells.parent ?? row.cells.code
    if (!c.parentCode) {
      fail(c, cell, 'unit_without_parent', read.shapes.get(row.sheet) === 'code-prefix'
        ? `第 ${row.row} 行是单位，但代码 ${row.code} 不以名单或系统中任何部门、镇街的代码开头，请增加「上级代码」列；本行未导入`
        : `第 ${row.row} 行是单位，必须填写上级代码；代码 ${row.code} 未导入`)
      continue
    }
    if (c.parentCode === row.code) { fail(c, cell, 'self_parent', `第 ${row.row} 行的上级代码是它自己（${row.code}），本行未导入`); continue }
    const parentRow = byCode.get(c.parentCode)
    const parentKind = finalKind(c.parentCode)
    if (!parentKind) {
      fail(c, cell, 'unknown_parent', parentRow
        ? `第 ${row.row} 行的上级代码 ${c.parentCode}（${where(parentRow.row)}）有错误未导入，代码 ${row.code} 也未导入`
        : `第 ${row.row} 行的上级代码 ${c.parentCode} 在名单和系统中都不存在，代码 ${row.code} 未导入`)
      continue
    }
    if (parentKind === 'unit') fail(c, cell, 'parent_is_unit', `第 ${row.row} 行的上级 ${c.parentCode} 是单位，单位只能隶属于部门或镇街；代码 ${row.code} 未导入`)
  }
  // a stored department or town with units cannot become a unit while its units stay below it
  for (const c of candidates) {
    if (!c.ok || c.kind !== 'unit') continue
    const before = storedByCode.get(c.row.code)
    if (!before || before.kind === 'unit') continue
    const staying = stored.filter((d) => d.parentId === before.id).filter((d) => {
      const moved = byCode.get(d.code)
      return !(moved?.ok && moved.parentCode !== c.row.code)
    })
    if (staying.length) {
      fail(c, c.row.cells.kind ?? c.row.cells.code, 'kind_conflict', `第 ${c.row.row} 行把${KIND_LABEL[before.kind]} ${c.row.code} 改为单位，但系统中它下面还有单位（${staying.slice(0, 3).map((d) => d.name).join('、')}${staying.length > 3 ? ' 等' : ''}）；本行未导入`)
    }
  }

  // what storing does
  const departments: DepartmentImportPlan['departments'] = []
  let created = 0
  let updated = 0
  let unchanged = 0
  for (const c of candidates) {
    if (!c.ok) continue
    const { row } = c
    const before = storedByCode.get(row.code)
    let action: DepartmentAction = 'created'
    if (before) {
      const parentBefore = before.parentId ? storedById.get(before.parentId)?.code ?? null : null
      action = before.name === row.name && before.kind === c.kind && parentBefore === c.parentCode ? 'unchanged' : 'updated'
      if (before.name !== row.name) {
        problems.push(problem(row.sheet, row.cells.name, 'name_changed', `代码 ${row.code} 在系统中的名称是「${before.name}」，将更新为「${row.name}」`, 'warning'))
      }
    }
    if (action === 'created') created++
    else if (action === 'updated') updated++
    else unchanged++
    departments.push({ code: row.code, name: row.name, kind: c.kind, parentCode: c.parentCode, action })
  }
  const items = [...departments.filter((d) => d.kind !== 'unit'), ...departments.filter((d) => d.kind === 'unit')]
    .filter((d) => d.action !== 'unchanged')
    .map(({ code, name, kind, parentCode }) => ({ code, name, kind, parentCode }))
  return { items, departments, problems: inSheetOrder(problems), created, updated, unchanged }
}

/** Problems by sheet (in the order the sheets came), then by row and column: how a person reads the file. */
function inSheetOrder(problems: ImportProblem[]): ImportProblem[] {
  const sheets: string[] = []
  for (const p of problems) if (!sheets.includes(p.sheet ?? '')) sheets.push(p.sheet ?? '')
  const place = (p: ImportProblem) => {
    const m = /^([A-Z]+)(\d+)$/.exec(p.cell ?? '')
    if (!m) return [0, 0]
    let col = 0
    for (const ch of m[1]!) col = col * 26 + ch.charCodeAt(0) - 64
    return [Number(m[2]), col]
  }
  return problems
    .map((p, i) => ({ p, i, sheet: sheets.indexOf(p.sheet ?? ''), at: place(p) }))
    .sort((a, b) => a.sheet - b.sheet || a.at[0]! - b.at[0]! || a.at[1]! - b.at[1]! || a.i - b.i)
    .map((x) => x.p)
}

const KIND_LABEL: Record<DepartmentKind, string> = { department: '部门', unit: '单位', town: '镇街' }

/** The longest code of a department or town (in the file or stored) that `code` extends by digits. */
function prefixParent(code: string, candidates: readonly Candidate[], stored: readonly StoredDepartment[]): string | undefined {
  let best: string | undefined
  const consider = (p: string) => {
    if (p.length < code.length && code.startsWith(p) && /^\d+$/.test(code.slice(p.length)) && (!best || p.length > best.length)) best = p
  }
  for (const c of candidates) if (c.ok && c.row.kind !== 'unit' && c.row.code !== code) consider(c.row.code)
  const inFile = new Set(candidates.map((c) => c.row.code))
  for (const d of stored) if (d.kind !== 'unit' && !inFile.has(d.code)) consider(d.code)
  return best
}
