// Rules of rules.md §A on the form's shape: header fields, the 一级/二级 tree, required groups per period,
// and the number of 三级 rows.
import type { Amount, Period } from '../../model/index.ts'
import { PERIOD_NAMES, rowsIn, type RuleContext } from '../context.ts'
import { parseYearMonth } from '../dates.ts'
import { FRAMEWORK_NAMES, periodsLabel, q, type RuleDef } from './rule.ts'
import { FRAMEWORKS } from '../../model/index.ts'

const PROJECT_ATTRIBUTES = new Set(['新增', '延续', '经常性', '一次性'])

function checkHeaderRequired(ctx: RuleContext): void {
  const p = ctx.project!
  const h = p.header
  const id = 'R-HEADER-REQUIRED'
  const missing = (field: string, message: string, value?: string) => ctx.report({ id, path: `header.${field}`, message, value })
  if (!h.projectName.trim()) missing('projectName', '项目名称未填写，请填写完整的项目名称')
  if (!h.competentDept?.name.trim()) missing('competentDept', '主管部门未填写，请填写主管部门名称及代码')
  else if (!h.competentDept.code?.trim()) missing('competentDept', `主管部门${q(h.competentDept.name)}缺少部门代码，请补填`)
  if (!h.implementingUnit?.name.trim()) missing('implementingUnit', '实施单位未填写，请填写具体实施单位')
  const attr = h.projectAttribute?.trim() ?? ''
  if (!attr) missing('projectAttribute', '项目属性未填写，请选择“新增”或“延续”')
  else if (!PROJECT_ATTRIBUTES.has(attr)) missing('projectAttribute', `项目属性${q(attr)}无法识别，请选择“新增”或“延续”`, attr)
  const period = h.projectPeriod
  const bounds = parseYearMonth(period?.start) && parseYearMonth(period?.end)
  const years = typeof period?.years === 'number' && period.years > 0
  if (!bounds && !years) {
    const typed = [period?.start, period?.end].filter(Boolean).join('—')
    missing('projectPeriod', `项目期${typed ? q(typed) : ''}未填写或无法识别，请填写起止年月（如 2024-01 至 2026-12）或年数`, typed || undefined)
  }
  const annual = p.funds.annual
  const empty = (a: Amount | undefined) => { const x = ctx.amount(a); return !x.ok && x.reason === 'empty' }
  if (empty(annual.total)) {
    ctx.report({ id, path: 'funds.annual', message: '年度资金总额未填写，请填写年度资金总额及其构成（财政拨款、其他资金）' })
  } else if (empty(annual.fiscal) && empty(annual.other)) {
    ctx.report({ id, path: 'funds.annual', message: '年度资金构成未填写，请填写“其中：财政拨款”和“其他资金”（没有则填 0）' })
  }
  if (ctx.table.template === 'mof2015-project' && ctx.multiYear) {
    const mid = p.funds.midTerm
    if (!mid || empty(mid.total)) {
      ctx.report({ id, path: 'funds.midTerm', message: '项目期超过1年，中期资金总额未填写，请填写中期资金总额及其构成' })
    }
  }
}

function checkHeaderDeptRequired(ctx: RuleContext): void {
  if (!ctx.department!.header.deptName.trim()) {
    ctx.report({ id: 'R-HEADER-DEPT-REQUIRED', path: 'header.deptName', message: '部门（单位）名称未填写，请填写完整名称' })
  }
}

function checkFrameworkTree(ctx: RuleContext): void {
  const fwName = FRAMEWORK_NAMES[ctx.framework]
  for (const r of ctx.rows) {
    if (r.l1 && r.l2) continue
    const l1 = r.row.level1.trim()
    const l2 = r.row.level2.trim()
    let message: string
    if (!l1 || !l2) message = `第 ${r.index + 1} 行的${!l1 ? '一级' : '二级'}指标未填写，请按${fwName}选择`
    else if (!r.l1 && ctx.framework === 'mof2015' && l1.replace(/指标$/, '') === '成本') {
      message = `一级指标${q(l1)}只在2021版框架中使用；本表采用${fwName}，成本指标应作为“产出指标”下的二级指标`
    } else if (!r.l1) message = `一级指标${q(l1)}不在${fwName}中，请改为${FRAMEWORKS[ctx.framework].order.join('、')}之一`
    else if (ctx.framework === 'mof2021' && r.l1 === 'output' && l2.replace(/指标$/, '') === '成本') {
      message = `本表采用${fwName}，成本指标已单列为一级指标，请把${q(r.name)}移到“成本指标—经济成本指标”下`
    } else {
      const allowed = FRAMEWORKS[ctx.framework].level1.find((x) => x.id === r.l1)!.level2.map((x) => x.name)
      message = `二级指标${q(l2)}不属于一级指标${q(l1)}，应为${allowed.join('、')}之一`
    }
    ctx.reportRow('R-FRAMEWORK-TREE', undefined, r, message, `${l1}/${l2}`)
  }
}

/** Emits one table-level finding naming the periods that lack something. */
function perPeriod(ctx: RuleContext, id: 'R-LEVEL1-OUTPUT' | 'R-LEVEL1-BENEFIT' | 'R-OUTPUT-QUANTITY' | 'R-OUTPUT-QUALITY' | 'R-OUTPUT-TIMELINESS',
  lacks: (p: Period) => boolean, message: (periods: string) => string): void {
  const periods = ctx.checkedPeriods.filter(lacks)
  if (periods.length) ctx.report({ id, path: 'indicators', message: message(periodsLabel(periods)) })
}

const outputRows = (ctx: RuleContext, p: Period) => rowsIn(ctx, p, 'output')

function checkLevel1Output(ctx: RuleContext): void {
  perPeriod(ctx, 'R-LEVEL1-OUTPUT', (p) => outputRows(ctx, p).length === 0,
    (ps) => `${ps}绩效指标中没有“产出指标”，请至少填写一项产出指标（数量、质量、时效等）`)
}

function checkLevel1Benefit(ctx: RuleContext): void {
  perPeriod(ctx, 'R-LEVEL1-BENEFIT', (p) => rowsIn(ctx, p, 'benefit').length === 0,
    (ps) => `${ps}绩效指标中没有“效益指标”，请至少填写一项经济、社会、生态效益或可持续影响指标`)
}

/** Output sub-groups are judged only when the period has output rows (else R-LEVEL1-OUTPUT says it all). */
function lacksOutput(ctx: RuleContext, p: Period, l2: string): boolean {
  const out = outputRows(ctx, p)
  return out.length > 0 && !out.some((r) => r.l2 === l2)
}

function checkOutputQuantity(ctx: RuleContext): void {
  perPeriod(ctx, 'R-OUTPUT-QUANTITY', (p) => lacksOutput(ctx, p, 'quantity'),
    (ps) => `${ps}产出指标缺少“数量指标”，请填写至少一项可计数的产出（如培训人次、建设面积）`)
}

function checkOutputQuality(ctx: RuleContext): void {
  perPeriod(ctx, 'R-OUTPUT-QUALITY', (p) => lacksOutput(ctx, p, 'quality'),
    (ps) => `${ps}产出指标缺少“质量指标”，建议填写验收合格率、达标率等质量要求`)
}

function checkOutputTimeliness(ctx: RuleContext): void {
  perPeriod(ctx, 'R-OUTPUT-TIMELINESS', (p) => lacksOutput(ctx, p, 'timeliness'),
    (ps) => `${ps}产出指标缺少“时效指标”，建议填写完成时限（如 ≤2024-10-31）或按期完成率`)
}

function checkCostRequired(ctx: RuleContext): void {
  const is2021 = ctx.framework === 'mof2021'
  const periods = ctx.checkedPeriods.filter((p) =>
    is2021 ? rowsIn(ctx, p, 'cost', 'economicCost').length === 0 : rowsIn(ctx, p, 'output', 'cost').length === 0)
  if (!periods.length) return
  const message = is2021
    ? `${periodsLabel(periods)}绩效指标缺少“成本指标—经济成本指标”，请填写项目总成本或单位成本（≤ X 万元）`
    : `${periodsLabel(periods)}产出指标缺少“成本指标”，建议填写单位成本或总成本控制数（≤ X 元/人 等）`
  ctx.report({ id: 'R-COST-REQUIRED', kase: ctx.framework, path: 'indicators', message })
}

function checkSatisfactionRequired(ctx: RuleContext): void {
  const waiver = ctx.table.waivers
  const lacking = ctx.checkedPeriods.filter((p) => rowsIn(ctx, p, 'satisfaction').length === 0)
  if (!lacking.length) return
  if (waiver?.noServiceObject) {
    const reason = waiver.reason.trim()
    if (reason) {
      ctx.report({ id: 'R-SATISFACTION-REQUIRED', kase: 'waived', path: 'indicators', message: `本表声明无服务对象，不设满意度指标。理由：${reason}`, value: reason })
    } else {
      ctx.report({ id: 'R-SATISFACTION-REQUIRED', kase: 'missing', path: 'indicators', message: '本表声明无服务对象但未写明理由，请填写豁免理由或增加服务对象满意度指标' })
    }
    return
  }
  ctx.report({
    id: 'R-SATISFACTION-REQUIRED', kase: 'missing', path: 'indicators',
    message: `${periodsLabel(lacking)}绩效指标缺少“服务对象满意度指标”，请增加（如 受益群众满意度 ≥90%），确无服务对象的须声明豁免并写明理由`,
  })
}

function checkLevel3CountMin(ctx: RuleContext): void {
  const { min, minWhenLargeFunds, largeFundsWan } = ctx.config.level3
  const funds = ctx.fundsTotal('annual')
  const threshold = ctx.amount(largeFundsWan)
  const large = funds !== null && threshold.ok && funds * (ctx.moneyUnit === '元' ? 1n : 10000n) >= threshold.micro * 10000n
  const problems: string[] = []
  let kase: 'belowMin' | 'belowLargeFundsMin' | undefined
  for (const p of ctx.checkedPeriods) {
    const n = ctx.byPeriod[p].length
    if (n < min) {
      problems.push(`${PERIOD_NAMES[p]}只有 ${n} 个三级指标，至少需要 ${min} 个`)
      kase = 'belowMin'
    } else if (large && n < minWhenLargeFunds) {
      problems.push(`${PERIOD_NAMES[p]}只有 ${n} 个三级指标，年度资金 ≥ ${largeFundsWan} 万元的项目应不少于 ${minWhenLargeFunds} 个`)
      kase ??= 'belowLargeFundsMin'
    }
  }
  if (kase) ctx.report({ id: 'R-LEVEL3-COUNT-MIN', kase, path: 'indicators', message: `${problems.join('；')}，请补充能反映主要产出和效果的指标` })
}

function checkLevel3CountMax(ctx: RuleContext): void {
  const { maxPerPeriod, maxPerLevel2 } = ctx.config.level3
  const problems: string[] = []
  for (const p of ctx.checkedPeriods) {
    const rows = ctx.byPeriod[p]
    if (rows.length > maxPerPeriod) problems.push(`${PERIOD_NAMES[p]}共 ${rows.length} 个三级指标（上限 ${maxPerPeriod} 个）`)
    const per = new Map<string, number>()
    for (const r of rows) if (r.l2) per.set(r.row.level2.trim(), (per.get(r.row.level2.trim()) ?? 0) + 1)
    for (const [l2, n] of per) if (n > maxPerLevel2) problems.push(`${PERIOD_NAMES[p]}“${l2}”下有 ${n} 个三级指标（上限 ${maxPerLevel2} 个）`)
  }
  if (problems.length) ctx.report({ id: 'R-LEVEL3-COUNT-MAX', path: 'indicators', message: `${problems.join('；')}，请精简为少而精的核心指标` })
}

function checkLevel2Empty(ctx: RuleContext): void {
  const parts: string[] = []
  for (const p of ctx.checkedPeriods) {
    const rows = ctx.byPeriod[p]
    if (!rows.length) continue
    // 二级 ids are unique within a framework, so the 二级 id alone names the group.
    const used = new Set<string | undefined>()
    for (const r of rows) used.add(r.l2)
    const empty: string[] = []
    for (const l1 of FRAMEWORKS[ctx.framework].level1) {
      for (const l2 of l1.level2) if (!used.has(l2.id)) empty.push(l2.name)
    }
    if (empty.length) parts.push(`${PERIOD_NAMES[p]}：${empty.join('、')}`)
  }
  if (parts.length) ctx.report({ id: 'R-LEVEL2-EMPTY', path: 'indicators', message: `以下二级指标没有三级指标（不适用时可留空）——${parts.join('；')}` })
}

export const structureRules: readonly RuleDef[] = [
  { id: 'R-HEADER-REQUIRED', scope: 'project', check: checkHeaderRequired },
  { id: 'R-HEADER-DEPT-REQUIRED', scope: 'department', check: checkHeaderDeptRequired },
  { id: 'R-FRAMEWORK-TREE', scope: 'both', check: checkFrameworkTree },
  { id: 'R-LEVEL1-OUTPUT', scope: 'both', check: checkLevel1Output },
  { id: 'R-LEVEL1-BENEFIT', scope: 'both', check: checkLevel1Benefit },
  { id: 'R-OUTPUT-QUANTITY', scope: 'both', check: checkOutputQuantity },
  { id: 'R-OUTPUT-QUALITY', scope: 'both', check: checkOutputQuality },
  { id: 'R-OUTPUT-TIMELINESS', scope: 'project', check: checkOutputTimeliness },
  { id: 'R-COST-REQUIRED', scope: 'project', check: checkCostRequired },
  { id: 'R-SATISFACTION-REQUIRED', scope: 'both', check: checkSatisfactionRequired },
  { id: 'R-LEVEL3-COUNT-MIN', scope: 'both', check: checkLevel3CountMin },
  { id: 'R-LEVEL3-COUNT-MAX', scope: 'both', check: checkLevel3CountMax },
  { id: 'R-LEVEL2-EMPTY', scope: 'both', check: checkLevel2Empty },
]
