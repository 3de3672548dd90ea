// The header block of the department forms (tables.md §2 mof2015-dept, §2a local-dept-funds), read by
// labels: 部门（单位）名称 (with 填报人/联系电话 beside it in the local variant), 部门总体资金情况 (no place in
// the model: kept in `unplaced`, its 合计 taken as the department's budget total when the figures agree),
// 部门职能概述, the 年度主要任务 block (任务名称 | 主要内容 | 预算金额 总额/财政拨款/其他资金, then 金额合计),
// 年度总体目标 / 年度绩效目标, and the signature rows. The indicator grid under it is indicator-grid.ts'.
import { parseAmount, type Amount, type DepartmentTable, type TaskRow } from '../../shared/model/index.ts'
import { FieldSet, FormReader, type LabelEntry } from './form-reader.ts'
import { DEPARTMENT_LABELS, distinctCells, foldLabel, matchLabel, mergeEndRow, type LabelId } from './form-labels.ts'

type Header = DepartmentTable['header']
type Task = Omit<TaskRow, 'id'>

export interface DepartmentForm {
  header: Header
  tasks: Task[]
  taskTotals: { total: Amount; fiscal: Amount; other: Amount }
  annualGoal: string
  /** the labels found (recognise.ts tells mof2015-dept from local-dept-funds by `deptFundsBlock`) */
  seen: Set<LabelId>
}

const FUNDS_BLOCK_REASON = '部门总体资金情况：表中没有对应字段，原文保留'
const TASK_EXTRA_REASON = '年度主要任务行中不属于任何栏目的内容，原文保留'
/** labels that end the task block or the funds block */
const BLOCK_END: ReadonlySet<LabelId> = new Set<LabelId>(['deptName', 'deptFunctions', 'deptFundsBlock', 'tasksBlock', 'taskName', 'annualGoal', 'preparer', 'unitLeader', 'fillDate', 'reviewOpinion'])

export function readDepartmentForm(reader: FormReader, rows: readonly number[]): DepartmentForm {
  const rowSet = new Set(rows)
  const seen = new Set<LabelId>()
  const header = new FieldSet<Header>(reader, 'header.')
  const grid = reader.grid

  // 1. the blocks with their own columns: 部门总体资金情况, 年度主要任务
  let budgetTotal: { value: Amount; ref: string; text: string } | undefined
  const blockRows = new Set<number>()
  for (const r of rows) {
    if (blockRows.has(r)) continue
    for (const c of distinctCells(grid, r)) {
      const def = c.cell.text ? matchLabel(c.cell.text, DEPARTMENT_LABELS) : undefined
      if (def?.id === 'deptFundsBlock') {
        seen.add('deptFundsBlock')
        const block = blockExtent(reader, r, c.col, rows)
        block.forEach((x) => blockRows.add(x))
        budgetTotal = readFundsBlock(reader, block)
        break
      }
    }
  }
  let tasks: Task[] = []
  let taskTotals: DepartmentForm['taskTotals'] = { total: null, fiscal: null, other: null }
  for (const r of rows) {
    if (blockRows.has(r)) continue
    const nameCell = distinctCells(grid, r).find((c) => c.cell.text && matchLabel(c.cell.text, DEPARTMENT_LABELS)?.id === 'taskName')
    if (!nameCell) continue
    seen.add('taskName')
    const t = readTaskBlock(reader, r, rows)
    t.rows.forEach((x) => blockRows.add(x))
    tasks = t.tasks
    taskTotals = t.totals
    if (t.totalsRow !== undefined) seen.add('taskSum')
    break
  }

  // 2. label + value rows
  let annualGoal: { text: string; ref: string } | undefined
  for (const r of rows) {
    if (blockRows.has(r)) {
      // the 年度主要任务 label merged down beside the block is still found here
      for (const e of reader.scanRow(r, DEPARTMENT_LABELS)) if (e.def.id === 'tasksBlock') { seen.add('tasksBlock'); reader.use(e.row, e.col) }
      continue
    }
    for (const e of reader.scanRow(r, DEPARTMENT_LABELS)) {
      seen.add(e.def.id)
      reader.use(e.row, e.col)
      const label = e.cell.text
      switch (e.def.id) {
        case 'deptName': {
          const v = valueOf(reader, e, rowSet, 'header.deptName', false)
          if (!v) break
          const cn = reader.codeNameOf(v.text, v.cell.ref, 'header.deptName')
          if (cn?.code) header.set('deptCode', cn.code, v.pos, v.cell, label)
          header.set('deptName', cn?.name ?? v.text, v.pos, v.cell, label)
          break
        }
        case 'deptFunctions': case 'preparer': case 'phone': case 'unitLeader': case 'fillDate': case 'reviewOpinion': {
          const id = e.def.id
          const v = valueOf(reader, e, rowSet, `header.${id}`, id === 'deptFunctions' || id === 'reviewOpinion')
          if (v) header.set(id, v.text, v.pos, v.cell, label)
          break
        }
        case 'annualGoal': {
          const v = valueOf(reader, e, rowSet, 'annualGoal', true)
          if (!v || v.text === '') break
          if (annualGoal && annualGoal.text !== v.text) reader.report.unplace(v.cell.ref, v.text, `${label}：年度目标在 ${annualGoal.ref} 已填写，此处的不同内容原文保留`)
          else if (!annualGoal) annualGoal = { text: v.text, ref: v.cell.ref }
          break
        }
        case 'tasksBlock':
          // 年度主要任务 without a 任务名称 heading: the tasks are not in columns
          for (const v of e.values) reader.unplace({ row: r, col: v.col }, v.cell, '年度主要任务未按“任务名称/主要内容/预算金额”分栏，原文保留')
          break
        case 'noPlace':
          reader.unplace({ row: e.row, col: e.col }, e.cell, e.def.reason!)
          for (const v of e.values) reader.unplace({ row: e.row, col: v.col }, v.cell, e.def.reason!)
          break
        default:
          // a stray sub-heading (总额, 合计 …) outside its block: keep it
          reader.unplace({ row: e.row, col: e.col }, e.cell, `「${label}」不在年度主要任务栏内，原文保留`)
          for (const v of e.values) if (v.cell.text) reader.unplace({ row: e.row, col: v.col }, v.cell, `「${label}」不在年度主要任务栏内，原文保留`)
      }
    }
  }

  const values = header.values
  if (budgetTotal && budgetTotal.value !== null) values.deptBudgetTotal = budgetTotal.value
  return {
    header: { deptName: '', ...values } as Header,
    tasks,
    taskTotals,
    annualGoal: annualGoal?.text ?? '',
    seen,
  }
}

interface Value { text: string; pos: { row: number; col: number }; cell: LabelEntry['cell'] }

/** The value beside a label (inline or first cell to its right), or under it when `underToo` and nothing is beside it. */
function valueOf(reader: FormReader, e: LabelEntry, rows: ReadonlySet<number>, field: string, underToo: boolean): Value | undefined {
  const extra = `「${e.cell.text}」右侧多出的内容，原文保留`
  if (e.inline) {
    reader.report.normalise(e.cell.ref, field, e.cell.text, e.inline, '栏目名与内容写在同一单元格，取冒号后的内容')
    for (const v of e.values) if (v.cell.text) reader.unplace({ row: e.row, col: v.col }, v.cell, extra)
    return { text: e.inline, pos: { row: e.row, col: e.col }, cell: e.cell }
  }
  const under = underToo ? reader.below(e, rows, DEPARTMENT_LABELS) : undefined
  if (e.values.length && (e.values.some((v) => v.cell.text) || !under?.cell.text)) {
    const first = reader.pick(e)!
    const pos = { row: e.row, col: first.col }
    return { text: reader.text(pos, first.cell, field), pos, cell: first.cell }
  }
  for (const v of e.values) reader.use(e.row, v.col)
  if (!under) return undefined
  const pos = { row: under.row, col: under.col }
  return { text: reader.text(pos, under.cell, field), pos, cell: under.cell }
}

// ---- 部门总体资金情况 ----------------------------------------------------------------

/** Rows of the funds block: the label's merged rows, then rows until a label that starts another part. */
function blockExtent(reader: FormReader, row: number, col: number, rows: readonly number[]): number[] {
  const end = mergeEndRow(reader.grid, row, col)
  const out: number[] = []
  for (const r of rows) {
    if (r < row) continue
    if (r > end && startsOtherPart(reader, r)) break
    out.push(r)
  }
  return out
}

function startsOtherPart(reader: FormReader, r: number): boolean {
  return distinctCells(reader.grid, r).some((c) => {
    if (!c.cell.text) return false
    const def = matchLabel(c.cell.text, DEPARTMENT_LABELS)
    return !!def && BLOCK_END.has(def.id) && def.id !== 'deptFundsBlock'
  })
}

/** Keeps the block in `unplaced`; its 合计 (当年金额 column) is the department budget total when all 合计 agree. */
function readFundsBlock(reader: FormReader, block: number[]): { value: Amount; ref: string; text: string } | undefined {
  const grid = reader.grid
  let amountCol: number | undefined
  for (const r of block.slice(0, 2)) {
    const c = distinctCells(grid, r).find((x) => /^(当年金额|当年预算|本年金额|金额|预算数|当年预算数)(\(.*\))?$/.test(foldLabel(x.cell.text)))
    if (c) { amountCol = c.col; break }
  }
  const totals: { row: number; col: number; value: Amount; ref: string; text: string }[] = []
  if (amountCol !== undefined) {
    for (const r of block) {
      const isTotal = distinctCells(grid, r, 0, amountCol - 1).some((x) => /^(收入|支出)?(合计|总计)$/.test(foldLabel(x.cell.text)))
      if (!isTotal) continue
      const cell = grid.rows[r]![amountCol]!
      if (cell.master || (!cell.text && typeof cell.value !== 'number')) continue
      const p = parseAmount(typeof cell.value === 'number' ? cell.value : cell.text, reader.moneyUnit)
      if (p.ok) totals.push({ row: r, col: amountCol, value: typeof cell.value === 'number' ? cell.value : cell.text, ref: cell.ref, text: cell.text })
    }
  }
  let chosen: (typeof totals)[number] | undefined
  if (totals.length) {
    const micros = totals.map((t) => (parseAmount(t.value, reader.moneyUnit) as { micro: bigint }).micro)
    if (micros.every((m) => m === micros[0])) {
      chosen = totals[0]!
      const value = reader.amount({ row: chosen.row, col: chosen.col }, grid.rows[chosen.row]![chosen.col]!, 'header.deptBudgetTotal')
      chosen = { ...chosen, value }
      reader.report.normalise(chosen.ref, 'header.deptBudgetTotal', chosen.text, value, '部门总体资金情况的合计记为部门预算总额')
    } else {
      reader.report.problem('dept_total_unclear', 'warning',
        `部门总体资金情况的合计不一致（${totals.map((t) => `${t.ref}=${t.text}`).join('，')}），部门预算总额未填写`, totals[0]!.ref)
    }
  }
  reader.unplaceRest(block, FUNDS_BLOCK_REASON)
  return chosen
}

// ---- 年度主要任务 ----------------------------------------------------------------------

interface TaskColumns { name?: number; content?: number; total?: number; fiscal?: number; other?: number }

function readTaskBlock(reader: FormReader, headRow: number, rows: readonly number[]): {
  tasks: Task[]; totals: DepartmentForm['taskTotals']; rows: number[]; totalsRow?: number
} {
  const grid = reader.grid
  const cols: TaskColumns = {}
  const used: number[] = [headRow]
  let nameCol = 0
  const mapRow = (r: number): boolean => {
    let any = false
    for (const c of distinctCells(grid, r)) {
      const def = c.cell.text ? matchLabel(c.cell.text, DEPARTMENT_LABELS) : undefined
      if (!def) continue
      const set = (k: keyof TaskColumns) => { if (cols[k] === undefined) { cols[k] = c.col; any = true } reader.use(r, c.col) }
      if (def.id === 'taskName') { set('name'); nameCol = c.col }
      else if (def.id === 'taskContent') set('content')
      else if (def.id === 'taskAmount') { reader.use(r, c.col); if (c.end === c.col) set('total'); any = true }
      else if (def.id === 'amountTotal') set('total')
      else if (def.id === 'fundFiscal') set('fiscal')
      else if (def.id === 'fundOther') set('other')
      else if (def.id === 'tasksBlock') reader.use(r, c.col)
    }
    return any
  }
  mapRow(headRow)
  let r = headRow + 1
  // a second heading row: 总额 | 财政拨款 | 其他资金 under 预算金额
  if (rows.includes(r) && distinctCells(grid, r).some((c) => ['amountTotal', 'fundFiscal', 'fundOther'].includes(matchLabel(c.cell.text, DEPARTMENT_LABELS)?.id ?? ''))) {
    mapRow(r)
    used.push(r)
    r++
  }
  reader.unplaceRest([headRow, ...used.slice(1)], '年度主要任务表头中未识别的栏目，原文保留')
  const tasks: Task[] = []
  let totals: DepartmentForm['taskTotals'] = { total: null, fiscal: null, other: null }
  let totalsRow: number | undefined
  const mapped = new Set(Object.values(cols).filter((x): x is number => x !== undefined))
  for (; rows.includes(r); r++) {
    const cells = distinctCells(grid, r)
    // a label left of the task columns (or anywhere) that starts another part ends the block
    if (cells.some((c) => {
      if (!c.cell.text) return false
      const def = matchLabel(c.cell.text, DEPARTMENT_LABELS)
      return !!def && BLOCK_END.has(def.id) && def.id !== 'taskName'
    })) break
    if (cells.some((c) => c.col >= nameCol - 0 && c.cell.text && matchLabel(c.cell.text, DEPARTMENT_LABELS)?.id === 'taskSum')) {
      for (const c of cells) if (matchLabel(c.cell.text, DEPARTMENT_LABELS)?.id === 'taskSum') reader.use(r, c.col)
      totals = {
        total: amountAt(reader, r, cols.total, 'taskTotals.total'),
        fiscal: amountAt(reader, r, cols.fiscal, 'taskTotals.fiscal'),
        other: amountAt(reader, r, cols.other, 'taskTotals.other'),
      }
      totalsRow = r
      used.push(r)
      reader.unplaceRest([r], TASK_EXTRA_REASON, nameCol)
      r++
      break
    }
    used.push(r)
    const blank = cells.every((c) => c.col < nameCol || (!c.cell.text && !c.cell.error))
    if (blank) { reader.unplaceRest([r], TASK_EXTRA_REASON, nameCol); continue }
    const i = tasks.length
    const task: Task = {
      name: textAt(reader, r, cols.name, `tasks[${i}].name`),
      content: textAt(reader, r, cols.content, `tasks[${i}].content`),
      total: amountAt(reader, r, cols.total, `tasks[${i}].total`),
      fiscal: amountAt(reader, r, cols.fiscal, `tasks[${i}].fiscal`),
      other: amountAt(reader, r, cols.other, `tasks[${i}].other`),
    }
    tasks.push(task)
    // cells of the row outside the mapped columns (right of the block label)
    for (const c of cells) if (c.col >= nameCol && !mapped.has(c.col) && !reader.isUsed(r, c.col) && c.cell.text) reader.unplace({ row: r, col: c.col }, c.cell, TASK_EXTRA_REASON)
  }
  return { tasks, totals, rows: used, totalsRow }
}

function cellOf(reader: FormReader, r: number, col: number | undefined) {
  if (col === undefined) return undefined
  const cell = reader.grid.rows[r]?.[col]
  if (!cell || cell.master) return undefined
  return cell
}

function textAt(reader: FormReader, r: number, col: number | undefined, field: string): string {
  const cell = cellOf(reader, r, col)
  return cell ? reader.text({ row: r, col: col! }, cell, field) : ''
}

function amountAt(reader: FormReader, r: number, col: number | undefined, field: string): Amount {
  const cell = cellOf(reader, r, col)
  return cell ? reader.amount({ row: r, col: col! }, cell, field) : null
}
