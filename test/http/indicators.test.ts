// The indicator library over HTTP (server/http/routes/indicators.ts) on PGlite, and PostgreSQL when
// TEST_DATABASE_URL is set, over the seeded 218-entry library: search with segmentation, pinyin and
// synonyms, paging with an exact total, create and change with a versioned history, the synonyms a
// bureau edits, who may write (department and viewer: 403), and validation messages in Chinese.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { indicatorAnswer, indicatorListAnswer, synonymsAnswer } from '../../shared/api/library.ts'
import { TEST_DATABASE_URL, type TestDatabaseKind } from '../helpers/database.ts'
import { makeTestApp, type TestApp } from '../helpers/app.ts'

const kinds: TestDatabaseKind[] = TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']

for (const kind of kinds) {
  describe(`indicator library over HTTP on ${kind}`, () => {
    let t: TestApp
    let finance: string
    let consultant: string
    let department: string
    let viewer: string

    beforeAll(async () => {
      t = await makeTestApp(kind)
      finance = await t.login('caizheng')
      consultant = await t.login('zixun')
      department = await t.login('jiaoyu')
      viewer = await t.login('renda')
    }, 60_000)
    afterAll(async () => {
      await t?.dispose()
    })

    const search = async (query: string, token = department) => {
      const r = await t.request('GET', `/api/indicators?${query}`, { token })
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      return indicatorListAnswer.parse(r.body)
    }

    it('searches the seeded library by words, pinyin initials and synonyms, naming why each entry matched', async () => {
      const words = await search(`q=${encodeURIComponent('满意度')}`)
      expect(words.total).toBeGreaterThan(5)
      expect(words.indicators.every((i) => i.level3.includes('满意度'))).toBe(true)
      expect(words.indicators[0]!.matched[0]).toBe('名称含“满意度”')
      expect(words.terms).toEqual(['满意度'])

      const initials = await search('q=myd')
      expect(initials.total).toBe(words.total)
      expect(initials.indicators[0]!.matched).toContain('拼音首字母 myd')

      const synonym = await search(`q=${encodeURIComponent('满意率')}`)
      expect(synonym.total).toBe(words.total)
      expect(synonym.indicators[0]!.matched).toContain('同义词 满意率→满意度')

      const exact = await search(`q=${encodeURIComponent('培训人次')}`)
      expect(exact.indicators[0]).toMatchObject({ level3: '培训人次' })
      expect(exact.indicators[0]!.matched[0]).toBe('名称即“培训人次”')
      // every field of the library entry comes with it
      expect(exact.indicators[0]).toMatchObject({ level1: '产出指标', level2: '数量指标', comparator: expect.any(String), unit: expect.any(String), scope: expect.any(String), version: 1, usageCount: 0 })
    })

    it('pages with limit and cursor over an exact total, never truncating silently; filters combine with the query', async () => {
      const all = await search('limit=500', viewer)
      expect(all.total).toBe(218)
      expect(all.indicators.length).toBe(218)
      expect(all.nextCursor).toBeNull()
      const seen: string[] = []
      let cursor: string | null = ''
      let pages = 0
      do {
        const page: Awaited<ReturnType<typeof search>> = await search(`limit=50${cursor ? `&cursor=${cursor}` : ''}`)
        expect(page.total).toBe(218)
        seen.push(...page.indicators.map((i) => i.id))
        cursor = page.nextCursor
        pages++
      } while (cursor)
      expect(pages).toBe(5)
      expect(new Set(seen).size).toBe(218)
      expect(seen).toEqual(all.indicators.map((i) => i.id))

      const filtered = await search(`q=${encodeURIComponent('满意度')}&level1=${encodeURIComponent('满意度指标')}&scope=common&limit=2`)
      expect(filtered.indicators.length).toBeLessThanOrEqual(2)
      expect(filtered.indicators.every((i) => i.level1 === '满意度指标' && i.scope === 'common')).toBe(true)
      expect(filtered.total).toBeGreaterThan(0)
      if (filtered.total > 2) expect(filtered.nextCursor).not.toBeNull()

      const bad = await t.request('GET', '/api/indicators?cursor=zzz', { token: department })
      expect(bad.status).toBe(400)
      expect(bad.body.error.message).toContain('翻页游标（cursor）无效')
      const tooMany = await t.request('GET', '/api/indicators?limit=501', { token: department })
      expect(tooMany.status).toBe(400)
      expect(tooMany.body.error.message).toBe('每页数量（limit）不能超过 500')
    })

    it('refuses a 10 000-character query in Chinese; punctuation or regex metacharacters answer empty, not an error', async () => {
      const long = await t.request('GET', `/api/indicators?q=${encodeURIComponent('满'.repeat(10_000))}`, { token: department })
      expect(long.status).toBe(400)
      expect(long.body.error).toMatchObject({ code: 'invalid_input', message: '搜索词（q）不能超过 200 个字符' })
      for (const q of ['！！？。，', '.*+?^$()[]{}|\\', '%_']) {
        const r = await search(`q=${encodeURIComponent(q)}`)
        expect(r).toMatchObject({ indicators: [], total: 0, nextCursor: null })
      }
      // metacharacters around words are dropped like any punctuation: the words' own result
      const plain = await search(`q=${encodeURIComponent('满意度')}`)
      expect(plain.total).toBeGreaterThan(0)
      const wrapped = await search(`q=${encodeURIComponent('^(满意度).*$')}`)
      expect(wrapped.indicators.map((i) => i.id).slice(0, 10)).toEqual(plain.indicators.map((i) => i.id).slice(0, 10))
      const unsigned = await t.request('GET', '/api/indicators')
      expect(unsigned.status).toBe(401)
    })

    it('creates and changes entries with a versioned history (who, why, before and after); search sees them at once', async () => {
      const created = await t.request('POST', '/api/indicators', {
        token: finance,
        body: { level1: '产出指标', level2: '数量指标', level3: '雾炮车作业时长', comparator: '≥', unit: '小时', typicalValue: '600', scope: 'specific', functionalClasses: ['21102'], core: true, reason: '大气污染防治核心指标' },
      })
      expect(created.status, JSON.stringify(created.body)).toBe(201)
      const a = indicatorAnswer.parse(created.body)
      expect(a.indicator).toMatchObject({ level3: '雾炮车作业时长', version: 1, core: true })
      expect(a.history).toEqual([expect.objectContaining({ version: 1, reason: '大气污染防治核心指标', before: null, changedByName: '李敏（财政局绩效科）' })])

      const found = await search(`q=${encodeURIComponent('雾炮车')}`)
      expect(found.indicators.map((i) => i.id)).toEqual([a.indicator.id])
      expect((await search('q=wpc')).indicators.map((i) => i.id)).toContain(a.indicator.id)

      const patched = await t.request('PATCH', `/api/indicators/${a.indicator.id}`, { token: consultant, body: { typicalValue: '800', unit: '小时', reason: '按 2025 年实际作业量调整', version: 1 } })
      expect(patched.status, JSON.stringify(patched.body)).toBe(200)
      const b = indicatorAnswer.parse(patched.body)
      expect(b.indicator).toMatchObject({ typicalValue: '800', version: 2 })
      expect(b.history.map((h) => h.version)).toEqual([2, 1])
      expect(b.history[0]).toMatchObject({ reason: '按 2025 年实际作业量调整', before: { typicalValue: '600' }, after: { typicalValue: '800' }, changedByName: '周婷（第三方评价机构）' })

      // a stale version is refused; the entry is unchanged
      const stale = await t.request('PATCH', `/api/indicators/${a.indicator.id}`, { token: finance, body: { typicalValue: '900', reason: '再调', version: 1 } })
      expect(stale.status).toBe(409)
      expect(stale.body.error.message).toContain('已被他人修改')
      const read = await t.request('GET', `/api/indicators/${a.indicator.id}`, { token: viewer })
      expect(read.status).toBe(200)
      expect(indicatorAnswer.parse(read.body).indicator).toMatchObject({ typicalValue: '800', version: 2 })
      expect(read.body.history).toHaveLength(2)

      const renamed = await t.request('PATCH', `/api/indicators/${a.indicator.id}`, { token: finance, body: { level3: '雾炮车降尘作业时长', reason: '名称规范' } })
      expect(renamed.status).toBe(200)
      expect((await search(`q=${encodeURIComponent('降尘作业')}`)).indicators[0]!.id).toBe(a.indicator.id)
    })

    it('only finance and consultants write: a department and a viewer get 403; validation names the field in Chinese', async () => {
      const body = { level1: '产出指标', level2: '数量指标', level3: '部门自拟指标', comparator: '≥', scope: 'common' }
      for (const token of [department, viewer]) {
        const r = await t.request('POST', '/api/indicators', { token, body })
        expect(r.status).toBe(403)
        expect(r.body.error.message).toContain('只有财政局和第三方机构可以修改指标库')
        const p = await t.request('PATCH', '/api/indicators/C-MTG-01', { token, body: { unit: '次', reason: '试试' } })
        expect(p.status).toBe(403)
      }
      const noReason = await t.request('PATCH', '/api/indicators/C-MTG-01', { token: finance, body: { unit: '次' } })
      expect(noReason.status).toBe(400)
      expect(noReason.body.error.message).toBe('修改原因（reason）必填')
      const nothing = await t.request('PATCH', '/api/indicators/C-MTG-01', { token: finance, body: { reason: '无' } })
      expect(nothing.status).toBe(400)
      expect(nothing.body.error.message).toContain('没有要修改的字段')
      const badComparator = await t.request('POST', '/api/indicators', { token: finance, body: { ...body, comparator: '约' } })
      expect(badComparator.status).toBe(400)
      expect(badComparator.body.error.message).toContain('比较符（comparator）应为')
      const noName = await t.request('POST', '/api/indicators', { token: finance, body: { ...body, level3: '  ' } })
      expect(noName.status).toBe(400)
      expect(noName.body.error.message).toBe('三级指标（level3）必填')
      const badDept = await t.request('POST', '/api/indicators', { token: finance, body: { ...body, departmentId: 'no-such' } })
      expect(badDept.status).toBe(400)
      expect(badDept.body.error.message).toContain('部门（departmentId）不存在')
      const duplicate = await t.request('POST', '/api/indicators', { token: finance, body: { ...body, id: 'C-MTG-01' } })
      expect(duplicate.status).toBe(409)
      expect(duplicate.body.error.message).toContain('指标编号（id）已存在')
      const missing = await t.request('PATCH', '/api/indicators/NO-SUCH', { token: finance, body: { unit: '次', reason: '改' } })
      expect(missing.status).toBe(404)
      expect((await t.request('GET', '/api/indicators/NO-SUCH', { token: finance })).status).toBe(404)
    })

    it('finance edits the synonyms and search follows; others read them but cannot replace them', async () => {
      const read = await t.request('GET', '/api/indicators/synonyms', { token: department })
      expect(read.status).toBe(200)
      expect(synonymsAnswer.parse(read.body).groups).toContainEqual(['满意度', '满意率'])

      for (const token of [department, consultant]) {
        const r = await t.request('PUT', '/api/indicators/synonyms', { token, body: { groups: [['满意度', '满意率']] } })
        expect(r.status).toBe(403)
      }
      const bad = await t.request('PUT', '/api/indicators/synonyms', { token: finance, body: { groups: [['满意度']] } })
      expect(bad.status).toBe(400)
      expect(bad.body.error.message).toBe('每组同义词至少 2 个词')

      expect((await search(`q=${encodeURIComponent('场数')}`)).indicators.some((i) => i.level3 === '召开会议场次')).toBe(false)
      const put = await t.request('PUT', '/api/indicators/synonyms', { token: finance, body: { groups: [['满意度', '满意率'], ['场次', '场数']] } })
      expect(put.status, JSON.stringify(put.body)).toBe(200)
      expect(put.body).toMatchObject({ groups: [['满意度', '满意率'], ['场次', '场数']], updatedBy: expect.any(String) })
      const after = await search(`q=${encodeURIComponent('会议场数')}`)
      expect(after.indicators[0]).toMatchObject({ level3: '召开会议场次', matched: expect.arrayContaining(['同义词 场数→场次']) })
      // the removed group no longer applies
      expect((await search(`q=${encodeURIComponent('覆盖面')}`)).indicators.some((i) => i.matched.some((m) => m.startsWith('同义词')))).toBe(false)
    })
  })
}
