// Near-identical indicator names (培训人次 / 参训人次 / 培训人数): one pure definition used wherever the
// product asks "is this the same indicator?" — linking an approved table's rows to library entries
// (learning), clustering candidate 共性指标 (mining) and scoring recommendations (the quality bench).
// Pure string work, no segmenter, so the browser can run it too.

/** letters, digits and CJK ideographs count; everything else is punctuation or space */
const NON_WORD = /[^\p{L}\p{N}]+/gu

/** NFKC, lower case, punctuation and spaces dropped: `“学生 满意度（%）”` → `学生满意度` */
export function nameKey(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(NON_WORD, '')
}

export interface SynonymTable {
  /** word → its group's first word; longest words first for replacement */
  readonly replacements: readonly (readonly [string, string])[]
}

/** Prepares synonym groups (as stored by the library: 满意度/满意率 …) for `canonicalName`. */
export function synonymTable(groups: readonly (readonly string[])[]): SynonymTable {
  const pairs: [string, string][] = []
  for (const g of groups) {
    const words = g.map(nameKey).filter(Boolean)
    const head = words[0]
    if (!head) continue
    for (const w of words.slice(1)) if (w !== head) pairs.push([w, head])
  }
  pairs.sort((a, b) => b[0].length - a[0].length)
  return { replacements: pairs }
}

export const NO_SYNONYMS: SynonymTable = { replacements: [] }

/** The name with every synonym replaced by its group's first word (longest first, left to right). */
export function canonicalName(name: string, synonyms: SynonymTable = NO_SYNONYMS): string {
  let s = nameKey(name)
  if (!s || synonyms.replacements.length === 0) return s
  for (const [word, head] of synonyms.replacements) if (s.includes(word)) s = s.split(word).join(head)
  return s
}

function bigrams(s: string): string[] {
  if (s.length < 2) return s ? [s] : []
  const out: string[] = []
  for (let i = 0; i + 1 < s.length; i++) out.push(s.slice(i, i + 2))
  return out
}

/** Dice coefficient of the two keys' character bigrams (multiset), 0…1. */
export function bigramDice(a: string, b: string): number {
  if (a === b) return a ? 1 : 0
  const x = bigrams(a)
  const y = bigrams(b)
  if (!x.length || !y.length) return 0
  const counts = new Map<string, number>()
  for (const g of x) counts.set(g, (counts.get(g) ?? 0) + 1)
  let shared = 0
  for (const g of y) {
    const n = counts.get(g) ?? 0
    if (n > 0) {
      shared++
      counts.set(g, n - 1)
    }
  }
  return (2 * shared) / (x.length + y.length)
}

/** similarity at or above which two names of four or more characters are the same indicator */
export const NEAR_NAME_THRESHOLD = 0.6

/**
 * How alike two indicator names are, 0…1, after synonyms: 1 for the same canonical name; the bigram Dice
 * otherwise. Names shorter than four characters count only when equal (数量 is not 质量).
 */
export function nameSimilarity(a: string, b: string, synonyms: SynonymTable = NO_SYNONYMS): number {
  return canonicalSimilarity(canonicalName(a, synonyms), canonicalName(b, synonyms))
}

/** nameSimilarity of two names already canonical (canonicalName): for comparing one name with many. */
export function canonicalSimilarity(x: string, y: string): number {
  if (!x || !y) return 0
  if (x === y) return 1
  if (x.length < 4 || y.length < 4) return 0
  return bigramDice(x, y)
}

/** The same indicator under a near-identical name (培训人次 ~ 参训人次 ~ 培训人数; 学生满意度 ≁ 家长满意度). */
export function isNearName(a: string, b: string, synonyms: SynonymTable = NO_SYNONYMS): boolean {
  return nameSimilarity(a, b, synonyms) >= NEAR_NAME_THRESHOLD
}
