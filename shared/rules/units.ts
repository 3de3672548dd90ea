// Unit classification (度量单位): money, money rates such as 元/人·年 (the part after · is ignored), percent, date,
// time, counts and measures, with 万/亿 prefixes decomposed so 150 万平方米 and 9 元/平方米 can be multiplied.
import { toHalfWidth } from './text.ts'

export type UnitKind =
  | 'empty' | 'percent' | 'ratio' | 'date' | 'money' | 'moneyRate' | 'time' | 'count' | 'measure' | 'other' | 'unknown'

export interface UnitInfo {
  kind: UnitKind
  /** in the unit list, composed of listed units, or a configured local unit */
  recognised: boolean
  /** the unit without 万/亿 prefix, `·…` suffix or “（套）” alternative, e.g. 平方米 for 万平方米 */
  base: string
  /** multiplier of the prefix: 10000 for 万人 */
  scale: number
  /** money and money rates: 元 per unit of the numerator (元 = 1, 万元 = 10000) */
  yuan?: bigint
  /** money rates: the denominator's base unit (人 for 元/人·年) and its prefix multiplier */
  per?: string
  perScale?: number
}

export interface UnitLists {
  count: readonly string[]
  measure: readonly string[]
  money: readonly string[]
  ratio: readonly string[]
  time: readonly string[]
  other: readonly string[]
  extra: readonly string[]
}

export interface UnitTable {
  kinds: Map<string, UnitKind>
  /** only the full-amount money units, 元 per unit */
  money: Map<string, bigint>
  /** classifications already made; units repeat across rows and tables */
  cache: Map<string, UnitInfo>
}

const CACHE_LIMIT = 2000

const PLAIN_MONEY: [string, bigint][] = [['元', 1n], ['千元', 1000n], ['万元', 10000n], ['亿元', 100000000n]]
const PREFIX: Record<string, number> = { 万: 10000, 亿: 100000000 }
const ALTERNATIVE = /^(.+?)[(（](.+?)[)）]$/
const SUFFIX_CUT = /[·•・].*$/

export function compileUnits(lists: UnitLists): UnitTable {
  const kinds = new Map<string, UnitKind>()
  const add = (list: readonly string[], kind: UnitKind) => {
    for (const u of list) if (!kinds.has(u)) kinds.set(u, kind)
  }
  add(lists.count, 'count')
  add(lists.measure, 'measure')
  add(lists.time, 'time')
  add(lists.ratio, 'ratio')
  add(lists.other, 'other')
  add(lists.extra, 'count')
  // Money rates from the list (元/人 …) are recognised by composition below; only plain amounts are listed here.
  const money = new Map(PLAIN_MONEY)
  for (const u of lists.money) if (!u.includes('/') && !money.has(u)) money.set(u, 1n)
  return { kinds, money, cache: new Map() }
}

function simple(u: string, table: UnitTable, depth = 0): UnitInfo {
  const yuan = table.money.get(u)
  if (yuan !== undefined) return { kind: 'money', recognised: true, base: '元', scale: 1, yuan }
  const first = u[0]
  const prefix = first !== undefined ? PREFIX[first] : undefined
  if (prefix !== undefined && u.length > 1) {
    const rest = simple(u.slice(1), table, depth + 1)
    if (rest.recognised && rest.kind !== 'money') return { ...rest, scale: rest.scale * prefix }
  }
  const kind = table.kinds.get(u)
  if (kind) return { kind, recognised: true, base: u, scale: 1 }
  const alt = ALTERNATIVE.exec(u)
  if (alt && depth < 2) {
    const left = simple(alt[1]!, table, depth + 1)
    if (left.recognised) return left
  }
  // 个月, 个工作日: the classifier 个 before a time unit adds nothing.
  if (u.length > 1 && first === '个') {
    const rest = simple(u.slice(1), table, depth + 1)
    if (rest.recognised) return rest
  }
  // 家次, 户次: a count unit followed by 次 counts visits.
  if (u.length > 1 && u.endsWith('次') && table.kinds.get(u.slice(0, -1)) === 'count') {
    return { kind: 'count', recognised: true, base: u, scale: 1 }
  }
  return { kind: 'unknown', recognised: false, base: u, scale: 1 }
}

/** Classifies a 度量单位 as typed. The result is shared: do not modify it. */
export function classifyUnit(unit: string, table: UnitTable): UnitInfo {
  let info = table.cache.get(unit)
  if (info) return info
  info = Object.freeze(classify(unit, table))
  // WATCH OUT: units are user text; a bounded cache cannot be grown without limit by a hostile document.
  if (table.cache.size < CACHE_LIMIT) table.cache.set(unit, info)
  return info
}

function classify(unit: string, table: UnitTable): UnitInfo {
  const u = toHalfWidth(unit).replace(/\s+/g, '').replace(SUFFIX_CUT, '')
  if (u === '') return { kind: 'empty', recognised: false, base: '', scale: 1 }
  if (u === '%') return { kind: 'percent', recognised: true, base: '%', scale: 1 }
  if (u === '日期') return { kind: 'date', recognised: true, base: '日期', scale: 1 }
  const slash = u.indexOf('/')
  if (slash > 0 && slash < u.length - 1) {
    const num = simple(u.slice(0, slash), table)
    const den = simple(u.slice(slash + 1), table)
    if (num.kind === 'money') {
      return { kind: 'moneyRate', recognised: true, base: u, scale: 1, yuan: num.yuan, per: den.base, perScale: den.scale }
    }
    const listed = table.kinds.get(u)
    return { kind: listed ?? 'other', recognised: listed !== undefined || (num.recognised && den.recognised), base: u, scale: 1 }
  }
  return simple(u, table)
}
