// Indicator values as found in legacy sheets → the three stored fields (comparator, target, unit), and
// the separate 指标性质 / 度量单位 / 指标方向性 cells of the 一体化 layouts. Pure; the readers report every
// change as a normalisation (cell, field, from, to). The parsing itself is the layout's codec (what the
// grid uses when a user types a value) with the rules' date reading for deadlines written as words.
import { inputText, parseComparator, parseDirection, parseIndicatorValue } from '../../shared/layout/codecs.ts'
import { findPlaceholder, normaliseComparator, parseLegacyValue, toHalfWidth } from '../../shared/rules/value-parse.ts'
import { defaultRuleConfig } from '../../shared/rules/config.ts'

/** What a value cell held, once read. */
export type ValueShape = 'empty' | 'number' | 'date' | 'placeholder' | 'qualitative' | 'prose'

export interface SplitValue {
  comparator: string
  target: string
  unit: string
  /** the three fields differ from “the text as typed in target” (the caller reports a normalisation) */
  changed: boolean
  shape: ValueShape
  /** Chinese, what was done (for the normalisation's note) */
  note?: string
}

export interface SplitOptions {
  /** budget year, for deadlines typed without one (10月底前) */
  year?: number
}

const PLACEHOLDERS = defaultRuleConfig.terms.placeholders
const DIGITS = /[0-9０-９]/
const GROUPED = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/
const DATE_TARGET = /^\d{4}-\d{2}-\d{2}$/
/** full-width digits, point, percent and signs → half-width; brackets stay as typed (台（套）) */
function foldDigits(s: string): string {
  return s.replace(/[０-９．％＋－＞＜＝]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ')
}

/** a value that is only a blank form's filler: ……, **, XX, 待定, / */
const ONLY_PLACEHOLDER = /^(?:[.…。]+|\*+|[xX×]+|待定|\/|-|—+)$/
/** units are short words: no digits (a range, a second number), no sentence punctuation, no “其中” asides */
function unitLike(unit: string): boolean {
  if (unit === '') return true
  if (unit.length > 10 || /\d/.test(unit) || /[，,、;；。:：!！?？"“”…]/.test(unit) || /其中|含|底|前$/.test(unit)) return false
  return true
}

function noteOf(v: { comparator: string; target: string; unit: string }, shape: ValueShape, extra: string[]): string {
  if (shape === 'qualitative') return ['定性指标：比较符记为“定性”，指标值保留原文', ...extra].join('；')
  const parts: string[] = []
  if (v.comparator) parts.push(`比较符“${v.comparator}”`)
  if (shape === 'date') parts.push(`日期 ${v.target}`)
  else parts.push(`指标值“${v.target}”`)
  if (v.unit && shape !== 'date') parts.push(`单位“${v.unit}”`)
  return [`拆分为${parts.join('、')}`, ...extra].join('；')
}

/**
 * One legacy 指标值 cell → comparator, target, unit:
 * `≥95%` → ≥/95/%; `不少于30场` → ≥/30/场; `>=**` → ≥/**\/'' (placeholder kept, the rules report it);
 * `100%` → =/100/% (“=” implied on the legacy forms); `≤2024-12-20`, `2024年10月底前` → ≤/2024-10-31/日期;
 * words without a number (`达到预期`, `有所提升`) → 定性/text/''; prose with numbers that is no
 * “number + unit” (`完成30场，覆盖20个村`) → ''/text/'' as typed.
 */
export function splitIndicatorValue(text: string, opts: SplitOptions = {}): SplitValue {
  const raw = text.trim()
  if (raw === '') return { comparator: '', target: '', unit: '', changed: text !== '', shape: 'empty' }
  const folded = foldDigits(raw)
  const extra: string[] = []
  if (ONLY_PLACEHOLDER.test(folded)) return { comparator: '', target: raw, unit: '', changed: raw !== text, shape: 'placeholder' }
  // deadlines first: the codec reads `10月底前` as 10 + unit 月底前
  const legacy = parseLegacyValue(folded, undefined, opts.year)
  let v: { comparator: string; target: string; unit: string }
  let shape: ValueShape
  if (legacy.unit === '日期' && DATE_TARGET.test(legacy.target)) {
    v = { comparator: legacy.comparator || '=', target: legacy.target, unit: '日期' }
    shape = 'date'
  } else {
    v = parseIndicatorValue(folded)
    if (v.comparator === '定性') {
      // The codec calls everything that is no “number + unit” 定性; prose with numbers is not.
      if (DIGITS.test(raw)) {
        v = { comparator: '', target: raw, unit: '' }
        shape = 'prose'
      } else {
        v = { comparator: '定性', target: raw, unit: '' }
        shape = 'qualitative'
      }
    } else if (!unitLike(v.unit)) {
      v = { comparator: '', target: raw, unit: '' }
      shape = 'prose'
    } else if (/^\*+$|^[xX×]+$/.test(v.target)) {
      shape = 'placeholder'
    } else if (v.unit === '日期' && DATE_TARGET.test(v.target)) {
      shape = 'date'
    } else {
      shape = 'number'
      if (GROUPED.test(v.target)) {
        v = { ...v, target: v.target.replace(/,/g, '') }
        extra.push('去掉千位分隔符')
      }
    }
  }
  const changed = v.comparator !== '' || v.unit !== '' || v.target !== text
  const out: SplitValue = { comparator: v.comparator, target: v.target, unit: v.unit, changed, shape }
  if (changed) out.note = noteOf(v, shape, extra)
  return out
}

// ---- separate 指标性质 / 指标值 / 度量单位 cells ------------------------------------

export interface ComparatorCell {
  /** the stored comparator: a symbol, 定性, '' (empty or only a kind/direction word), or the text as typed when unknown */
  comparator: string
  /** the cell said 定量/定性 rather than a sign */
  valueKind?: 'quantitative' | 'qualitative'
  /** the cell said 正向/反向 (some 一体化 exports put the direction here) */
  direction?: 'positive' | 'negative'
  /** the cell held text that is neither: kept as typed for the rules */
  unknown: boolean
  changed: boolean
  note?: string
}

/**
 * A 指标性质 cell: `>=`, `＞＝`, `大于等于`, `不少于`, `以上` → ≥; `定性`/`定性指标` → 定性; `定量` → '' (quantitative);
 * `正向`/`反向指标` → '' with the direction; anything else is kept as typed (R-VALUE-COMPARATOR reports it).
 */
export function normaliseComparatorCell(text: string): ComparatorCell {
  const raw = text.trim()
  if (raw === '') return { comparator: '', unknown: false, changed: text !== '' }
  const sign = parseComparator(raw)
  if (['≥', '≤', '=', '>', '<', '定性'].includes(sign)) {
    const out: ComparatorCell = { comparator: sign, unknown: false, changed: sign !== raw }
    if (sign === '定性') out.valueKind = 'qualitative'
    if (out.changed) out.note = `指标性质“${raw}”记为“${sign}”`
    return out
  }
  const word = normaliseComparator(raw)
  if (word) {
    const out: ComparatorCell = { comparator: word, unknown: false, changed: word !== raw, note: `指标性质“${raw}”记为“${word}”` }
    if (word === '定性') out.valueKind = 'qualitative'
    return out
  }
  const t = toHalfWidth(raw).replace(/\s+/g, '')
  if (/^定量(指标)?$/.test(t)) return { comparator: '', valueKind: 'quantitative', unknown: false, changed: true, note: `指标性质“${raw}”表示定量指标，比较符留空` }
  const direction = parseDirection(t)
  if (direction) {
    return { comparator: '', direction, unknown: false, changed: true, note: `指标性质“${raw}”是指标方向，记入指标方向性，比较符留空` }
  }
  return { comparator: raw, unknown: true, changed: false }
}

export interface UnitCell { unit: string; changed: boolean; note?: string }

/** A 度量单位 cell: trimmed, full-width ％ folded, enclosing brackets dropped (`（%）` → %); words kept. */
export function normaliseUnitCell(text: string): UnitCell {
  const raw = text.trim()
  let unit = raw.replace(/％/g, '%').replace(/\s+/g, '')
  const m = /^[(（](.+)[)）]$/.exec(unit)
  if (m) unit = m[1]!
  if (unit === '百分比' || unit === '百分率') unit = '%'
  if (unit === '/' || unit === '无' || unit === '—' || unit === '-') unit = ''
  const changed = unit !== text
  return changed && unit !== raw ? { unit, changed, note: `度量单位“${raw}”记为“${unit}”` } : { unit, changed }
}

export interface SeparateValue {
  comparator: string
  target: string
  unit: string
  valueKind?: 'quantitative' | 'qualitative'
  direction?: 'positive' | 'negative'
  /** one entry per field that changed */
  /** one entry per field that changed; `cell` is the cell the new value was read from */
  changes: { field: 'comparator' | 'target' | 'unit'; cell: 'comparator' | 'target' | 'unit'; from: string; to: string; note: string }[]
  /** the 指标性质 cell held unknown text (kept as typed) */
  unknownComparator: boolean
}

/**
 * The three cells of a 指标性质 | 指标值 | 度量单位 layout. Kept as they are, except: the 指标性质 word
 * normalised; a 指标值 that carries its own comparator or unit while the separate cells are empty is split
 * (`≥95%` beside empty cells → ≥/95/%); a unit repeated in the 指标值 (`95%` beside `%`) is dropped.
 */
export function normaliseSeparateValue(cells: { comparator: string; target: string; unit: string }, opts: SplitOptions = {}): SeparateValue {
  const c = normaliseComparatorCell(cells.comparator)
  const u = normaliseUnitCell(cells.unit)
  const changes: SeparateValue['changes'] = []
  if (c.changed && c.note) changes.push({ field: 'comparator', cell: 'comparator', from: cells.comparator.trim(), to: c.comparator, note: c.note })
  if (u.changed && u.note) changes.push({ field: 'unit', cell: 'unit', from: cells.unit.trim(), to: u.unit, note: u.note })
  let comparator = c.comparator
  let unit = u.unit
  let target = cells.target.trim()
  const rawTarget = target
  if (target !== '' && comparator !== '定性') {
    const s = splitIndicatorValue(target, opts)
    if ((s.shape === 'number' || s.shape === 'placeholder' || s.shape === 'date') && s.target !== target) {
      // “=” is implied by the legacy parser for a bare number; here only a sign or word typed in the text counts
      const folded = toHalfWidth(target)
      const explicit = s.comparator !== '' && !(s.comparator === '=' && /^[\d*xX×]/.test(folded))
      const comparatorFits = !explicit || comparator === '' || comparator === s.comparator
      const unitFits = s.unit === '' || unit === '' || unit === s.unit
      if (comparatorFits && unitFits) {
        if (explicit && comparator === '') {
          changes.push({ field: 'comparator', cell: 'target', from: cells.comparator.trim(), to: s.comparator, note: `比较符取自指标值“${rawTarget}”` })
          comparator = s.comparator
        }
        if (s.unit !== '' && unit === '') {
          changes.push({ field: 'unit', cell: 'target', from: cells.unit.trim(), to: s.unit, note: `度量单位取自指标值“${rawTarget}”` })
          unit = s.unit
        }
        target = s.target
        changes.push({ field: 'target', cell: 'target', from: rawTarget, to: target, note: `指标值“${rawTarget}”只保留“${target}”` })
      }
    }
  }
  const out: SeparateValue = { comparator, target, unit, changes, unknownComparator: c.unknown }
  if (c.valueKind) out.valueKind = c.valueKind
  if (c.direction) out.direction = c.direction
  return out
}

// ---- 指标方向性 ------------------------------------------------------------------------

export interface DirectionCell { direction: 'positive' | 'negative' | undefined; known: boolean; changed: boolean; note?: string }

/** `正向指标`/`正向`/`正` → positive, `反向…`/`负向` → negative, '' → undefined; other text: known false (the caller keeps it unplaced). */
export function normaliseDirectionCell(text: string): DirectionCell {
  const raw = inputText(text).trim()
  const d = parseDirection(raw)
  if (d === undefined) return { direction: undefined, known: true, changed: false }
  if (d === null) return { direction: undefined, known: false, changed: false }
  const canonical = d === 'positive' ? '正向指标' : '反向指标'
  return raw === canonical ? { direction: d, known: true, changed: false } : { direction: d, known: true, changed: true, note: `指标方向性“${raw}”记为“${canonical}”` }
}
