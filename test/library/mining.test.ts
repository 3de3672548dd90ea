// Mining candidate 共性指标 (server/library/mining.ts) on a seeded generated corpus: planted near-duplicate
// families each come out as one cluster with all their variants and departments, look-alike decoys never merge,
// nothing merges across 一级, every member is near its cluster's head (no chains), values and library matches.
import { describe, expect, it } from 'vitest'
import { DEFAULT_SYNONYMS } from '../../shared/api/library.ts'
import { NO_SYNONYMS, canonicalName, isNearName, synonymTable } from '../../shared/library/match.ts'
import { normaliseLevel1 } from '../../shared/model/index.ts'
import { matchLibrary, mineCandidates, numericTarget, type MiningRow } from '../../server/library/mining.ts'
import { DECOYS, DECOY_PAIRS, PLANTED, generateCorpus, miningRows } from '../fixtures/mining/corpus.ts'

const corpus = generateCorpus({ seed: 7, departments: 60, tablesPerDepartment: 4 })
const rows = miningRows(corpus)

function clusterOf(clusters: ReturnType<typeof mineCandidates>['clusters'], level1: string, name: string) {
  return clusters.filter((c) => normaliseLevel1(c.level1) === normaliseLevel1(level1) && c.variants.some((v) => v.level3 === name))
}

for (const [label, synonyms] of [['without synonyms', NO_SYNONYMS], ['with the default synonyms', synonymTable(DEFAULT_SYNONYMS)]] as const) {
  describe(`mining ${label}`, () => {
    const { clusters, stats, heads } = mineCandidates(rows, { synonyms, minDepartments: 2, departmentName: (id) => `部门${id}` })

    it('finds each planted family as one cluster with all its variants and departments', () => {
      for (const f of PLANTED) {
        const written = [...corpus.familyVariants.get(f.id)!]
        expect(written.length, f.id).toBeGreaterThan(1)
        const found = clusterOf(clusters, f.level1, f.variants[0]!)
        expect(found, `${f.id}: one cluster`).toHaveLength(1)
        const c = found[0]!
        expect(c.variants.map((v) => v.level3).sort(), f.id).toEqual(expect.arrayContaining(written.sort()))
        expect(c.level3, f.id).toBe(c.variants[0]!.level3)
        expect(c.variants.map((v) => v.count)).toEqual(c.variants.map((v) => v.count).sort((a, b) => b - a))
        expect(c.departments.map((d) => d.id).sort(), f.id).toEqual([...corpus.familyDepartments.get(f.id)!].map((d) => `d${d}`).sort())
        expect(c.level2, f.id).toBe(f.level2)
        expect(c.unit, f.id).toBe(f.unit)
        expect(c.comparator, f.id).toBe(f.comparator)
        expect(c.range, f.id).toEqual({ min: expect.any(Number), max: expect.any(Number), unit: f.unit })
        expect(c.range!.min).toBeGreaterThanOrEqual(f.min)
        expect(c.range!.max).toBeLessThanOrEqual(f.max)
        expect(c.typicalValues.length).toBeGreaterThan(0)
        expect(c.departments[0]!.name).toMatch(/^部门d/)
      }
    })

    it('never merges the decoys', () => {
      for (const [a, b] of DECOY_PAIRS) {
        for (const c of clusters) {
          const names = c.variants.map((v) => v.level3)
          expect(names.includes(a) && names.includes(b), `${a} with ${b}`).toBe(false)
        }
        expect(clusters.some((c) => c.variants.some((v) => v.level3 === a))).toBe(true)
        expect(clusters.some((c) => c.variants.some((v) => v.level3 === b))).toBe(true)
      }
    })

    it('keeps the same name under another 一级 apart', () => {
      const benefit = clusterOf(clusters, '效益指标', '群众满意度')
      const satisfaction = clusterOf(clusters, '满意度指标', '群众满意度')
      expect(benefit).toHaveLength(1)
      expect(satisfaction).toHaveLength(1)
      expect(benefit[0]!.key).not.toBe(satisfaction[0]!.key)
      expect(benefit[0]!.departments.length).toBe(corpus.familyDepartments.get('satisfaction-benefit')!.size)
    })

    it('puts only names near the head in a cluster, and sorts by departments', () => {
      const level1Of = new Map<string, Set<string>>()
      for (const r of rows) {
        if (!level1Of.has(r.level3)) level1Of.set(r.level3, new Set())
        level1Of.get(r.level3)!.add(normaliseLevel1(r.level1))
      }
      for (const c of clusters) {
        for (const v of c.variants) {
          expect(isNearName(v.level3, heads.get(c.key)!, synonyms), `${v.level3} ~ ${heads.get(c.key)}`).toBe(true)
          expect(level1Of.get(v.level3)!.has(normaliseLevel1(c.level1))).toBe(true)
        }
        expect(c.departments.length).toBeGreaterThanOrEqual(2)
      }
      const counts = clusters.map((c) => c.departments.length)
      expect(counts).toEqual([...counts].sort((a, b) => b - a))
      expect(new Set(clusters.map((c) => c.key)).size).toBe(clusters.length)
    })

    it('compares far fewer name pairs than all of them', () => {
      expect(stats.rows).toBe(rows.length)
      expect(stats.comparisons).toBeLessThan((stats.groups * stats.groups) / 20)
    })
  })
}

describe('mining details', () => {
  it('does not chain: C near B but not near the head A stays out of A’s cluster', () => {
    // head 参训人次 (most departments); 培训人次 is near it; 培训人数 is near 培训人次 only (no synonyms here)
    const chain: MiningRow[] = []
    const add = (name: string, depts: number, from = 0) => {
      for (let d = from; d < from + depts; d++) chain.push({ level1: '产出指标', level2: '数量指标', level3: name, comparator: '≥', target: '10', unit: '场', departmentId: `d${d}`, tableId: `t${name}${d}` })
    }
    add('参训人次', 6)
    add('培训人次', 4, 6)
    add('培训人数', 3, 10)
    expect(isNearName('培训人数', '培训人次')).toBe(true)
    expect(isNearName('培训人数', '参训人次')).toBe(false)
    const { clusters } = mineCandidates(chain, { minDepartments: 2 })
    const head = clusters.find((c) => c.level3 === '参训人次')!
    expect(head.variants.map((v) => v.level3).sort()).toEqual(['参训人次', '培训人次'].sort())
    expect(head.departments).toHaveLength(10)
    expect(clusters.find((c) => c.level3 === '培训人数')!.departments).toHaveLength(3)
  })

  it('keeps clusters spanning at least minDepartments departments', () => {
    const few: MiningRow[] = [
      { level1: '产出指标', level2: '数量指标', level3: '培训人次', comparator: '≥', target: '100', unit: '人次', departmentId: 'a', tableId: '1' },
      { level1: '产出指标', level2: '数量指标', level3: '参训人次', comparator: '≥', target: '200', unit: '人次', departmentId: 'b', tableId: '2' },
      { level1: '产出指标', level2: '数量指标', level3: '培训人次', comparator: '≥', target: '300', unit: '人次', departmentId: 'a', tableId: '3' },
    ]
    expect(mineCandidates(few, { minDepartments: 2 }).clusters).toHaveLength(1)
    expect(mineCandidates(few, { minDepartments: 3 }).clusters).toHaveLength(0)
    const [c] = mineCandidates(few, { minDepartments: 2 }).clusters
    expect(c).toMatchObject({ level3: '培训人次', tableCount: 3, range: { min: 100, max: 300, unit: '人次' }, variants: [{ level3: '培训人次', count: 2 }, { level3: '参训人次', count: 1 }] })
    expect(c!.typicalValues.map((v) => v.value).sort()).toEqual(['≥100人次', '≥200人次', '≥300人次'])
  })

  it('reads numeric targets, legacy ones included, and gives no range for mixed units', () => {
    expect(numericTarget('95', '%')).toEqual({ value: 95, unit: '%' })
    expect(numericTarget('≥95%', '')).toEqual({ value: 95, unit: '%', comparator: '≥' })
    expect(numericTarget('不少于30场', '')).toEqual({ value: 30, unit: '场', comparator: '≥' })
    expect(numericTarget('达到预期', '')).toBeNull()
    const mixed: MiningRow[] = ['30', '40', '50'].flatMap((t, i) => [
      { level1: '产出指标', level2: '数量指标', level3: '检查次数', comparator: '≥', target: t, unit: i === 0 ? '次' : '场', departmentId: `d${i}`, tableId: `t${i}` },
    ])
    expect(mineCandidates(mixed, { minDepartments: 2 }).clusters[0]!.range).toBeNull()
    // written the legacy way only: comparator and unit come from the text
    const legacy: MiningRow[] = ['≤600元', '≤550元', '≤580元'].map((t, i) => ({ level1: '产出指标', level2: '成本指标', level3: '人均培训成本', comparator: '', target: t, unit: '', departmentId: `d${i}`, tableId: `t${i}` }))
    expect(mineCandidates(legacy, { minDepartments: 2 }).clusters[0]).toMatchObject({ comparator: '≤', unit: '元', range: { min: 550, max: 600, unit: '元' } })
  })

  it('names the library entry holding a cluster: same canonical name, near name, or none; never across 一级 by nearness', () => {
    const synonyms = synonymTable(DEFAULT_SYNONYMS)
    const { clusters } = mineCandidates(rows, { synonyms, minDepartments: 2 })
    const library = [
      { id: 'L1', level1: '产出指标', level3: '培训人数', scope: 'common' as const },
      { id: 'L2', level1: '满意度指标', level3: '群众满意程度', scope: 'specific' as const },
      { id: 'L3', level1: '产出指标', level3: '学生满意度调查', scope: 'common' as const },
    ]
    matchLibrary(clusters, library, synonyms)
    expect(clusterOf(clusters, '产出指标', '培训人次')[0]!.libraryMatch).toEqual({ id: 'L1', level3: '培训人数', scope: 'common' })
    expect(clusterOf(clusters, '满意度指标', '群众满意度')[0]!.libraryMatch).toMatchObject({ id: 'L2' })
    expect(clusterOf(clusters, '满意度指标', '学生满意度')[0]!.libraryMatch).toBeNull()
    expect(clusterOf(clusters, '产出指标', '资金支付及时率')[0]!.libraryMatch).toBeNull()
    expect(canonicalName('群众满意率', synonyms)).toBe(canonicalName('群众满意度', synonyms))
  })

  it('decoys in the generator are really used by several departments', () => {
    for (const f of DECOYS) expect(corpus.familyDepartments.get(f.id)!.size, f.id).toBeGreaterThanOrEqual(3)
  })
})
