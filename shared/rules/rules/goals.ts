// Rules of rules.md §A on the goal texts (年度目标, 中期目标): presence, concreteness, and agreement of the
// numbers a goal promises with the indicator values.
import type { Period } from '../../model/index.ts'
import type { RuleContext } from '../context.ts'
import { classifyUnit, type UnitInfo } from '../units.ts'
import { containsNumber, normaliseName, stripNonQuantities } from '../text.ts'
import { q, type RuleDef } from './rule.ts'

function checkGoalAnnualRequired(ctx: RuleContext): void {
  if (ctx.table.annualGoal.trim()) return
  const label = ctx.department ? '年度总体目标' : '年度目标'
  ctx.report({ id: 'R-GOAL-ANNUAL-REQUIRED', path: 'annualGoal', message: `${label}未填写，请写明本年度要完成的主要内容、数量和预期效果（目标1：…）` })
}

function checkGoalMidTermRequired(ctx: RuleContext): void {
  if (!ctx.midTermRequired || ctx.project!.midTermGoal?.trim()) return
  ctx.report({
    id: 'R-GOAL-MIDTERM-REQUIRED', path: 'midTermGoal',
    message: '项目期超过1年，中期目标未填写，请写明整个项目期要完成的内容和效果，并填写中期绩效指标',
  })
}

interface GoalNumber { text: string; value: number; unit: UnitInfo }

const NUMBER = /\d+(?:\.\d+)?/g

/** Numbers in a goal that carry a recognised unit (1200人次, 4万人次, 95%). */
export function goalNumbers(goal: string, ctx: RuleContext): GoalNumber[] {
  const s = stripNonQuantities(goal)
  const out: GoalNumber[] = []
  for (const m of s.matchAll(NUMBER)) {
    const after = s.slice(m.index + m[0].length).replace(/^\s+/, '')
    for (let len = Math.min(6, after.length); len >= 1; len--) {
      const unit = classifyUnit(after.slice(0, len), ctx.c.parse.units)
      if (unit.recognised && unit.kind !== 'date') {
        out.push({ text: `${m[0]}${after.slice(0, len)}`, value: Number(m[0]), unit })
        break
      }
    }
  }
  return out
}

function magnitude(value: number, unit: UnitInfo): number {
  return value * (unit.yuan !== undefined ? Number(unit.yuan) : unit.scale)
}

const same = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b))

function checkGoalConcrete(ctx: RuleContext): void {
  const { minLength, maxLength, requireNumber } = ctx.config.goal
  const goals: [string, string, string][] = [['annualGoal', ctx.department ? '年度总体目标' : '年度目标', ctx.table.annualGoal]]
  if (ctx.project?.midTermGoal) goals.push(['midTermGoal', '中期目标', ctx.project.midTermGoal])
  const projectName = ctx.project ? normaliseName(ctx.project.header.projectName) : ''
  for (const [path, label, text] of goals) {
    const goal = text.trim()
    if (!goal) continue
    const length = [...goal].length
    const problems: string[] = []
    if (length < minLength) problems.push(`只有 ${length} 个字，过于笼统`)
    if (length > maxLength) problems.push(`长达 ${length} 个字，像实施方案而非目标`)
    if (projectName && normaliseName(goal) === projectName) problems.push('与项目名称相同')
    if (requireNumber && length <= maxLength && !containsNumber(stripNonQuantities(goal))) problems.push('没有任何数量')
    if (!problems.length) continue
    ctx.report({
      id: 'R-GOAL-CONCRETE', path,
      message: `${label}${problems.join('，')}；请用1–5句话写明做什么、做多少、为谁做、何时完成（目标1：…）`,
      value: goal.length > 60 ? `${goal.slice(0, 60)}…` : goal,
    })
  }
}

function checkGoalIndicatorConsistency(ctx: RuleContext): void {
  const goals: [string, Period, string][] = [['annualGoal', 'annual', ctx.table.annualGoal]]
  if (ctx.project?.midTermGoal) goals.push(['midTermGoal', 'midTerm', ctx.project.midTermGoal])
  for (const [path, period, goal] of goals) {
    const rows = ctx.byPeriod[period]
    if (!goal.trim() || !rows.length) continue
    const raw: number[] = []
    const mags: number[] = []
    for (const r of rows) {
      if (r.value.number === undefined) continue
      raw.push(r.value.number)
      mags.push(magnitude(r.value.number, r.value.unitInfo))
    }
    // The money a goal mentions may be the period's funds, which live in the header, not in an indicator.
    const split = ctx.project ? (period === 'annual' ? ctx.project.funds.annual : ctx.project.funds.midTerm) : null
    for (const a of split ? [split.total, split.fiscal, split.other] : []) {
      const p = ctx.amount(a)
      if (p.ok) mags.push((Number(p.micro) / 1e6) * Number(ctx.yuanPerUnit))
    }
    const missing = goalNumbers(goal, ctx).filter((g) => !raw.some((v) => same(v, g.value)) && !mags.some((v) => same(v, magnitude(g.value, g.unit))))
    if (!missing.length) continue
    const label = path === 'midTermGoal' ? '中期目标' : ctx.department ? '年度总体目标' : '年度目标'
    ctx.report({
      id: 'R-GOAL-INDICATOR-CONSISTENCY', path,
      message: `${label}中的 ${missing.map((m) => q(m.text)).join('、')} 在${period === 'midTerm' ? '中期' : '年度'}绩效指标中找不到相同的指标值，请使目标与指标一致（或不在目标中写该数）`,
      value: missing.map((m) => m.text).join('、'),
    })
  }
}

export const goalRules: readonly RuleDef[] = [
  { id: 'R-GOAL-ANNUAL-REQUIRED', scope: 'both', check: checkGoalAnnualRequired },
  { id: 'R-GOAL-MIDTERM-REQUIRED', scope: 'project', check: checkGoalMidTermRequired },
  { id: 'R-GOAL-CONCRETE', scope: 'both', check: checkGoalConcrete },
  { id: 'R-GOAL-INDICATOR-CONSISTENCY', scope: 'both', check: checkGoalIndicatorConsistency },
]
