// Text helpers shared by the value parser and the rules: width folding, name keys for duplicate detection,
// placeholder and vague-wording detection. Pure functions; regexes compiled once at module load.

const NEEDS_FOLDING = /[\uff01-\uff5e\u3000≧≦]/
const FULL_WIDTH_ALL = /[\uff01-\uff5e\u3000]/g
const THOUSANDS = /(\d),(\d{3})(?!\d)/g

/** Folds full-width ASCII (＞＝９５％) to half-width and ≧/≦ to ≥/≤; keeps CJK punctuation such as “…” and “、”. */
export function toHalfWidth(s: string): string {
  if (!NEEDS_FOLDING.test(s)) return s
  return s
    .replace(FULL_WIDTH_ALL, (ch) => (ch === '\u3000' ? ' ' : String.fromCharCode(ch.charCodeAt(0) - 0xfee0)))
    .replace(/≧/g, '≥')
    .replace(/≦/g, '≤')
}

/** Removes thousands separators typed as ASCII commas (1,500 → 1500); a full-width “，” stays a list separator. */
export function dropThousandsSeparators(s: string): string {
  return s.includes(',') ? s.replace(THOUSANDS, '$1$2') : s
}

const NUMBERING_PREFIX = /^(?:指标)?\s*\d{1,3}\s*[:：.、)）]\s*/
/** Characters a name key leaves out (after width folding): spaces, quotes, brackets, separators. */
const NAME_SKIP = new Set([...' \t\r\n\u3000"\'“”‘’()[]【】《》<>〈〉、,.。:;!?-—–_·•/\\|~'].map((c) => c.charCodeAt(0)))

/** Key under which two 三级 names count as the same indicator: width-folded, no spaces, punctuation or “指标1：”. */
export function normaliseName(name: string): string {
  // One pass over the characters: this runs for every row of every validation.
  let s = name.trim()
  const first = s.charCodeAt(0)
  if (s.startsWith('指标') || (first >= 48 && first <= 57) || (first >= 0xff10 && first <= 0xff19)) s = toHalfWidth(s).replace(NUMBERING_PREFIX, '')
  let out = ''
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i)
    if (c >= 0xff01 && c <= 0xff5e) c -= 0xfee0
    if (NAME_SKIP.has(c)) continue
    if (c >= 65 && c <= 90) c += 32
    out += String.fromCharCode(c)
  }
  return out
}

const NEAR_SUFFIX = /(?:指标)?[率数量]+$/

/** Key for near duplicates: the name key without a trailing 率/数/量 (rules.md R-DUPLICATE-INDICATOR). */
export function nearNameKey(name: string): string {
  return nearKeyOf(normaliseName(name))
}

/** nearNameKey from an already normalised key. */
export function nearKeyOf(key: string): string {
  const stripped = key.replace(NEAR_SUFFIX, '')
  return stripped.length >= 2 ? stripped : key
}

const matchers = new WeakMap<readonly string[], RegExp | null>()
const REGEX_SPECIAL = /[.*+?^${}()|[\]\\]/g

/**
 * One regex for a word list, built once per list object (config lists are frozen, so this is once per
 * configuration). An alternation is an order of magnitude faster than a loop of `includes`.
 */
export function matcherFor(list: readonly string[]): RegExp | null {
  let m = matchers.get(list)
  if (m !== undefined) return m
  const terms = [...new Set(list.filter((s) => s !== ''))].sort((a, b) => b.length - a.length)
  m = terms.length ? new RegExp(terms.map((t) => t.replace(REGEX_SPECIAL, '\\$&')).join('|')) : null
  matchers.set(list, m)
  return m
}

/** The leftmost term of the list found in the text (longest at that position), or undefined. */
export function includesAny(text: string, list: readonly string[]): string | undefined {
  const m = matcherFor(list)
  const hit = m ? m.exec(text) : null
  return hit ? hit[0] : undefined
}

const SLASHES = new Set(['/', '／'])
const placeholderLists = new WeakMap<readonly string[], string[]>()

/** Placeholder left from a template (`**`, `XX`, `待定`, a lone `/` …), or undefined. */
export function findPlaceholder(text: string, placeholders: readonly string[]): string | undefined {
  const t = text.trim()
  if (t === '') return undefined
  // A slash is a placeholder only on its own: it is also the separator of rate units and “及时/准确”.
  if (SLASHES.has(t) && placeholders.some((p) => SLASHES.has(p))) return t
  let rest = placeholderLists.get(placeholders)
  if (!rest) {
    rest = placeholders.filter((p) => !SLASHES.has(p))
    placeholderLists.set(placeholders, rest)
  }
  return includesAny(t, rest)
}

const ARABIC_DIGIT = /[0-9\uff10-\uff19]/
const CHINESE_QUANTITY = /[一二两三四五六七八九十百千]+\s*(?:个百分点|百分点|个|倍|成|%|％|人|次|项|万|千|家|户|场|天|日|年)/

/** Whether text states a quantity: an Arabic digit, or a Chinese numeral followed by a measure (提高五个百分点). */
export function containsNumber(text: string): boolean {
  return ARABIC_DIGIT.test(text) || CHINESE_QUANTITY.test(text)
}

/** A vague term in a text that gives no number (rules.md R-VAGUE-WORDING), or undefined. */
export function findVagueTerm(text: string, terms: readonly string[]): string | undefined {
  if (text === '' || containsNumber(text)) return undefined
  return includesAny(text, terms)
}

/** A list of name endings, looked up by slicing the text once per distinct ending length. */
export interface SuffixSet {
  lengths: readonly number[]
  set: ReadonlySet<string>
}

export function suffixSet(list: readonly string[]): SuffixSet {
  const set = new Set(list.filter((s) => s !== ''))
  return { lengths: [...new Set([...set].map((s) => s.length))].sort((a, b) => b - a), set }
}

/** Longest ending of `text` found in the set, or undefined. */
export function matchSuffix(text: string, suffixes: SuffixSet): string | undefined {
  for (const n of suffixes.lengths) {
    if (n > text.length) continue
    const tail = text.slice(-n)
    if (suffixes.set.has(tail)) return tail
  }
  return undefined
}


const NUMBERING = /目标\s*[0-9一二三四五六七八九十]+\s*[:：、.]|[(（]\s*\d{1,2}\s*[)）]|(?:^|(?<=[。；;\n\s]))\d{1,2}[、.](?!\d)/g
const DATES = [
  /\d{4}\s*[-—–~至到]\s*\d{4}\s*年?/g,
  /\d{4}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?)?/g,
  /\d{1,2}\s*月\s*\d{1,2}\s*[日号]/g,
  /\d{1,2}\s*月(?:底|末|初|份|前)/g,
  /\d{4}[-./]\d{1,2}(?:[-./]\d{1,2})?/g,
]

/** Goal text without list numbering (目标1：) and dates, which are not promises of quantity. */
export function stripNonQuantities(goal: string): string {
  let s = toHalfWidth(dropThousandsSeparators(goal)).replace(NUMBERING, ' ')
  for (const re of DATES) s = s.replace(re, ' ')
  return s
}
