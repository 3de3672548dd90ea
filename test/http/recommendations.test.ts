// GET /api/tables/:id/recommendations on PGlite and (with TEST_DATABASE_URL) PostgreSQL: core ★ entries of the
// table's class first, every suggestion with Chinese reasons, the empty/failing 时效 group filled, usage of approved
// tables of the same class counted, last year's target for a 延续 project, indicators already present left out,
// and only the table's editors may ask.
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recommendationAnswer, type Recommendation } from '../../shared/api/recommendations.ts'
import { nearNameKey, validateTable } from '../../shared/rules/index.ts'
import { targetTables } from '../../server/db/schema.ts'
import { forgetUsage } from '../../server/library/recommend.ts'
import { libraryCoreFor } from '../../server/library/core.ts'
import { readContent } from '../../server/tables/documents.ts'
import { makeTestApp, type TestApp } from '../helpers/app.ts'
import { TEST_DATABASE_URL, type TestDatabaseKind } from '../helpers/database.ts'
import { loadSample } from '../helpers/samples.ts'

const kinds: TestDatabaseKind[] = TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']

describe.each(kinds)('recommendations API on %s', (kind) => {
  let t: TestApp
  const tokens: Record<string, string> = {}
  let tableId = ''
  let recs: Recommendation[] = []
  let own: Set<string>

  function s01(): Record<string, any> {
    const content = loadSample('S01') as Record<string, any>
    content.indicators.forEach((r: Record<string, unknown>, i: number) => (r.id = `r${i}`))
    return content
  }

  async function create(content: Record<string, any>): Promise<string> {
    const res = await t.request('POST', '/api/tables', { token: tokens.jiaoyu, body: { kind: 'project', template: content.template, year: content.year, departmentId: await t.departmentId('105'), content } })
    expect(res.status).toBe(201)
    return res.body.id
  }

  /** an approved table: its frozen version 1 is what the recommender learns from */
  async function approved(content: Record<string, any>): Promise<void> {
    const id = await create(content)
    await t.storage.versions.freeze({ tableId: id, version: 1, round: 1, reason: 'approved', content: content as never, createdBy: null })
    await t.database.db.update(targetTables).set({ status: 'approved', version: 1 }).where(eq(targetTables.id, id))
  }

  beforeAll(async () => {
    t = await makeTestApp(kind)
    for (const u of ['jiaoyu', 'zixun', 'weijian', 'renda', 'caizheng']) tokens[u] = await t.login(u)
    const base = { level1: '产出指标', comparator: '≥' as const, scope: 'specific' as const }
    await t.storage.library.create({ ...base, id: 'K-EDU-1', level2: '数量指标', level3: '课后服务教师参与人数', unit: '人', typicalValue: '800', explanation: '参与课后服务的在编教师人数', basis: '计划标准', functionalClasses: ['20502'], core: true })
    await t.storage.library.create({ ...base, id: 'K-HLT-1', level2: '数量指标', level3: '家庭医生签约服务人数', unit: '人', functionalClasses: ['21004'], core: true })
    await t.storage.library.create({ ...base, id: 'K-EDU-2', level2: '时效指标', level3: '课后服务按时开课率', unit: '%', typicalValue: '95', functionalClasses: ['205'] })
    await t.storage.library.create({ ...base, id: 'K-EDU-3', level2: '质量指标', level3: '课后服务安全事故发生率', comparator: '≤', unit: '%', typicalValue: '0', functionalClasses: ['20502'] })
    // the same indicators under near-identical names: of the table's own row (S01 has 参加课后服务学生人数), of the
    // core entry, and of K-EDU-3 (a relevant entry each, by its words and class)
    await t.storage.library.create({ ...base, id: 'K-EDU-4', level2: '数量指标', level3: '参加课后服务学生人次', unit: '人次', functionalClasses: ['20502'] })
    await t.storage.library.create({ ...base, id: 'K-EDU-5', level2: '数量指标', level3: '课后服务教师参与人次', unit: '人次', functionalClasses: ['20502'] })
    await t.storage.library.create({ ...base, id: 'K-EDU-6', level2: '质量指标', level3: '课后服务安全事故发生次数', comparator: '≤', unit: '次', functionalClasses: ['20502'] })

    // two approved tables of the same class used 课后服务安全事故发生率 (one with 0.1), one of them 课后服务教师参与人数
    const a = s01()
    a.indicators.push({ id: 'x1', period: 'annual', level1: '产出指标', level2: '质量指标', level3: '课后服务安全事故发生率', comparator: '≤', target: '0', unit: '%' })
    a.indicators.push({ id: 'x2', period: 'annual', level1: '产出指标', level2: '数量指标', level3: '课后服务教师参与人数', comparator: '≥', target: '900', unit: '人' })
    await approved(a)
    const b = s01()
    b.indicators.push({ id: 'x1', period: 'annual', level1: '产出指标', level2: '质量指标', level3: '课后服务安全事故发生率', comparator: '≤', target: '0', unit: '%' })
    await approved(b)

    // the table asking: S01 without its annual 时效 row, last year's 课后服务教师参与人数 known
    const c = s01()
    c.indicators = c.indicators.filter((r: any) => !(r.period === 'annual' && r.level2 === '时效指标'))
    c.priorYear = [{ id: 'p1', level3: '课后服务教师参与人数', comparator: '≥', target: '750', unit: '人', actual: '780' }]
    own = new Set(c.indicators.map((r: any) => nearNameKey(r.level3)))
    tableId = await create(c)
    forgetUsage(t.storage)
    const res = await t.request('GET', `/api/tables/${tableId}/recommendations?limit=30`, { token: tokens.jiaoyu })
    expect(res.status).toBe(200)
    recs = recommendationAnswer.parse(res.body).recommendations
  }, 90_000)

  afterAll(async () => {
    await t?.dispose()
  })

  it('puts the core ★ entry of the class first, with its reasons, last year and the value approved tables used', () => {
    const first = recs[0]!
    expect(first.indicator).toMatchObject({ id: 'K-EDU-1', level1: '产出指标', level2: '数量指标', comparator: '≥', unit: '人', core: true, priorTarget: '≥750人', priorActual: '780', basis: '计划标准' })
    expect(first.indicator.target).toBe('900')
    expect(first.reasons).toEqual(expect.arrayContaining(['★ 本类核心指标', '同类项目 50% 使用', '上年目标 ≥750人，实际 780']))
    expect(recs.slice(1).every((r) => !r.indicator.core && r.score < first.score)).toBe(true)
  })

  it('leaves out core entries of other classes and indicators the table already has; every suggestion has reasons', () => {
    expect(recs.map((r) => r.indicator.id)).not.toContain('K-HLT-1')
    expect(recs.length).toBeGreaterThan(3)
    for (const r of recs) {
      expect(r.reasons.length).toBeGreaterThan(0)
      expect(own.has(nearNameKey(r.indicator.level3))).toBe(false)
    }
    const scores = recs.map((r) => r.score)
    expect(scores).toEqual([...scores].sort((x, y) => y - x))
  })

  it('suggests one indicator once: a near-identical name of the table’s own row or of an earlier suggestion is left out', () => {
    const ids = recs.map((r) => r.indicator.id)
    expect(ids).toContain('K-EDU-1')
    expect(ids).toContain('K-EDU-3')
    for (const id of ['K-EDU-4', 'K-EDU-5', 'K-EDU-6']) expect(ids).not.toContain(id)
  })

  it('fills the missing 时效 group (R-OUTPUT-TIMELINESS) and counts use by approved tables of the same class', () => {
    const timely = recs.find((r) => r.indicator.id === 'K-EDU-2')!
    expect(timely.reasons).toContain('补足缺失的时效指标')
    expect(timely.reasons.some((x) => x.startsWith('名称与项目相关：') && x.includes('课后服务'))).toBe(true)
    const firstTimely = recs.findIndex((r) => r.indicator.level2 === '时效指标')
    expect(firstTimely).toBeGreaterThan(0)
    expect(firstTimely).toBeLessThan(4)
    const safety = recs.find((r) => r.indicator.id === 'K-EDU-3')!
    expect(safety.reasons).toContain('同类项目 100% 使用')
    expect(safety.indicator).toMatchObject({ comparator: '≤', target: '0', unit: '%' })
  })

  it('gives R-CORE-REQUIRED the core entries of the table’s class only: the missing one is an error', async () => {
    const content = await readContent(t.storage, undefined, tableId)
    const core = await libraryCoreFor(t.storage, content, await t.departmentId('105'))
    expect(core.map((c) => c.id)).toEqual(['K-EDU-1'])
    const f = validateTable(content, undefined, { libraryCore: core }).filter((x) => x.ruleId === 'R-CORE-REQUIRED')
    expect(f.map((x) => [x.path, x.severity])).toEqual([['indicators.core.K-EDU-1', 'error']])
  })

  it('answers the table’s editors (department, consultant, finance) and no one else; limit is checked', async () => {
    const get = (user: string | undefined, q = '') => t.request('GET', `/api/tables/${tableId}/recommendations${q}`, { token: user ? tokens[user] : undefined })
    for (const u of ['zixun', 'caizheng']) expect((await get(u)).status).toBe(200)
    expect((await get('jiaoyu', '?limit=2')).body.recommendations).toHaveLength(2)
    expect((await get('weijian')).status).toBe(404)
    expect((await get('renda')).status).toBe(403)
    expect((await get(undefined)).status).toBe(401)
    const bad = await get('jiaoyu', '?limit=0')
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toContain('推荐数量（limit）')
    expect((await t.request('GET', '/api/tables/nope/recommendations', { token: tokens.jiaoyu })).status).toBe(404)
  })

  it('answers a table in well under 100 ms once warm', async () => {
    await t.request('GET', `/api/tables/${tableId}/recommendations`, { token: tokens.jiaoyu })
    const times: number[] = []
    for (let i = 0; i < 5; i++) {
      const start = performance.now()
      const res = await t.request('GET', `/api/tables/${tableId}/recommendations`, { token: tokens.jiaoyu })
      times.push(performance.now() - start)
      expect(res.status).toBe(200)
    }
    times.sort((x, y) => x - y)
    console.log(`[recommendations ${kind}] median ${times[2]!.toFixed(1)} ms`)
    // the figure is < 100 ms (bench/recommend.ts); the bound leaves room for a loaded shared machine
    expect(times[2]!).toBeLessThan(250)
  })
})
