// The machinery of the recommendation quality figure (bench/lib/recall.ts) on hand-made inputs: near-duplicates
// merged, one-to-one matching (a hidden indicator counts once, a suggestion stands for one), recall@k's denominator
// min(k, hidden), the exact oracle (where first-fit would fall short), the keyword ranking, the totals.
import { describe, expect, it } from 'vitest'
import { isNearName, synonymTable } from '../../shared/library/match.ts'
import { distinctNames, maxMatching, oracleAt, rankByOverlap, recallAt, totals, type Same } from '../../bench/lib/recall.ts'

const exact: Same = (a, b) => a === b
/** "a1" ~ "a2": same letter = same indicator */
const letter: Same = (a, b) => a[0] === b[0]
const synonyms = synonymTable([['培训人次', '参训人次', '培训人数']])
const near: Same = (a, b) => isNearName(a, b, synonyms)

describe('recall machinery', () => {
  it('merges near-duplicate hidden names, keeping the first', () => {
    expect(distinctNames(['参训人次', '培训人数', '学生满意度', '家长满意度', '学生满意度（%）', ' '], near)).toEqual(['参训人次', '学生满意度', '家长满意度'])
  })

  it('matches one to one: two suggestions of one hidden indicator count once, and augmenting paths find the maximum', () => {
    expect(maxMatching(['a1', 'a2'], ['a9'], letter)).toBe(1)
    expect(maxMatching(['a1'], ['a8', 'a9'], letter)).toBe(1)
    // x matches h1 and h2, y only h1: the maximum is 2 (x→h2, y→h1), whatever order they come in
    const same: Same = (s, h) => (s === 'x' && (h === 'h1' || h === 'h2')) || (s === 'y' && h === 'h1')
    expect(maxMatching(['x', 'y'], ['h1', 'h2'], same)).toBe(2)
    expect(maxMatching(['y', 'x'], ['h1', 'h2'], same)).toBe(2)
  })

  it('recall@k counts the top k only, against min(k, hidden)', () => {
    const hidden = ['h1', 'h2', 'h3']
    expect(recallAt(['h1', 'z', 'h3', 'h2'], hidden, 3, exact)).toEqual({ matched: 2, possible: 3, recall: 2 / 3 })
    expect(recallAt(['h1', 'z', 'h3', 'h2'], hidden, 10, exact)).toEqual({ matched: 3, possible: 3, recall: 1 })
    const many = Array.from({ length: 12 }, (_, i) => `h${i}`)
    expect(recallAt(many, many, 10, exact)).toEqual({ matched: 10, possible: 10, recall: 1 })
    expect(recallAt([], hidden, 10, exact)).toEqual({ matched: 0, possible: 3, recall: 0 })
    expect(recallAt(['x'], [], 10, exact)).toEqual({ matched: 0, possible: 0, recall: 0 })
  })

  it('the oracle is exact: the best k entries, where a first-fit assignment would fall short', () => {
    // entry x is either h1 or h2, y only h1: first-fit gives x→h1 and leaves y unmatched (1); the best is 2
    const same: Same = (e, h) => (e === 'x' && (h === 'h1' || h === 'h2')) || (e === 'y' && h === 'h1')
    expect(oracleAt(['x', 'y', 'z'], ['h1', 'h2'], 2, same)).toEqual({ matched: 2, possible: 2, recall: 1 })
    expect(oracleAt(['x', 'y'], ['h1', 'h2'], 1, same)).toEqual({ matched: 1, possible: 1, recall: 1 })
    // capped at k; entries that match nothing do not help
    const contains: Same = (e, h) => e.includes(h)
    expect(oracleAt(['a', 'b', 'c', 'zz'], ['a', 'b', 'c'], 2, contains).matched).toBe(2)
    expect(oracleAt(['zz'], ['a', 'b'], 10, contains)).toEqual({ matched: 0, possible: 2, recall: 0 })
    // near names: 培训人数 in the library stands for the hidden 参训人次; 家长满意度 does not stand for 学生满意度
    expect(oracleAt(['培训人数', '家长满意度'], ['参训人次', '学生满意度'], 10, near).matched).toBe(1)
  })

  it('ranks by the number of shared words, ties in input order, entries sharing none left out', () => {
    const e = (id: string, ...w: string[]) => ({ id, words: new Set(w) })
    const ranked = rankByOverlap(new Set(['课后', '服务', '学生']), [e('A', '学生'), e('B', '课后', '服务'), e('C', '茶叶'), e('D', '服务')], 10)
    expect(ranked.map((x) => x.id)).toEqual(['B', 'A', 'D'])
    expect(rankByOverlap(new Set(['学生']), [e('A', '学生'), e('B', '学生')], 1).map((x) => x.id)).toEqual(['A'])
  })

  it('totals: micro weighs every slot, macro every table', () => {
    const t = totals([{ matched: 1, possible: 1, recall: 1 }, { matched: 0, possible: 3, recall: 0 }])
    expect(t).toEqual({ matched: 1, possible: 4, micro: 0.25, macro: 0.5 })
    expect(totals([])).toEqual({ matched: 0, possible: 0, micro: 0, macro: 0 })
  })
})
