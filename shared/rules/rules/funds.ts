// Rules of rules.md §C on project funds: the split adds up, annual ≤ mid-term, amounts are well-formed numbers,
// and the table agrees with the budget line it is linked to. Exact BigInt arithmetic with the configured tolerance.
import type { Amount, FundSplit } from '../../model/index.ts'
import type { RuleContext } from '../context.ts'
import { FIELD_LABELS, microToString } from '../../model/index.ts'
import type { RuleDef } from './rule.ts'

const abs = (x: bigint) => (x < 0n ? -x : x)

/** Value of an amount for sums: a number, 0 when left empty, null when unusable (text, negative). */
function addend(ctx: RuleContext, a: Amount | undefined): bigint | null {
  const p = ctx.amount(a)
  if (p.ok) return p.micro
  return p.reason === 'empty' ? 0n : null
}

const SPLITS = [['midTerm', '中期'], ['annual', '年度']] as const

function checkFundSum(ctx: RuleContext): void {
  const funds = ctx.project!.funds
  for (const [key, label] of SPLITS) {
    const split: FundSplit | null | undefined = funds[key]
    if (!split) continue
    const total = ctx.amount(split.total)
    const fiscal = addend(ctx, split.fiscal)
    const other = addend(ctx, split.other)
    if (!total.ok || fiscal === null || other === null) continue
    if (ctx.amount(split.fiscal).ok === false && ctx.amount(split.other).ok === false) continue
    const sum = fiscal + other
    if (abs(total.micro - sum) <= ctx.toleranceMicro) continue
    ctx.report({
      id: 'R-FUND-SUM', path: `funds.${key}`,
      message: `${label}资金总额 ${ctx.money(total.micro)} ≠ 财政拨款 ${microToString(fiscal)} + 其他资金 ${microToString(other)} = ${ctx.money(sum)}，请核对资金构成`,
      value: ctx.money(total.micro),
    })
  }
}

function checkFundAnnualLeMidterm(ctx: RuleContext): void {
  const { annual, midTerm } = ctx.project!.funds
  if (!midTerm) return
  const problems: string[] = []
  for (const [field, label] of [['total', '资金总额'], ['fiscal', '财政拨款']] as const) {
    const a = ctx.amount(annual[field])
    const m = ctx.amount(midTerm[field])
    if (a.ok && m.ok && a.micro - m.micro > ctx.toleranceMicro) problems.push(`年度${label} ${ctx.money(a.micro)} 大于中期${label} ${ctx.money(m.micro)}`)
  }
  if (problems.length) {
    ctx.report({ id: 'R-FUND-ANNUAL-LE-MIDTERM', path: 'funds.annual', message: `${problems.join('，')}；年度资金是中期资金的一部分，请核对` })
  }
}

interface AmountCell { path: string; label: string; value: Amount | undefined; rowId?: string }

function amountCells(ctx: RuleContext): AmountCell[] {
  const cells: AmountCell[] = []
  const add = (path: string, prefix: string, obj: { total: Amount; fiscal?: Amount; other?: Amount; carryOver?: Amount }, rowId?: string) => {
    for (const f of ['total', 'fiscal', 'other', 'carryOver'] as const) {
      if (f in obj) cells.push({ path, label: `${prefix}${FIELD_LABELS[f]}`, value: obj[f], rowId })
    }
  }
  if (ctx.project) {
    const { midTerm, annual } = ctx.project.funds
    if (midTerm) add('funds.midTerm', '中期资金', midTerm)
    add('funds.annual', '年度资金', annual)
  }
  if (ctx.department) {
    const d = ctx.department
    d.tasks.forEach((t, i) => add(`tasks[${i}]`, `任务${t.name ? `“${t.name}”` : i + 1}的`, t, t.id))
    add('taskTotals', '金额合计', d.taskTotals)
    if (d.header.deptBudgetTotal !== undefined) cells.push({ path: 'header.deptBudgetTotal', label: '部门预算总额', value: d.header.deptBudgetTotal })
  }
  const link = ctx.table.budgetLink
  if (link) add('budgetLink', '预算编制数', link)
  return cells
}

function checkFundFormat(ctx: RuleContext): void {
  const max = Math.max(ctx.config.funds.maxDecimals[ctx.moneyUnit], ctx.template.moneyUnit === ctx.moneyUnit ? ctx.template.moneyDecimals : 0)
  const byPath = new Map<string, { problems: string[]; value: string; rowId?: string }>()
  for (const cell of amountCells(ctx)) {
    const p = ctx.amount(cell.value)
    let problem: string | undefined
    if (!p.ok && p.reason === 'text') problem = `${cell.label}“${String(cell.value)}”不是数字`
    else if (!p.ok && p.reason === 'negative') problem = `${cell.label} ${String(cell.value)} 为负数`
    else if (p.ok && p.decimals > max) problem = `${cell.label} ${String(cell.value)} 超过 ${max} 位小数`
    if (!problem) continue
    const entry = byPath.get(cell.path) ?? { problems: [], value: String(cell.value), rowId: cell.rowId }
    entry.problems.push(problem)
    byPath.set(cell.path, entry)
  }
  for (const [path, { problems, value, rowId }] of byPath) {
    ctx.report({
      id: 'R-FUND-FORMAT', path, value, rowId,
      message: `${problems.join('；')}。金额栏只能填写以${ctx.moneyUnit}为单位、最多 ${max} 位小数的非负数字，说明文字请写入备注`,
    })
  }
}

function checkFundMatchBudget(ctx: RuleContext): void {
  const link = ctx.table.budgetLink
  if (!link) return
  const target = ctx.project ? ctx.project.funds.annual : ctx.department!.taskTotals
  const path = ctx.project ? 'funds.annual' : 'taskTotals'
  const label = ctx.project ? '年度资金' : '金额合计'
  const problems: string[] = []
  for (const [field, name] of [['total', '总额'], ['fiscal', '财政拨款']] as const) {
    const budget = ctx.amount(link[field])
    const filled = ctx.amount(target[field])
    if (budget.ok && filled.ok && abs(budget.micro - filled.micro) > ctx.toleranceMicro) {
      problems.push(`${label}${name} ${ctx.money(filled.micro)} 与预算编制数 ${ctx.money(budget.micro)} 不一致`)
    }
  }
  if (problems.length) ctx.report({ id: 'R-FUND-MATCH-BUDGET', path, message: `${problems.join('；')}，绩效目标表的资金须与预算同步，请核对` })
}

export const fundRules: readonly RuleDef[] = [
  { id: 'R-FUND-SUM', scope: 'project', check: checkFundSum },
  { id: 'R-FUND-ANNUAL-LE-MIDTERM', scope: 'project', check: checkFundAnnualLeMidterm },
  { id: 'R-FUND-FORMAT', scope: 'both', check: checkFundFormat },
  { id: 'R-FUND-MATCH-BUDGET', scope: 'both', check: checkFundMatchBudget },
]
