// The words of indicator-grid headings as they appear in the official forms, the local copies and the
// 一体化 exports (tables.md §1–§8, templates.ts): column heading → indicator field, 中期/年度 markers, and
// the form labels that end an indicator block.
import type { Period } from '../../shared/model/index.ts'

/** A column of an indicator grid: an indicator-row field, or `value` for the one-string 指标值 of the legacy forms. */
export type IndicatorField =
  | 'level1' | 'level2' | 'level3' | 'value' | 'comparator' | 'target' | 'unit'
  | 'explanation' | 'basis' | 'dataSource' | 'scoringRule' | 'weight' | 'direction' | 'remark' | 'formula' | 'taskRef'

const ALIASES: Record<IndicatorField, readonly string[]> = {
  level1: ['一级指标', '一级', '一级指标名称', '指标一级', '一级绩效指标'],
  level2: ['二级指标', '二级', '二级指标名称', '指标二级', '二级绩效指标'],
  level3: ['三级指标', '三级', '三级指标名称', '指标三级', '三级绩效指标', '指标名称', '具体指标', '绩效指标名称', '指标内容'],
  value: ['指标值', '指标值及单位', '指标值(含单位)', '指标值(及单位)', '目标值', '指标目标值', '绩效指标值', '绩效目标值', '预期指标值', '计划指标值', '预期目标值', '指标值(目标值)'],
  comparator: ['指标性质', '比较符', '计算符号', '符号', '运算符号', '指标性质(比较符)', '比较符号'],
  target: [],
  unit: ['度量单位', '计量单位', '单位', '指标单位', '计量单位(度量单位)', '度量单位(计量单位)'],
  explanation: ['指标解释', '指标说明', '指标内涵', '指标解释说明', '指标定义', '指标解释(说明)'],
  basis: ['指标值设定依据', '指标值设定依据及数据来源', '设定依据', '绩效标准', '指标值确定依据', '指标设定依据', '指标值设定依据及来源', '目标值设定依据'],
  dataSource: ['数据来源', '数据来源及方式', '数据采集来源', '佐证材料来源'],
  scoringRule: ['评(扣)分标准', '评分标准', '扣分标准', '评(扣)分规则', '评分规则', '评分方法', '评(扣)分办法', '评分细则'],
  weight: ['权重', '分值', '指标权重', '指标分值', '权重分值', '权重(分值)'],
  direction: ['指标方向性', '指标方向', '方向', '方向性', '指标方向(正向/反向)'],
  remark: ['备注', '说明'],
  formula: ['计算方法', '计算公式', '指标计算公式', '计算方法(公式)', '指标计算方法'],
  taskRef: ['对应任务', '对应年度主要任务', '关联任务', '对应主要任务', '所属任务'],
}

const BY_LABEL = new Map<string, IndicatorField>()
for (const [field, labels] of Object.entries(ALIASES) as [IndicatorField, readonly string[]][]) {
  for (const l of labels) BY_LABEL.set(l, field)
}

/** Folds what varies between copies: spaces, line breaks, full-width brackets, a trailing ★ or *. */
export function foldLabel(text: string): string {
  return text
    .replace(/[\s\u3000]+/g, '')
    .replace(/（/g, '(').replace(/）/g, ')')
    .replace(/【/g, '[').replace(/】/g, ']')
    .replace(/[★*＊]+$/, '')
    .replace(/^[★*＊]+/, '')
}

const PERIOD_IN_PARENS = /\((中期|长期|年度|当年|本年度?)\)/
const PERIOD_PREFIX = /^(中期|长期|年度|当年|本年度?)(?=.)/
/** trailing unit or score in brackets: 权重(%) 分值(分) 指标值(万元) 产出指标(40-50分) */
const TRAILING_BRACKET = /\([^()]*\)$/

function periodOf(word: string): Period {
  return word === '中期' || word === '长期' ? 'midTerm' : 'annual'
}

export interface HeadingLabel {
  field: IndicatorField
  /** the label named its period: 二级指标（长期）, 年度指标值, 中期指标值 */
  period?: Period
}

/** A heading cell's text → the field it heads (and the period it names), or null. */
export function headingField(text: string): HeadingLabel | null {
  let t = foldLabel(text)
  if (t === '') return null
  const direct = BY_LABEL.get(t)
  if (direct) return { field: direct }
  let period: Period | undefined
  const inParens = PERIOD_IN_PARENS.exec(t)
  if (inParens) {
    period = periodOf(inParens[1]!)
    t = t.replace(PERIOD_IN_PARENS, '')
  }
  const prefix = PERIOD_PREFIX.exec(t)
  if (prefix && BY_LABEL.has(t.slice(prefix[0].length))) {
    period ??= periodOf(prefix[1]!)
    t = t.slice(prefix[0].length)
  }
  let field = BY_LABEL.get(t)
  if (!field && TRAILING_BRACKET.test(t)) field = BY_LABEL.get(t.replace(TRAILING_BRACKET, ''))
  if (!field) return null
  return period ? { field, period } : { field }
}

/** A heading cell over a whole half: 中期指标 / 年度指标 / 长期指标 / 年度绩效指标（中期）… → its period. */
export function periodHeading(text: string): Period | null {
  const t = foldLabel(text)
  const m = /^\(?(中期|长期|年度|当年)\)?(?:绩效)?(?:指标)?(?:\([^()]*\))?$/.exec(t)
  return m ? periodOf(m[1]!) : null
}

/** The label column left of 一级 that spans the block (绩效指标, 年度绩效指标, 年度绩效目标（90分）). */
export function isBlockLabel(text: string): boolean {
  const t = foldLabel(text).replace(TRAILING_BRACKET, '')
  return /^(?:年度|中期|项目)?绩效(?:指标|目标)$/.test(t)
}

/** A row-number column (序号, 编号, 行次): form furniture, its numbers are nobody's data. */
export function isNumberingLabel(text: string): boolean {
  return /^(序号|编号|行次|行号|No\.?)$/i.test(foldLabel(text))
}

/** review, signature, note and evaluation rows: what closes a form */
const CLOSING_LABELS = [
  '财政部门审核意见', '主管部门审核意见', '审核意见', '审批意见', '业务股室初审', '业务科室初审', '绩效股审核', '绩效科审核',
  '填报人', '填表人', '联系电话', '单位负责人', '填报日期', '填表日期', '审核人', '部门负责人',
  '备注:', '备注：', '注:', '注：', '说明:', '说明：', '填表说明', '偏差原因分析', '完成目标可能性',
  '总分', '评价结论', '存在问题', '改进措施',
].map((l) => l.replace(/（/g, '(').replace(/）/g, ')'))
/** labels that open another part of a form (a second form, its header or task block) */
const FORM_PART_LABELS = ['项目名称', '部门(单位)名称', '年度主要任务', '项目资金', '项目实施进度计划']

function foldEnd(text: string): string {
  return text.replace(/[\s\u3000]+/g, '').replace(/（/g, '(').replace(/）/g, ')')
}

/** A review, signature or note row's label (审核意见, 填报人, 注：…): the rows under a table. */
export function isClosingLabel(text: string): boolean {
  const t = foldEnd(text)
  if (t === '') return false
  if (t === '备注' || t === '注' || t === '说明') return true
  return CLOSING_LABELS.some((l) => t.startsWith(l))
}

/** A cell that opens another part of the form: the indicator block ends at its row. */
export function isEndLabel(text: string): boolean {
  return isClosingLabel(text) || FORM_PART_LABELS.some((l) => foldEnd(text).startsWith(l))
}
