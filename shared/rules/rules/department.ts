// Rules of rules.md §A/§C specific to department tables: 年度主要任务 present and complete, task arithmetic,
// 金额合计 against the department budget, and big tasks traceable to indicators.
import type { Amount, DepartmentTable } from '../../model/index.ts'
import { microToString } from '../../model/index.ts'
import type { RuleContext } from '../context.ts'
import { normaliseName } from '../text.ts'
import { q, type RuleDef } from './rule.ts'

const abs = (x: bigint) => (x < 0n ? -x : x)

function checkTaskRequired(ctx: RuleContext): void {
  const tasks = ctx.department!.tasks
  if (!tasks.length) {
    ctx.report({ id: 'R-DEPT-TASK-REQUIRED', path: 'tasks', message: '年度主要任务未填写，请至少填写一项任务（任务名称、主要内容、预算金额）' })
    return
  }
  tasks.forEach((t, i) => {
    const missing: string[] = []
    if (!t.name.trim()) missing.push('任务名称')
    if (!t.content.trim()) missing.push('主要内容')
    const total = ctx.amount(t.total)
    if (!total.ok && total.reason === 'empty') missing.push('总额')
    if (!missing.length) return
    ctx.report({
      id: 'R-DEPT-TASK-REQUIRED', path: `tasks[${i}]`, rowId: t.id,
      message: `年度主要任务第 ${i + 1} 项${t.name.trim() ? q(t.name.trim()) : ''}缺少${missing.join('、')}，请补填`,
    })
  })
}

/** Amount for sums: number, 0 when empty, null when unusable (R-FUND-FORMAT reports it). */
function addend(ctx: RuleContext, a: Amount): bigint | null {
  const p = ctx.amount(a)
  return p.ok ? p.micro : p.reason === 'empty' ? 0n : null
}

function checkTaskSum(ctx: RuleContext): void {
  const d: DepartmentTable = ctx.department!
  const sums = { total: 0n as bigint | null, fiscal: 0n as bigint | null, other: 0n as bigint | null }
  d.tasks.forEach((t, i) => {
    const total = ctx.amount(t.total)
    const fiscal = addend(ctx, t.fiscal)
    const other = addend(ctx, t.other)
    for (const [k, v] of [['total', total.ok ? total.micro : null], ['fiscal', fiscal], ['other', other]] as const) {
      const acc = sums[k]
      sums[k] = acc === null || v === null ? null : acc + v
    }
    if (!total.ok || fiscal === null || other === null || abs(total.micro - fiscal - other) <= ctx.toleranceMicro) return
    ctx.report({
      id: 'R-DEPT-TASK-SUM', path: `tasks[${i}]`, rowId: t.id, value: ctx.money(total.micro),
      message: `任务${q(t.name)}总额 ${ctx.money(total.micro)} ≠ 财政拨款 ${microToString(fiscal)} + 其他资金 ${microToString(other)} = ${ctx.money(fiscal + other)}，请核对`,
    })
  })
  const problems: string[] = []
  const labels = { total: '总额', fiscal: '财政拨款', other: '其他资金' } as const
  for (const k of ['total', 'fiscal', 'other'] as const) {
    const filled = ctx.amount(d.taskTotals[k])
    const sum = sums[k]
    if (filled.ok && sum !== null && abs(filled.micro - sum) > ctx.toleranceMicro) {
      problems.push(`各任务${labels[k]}合计 ${ctx.money(sum)}，金额合计填报 ${ctx.money(filled.micro)}`)
    }
  }
  const [t, f, o] = [ctx.amount(d.taskTotals.total), addend(ctx, d.taskTotals.fiscal), addend(ctx, d.taskTotals.other)]
  if (!problems.length && t.ok && f !== null && o !== null && abs(t.micro - f - o) > ctx.toleranceMicro) {
    problems.push(`金额合计总额 ${ctx.money(t.micro)} ≠ 财政拨款 ${microToString(f)} + 其他资金 ${microToString(o)}`)
  }
  if (problems.length) ctx.report({ id: 'R-DEPT-TASK-SUM', path: 'taskTotals', message: `${problems.join('；')}，请核对金额合计`, value: t.ok ? ctx.money(t.micro) : undefined })
}

function checkTotalMatch(ctx: RuleContext): void {
  const d = ctx.department!
  if (d.header.deptBudgetTotal === undefined) return
  const budget = ctx.amount(d.header.deptBudgetTotal)
  const total = ctx.amount(d.taskTotals.total)
  if (!budget.ok || !total.ok) return
  const gap = total.micro - budget.micro
  if (abs(gap) <= ctx.toleranceMicro) return
  ctx.report({
    id: 'R-DEPT-TOTAL-MATCH', path: 'taskTotals', value: ctx.money(total.micro),
    message: `金额合计 ${ctx.money(total.micro)} 与部门预算总额 ${ctx.money(budget.micro)} 不一致（${gap > 0n ? '多' : '少'} ${ctx.money(abs(gap))}），年度主要任务应覆盖部门全部预算（基本支出和项目支出），请核对`,
  })
}

const SPLIT_WORDS = /[与和及、，,()（）\s/·]+/

/** Two-character words of a task name that say what the task is about (人居, 环境 …), without generic ones. */
function taskWords(name: string, generic: ReadonlySet<string>): string[] {
  const words = new Set<string>()
  for (const seg of name.split(SPLIT_WORDS)) {
    for (let i = 0; i + 2 <= seg.length; i++) {
      const w = seg.slice(i, i + 2)
      if (!generic.has(w)) words.add(w)
    }
  }
  return [...words]
}

function checkTaskCoverage(ctx: RuleContext): void {
  const d = ctx.department!
  const all = ctx.fundsTotal('annual')
  if (all === null || all === 0n) return
  const share = ctx.amount(ctx.config.deptTasks.coverageMinSharePercent)
  if (!share.ok) return
  const refs = new Set(ctx.rows.map((r) => normaliseName(r.row.taskRef ?? '')).filter(Boolean))
  d.tasks.forEach((t, i) => {
    const total = ctx.amount(t.total)
    const name = t.name.trim()
    if (!total.ok || !name || total.micro * 100n * 1_000_000n < share.micro * all) return
    if (refs.has(normaliseName(name))) return
    const words = taskWords(name, ctx.c.deptGenericWords)
    if (ctx.rows.some((r) => words.some((w) => r.name.includes(w)))) return
    ctx.report({
      id: 'R-DEPT-TASK-COVERAGE', path: `tasks[${i}]`, rowId: t.id, value: name,
      message: `年度主要任务${q(name)}（${ctx.money(total.micro)}）没有对应的绩效指标，请增加反映该任务产出或效果的指标，或在指标的“对应任务”中注明`,
    })
  })
}

export const departmentRules: readonly RuleDef[] = [
  { id: 'R-DEPT-TASK-REQUIRED', scope: 'department', check: checkTaskRequired },
  { id: 'R-DEPT-TASK-SUM', scope: 'department', check: checkTaskSum },
  { id: 'R-DEPT-TOTAL-MATCH', scope: 'department', check: checkTotalMatch },
  { id: 'R-DEPT-TASK-COVERAGE', scope: 'department', check: checkTaskCoverage },
]
