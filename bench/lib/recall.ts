// The machinery of the recommendation quality figure (bench/recommend-quality.ts), pure and tested
// (test/library/recall.test.ts). "The same indicator" is a predicate passed in — the bench uses
// `isNearName` of shared/library/match.ts with the library's synonyms, the product's one definition.
//
// Definitions (k = 10 in the figure):
// - hidden: a table's annual 三级 names, near-duplicates merged (a table listing one indicator twice has it once);
// - matched@k: the size of a maximum one-to-one matching between the top k suggestions and the hidden indicators
//   (a hidden indicator counts at most once, and one suggestion can stand for at most one hidden indicator);
// - recall@k = matched@k / min(k, |hidden|): 1 means the k slots were as full of the table's own indicators as
//   its size allows (a table of 6 indicators is not penalised for the 4 slots it cannot fill);
// - oracle@k: the best any k library entries could do = min(k, maximum matching between the whole library and the
//   hidden indicators). Exact, not greedy: a maximum matching M gives |M| entries matching |M| distinct hidden
//   indicators (take any k of them when |M| > k), and no k entries can match more than min(k, |M|).

export type Same = (a: string, b: string) => boolean

/** The names with near-duplicates merged (the first of each group kept, in order). */
export function distinctNames(names: readonly string[], same: Same): string[] {
  const out: string[] = []
  for (const n of names) if (n.trim() && !out.some((o) => same(o, n))) out.push(n)
  return out
}

/** Size of a maximum one-to-one matching between `left` and `right` where `same` allows a pair (Kuhn's algorithm). */
export function maxMatching(left: readonly string[], right: readonly string[], same: Same): number {
  const edges = left.map((l) => right.flatMap((r, j) => (same(l, r) ? [j] : [])))
  const owner: number[] = right.map(() => -1)
  const tryAssign = (i: number, seen: boolean[]): boolean => {
    for (const j of edges[i]!) {
      if (seen[j]) continue
      seen[j] = true
      if (owner[j] === -1 || tryAssign(owner[j]!, seen)) {
        owner[j] = i
        return true
      }
    }
    return false
  }
  let n = 0
  for (let i = 0; i < left.length; i++) if (edges[i]!.length && tryAssign(i, right.map(() => false))) n++
  return n
}

export interface RecallAtK {
  matched: number
  /** min(k, |hidden|) */
  possible: number
  recall: number
}

/** recall@k of a ranked list of names against the hidden names (already made distinct). */
export function recallAt(ranked: readonly string[], hidden: readonly string[], k: number, same: Same): RecallAtK {
  const possible = Math.min(k, hidden.length)
  const matched = maxMatching(ranked.slice(0, k), hidden, same)
  return { matched, possible, recall: possible ? matched / possible : 0 }
}

/** The best recall@k any k entries of `library` could reach for the hidden names (exact, see above). */
export function oracleAt(library: readonly string[], hidden: readonly string[], k: number, same: Same): RecallAtK {
  const possible = Math.min(k, hidden.length)
  // only entries that match something matter; this keeps the matching small for a large library
  const useful = library.filter((e) => hidden.some((h) => same(e, h)))
  const matched = Math.min(k, maxMatching(useful, hidden, same))
  return { matched, possible, recall: possible ? matched / possible : 0 }
}

/**
 * A plain keyword ranking: entries by how many of the query's words their own words share (ties: input order),
 * entries sharing none left out; the first k ids.
 */
export function rankByOverlap<T extends { id: string; words: ReadonlySet<string> }>(query: ReadonlySet<string>, entries: readonly T[], k: number): T[] {
  return entries
    .map((e, i) => ({ e, i, n: [...e.words].filter((w) => query.has(w)).length }))
    .filter((x) => x.n > 0)
    .sort((a, b) => b.n - a.n || a.i - b.i)
    .slice(0, k)
    .map((x) => x.e)
}

export interface Totals {
  matched: number
  possible: number
  /** Σ matched / Σ possible (every hidden slot weighs the same) */
  micro: number
  /** mean of the per-table recalls (every table weighs the same) */
  macro: number
}

export function totals(rows: readonly RecallAtK[]): Totals {
  const matched = rows.reduce((s, r) => s + r.matched, 0)
  const possible = rows.reduce((s, r) => s + r.possible, 0)
  return { matched, possible, micro: possible ? matched / possible : 0, macro: rows.length ? rows.reduce((s, r) => s + r.recall, 0) / rows.length : 0 }
}
