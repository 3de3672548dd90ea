// Rules of rules.md §B on 时效 values: a checkable form (deadline, duration, rate) and deadlines inside the
// project period and, for annual rows, inside the budget year.
import { dateKey, formatDate } from '../dates.ts'
import type { RowInfo, RuleContext } from '../context.ts'
import { q, type RuleDef } from './rule.ts'

/** A deadline date, a duration (15 工作日) or a rate (95%); a year alone (2024年) restates the period. */
function checkableTimeliness(r: RowInfo): boolean {
  const v = r.value
  if (v.shape === 'date') return true
  if (v.shape !== 'number' || v.number === undefined) return false
  if (v.unitInfo.kind === 'percent') return true
  if (v.unitInfo.kind !== 'time') return false
  return !(v.unitInfo.base === '年' && v.number >= 1900 && v.number <= 2200)
}

function checkTimelinessForm(ctx: RuleContext): void {
  for (const r of ctx.rows) {
    if (r.l2 !== 'timeliness' || r.value.shape === 'empty' || r.value.shape === 'placeholder' || checkableTimeliness(r)) continue
    const restates = r.value.shape === 'dateRange' ? '重述了实施周期，' : ''
    ctx.reportRow('R-TIMELINESS-FORM', undefined, r,
      `时效指标${q(r.name)}的指标值${q(r.value.raw)}${restates}无法核验，请写完成时限（如 ≤2024-10-31）、办理时长（如 ≤15 工作日）或按期完成率（如 ≥95%）`,
      r.value.raw)
  }
}

function checkTimelinessInPeriod(ctx: RuleContext): void {
  const end = ctx.projectEnd
  const crossYear = ctx.project?.header.crossYear === true
  for (const r of ctx.rows) {
    const d = r.value.date
    if (!d) continue
    if (end && dateKey(d) > dateKey(end)) {
      ctx.reportRow('R-TIMELINESS-IN-PERIOD', 'afterProjectEnd', r,
        `${q(r.name)}的时限 ${formatDate(d)} 晚于项目期结束日 ${formatDate(end)}，请调整到项目期内`, r.value.raw)
    } else if (r.period === 'annual' && d.y > ctx.year && !crossYear) {
      ctx.reportRow('R-TIMELINESS-IN-PERIOD', 'afterBudgetYear', r,
        `年度指标${q(r.name)}的时限 ${formatDate(d)} 超出预算年度 ${ctx.year} 年，请写本年度的阶段节点；确属跨年度项目的请在表头标明`, r.value.raw)
    }
  }
}

export const timelinessRules: readonly RuleDef[] = [
  { id: 'R-TIMELINESS-FORM', scope: 'both', check: checkTimelinessForm },
  { id: 'R-TIMELINESS-IN-PERIOD', scope: 'project', check: checkTimelinessInPeriod },
]
