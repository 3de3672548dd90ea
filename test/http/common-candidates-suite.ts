// Candidate 共性指标 over HTTP (run on PGlite and PostgreSQL): approved tables of a generated corpus, a run
// queued through the API and taken by a real job runner (clustering in its worker thread), the clusters read
// back, a cluster promoted into the library (entry, history reason, synonym group), who may do what, bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createJobRunner } from '../../server/jobs/runner.ts'
import { commonCandidatesHandler } from '../../server/jobs/common-candidates.ts'
import type { TestDatabaseKind } from '../helpers/database.ts'
import { makeTestApp, type TestApp } from '../helpers/app.ts'
import { sampleContent, seedApprovedTables } from '../helpers/compilations.ts'
import { contentIndicators, generateCorpus } from '../fixtures/mining/corpus.ts'

const YEAR = 2031
const DEPARTMENTS = 8
const PER_DEPARTMENT = 2
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export function defineCommonCandidatesSuite(kind: TestDatabaseKind) {
  describe(`common candidates on ${kind}`, () => {
    let t: TestApp
    const tok: Record<string, string> = {}
    const corpus = generateCorpus({ seed: 11, departments: DEPARTMENTS, tablesPerDepartment: PER_DEPARTMENT })
    const url = (q = `year=${YEAR}`) => `/api/indicators/common-candidates?${q}`

    beforeAll(async () => {
      t = await makeTestApp(kind)
      for (const u of ['caizheng', 'zixun', 'jiaoyu', 'renda']) tok[u] = await t.login(u)
      const departments = (await t.storage.departments.list()).slice(0, DEPARTMENTS)
      await seedApprovedTables(t.storage, {
        year: YEAR,
        departmentIds: departments.map((d) => d.id),
        perDepartment: PER_DEPARTMENT,
        // table 0 is 涉密: left out of the mining (consultants read the result)
        classified: (i) => i === 0,
        content: (i) => ({ ...sampleContent(i, YEAR), indicators: contentIndicators(corpus.tables[i]!.rows) }),
      })
    }, 120_000)
    afterAll(async () => {
      await t?.dispose()
    })

    it('lets only finance and consultants read and run it, and refuses a bad year or minDepartments', async () => {
      for (const u of ['jiaoyu', 'renda']) {
        expect((await t.request('GET', url(), { token: tok[u] })).status).toBe(403)
        expect((await t.request('POST', url(), { token: tok[u] })).status).toBe(403)
      }
      const none = await t.request('GET', url(), { token: tok.zixun })
      expect(none.status).toBe(200)
      expect(none.body).toMatchObject({ year: YEAR, state: 'none', jobId: null, clusters: [], computedAt: null })
      for (const q of ['year=abc', 'year=1800', '', `year=${YEAR}&minDepartments=1`]) {
        const res = await t.request('GET', url(q), { token: tok.caizheng })
        expect(res.status, q).toBe(400)
        expect(res.body.error.code).toBe('invalid_input')
        expect(res.body.error.message).toMatch(/year|minDepartments/)
      }
      expect((await t.request('POST', url('year=x'), { token: tok.caizheng })).status).toBe(400)
    })

    it('queues one run per year, runs it through the job runner and answers the clusters', async () => {
      const first = await t.request('POST', url(), { token: tok.zixun })
      expect(first.status).toBe(202)
      expect(first.body).toMatchObject({ state: 'queued', jobId: expect.any(String) })
      const again = await t.request('POST', url(), { token: tok.caizheng })
      expect(again.status).toBe(200)
      expect(again.body.jobId).toBe(first.body.jobId)

      const runner = createJobRunner({
        storage: t.storage, pollMs: 50, progressMs: 0, log: () => {},
        handlers: { 'common-candidates': commonCandidatesHandler({ storage: t.storage, batchSize: 5 }) },
      })
      runner.start()
      let answer: any
      try {
        const t0 = Date.now()
        for (;;) {
          answer = (await t.request('GET', url('year=' + YEAR + '&minDepartments=2'), { token: tok.caizheng })).body
          if (answer.state === 'done' || answer.state === 'failed') break
          if (Date.now() - t0 > 60_000) throw new Error(`still ${answer.state}`)
          await sleep(25)
        }
      } finally {
        await runner.stop()
      }
      expect(answer.error).toBeNull()
      expect(answer).toMatchObject({ state: 'done', jobId: first.body.jobId, progress: null, tables: DEPARTMENTS * PER_DEPARTMENT - 1 })
      const job = await t.storage.jobs.get(first.body.jobId)
      expect(job).toMatchObject({ status: 'done', done: DEPARTMENTS * PER_DEPARTMENT - 1, total: DEPARTMENTS * PER_DEPARTMENT - 1 })
      const classifiedRows = corpus.tables[0]!.rows.length
      expect(answer.indicatorRows).toBe(corpus.tables.reduce((n, x) => n + x.rows.length, 0) - classifiedRows)

      const counts = answer.clusters.map((c: any) => c.departments.length)
      expect(counts).toEqual([...counts].sort((a: number, b: number) => b - a))
      expect(Math.min(...counts)).toBeGreaterThanOrEqual(2)
      const training = answer.clusters.find((c: any) => c.variants.some((v: any) => v.level3 === '参训人次' || v.level3 === '培训人次'))
      expect(training.libraryMatch).toMatchObject({ id: 'C-TRN-02', scope: 'common' })
      const payment = answer.clusters.find((c: any) => c.variants.some((v: any) => v.level3 === '资金支付及时率'))
      expect(payment).toMatchObject({ level1: '产出指标', level2: '时效指标', comparator: '=', unit: '%', range: { min: 100, max: 100, unit: '%' }, libraryMatch: null })
      expect(payment.departments[0]).toEqual({ id: expect.any(String), name: expect.any(String) })
      expect(payment.departments[0].name).not.toBe(payment.departments[0].id)
      expect(payment.typicalValues[0]).toEqual({ value: '100%', count: expect.any(Number) })

      const narrow = await t.request('GET', url(`year=${YEAR}&minDepartments=6`), { token: tok.zixun })
      expect(narrow.body.clusters.length).toBeLessThan(answer.clusters.length)
      for (const c of narrow.body.clusters) expect(c.departments.length).toBeGreaterThanOrEqual(6)
    }, 90_000)

    it('promotes a cluster into the library as a 共性 entry with its history and a synonym group (finance only)', async () => {
      const answer = (await t.request('GET', url(`year=${YEAR}&minDepartments=2`), { token: tok.caizheng })).body
      const payment = answer.clusters.find((c: any) => c.variants.some((v: any) => v.level3 === '资金支付及时率'))
      const variants = payment.variants.map((v: any) => v.level3)
      expect([...variants].sort()).toEqual(['资金支付及时率', '资金拨付及时率'].sort())
      const body = { year: YEAR, key: payment.key, explanation: '资金按进度及时支付的比例' }
      for (const u of ['zixun', 'jiaoyu']) expect((await t.request('POST', '/api/indicators/common-candidates/promote', { token: tok[u], body })).status).toBe(403)

      const promoted = await t.request('POST', '/api/indicators/common-candidates/promote', { token: tok.caizheng, body })
      expect(promoted.status).toBe(201)
      expect(promoted.body).toMatchObject({
        created: true,
        indicator: { level1: '产出指标', level2: '时效指标', level3: payment.level3, comparator: '=', unit: '%', typicalValue: '100', scope: 'common', explanation: '资金按进度及时支付的比例' },
      })
      expect([...promoted.body.synonymsAdded].sort()).toEqual(['资金支付及时率', '资金拨付及时率'].sort())
      const entry = await t.request('GET', `/api/indicators/${promoted.body.indicator.id}`, { token: tok.caizheng })
      expect(entry.body.history).toHaveLength(1)
      expect(entry.body.history[0].reason).toMatch(/^由共性指标候选生成：/)
      for (const v of variants) expect(entry.body.history[0].reason).toContain(v)
      const synonyms = await t.request('GET', '/api/indicators/synonyms', { token: tok.caizheng })
      expect(synonyms.body.groups).toContainEqual(expect.arrayContaining(['资金支付及时率', '资金拨付及时率']))
      expect(synonyms.body.groups).toContainEqual(['满意度', '满意率'])

      // now in the library: marked, and a second promote changes nothing
      const after = (await t.request('GET', url(`year=${YEAR}&minDepartments=2`), { token: tok.caizheng })).body
      expect(after.clusters.find((c: any) => c.key === payment.key).libraryMatch).toMatchObject({ id: promoted.body.indicator.id, scope: 'common' })
      const twice = await t.request('POST', '/api/indicators/common-candidates/promote', { token: tok.caizheng, body: { year: YEAR, key: payment.key } })
      expect(twice.status).toBe(200)
      expect(twice.body).toMatchObject({ created: false, synonymsAdded: [], indicator: { id: promoted.body.indicator.id } })
      const total = (await t.request('GET', '/api/indicators?q=资金支付及时率&limit=50', { token: tok.caizheng })).body.indicators
      expect(total.filter((e: any) => e.level3 === payment.level3)).toHaveLength(1)

      // a cluster the library already holds: no new entry
      const training = after.clusters.find((c: any) => c.libraryMatch?.id === 'C-TRN-02')
      const kept = await t.request('POST', '/api/indicators/common-candidates/promote', { token: tok.caizheng, body: { year: YEAR, key: training.key } })
      expect(kept.status).toBe(200)
      expect(kept.body).toMatchObject({ created: false, indicator: { id: 'C-TRN-02' } })

      const missing = await t.request('POST', '/api/indicators/common-candidates/promote', { token: tok.caizheng, body: { year: YEAR, key: 'nope' } })
      expect(missing.status).toBe(404)
      expect(missing.body.error.message).toContain('候选')
      const noRun = await t.request('POST', '/api/indicators/common-candidates/promote', { token: tok.caizheng, body: { year: YEAR + 1, key: payment.key } })
      expect(noRun.status).toBe(404)
      const bad = await t.request('POST', '/api/indicators/common-candidates/promote', { token: tok.caizheng, body: { year: YEAR } })
      expect(bad.status).toBe(400)
      expect(bad.body.error.message).toContain('key')
      const audit = await t.storage.audit.list({ action: 'library.promote' })
      expect(audit.length).toBeGreaterThanOrEqual(3)
    })

    it('starts one run when several requests for a year arrive at once', async () => {
      const year = YEAR + 3
      const answers = await Promise.all([0, 1, 2].map(() => t.request('POST', url(`year=${year}`), { token: tok.caizheng })))
      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 202])
      expect(new Set(answers.map((a) => a.body.jobId)).size).toBe(1)
      const jobs = (await t.storage.jobs.list('common-candidates')).filter((j) => (j.params as { year: number }).year === year)
      expect(jobs.map((j) => j.status)).toEqual(['queued'])
    })
  })
}
