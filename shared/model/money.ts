// Exact money arithmetic. Amounts are held as typed (number or text); arithmetic converts them to
// integer micro-units (10^-6 of the money unit) as BigInt, so 0.1 + 0.2 never drifts.
import type { Amount } from './schema.ts'

const SCALE_DIGITS = 6
const SCALE = 10n ** BigInt(SCALE_DIGITS)

export type ParsedAmount =
  | { ok: true; micro: bigint; decimals: number }
  | { ok: false; reason: 'empty' | 'text' | 'negative' }

const PLAIN_NUMBER = /^[+-]?(\d+)(?:\.(\d+))?$/
const GROUPED_NUMBER = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/

/** Text of a finite JS number without exponent notation (shortest round-trip digits). */
export function numberToPlainString(n: number): string {
  if (!Number.isFinite(n)) return String(n)
  const s = String(n)
  if (!/e/i.test(s)) return s
  // WATCH OUT: String(1e21) is "1e+21"; toFixed keeps the exact short digits for the sizes we accept.
  return n.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 })
}

/**
 * Parses an amount cell. Accepts numbers, "1234.5", "1,234.5", and a trailing unit that equals the
 * table's money unit ("1234.5万元" in a 万元 table). Anything else is text and is reported, not coerced.
 */
export function parseAmount(value: Amount | undefined, moneyUnit = '万元'): ParsedAmount {
  if (value === null || value === undefined) return { ok: false, reason: 'empty' }
  let text = typeof value === 'number' ? numberToPlainString(value) : value.trim()
  if (text === '') return { ok: false, reason: 'empty' }
  if (typeof value === 'string') {
    if (moneyUnit && text.endsWith(moneyUnit)) text = text.slice(0, -moneyUnit.length).trim()
    if (GROUPED_NUMBER.test(text)) text = text.replace(/,/g, '')
  }
  const m = PLAIN_NUMBER.exec(text)
  if (!m) return { ok: false, reason: 'text' }
  const intPart = m[1]!
  const frac = m[2] ?? ''
  const negative = text.startsWith('-')
  const scaledFrac = (frac + '0'.repeat(SCALE_DIGITS)).slice(0, SCALE_DIGITS)
  // Digits beyond the 6th decimal are not representable exactly: treat as text-level defect.
  if (frac.length > SCALE_DIGITS && /[1-9]/.test(frac.slice(SCALE_DIGITS))) return { ok: false, reason: 'text' }
  const micro = BigInt(intPart) * SCALE + BigInt(scaledFrac)
  if (negative && micro !== 0n) return { ok: false, reason: 'negative' }
  return { ok: true, micro, decimals: frac.replace(/0+$/, '').length }
}

export function microToString(micro: bigint): string {
  const neg = micro < 0n
  const abs = neg ? -micro : micro
  const int = abs / SCALE
  const frac = (abs % SCALE).toString().padStart(SCALE_DIGITS, '0').replace(/0+$/, '')
  return (neg ? '-' : '') + int.toString() + (frac ? '.' + frac : '')
}

/** Formats micro-units with a fixed number of decimals (e.g. 2 for 万元 forms), rounding half up. */
export function formatMicro(micro: bigint, decimals = 2): string {
  const unit = 10n ** BigInt(SCALE_DIGITS - decimals)
  const rounded = ((micro + unit / 2n) / unit) * unit
  const s = microToString(rounded)
  const [i, f = ''] = s.split('.')
  return decimals > 0 ? `${i}.${f.padEnd(decimals, '0')}` : i!
}

export function toMicro(amountInUnits: string): bigint {
  const p = parseAmount(amountInUnits)
  if (!p.ok) throw new Error(`not an amount: ${amountInUnits}`)
  return p.micro
}

export const MICRO_PER_UNIT = SCALE
