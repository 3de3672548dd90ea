// Rules of rules.md §D on project categories and special cases: 一体化 classes, one-off projects,
// continuing projects against last year, and library core (★) indicators.
import { normaliseLevel1, normaliseLevel2, parseAmount } from '../../model/index.ts'
import { inferDirection, type RowInfo, type RuleContext } from '../context.ts'
import { parseYearMonth } from '../dates.ts'
import { includesAny, nearKeyOf, normaliseName } from '../text.ts'
import { q, type RuleDef } from './rule.ts'

const LIGHT_CATEGORIES = new Set(['人员类', '运转类-公用经费'])
const FULL_CATEGORIES = new Set(['运转类-其他', '特定目标类'])

function checkCategoryScope(ctx: RuleContext): void {
  const category = ctx.project!.header.projectCategory?.trim() ?? ''
  if (LIGHT_CATEGORIES.has(category)) {
    ctx.report({
      id: 'R-CATEGORY-SCOPE', kase: 'hint', path: 'header.projectCategory', value: category,
      message: `${category}项目通常由部门整体支出绩效目标覆盖，单独填报时只需数量、时效指标（如 保障人数、按时足额发放率），可声明无服务对象免填满意度`,
    })
    return
  }
  if (!FULL_CATEGORIES.has(category)) return
  const level1 = new Set(ctx.byPeriod.annual.map((r) => r.l1).filter(Boolean))
  if (level1.size > 1) return
  ctx.report({
    id: 'R-CATEGORY-SCOPE', kase: 'reduced', path: 'indicators', value: category,
    message: `${category}项目须填报完整的绩效目标表（产出、效益、满意度指标），目前年度指标${level1.size ? '只有一个一级指标' : '为空'}，请补充`,
  })
}

const isOneOff = (ctx: RuleContext) => ctx.project!.header.oneOff === true

function checkOneOffCompletion(ctx: RuleContext): void {
  if (!isOneOff(ctx)) return
  const { acceptanceTerms, completionTerms } = ctx.config.oneOff
  const acceptance = ctx.rows.some((r) => includesAny(r.name, acceptanceTerms))
  const completion = ctx.rows.some((r) => (r.l2 === 'timeliness' && r.value.shape === 'date') || includesAny(r.name, completionTerms))
  const missing: string[] = []
  if (!acceptance) missing.push('验收类指标（如 验收合格率、系统上线、交付）')
  if (!completion) missing.push('完成时间类时效指标（如 完工时间 ≤2024-10-31）')
  if (missing.length) {
    ctx.report({ id: 'R-ONEOFF-COMPLETION', path: 'indicators', message: `一次性项目缺少${missing.join('和')}，请补充，便于按期验收` })
  }
}

function checkOneOffSustain(ctx: RuleContext): void {
  if (!isOneOff(ctx)) return
  if (!ctx.rows.some((r) => r.l2 === 'sustainable')) {
    ctx.report({
      id: 'R-ONEOFF-SUSTAIN', path: 'indicators',
      message: '一次性项目缺少可持续影响指标，请说明成果如何持续发挥作用（如 设计使用年限、系统稳定运行时长、质保期/运维保障）',
    })
  }
  for (const r of ctx.rows) {
    if (r.l1 !== 'output') continue
    const term = includesAny(r.name, ctx.config.oneOff.recurringTerms)
    if (term) {
      ctx.reportRow('R-ONEOFF-SUSTAIN', undefined, r,
        `一次性项目的产出指标${q(r.name)}承诺了${q(term)}的经常性产出，一次性资金不能保障，请改为本项目期内的交付成果`, r.row.level3)
    }
  }
}

function checkOneOffPeriod(ctx: RuleContext): void {
  if (!isOneOff(ctx)) return
  const end = ctx.project!.header.projectPeriod?.end
  if (parseYearMonth(end)) return
  ctx.report({
    id: 'R-ONEOFF-PERIOD', path: 'header.projectPeriod', value: end || undefined,
    message: '一次性项目必须写明项目期的结束年月（如 2024-11）；跨年度的还须填写中期目标和中期指标',
  })
}

/** Exact decimal comparison of two number texts: -1, 0, 1, or null when either is not a number. */
function compareNumbers(a: string, b: string): number | null {
  const x = parseAmount(a)
  const y = parseAmount(b)
  if (!x.ok || !y.ok) return null
  return x.micro === y.micro ? 0 : x.micro < y.micro ? -1 : 1
}

function checkContinuingBaseline(ctx: RuleContext): void {
  const prior = ctx.table.priorYear
  if (!prior?.length || ctx.project!.header.projectAttribute?.trim() !== '延续') return
  const byName = new Map<string, (typeof prior)[number]>()
  for (const p of prior) {
    const key = `${p.period ?? 'annual'}|${normaliseName(p.level3)}`
    if (!byName.has(key)) byName.set(key, p)
  }
  let identical = ctx.rows.length === prior.length
  for (const r of ctx.rows) {
    const p = byName.get(`${r.period}|${r.key}`)
    const sameText = p !== undefined && (p.target ?? '').trim() === r.value.raw && (p.unit ?? '').trim() === r.row.unit.trim()
      && (p.comparator ?? '').trim() === r.row.comparator.trim()
    if (!sameText) identical = false
    if (!p?.actual || r.value.numberText === undefined || !r.value.quantitative || r.row.remark?.trim()) continue
    const actual = p.actual.trim().replace(/%$/, '')
    const cmp = compareNumbers(r.value.numberText, actual)
    if (cmp === null) continue
    const negative = r.value.comparator === '≤' || r.value.comparator === '<' || inferDirection(ctx, r) === 'negative'
    if ((negative && cmp > 0) || (!negative && cmp < 0)) {
      ctx.reportRow('R-CONTINUING-BASELINE', undefined, r,
        `延续项目指标${q(r.name)}的目标 ${r.value.numberText}${r.value.unit} ${negative ? '高于' : '低于'}上年实际完成值 ${p.actual}，请以历史标准为基础设定目标，或在备注中说明原因`,
        r.value.raw)
    }
  }
  if (identical && ctx.rows.length > 0) {
    ctx.report({ id: 'R-CONTINUING-BASELINE', path: 'indicators', message: '绩效指标与上年完全相同，请根据上年实际完成情况更新指标值' })
  }
}

function checkCoreRequired(ctx: RuleContext): void {
  const missingRows = new Set<RowInfo>()
  for (const r of ctx.rows) if (r.row.core && r.value.shape === 'empty') missingRows.add(r)
  const absent: string[] = []
  for (const core of ctx.table.coreIndicators ?? []) {
    const key = normaliseName(core.level3)
    const match = ctx.rows.find((r) => r.key === key
      && (!core.level1 || normaliseLevel1(core.level1) === normaliseLevel1(r.row.level1))
      && (!core.level2 || normaliseLevel2(core.level2) === normaliseLevel2(r.row.level2)))
    if (!match) absent.push(core.level3)
    else if (match.value.shape === 'empty') missingRows.add(match)
  }
  for (const r of missingRows) {
    ctx.reportRow('R-CORE-REQUIRED', undefined, r, `核心指标（★）${q(r.name)}未填写指标值，核心指标必须填报`)
  }
  if (absent.length) {
    ctx.report({ id: 'R-CORE-REQUIRED', path: 'indicators', message: `缺少模板规定的核心指标（★）：${absent.map(q).join('、')}，请补充并填写指标值` })
  }
  // The library's core entries of the table's 功能分类: matched by near-identical 三级 name in any 一级/二级
  // (a department files 培训人次 where the library says 培训人数); one finding per missing entry.
  if (!ctx.libraryCore.length) return
  const nearKeys = new Set(ctx.rows.map((r) => r.nearKey))
  const seen = new Set<string>()
  for (const core of ctx.libraryCore) {
    const key = nearKeyOf(normaliseName(core.level3))
    if (!key || seen.has(key)) continue
    seen.add(key)
    if (nearKeys.has(key)) {
      for (const r of ctx.rows) if (r.nearKey === key && r.value.shape === 'empty' && !missingRows.has(r)) {
        missingRows.add(r)
        ctx.reportRow('R-CORE-REQUIRED', undefined, r, `核心指标（★）${q(r.name)}未填写指标值，核心指标必须填报`)
      }
      continue
    }
    const place = [core.level1, core.level2].filter(Boolean).join('/')
    ctx.report({
      id: 'R-CORE-REQUIRED', path: `indicators.core.${core.id}`, value: core.level3,
      message: `缺少本类项目的核心指标（★）${q(core.level3)}${place ? `（${place}）` : ''}，请从指标库插入并填写指标值`,
    })
  }
}

export const specialRules: readonly RuleDef[] = [
  { id: 'R-CATEGORY-SCOPE', scope: 'project', check: checkCategoryScope },
  { id: 'R-ONEOFF-COMPLETION', scope: 'project', check: checkOneOffCompletion },
  { id: 'R-ONEOFF-SUSTAIN', scope: 'project', check: checkOneOffSustain },
  { id: 'R-ONEOFF-PERIOD', scope: 'project', check: checkOneOffPeriod },
  { id: 'R-CONTINUING-BASELINE', scope: 'project', check: checkContinuingBaseline },
  { id: 'R-CORE-REQUIRED', scope: 'both', check: checkCoreRequired },
]
