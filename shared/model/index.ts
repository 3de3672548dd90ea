// Public surface of the table model.
export { LIMITS } from './limits.ts'
export { newId } from './ids.ts'
export { parseAmount, formatMicro, microToString, numberToPlainString, MICRO_PER_UNIT, type ParsedAmount } from './money.ts'
export {
  TABLE_KINDS, TEMPLATE_IDS, FRAMEWORK_IDS, PERIODS, COMPARATORS, VALUE_KINDS, DIRECTIONS, MONEY_UNITS,
  lenientSchemas, strictSchemas, tableJsonSchema,
  type TableKind, type TemplateId, type FrameworkId, type Period, type Comparator, type SchemaMode,
  type TargetTable, type ProjectTable, type DepartmentTable, type IndicatorRow, type TaskRow, type FundSplit, type UnplacedCell, type Amount,
} from './schema.ts'
export { parseTable, parseTableOrThrow, type ParseProblem, type ParseResult, type ParseOptions } from './parse.ts'
export { formatPath, parsePath, type PathSegment } from './path.ts'
export { FIELD_LABELS, fieldLabel, PERIOD_LABELS } from './labels.ts'
export { FRAMEWORKS, FRAMEWORK_DATA, normaliseLevel1, normaliseLevel2, findLevel1, findLevel2, classify, type FrameworkDef, type Level1Def, type Level2Def } from './framework.ts'
export { blankTable } from './blank.ts'
export { canonicalTable, canonicalRootValue, isBlank, canonicalRow, canonicalRowField, canonicalValue, ABSENT, ROW_LIST_KEYS, ROW_SPECS, ROOT_SPECS, type FieldSpec, type ObjectSpec } from './canonical.ts'
export { TEMPLATES, getTemplate, frameworkOf, type TemplateDef, type GridColumn } from './templates.ts'
