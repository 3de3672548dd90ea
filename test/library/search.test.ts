// The library's in-memory search (server/library/search.ts) over the 218-entry starter library plus a few
// planted entries: jieba words with the library's own names as a user dictionary (雾炮车 stays one word),
// pinyin initials and full pinyin, synonyms, a one-character typo, the ranking order, filters combined
// with a query, and bad input (punctuation only, regex metacharacters, a long query).
import { beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_SYNONYMS } from '../../shared/api/library.ts'
import { buildIndex, queryWords, substringDistance, tokens, TIER, type LibraryIndex, type SearchableEntry } from '../../server/library/search.ts'
import { loadLibraryFile } from '../../server/storage/library.ts'

const seed: SearchableEntry[] = loadLibraryFile().map((e) => ({
  id: e.id!, level1: e.level1, level2: e.level2, level3: e.level3, explanation: e.explanation ?? '', formula: e.formula ?? '',
  scope: e.scope, functionalClasses: e.functionalClasses ?? [], departmentId: e.departmentId ?? null, core: e.core ?? false, usageCount: 0,
}))
const planted: SearchableEntry[] = [
  { id: 'T-FOG', level1: '产出指标', level2: '数量指标', level3: '雾炮车作业时长', explanation: '雾炮车降尘作业累计小时数', formula: 'Σ作业小时', scope: 'specific', functionalClasses: ['21102'], departmentId: 'd-env', core: true, usageCount: 3 },
  { id: 'T-FOG-N', level1: '产出指标', level2: '数量指标', level3: '雾炮车', explanation: '购置雾炮车台数', formula: '', scope: 'specific', functionalClasses: ['21102'], departmentId: 'd-env', core: false, usageCount: 0 },
  { id: 'T-SAT-A', level1: '满意度指标', level2: '服务对象满意度指标', level3: '群众满意度', explanation: '', formula: '', scope: 'common', functionalClasses: ['*'], departmentId: null, core: false, usageCount: 50 },
  { id: 'T-SAT-B', level1: '满意度指标', level2: '服务对象满意度指标', level3: '居民满意度', explanation: '', formula: '', scope: 'common', functionalClasses: ['*'], departmentId: null, core: false, usageCount: 5 },
]
const byId = new Map([...seed, ...planted].map((e) => [e.id, e]))
const names = (ids: { id: string }[]) => ids.map((h) => byId.get(h.id)!.level3)

describe('library search', () => {
  let index: LibraryIndex
  beforeAll(() => {
    index = buildIndex([...seed, ...planted], { groups: DEFAULT_SYNONYMS })
  }, 30_000)

  it('segments with jieba and keeps the library’s own names whole (user dictionary)', () => {
    expect(tokens('服务对象满意度')).toEqual(expect.arrayContaining(['服务', '对象', '满意', '满意度']))
    // without the user dictionary jieba cuts 雾/炮车; the library's name makes 雾炮车 a word
    expect(tokens('雾炮车作业时长')).toContain('雾炮车')
    expect(queryWords('雾炮车')).toEqual(['雾炮车'])
    const r = index.search({ q: '雾炮车' })
    expect(names(r.hits)).toEqual(['雾炮车', '雾炮车作业时长'])
    expect(r.hits[1]!.matched[0]).toBe('名称含“雾炮车”')
  })

  it('finds names by pinyin initials and by full pinyin', () => {
    const r = index.search({ q: 'myd' })
    expect(r.hits.length).toBeGreaterThan(5)
    for (const n of names(r.hits)) expect(n).toMatch(/满意度/)
    expect(r.hits[0]!.matched).toContain('拼音首字母 myd')
    const full = index.search({ q: 'manyidu' })
    expect(names(full.hits).every((n) => n.includes('满意度'))).toBe(true)
    expect(full.hits[0]!.matched).toContain('全拼 manyidu')
    // initials at the start of the name rank before initials inside it: 群众满意度 (qzmyd) for qz
    expect(names(index.search({ q: 'qzmyd' }).hits)[0]).toBe('群众满意度')
  })

  it('applies the synonyms: 满意率 finds 满意度, 培训人数 finds 培训人次, 覆盖面 finds 覆盖率', () => {
    const r = index.search({ q: '满意率' })
    expect(r.hits.length).toBeGreaterThan(5)
    expect(names(r.hits).every((n) => n.includes('满意度'))).toBe(true)
    expect(r.hits[0]!.matched).toContain('同义词 满意率→满意度')
    expect(names(index.search({ q: '培训人数' }).hits)).toContain('培训人次')
    expect(index.search({ q: '培训人数' }).hits.find((h) => byId.get(h.id)!.level3 === '培训人次')!.matched).toContain('同义词 培训人数→培训人次')
    expect(names(index.search({ q: '森林覆盖面' }).hits)[0]).toBe('森林覆盖率')
    // synonyms a bureau edits: a new group takes effect in a rebuilt index
    const edited = buildIndex([...seed, ...planted], { groups: [['雾炮车', '喷雾车']] })
    // both through the synonym; the more used entry first
    expect(names(edited.search({ q: '喷雾车' }).hits)).toEqual(['雾炮车作业时长', '雾炮车'])
    expect(edited.search({ q: '满意率' }).hits.some((h) => h.matched.some((m) => m.startsWith('同义词')))).toBe(false)
  })

  it('tolerates a one-character typo in a word of three or more characters', () => {
    expect(substringDistance('满艺度', '群众满意度')).toBe(1)
    expect(substringDistance('满意度', '群众满意度')).toBe(0)
    expect(substringDistance('培训班', '群众满意度')).toBe(2)
    const r = index.search({ q: '森林覆蓋律' }) // two edits: nothing fuzzy
    expect(r.hits.some((h) => h.matched.some((m) => m.includes('容错')))).toBe(false)
    const typo = index.search({ q: '森林复盖率' })
    expect(names(typo.hits)[0]).toBe('森林覆盖率')
    expect(typo.hits[0]!.matched.join()).toContain('近似“森林复盖率”（容错）')
    expect(names(index.search({ q: '雾泡车' }).hits)).toContain('雾炮车作业时长')
  })

  it('ranks exact name > name word > synonym > pinyin > explanation, then usage, then name', () => {
    const r = index.search({ q: '群众满意度' })
    expect(names(r.hits)[0]).toBe('群众满意度')
    expect(r.hits[0]!.score).toBe(TIER.exact)
    expect(r.hits[0]!.matched[0]).toBe('名称即“群众满意度”')
    // among equal matches the more used entry first: 群众满意度 (50) before 居民满意度 (5) before the unused ones
    const sat = names(index.search({ q: '满意度' }).hits)
    expect(sat.indexOf('群众满意度')).toBe(0)
    expect(sat.indexOf('居民满意度')).toBe(1)
    const scores = r.hits.map((h) => h.score)
    expect([...scores].sort((a, b) => b - a)).toEqual(scores)
    // explanation-only matches come after name matches
    const sign = index.search({ q: '签到' })
    expect(sign.hits.length).toBeGreaterThan(0)
    expect(sign.hits.every((h) => h.score < TIER.pinyin && h.matched.some((m) => m.startsWith('解释含') || m.startsWith('计算方法含')))).toBe(true)
    // tiers: a name word beats its synonym which beats pinyin
    expect(TIER.exact).toBeGreaterThan(TIER.name)
    const mixed = index.search({ q: '满意率' }).hits[0]!.score
    expect(mixed).toBeLessThan(index.search({ q: '满意度' }).hits[0]!.score)
    expect(mixed).toBeGreaterThan(index.search({ q: 'myd' }).hits[0]!.score)
  })

  it('combines filters with the query (level, scope, core, functional class prefix, department)', () => {
    const all = index.search({ q: '满意度' }).hits.length
    const common = index.search({ q: '满意度', scope: 'common' }).hits
    expect(common.length).toBeGreaterThan(0)
    expect(common.length).toBeLessThanOrEqual(all)
    expect(common.every((h) => byId.get(h.id)!.scope === 'common')).toBe(true)
    expect(names(index.search({ q: '作业', core: true }).hits)).toEqual(['雾炮车作业时长'])
    expect(names(index.search({ q: '雾炮车', functionalClass: '2110201' }).hits)).toEqual(['雾炮车', '雾炮车作业时长']) // below 21102
    expect(names(index.search({ q: '雾炮车', functionalClass: '211' }).hits)).toEqual(['雾炮车', '雾炮车作业时长']) // above it
    expect(index.search({ q: '雾炮车', functionalClass: '205' }).hits).toEqual([])
    expect(index.search({ q: '雾炮车', departmentId: 'd-other' }).hits).toEqual([])
    expect(names(index.search({ q: '雾炮车', departmentId: 'd-env' }).hits)).toEqual(['雾炮车', '雾炮车作业时长'])
    const level = index.search({ q: '满意度', level1: '满意度指标', level2: '服务对象满意度指标' }).hits
    expect(level.length).toBeGreaterThan(0)
    expect(level.every((h) => byId.get(h.id)!.level2 === '服务对象满意度指标')).toBe(true)
    // no query: every entry of the filter, 一级 in the forms' order
    const browse = index.search({ level1: '产出指标' }).hits
    expect(browse.length).toBe([...byId.values()].filter((e) => e.level1 === '产出指标').length)
    expect(browse.every((h) => h.matched.length === 0)).toBe(true)
    const paged = index.search({ level1: '产出指标' }, { offset: 10, limit: 5 })
    expect(paged.total).toBe(browse.length)
    expect(paged.hits.map((h) => h.id)).toEqual(browse.slice(10, 15).map((h) => h.id))
    const first = index.search({}).hits.map((h) => byId.get(h.id)!.level1)
    expect(first[0]).toBe('产出指标')
    expect(first[first.length - 1]).not.toBe('产出指标')
  })

  it('answers bad input with an empty result, not an error: punctuation, regex metacharacters, long text', () => {
    expect(index.search({ q: '！！！，。？' })).toEqual({ hits: [], total: 0, terms: [] })
    expect(index.search({ q: '.*+?^${}()|[]\\' })).toEqual({ hits: [], total: 0, terms: [] })
    expect(index.search({ q: '   ' }).hits.length).toBe(byId.size) // blank = browse
    const meta = index.search({ q: '满意度.*' })
    expect(names(meta.hits)).toContain('群众满意度')
    const long = '满意度'.repeat(66)
    const t0 = performance.now()
    const r = index.search({ q: long })
    expect(performance.now() - t0).toBeLessThan(1000)
    expect(Array.isArray(r.hits)).toBe(true)
  })
})
