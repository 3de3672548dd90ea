// Search over the indicator library (指标库), in memory: the library is at most ~100 000 entries, so an
// index rebuilt on change answers a query in a few milliseconds with no database round trip per term.
//
// What matches, best first (each hit names why, in Chinese):
//   1. the 三级指标 name equals the query                          名称即“…”
//   2. the name contains the whole query, or every query word       名称含“…”
//   3. every word is in the name once synonyms are applied         同义词 满意率→满意度
//   4. pinyin initials or full pinyin of the name (ASCII queries)  拼音首字母 myd / 全拼 manyidu
//   5. some of the words are in the name                            名称含“…”（部分）
//   6. the words are in 指标解释 or 计算方法 (jieba tokens)          解释含“…” / 计算方法含“…”
//   7. a query chunk of ≥ 3 characters is one edit away from part of the name   近似“…”（容错）
// then by usage (approved tables that used the entry), then by name.
//
// Words come from jieba (`@node-rs/jieba`, search mode) with every 三级/二级 name of the library loaded as a
// user-dictionary word, so domain terms (雾炮车) stay whole. Pinyin comes from `pinyin-pro`.
import { Jieba } from '@node-rs/jieba'
import { dict } from '@node-rs/jieba/dict.js'
import { pinyin } from 'pinyin-pro'

export interface SearchableEntry {
  id: string
  level1: string
  level2: string
  level3: string
  explanation: string
  formula: string
  scope: string
  functionalClasses: readonly string[]
  departmentId: string | null
  core: boolean
  usageCount: number
}

export interface SearchFilter {
  q?: string | undefined
  level1?: string | undefined
  level2?: string | undefined
  /** a 类/款/项 code: entries for every class (`*`), for a prefix of it or below it */
  functionalClass?: string | undefined
  scope?: string | undefined
  /** entries of no department plus this department's own */
  departmentId?: string | undefined
  core?: boolean | undefined
}

export interface SearchHit {
  id: string
  score: number
  matched: string[]
}

export interface SearchResult {
  /** every matching entry, ranked */
  hits: SearchHit[]
  /** the query's words after dropping punctuation */
  terms: string[]
}

export const TIER = { exact: 900, name: 800, synonym: 700, pinyin: 600, partial: 500, text: 400, fuzzy: 300 } as const

/** 一级指标 in the order of the forms (glossary); others after, by name. */
const LEVEL1_ORDER = ['产出指标', '效益指标', '成本指标', '满意度指标']

let sharedJieba: Jieba | null = null
const loadedWords = new Set<string>()

/** One jieba per process (loading the dictionary costs ~ 0.25 s); user words are added, never removed. */
function jieba(): Jieba {
  if (!sharedJieba) sharedJieba = Jieba.withDict(dict)
  return sharedJieba
}

function addUserWords(words: Iterable<string>): void {
  const fresh: string[] = []
  for (const w of words) {
    const t = w.trim()
    if (t.length >= 2 && t.length <= 30 && !/\s/.test(t) && !loadedWords.has(t)) {
      loadedWords.add(t)
      fresh.push(t)
    }
  }
  if (fresh.length) jieba().loadDict(Buffer.from(fresh.map((w) => `${w} 100000 n`).join('\n') + '\n'))
}

/** letters, digits and CJK ideographs count; everything else is punctuation or space */
const WORD_CHAR = /[\p{L}\p{N}]/u
const NON_WORD = /[^\p{L}\p{N}]+/gu

export function normalize(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(NON_WORD, '')
}

/** The query's words (jieba, precise mode), lower-cased, punctuation dropped, duplicates removed, in order. */
export function queryWords(q: string): string[] {
  const out: string[] = []
  for (const chunk of q.normalize('NFKC').toLowerCase().split(NON_WORD)) {
    if (!chunk) continue
    for (const w of jieba().cut(chunk, true)) if (WORD_CHAR.test(w) && !out.includes(w)) out.push(w)
  }
  return out
}

/** Search-mode tokens of a text (every dictionary word inside longer words too). */
export function tokens(text: string): string[] {
  if (!text) return []
  const out = new Set<string>()
  for (const chunk of text.normalize('NFKC').toLowerCase().split(NON_WORD)) {
    if (!chunk) continue
    for (const w of jieba().cutForSearch(chunk, true)) if (WORD_CHAR.test(w)) out.add(w)
  }
  return [...out]
}

export function pinyinOf(name: string): { initials: string; full: string } {
  const chars = name.normalize('NFKC').toLowerCase().replace(NON_WORD, '')
  if (!chars) return { initials: '', full: '' }
  const syllables = pinyin(chars, { toneType: 'none', type: 'array', nonZh: 'consecutive', v: true }) as string[]
  const initials = syllables.map((s) => s[0] ?? '').join('')
  return { initials, full: syllables.join('') }
}

/** Levenshtein distance of `p` to the closest substring of `t` (Sellers), stopping early above `max`. */
export function substringDistance(p: string, t: string, max = 1): number {
  const m = p.length
  let prev = new Array<number>(m + 1)
  let cur = new Array<number>(m + 1)
  for (let i = 0; i <= m; i++) prev[i] = i
  let best = prev[m]!
  for (let j = 1; j <= t.length; j++) {
    cur[0] = 0
    const tc = t[j - 1]
    for (let i = 1; i <= m; i++) {
      const cost = p[i - 1] === tc ? 0 : 1
      cur[i] = Math.min(prev[i - 1]! + cost, prev[i]! + 1, cur[i - 1]! + 1)
    }
    if (cur[m]! < best) best = cur[m]!
    const swap = prev
    prev = cur
    cur = swap
  }
  return best <= max ? best : max + 1
}

export interface Synonyms {
  groups: readonly (readonly string[])[]
}

interface Row {
  entry: SearchableEntry
  name: string
  initials: string
  full: string
  nameRank: number
  level1Rank: number
}

function matchesFilter(e: SearchableEntry, f: SearchFilter): boolean {
  if (f.level1 && e.level1 !== f.level1) return false
  if (f.level2 && e.level2 !== f.level2) return false
  if (f.scope && e.scope !== f.scope) return false
  if (f.core !== undefined && e.core !== f.core) return false
  if (f.departmentId && e.departmentId !== null && e.departmentId !== f.departmentId) return false
  if (f.functionalClass) {
    const code = f.functionalClass
    if (!e.functionalClasses.some((fc) => fc === '*' || code.startsWith(fc) || fc.startsWith(code))) return false
  }
  return true
}

function bigrams(s: string): string[] {
  if (s.length < 2) return s ? [s] : []
  const out: string[] = []
  for (let i = 0; i + 1 < s.length; i++) out.push(s.slice(i, i + 2))
  return out
}

const quote = (s: string) => `“${s}”`

/**
 * The index of one library snapshot. Build it once per change (`buildIndex`); `search` is synchronous.
 */
export class LibraryIndex {
  readonly size: number
  private readonly rows: Row[]
  private readonly byName = new Map<string, number[]>()
  /** name bigram (or single character for one-character names) → rows, ascending */
  private readonly nameGrams = new Map<string, number[]>()
  /** name character → rows (typo candidates, one-character words) */
  private readonly nameChars = new Map<string, number[]>()
  /** jieba search-mode token of 指标解释 / 计算方法 → rows */
  private readonly explanationTokens = new Map<string, number[]>()
  private readonly formulaTokens = new Map<string, number[]>()
  private readonly synonymsOf = new Map<string, string[]>()

  constructor(entries: readonly SearchableEntry[], synonyms: Synonyms) {
    addUserWords(entries.flatMap((e) => [e.level3, e.level2]))
    addUserWords(synonyms.groups.flat())
    for (const group of synonyms.groups) {
      const words = group.map((w) => normalize(w)).filter(Boolean)
      for (const w of words) {
        const others = words.filter((o) => o !== w)
        this.synonymsOf.set(w, [...new Set([...(this.synonymsOf.get(w) ?? []), ...others])])
      }
    }
    const collator = new Intl.Collator('zh-CN')
    const order = entries.map((_, i) => i).sort((a, b) => collator.compare(entries[a]!.level3, entries[b]!.level3))
    const nameRank = new Array<number>(entries.length)
    order.forEach((i, rank) => (nameRank[i] = rank))
    this.rows = entries.map((entry, i) => {
      const name = normalize(entry.level3)
      const py = pinyinOf(entry.level3)
      const l1 = LEVEL1_ORDER.indexOf(entry.level1)
      return {
        entry,
        name,
        initials: py.initials,
        full: py.full,
        nameRank: nameRank[i]!,
        level1Rank: l1 < 0 ? LEVEL1_ORDER.length : l1,
      }
    })
    this.rows.forEach((r, i) => {
      const list = this.byName.get(r.name)
      if (list) list.push(i)
      else this.byName.set(r.name, [i])
      for (const g of new Set(bigrams(r.name))) push(this.nameGrams, g, i)
      for (const ch of new Set(r.name)) push(this.nameChars, ch, i)
      for (const t of tokens(r.entry.explanation)) push(this.explanationTokens, t, i)
      for (const t of tokens(r.entry.formula)) push(this.formulaTokens, t, i)
    })
    this.size = entries.length
  }

  /** rows whose name contains `w` (via the rarest bigram, then checked) */
  private namesContaining(w: string): number[] {
    if (!w) return []
    if (w.length === 1) return this.nameChars.get(w) ?? []
    let rarest: number[] | undefined
    for (const g of bigrams(w)) {
      const p = this.nameGrams.get(g)
      if (!p) return []
      if (!rarest || p.length < rarest.length) rarest = p
    }
    return w.length === 2 ? rarest! : rarest!.filter((i) => this.rows[i]!.name.includes(w))
  }

  search(filter: SearchFilter): SearchResult {
    const allowed = (i: number) => matchesFilter(this.rows[i]!.entry, filter)
    const q = filter.q?.trim() ?? ''
    if (!q) {
      const hits: SearchHit[] = []
      const idx: number[] = []
      this.rows.forEach((_, i) => allowed(i) && idx.push(i))
      idx.sort((a, b) => {
        const x = this.rows[a]!
        const y = this.rows[b]!
        return x.level1Rank - y.level1Rank || cmp(x.entry.level1, y.entry.level1) || cmp(x.entry.level2, y.entry.level2) || x.nameRank - y.nameRank
      })
      for (const i of idx) hits.push({ id: this.rows[i]!.entry.id, score: 0, matched: [] })
      return { hits, terms: [] }
    }

    const whole = normalize(q)
    const words = queryWords(q)
    if (!whole || words.length === 0) return { hits: [], terms: [] }
    const best = new Map<number, { score: number; reasons: Map<string, number> }>()
    const offer = (i: number, score: number, reason: string) => {
      if (!allowed(i)) return
      const cur = best.get(i)
      if (!cur) best.set(i, { score, reasons: new Map([[reason, score]]) })
      else {
        if ((cur.reasons.get(reason) ?? -1) < score) cur.reasons.set(reason, score)
        if (score > cur.score) cur.score = score
      }
    }

    // 1. exact name, 2. name contains the whole query
    for (const i of this.byName.get(whole) ?? []) offer(i, TIER.exact, `名称即${quote(q.trim())}`)
    for (const i of this.namesContaining(whole)) if (this.rows[i]!.name !== whole) offer(i, TIER.name + 50 - Math.min(49, this.rows[i]!.name.length - whole.length), `名称含${quote(whole)}`)

    // 2/3/5. per word: in the name as typed, or through a synonym
    // one-character words (度, 率) find no candidates of their own unless alone, but count in the coverage
    const significant = words.filter((w) => w.length >= 2 || /[\p{N}a-z]/u.test(w) || words.length === 1)
    const minor = words.filter((w) => !significant.includes(w))
    if (significant.length > 0) {
      const coverage = new Map<number, { plain: string[]; viaSynonym: string[] }>()
      for (const w of significant) {
        const seen = new Set<number>()
        for (const i of this.namesContaining(w)) {
          seen.add(i)
          const c = coverage.get(i) ?? { plain: [], viaSynonym: [] }
          c.plain.push(w)
          coverage.set(i, c)
        }
        // synonyms of the word, or of a synonym inside it (培训人数满意率 → 满意率)
        for (const [term, others] of this.synonymsOf) {
          if (!w.includes(term)) continue
          for (const o of others) {
            const variant = w.replace(term, o)
            for (const i of this.namesContaining(variant)) {
              if (seen.has(i)) continue
              seen.add(i)
              const c = coverage.get(i) ?? { plain: [], viaSynonym: [] }
              c.viaSynonym.push(`同义词 ${term}→${o}`)
              coverage.set(i, c)
            }
          }
        }
      }
      const n = words.length
      for (const [i, c] of coverage) {
        for (const w of minor) if (this.rows[i]!.name.includes(w)) c.plain.push(w)
        const covered = c.plain.length + c.viaSynonym.length
        const share = covered / n
        if (covered === n && c.viaSynonym.length === 0) offer(i, TIER.name, `名称含${c.plain.map(quote).join('')}`)
        else if (covered === n) {
          offer(i, TIER.synonym + 10 * (c.plain.length / n), c.viaSynonym[0]!)
          for (const r of c.viaSynonym.slice(1)) offer(i, TIER.synonym, r)
        } else {
          const label = c.plain.length ? `名称含${c.plain.map(quote).join('')}（部分）` : `${c.viaSynonym[0]}（部分）`
          offer(i, TIER.partial + 90 * share, label)
        }
      }
    }

    // 4. pinyin (a query of Latin letters only)
    if (/^[a-z]{2,}$/.test(whole)) {
      this.rows.forEach((r, i) => {
        if (r.initials.startsWith(whole)) offer(i, TIER.pinyin + 20, `拼音首字母 ${whole}`)
        else if (r.initials.includes(whole)) offer(i, TIER.pinyin + 10, `拼音首字母 ${whole}`)
        else if (whole.length >= 3 && r.full.includes(whole)) offer(i, TIER.pinyin + (r.full.startsWith(whole) ? 5 : 0), `全拼 ${whole}`)
      })
    }

    // 6. explanation and formula: the query's words among their jieba tokens
    const textWords = significant.length ? significant : words
    for (const [index, label, weight] of [[this.explanationTokens, '解释含', 50], [this.formulaTokens, '计算方法含', 40]] as const) {
      const found = new Map<number, string[]>()
      for (const w of textWords) {
        for (const i of index.get(w) ?? []) {
          const list = found.get(i)
          if (list) list.push(w)
          else found.set(i, [w])
        }
      }
      for (const [i, ws] of found) offer(i, TIER.text + weight * (ws.length / textWords.length), `${label}${ws.map(quote).join('')}`)
    }

    // 7. typos: a chunk of ≥ 3 characters one edit from part of a name (candidates share a bigram)
    const chunks = q.normalize('NFKC').toLowerCase().split(NON_WORD).filter((c) => c.length >= 3 && c.length <= 30)
    // candidates hold all but one of the chunk's characters (one edit changes at most one)
    const shared = new Uint8Array(this.rows.length)
    for (const chunk of chunks.slice(0, 5)) {
      shared.fill(0)
      const chars = [...new Set(chunk)]
      const need = chars.length - 1
      const candidates: number[] = []
      for (const ch of chars) {
        for (const i of this.nameChars.get(ch) ?? []) {
          if (++shared[i]! === need) candidates.push(i)
        }
      }
      for (const i of candidates) {
        if ((best.get(i)?.score ?? 0) >= TIER.synonym) continue
        if (substringDistance(chunk, this.rows[i]!.name, 1) === 1) offer(i, TIER.fuzzy + 50, `近似${quote(chunk)}（容错）`)
      }
    }

    const ranked = [...best.entries()].sort(([a, x], [b, y]) => {
      if (y.score !== x.score) return y.score - x.score
      const ra = this.rows[a]!
      const rb = this.rows[b]!
      return rb.entry.usageCount - ra.entry.usageCount || ra.nameRank - rb.nameRank
    })
    return {
      hits: ranked.map(([i, m]) => ({
        id: this.rows[i]!.entry.id,
        score: Math.round(m.score),
        matched: [...m.reasons].sort((x, y) => y[1] - x[1]).slice(0, 4).map(([r]) => r),
      })),
      terms: words,
    }
  }
}

function push(map: Map<string, number[]>, key: string, i: number): void {
  const list = map.get(key)
  if (list) list.push(i)
  else map.set(key, [i])
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

export function buildIndex(entries: readonly SearchableEntry[], synonyms: Synonyms): LibraryIndex {
  return new LibraryIndex(entries, synonyms)
}
