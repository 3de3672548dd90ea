// Public surface of the rule engine (审核规则): validateTable, its configuration, findings and the value parser.
export { validateTable, canSubmit, finaliseFindings, RULES, type ValidateOptions } from './engine.ts'
export type { LibraryCoreIndicator } from './context.ts'
export { defaultRuleConfig, mergeRuleConfig, severityOf, type RuleConfig, type RuleConfigPatch, type RuleSetting } from './config.ts'
export { RULE_IDS, SEVERITIES, type Finding, type RuleId, type Severity, type RuleScope } from './types.ts'
export {
  parseLegacyValue, normaliseComparator, extractNumbers, effectiveValue, compileParseTables, DEFAULT_PARSE_TABLES,
  parseDate, parseDateRange, parseYearMonth, classifyUnit, normaliseName, nearNameKey, findPlaceholder, findVagueTerm, containsNumber,
  type ComparatorSymbol, type ValueComparator, type LegacyValue, type NumberExtraction, type EffectiveValue, type TargetShape,
  type SimpleDate, type UnitInfo, type UnitKind, type ParseTables,
} from './value-parse.ts'
export type { RuleDef } from './rules/rule.ts'
