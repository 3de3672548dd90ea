// The project registry (项目统计表, tables.md §10) from a workbook: every sheet with a registry heading row
// is read into one entry per project. Reading only — matching departments and storing are the import's
// (server/import/registry-import.ts).
//
// The heading row is found by its labels (aliases below), over one row or two: a merged 功能分类科目 over
// 类/款/项 on the row beneath. Code-name cells are split (`***-名称`, `***－名称`, `***—名称`, a code alone,
// a name alone; a masked `***` code is no code); a trailing `（部门）` marks the department and is dropped from
// the name. 预算单位联系人员 holds one contact per line (`项目主要负责人：姓名 电话`). 类/款/项 are codes or
// names (server/import/functional-class.ts). Blank rows, a column-number row under the heading, 合计 rows,
// group rows (one text across the row, or a department with no project) and the notes under the table
// (`注：1.项目类别：…` and the numbered lines after it) are not projects. A row without a project name
// cannot be a project: it is reported and left out; any other doubtful cell is kept as typed and reported.
// Every report line names its cell.
import type { ImportProblem } from '../../shared/api/imports.ts'
import type { RegistryCodeName, RegistryContact, RegistryFields, RegistryFunctionalClass } from '../../shared/api/registry.ts'
import { microToString, numberToPlainString, parseAmount } from '../../shared/model/money.ts'
import { readCombinedFunctionalClass, readFunctionalClass, type ClassRead } from './functional-class.ts'
import { cellAt, type GridCell, type SheetGrid } from './grid.ts'

/** Projects one import may register (a city has a few thousand). */
export const MAX_REGISTRY_PROJECTS = 20_000
const HEADING_SEARCH_ROWS = 30

export const FUNDING_TYPES = ['部门预算项目', '专项资金项目', '购买服务项目', 'PPP项目', '政府性基金项目', '债券资金项目'] as const
export const FUND_SOURCES = ['一般公共预算', '政府性基金预算', '国有资本经营预算', '社会保险基金预算'] as const

export type RegistryColumn =
  | 'seq' | 'financeOffice' | 'competentDept' | 'unit' | 'contacts' | 'projectName' | 'amount'
  | 'fcClass' | 'fcSection' | 'fcItem' | 'fcCombined' | 'classified' | 'fundingType' | 'fundSource'

/** Chinese names of the columns, for report lines */
export const COLUMN_LABELS: Readonly<Record<RegistryColumn, string>> = {
  seq: '序号', financeOffice: '单位主管业务处室', competentDept: '主管部门', unit: '预算单位', contacts: '预算单位联系人员',
  projectName: '项目名称', amount: '申请预算金额', fcClass: '类', fcSection: '款', fcItem: '项', fcCombined: '功能分类科目',
  classified: '涉密/非密', fundingType: '项目类别', fundSource: '财政资金来源',
}

const LABELS: Readonly<Record<RegistryColumn, readonly string[]>> = {
  seq: ['序号', '编号', '序'],
  financeOffice: ['单位主管业务处室', '主管业务处室', '业务主管处室', '主管处室', '业务处室', '主管科室', '业务科室', '单位主管业务科室', '主管业务科室', '归口处室', '归口科室', '单位主管处室'],
  competentDept: ['主管部门', '主管部门及代码', '主管部门名称', '部门', '一级部门', '部门名称'],
  unit: ['预算单位', '预算单位名称', '预算单位及代码', '单位', '单位名称', '实施单位', '基层预算单位'],
  contacts: ['预算单位联系人员', '联系人员', '联系人', '联系人及电话', '联系方式', '联系人及联系方式', '单位联系人员', '联系人及联系电话'],
  projectName: ['项目名称', '项目'],
  amount: ['申请预算金额', '申请金额', '预算金额', '申请预算数', '申请预算', '金额', '项目金额', '申请资金', '申请预算资金'],
  fcClass: ['类'],
  fcSection: ['款'],
  fcItem: ['项'],
  fcCombined: ['功能分类科目', '功能分类', '支出功能分类', '支出功能分类科目', '功能科目', '类款项', '类/款/项', '功能分类科目类/款/项', '功能分类科目类款项'],
  classified: ['涉密/非密', '涉密或非密', '是否涉密', '密级', '涉密', '涉密非密', '涉密/非涉密', '非密/涉密'],
  fundingType: ['项目类别', '项目类型', '项目分类'],
  fundSource: ['财政资金来源', '资金来源', '资金性质', '财政资金性质'],
}

const BY_LABEL = new Map<string, RegistryColumn>()
for (const [col, labels] of Object.entries(LABELS) as [RegistryColumn, readonly string[]][]) for (const l of labels) BY_LABEL.set(l, col)

/** A heading cell as compared: NFKC, no blanks, no `*`/colon, no bracketed unit or remark. */
function headingLabel(text: string): { label: string; yuan: boolean } {
  const t = text.normalize('NFKC').replace(/\s+/g, '')
  const unit = /\((万元|元)\)/.exec(t)?.[1]
  return { label: t.replace(/\([^)]*\)/g, '').replace(/[*:]/g, ''), yuan: unit === '元' }
}

export interface RegistryRowRead {
  sheet: string
  /** 1-based row in the sheet */
  row: number
  /** A1 address of each cell read */
  cells: Partial<Record<RegistryColumn, string>>
  fields: RegistryFields
}

export interface RegistrySheetSummary { name: string; projects: number; skipped?: string }

export interface RegistryRead {
  rows: RegistryRowRead[]
  problems: ImportProblem[]
  sheets: RegistrySheetSummary[]
  /** at least one sheet had a registry heading */
  found: boolean
}

interface Heading {
  /** grid row of the (first) heading row */
  row: number
  /** first data row */
  dataStart: number
  columns: Partial<Record<RegistryColumn, number>>
  /** the amount heading says （元）: amounts are converted to 万元 */
  yuan: boolean
}

const rowNumberOf = (cell: GridCell) => Number(/\d+$/.exec(cell.ref)?.[0] ?? 0)

function findHeading(grid: SheetGrid): Heading | null {
  const last = Math.min(grid.rows.length, HEADING_SEARCH_ROWS)
  for (let r = 0; r < last; r++) {
    const top = grid.rows[r]!
    const below = grid.rows[r + 1]
    const columns: Partial<Record<RegistryColumn, number>> = {}
    let yuan = false
    let twoRows = false
    // a second heading row: labels beneath that are not the vertical continuation of a merged cell above
    const lowerLabel = (c: number): string => {
      const cell = below?.[c]
      if (!cell) return ''
      if (cell.master && (cell.master.row === r || cell.master.col !== c)) return ''
      return cell.text
    }
    if (below) {
      for (let c = 0; c < grid.columnCount; c++) {
        const { label } = headingLabel(lowerLabel(c))
        const col = BY_LABEL.get(label)
        if (col === 'fcClass' || col === 'fcSection' || col === 'fcItem') twoRows = true
      }
    }
    for (let c = 0; c < grid.columnCount; c++) {
      const cell = top[c]!
      const coveredFromLeft = !!cell.master && cell.master.col !== c && cell.master.row === r
      const upper = coveredFromLeft ? '' : (cell.master ? (cellAt(grid, r, c)?.text ?? '') : cell.text)
      const lower = twoRows ? lowerLabel(c) : ''
      const text = lower || upper
      if (!text) continue
      const { label, yuan: inYuan } = headingLabel(text)
      const col = BY_LABEL.get(label)
      if (!col || columns[col] !== undefined) continue
      columns[col] = c
      if (col === 'amount') yuan = inYuan
    }
    const known = Object.keys(columns).length
    if (columns.projectName !== undefined && known >= 3) {
      // with 类/款/项 split out, a 功能分类科目 group label is only their heading
      if (columns.fcClass !== undefined || columns.fcSection !== undefined || columns.fcItem !== undefined) delete columns.fcCombined
      return { row: r, dataStart: r + (twoRows ? 2 : 1), columns, yuan }
    }
  }
  return null
}

// ---- cells ---------------------------------------------------------------------------------

const DEPARTMENT_SUFFIX = /[（(]\s*部门\s*[）)]$/
/** `205-名称`, `***-名称`, `205－名称`, `205—名称`: a code (or a mask) and a name */
const CODE_NAME = /^([0-9A-Za-z][0-9A-Za-z._]*|[*＊]+)\s*[-－—–_]+\s*(.+)$/s
const CODE_ONLY = /^(?=.*\d)[0-9A-Za-z][0-9A-Za-z._]*$/

/** A code-name cell → {code?, name} (name without `（部门）`), whether it carried `（部门）`; null when blank. */
export function splitCodeName(text: string): { value: RegistryCodeName; department: boolean } | null {
  const t = text.trim()
  if (!t) return null
  const m = CODE_NAME.exec(t)
  let code: string | undefined
  let name: string
  if (m) {
    code = /^[*＊]+$/.test(m[1]!) ? undefined : m[1]!
    name = m[2]!.trim()
  } else if (CODE_ONLY.test(t)) {
    code = t
    name = ''
  } else if (/^[*＊]+$/.test(t)) {
    name = ''
  } else {
    name = t
  }
  const department = DEPARTMENT_SUFFIX.test(name)
  if (department) name = name.replace(DEPARTMENT_SUFFIX, '').trim()
  return { value: { ...(code ? { code } : {}), name }, department }
}

const ROLE_LABEL = /(项目主要负责人|项目负责人|主要负责人|负责人|财务人员|财务负责人|财务联系人|财务|联系人|经办人)\s*[:：]/g
const PHONE = /(\+?\d[\d\s-]{5,}\d)/

/** 预算单位联系人员: `项目主要负责人：张三 13800000000` per line (or `；`-separated) → contacts; null when unreadable. */
export function parseContacts(text: string): RegistryContact[] | null {
  const t = text.trim()
  if (!t) return []
  const segments: string[] = []
  for (const line of t.split(/[\n\r；;]+/)) {
    // a line may hold several labelled contacts: split before each role label
    const starts = [...line.matchAll(ROLE_LABEL)].map((m) => m.index!)
    if (starts.length <= 1) segments.push(line)
    else {
      if (starts[0]! > 0) segments.push(line.slice(0, starts[0]))
      starts.forEach((s, i) => segments.push(line.slice(s, starts[i + 1])))
    }
  }
  const contacts: RegistryContact[] = []
  for (const raw of segments) {
    const s = raw.trim().replace(/[,，、]+$/, '')
    if (!s) continue
    const labelled = /^(.{1,12}?)\s*[:：]\s*(.*)$/s.exec(s)
    const role = labelled ? labelled[1]!.trim() : ''
    const rest = labelled ? labelled[2]! : s
    const phoneMatch = PHONE.exec(rest)
    const phone = phoneMatch ? phoneMatch[1]!.replace(/\s+/g, '') : ''
    const name = (phoneMatch ? rest.replace(phoneMatch[0], ' ') : rest).replace(/(电话|手机|联系电话)\s*[:：]?/g, ' ').replace(/[,，、/（）()]+/g, ' ').replace(/\s+/g, ' ').trim()
    if (!name && !phone) continue
    contacts.push({ role, name, phone })
  }
  return contacts.length ? contacts : null
}

/** 涉密 → true, 非密 → false, blank → null; undefined when unreadable. */
export function parseClassified(text: string): boolean | null | undefined {
  const t = text.normalize('NFKC').replace(/\s+/g, '')
  if (!t) return null
  if (['涉密', '是', '密', '秘密', '机密', '绝密'].includes(t)) return true
  if (['非密', '不涉密', '非涉密', '否', '公开', '无'].includes(t)) return false
  return undefined
}

function oneOfList(text: string, list: readonly string[], extras: Readonly<Record<string, string>>): { value: string; normalised: boolean; known: boolean } {
  const t = text.normalize('NFKC').replace(/\s+/g, '')
  const upper = t.toUpperCase()
  const hit = list.find((x) => x === t || x.toUpperCase() === upper)
  if (hit) return { value: hit, normalised: hit !== text, known: true }
  const viaExtra = extras[t] ?? list.find((x) => x === t + '项目' || x === t.replace(/资金$/, '') || x === t + '预算')
  if (viaExtra) return { value: viaExtra, normalised: true, known: true }
  // several sources in one cell, each known: kept as typed
  const parts = t.split(/[、,，;；/]+/).filter(Boolean)
  if (parts.length > 1 && parts.every((p) => list.includes(p) || list.includes(p + '预算'))) return { value: text.trim(), normalised: false, known: true }
  return { value: text.trim(), normalised: false, known: false }
}

const FUNDING_EXTRAS: Readonly<Record<string, string>> = { 部门预算: '部门预算项目', 专项资金: '专项资金项目', 购买服务: '购买服务项目', 政府购买服务项目: '购买服务项目', 政府性基金: '政府性基金项目', 债券资金: '债券资金项目', 债券项目: '债券资金项目', 专项债券项目: '债券资金项目' }
const SOURCE_EXTRAS: Readonly<Record<string, string>> = { 一般预算: '一般公共预算', 公共预算: '一般公共预算', 一般公共预算资金: '一般公共预算', 政府性基金: '政府性基金预算', 国有资本经营: '国有资本经营预算', 社会保险基金: '社会保险基金预算', 社保基金: '社会保险基金预算' }

// ---- rows ----------------------------------------------------------------------------------

const NOTE = /^(注|说明|备注|填表说明|填报说明)\s*[:：1-9一①.、]?/
const NOTE_CONTINUED = /^(\d+|[一二三四五六七八九十]+|[①-⑩])\s*[.、．:：)）]|^[（(]\s*\d+\s*[)）]/
const TOTAL = /^(合\s*计|总\s*计|小\s*计|共\s*计)/

class SheetReader {
  readonly problems: ImportProblem[] = []
  constructor(readonly grid: SheetGrid, readonly heading: Heading) {}

  problem(cell: string | undefined, code: string, severity: ImportProblem['severity'], message: string): void {
    this.problems.push({ sheet: this.grid.name, ...(cell ? { cell } : {}), code, severity, message })
  }

  /** the visible cell's own address and the (merge-followed) cell's text, with formula errors reported */
  cell(r: number, col: RegistryColumn): { ref: string; text: string; value: GridCell['value'] } | null {
    const c = this.heading.columns[col]
    if (c === undefined) return null
    const own = this.grid.rows[r]![c]!
    // a project name is its own column's: a text merged in from the left is a heading across the row
    if (col === 'projectName' && own.master && own.master.col !== c) return { ref: own.ref, text: '', value: null }
    const source = cellAt(this.grid, r, c) ?? own
    if (source.error) {
      this.problem(own.ref, 'formula_error', 'warning', `${own.ref} ${COLUMN_LABELS[col]}为错误值 ${source.error}，按空白处理`)
      return { ref: own.ref, text: '', value: null }
    }
    return { ref: own.ref, text: source.text, value: source.value }
  }

  read(): RegistryRowRead[] {
    const { grid, heading } = this
    const out: RegistryRowRead[] = []
    let inNotes = false
    let notes: number[] = []
    let group: { competentDept: RegistryCodeName | null; financeOffice: RegistryCodeName | null; row: number } | null = null
    for (let r = heading.dataStart; r < grid.rows.length; r++) {
      const cells = grid.rows[r]!
      const rowNo = rowNumberOf(cells[0]!)
      const texts: string[] = []
      for (let c = 0; c < grid.columnCount; c++) {
        const t = cellAt(grid, r, c)?.text ?? ''
        if (t) texts.push(t)
      }
      const anyError = cells.some((c) => c.error)
      if (texts.length === 0 && !anyError) continue // a blank row
      const first = texts[0] ?? ''
      const distinct = new Set(texts)
      if (NOTE.test(first) || (inNotes && (NOTE_CONTINUED.test(first) || distinct.size === 1))) {
        inNotes = true
        notes.push(rowNo)
        continue
      }
      // the column numbers printed under a heading (1, 2, 3 …)
      if (r === heading.dataStart && texts.length >= 3 && texts.every((t) => /^\d{1,2}$/.test(t))) continue
      const seq = this.cell(r, 'seq')?.text ?? ''
      const nameCell = this.cell(r, 'projectName')
      const projectName = nameCell?.text ?? ''
      if (TOTAL.test(seq) || TOTAL.test(projectName) || TOTAL.test(first)) {
        this.problem(cells[0]!.ref, 'total_row', 'info', `第 ${rowNo} 行为合计行，不是项目，未导入`)
        continue
      }
      // one text alone on the row, or merged across it (a group heading such as 一、部门预算项目), that is
      // not a project name standing alone in its column
      const nameColumn = heading.columns.projectName!
      const nameAlone = texts.length === 1 && !cells[nameColumn]!.master && cells[nameColumn]!.text === first
      if (distinct.size === 1 && !nameAlone && !/^[\d.,\s-]+$/.test(first)) {
        const dept = splitCodeName(first)
        const deptColumn = heading.columns.competentDept
        const deptOwn = deptColumn === undefined ? undefined : cells[deptColumn]
        const inDeptColumn = !!deptOwn && !deptOwn.master && deptOwn.text === first
        if (dept && (inDeptColumn || (dept.department && dept.value.code))) {
          group = { competentDept: dept.value, financeOffice: null, row: rowNo }
          this.problem(cells[0]!.ref, 'group_row', 'info', `第 ${rowNo} 行为部门分组行（${dept.value.name || dept.value.code}），不是项目；其下主管部门为空的项目归入该部门`)
        } else {
          this.problem(cells[0]!.ref, 'group_row', 'info', `第 ${rowNo} 行“${first}”为分组标题，不是项目，未导入`)
        }
        continue
      }
      if (!projectName) {
        const dept = splitCodeName(this.cell(r, 'competentDept')?.text ?? '')
        const unit = splitCodeName(this.cell(r, 'unit')?.text ?? '')
        if (dept && !unit && !this.cell(r, 'amount')?.text) {
          group = { competentDept: dept.value, financeOffice: splitCodeName(this.cell(r, 'financeOffice')?.text ?? '')?.value ?? null, row: rowNo }
          this.problem(cells[0]!.ref, 'group_row', 'info', `第 ${rowNo} 行为部门分组行（${dept.value.name || dept.value.code}），不是项目；其下主管部门为空的项目归入该部门`)
          continue
        }
        const ref = nameCell?.ref ?? cells[0]!.ref
        this.problem(ref, 'no_project_name', 'error', `第 ${rowNo} 行没有项目名称（${ref} 为空），不能作为项目，该行未导入`)
        continue
      }
      out.push(this.project(r, rowNo, projectName, group))
    }
    if (notes.length) {
      notes = [...new Set(notes)]
      const span = notes.length === 1 ? `第 ${notes[0]} 行` : `第 ${notes[0]}–${notes[notes.length - 1]} 行`
      this.problem(undefined, 'notes_skipped', 'info', `表格下方的注释（${span}）不是项目，未导入`)
    }
    return out
  }

  project(r: number, rowNo: number, projectName: string, group: { competentDept: RegistryCodeName | null; financeOffice: RegistryCodeName | null; row: number } | null): RegistryRowRead {
    const refs: Partial<Record<RegistryColumn, string>> = {}
    const get = (col: RegistryColumn) => {
      const c = this.cell(r, col)
      if (c) refs[col] = c.ref
      return c
    }
    const name = get('projectName')!

    const financeOffice = splitCodeName(get('financeOffice')?.text ?? '')
    const competentDept = splitCodeName(get('competentDept')?.text ?? '')
    const unit = splitCodeName(get('unit')?.text ?? '')
    let competent = competentDept?.value ?? null
    let office = financeOffice?.value ?? null
    if (!competent && group?.competentDept) {
      competent = group.competentDept
      office ??= group.financeOffice
    }
    // a unit cell marked （部门） is the department itself
    const unitValue = unit?.value ?? null
    if (unit?.department && !competent) competent = unit.value

    // contacts
    const contactsCell = get('contacts')
    let contacts: RegistryContact[] = []
    if (contactsCell?.text) {
      const parsed = parseContacts(contactsCell.text)
      if (parsed) contacts = parsed
      else {
        contacts = [{ role: '', name: contactsCell.text, phone: '' }]
        this.problem(contactsCell.ref, 'contacts_unreadable', 'warning', `${contactsCell.ref} 预算单位联系人员“${contactsCell.text}”无法识别姓名和电话，已按原文保留`)
      }
    }

    const requestedAmount = this.amount(get('amount'))
    const functionalClass = this.functionalClass(r, refs)

    let classified: boolean | null = null
    const classifiedCell = get('classified')
    if (classifiedCell?.text) {
      const v = parseClassified(classifiedCell.text)
      if (v === undefined) this.problem(classifiedCell.ref, 'classified_unknown', 'warning', `${classifiedCell.ref} 涉密/非密“${classifiedCell.text}”无法识别（应为涉密或非密），按未填处理`)
      else classified = v
    }

    const fundingType = this.listValue(get('fundingType'), 'fundingType', FUNDING_TYPES, FUNDING_EXTRAS, 'funding_type_unknown')
    const fundSource = this.listValue(get('fundSource'), 'fundSource', FUND_SOURCES, SOURCE_EXTRAS, 'fund_source_unknown')

    return {
      sheet: this.grid.name,
      row: rowNo,
      cells: refs,
      fields: {
        financeOffice: office,
        competentDept: competent,
        unit: unitValue,
        contacts,
        projectName: name.text.replace(/\s*\n\s*/g, ''),
        requestedAmount,
        functionalClass,
        classified,
        fundingType,
        fundSource,
      },
    }
  }

  amount(cell: { ref: string; text: string; value: GridCell['value'] } | null): number | string | null {
    if (!cell || (cell.value === null && !cell.text)) return null
    const label = COLUMN_LABELS.amount
    if (typeof cell.value === 'number') {
      if (cell.value < 0) this.problem(cell.ref, 'amount_negative', 'warning', `${cell.ref} ${label}为负数（${cell.text}），按原值保留`)
      return this.fromYuan(cell.value, cell.ref, cell.text)
    }
    const text = cell.text
    const parsed = parseAmount(text, this.heading.yuan ? '元' : '万元')
    if (parsed.ok) {
      const n = Number(microToString(parsed.micro))
      const converted = this.fromYuan(n, cell.ref, text)
      if (!this.heading.yuan) this.problem(cell.ref, 'amount_text_number', 'info', `${cell.ref} ${label}“${text}”为文本，已按数值 ${numberToPlainString(n)} 导入`)
      return converted
    }
    if (parsed.reason === 'negative') this.problem(cell.ref, 'amount_negative', 'warning', `${cell.ref} ${label}为负数（${text}），按原文保留`)
    else this.problem(cell.ref, 'amount_text', 'warning', `${cell.ref} ${label}“${text}”不是数字，已按原文保留，请核对`)
    return text
  }

  /** an amount under a （元） heading in 万元, exactly; kept as typed when it cannot be converted exactly */
  fromYuan(n: number, ref: string, typed: string): number | string {
    if (!this.heading.yuan) return n
    const p = parseAmount(n)
    if (!p.ok || p.micro % 10_000n !== 0n) {
      this.problem(ref, 'amount_text', 'warning', `${ref} 申请预算金额“${typed}”（元）无法精确换算为万元，已按原文保留`)
      return typed
    }
    const wan = Number(microToString(p.micro / 10_000n))
    this.problem(ref, 'amount_unit', 'info', `${ref} 申请预算金额 ${typed} 元换算为 ${numberToPlainString(wan)} 万元`)
    return wan
  }

  functionalClass(r: number, refs: Partial<Record<RegistryColumn, string>>): RegistryFunctionalClass | null {
    const { columns } = this.heading
    const take = (col: RegistryColumn) => {
      const c = this.cell(r, col)
      if (c) refs[col] = c.ref
      return c
    }
    let read: ClassRead
    let levels: RegistryFunctionalClass['levels']
    let where: string
    if (columns.fcClass !== undefined || columns.fcSection !== undefined || columns.fcItem !== undefined) {
      const k = take('fcClass'), s = take('fcSection'), i = take('fcItem')
      levels = { class: k?.text ?? '', section: s?.text ?? '', item: i?.text ?? '' }
      if (!levels.class && !levels.section && !levels.item) return null
      read = readFunctionalClass(levels)
      where = [k?.ref, s?.ref, i?.ref].filter(Boolean).join('、')
    } else if (columns.fcCombined !== undefined) {
      const c = take('fcCombined')!
      if (!c.text) return null
      const combined = readCombinedFunctionalClass(c.text)
      read = combined
      levels = combined.levels
      where = c.ref
    } else {
      return null
    }
    for (const remark of read.remarks) this.problem(where.split('、')[0], remark.severity === 'warning' ? 'functional_class_unclear' : 'functional_class_unlisted', remark.severity, `${where} 功能分类科目：${remark.message}`)
    return { ...(read.code ? { code: read.code } : {}), ...(read.name ? { name: read.name } : {}), levels }
  }

  listValue(cell: { ref: string; text: string } | null, col: 'fundingType' | 'fundSource', list: readonly string[], extras: Readonly<Record<string, string>>, code: string): string | null {
    if (!cell?.text) return null
    const v = oneOfList(cell.text, list, extras)
    if (!v.known) {
      this.problem(cell.ref, code, 'warning', `${cell.ref} ${COLUMN_LABELS[col]}“${cell.text}”不是规定的类别（${list.join('、')}），已按原文保留`)
    } else if (v.normalised) {
      this.problem(cell.ref, `${col === 'fundingType' ? 'funding_type' : 'fund_source'}_normalised`, 'info', `${cell.ref} ${COLUMN_LABELS[col]}“${cell.text}”按“${v.value}”导入`)
    }
    return v.value
  }
}

/** Reads every sheet holding a registry; a workbook without one has `found` false (the route refuses it). */
export function readRegistry(sheets: readonly SheetGrid[]): RegistryRead {
  const out: RegistryRead = { rows: [], problems: [], sheets: [], found: false }
  for (const grid of sheets) {
    const heading = findHeading(grid)
    if (!heading) {
      const hasContent = grid.rows.some((r) => r.some((c) => c.text))
      out.sheets.push({ name: grid.name, projects: 0, skipped: hasContent ? '没有找到项目统计表的表头（项目名称、主管部门、预算单位等）' : '空白工作表' })
      continue
    }
    out.found = true
    const reader = new SheetReader(grid, heading)
    const missing = (['competentDept', 'unit', 'amount'] as const).filter((c) => heading.columns[c] === undefined)
    if (missing.length) {
      reader.problem(undefined, 'column_missing', 'warning', `工作表「${grid.name}」没有${missing.map((c) => `“${COLUMN_LABELS[c]}”`).join('、')}列，这些字段按空白导入`)
    }
    if (grid.hidden.rows.length) {
      reader.problem(undefined, 'hidden_skipped', 'info', `工作表「${grid.name}」中隐藏的 ${grid.hidden.rows.length} 行未导入（${grid.hidden.rows.slice(0, 10).join('、')}${grid.hidden.rows.length > 10 ? '…' : ''}）`)
    }
    const rows = reader.read()
    out.rows.push(...rows)
    out.problems.push(...reader.problems)
    out.sheets.push({ name: grid.name, projects: rows.length })
  }
  return out
}
