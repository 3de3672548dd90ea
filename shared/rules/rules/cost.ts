// Rules of rules.md §B on 成本 rows: form (an amount with a money unit), costs above the period's funds,
// and unit cost × quantity against the annual funds. All money compared exactly, in micro-元 as BigInt.
import { MICRO_PER_UNIT, microToString, parseAmount, type Period } from '../../model/index.ts'
import { isCostRow, type RowInfo, type RuleContext } from '../context.ts'
import { includesAny } from '../text.ts'
import { q, type RuleDef } from './rule.ts'

/** Exact value of a row's number in micro-units of its own unit, or null (negative, not a number). */
function micro(r: RowInfo): bigint | null {
  if (r.value.numberText === undefined) return null
  const p = parseAmount(r.value.numberText)
  return p.ok ? p.micro : null
}

function checkCostForm(ctx: RuleContext): void {
  for (const r of ctx.rows) {
    const v = r.value
    if (!isCostRow(ctx, r) || v.shape === 'empty' || v.shape === 'placeholder') continue
    const kind = v.unitInfo.kind
    let problem: string | undefined
    if (!v.quantitative || v.shape !== 'number') {
      problem = `指标值${q(v.raw)}只是重申预算或原则，不能衡量成本`
    } else if (kind === 'percent') {
      if (!includesAny(r.name, ctx.config.terms.costRateBase)) problem = '成本控制率没有写明比较基数（较上年、较预算标准……），100% 之类的比率不衡量成本'
    } else if (kind !== 'money' && kind !== 'moneyRate' && kind !== 'empty') {
      problem = `单位${q(v.unit)}不是金额单位`
    }
    if (!problem) continue
    ctx.reportRow('R-COST-FORM', undefined, r,
      `成本指标${q(r.name)}：${problem}；请填写总成本或单位成本上限（如 ≤60 万元、≤2000 元/人）`, v.raw)
  }
}

function checkCostVsBudget(ctx: RuleContext): void {
  for (const period of ['annual', 'midTerm'] as Period[]) {
    const funds = ctx.fundsTotal(period)
    if (funds === null) continue
    const fundsYuan = funds * ctx.yuanPerUnit
    const label = period === 'annual' ? '年度资金总额' : '中期资金总额'
    for (const r of ctx.byPeriod[period]) {
      const v = r.value
      const unit = v.unitInfo
      if (!isCostRow(ctx, r) || !v.quantitative || unit.yuan === undefined) continue
      const m = micro(r)
      if (m === null) continue
      const valueYuan = m * unit.yuan
      if (valueYuan <= fundsYuan) continue
      if (unit.kind === 'money' && (v.comparator === '≤' || v.comparator === '=' || v.comparator === '<')) {
        ctx.reportRow('R-COST-VS-BUDGET', 'totalAboveFunds', r,
          `成本指标${q(r.name)} ${v.comparator}${v.numberText} ${v.unit} 超过${label} ${ctx.money(funds)}，成本上限不能高于项目资金，请核对`, `${v.comparator}${v.raw}${v.unit}`)
      } else if (unit.kind === 'moneyRate') {
        ctx.reportRow('R-COST-VS-BUDGET', 'unitAboveFunds', r,
          `单位成本${q(r.name)} ${v.numberText} ${v.unit} 比${label} ${ctx.money(funds)} 还高，请核对单位或数值`, `${v.raw}${v.unit}`)
      }
    }
  }
}

function checkCostUnitConsistency(ctx: RuleContext): void {
  const funds = ctx.fundsTotal('annual')
  if (funds === null || funds === 0n) return
  const fundsYuan = funds * ctx.yuanPerUnit
  const tolerance = parseAmount(ctx.config.costUnit.tolerancePercent)
  if (!tolerance.ok) return
  const rows = ctx.byPeriod.annual
  for (const r of rows) {
    const unit = r.value.unitInfo
    if (!isCostRow(ctx, r) || unit.kind !== 'moneyRate' || unit.yuan === undefined || !unit.per) continue
    const cost = micro(r)
    if (cost === null) continue
    const matches = rows.filter((x) => x.l1 === 'output' && x.l2 === 'quantity' && x.value.shape === 'number'
      && x.value.unitInfo.kind !== 'money' && x.value.unitInfo.base === unit.per)
    if (matches.length !== 1) continue
    const qty = matches[0]!
    const qm = micro(qty)
    if (qm === null) continue
    // cost (micro-元 per perScale units) × quantity (micro × its scale) → micro-元
    const perScale = BigInt(unit.perScale ?? 1)
    const qtyScale = BigInt(qty.value.unitInfo.scale)
    const product = (cost * unit.yuan * qm * qtyScale) / (MICRO_PER_UNIT * perScale)
    const diff = product > fundsYuan ? product - fundsYuan : fundsYuan - product
    if (diff * 100n * MICRO_PER_UNIT <= tolerance.micro * fundsYuan) continue
    const productInUnit = product / ctx.yuanPerUnit
    ctx.reportRow('R-COST-UNIT-CONSISTENCY', undefined, r,
      `单位成本${q(r.name)} ${r.value.numberText} ${r.value.unit} × ${q(qty.name)} ${qty.value.numberText} ${qty.value.unit} = ${ctx.money(productInUnit)}，与年度资金总额 ${ctx.money(funds)} 相差超过 ${microToString(tolerance.micro)}%，请核对单位成本或数量`,
      `${r.value.raw}${r.value.unit}`)
  }
}

export const costRules: readonly RuleDef[] = [
  { id: 'R-COST-FORM', scope: 'project', check: checkCostForm },
  { id: 'R-COST-VS-BUDGET', scope: 'project', check: checkCostVsBudget },
  { id: 'R-COST-UNIT-CONSISTENCY', scope: 'project', check: checkCostUnitConsistency },
]
