// Rules of rules.md §B on one indicator value: presence, placeholders, comparator, unit, single number,
// grade words, vague wording, rate bounds, comparator direction; and the quantitative share per period.
import { PERIOD_NAMES, inferDirection, type RowInfo, type RuleContext } from '../context.ts'
import { containsNumber, findPlaceholder, findVagueTerm, matchSuffix, stripNonQuantities } from '../text.ts'
import { q, type RuleDef } from './rule.ts'

const SKIP_SHAPES = new Set(['empty', 'placeholder'])
const judged = (r: RowInfo) => !SKIP_SHAPES.has(r.value.shape)
const title = (r: RowInfo) => `三级指标${q(r.name || `第 ${r.index + 1} 行`)}`

function checkValueRequired(ctx: RuleContext): void {
  for (const r of ctx.rows) {
    if (r.value.shape === 'empty') ctx.reportRow('R-VALUE-REQUIRED', undefined, r, `${title(r)}的指标值未填写，请填写目标值（如 ≥95%、≤2024-10-31 或等级词）`)
  }
}

function checkValuePlaceholder(ctx: RuleContext): void {
  const list = ctx.config.terms.placeholders
  for (const r of ctx.rows) {
    const inName = findPlaceholder(r.row.level3, list)
    const inValue = r.value.shape === 'placeholder' ? findPlaceholder(r.value.raw, list) : undefined
    if (inName === undefined && inValue === undefined) continue
    const where = inName !== undefined && inValue !== undefined ? '名称和指标值' : inName !== undefined ? '名称' : '指标值'
    ctx.reportRow('R-VALUE-PLACEHOLDER', undefined, r,
      `${title(r)}的${where}中仍有模板占位符${q((inValue ?? inName)!)}，请替换为实际内容和数值`,
      inValue !== undefined ? r.value.raw : r.row.level3)
  }
}

function checkValueComparator(ctx: RuleContext): void {
  const separate = ctx.template.separateComparator
  const kase = separate ? 'separateColumn' : 'legacyText'
  for (const r of ctx.rows) {
    const v = r.value
    if (!judged(r)) continue
    if (v.comparatorUnknown) {
      ctx.reportRow('R-VALUE-COMPARATOR', kase, r, `${title(r)}的指标性质${q(v.comparatorUnknown)}无法识别，请选择 ≥、≤、=、>、< 或“定性”`, v.comparatorUnknown)
    } else if (v.quantitative && v.comparatorSource === 'none') {
      ctx.reportRow('R-VALUE-COMPARATOR', kase, r, `${title(r)}是定量指标但指标性质（比较符）为空，请选择 ≥、≤ 或 =`, v.raw)
    } else if (v.comparatorSource === 'implied') {
      ctx.reportRow('R-VALUE-COMPARATOR', kase, r, `${title(r)}的指标值${q(v.raw)}没有比较符，按“=”理解；请明确写出 ≥、≤ 或 =`, v.raw)
    }
  }
}

function checkValueUnit(ctx: RuleContext): void {
  for (const r of ctx.rows) {
    const v = r.value
    if (!v.quantitative || v.shape !== 'number') continue
    if (v.unitInfo.kind === 'empty') {
      ctx.reportRow('R-VALUE-UNIT', undefined, r, `${title(r)}的指标值 ${v.raw} 缺少度量单位，请填写单位（如 人、场次、%、万元）`, v.raw)
    } else if (!v.unitInfo.recognised) {
      ctx.reportRow('R-VALUE-UNIT', undefined, r, `${title(r)}的度量单位${q(v.unit)}不在单位表中，请改用标准计量单位（如 人、个、平方米、万元、%）`, v.unit)
    }
  }
}

const NUMERIC_PROBLEMS: Record<string, string> = {
  range: '是一个区间，请只保留一个目标值（如 ≥90%）',
  dateRange: '是一个时间段，请写一个截止日期（如 ≤2024-10-31）',
  multi: '包含多个数值，请拆成多个三级指标，每个指标一个数值',
  prose: '在数值外夹带文字，请只填数值，说明写到指标解释中',
  text: '没有数值，定量指标请填写一个具体数值',
}

function checkValueNumeric(ctx: RuleContext): void {
  for (const r of ctx.rows) {
    const problem = r.value.quantitative ? NUMERIC_PROBLEMS[r.value.shape] : undefined
    if (problem) ctx.reportRow('R-VALUE-NUMERIC', undefined, r, `${title(r)}的指标值${q(r.value.raw)}${problem}`, r.value.raw)
  }
}

const TRAILING_PUNCT = /[。.！!；;，,\s]+$/

function isGrade(ctx: RuleContext, text: string): boolean {
  return ctx.c.grades.has(text.replace(TRAILING_PUNCT, ''))
}

function checkQualitativeGrade(ctx: RuleContext): void {
  for (const r of ctx.rows) {
    if (r.value.quantitative || !judged(r) || isGrade(ctx, r.value.raw)) continue
    ctx.reportRow('R-VALUE-QUALITATIVE-GRADE', undefined, r,
      `${title(r)}的定性指标值${q(r.value.raw)}不是标准等级词，请改为可量化目标，或选用“达到预期”“好”“显著”“明显”“是”等等级`, r.value.raw)
  }
}

function checkQuantShare(ctx: RuleContext): void {
  const min = ctx.config.quantShare.minPercent
  const parts: string[] = []
  for (const p of ctx.checkedPeriods) {
    const rows = ctx.byPeriod[p]
    if (!rows.length) continue
    const quant = rows.filter((r) => r.value.quantitative).length
    if (quant * 100 < min * rows.length) parts.push(`${PERIOD_NAMES[p]}定量指标 ${quant}/${rows.length} 个`)
  }
  if (parts.length) {
    ctx.report({ id: 'R-QUANT-SHARE', path: 'indicators', message: `${parts.join('，')}，低于 ${min}%；绩效指标应以定量为主，请把定性指标改为可量化的指标` })
  }
}

function checkOutputQualitative(ctx: RuleContext): void {
  for (const r of ctx.rows) {
    if (r.l1 !== 'output' || r.l2 !== 'quantity' || r.value.quantitative || !judged(r)) continue
    ctx.reportRow('R-OUTPUT-QUALITATIVE', undefined, r, `数量指标${q(r.name)}的指标值${q(r.value.raw)}不是数量，请填写具体数量和单位（如 ≥30 场次）`, r.value.raw)
  }
}

function checkVagueWording(ctx: RuleContext): void {
  const { vague, vagueInNames } = ctx.config.terms
  for (const r of ctx.rows) {
    const raw = r.value.raw
    const inValue = judged(r) && !isGrade(ctx, raw) ? findVagueTerm(raw, vague) : undefined
    if (inValue) {
      ctx.reportRow('R-VAGUE-WORDING', 'value', r,
        `${title(r)}的指标值${q(raw)}没有数值，无法衡量，请改为“≥X%”等可量化目标`, raw)
      continue
    }
    const inName = containsNumber(raw) ? undefined : findVagueTerm(r.name, vagueInNames)
    if (inName) {
      ctx.reportRow('R-VAGUE-WORDING', 'name', r, `${title(r)}的名称含模糊用语${q(inName)}，请改为可衡量的对象（如“……覆盖率”“……人数”）`, r.row.level3)
    }
  }
  const goals: [string, string, string | undefined][] = [
    ['annualGoal', ctx.department ? '年度总体目标' : '年度目标', ctx.table.annualGoal],
    ['midTermGoal', '中期目标', ctx.project?.midTermGoal],
  ]
  for (const [path, label, text] of goals) {
    // Judge the goal without its numbering (目标1：) and dates: those are no promise of quantity.
    const term = text && !containsNumber(stripNonQuantities(text)) ? findVagueTerm(text.replace(/\d/g, ''), vague) : undefined
    if (term) ctx.report({ id: 'R-VAGUE-WORDING', kase: 'goal', path, message: `${label}只有${q(term)}等笼统表述而没有任何数量，请写明要达到的具体数值`, value: term })
  }
}

/** Whether a row is a bounded rate (…率, 满意度 with unit %) — growth rates excepted. */
function isBoundedRate(ctx: RuleContext, r: RowInfo): boolean {
  return r.value.unitInfo.kind === 'percent' && matchSuffix(r.key, ctx.c.boundedSuffixes) !== undefined
    && matchSuffix(r.key, ctx.c.unboundedSuffixes) === undefined
}

function checkPercentRange(ctx: RuleContext): void {
  for (const r of ctx.rows) {
    const n = r.value.number
    if (n === undefined || !r.value.quantitative || !isBoundedRate(ctx, r)) continue
    const c = r.value.comparator
    if (n > 100 || n < 0 || (c === '>' && n >= 100)) {
      const why = n < 0 ? '为负数' : c === '>' && n <= 100 ? '“>100%”不可能达到' : '超过 100%'
      ctx.reportRow('R-PERCENT-RANGE', 'outOfRange', r, `比率类指标${q(r.name)}的指标值 ${c}${r.value.numberText}% ${why}，请填写 0–100% 之间的值`, r.value.raw)
    } else if (c === '≥' && n === 100) {
      ctx.reportRow('R-PERCENT-RANGE', 'geHundred', r, `比率类指标${q(r.name)}的 ≥100% 等同于 =100%，请写作“=100%”`, r.value.raw)
    }
  }
}

function checkComparatorDirection(ctx: RuleContext): void {
  for (const r of ctx.rows) {
    const c = r.value.comparator
    if (!r.value.quantitative || !judged(r) || (c !== '≥' && c !== '>' && c !== '≤' && c !== '<')) continue
    const up = c === '≥' || c === '>'
    const declared = r.row.direction
    if (declared && (declared === 'positive') !== up) {
      const label = declared === 'positive' ? '正向' : '反向'
      ctx.reportRow('R-COMPARATOR-DIRECTION', undefined, r,
        `${title(r)}标为${label}指标却使用“${c}”，请改用“${declared === 'positive' ? '≥' : '≤'}”或核对指标方向`, `${c}${r.value.raw}`)
      continue
    }
    const inferred = inferDirection(ctx, r)
    if (inferred === 'positive' && !up) {
      ctx.reportRow('R-COMPARATOR-DIRECTION', undefined, r, `${title(r)}是正向指标（越高越好），却使用“${c}”，请改用“≥”或“=”`, `${c}${r.value.raw}`)
    } else if (inferred === 'negative' && up) {
      ctx.reportRow('R-COMPARATOR-DIRECTION', undefined, r, `${title(r)}是反向指标（越低越好），却使用“${c}”，请改用“≤”或“=”`, `${c}${r.value.raw}`)
    }
  }
}

export const valueRules: readonly RuleDef[] = [
  { id: 'R-VALUE-REQUIRED', scope: 'both', check: checkValueRequired },
  { id: 'R-VALUE-PLACEHOLDER', scope: 'both', check: checkValuePlaceholder },
  { id: 'R-VALUE-COMPARATOR', scope: 'both', check: checkValueComparator },
  { id: 'R-VALUE-UNIT', scope: 'both', check: checkValueUnit },
  { id: 'R-VALUE-NUMERIC', scope: 'both', check: checkValueNumeric },
  { id: 'R-VALUE-QUALITATIVE-GRADE', scope: 'both', check: checkQualitativeGrade },
  { id: 'R-QUANT-SHARE', scope: 'both', check: checkQuantShare },
  { id: 'R-OUTPUT-QUALITATIVE', scope: 'both', check: checkOutputQualitative },
  { id: 'R-VAGUE-WORDING', scope: 'both', check: checkVagueWording },
  { id: 'R-PERCENT-RANGE', scope: 'both', check: checkPercentRange },
  { id: 'R-COMPARATOR-DIRECTION', scope: 'both', check: checkComparatorDirection },
]
