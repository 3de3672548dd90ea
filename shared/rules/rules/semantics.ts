// Rules of rules.md §B on what a row measures: inputs posing as outputs, outputs posing as benefits (and back),
// filler benefits, and annual quantities above the mid-term ones.
import { parseAmount } from '../../model/index.ts'
import type { RowInfo, RuleContext } from '../context.ts'
import { containsNumber, includesAny } from '../text.ts'
import { q, type RuleDef } from './rule.ts'

const DELIVERY_GROUPS = new Set(['quantity', 'quality', 'timeliness'])

function checkInputAsOutput(ctx: RuleContext): void {
  for (const r of ctx.rows) {
    if (r.l1 !== 'output' && r.l1 !== 'benefit') continue
    const term = includesAny(r.name, ctx.config.terms.inputLike)
    const money = r.l1 === 'output' && DELIVERY_GROUPS.has(r.l2 ?? '') && r.value.unitInfo.kind === 'money'
    if (!term && !money) continue
    const why = term
      ? `${q(r.name)}（含${q(term)}）反映的是资金投入或管理过程，不是绩效产出`
      : `${q(r.name)}以金额（${r.value.unit}）计量，资金是投入，金额只应出现在成本指标中`
    const place = r.l1 === 'output' ? '产出指标' : '效益指标'
    ctx.reportRow('R-INPUT-AS-OUTPUT', r.l1 === 'output' ? 'output' : 'elsewhere', r,
      `${place}${why}；请改为资金形成的实际产出（如 建成面积、服务人次），预算执行情况由执行监控和自评反映`, r.row.level3)
  }
}

function checkOutputBenefitMixup(ctx: RuleContext): void {
  const { outputVerbsInBenefit, outputPhrasesInBenefit, effectPhrasesInOutput } = ctx.config.terms
  const byKey = { annual: new Map<string, RowInfo>(), midTerm: new Map<string, RowInfo>() }
  const byNear = { annual: new Map<string, RowInfo>(), midTerm: new Map<string, RowInfo>() }
  for (const o of ctx.rows) {
    if (o.l1 !== 'output') continue
    if (!byKey[o.period].has(o.key)) byKey[o.period].set(o.key, o)
    if (!byNear[o.period].has(o.nearKey)) byNear[o.period].set(o.nearKey, o)
  }
  for (const r of ctx.rows) {
    if (r.l1 === 'benefit') {
      const twin = byKey[r.period].get(r.key) ?? byNear[r.period].get(r.nearKey)
      const verb = outputVerbsInBenefit.find((v) => r.key.startsWith(v))
      const phrase = includesAny(r.key, outputPhrasesInBenefit)
      if (!twin && !verb && !phrase) continue
      const why = twin ? `与产出指标第 ${twin.index + 1} 行${q(twin.name)}相同` : `${q(verb ?? phrase!)}描述的是完成的工作量`
      ctx.reportRow('R-OUTPUT-BENEFIT-MIXUP', undefined, r,
        `效益指标${q(r.name)}${why}，属于产出而非效益；请改为产出带来的效果（如 覆盖率提高、发生率下降）`, r.row.level3)
    } else if (r.l1 === 'output' && DELIVERY_GROUPS.has(r.l2 ?? '')) {
      const phrase = includesAny(r.key, effectPhrasesInOutput)
      if (!phrase) continue
      ctx.reportRow('R-OUTPUT-BENEFIT-MIXUP', undefined, r,
        `产出指标${q(r.name)}（${q(phrase)}）衡量的是效果，请移到效益指标下，产出指标填写直接交付的数量、质量、时效`, r.row.level3)
    }
  }
}

function checkBenefitPadding(ctx: RuleContext): void {
  for (const r of ctx.rows) {
    if (r.l1 !== 'benefit' || containsNumber(r.name) || containsNumber(r.value.raw)) continue
    const generic = ctx.c.frameworkLabels.has(r.key)
    const phrase = generic ? undefined : includesAny(`${r.name}|${r.value.raw}`, ctx.config.terms.padding)
    if (!generic && !phrase) continue
    ctx.reportRow('R-BENEFIT-PADDING', undefined, r,
      `效益指标${q(r.name)}${r.value.raw ? `（${r.value.raw}）` : ''}是没有数值的泛泛表述，像是为填满二级指标而凑数；本项目不适用的二级指标请留空`, r.row.level3)
  }
}

/** Value in base units (150 万平方米 → 1 500 000 平方米), in micro-units, or null. */
function baseMicro(r: RowInfo): bigint | null {
  if (r.value.numberText === undefined) return null
  const p = parseAmount(r.value.numberText)
  return p.ok ? p.micro * BigInt(r.value.unitInfo.scale) : null
}

function checkAnnualLeMidterm(ctx: RuleContext): void {
  const quantity = (x: RowInfo) => x.l1 === 'output' && x.l2 === 'quantity' && x.value.shape === 'number'
  const mid = new Map<string, RowInfo>()
  for (const r of ctx.byPeriod.midTerm) if (quantity(r) && !mid.has(r.key)) mid.set(r.key, r)
  if (!mid.size) return
  for (const r of ctx.byPeriod.annual) {
    const m = quantity(r) ? mid.get(r.key) : undefined
    if (!m || m.value.unitInfo.base !== r.value.unitInfo.base) continue
    const a = baseMicro(r)
    const b = baseMicro(m)
    if (a === null || b === null || a <= b) continue
    ctx.reportRow('R-ANNUAL-LE-MIDTERM', undefined, r,
      `年度指标${q(r.name)} ${r.value.numberText}${r.value.unit} 大于中期（整个项目期）目标 ${m.value.numberText}${m.value.unit}，年度目标应是中期目标的一部分，请核对`, r.value.raw)
  }
}

export const semanticRules: readonly RuleDef[] = [
  { id: 'R-INPUT-AS-OUTPUT', scope: 'both', check: checkInputAsOutput },
  { id: 'R-OUTPUT-BENEFIT-MIXUP', scope: 'both', check: checkOutputBenefitMixup },
  { id: 'R-BENEFIT-PADDING', scope: 'both', check: checkBenefitPadding },
  { id: 'R-ANNUAL-LE-MIDTERM', scope: 'project', check: checkAnnualLeMidterm },
]
