// Rules of rules.md §B on 三级 names: generic labels and stubs, names that carry the target, duplicates.
import type { Period } from '../../model/index.ts'
import type { RowInfo, RuleContext } from '../context.ts'
import { classifyUnit } from '../units.ts'
import { toHalfWidth } from '../text.ts'
import { isSatisfactionName } from '../context.ts'
import { q, type RuleDef } from './rule.ts'

const STUB = /^指标\d*$/

function checkNameGeneric(ctx: RuleContext): void {
  for (const r of ctx.rows) {
    // A bare 满意度 is R-SATISFACTION-OBJECT's to report.
    if (isSatisfactionName(r.name)) continue
    let message: string | undefined
    if (r.key === '') message = `第 ${r.index + 1} 行的三级指标名称未填写，请写明衡量的具体对象`
    else if (ctx.c.frameworkLabels.has(r.key)) message = `三级指标名称${q(r.name)}与一级/二级指标名称相同，未说明衡量什么，请写具体指标（如“……覆盖率”“……人数”）`
    else if (ctx.c.stubNames.has(r.key) || STUB.test(r.key)) message = `三级指标名称${q(r.name)}是占位名称，请写明衡量的具体对象`
    if (message) ctx.reportRow('R-NAME-GENERIC', undefined, r, message, r.row.level3)
  }
}

const COMPARATOR_THEN_NUMBER = /(?:[≥≤<>=]|不少于|不低于|不超过|不高于|不大于|不小于|达到|高于|低于|大于|小于|至少)\s*\d/
const TRAILING_QUANTITY = /(\d+(?:\.\d+)?)\s*([^\d\s()（）]{1,6})\s*[)）]?$/

/** The target written into the name: “村组干部230人”, “合格率100%”, “（≥90%）”. */
export function nameCarriesValue(ctx: RuleContext, typed: string): string | undefined {
  const name = toHalfWidth(typed)
  const cmp = COMPARATOR_THEN_NUMBER.exec(name)
  if (cmp) return name.slice(cmp.index).replace(/[)）]+$/, '')
  const m = TRAILING_QUANTITY.exec(name)
  if (!m) return undefined
  const unit = classifyUnit(m[2]!, ctx.c.parse.units)
  if (!unit.recognised || unit.kind === 'date') return undefined
  // “2024年” ends a name as a period, not as a target.
  if (unit.base === '年' && /^(19|20)\d{2}$/.test(m[1]!)) return undefined
  return `${m[1]}${m[2]}`
}

function checkNameContainsValue(ctx: RuleContext): void {
  for (const r of ctx.rows) {
    const found = nameCarriesValue(ctx, r.name)
    if (!found) continue
    ctx.reportRow('R-NAME-CONTAINS-VALUE', undefined, r,
      `三级指标名称${q(r.name)}中写入了指标值${q(found)}，请把名称改为衡量对象本身，数值只填在指标值中`, r.row.level3)
  }
}

/** Measured noun at the end of a name (人数, 人次, 户数): two rows under different 二级 ending alike may count the same thing. */
const measure = (key: string) => key.slice(-2)

function checkDuplicate(ctx: RuleContext): void {
  for (const period of ['annual', 'midTerm'] as Period[]) {
    const exact = new Map<string, RowInfo>()
    const near = new Map<string, RowInfo>()
    /** earlier rows by (value, unit, measured noun): candidates for the same count under another 二级 */
    const byQuantity = new Map<string, RowInfo[]>()
    for (const r of ctx.byPeriod[period]) {
      if (r.key === '') continue
      const first = exact.get(r.key)
      const similar = first ? undefined : near.get(r.nearKey)
      const kind = r.value.unitInfo.kind
      const qk = r.value.numberText === undefined || kind === 'percent' || kind === 'empty' ? '' : `${r.value.numberText}|${r.value.unit}|${measure(r.key)}`
      const twin = first || similar || !qk ? undefined : byQuantity.get(qk)?.find((s) => sameQuantityElsewhere(s, r))
      if (first) {
        ctx.reportRow('R-DUPLICATE-INDICATOR', 'exact', r, `三级指标${q(r.name)}与第 ${first.index + 1} 行重复（同一期间同名指标），请删除或合并`, r.row.level3)
      } else if (similar) {
        ctx.reportRow('R-DUPLICATE-INDICATOR', 'near', r, `三级指标${q(r.name)}与第 ${similar.index + 1} 行${q(similar.name)}几乎相同，请确认是否重复`, r.row.level3)
      } else if (twin) {
        ctx.reportRow('R-DUPLICATE-INDICATOR', 'near', r,
          `三级指标${q(r.name)}与第 ${twin.index + 1} 行${q(twin.name)}分属不同二级指标但数值相同（${r.value.raw}${r.value.unit}），可能是同一事项重复计列`, r.row.level3)
      }
      if (!exact.has(r.key)) exact.set(r.key, r)
      if (!near.has(r.nearKey)) near.set(r.nearKey, r)
      if (qk) {
        const list = byQuantity.get(qk)
        if (list) list.push(r)
        else byQuantity.set(qk, [r])
      }
    }
  }
}

/** Same count, same unit, same measured noun, under two different 二级 (覆盖人数 / 受益人数). Rates are left out: 90% recurs by chance. */
function sameQuantityElsewhere(a: RowInfo, b: RowInfo): boolean {
  const va = a.value
  const vb = b.value
  return a.l2 !== undefined && b.l2 !== undefined && a.l2 !== b.l2
    && va.number !== undefined && va.number === vb.number && va.unit === vb.unit
    && va.unitInfo.kind !== 'percent' && va.unitInfo.kind !== 'empty'
    && a.key.length >= 2 && measure(a.key) === measure(b.key)
}

export const nameRules: readonly RuleDef[] = [
  { id: 'R-NAME-GENERIC', scope: 'both', check: checkNameGeneric },
  { id: 'R-NAME-CONTAINS-VALUE', scope: 'both', check: checkNameContainsValue },
  { id: 'R-DUPLICATE-INDICATOR', scope: 'both', check: checkDuplicate },
]
