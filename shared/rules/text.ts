// Text helpers shared by the value parser and the rules: width folding, name keys for duplicate detection,
// placeholder and vague-wording detection. Pure functions; regexes compiled once at module load.

const FULL_WIDTH = /[\uff01-\uff5e\u3000]/
const FULL_WIDTH_ALL = /[\uff01-\uff5e\u3000]/g
const THOUSANDS = /(\d),(\d{3})(?!\d)/g

/** Folds full-width ASCII (＞＝９５％) to half-width and ≧/≦ to ≥/≤; keeps CJK punctuation such as “…” and “、”. */
export function toHalfWidth(s: string): string {
  let out = s
  if (FULL_WIDTH.test(out)) {
    out = out.replace(FULL_WIDTH_ALL, (ch) => (ch === '\u3000' ? ' ' : String.fromCharCode(ch.charCodeAt(0) - 0xfee0)))
  }
  if (out.includes('≧') || out.includes('≦')) out = out.replace(/≧/g, '≥').replace(/≦/g, '≤')
  return out
}

/** Removes thousands separators typed as ASCII commas (1,500 → 1500); a full-width “，” stays a list separator. */
export function dropThousandsSeparators(s: string): string {
  return s.includes(',') ? s.replace(THOUSANDS, '$1$2') : s
}

const NUMBERING_PREFIX = /^(?:指标)?\s*\d{1,3}\s*[:：.、)）]\s*/
const NAME_PUNCT = /[\s"'“”‘’()（）[\]【】《》<>〈〉、,，.。:：;；!！?？\-—–_·•/\\|~～]/g

/** Key under which two 三级 names count as the same indicator: width-folded, no spaces, punctuation or “指标1：”. */
export function normaliseName(name: string): string {
  return toHalfWidth(name).trim().replace(NUMBERING_PREFIX, '').replace(NAME_PUNCT, '').toLowerCase()
}

const NEAR_SUFFIX = /(?:指标)?[率数量]+$/

/** Key for near duplicates: the name key without a trailing 率/数/量 (rules.md R-DUPLICATE-INDICATOR). */
export function nearNameKey(name: string): string {
  const key = normaliseName(name)
  const stripped = key.replace(NEAR_SUFFIX, '')
  return stripped.length >= 2 ? stripped : key
}

/** Placeholder left from a template (`**`, `XX`, `待定`, a lone `/` …), or undefined. */
export function findPlaceholder(text: string, placeholders: readonly string[]): string | undefined {
  const t = text.trim()
  if (t === '') return undefined
  for (const p of placeholders) {
    // A slash is a placeholder only on its own: it is also the separator of rate units and “及时/准确”.
    if (p === '/' || p === '／') {
      if (t === '/' || t === '／') return p
    } else if (t.includes(p)) {
      return p
    }
  }
  return undefined
}

const ARABIC_DIGIT = /[0-9\uff10-\uff19]/
const CHINESE_QUANTITY = /[一二两三四五六七八九十百千]+\s*(?:个百分点|百分点|个|倍|成|%|％|人|次|项|万|千|家|户|场|天|日|年)/

/** Whether text states a quantity: an Arabic digit, or a Chinese numeral followed by a measure (提高五个百分点). */
export function containsNumber(text: string): boolean {
  return ARABIC_DIGIT.test(text) || CHINESE_QUANTITY.test(text)
}

/** The first vague term in a text that gives no number (rules.md R-VAGUE-WORDING), or undefined. */
export function findVagueTerm(text: string, terms: readonly string[]): string | undefined {
  if (text === '' || containsNumber(text)) return undefined
  for (const t of terms) if (text.includes(t)) return t
  return undefined
}

/** Longest suffix from a list that the text ends with. `lists` must be sorted longest first. */
export function endsWithAny(text: string, sortedLongestFirst: readonly string[]): string | undefined {
  for (const s of sortedLongestFirst) if (text.endsWith(s)) return s
  return undefined
}

export function includesAny(text: string, list: readonly string[]): string | undefined {
  for (const s of list) if (s !== '' && text.includes(s)) return s
  return undefined
}

export function longestFirst(list: readonly string[]): string[] {
  return [...new Set(list)].sort((a, b) => b.length - a.length)
}

/** Cuts a value for a message. */
export function clip(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max)}…` : text
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
