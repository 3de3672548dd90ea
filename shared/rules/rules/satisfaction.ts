// Rules of rules.md §B on 满意度 rows: value form (≥ X %, 70–98), placement under 满意度指标, and naming who is satisfied.
import { isSatisfactionName, type RuleContext } from '../context.ts'
import { q, type RuleDef } from './rule.ts'

function checkSatisfactionValue(ctx: RuleContext): void {
  const { warnBelow, warnAbove } = ctx.config.satisfaction
  for (const r of ctx.rows) {
    const v = r.value
    if (!isSatisfactionName(r.name) || v.shape === 'empty' || v.shape === 'placeholder') continue
    const invalid: string[] = []
    const doubtful: string[] = []
    if (!v.quantitative) invalid.push('满意度必须是定量指标（调查满意率 %）')
    else {
      if (v.comparatorSource === 'none') invalid.push('缺少比较符，应为“≥”')
      else if (v.comparator === '≤' || v.comparator === '<') invalid.push(`比较符“${v.comparator}”方向错误，应为“≥”`)
      else if (v.comparator === '=' || v.comparator === '>') doubtful.push(`比较符应为“≥”而不是“${v.comparator}”`)
      if (v.unitInfo.kind !== 'percent') invalid.push(v.unit ? `单位${q(v.unit)}应为“%”` : '缺少单位“%”')
      const n = v.number
      if (n !== undefined && n > warnAbove) doubtful.push(`${n}% 高于 ${warnAbove}%，调查难以证实（常见取值 85%–95%）`)
      if (n !== undefined && n < warnBelow) doubtful.push(`${n}% 低于 ${warnBelow}%，目标偏低`)
    }
    if (!invalid.length && !doubtful.length) continue
    ctx.reportRow('R-SATISFACTION-VALUE', invalid.length ? 'invalid' : 'doubtful', r,
      `满意度指标${q(r.name)}：${[...invalid, ...doubtful].join('；')}。请写作“≥X%”，X 一般取 85–95`, `${v.comparator}${v.raw}${v.unit}`)
  }
}

function checkSatisfactionMisplaced(ctx: RuleContext): void {
  for (const r of ctx.rows) {
    if (!r.l1 || !r.name) continue
    const about = isSatisfactionName(r.name)
    if (about && r.l1 !== 'satisfaction') {
      ctx.reportRow('R-SATISFACTION-MISPLACED', undefined, r, `${q(r.name)}是满意度类指标，却放在${q(r.row.level2.trim())}下，请移至“满意度指标—服务对象满意度指标”`, r.row.level3)
    } else if (!about && r.l1 === 'satisfaction') {
      ctx.reportRow('R-SATISFACTION-MISPLACED', undefined, r, `满意度指标下的${q(r.name)}不是满意度，请移到相应的产出或效益指标下`, r.row.level3)
    }
  }
}

const SATISFACTION_WORD = /(?:满意度|满意率|满意程度|满意)(?:指标)?$/

function checkSatisfactionObject(ctx: RuleContext): void {
  for (const r of ctx.rows) {
    if (!SATISFACTION_WORD.test(r.key)) continue
    const who = r.key.replace(SATISFACTION_WORD, '')
    if (!ctx.c.satisfactionGeneric.has(who)) continue
    ctx.reportRow('R-SATISFACTION-OBJECT', undefined, r, `满意度指标${q(r.name)}没有写明满意主体，请写明是谁满意（如“受益群众满意度”“参训学员满意度”）`, r.row.level3)
  }
}

export const satisfactionRules: readonly RuleDef[] = [
  { id: 'R-SATISFACTION-VALUE', scope: 'both', check: checkSatisfactionValue },
  { id: 'R-SATISFACTION-MISPLACED', scope: 'both', check: checkSatisfactionMisplaced },
  { id: 'R-SATISFACTION-OBJECT', scope: 'both', check: checkSatisfactionObject },
]
