// The header block of the project forms, read by labels (tables.md §1, §3, §5, §6, §9.6): 项目名称,
// 主管部门及代码, 实施单位, 项目属性, 项目期, 项目类别, 功能分类, 资金来源, 项目负责人及电话, the funds
// block (项目资金/资金情况 with 中期/年度资金总额, 其中：财政拨款, 其他资金, 上级/本级资金, 上年结转),
// the goals (总体目标 with 中期目标（…）/年度目标, or 年度目标 beside its text) and the signature rows
// (填报人, 联系电话, 单位负责人, 填报日期, 审核意见). A label's value is the cell(s) to its right up to the
// next label, or the cell under it for the goal headings — so local variants with other column spans
// read the same. Whatever is left in these rows is kept in `unplaced` by the caller (reader.unplaceRest).
import { microToString, parseAmount, type Amount, type FundSplit, type Period, type ProjectTable } from '../../shared/model/index.ts'
import { FieldSet, FormReader, type LabelEntry } from './form-reader.ts'
import { PROJECT_LABELS, type LabelId } from './form-labels.ts'

type Header = ProjectTable['header']

export interface ProjectForm {
  header: Header
  funds: { midTerm: FundSplit | null; annual: FundSplit }
  /** present when the form has a 中期目标 heading (mof2015-project) */
  midTermGoal?: string
  annualGoal: string
  /** the labels found, for telling the layouts apart (recognise.ts) */
  seen: Set<LabelId>
}

/** 项目类别（预算管理） values (glossary: fundingType); any other 项目类别 is the 一体化 projectCategory. */
const FUNDING_TYPE = /^(部门预算项目|专项资金项目|购买服务项目|PPP项目|政府性基金项目|债券资金项目|专项债券项目)$/i

type FundKey = 'total' | 'fiscal' | 'other' | 'carryOver' | 'upper' | 'local'
interface FundCell { value: Amount; ref: string; text: string; row: number; col: number }

const FUND_KEY: Partial<Record<LabelId, FundKey>> = {
  fundTotal: 'total', fundFiscal: 'fiscal', fundOther: 'other', fundCarryOver: 'carryOver', fundUpper: 'upper', fundLocal: 'local',
}

/**
 * Reads the project header from `rows` (the header block above the indicator grid and the rows under it).
 * Labels are matched with their aliases (form-labels.ts); every value changed on its way in is reported.
 */
export function readProjectForm(reader: FormReader, rows: readonly number[]): ProjectForm {
  const rowSet = new Set(rows)
  const header = new FieldSet<Header>(reader, 'header.')
  const seen = new Set<LabelId>()
  const goals: { midTermGoal?: string; annualGoal?: string } = {}
  const goalFrom: Record<string, string> = {}
  /** column of a 中期/年度资金总额 label → its period: the 其中 rows under it belong to it */
  const fundColumns = new Map<number, Period>()
  const funds: Record<Period, Partial<Record<FundKey, FundCell>>> = { midTerm: {}, annual: {} }
  let midTermLabels = false

  const periodAt = (col: number): Period => {
    if (fundColumns.has(col)) return fundColumns.get(col)!
    let best: { col: number; p: Period } | undefined
    for (const [c, p] of fundColumns) if (c <= col && (!best || c > best.col)) best = { col: c, p }
    return best?.p ?? 'annual'
  }

  for (const r of rows) {
    for (const e of reader.scanRow(r, PROJECT_LABELS)) {
      seen.add(e.def.id)
      reader.use(e.row, e.col)
      const label = e.cell.text
      const id = e.def.id
      switch (id) {
        case 'projectName': case 'projectAttribute': case 'fundSource': case 'projectLeader':
        case 'preparer': case 'phone': case 'unitLeader': case 'fillDate': case 'reviewOpinion': {
          const v = firstValue(reader, e, `header.${id}`)
          if (v) header.set(id, v.text, v.pos, v.cell, label)
          break
        }
        case 'projectCategory': case 'fundingType': {
          const v = firstValue(reader, e, `header.${id}`)
          if (!v) break
          const key = id === 'fundingType' || FUNDING_TYPE.test(v.text.replace(/\s+/g, '')) ? 'fundingType' : 'projectCategory'
          if (key !== id) reader.report.normalise(v.cell.ref, `header.${key}`, v.text, v.text, '项目类别为预算管理类别（部门预算/专项资金/购买服务…），记入 fundingType')
          header.set(key, v.text, v.pos, v.cell, label)
          break
        }
        case 'competentDept': case 'implementingUnit': case 'functionalClass': {
          const field = `header.${id}`
          const v = firstValue(reader, e, field)
          if (!v) break
          const cn = reader.codeNameOf(v.text, v.cell.ref, field, { bareCode: id === 'functionalClass' })
          header.set(id, cn, v.pos, v.cell, label)
          break
        }
        case 'projectPeriod': {
          const v = firstValue(reader, e, 'header.projectPeriod')
          if (!v) break
          header.set('projectPeriod', reader.periodOf(v.text, v.cell.ref, 'header.projectPeriod'), v.pos, v.cell, label)
          break
        }
        case 'leaderAndPhone': {
          readLeaderAndPhone(reader, e, header)
          break
        }
        case 'fundsBlock':
          // a block heading: its values are the sub-labels of its rows
          unplaceValues(reader, e, '资金栏目标题右侧的内容，原文保留')
          break
        case 'fundTotal': case 'fundFiscal': case 'fundOther': case 'fundCarryOver': case 'fundUpper': case 'fundLocal': {
          let period: Period
          if (id === 'fundTotal') {
            period = e.def.period ?? 'annual'
            fundColumns.set(e.col, period)
          } else period = periodAt(e.col)
          if (period === 'midTerm') midTermLabels = true
          const key = FUND_KEY[id]!
          const field = `funds.${period}.${key === 'upper' || key === 'local' ? 'fiscal' : key}`
          const cell = readFundValue(reader, e, field)
          if (!cell) break
          const had = funds[period][key]
          if (had && had.value !== null && cell.value !== null && had.value !== cell.value) {
            reader.report.unplace(cell.ref, cell.text, `${label}在 ${had.ref} 已填写，此处的不同金额原文保留`)
          } else if (!had || had.value === null) funds[period][key] = cell
          break
        }
        case 'goalsBlock': case 'midTermGoal': case 'annualGoal': {
          // `总体目标` over its 中期目标/年度目标 headings is a block heading; beside a text it is the annual goal
          const key = id === 'midTermGoal' ? 'midTermGoal' : 'annualGoal'
          if (id === 'midTermGoal') midTermLabels = true
          const v = goalValue(reader, e, rowSet)
          if (!v) break
          const text = reader.text(v.pos, v.cell, key)
          if (text === '') break
          if (goals[key] && goals[key] !== text) {
            reader.report.unplace(v.cell.ref, text, `${label}：${key === 'annualGoal' ? '年度目标' : '中期目标'}在 ${goalFrom[key]} 已填写，此处的不同内容原文保留`)
          } else if (!goals[key]) {
            goals[key] = text
            goalFrom[key] = v.cell.ref
          }
          break
        }
        case 'noPlace': {
          // the label, its values and, when the label is merged down, the rows it spans (项目实施进度计划)
          reader.unplace({ row: e.row, col: e.col }, e.cell, e.def.reason!)
          for (const v of e.values) reader.unplace({ row: e.row, col: v.col }, v.cell, e.def.reason!)
          if (e.endRow > e.row) {
            const spanned: number[] = []
            for (let x = e.row + 1; x <= e.endRow; x++) if (rowSet.has(x)) spanned.push(x)
            reader.unplaceRest(spanned, e.def.reason!, e.col)
          }
          break
        }
        default:
          // a department label in a project form: keep its cells
          reader.unplace({ row: e.row, col: e.col }, e.cell, '部门整体表的栏目出现在项目表中，原文保留')
          unplaceValues(reader, e, '部门整体表的栏目出现在项目表中，原文保留')
      }
    }
  }

  const annual = fundSplit(reader, funds.annual, 'annual')
  const hasMid = midTermLabels || Object.values(funds.midTerm).some((c) => c && c.value !== null)
  const out: ProjectForm = {
    header: { projectName: '', ...header.values } as Header,
    funds: { midTerm: hasMid ? fundSplit(reader, funds.midTerm, 'midTerm') : null, annual },
    annualGoal: goals.annualGoal ?? '',
    seen,
  }
  if (midTermLabels || goals.midTermGoal) out.midTermGoal = goals.midTermGoal ?? ''
  return out
}

// ---- values ------------------------------------------------------------------------

interface Value { text: string; pos: { row: number; col: number }; cell: LabelEntry['cell'] }

/**
 * The value of a label: the inline text after its colon, else the first value cell to its right. Further
 * non-empty value cells are kept in `unplaced`.
 */
function firstValue(reader: FormReader, e: LabelEntry, field: string): Value | undefined {
  if (e.inline !== undefined && e.inline !== '') {
    reader.report.normalise(e.cell.ref, field, e.cell.text, e.inline, '栏目名与内容写在同一单元格，取冒号后的内容')
    unplaceValues(reader, e, `「${e.cell.text}」右侧多出的内容，原文保留`)
    return { text: e.inline, pos: { row: e.row, col: e.col }, cell: e.cell }
  }
  const first = reader.pick(e)
  if (!first) return undefined
  const pos = { row: e.row, col: first.col }
  const text = reader.text(pos, first.cell, field)
  return { text, pos, cell: first.cell }
}

function unplaceValues(reader: FormReader, e: LabelEntry, reason: string): void {
  for (const v of e.values) {
    if (v.cell.text) reader.unplace({ row: e.row, col: v.col }, v.cell, reason)
    else reader.use(e.row, v.col)
  }
}

/** 项目负责人及电话: two value cells (name | phone), or one holding both (`张三 13800138000`). */
function readLeaderAndPhone(reader: FormReader, e: LabelEntry, header: FieldSet<Header>): void {
  const label = e.cell.text
  const cells = e.values
  const texts: { text: string; pos: { row: number; col: number }; cell: LabelEntry['cell'] }[] = []
  if (e.inline) texts.push({ text: e.inline, pos: { row: e.row, col: e.col }, cell: e.cell })
  for (const v of cells) {
    const pos = { row: e.row, col: v.col }
    texts.push({ text: reader.text(pos, v.cell, 'header.projectLeader'), pos, cell: v.cell })
  }
  const filled = texts.filter((t) => t.text !== '')
  if (filled.length === 0) return
  if (texts.length >= 2 && !e.inline) {
    // as printed: name in the first cell, phone in the second
    const [a, b, ...rest] = texts
    header.set('projectLeader', a!.text || undefined, a!.pos, a!.cell, label)
    header.set('phone', b!.text || undefined, b!.pos, b!.cell, label)
    for (const x of rest) if (x.text) reader.report.unplace(x.cell.ref, x.text, `「${label}」右侧多出的内容，原文保留`)
    return
  }
  const only = filled[0]!
  const m = /^(.*?)[\s,，、/／;；:：]*((?:\+?86[-\s]?)?1\d{10}|(?:0\d{2,3}[-－\s]?)?\d{7,8}(?:[-－]\d{1,4})?)$/.exec(only.text)
  if (m && m[1]) {
    const name = m[1].trim()
    reader.report.normalise(only.cell.ref, 'header.projectLeader', only.text, { projectLeader: name, phone: m[2] }, '拆分项目负责人与联系电话')
    header.set('projectLeader', name, only.pos, only.cell, label)
    header.set('phone', m[2], only.pos, only.cell, label)
  } else if (m) {
    header.set('phone', m[2], only.pos, only.cell, label)
  } else {
    header.set('projectLeader', only.text, only.pos, only.cell, label)
  }
  for (const x of filled.slice(1)) reader.report.unplace(x.cell.ref, x.text, `「${label}」右侧多出的内容，原文保留`)
}

/** The amount beside a fund label (inline or the first value cell); further cells kept in `unplaced`. */
function readFundValue(reader: FormReader, e: LabelEntry, field: string): FundCell | undefined {
  if (e.inline !== undefined && e.inline !== '') {
    unplaceValues(reader, e, `「${e.cell.text}」右侧多出的内容，原文保留`)
    const value = reader.inlineAmount(e.inline, e.cell.ref, field)
    return { value, ref: e.cell.ref, text: e.inline, row: e.row, col: e.col }
  }
  const first = reader.pick(e)
  if (!first) return undefined
  const pos = { row: e.row, col: first.col }
  const value = reader.amount(pos, first.cell, field)
  return { value, ref: first.cell.ref, text: first.cell.text, row: e.row, col: first.col }
}

/** A goal heading's text: beside it when a non-label cell follows in the row, else under it. */
function goalValue(reader: FormReader, e: LabelEntry, rows: ReadonlySet<number>): Value | undefined {
  if (e.inline) return { text: e.inline, pos: { row: e.row, col: e.col }, cell: { ...e.cell, text: e.inline } }
  const under = reader.below(e, rows, PROJECT_LABELS)
  // beside it when something is typed there (or nothing is under it), else under it
  if (e.values.length > 0 && (e.values.some((v) => v.cell.text) || !under?.cell.text)) {
    const first = reader.pick(e)!
    return { text: first.cell.text, pos: { row: e.row, col: first.col }, cell: first.cell }
  }
  for (const v of e.values) reader.use(e.row, v.col)
  if (!under) return undefined
  return { text: under.cell.text, pos: { row: under.row, col: under.col }, cell: under.cell }
}

/**
 * One period's fund split. 上级资金 + 本级资金 make 财政拨款 when the form has no 财政拨款 line (reported);
 * the two cells are also kept in `unplaced`, since the model has no field for the split.
 */
function fundSplit(reader: FormReader, cells: Partial<Record<FundKey, FundCell>>, period: Period): FundSplit {
  const out: FundSplit = { total: cells.total?.value ?? null, fiscal: cells.fiscal?.value ?? null, other: cells.other?.value ?? null }
  if (cells.carryOver && cells.carryOver.value !== null) out.carryOver = cells.carryOver.value
  const parts = [cells.upper, cells.local].filter((c): c is FundCell => !!c && c.value !== null)
  if (parts.length) {
    const why = cells.fiscal ? '财政拨款的细分（上级资金/本级资金）：表中没有对应字段，原文保留' : '上级资金/本级资金已合计为财政拨款；细分原文保留'
    for (const p of parts) reader.report.unplace(p.ref, p.text, why)
    const micros = parts.map((p) => parseAmount(p.value, reader.moneyUnit))
    if (!cells.fiscal && micros.every((m) => m.ok)) {
      const sum = micros.reduce((s, m) => s + (m.ok ? m.micro : 0n), 0n)
      out.fiscal = Number(microToString(sum))
      reader.report.normalise(parts.map((p) => p.ref).join(','), `funds.${period}.fiscal`, parts.map((p) => p.text).join(' + '), out.fiscal, '上级资金与本级资金合计为财政拨款')
    }
  }
  return out
}
