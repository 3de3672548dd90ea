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
  /** usage and name rank folded into the low digits of a ranking key (search adds the score's digits) */
  private readonly staticKey: Float64Array
  /** which rows pass a filter, for the last few filters asked (search as you type repeats them) */
  private readonly filterMasks = new Map<string, Uint8Array>()
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
    this.staticKey = new Float64Array(entries.length)
    this.rows.forEach((r, i) => (this.staticKey[i] = Math.min(r.entry.usageCount, 99_999) * 1e6 + (999_999 - r.nameRank)))
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
  private pageStamp = new Uint32Array(0)
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
      this.pageStamp = new Uint32Array(n)
      this.sharedCount = new Uint8Array(n)
      this.touchedBuf = new Int32Array(n)
      this.keyBuf = new Float64Array(n)
    }
    return ++this.generation
  }

  /** 1 for each row the filter lets through (kept for the last FILTER_MASKS filters) */
  private filterMask(filter: SearchFilter): Uint8Array {
    const key = JSON.stringify([filter.level1, filter.level2, filter.functionalClass, filter.scope, filter.departmentId, filter.core])
    let mask = this.filterMasks.get(key)
    if (mask) {
      this.filterMasks.delete(key)
      this.filterMasks.set(key, mask)
      return mask
    }
    mask = new Uint8Array(this.rows.length)
    for (let i = 0; i < mask.length; i++) mask[i] = matchesFilter(this.rows[i]!.filter, filter) ? 1 : 0
    if (this.filterMasks.size >= FILTER_MASKS) this.filterMasks.delete(this.filterMasks.keys().next().value!)
    this.filterMasks.set(key, mask)
    return mask
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
    const mask = filtered ? this.filterMask(filter) : null
    const q = filter.q?.trim() ?? ''
    if (!q) {
      const from = page?.offset ?? 0
      const to = page ? from + page.limit : Infinity
      const hits: SearchHit[] = []
      let total = 0
      const order = this.browseOrder
      for (let k = 0; k < order.length; k++) {
        const i = order[k]!
        if (mask && mask[i] === 0) continue
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
    const reasonId = (reason: string): number => {
      let id = reasonIds.get(reason)
      if (id === undefined) {
        id = reasonTexts.length
        reasonIds.set(reason, id)
        reasonTexts.push(reason)
      }
      return id
    }
    const stamp = this.stamp
    const scoreOf = this.scoreOf
    /** row `i` matches with `score` for the reason numbered `rid` (reasonId) */
    const offerId = (i: number, score: number, rid: number) => {
      if (mask && mask[i] === 0) return
      if (stamp[i] !== gen) {
        stamp[i] = gen
        scoreOf[i] = score
        this.touchedBuf[touchedCount++] = i
      } else if (score > scoreOf[i]!) scoreOf[i] = score
      if (reasonCount === this.reasonRowBuf.length) this.growReasons()
      this.reasonRowBuf[reasonCount] = i
      this.reasonIdBuf[reasonCount] = rid
      this.reasonScoreBuf[reasonCount] = score
      reasonCount++
    }
    const offer = (i: number, score: number, reason: string) => offerId(i, score, reasonId(reason))
    const scoreNow = (i: number) => (this.stamp[i] === gen ? this.scoreOf[i]! : 0)
    const containing = new Map<string, readonly number[]>()
    const names = (w: string) => {
      let r = containing.get(w)
      if (!r) containing.set(w, (r = this.namesContaining(w)))
      return r
    }

    // 1. exact name, 2. name contains the whole query
    const exactReason = reasonId(`名称即${quote(q)}`)
    for (const i of this.byName.get(whole) ?? []) offerId(i, TIER.exact, exactReason)
    const wholeReason = reasonId(`名称含${quote(whole)}`)
    const wholeRows = names(whole)
    for (let k = 0; k < wholeRows.length; k++) {
      const i = wholeRows[k]!
      const extra = rows[i]!.name.length - whole.length
      if (extra > 0) offerId(i, TIER.name + 50 - Math.min(49, extra), wholeReason)
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
        const plainRows = names(w)
        for (let k = 0; k < plainRows.length; k++) {
          const i = plainRows[k]!
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
      const labels = new Map<number, number>()
      const label = (bits: number, partial: boolean): number => {
        const key = bits * 2 + (partial ? 1 : 0)
        let id = labels.get(key)
        if (id === undefined) {
          id = reasonId(`名称含${words.filter((_, b) => bits & (1 << b)).map(quote).join('')}${partial ? '（部分）' : ''}`)
          labels.set(key, id)
        }
        return id
      }
      // one-character words found no candidates of their own: they count when the name holds them
      const minorBits: number[] = []
      words.forEach((w, b) => {
        if (!significant.includes(w)) minorBits.push(b)
      })
      for (let c = 0; c < covered.length; c++) {
        const i = covered[c]!
        let plain = this.plainMask[i]!
        for (let k = 0; k < minorBits.length; k++) {
          const b = minorBits[k]!
          if (rows[i]!.name.includes(words[b]!)) plain |= 1 << b
        }
        const synonym = this.synonymMask[i]! & ~plain
        const bits = (plain | synonym) >>> 0
        if (bits === full >>> 0 && synonym === 0) offerId(i, TIER.name, label(plain, false))
        else if (bits === full >>> 0) for (const r of firstSynonym.get(i) ?? []) offer(i, TIER.synonym + 10 * (popcount(plain) / n), r)
        else if (plain) offerId(i, TIER.partial + 90 * (popcount(bits) / n), label(plain, true))
        else offer(i, TIER.partial + 90 * (popcount(bits) / n), `${firstSynonym.get(i)?.[0] ?? ''}（部分）`)
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
        const reason = reasonId(`${labelText}${quote(textWords[0]!)}`)
        const list = index.get(textWords[0]!) ?? []
        for (let k = 0; k < list.length; k++) offerId(list[k]!, TIER.text + weight, reason)
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
      // a candidate lacks at most one of the chunk's characters, so it holds one of any two of them: the
      // rows of the two rarest characters are every candidate; the others are then looked up in the name
      const lists = chars.map((ch) => (this.nameChars.get(ch) ?? []) as ArrayLike<number>).sort((a, b) => a.length - b.length)
      const shared = this.sharedCount
      const seen: number[] = []
      for (const list of lists.slice(0, 2)) {
        for (let k = 0; k < list.length; k++) {
          const i = list[k]!
          if (shared[i] === 0) {
            shared[i] = 1
            seen.push(i)
          }
        }
      }
      const reason = reasonId(`近似${quote(chunk)}（容错）`)
      for (let k = 0; k < seen.length; k++) {
        const i = seen[k]!
        shared[i] = 0
        if (mask && mask[i] === 0) continue
        if (scoreNow(i) >= TIER.synonym) continue
        const name = rows[i]!.name
        if (name.includes(chunk)) continue // no edit away: the name holds the chunk as typed
        let held = 0
        for (let c = 0; c < chars.length; c++) if (name.includes(chars[c]!)) held++
        if (held < need) continue
        if (substringDistance(chunk, name, 1) === 1) offerId(i, TIER.fuzzy + 50, reason)
      }
    }

    // rank: score, then usage, then name — one numeric key per row sorted natively (the name rank makes it unique)
    const keys = this.keyBuf.subarray(0, touchedCount)
    const staticKey = this.staticKey
    for (let k = 0; k < touchedCount; k++) {
      const i = this.touchedBuf[k]!
      keys[k] = -(Math.round(scoreOf[i]! * 10) * 1e11 + staticKey[i]!)
    }
    const from = page ? Math.min(page.offset, touchedCount) : 0
    const to = page ? Math.min(page.offset + page.limit, touchedCount) : touchedCount
    // only the first `to` keys in order: a bounded heap when the page is a small part of the matches
    const ranked = to * 8 < touchedCount ? smallest(keys, to) : keys.sort()
    const pageRows: number[] = []
    for (let k = from; k < to; k++) pageRows.push(this.rowByRank[999_999 - (-ranked[k]! % 1e6)]!)
    const wanted = new Map<number, [string, number][]>(pageRows.map((i) => [i, []]))
    // the page's rows stamped with this query's generation: one array test per reason, no map lookup
    const onPage = this.pageStamp
    for (const i of pageRows) onPage[i] = gen
    for (let k = 0; k < reasonCount; k++) {
      const row = this.reasonRowBuf[k]!
      if (onPage[row] !== gen) continue
      const list = wanted.get(row)
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

const FILTER_MASKS = 16

/** The `k` smallest values of `xs`, ascending (a max-heap of size k; `xs` is left as it was). */
function smallest(xs: Float64Array, k: number): Float64Array {
  const heap = new Float64Array(k)
  if (k === 0) return heap
  let size = 0
  const siftDown = () => {
    let at = 0
    const v = heap[0]!
    for (;;) {
      const l = at * 2 + 1
      if (l >= size) break
      const r = l + 1
      const c = r < size && heap[r]! > heap[l]! ? r : l
      if (heap[c]! <= v) break
      heap[at] = heap[c]!
      at = c
    }
    heap[at] = v
  }
  for (let n = 0; n < xs.length; n++) {
    const x = xs[n]!
    if (size < k) {
      let at = size++
      while (at > 0) {
        const parent = (at - 1) >> 1
        if (heap[parent]! >= x) break
        heap[at] = heap[parent]!
        at = parent
      }
      heap[at] = x
    } else if (x < heap[0]!) {
      heap[0] = x
      siftDown()
    }
  }
  return heap.sort()
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
