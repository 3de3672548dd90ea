// Search over the indicator library (指标库), in memory: the library is at most ~100 000 entries, so an
// index rebuilt on change answers a query in a few milliseconds with no database round trip per term.
//
// What matches, best first (each hit names why, in Chinese):
//   1. the 三级指标 name equals the query                          名称即“…”
//   2. the name contains the whole query, or every query word       名称含“…”
//   3. every word is in the name once synonyms are applied         同义词 满意率→满意度
//   4. pinyin initials, or full pinyin from 4 letters, of the name  拼音首字母 myd / 全拼 manyidu
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
  /** the matching entries, ranked (only the requested page when one is given) */
  hits: SearchHit[]
  /** how many entries match */
  total: number
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
  if (distanceBuffers[0].length <= m) distanceBuffers = [new Int32Array(m + 1), new Int32Array(m + 1)]
  let [prev, cur] = distanceBuffers
  for (let i = 0; i <= m; i++) prev[i] = i
  let best = prev[m]!
  for (let j = 1; j <= t.length; j++) {
    cur[0] = 0
    const tc = t.charCodeAt(j - 1)
    for (let i = 1; i <= m; i++) {
      const cost = p.charCodeAt(i - 1) === tc ? 0 : 1
      cur[i] = Math.min(prev[i - 1]! + cost, prev[i]! + 1, cur[i - 1]! + 1)
    }
    if (cur[m]! < best) best = cur[m]!
    const swap = prev
    prev = cur
    cur = swap
  }
  return best <= max ? best : max + 1
}
let distanceBuffers: [Int32Array, Int32Array] = [new Int32Array(32), new Int32Array(32)]

export interface Synonyms {
  groups: readonly (readonly string[])[]
}

interface Row {
  entry: SearchableEntry
  filter: FilterFields
  name: string
  initials: string
  full: string
  nameRank: number
  level1Rank: number
}

/** the fields filters read, copied at build into objects of one shape (fast to read 100 000 times) */
interface FilterFields {
  level1: string
  level2: string
  scope: string
  core: boolean
  departmentId: string | null
  classes: readonly string[]
}

function matchesFilter(e: FilterFields, f: SearchFilter): boolean {
  if (f.level1 && e.level1 !== f.level1) return false
  if (f.level2 && e.level2 !== f.level2) return false
  if (f.scope && e.scope !== f.scope) return false
  if (f.core !== undefined && e.core !== f.core) return false
  if (f.departmentId && e.departmentId !== null && e.departmentId !== f.departmentId) return false
  if (f.functionalClass) {
    const code = f.functionalClass
    const classes = e.classes
    let any = false
    for (let k = 0; k < classes.length && !any; k++) {
      const fc = classes[k]!
      any = fc === '*' || code.startsWith(fc) || fc.startsWith(code)
    }
    if (!any) return false
  }
  return true
}

function hasFilter(f: SearchFilter): boolean {
  return !!(f.level1 || f.level2 || f.scope || f.core !== undefined || f.departmentId || f.functionalClass)
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
  private readonly rowByRank: Int32Array
  private readonly browseOrder: Int32Array
  private readonly allInitials: string
  private readonly initialsStart: Int32Array
  private readonly allFull: string
  private readonly fullStart: Int32Array

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
      const py = derivedPinyin(entry.level3)
      const l1 = LEVEL1_ORDER.indexOf(entry.level1)
      return {
        entry,
        filter: {
          level1: entry.level1, level2: entry.level2, scope: entry.scope, core: entry.core,
          departmentId: entry.departmentId ?? null, classes: [...entry.functionalClasses],
        },
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
      for (const t of derivedTokens(r.entry.explanation)) push(this.explanationTokens, t, i)
      for (const t of derivedTokens(r.entry.formula)) push(this.formulaTokens, t, i)
    })
    // posting lists become typed arrays: one object each for the garbage collector instead of many numbers
    for (const map of [this.nameGrams, this.nameChars, this.explanationTokens, this.formulaTokens]) {
      for (const [k, list] of map) map.set(k, Int32Array.from(list) as unknown as number[])
    }
    if (entries.length > 999_999) throw new Error('library index: at most 999 999 entries')
    // without a query: 一级 in the forms' order, then 二级, then name
    this.browseOrder = Int32Array.from(this.rows.map((_, i) => i).sort((a, b) => {
      const x = this.rows[a]!
      const y = this.rows[b]!
      return x.level1Rank - y.level1Rank || cmp(x.entry.level1, y.entry.level1) || cmp(x.entry.level2, y.entry.level2) || x.nameRank - y.nameRank
    }))
    this.rowByRank = new Int32Array(entries.length)
    this.rows.forEach((r, i) => (this.rowByRank[r.nameRank] = i))
    // every row's initials and full pinyin in one string each ('|' between rows), searched with indexOf
    const initialsStart = new Int32Array(entries.length)
    const fullStart = new Int32Array(entries.length)
    const initials: string[] = []
    const full: string[] = []
    let initialsAt = 0
    let fullAt = 0
    this.rows.forEach((r, i) => {
      initialsStart[i] = initialsAt
      initials.push(r.initials)
      initialsAt += r.initials.length + 1
      fullStart[i] = fullAt
      full.push(r.full)
      fullAt += r.full.length + 1
    })
    this.allInitials = initials.join('|') + '|'
    this.allFull = full.join('|') + '|'
    this.initialsStart = initialsStart
    this.fullStart = fullStart
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

  // Per-query scratch space, reused (search is synchronous): typed arrays indexed by row, valid while
  // their stamp equals the current query's generation. Nothing per-query outlives the query.
  private generation = 0
  private stamp = new Uint32Array(0)
  private scoreOf = new Float64Array(0)
  private coverStamp = new Uint32Array(0)
  private plainMask = new Uint32Array(0)
  private synonymMask = new Uint32Array(0)
  private seenStamp = new Uint32Array(0)
  private seenGeneration = 0
  private filterStamp = new Uint32Array(0)
  private filterOk = new Uint8Array(0)
  private sharedCount = new Uint8Array(0)
  private touchedBuf = new Int32Array(0)
  private keyBuf = new Float64Array(0)
  private reasonRowBuf = new Int32Array(1024)
  private reasonIdBuf = new Int32Array(1024)
  private reasonScoreBuf = new Float64Array(1024)

  private growReasons(): void {
    const n = this.reasonRowBuf.length * 2
    const rows = new Int32Array(n)
    rows.set(this.reasonRowBuf)
    const ids = new Int32Array(n)
    ids.set(this.reasonIdBuf)
    const scores = new Float64Array(n)
    scores.set(this.reasonScoreBuf)
    this.reasonRowBuf = rows
    this.reasonIdBuf = ids
    this.reasonScoreBuf = scores
  }

  private scratch(): number {
    if (this.stamp.length !== this.rows.length) {
      const n = this.rows.length
      this.stamp = new Uint32Array(n)
      this.scoreOf = new Float64Array(n)
      this.coverStamp = new Uint32Array(n)
      this.plainMask = new Uint32Array(n)
      this.synonymMask = new Uint32Array(n)
      this.seenStamp = new Uint32Array(n)
      this.filterStamp = new Uint32Array(n)
      this.filterOk = new Uint8Array(n)
      this.sharedCount = new Uint8Array(n)
      this.touchedBuf = new Int32Array(n)
      this.keyBuf = new Float64Array(n)
    }
    return ++this.generation
  }

  /** rows whose initials (or full pinyin) contain `s`, with whether they start with it */
  private pinyinContaining(all: string, starts: Int32Array, s: string, visit: (row: number, atStart: boolean) => void): void {
    let from = 0
    let last = -1
    for (;;) {
      const at = all.indexOf(s, from)
      if (at < 0) return
      // the row whose text holds position `at` (binary search over the start offsets)
      let lo = 0
      let hi = starts.length - 1
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1
        if (starts[mid]! <= at) lo = mid
        else hi = mid - 1
      }
      if (lo !== last) visit(lo, starts[lo] === at)
      last = lo
      from = at + 1
    }
  }

  /**
   * Ranked matches of the filter. With `page`, `hits` holds only that slice (reasons are built for it
   * alone); `total` always counts every match.
   */
  search(filter: SearchFilter, page?: { offset: number; limit: number }): SearchResult {
    const gen = this.scratch()
    const filtered = hasFilter(filter)
    const rows = this.rows
    const filterStamp = this.filterStamp
    const filterOk = this.filterOk
    const allowed = (i: number): boolean => {
      if (!filtered) return true
      if (filterStamp[i] !== gen) {
        filterStamp[i] = gen
        filterOk[i] = matchesFilter(rows[i]!.filter, filter) ? 1 : 0
      }
      return filterOk[i] === 1
    }
    const q = filter.q?.trim() ?? ''
    if (!q) {
      const from = page?.offset ?? 0
      const to = page ? from + page.limit : Infinity
      const hits: SearchHit[] = []
      let total = 0
      const order = this.browseOrder
      for (let k = 0; k < order.length; k++) {
        const i = order[k]!
        if (filtered && !matchesFilter(rows[i]!.filter, filter)) continue
        if (total >= from && total < to) hits.push({ id: rows[i]!.entry.id, score: 0, matched: [] })
        total++
      }
      return { hits, total, terms: [] }
    }

    const whole = normalize(q)
    const words = queryWords(q).slice(0, 32)
    if (!whole || words.length === 0) return { hits: [], total: 0, terms: [] }
    // matched rows and their (reason, score) pairs go to reused typed buffers: no large array per query
    let touchedCount = 0
    let reasonCount = 0
    const reasonIds = new Map<string, number>()
    const reasonTexts: string[] = []
    const offer = (i: number, score: number, reason: string) => {
      if (!allowed(i)) return
      if (this.stamp[i] !== gen) {
        this.stamp[i] = gen
        this.scoreOf[i] = score
        this.touchedBuf[touchedCount++] = i
      } else if (score > this.scoreOf[i]!) this.scoreOf[i] = score
      let id = reasonIds.get(reason)
      if (id === undefined) {
        id = reasonTexts.length
        reasonIds.set(reason, id)
        reasonTexts.push(reason)
      }
      if (reasonCount === this.reasonRowBuf.length) this.growReasons()
      this.reasonRowBuf[reasonCount] = i
      this.reasonIdBuf[reasonCount] = id
      this.reasonScoreBuf[reasonCount] = score
      reasonCount++
    }
    const scoreNow = (i: number) => (this.stamp[i] === gen ? this.scoreOf[i]! : 0)
    const containing = new Map<string, readonly number[]>()
    const names = (w: string) => {
      let r = containing.get(w)
      if (!r) containing.set(w, (r = this.namesContaining(w)))
      return r
    }

    // 1. exact name, 2. name contains the whole query
    const exactReason = `名称即${quote(q)}`
    for (const i of this.byName.get(whole) ?? []) offer(i, TIER.exact, exactReason)
    const wholeReason = `名称含${quote(whole)}`
    for (const i of names(whole)) {
      const extra = this.rows[i]!.name.length - whole.length
      if (extra > 0) offer(i, TIER.name + 50 - Math.min(49, extra), wholeReason)
    }

    // 2/3/5. per word: in the name as typed, or through a synonym (a bit per word of the query)
    // one-character words (度, 率) find no candidates of their own unless alone, but count in the coverage
    const significant = words.filter((w) => w.length >= 2 || /[\p{N}a-z]/u.test(w) || words.length === 1)
    if (significant.length > 0) {
      const covered: number[] = []
      const firstSynonym = new Map<number, string[]>()
      const cover = (i: number) => {
        if (this.coverStamp[i] !== gen) {
          this.coverStamp[i] = gen
          this.plainMask[i] = 0
          this.synonymMask[i] = 0
          covered.push(i)
        }
      }
      words.forEach((w, bit) => {
        if (!significant.includes(w)) return
        const seenGen = ++this.seenGeneration
        for (const i of names(w)) {
          cover(i)
          this.plainMask[i]! |= 1 << bit
          this.seenStamp[i] = seenGen
        }
        // synonyms of the word, or of a synonym inside it (培训人数满意率 → 满意率)
        for (const [term, others] of this.synonymsOf) {
          if (!w.includes(term)) continue
          for (const o of others) {
            const reason = `同义词 ${term}→${o}`
            for (const i of names(w.replace(term, o))) {
              if (this.seenStamp[i] === seenGen) continue
              this.seenStamp[i] = seenGen
              cover(i)
              this.synonymMask[i]! |= 1 << bit
              const list = firstSynonym.get(i)
              if (list) list.push(reason)
              else firstSynonym.set(i, [reason])
            }
          }
        }
      })
      const n = words.length
      const full = n === 32 ? 0xffffffff : (1 << n) - 1
      const labels = new Map<number, string>()
      const label = (mask: number, partial: boolean) => {
        const key = mask * 2 + (partial ? 1 : 0)
        let s = labels.get(key)
        if (s === undefined) {
          s = `名称含${words.filter((_, b) => mask & (1 << b)).map(quote).join('')}${partial ? '（部分）' : ''}`
          labels.set(key, s)
        }
        return s
      }
      for (const i of covered) {
        let plain = this.plainMask[i]!
        words.forEach((w, b) => {
          if (!significant.includes(w) && this.rows[i]!.name.includes(w)) plain |= 1 << b
        })
        const synonym = this.synonymMask[i]! & ~plain
        const mask = (plain | synonym) >>> 0
        const count = popcount(mask)
        if (mask === full >>> 0 && synonym === 0) offer(i, TIER.name, label(plain, false))
        else if (mask === full >>> 0) for (const r of firstSynonym.get(i) ?? []) offer(i, TIER.synonym + 10 * (popcount(plain) / n), r)
        else offer(i, TIER.partial + 90 * (count / n), plain ? label(plain, true) : `${firstSynonym.get(i)?.[0] ?? ''}（部分）`)
      }
    }

    // 4. pinyin (a query of Latin letters only)
    if (/^[a-z]{2,}$/.test(whole)) {
      const initialsReason = `拼音首字母 ${whole}`
      this.pinyinContaining(this.allInitials, this.initialsStart, whole, (i, atStart) => offer(i, TIER.pinyin + (atStart ? 20 : 10), initialsReason))
      // full pinyin from four letters on (shorter strings are initials or prefixes of too many syllables)
      if (whole.length >= 4) {
        const fullReason = `全拼 ${whole}`
        this.pinyinContaining(this.allFull, this.fullStart, whole, (i, atStart) => {
          if (scoreNow(i) < TIER.pinyin) offer(i, TIER.pinyin + (atStart ? 5 : 0), fullReason)
        })
      }
    }

    // 6. explanation and formula: the query's words among their jieba tokens
    const textWords = significant.length ? significant : words
    for (const [index, labelText, weight] of [[this.explanationTokens, '解释含', 50], [this.formulaTokens, '计算方法含', 40]] as const) {
      if (textWords.length === 1) {
        const reason = `${labelText}${quote(textWords[0]!)}`
        for (const i of index.get(textWords[0]!) ?? []) offer(i, TIER.text + weight, reason)
        continue
      }
      const found = new Map<number, string[]>()
      for (const w of textWords) {
        for (const i of index.get(w) ?? []) {
          const list = found.get(i)
          if (list) list.push(w)
          else found.set(i, [w])
        }
      }
      for (const [i, ws] of found) offer(i, TIER.text + weight * (ws.length / textWords.length), `${labelText}${ws.map(quote).join('')}`)
    }

    // 7. typos: a chunk of ≥ 3 characters one edit from part of a name; candidates hold all but one of the
    // chunk's characters (one edit changes at most one); rows already matched as well as a synonym are skipped
    const chunks = q.normalize('NFKC').toLowerCase().split(NON_WORD).filter((c) => c.length >= 3 && c.length <= 30)
    for (const chunk of chunks.slice(0, 5)) {
      const chars = [...new Set(chunk)]
      const need = chars.length - 1
      if (need < 1) continue
      const shared = this.sharedCount
      const seen: number[] = []
      const candidates: number[] = []
      for (const ch of chars) {
        for (const i of this.nameChars.get(ch) ?? []) {
          if (shared[i] === 0) seen.push(i)
          if (++shared[i]! === need) candidates.push(i)
        }
      }
      for (const i of seen) shared[i] = 0
      const reason = `近似${quote(chunk)}（容错）`
      for (const i of candidates) {
        if (scoreNow(i) >= TIER.synonym) continue
        if (substringDistance(chunk, this.rows[i]!.name, 1) === 1) offer(i, TIER.fuzzy + 50, reason)
      }
    }

    // rank: score, then usage, then name — one numeric key per row sorted natively (the name rank makes it unique)
    const keys = this.keyBuf.subarray(0, touchedCount)
    for (let k = 0; k < touchedCount; k++) {
      const i = this.touchedBuf[k]!
      const r = this.rows[i]!
      keys[k] = -(Math.round(this.scoreOf[i]! * 10) * 1e11 + Math.min(r.entry.usageCount, 99_999) * 1e6 + (999_999 - r.nameRank))
    }
    keys.sort()
    const from = page ? Math.min(page.offset, touchedCount) : 0
    const to = page ? Math.min(page.offset + page.limit, touchedCount) : touchedCount
    const pageRows: number[] = []
    for (let k = from; k < to; k++) pageRows.push(this.rowByRank[999_999 - (-keys[k]! % 1e6)]!)
    const wanted = new Map<number, [string, number][]>(pageRows.map((i) => [i, []]))
    for (let k = 0; k < reasonCount; k++) {
      const list = wanted.get(this.reasonRowBuf[k]!)
      if (!list) continue
      const text = reasonTexts[this.reasonIdBuf[k]!]!
      const score = this.reasonScoreBuf[k]!
      const known = list.find((x) => x[0] === text)
      if (!known) list.push([text, score])
      else if (known[1] < score) known[1] = score
    }
    return {
      hits: pageRows.map((i) => ({
        id: this.rows[i]!.entry.id,
        score: Math.round(this.scoreOf[i]!),
        matched: wanted.get(i)!.sort((x, y) => y[1] - x[1]).slice(0, 4).map(([r]) => r),
      })),
      total: touchedCount,
      terms: words,
    }
  }
}

function popcount(x: number): number {
  let n = 0
  for (let v = x >>> 0; v; v &= v - 1) n++
  return n
}

// What an entry's texts give the index (jieba tokens, pinyin) is kept between rebuilds, so a rebuild after
// one change costs the postings, not the segmentation of 100 000 texts. Bounded: cleared when it outgrows.
const MAX_DERIVED = 600_000
const tokenCache = new Map<string, string[]>()
const pinyinCache = new Map<string, { initials: string; full: string }>()

function derivedTokens(text: string): string[] {
  let t = tokenCache.get(text)
  if (!t) {
    if (tokenCache.size >= MAX_DERIVED) tokenCache.clear()
    tokenCache.set(text, (t = tokens(text)))
  }
  return t
}

function derivedPinyin(name: string): { initials: string; full: string } {
  let p = pinyinCache.get(name)
  if (!p) {
    if (pinyinCache.size >= MAX_DERIVED) pinyinCache.clear()
    pinyinCache.set(name, (p = pinyinOf(name)))
  }
  return p
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
