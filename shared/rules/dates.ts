// Calendar dates as typed in target tables: 2024-10-31, 2024.10.31, 2024年10月底前, 10月底 (budget year implied),
// project periods (2024-01 … 2026-12) and date ranges that restate a period (2024.01–2024.12).

export interface SimpleDate {
  y: number
  m: number
  d: number
}

export interface ParsedDate {
  date: SimpleDate
  /** the text said “前/之前/以前” (a deadline): the comparator is ≤ */
  before: boolean
}

export function lastDayOfMonth(y: number, m: number): number {
  return m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31
}

/** Sortable number yyyymmdd. */
export function dateKey(d: SimpleDate): number {
  return d.y * 10000 + d.m * 100 + d.d
}

export function formatDate(d: SimpleDate): string {
  return `${d.y}-${String(d.m).padStart(2, '0')}-${String(d.d).padStart(2, '0')}`
}

const ISO = /^(\d{4})[-./](\d{1,2})(?:[-./](\d{1,2}))?$/
const CN = /^(\d{4})年(?:(\d{1,2})月(?:(\d{1,2})[日号])?)?(底|末|初|上旬|中旬|下旬)?$/
const CN_NO_YEAR = /^(\d{1,2})月(?:(\d{1,2})[日号])?(底|末|初|上旬|中旬|下旬)?$/
const TRAILING_WORDS = /(?:前完成|之前|以前|前|完成|截止|截至|止)$/

function build(y: number, m: number | undefined, d: number | undefined, part: string | undefined): SimpleDate | null {
  if (m === undefined) {
    // A bare year is a date only as “2024年底/年末”.
    if (part === '底' || part === '末') return { y, m: 12, d: 31 }
    return null
  }
  if (m < 1 || m > 12) return null
  const last = lastDayOfMonth(y, m)
  if (d !== undefined) return d >= 1 && d <= last ? { y, m, d } : null
  // A month without a day is read as its last day: deadlines are “by the end of”.
  const day = part === '初' || part === '上旬' ? 10 : part === '中旬' ? 20 : last
  return { y, m, d: day }
}

const num = (s: string | undefined) => (s === undefined ? undefined : Number(s))

/**
 * Parses one date. `defaultYear` supplies the year for “10月底前”. Returns null for anything else,
 * including a bare year (“2024年”), which is a period, not a deadline.
 */
export function parseDate(text: string, defaultYear?: number): ParsedDate | null {
  let s = text.trim().replace(/\s+/g, '')
  let before = false
  for (let i = 0; i < 3; i++) {
    const m = TRAILING_WORDS.exec(s)
    if (!m) break
    if (m[0].includes('前')) before = true
    s = s.slice(0, m.index)
  }
  if (s.length < 2) return null
  let date: SimpleDate | null = null
  let m = ISO.exec(s)
  if (m) date = build(Number(m[1]), num(m[2]), num(m[3]), undefined)
  else if ((m = CN.exec(s))) date = build(Number(m[1]), num(m[2]), num(m[3]), m[4])
  else if (defaultYear !== undefined && (m = CN_NO_YEAR.exec(s))) date = build(defaultYear, num(m[1]), num(m[2]), m[3])
  return date ? { date, before } : null
}

const RANGE_SEPARATORS = new Set(['~', '～', '至', '到', '—', '–', '-'])

/** “2024.01–2024.12”, “2024年1月至12月”: two dates joined by a dash or 至. */
export function parseDateRange(text: string): { from: SimpleDate; to: SimpleDate } | null {
  const s = text.trim().replace(/\s+/g, '')
  for (let i = 1; i < s.length - 1; i++) {
    if (!RANGE_SEPARATORS.has(s[i]!)) continue
    let j = i + 1
    while (j < s.length && RANGE_SEPARATORS.has(s[j]!)) j++
    const left = parseDate(s.slice(0, i)) ?? parseYearMonthAsDate(s.slice(0, i))
    if (!left) continue
    const right = parseDate(s.slice(j), left.date.y) ?? parseYearMonthAsDate(s.slice(j))
    if (right) return { from: left.date, to: right.date }
  }
  return null
}

function parseYearMonthAsDate(s: string): ParsedDate | null {
  const ym = parseYearMonth(s)
  return ym && ym.m !== undefined ? { date: { y: ym.y, m: ym.m, d: lastDayOfMonth(ym.y, ym.m) }, before: false } : null
}

const YM = /^(\d{4})(?:\s*(?:[-./年])\s*(\d{1,2})\s*月?)?\s*(?:年)?$/

/** A 项目期 bound: “2024-01”, “2024.1”, “2024年3月”, “2024”. */
export function parseYearMonth(text: string | undefined): { y: number; m?: number } | null {
  if (!text) return null
  const m = YM.exec(text.trim())
  if (!m) return null
  const y = Number(m[1])
  if (y < 1900 || y > 2200) return null
  if (m[2] === undefined) return { y }
  const month = Number(m[2])
  return month >= 1 && month <= 12 ? { y, m: month } : null
}
