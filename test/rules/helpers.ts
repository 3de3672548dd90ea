// Shortcuts for rule tests: validate and pick the findings of one rule.
import type { TargetTable } from '../../shared/model/index.ts'
import { validateTable, type Finding, type RuleConfig } from '../../shared/rules/index.ts'

export function findings(table: TargetTable, config?: RuleConfig): Finding[] {
  return validateTable(table, config)
}

/** Findings of one rule. */
export function of(table: TargetTable, ruleId: string, config?: RuleConfig): Finding[] {
  return validateTable(table, config).filter((f) => f.ruleId === ruleId)
}

/** Locations where a rule fired. */
export function pathsOf(table: TargetTable, ruleId: string, config?: RuleConfig): string[] {
  return of(table, ruleId, config).map((f) => f.path)
}

/** error/warning findings as `ruleId@path`, the way samples list them. */
export function blocking(table: TargetTable, config?: RuleConfig): string[] {
  return validateTable(table, config).filter((f) => f.severity !== 'info').map((f) => `${f.ruleId}@${f.path}`)
}
