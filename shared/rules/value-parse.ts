// Parsing model of rules.md §B: a row's value → comparator (≥ ≤ = > < 定性), target (number, date or words) and unit.
// Legacy one-string values (≥95%, 不少于30场, 2025年10月底前) are split into the three parts; separate fields win.
import type { IndicatorRow } from '../model/index.ts'
import { defaultRuleConfig, type RuleConfig } from './config.ts'
import { formatDate, parseDate, parseDateRange, type SimpleDate } from './dates.ts'
import { compileUnits, classifyUnit, type UnitInfo, type UnitTable } from './units.ts'
import { dropThousandsSeparators, findPlaceholder, toHalfWidth } from './text.ts'

export { parseDate, parseDateRange, parseYearMonth, formatDate, dateKey, lastDayOfMonth, type SimpleDate, type ParsedDate } from './dates.ts'
export { classifyUnit, compileUnits, type UnitInfo, type UnitKind, type UnitTable } from './units.ts'
export { normaliseName, nearNameKey, findPlaceholder, findVagueTerm, containsNumber, toHalfWidth } from './text.ts'

export type ComparatorSymbol = '≥' | '≤' | '=' | '>' | '<'
export type ValueComparator = ComparatorSymbol | '定性'

export interface ComparatorLexicon {
  /** words before the number (不少于30), longest first */
  prefix: readonly (readonly [string, ComparatorSymbol])[]
  /** words after it (30场以上), longest first */
  suffix: readonly (readonly [string, ComparatorSymbol])[]
  /** whole contents of a 指标性质 cell */
  field: ReadonlyMap<string, ValueComparator>
}

/** Everything the parser needs from a configuration, compiled once. */
export interface ParseTables {
  lexicon: ComparatorLexicon
  units: UnitTable
  placeholders: readonly string[]
}

const SYMBOLS: [string, ComparatorSymbol][] = [
  ['>=', '≥'], ['=>', '≥'], ['≥', '≥'], ['<=', '≤'], ['=<', '≤'], ['≤', '≤'], ['==', '='], ['=', '='], ['>', '>'], ['<', '<'],
]
const EXTRA_PREFIX: [string, ComparatorSymbol][] = [
  ['大于或等于', '≥'], ['大于等于', '≥'], ['小于或等于', '≤'], ['小于等于', '≤'], ['大于', '>'], ['小于', '<'],
]
const EXTRA_SUFFIX: [string, ComparatorSymbol][] = [['及以上', '≥'], ['及以下', '≤'], ['之内', '≤']]

export function compileComparators(words: RuleConfig['comparatorWords']): ComparatorLexicon {
  const prefix: [string, ComparatorSymbol][] = [...EXTRA_PREFIX]
  const suffix: [string, ComparatorSymbol][] = [...EXTRA_SUFFIX]
  for (const [symbol, list] of Object.entries(words) as [ComparatorSymbol, readonly string[]][]) {
    // 以上/以下/以内 follow the number; every other word precedes it.
    for (const w of list) (w.startsWith('以') ? suffix : prefix).push([w, symbol])
  }
  prefix.sort((a, b) => b[0].length - a[0].length)
  suffix.sort((a, b) => b[0].length - a[0].length)
  const field = new Map<string, ValueComparator>()
  for (const [w, s] of [...SYMBOLS, ...prefix, ...suffix]) field.set(w, s)
  for (const w of ['定性', 'qualitative', '定性指标']) field.set(w, '定性')
  return { prefix, suffix, field }
}

export function compileParseTables(config: RuleConfig): ParseTables {
  return {
    lexicon: compileComparators(config.comparatorWords),
    units: compileUnits(config.units),
    placeholders: config.terms.placeholders,
  }
}

export const DEFAULT_PARSE_TABLES: ParseTables = compileParseTables(defaultRuleConfig)

/** Contents of a 指标性质 cell → comparator; '' when empty, null when it is text that is no comparator. */
export function normaliseComparator(text: string, lexicon = DEFAULT_PARSE_TABLES.lexicon): ValueComparator | '' | null {
  const t = toHalfWidth(text).replace(/\s+/g, '')
  if (t === '') return ''
  return lexicon.field.get(t) ?? null
}

export interface LegacyValue {
  comparator: ComparatorSymbol | ''
  /** the number, ISO date or words left once comparator and unit are taken off */
  target: string
  unit: string
}

const LEADING_NUMBER = /^(-?\d+(?:\.\d+)?)\s*(.*)$/s
const PLAIN_NUMBER = /^-?\d+(?:\.\d+)?$/
const UNIT_LIKE = /^[^\d\s,，、;；。:：!！?？"“”]{1,10}$/

/** Text after a number that can only be a unit: short, no digits, no sentence punctuation. */
function isUnitLike(text: string): boolean {
  return UNIT_LIKE.test(text)
}

/**
 * Splits a legacy one-string 指标值 into comparator, target and unit:
 * `≥95%` → ≥ 95 %, `不少于30场` → ≥ 30 场, `30场以上` → ≥ 30 场, `2025年10月底前` → ≤ 2025-10-31 日期, `>=**` → ≥ ** ''.
 */
export function parseLegacyValue(text: string, lexicon = DEFAULT_PARSE_TABLES.lexicon, defaultYear?: number): LegacyValue {
  // Fast path: most targets are a bare number typed beside separate comparator and unit fields.
  if (PLAIN_NUMBER.test(text)) return { comparator: '', target: text, unit: '' }
  let s = toHalfWidth(dropThousandsSeparators(text)).trim()
  let comparator: ComparatorSymbol | '' = ''
  for (const [sym, c] of SYMBOLS) {
    if (s.startsWith(sym)) {
      comparator = c
      s = s.slice(sym.length).trim()
      break
    }
  }
  if (!comparator) {
    for (const [w, c] of lexicon.prefix) {
      // “为” opens many sentences; it is a comparator only right before a number.
      if (s.startsWith(w) && (w.length > 1 || /^\d/.test(s.slice(1)))) {
        comparator = c
        s = s.slice(w.length).trim()
        break
      }
    }
  }
  for (const [w, c] of lexicon.suffix) {
    if (s.length > w.length && s.endsWith(w)) {
      comparator ||= c
      s = s.slice(0, -w.length).trim()
      break
    }
  }
  const date = parseDate(s, defaultYear)
  if (date) return { comparator: comparator || (date.before ? '≤' : ''), target: formatDate(date.date), unit: '日期' }
  const m = LEADING_NUMBER.exec(s)
  if (m) {
    const after = m[2]!.trim()
    if (after === '') return { comparator, target: m[1]!, unit: '' }
    if (isUnitLike(after)) return { comparator, target: m[1]!, unit: after }
  }
  return { comparator, target: s, unit: '' }
}

export type NumberCount = 'none' | 'one' | 'range' | 'multi' | 'prose'

export interface NumberExtraction {
  kind: NumberCount
  numbers: string[]
}

const NUMBERS = /\d+(?:\.\d+)?/g
const RANGE = /^-?\d+(?:\.\d+)?\s*[^\d\s,，、;；]{0,6}?\s*(?:-|~|～|至|到|—|–)+\s*\d+(?:\.\d+)?\s*[^\d\s,，、;；]{0,6}$/

/** How many numbers a value holds: one (with at most a unit), a range (90%-95%), several (≥20个，≥300人) or one inside prose. */
export function extractNumbers(text: string): NumberExtraction {
  const t = toHalfWidth(dropThousandsSeparators(text)).trim()
  const numbers = t.match(NUMBERS) ?? []
  if (numbers.length === 0) return { kind: 'none', numbers }
  if (numbers.length === 1) {
    const rest = t.replace(/^-/, '').replace(numbers[0]!, '').trim()
    return { kind: rest === '' || isUnitLike(rest) ? 'one' : 'prose', numbers }
  }
  if (numbers.length === 2 && RANGE.test(t)) return { kind: 'range', numbers }
  return { kind: 'multi', numbers }
}

export type TargetShape = 'empty' | 'placeholder' | 'number' | 'date' | 'dateRange' | 'range' | 'multi' | 'prose' | 'text'

export interface EffectiveValue {
  /** 指标值 as typed, trimmed */
  raw: string
  comparator: ValueComparator | ''
  /** where the comparator came from; `implied` = a bare number in a legacy text form, read as “=” */
  comparatorSource: 'field' | 'text' | 'implied' | 'none'
  /** the 指标性质 cell held text that is not a comparator */
  comparatorUnknown?: string
  /** the target without comparator and unit */
  core: string
  unit: string
  unitInfo: UnitInfo
  shape: TargetShape
  number?: number
  numberText?: string
  date?: SimpleDate
  quantitative: boolean
}

const NUMERIC_SHAPES: ReadonlySet<TargetShape> = new Set(['number', 'date', 'dateRange', 'range', 'multi', 'prose'])

function shapeOf(raw: string, core: string, tables: ParseTables, year?: number): TargetShape {
  if (raw === '') return 'empty'
  if (findPlaceholder(raw, tables.placeholders) !== undefined) return 'placeholder'
  if (PLAIN_NUMBER.test(core)) return 'number'
  if (parseDate(core, year)) return 'date'
  if (parseDateRange(core)) return 'dateRange'
  const n = extractNumbers(core)
  if (n.kind === 'none') return 'text'
  if (n.kind === 'one') return 'prose' // a number with words the unit column does not explain
  return n.kind
}

export interface EffectiveValueOptions {
  /** the template holds the comparator in its own 指标性质 column (no “=” is implied) */
  separateComparator: boolean
  /** budget year, for dates typed without one (10月底前) */
  year?: number
  tables?: ParseTables
}

/** The value of a row as the rules see it: separate fields when filled, else what the legacy string says. */
export function effectiveValue(
  row: Pick<IndicatorRow, 'comparator' | 'target' | 'unit' | 'valueKind'>,
  options: EffectiveValueOptions,
): EffectiveValue {
  const tables = options.tables ?? DEFAULT_PARSE_TABLES
  const raw = (row.target ?? '').trim()
  const fieldText = (row.comparator ?? '').trim()
  const field = normaliseComparator(fieldText, tables.lexicon)
  const legacy = parseLegacyValue(raw, tables.lexicon, options.year)

  let comparator: ValueComparator | '' = ''
  let comparatorSource: EffectiveValue['comparatorSource'] = 'none'
  if (field) {
    comparator = field
    comparatorSource = 'field'
  } else if (legacy.comparator) {
    comparator = legacy.comparator
    comparatorSource = 'text'
  }
  const unit = (row.unit ?? '').trim() || legacy.unit
  const unitInfo = classifyUnit(unit, tables.units)
  const core = legacy.target
  const shape = shapeOf(raw, core, tables, options.year)

  let quantitative: boolean
  if (comparator === '定性') quantitative = false
  else if (comparator !== '') quantitative = true
  else if (row.valueKind) quantitative = row.valueKind === 'quantitative'
  else quantitative = NUMERIC_SHAPES.has(shape)

  if (quantitative && comparator === '' && !options.separateComparator && (shape === 'number' || shape === 'date')) {
    comparator = '='
    comparatorSource = 'implied'
  }

  const out: EffectiveValue = { raw, comparator, comparatorSource, core, unit, unitInfo, shape, quantitative }
  if (field === null) out.comparatorUnknown = fieldText
  if (shape === 'number') {
    out.number = Number(core)
    out.numberText = core
  } else if (shape === 'date') {
    out.date = parseDate(core, options.year)!.date
  }
  return out
}
