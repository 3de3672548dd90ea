// Candidate 共性指标 (mining): indicator rows of a year's approved tables clustered by near-identical 三级 names
// (培训人次 / 参训人次 / 培训人数), kept when a cluster spans several departments. Pure: rows in, clusters out.
//
// How names are compared — shared/library/match.ts is the one definition of "the same indicator":
//  1. every row's 三级 becomes its canonical name (synonyms applied, punctuation dropped); rows with the same
//     normalised 一级 and canonical name form one group. Nothing is ever merged across 一级 (产出 ≠ 满意度).
//  2. the distinct canonical names of each 一级 (far fewer than rows) are clustered greedily around heads: names
//     are taken most widely used first (departments, then rows); a name joins the head it is most similar to
//     when `isNearName(name, head)`, else it becomes a new head. Every member is therefore near its cluster's
//     head — chains (A~B, B~C, A≁C) never pull in a name that is not near the head itself.
//  3. candidate heads come from a bigram inverted index with prefix and length filters (the Dice threshold
//     bounds how many bigrams two near names must share and how different their lengths may be), so a name is
//     compared with the few heads that could be near it, never with all of them.
import { createHash } from 'node:crypto'
import { COMPARATORS, normaliseLevel1 } from '../../shared/model/index.ts'
import { NEAR_NAME_THRESHOLD, NO_SYNONYMS, canonicalName, nameSimilarity, type SynonymTable } from '../../shared/library/match.ts'
import type { CandidateCluster } from '../../shared/api/library-mining.ts'
import { splitIndicatorValue } from '../import/values.ts'

export interface MiningRow {
  level1: string
  level2: string
  level3: string
  comparator: string
  target: string
  unit: string
  departmentId: string
  tableId: string
}

export interface LibraryName {
  id: string
  level1: string
  level3: string
  scope: 'common' | 'specific'
}

export interface MiningOptions {
  synonyms?: SynonymTable
  /** keep clusters spanning at least this many departments (default 2; the GET narrows further) */
  minDepartments?: number
  departmentName?: (id: string) => string
  /** library entries for `libraryMatch` (omitted → null everywhere) */
  library?: readonly LibraryName[]
  /** how many typical values a cluster lists (default 5) */
  typicalValues?: number
}

/** a cluster as mining produces it; `libraryMatch` is filled by `matchLibrary` */
export type MinedCluster = CandidateCluster

// ---- name index: bigram postings with prefix and length filtering ------------------------------------

function bigramList(s: string): string[] {
  if (s.length < 2) return s ? [s] : []
  const out: string[] = []
  for (let i = 0; i + 1 < s.length; i++) out.push(s.slice(i, i + 2))
  return out
}

/**
 * The fewest bigrams a name of `n` bigrams shares with any name near it: Dice = 2s/(n+m) ≥ T and s ≤ m give
 * m ≥ n·T/(2−T), hence s ≥ T(n+m)/2 ≥ n·T/(2−T).
 */
const LENGTH_RATIO = NEAR_NAME_THRESHOLD / (2 - NEAR_NAME_THRESHOLD)
function minShared(n: number): number {
  return Math.max(1, Math.ceil(n * LENGTH_RATIO - 1e-9))
}

/**
 * Names (canonical keys) added over time; `candidates(key)` answers the ids of added names that may be near
 * `key`: those sharing one of its rarest bigrams (prefix filter: a near name shares at least minShared of its
 * bigrams, so it shares one of the n − minShared + 1 rarest) and of compatible length.
 */
export class NameIndex {
  private readonly postings = new Map<string, number[]>()
  private readonly keys: string[] = []
  private readonly grams: Set<string>[] = []
  private readonly lengths: number[] = []
  /** the name has a repeated bigram (the distinct-count bound is then not exact) */
  private readonly repeats: boolean[] = []
  constructor(private readonly frequency: (bigram: string) => number = () => 0) {}

  add(key: string): number {
    const id = this.keys.length
    this.keys.push(key)
    const list = bigramList(key)
    const set = new Set(list)
    this.grams.push(set)
    this.lengths.push(list.length)
    this.repeats.push(set.size !== list.length)
    for (const g of set) {
      const ids = this.postings.get(g)
      if (ids) ids.push(id)
      else this.postings.set(g, [id])
    }
    return id
  }

  key(id: number): string {
    return this.keys[id]!
  }

  /**
   * Ids of added names that may be near `key` (a superset of those `nameSimilarity` calls near; the caller
   * decides with it). `seen`/`stamp`: scratch marks, one stamp per call, `seen.length` ≥ size.
   */
  candidates(key: string, seen: Uint32Array, stamp: number): number[] {
    const list = bigramList(key)
    const n = list.length
    const distinct = [...new Set(list)]
    const repeated = distinct.length !== n
    // repeated bigrams make the multiset bound loose: probe them all then
    const probe = repeated ? distinct.length : n - minShared(n) + 1
    distinct.sort((a, b) => this.frequency(a) - this.frequency(b))
    const lo = Math.ceil(n * LENGTH_RATIO - 1e-9)
    const hi = Math.floor(n / LENGTH_RATIO + 1e-9)
    const out: number[] = []
    for (let i = 0; i < Math.min(probe, distinct.length); i++) {
      const ids = this.postings.get(distinct[i]!)
      if (!ids) continue
      for (const id of ids) {
        if (seen[id] === stamp) continue
        seen[id] = stamp
        const m = this.lengths[id]!
        if (m < lo || m > hi) continue
        if (!repeated && !this.repeats[id]) {
          // without repeats the Dice's shared count is the distinct overlap: check the bound before the real test
          const grams = this.grams[id]!
          let shared = 0
          for (const g of distinct) if (grams.has(g)) shared++
          if (2 * shared < NEAR_NAME_THRESHOLD * (n + m) - 1e-9) continue
        }
        out.push(id)
      }
    }
    return out
  }

  get size(): number {
    return this.keys.length
  }
}

// ---- values -------------------------------------------------------------------------------------------

const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)$/

function normUnit(unit: string): string {
  return unit.normalize('NFKC').replace(/\s+/g, '')
}

/**
 * A target as a number with its unit (`95` + `%`; legacy `≥95%`, `不少于30场` — then with the comparator the text
 * carried), or null when it is not one.
 */
export function numericTarget(target: string, unit: string): { value: number; unit: string; comparator?: string } | null {
  const t = target.trim()
  if (t === '') return null
  if (PLAIN_NUMBER.test(t)) return { value: Number(t), unit: normUnit(unit) }
  const split = splitIndicatorValue(t)
  if (split.shape !== 'number' || !PLAIN_NUMBER.test(split.target)) return null
  return { value: Number(split.target), unit: normUnit(split.unit || unit), ...(split.comparator ? { comparator: split.comparator } : {}) }
}

function writtenValue(r: MiningRow): string {
  const target = r.target.trim()
  if (!target) return ''
  const comparator = r.comparator.trim() === '定性' || r.comparator.trim() === '=' ? '' : r.comparator.trim()
  return `${comparator}${target}${PLAIN_NUMBER.test(target) ? r.unit.trim() : ''}`
}

// ---- counting ----------------------------------------------------------------------------------------

class Counter {
  readonly counts = new Map<string, number>()
  add(k: string, n = 1): void {
    this.counts.set(k, (this.counts.get(k) ?? 0) + n)
  }
  merge(o: Counter): void {
    for (const [k, n] of o.counts) this.add(k, n)
  }
  /** most frequent first, ties by first seen */
  sorted(): [string, number][] {
    return [...this.counts].sort((a, b) => b[1] - a[1])
  }
  top(filter: (k: string) => boolean = () => true): string | undefined {
    let best: string | undefined
    let n = -1
    for (const [k, c] of this.counts) if (c > n && filter(k)) [best, n] = [k, c]
    return best
  }
}

/** one (一级, canonical name) group of rows */
interface Group {
  level1Key: string
  canonical: string
  rows: number
  variants: Counter
  level1: Counter
  level2: Counter
  comparators: Counter
  units: Counter
  values: Counter
  departments: Set<string>
  tables: Set<string>
  numbers: Map<string, number[]>
}

function newGroup(level1Key: string, canonical: string): Group {
  return {
    level1Key, canonical, rows: 0, variants: new Counter(), level1: new Counter(), level2: new Counter(), comparators: new Counter(),
    units: new Counter(), values: new Counter(), departments: new Set(), tables: new Set(), numbers: new Map(),
  }
}

function mergeInto(a: Group, b: Group): void {
  a.rows += b.rows
  a.variants.merge(b.variants)
  a.level1.merge(b.level1)
  a.level2.merge(b.level2)
  a.comparators.merge(b.comparators)
  a.units.merge(b.units)
  a.values.merge(b.values)
  for (const d of b.departments) a.departments.add(d)
  for (const t of b.tables) a.tables.add(t)
  for (const [u, list] of b.numbers) {
    const mine = a.numbers.get(u)
    if (mine) for (const v of list) mine.push(v)
    else a.numbers.set(u, [...list])
  }
}

const VALID_COMPARATORS = new Set<string>(COMPARATORS)

/** the stable key of a cluster: its 一级 and head name (short, URL-safe) */
export function clusterKey(level1Key: string, canonical: string): string {
  return createHash('sha1').update(`${level1Key}\u0001${canonical}`).digest('base64url').slice(0, 16)
}

/** the numeric range in the unit most values have, when at least 80 % of the numeric values share it */
function rangeOf(numbers: Map<string, number[]>): CandidateCluster['range'] {
  let total = 0
  let best: [string, number[]] | null = null
  for (const entry of numbers) {
    total += entry[1].length
    if (!best || entry[1].length > best[1].length) best = entry
  }
  if (!best || best[1].length < 0.8 * total) return null
  let min = Infinity
  let max = -Infinity
  for (const v of best[1]) {
    if (v < min) min = v
    if (v > max) max = v
  }
  return { min, max, unit: best[0] }
}

// ---- clustering --------------------------------------------------------------------------------------

export interface MiningStats {
  rows: number
  groups: number
  /** head–name similarity checks made (the blocking's work) */
  comparisons: number
}

/** Clusters indicator rows into candidate 共性指标, most departments first. */
export function mineCandidates(rows: Iterable<MiningRow>, options: MiningOptions = {}): { clusters: MinedCluster[]; stats: MiningStats; heads: Map<string, string> } {
  const synonyms = options.synonyms ?? NO_SYNONYMS
  const minDepartments = options.minDepartments ?? 2
  const deptName = options.departmentName ?? ((id: string) => id)
  const typicalN = options.typicalValues ?? 5

  // 1. rows → (一级, canonical) groups; canonical names computed once per distinct raw name
  const canonicalCache = new Map<string, string>()
  const groups = new Map<string, Group>()
  let rowCount = 0
  for (const r of rows) {
    const raw = r.level3.trim()
    if (!raw) continue
    let canonical = canonicalCache.get(raw)
    if (canonical === undefined) canonicalCache.set(raw, (canonical = canonicalName(raw, synonyms)))
    if (!canonical) continue
    rowCount++
    const l1 = normaliseLevel1(r.level1)
    const gk = `${l1}\u0001${canonical}`
    let g = groups.get(gk)
    if (!g) groups.set(gk, (g = newGroup(l1, canonical)))
    g.rows++
    g.variants.add(raw)
    g.level1.add(r.level1.trim())
    g.level2.add(r.level2.trim())
    const num = numericTarget(r.target, r.unit)
    // a legacy target (`≥95%`) brings its own comparator and unit
    g.comparators.add(r.comparator.trim() || num?.comparator || '')
    g.units.add(normUnit(r.unit) || num?.unit || '')
    const written = writtenValue(r)
    if (written) g.values.add(written)
    g.departments.add(r.departmentId)
    g.tables.add(r.tableId)
    if (num && Number.isFinite(num.value)) {
      const list = g.numbers.get(num.unit)
      if (list) list.push(num.value)
      else g.numbers.set(num.unit, [num.value])
    }
  }

  // 2. per 一级: names most widely used first; each joins the nearest head or becomes one
  const byLevel1 = new Map<string, Group[]>()
  for (const g of groups.values()) {
    const list = byLevel1.get(g.level1Key)
    if (list) list.push(g)
    else byLevel1.set(g.level1Key, [g])
  }
  let comparisons = 0
  const clusters: { head: Group; all: Group }[] = []
  for (const list of byLevel1.values()) {
    list.sort((a, b) => b.departments.size - a.departments.size || b.rows - a.rows || (a.canonical < b.canonical ? -1 : 1))
    const freq = new Map<string, number>()
    for (const g of list) for (const b of new Set(bigramList(g.canonical))) freq.set(b, (freq.get(b) ?? 0) + 1)
    const index = new NameIndex((b) => freq.get(b) ?? 0)
    const members: { head: Group; all: Group }[] = []
    let seen = new Uint32Array(1024)
    let stamp = 0
    for (const g of list) {
      if (seen.length < index.size + 1) {
        const grown = new Uint32Array(Math.max(seen.length * 2, index.size + 1))
        grown.set(seen)
        seen = grown
      }
      stamp++
      let best = -1
      let bestScore = 0
      // names shorter than four characters are near only when equal — and equal names are one group already
      if (g.canonical.length >= 4) {
        for (const id of index.candidates(g.canonical, seen, stamp)) {
          comparisons++
          const s = nameSimilarity(g.canonical, index.key(id))
          if (s >= NEAR_NAME_THRESHOLD && s > bestScore) [best, bestScore] = [id, s]
        }
      }
      if (best >= 0) {
        mergeInto(members[best]!.all, g)
      } else {
        const all = newGroup(g.level1Key, g.canonical)
        mergeInto(all, g)
        members.push({ head: g, all })
        index.add(g.canonical)
      }
    }
    clusters.push(...members)
  }

  // 3. clusters spanning enough departments, summarised
  const out: MinedCluster[] = []
  const heads = new Map<string, string>()
  for (const { head, all } of clusters) {
    if (all.departments.size < minDepartments) continue
    const variants = all.variants.sorted().map(([level3, count]) => ({ level3, count }))
    const key = clusterKey(head.level1Key, head.canonical)
    heads.set(key, head.canonical)
    out.push({
      key,
      level3: variants[0]!.level3,
      level1: all.level1.top((k) => k !== '') ?? head.level1Key,
      level2: all.level2.top((k) => k !== '') ?? '',
      comparator: (all.comparators.top((k) => VALID_COMPARATORS.has(k)) ?? '≥') as CandidateCluster['comparator'],
      unit: all.units.top((k) => k !== '') ?? '',
      variants,
      departments: [...all.departments].map((id) => ({ id, name: deptName(id) })).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN')),
      tableCount: all.tables.size,
      range: rangeOf(all.numbers),
      typicalValues: all.values.sorted().slice(0, typicalN).map(([value, count]) => ({ value, count })),
      libraryMatch: null,
    })
  }
  out.sort((a, b) => b.departments.length - a.departments.length || b.tableCount - a.tableCount || (a.level3 < b.level3 ? -1 : a.level3 > b.level3 ? 1 : 0))
  if (options.library) matchLibrary(out, options.library, synonyms)
  return { clusters: out, stats: { rows: rowCount, groups: groups.size, comparisons }, heads }
}

/** Finds the library entry holding a cluster; built once per library state (see `libraryMatcher`). */
export type LibraryMatcher = (cluster: Pick<MinedCluster, 'level1' | 'level3' | 'variants'>) => CandidateCluster['libraryMatch']

/**
 * Sets each cluster's `libraryMatch`: a library entry of the same 一级 whose canonical name equals a variant's,
 * else one whose name is near the cluster's name (the most similar); entries of another 一级 count only on an
 * exact name. Mutates and answers `clusters`.
 */
export function matchLibrary(clusters: MinedCluster[], library: readonly LibraryName[], synonyms: SynonymTable = NO_SYNONYMS): MinedCluster[] {
  const match = libraryMatcher(library, synonyms)
  for (const cl of clusters) cl.libraryMatch = match(cl)
  return clusters
}

/** The library's names indexed for `matchLibrary`'s rule (exact canonical name, else near within the 一级). */
export function libraryMatcher(library: readonly LibraryName[], synonyms: SynonymTable = NO_SYNONYMS): LibraryMatcher {
  const exact = new Map<string, LibraryName[]>()
  const names: string[] = []
  const entriesOf: LibraryName[][] = []
  const freq = new Map<string, number>()
  for (const e of library) {
    const c = canonicalName(e.level3, synonyms)
    if (!c) continue
    const list = exact.get(c)
    if (list) list.push(e)
    else {
      exact.set(c, [e])
      names.push(c)
      for (const b of new Set(bigramList(c))) freq.set(b, (freq.get(b) ?? 0) + 1)
    }
  }
  const index = new NameIndex((b) => freq.get(b) ?? 0)
  for (const n of names) {
    index.add(n)
    entriesOf.push(exact.get(n)!)
  }
  const seen = new Uint32Array(Math.max(1, index.size))
  let stamp = 0
  const pick = (list: readonly LibraryName[], level1: string): LibraryName | undefined =>
    list.find((e) => normaliseLevel1(e.level1) === level1 && e.scope === 'common') ?? list.find((e) => normaliseLevel1(e.level1) === level1)
  return (cl) => {
    const level1 = normaliseLevel1(cl.level1)
    let found: LibraryName | undefined
    let exactOther: LibraryName | undefined
    for (const v of [cl.level3, ...cl.variants.map((x) => x.level3)]) {
      const list = exact.get(canonicalName(v, synonyms))
      if (!list) continue
      found = pick(list, level1)
      exactOther ??= list[0]
      if (found) break
    }
    if (!found) {
      const name = canonicalName(cl.level3, synonyms)
      let bestScore = 0
      if (name.length >= 4) {
        stamp++
        for (const id of index.candidates(name, seen, stamp)) {
          const s = nameSimilarity(name, index.key(id))
          if (s < NEAR_NAME_THRESHOLD || s <= bestScore) continue
          const e = pick(entriesOf[id]!, level1)
          if (e) [found, bestScore] = [e, s]
        }
      }
    }
    found ??= exactOther
    return found ? { id: found.id, level3: found.level3, scope: found.scope } : null
  }
}
