// Shape of one rule and small helpers shared by the rule families.
import type { Period } from '../../model/index.ts'
import { PERIOD_NAMES, type RuleContext } from '../context.ts'
import type { RuleId, RuleScope } from '../types.ts'

export interface RuleDef {
  id: RuleId
  scope: RuleScope
  check(ctx: RuleContext): void
}

export const FRAMEWORK_NAMES: Record<string, string> = {
  mof2015: '2015版指标框架（财预〔2015〕88号）',
  mof2021: '2021版指标框架（财预〔2021〕101号）',
}

/** “年度指标” / “年度、中期指标” for table-level messages that cover several periods. */
export function periodsLabel(periods: readonly Period[]): string {
  return periods.map((p) => PERIOD_NAMES[p]).join('、')
}

/** Quotes a value for a message: “进一步提高”. */
export function q(text: string): string {
  return `“${text}”`
}
