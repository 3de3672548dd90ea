// The words of the form headers (tables.md §1–§6, §9.6): label text → which field it introduces, with
// the aliases met in local copies; the title-area words (title, （2025年度）, 填报单位（盖章）, 金额单位);
// and where a table says its money unit. Readers find labels by these words, never by position.
import type { Period } from '../../shared/model/index.ts'
import type { GridCell, SheetGrid } from './grid.ts'

export type MoneyUnit = '万元' | '元'

/** What a label introduces. */
export type LabelId =
  // project header
  | 'projectName' | 'competentDept' | 'implementingUnit' | 'projectAttribute' | 'projectCategory' | 'fundingType'
  | 'projectPeriod' | 'functionalClass' | 'fundSource' | 'projectLeader' | 'leaderAndPhone'
  // signature rows (both kinds)
  | 'phone' | 'preparer' | 'unitLeader' | 'fillDate' | 'reviewOpinion'
  // funds block
  | 'fundsBlock' | 'fundTotal' | 'fundFiscal' | 'fundOther' | 'fundUpper' | 'fundLocal' | 'fundCarryOver'
  // goals
  | 'goalsBlock' | 'midTermGoal' | 'annualGoal'
  // department header
  | 'deptName' | 'deptFunctions' | 'deptFundsBlock' | 'tasksBlock' | 'taskName' | 'taskContent' | 'taskAmount'
  | 'taskSum' | 'amountTotal'
  // known words the model has no place for: kept in `unplaced` with the label's reason
  | 'noPlace'

export interface LabelDef {
  id: LabelId
  /** tested against the folded text (see foldLabel) */
  re: RegExp
  /** the 中期/年度 a fund total names */
  period?: Period
  /** for `noPlace`: why the cell (and its values) cannot be placed */
  reason?: string
}

/**
 * Folds what varies between copies of the same label: spaces and line breaks, full-width brackets and
 * colons, a leading 其中：, a trailing colon or ★.
 */
export function foldLabel(text: string): string {
  return text
    .replace(/[\s\u3000]+/g, '')
    .replace(/（/g, '(').replace(/）/g, ')').replace(/：/g, ':')
    .replace(/^其中:?/, '')
    .replace(/[:★*＊]+$/, '')
}

const NO_PLACE = (re: RegExp, reason: string): LabelDef => ({ id: 'noPlace', re, reason })

/** Signature and review rows (tables.md §9.6; §5 variants), shared by both kinds of table. */
const SIGNATURE_LABELS: LabelDef[] = [
  { id: 'preparer', re: /^(填报人|填表人|经办人)$/ },
  { id: 'phone', re: /^(联系电话|电话|联系方式)$/ },
  { id: 'unitLeader', re: /^(单位负责人|单位领导|负责人签字|单位负责人签字)$/ },
  { id: 'fillDate', re: /^(填报日期|填表日期|报送日期)$/ },
  { id: 'reviewOpinion', re: /^(财政部门审核意见|审核意见|财政审核意见)$/ },
  NO_PLACE(/^(业务股室初审|业务股室初审意见|绩效股审核|绩效股审核意见|主管部门审核意见|主管部门意见|预算股审核意见|业务科室审核意见|部门审核意见)$/,
    '多方审核意见：表中只有一个审核意见（财政部门审核意见）字段，原文保留'),
]

export const PROJECT_LABELS: LabelDef[] = [
  { id: 'projectName', re: /^项目名称$/ },
  { id: 'competentDept', re: /^(主管部门及代码|主管部门|主管部门名称|业务主管部门|主管单位|主管部门\(代码\))$/ },
  { id: 'implementingUnit', re: /^(实施单位|实施单位名称|项目实施单位|单位名称)$/ },
  { id: 'projectAttribute', re: /^(项目属性|项目性质)$/ },
  { id: 'fundingType', re: /^项目类别\(预算管理\)$/ },
  { id: 'projectCategory', re: /^(项目类别|项目类型|项目分类|项目类别\(一体化\)|项目类型\/一级项目|一级项目)$/ },
  { id: 'projectPeriod', re: /^(项目期|实施期|项目周期|建设周期|项目实施期|实施周期|项目期限|项目实施周期)$/ },
  { id: 'functionalClass', re: /^(功能分类|功能分类科目|支出功能分类|支出功能分类科目|功能科目|财政资金科目代码|功能分类\(类款项\)|功能分类科目\(类款项\))$/ },
  { id: 'fundSource', re: /^(资金来源|财政资金来源|财政资金预算分类|资金性质)$/ },
  { id: 'leaderAndPhone', re: /^项目负责人及(联系)?电话$/ },
  { id: 'projectLeader', re: /^(项目负责人|负责人)$/ },
  ...SIGNATURE_LABELS,
  { id: 'fundsBlock', re: /^(项目资金|资金情况|项目资金情况|资金投入情况|项目资金\/预算执行.*|项目资金.*分)(\((万元|元)\))?$/ },
  { id: 'fundTotal', re: /^中期资金总额(\((万元|元)\))?$/, period: 'midTerm' },
  { id: 'fundTotal', re: /^(年度资金总额|资金总额|当年年度预算|年度预算|年度预算资金)(\((万元|元)\))?$/, period: 'annual' },
  { id: 'fundFiscal', re: /^(财政拨款|财政资金|当年财政拨款)(\((万元|元)\))?$/ },
  { id: 'fundOther', re: /^(其他资金|其它资金)(\((万元|元)\))?$/ },
  { id: 'fundUpper', re: /^(上级资金|上级补助资金|上级财政资金)(\((万元|元)\))?$/ },
  { id: 'fundLocal', re: /^(本级资金|本级财政资金|本级财政安排)(\((万元|元)\))?$/ },
  { id: 'fundCarryOver', re: /^(上年结转|上年结转资金)(\((万元|元)\))?$/ },
  NO_PLACE(/^项目总预算$/, '项目总预算：本表样没有对应字段（只有年度资金），原文保留'),
  NO_PLACE(/^(年度预算执行率|预算执行率)$/, '预算执行率：目标表没有对应字段，原文保留'),
  { id: 'goalsBlock', re: /^(总体目标|绩效目标)$/ },
  { id: 'midTermGoal', re: /^(中期目标|长期目标)(\(.*\))?$/ },
  { id: 'annualGoal', re: /^(年度目标|年度总体目标|年度绩效目标|年度主要目标和成果|当年目标)(\(.*\))?$/ },
  NO_PLACE(/^项目实施进度计划$/, '项目实施进度计划：目标表没有对应字段，原文保留'),
  NO_PLACE(/^(项目总体概况|项目概况|项目基本情况)$/, '项目总体概况：目标表没有对应字段，原文保留'),
  NO_PLACE(/^(项目审批|立项依据|项目立项依据)$/, '项目审批/立项依据：目标表没有对应字段，原文保留'),
]

export const DEPARTMENT_LABELS: LabelDef[] = [
  { id: 'deptName', re: /^(部门\(单位\)名称|部门名称|单位名称|部门\(单位\)|镇街名称)$/ },
  { id: 'deptFunctions', re: /^(部门职能概述|部门职能|单位职能概述|职能概述)$/ },
  { id: 'deptFundsBlock', re: /^(部门总体资金情况|部门\(单位\)总体资金情况|部门整体资金情况)(\(.*\))?$/ },
  { id: 'tasksBlock', re: /^(年度主要任务|年度重点任务|主要任务)$/ },
  { id: 'taskName', re: /^(任务名称|任务)$/ },
  { id: 'taskContent', re: /^(主要内容|任务内容|主要工作内容)$/ },
  { id: 'taskAmount', re: /^(预算金额|预算数|预算金额合计|资金预算)(\((万元|元)\))?$/ },
  { id: 'amountTotal', re: /^(总额|合计金额|小计)$/ },
  { id: 'fundFiscal', re: /^(财政拨款|财政资金)$/ },
  { id: 'fundOther', re: /^(其他资金|其它资金)$/ },
  { id: 'taskSum', re: /^(金额合计|合计)$/ },
  { id: 'annualGoal', re: /^(年度总体目标|年度绩效目标|年度目标|总体目标|整体绩效目标)$/ },
  ...SIGNATURE_LABELS,
]

export function matchLabel(text: string, defs: readonly LabelDef[]): LabelDef | undefined {
  const t = foldLabel(text)
  if (t === '') return undefined
  return defs.find((d) => d.re.test(t))
}

/**
 * A cell holding a label and its value at once: `年度资金总额：1260`, `项目名称：XX`. Returns the label
 * and the text after the first colon (trimmed), or undefined when the text before it is no label.
 */
export function inlineLabel(text: string, defs: readonly LabelDef[]): { def: LabelDef; value: string } | undefined {
  const m = /^([^:：]{1,20})[:：]\s*([\s\S]*)$/.exec(text.replace(/^其中[:：]/, ''))
  if (!m) return undefined
  const def = matchLabel(m[1]!, defs)
  return def ? { def, value: m[2]!.trim() } : undefined
}

/** `（万元）`, `(元)`, `金额单位：元`, `单位：万元` → the money unit named; undefined when none. */
export function moneyUnitIn(text: string): MoneyUnit | undefined {
  const t = text.replace(/[\s\u3000]+/g, '')
  const m = /(?:金额单位|资金单位|单位)[:：](万元|元)/.exec(t) ?? /[（(](万元|元)[）)]/.exec(t)
  return m ? (m[1] as MoneyUnit) : undefined
}

// ---- the title area ----------------------------------------------------------------

/** The main title of a form: one of the official names, with or without a year, draft stamp or prefix. */
export const TITLE_RE = /(绩效目标(申报|审批|审核)?表|核心绩效指标表|绩效指标表|绩效目标表)/

/** `（2025年度）`, `2025年度`: the budget year the title names. */
export function yearInTitle(text: string): number | undefined {
  const t = text.replace(/[\s\u3000]+/g, '')
  const m = /(\d{4})年度/.exec(t) ?? /^(\d{4})年/.exec(t)
  if (!m) return undefined
  const y = Number(m[1])
  return y >= 1990 && y <= 2200 ? y : undefined
}

/** Rows of the title area that are furniture: nothing in them is data. */
export function titleAreaWord(text: string): 'title' | 'year' | 'unit' | 'stamp' | 'filler' | undefined {
  const t = text.replace(/[\s\u3000]+/g, '')
  if (t === '') return undefined
  if (/^[（(]\d{4}年度?[）)]$/.test(t) || /^\d{4}年度$/.test(t)) return 'year'
  if (/^(金额|资金)?单位[:：](万元|元)$/.test(t)) return 'unit'
  if (/^第\d+版[（(].*[）)]$/.test(t) || /^[（(]?草稿[）)]?$/.test(t)) return 'stamp'
  if (/^(填报单位|预算单位|申报单位|单位名称)(\(盖章\)|（盖章）)?[:：]$/.test(t)) return 'filler'
  if (TITLE_RE.test(t) && t.length <= 60) return 'title'
  return undefined
}

/** A note row: `注：…`, `说明：…`, `填表说明` (kept in `unplaced`, never lost). */
export function isNoteText(text: string): boolean {
  return /^[\s\u3000]*(注|备注|说明|填表说明|填报说明)\s*\d*\s*[:：.、]/.test(text) || /^[\s\u3000]*填表说明/.test(text)
}

// ---- reading cells --------------------------------------------------------------------

/** The distinct cells of a row from `from` to the right: top-left cells of merges and plain cells (covered cells skipped). */
export function distinctCells(grid: SheetGrid, row: number, from = 0, to = grid.columnCount - 1): { col: number; end: number; cell: GridCell }[] {
  const out: { col: number; end: number; cell: GridCell }[] = []
  const cells = grid.rows[row]
  if (!cells) return out
  for (let c = Math.max(0, from); c <= to && c < cells.length; c++) {
    const cell = cells[c]!
    if (cell.master) continue
    let end = c
    while (end + 1 < cells.length && cells[end + 1]!.master?.row === row && cells[end + 1]!.master?.col === c) end++
    out.push({ col: c, end, cell })
  }
  return out
}

/** The last row a cell's merge covers (the cell itself when not merged). */
export function mergeEndRow(grid: SheetGrid, row: number, col: number): number {
  let r = row
  while (r + 1 < grid.rows.length) {
    const below = grid.rows[r + 1]![col]
    if (below?.master && below.master.row === row && below.master.col === col) r++
    else break
  }
  return r
}

/** Key of a grid position, for the sets of cells a reader has used. */
export function posKey(row: number, col: number): string {
  return `${row}:${col}`
}
