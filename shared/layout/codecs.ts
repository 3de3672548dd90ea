// Cell codecs: how one stored model value is printed in a grid cell, and how what a user typed
// (or pasted) is turned back into model values. Pure; shared by layout.ts and write-plan.ts.
import { numberToPlainString, parseAmount, type Comparator } from '../model/index.ts'

/** What a grid cell hands us: Univer gives text, or a number when the cell is not text-formatted. */
export type CellInput = string | number | boolean | null | undefined

export function inputText(input: CellInput): string {
  if (input === null || input === undefined) return ''
  if (typeof input === 'number') return numberToPlainString(input)
  return String(input)
}

// ---- line breaks ----------------------------------------------------------------

/** Stored text keeps `\n`; Univer's editor gives paragraphs as `\r` (Alt+Enter), a paste may bring `\r\n`. */
export function normaliseBreaks(text: string): string {
  return text.replace(/\r\n?/g, '\n')
}

/** One line: line breaks typed or pasted into a single-line field become one space. */
export function singleLine(text: string): string {
  return text.replace(/[ \t]*(?:\r\n?|\n)+[ \t]*/g, ' ')
}

/**
 * Text as a Univer document body: one paragraph per line (`\r` each, `\r\n` closing the body).
 * WATCH OUT: a body without `paragraphs` shows as one run of text (or nothing, in the comment panel),
 * and a cell holding plain `v` with `\n` opens in the cell editor with its line breaks dropped.
 */
export function textBody(text: string): { dataStream: string; paragraphs: { startIndex: number }[] } {
  const dataStream = `${text.replace(/\r\n?|\n/g, '\r')}\r\n`
  const paragraphs: { startIndex: number }[] = []
  for (let i = 0; i < dataStream.length; i++) if (dataStream[i] === '\r') paragraphs.push({ startIndex: i })
  return { dataStream, paragraphs }
}

// ---- amounts ----------------------------------------------------------------

/**
 * Amount as stored → cell text: at least `decimals` decimals, more when the stored value has them
 * (so a typed 1234.567 is never shown rounded). Text that is not an amount is shown as stored.
 */
export function formatAmount(value: unknown, moneyUnit: string, decimals: number): string {
  if (value === null || value === undefined || value === '') return ''
  if (typeof value !== 'number' && typeof value !== 'string') return ''
  const p = parseAmount(value, moneyUnit)
  if (!p.ok) return String(value)
  const s = microText(p.micro)
  const [int, frac = ''] = s.split('.')
  return decimals > 0 || frac ? `${int}.${frac.padEnd(decimals, '0')}` : int!
}

function microText(micro: bigint): string {
  const int = micro / 1_000_000n
  const frac = (micro % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '')
  return frac ? `${int}.${frac}` : `${int}`
}

/**
 * Cell text → stored amount. `1,234.5` and `1234.5万元` (in a 万元 table) become the number 1234.5;
 * an amount a JS number cannot hold exactly stays as its plain digit string (still exact, still an
 * amount for the rules); anything else is kept as typed so R-FUND-FORMAT can report it.
 */
export function parseAmountInput(input: CellInput, moneyUnit: string): number | string | null {
  const text = inputText(input).trim()
  if (text === '') return null
  const p = parseAmount(text, moneyUnit)
  if (!p.ok) return text
  const plain = microText(p.micro)
  const n = Number(plain)
  return numberToPlainString(n) === plain ? n : plain
}

/** Weight (权重): a plain number when numeric, else the text as typed. */
export function parseNumberInput(input: CellInput): number | string | null {
  const text = inputText(input).trim()
  if (text === '') return null
  const p = parseAmount(text, '')
  if (!p.ok) return text
  const plain = microText(p.micro)
  const n = Number(plain)
  return numberToPlainString(n) === plain ? n : plain
}

export function formatNumber(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'number') return numberToPlainString(value)
  return String(value)
}

// ---- code + name (主管部门及代码) -------------------------------------------

export interface CodeName { code?: string; name: string }

export function formatCodeName(value: unknown): string {
  if (!value || typeof value !== 'object') return ''
  const v = value as Partial<CodeName>
  const name = v.name ?? ''
  return v.code ? `${v.code} ${name}`.trim() : name
}

/** `105 南江市教育局` / `105-南江市教育局` → {code:'105', name:'南江市教育局'}; otherwise a name only. */
export function parseCodeName(input: CellInput): CodeName {
  const text = inputText(input).trim()
  const m = /^(\d[\d.]*)\s*(?:[-－—]\s*|\s+)(.+)$/.exec(text)
  if (m) return { code: m[1]!, name: m[2]!.trim() }
  return { name: text }
}

// ---- 项目期 ----------------------------------------------------------------

export interface ProjectPeriod { start?: string; end?: string; years?: number | null }

export function formatPeriod(value: unknown): string {
  if (!value || typeof value !== 'object') return ''
  const p = value as ProjectPeriod
  const years = typeof p.years === 'number' ? `${p.years}年` : ''
  if (p.start && p.end) return years ? `${p.start}至${p.end}（${years}）` : `${p.start}至${p.end}`
  if (p.start && !p.end && !years) return p.start // unparsed text kept as typed
  return years
}

const DATE_TOKEN = /(\d{4})(?:\s*[-./年]\s*(\d{1,2})\s*月?)?/g

/**
 * `2024-01至2026-12（3年）`, `2024年—2026年`, `2024.1-2026.12`, `3年` → {start, end, years}.
 * Text that holds none of these is kept in `start` so nothing typed is lost (the rules flag it).
 */
export function parsePeriod(input: CellInput): ProjectPeriod {
  const text = inputText(input).trim()
  if (text === '') return {}
  const dates: { y: number; m?: number; text: string }[] = []
  for (const m of text.matchAll(DATE_TOKEN)) {
    const y = Number(m[1])
    if (y < 1990 || y > 2200) continue
    const month = m[2] ? Number(m[2]) : undefined
    dates.push({ y, m: month, text: month ? `${y}-${String(month).padStart(2, '0')}` : `${y}` })
  }
  // years: "3年" not glued to a 4-digit year, e.g. "（3年）", "3年期", "项目期3年"
  const ym = /(?:^|[^\d])(\d{1,2})\s*年(?!\d|\s*\d{1,2}\s*月)/.exec(text.replace(DATE_TOKEN, ' '))
  const years = ym ? Number(ym[1]) : undefined
  if (dates.length >= 2) {
    const [a, b] = [dates[0]!, dates[1]!]
    return { start: a.text, end: b.text, years: years ?? b.y - a.y + 1 }
  }
  if (dates.length === 1 && years !== undefined) {
    const a = dates[0]!
    const endYear = a.y + years - 1
    return { start: a.text, end: a.m ? `${endYear}-12` : `${endYear}`, years }
  }
  if (dates.length === 0 && years !== undefined) return { years }
  return { start: text }
}

// ---- 指标性质 / comparator -------------------------------------------------

export const COMPARATOR_LIST: readonly Comparator[] = ['≥', '≤', '=', '>', '<', '定性']

const COMPARATOR_ALIASES: Record<string, Comparator> = {
  '≥': '≥', '>=': '≥', '＞＝': '≥', '≧': '≥', '＞=': '≥',
  '≤': '≤', '<=': '≤', '＜＝': '≤', '≦': '≤', '＜=': '≤',
  '=': '=', '＝': '=', '==': '=',
  '>': '>', '＞': '>',
  '<': '<', '＜': '<',
  '定性': '定性',
}

/** Normalises a typed comparator; unknown text is kept as typed for the rules to report. */
export function parseComparator(input: CellInput): string {
  const t = inputText(input).trim()
  return COMPARATOR_ALIASES[t] ?? t
}

// ---- legacy one-string 指标值 (tables.md §9.3) -------------------------------

export interface IndicatorValue { comparator: string; target: string; unit: string }

const DATE_TARGET = /^\d{4}-\d{2}-\d{2}$/

/**
 * comparator + target + unit as one string for the legacy forms:
 * `≥` + `95` + `%` → `≥95%`; `=` is printed without the sign (`100%`); 定性 prints the grade word only;
 * a date target (unit `日期`) prints without the unit.
 */
export function formatIndicatorValue(v: Partial<IndicatorValue>): string {
  const comparator = v.comparator ?? ''
  const target = v.target ?? ''
  const unit = v.unit ?? ''
  if (comparator === '定性') return target
  if (target === '' && unit === '' && (comparator === '' || comparator === '=')) return ''
  const shownUnit = unit === '日期' && DATE_TARGET.test(target) ? '' : unit
  const sign = comparator === '=' ? '' : comparator
  return `${sign}${target}${shownUnit}`
}

// Word forms people type instead of signs; longest first so 大于等于 wins over 大于.
const PREFIX_WORDS: [string, Comparator][] = [
  ['大于等于', '≥'], ['大于或等于', '≥'], ['不低于', '≥'], ['不少于', '≥'], ['不小于', '≥'],
  ['小于等于', '≤'], ['小于或等于', '≤'], ['不高于', '≤'], ['不超过', '≤'], ['不多于', '≤'], ['不大于', '≤'],
  ['大于', '>'], ['高于', '>'], ['多于', '>'], ['超过', '>'],
  ['小于', '<'], ['低于', '<'], ['少于', '<'],
  ['等于', '='], ['达到', '='],
]
const PREFIX_SIGNS = ['>=', '<=', '＞＝', '＜＝', '==', '≥', '≤', '≧', '≦', '=', '＝', '>', '<', '＞', '＜']
const SUFFIX_WORDS: [string, Comparator][] = [['及以上', '≥'], ['以上', '≥'], ['及以下', '≤'], ['以下', '≤'], ['以内', '≤']]

// number (with grouping / decimals), a date, or a placeholder such as ** or XX
const TARGET_TOKEN = /^(\d{4}-\d{1,2}-\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日|[+-]?\d[\d,]*(?:\.\d+)?|\*+|[xX×]+)/

/**
 * Parses what was typed into a legacy 指标值 cell back into the three stored fields.
 * `≥95%` → ≥/95/%; `不低于90%`, `90%以上` → ≥/90/%; `100%` → =/100/%; `≤2024-12-20` → ≤/2024-12-20/日期;
 * `≥**人` → ≥/**\/人; text that is not "number + unit" (`达到预期`, `2024年10月底前`) → 定性 + the text.
 */
export function parseIndicatorValue(input: CellInput): IndicatorValue {
  let text = inputText(input).trim().replace(/\s+/g, '')
  if (text === '') return { comparator: '', target: '', unit: '' }
  let comparator: string | undefined
  for (const [word, c] of PREFIX_WORDS) {
    if (text.startsWith(word)) { comparator = c; text = text.slice(word.length); break }
  }
  if (!comparator) {
    for (const s of PREFIX_SIGNS) {
      if (text.startsWith(s)) { comparator = COMPARATOR_ALIASES[s]!; text = text.slice(s.length); break }
    }
  }
  if (!comparator) {
    for (const [word, c] of SUFFIX_WORDS) {
      if (text.endsWith(word) && TARGET_TOKEN.test(text)) { comparator = c; text = text.slice(0, -word.length); break }
    }
  }
  const m = TARGET_TOKEN.exec(text)
  if (!m) return { comparator: '定性', target: inputText(input).trim(), unit: '' }
  let target = m[1]!
  let unit = text.slice(target.length)
  // A unit with digits in it is not a unit: "2024年10月底前" is a deadline written as words.
  if (/\d\s*[年月日]|[年月]\d/.test(unit)) return { comparator: '定性', target: inputText(input).trim(), unit: '' }
  const cn = /^(\d{4})年(\d{1,2})月(\d{1,2})日$/.exec(target)
  if (cn) target = `${cn[1]}-${cn[2]!.padStart(2, '0')}-${cn[3]!.padStart(2, '0')}`
  if (/^\d{4}-\d{1,2}-\d{1,2}$/.test(target)) {
    const [y, mo, d] = target.split('-')
    target = `${y}-${mo!.padStart(2, '0')}-${d!.padStart(2, '0')}`
    if (unit === '' || unit === '前' || unit === '之前') unit = '日期'
  }
  return { comparator: comparator ?? '=', target, unit }
}

// ---- 指标方向性 ---------------------------------------------------------------

export const DIRECTION_LABELS = { positive: '正向指标', negative: '反向指标' } as const

export function formatDirection(value: unknown): string {
  return value === 'positive' || value === 'negative' ? DIRECTION_LABELS[value] : ''
}

/** `正向`/`正向指标` → positive, `反向…` → negative, empty → undefined (cleared); other text → null (refused). */
export function parseDirection(input: CellInput): 'positive' | 'negative' | undefined | null {
  const t = inputText(input).trim()
  if (t === '') return undefined
  if (/^(正向|正|positive)/i.test(t)) return 'positive'
  if (/^(反向|反|负向|negative)/i.test(t)) return 'negative'
  return null
}
