// Learning from approved tables over HTTP, as users do it (create → 报送 → 审核通过 → 调整): rows linked to
// library entries exact or near, usage counts and the search ranking follow, 调整 and deletion take the links
// back, GET /api/indicators/:id/usage answers typical values, range, names and pages, and lists only the
// tables the caller may read. Both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backfillUsages, learnFromApproved } from '../../server/library/learning.ts'
import { makeTestApp, type TestApp } from '../helpers/app.ts'
import type { TestDatabaseKind } from '../helpers/database.ts'
import { loadSample } from '../helpers/samples.ts'

type Row = { level1: string; level2: string; level3: string; comparator: string; target: string; unit: string; period?: string }

const UNRELATED = '无人机巡检架次'

export function defineLearningSuite(kind: TestDatabaseKind) {
  describe(`learning from approved tables on ${kind}`, () => {
    let t: TestApp
    const tok: Record<string, string> = {}
    const dept: Record<string, string> = {}
    beforeAll(async () => {
      t = await makeTestApp(kind)
      for (const u of ['caizheng', 'jiaoyu', 'weijian', 'renda']) tok[u] = await t.login(u)
      dept.edu = await t.departmentId('105')
      dept.health = await t.departmentId('118')
    })
    afterAll(async () => {
      await t?.dispose()
    })

    const transition = async (id: string, who: string, action: string, reason?: string) => {
      const r = await t.request('POST', `/api/tables/${id}/transitions`, { token: tok[who], body: { action, reason } })
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      return r.body
    }
    /** the clean S09 table with `rows` in place of its first indicator rows, created by `who` and approved */
    const approveTable = async (who: string, departmentId: string, rows: Row[], year = 2024) => {
      const content = loadSample('S09') as { year: number; indicators: Row[]; header: { projectName: string } }
      content.year = year
      content.indicators.splice(4, 0, ...rows.map((r) => ({ period: 'annual', ...r })))
      const made = await t.request('POST', '/api/tables', { token: tok[who], body: { kind: 'project', template: 'mof2021-core', year, departmentId, content } })
      expect(made.status, JSON.stringify(made.body)).toBe(201)
      const id = made.body.id as string
      await transition(id, who, 'submit')
      await transition(id, 'caizheng', 'approve')
      return id
    }
    const usage = (id: string, who = 'caizheng', qs = '') => t.request('GET', `/api/indicators/${id}/usage${qs}`, { token: tok[who] })
    const usageCount = async (id: string) => (await t.request('GET', `/api/indicators/${id}`, { token: tok.caizheng })).body.indicator.usageCount as number
    const rowName = async (tableId: string) => {
      const links = await t.storage.usages.forTable(tableId)
      return new Map(links.map((l) => [l.level3, { indicatorId: l.indicatorId, match: l.match }]))
    }

    let eduTable = ''
    it('links an approved table’s rows: the same name exact, a synonym or a near-identical name near, an unrelated name to nothing', async () => {
      expect(await usageCount('C-TRN-02')).toBe(0)
      eduTable = await approveTable('jiaoyu', dept.edu!, [
        { level1: '产出指标', level2: '数量指标', level3: '培训人次', comparator: '≥', target: '600', unit: '人次' },
        { level1: '产出指标', level2: '数量指标', level3: '参训人次', comparator: '≥', target: '800', unit: '人次' },
        { level1: '产出指标', level2: '数量指标', level3: UNRELATED, comparator: '≥', target: '12', unit: '次' },
      ])
      const links = await rowName(eduTable)
      expect(links.get('培训人次')).toEqual({ indicatorId: 'C-TRN-02', match: 'exact' })
      expect(links.get('参训人次')).toEqual({ indicatorId: 'C-TRN-02', match: 'near' }) // 参训人次/培训人次 are synonyms
      expect(links.get('月度养护考核合格率')).toEqual({ indicatorId: 'S-212-04', match: 'near' }) // ~ 绿化养护考核合格率 (bigrams)
      expect(links.has(UNRELATED)).toBe(false)
      // the table counts once for the entry, however many of its rows link to it
      expect(await usageCount('C-TRN-02')).toBe(1)
      expect(await usageCount('S-212-04')).toBe(1)
      const answer = await usage('C-TRN-02')
      expect(answer.status).toBe(200)
      expect(answer.body).toMatchObject({
        indicatorId: 'C-TRN-02', tableCount: 1, departmentCount: 1, total: 2, nextCursor: null,
        range: { min: 600, max: 800, unit: '人次' },
        names: [{ level3: '参训人次', count: 1 }, { level3: '培训人次', count: 1 }],
      })
      expect(answer.body.typicalValues).toEqual([{ value: '≥600人次', count: 1 }, { value: '≥800人次', count: 1 }])
      expect(answer.body.uses[0]).toMatchObject({ tableId: eduTable, year: 2024, departmentId: dept.edu, departmentName: '南江市教育局', functionalClass: '21203', title: expect.stringContaining('绿化养护') })
    })

    it('ranks search results by usage after an approval (same match quality)', async () => {
      const order = async () => ((await t.request('GET', '/api/indicators?q=' + encodeURIComponent('满意度') + '&limit=200', { token: tok.caizheng })).body.indicators as { id: string }[]).map((i) => i.id)
      const before = await order()
      const target = 'C-TRN-09' // 参训学员满意度
      const at = before.indexOf(target)
      expect(at).toBeGreaterThan(0)
      const id = await approveTable('jiaoyu', dept.edu!, [{ level1: '满意度指标', level2: '服务对象满意度指标', level3: '参训学员满意度', comparator: '≥', target: '92', unit: '%' }])
      expect(await usageCount(target)).toBe(1)
      // the index is rebuilt when the library's revision moves (the usage counter); allow a revision cache's second
      let after = await order()
      for (let i = 0; i < 30 && after.indexOf(target) >= at; i++) {
        await new Promise((r) => setTimeout(r, 100))
        after = await order()
      }
      expect(after.indexOf(target)).toBeLessThan(at)
      await transition(id, 'caizheng', 'reopen', '测试：撤回')
      expect(await usageCount(target)).toBe(0)
    })

    it('answers the usage of several departments: counts city-wide, the list only of readable tables, paged with exact totals', async () => {
      const healthTable = await approveTable('weijian', dept.health!, [{ level1: '产出指标', level2: '数量指标', level3: '培训人次', comparator: '≥', target: '1,000', unit: '人次' }])
      expect(await usageCount('C-TRN-02')).toBe(2)

      const all = await usage('C-TRN-02')
      expect(all.body).toMatchObject({ tableCount: 2, departmentCount: 2, total: 3, range: { min: 600, max: 1000, unit: '人次' } })
      expect(all.body.names[0]).toEqual({ level3: '培训人次', count: 2 })
      expect(all.body.typicalValues).toHaveLength(3)

      // 教育局 sees its own table's uses only; the counts and values stay city-wide
      const edu = await usage('C-TRN-02', 'jiaoyu')
      expect(edu.body).toMatchObject({ tableCount: 2, departmentCount: 2, total: 2 })
      expect(new Set(edu.body.uses.map((u: { tableId: string }) => u.tableId))).toEqual(new Set([eduTable]))
      const health = await usage('C-TRN-02', 'weijian')
      expect(health.body.total).toBe(1)
      expect(health.body.uses[0]).toMatchObject({ tableId: healthTable, level3: '培训人次', target: '1,000', match: 'exact', departmentName: '南江市卫生健康局' })
      expect((await usage('C-TRN-02', 'renda')).body.total).toBe(3) // a city-wide viewer reads every table that is not 涉密

      // pages: limit 2 → a cursor to the third use; the year filter
      const p1 = await usage('C-TRN-02', 'caizheng', '?limit=2')
      expect(p1.body.uses).toHaveLength(2)
      expect(p1.body.total).toBe(3)
      const p2 = await usage('C-TRN-02', 'caizheng', `?limit=2&cursor=${p1.body.nextCursor}`)
      expect(p2.body.uses).toHaveLength(1)
      expect(p2.body.nextCursor).toBeNull()
      const seen = [...p1.body.uses, ...p2.body.uses].map((u: { tableId: string; level3: string }) => `${u.tableId}/${u.level3}`)
      expect(new Set(seen).size).toBe(3)
      expect((await usage('C-TRN-02', 'caizheng', '?year=2030')).body).toMatchObject({ tableCount: 0, total: 0, uses: [], range: null, typicalValues: [] })

      // bad input, unknown entry, signed out
      const bad = await usage('C-TRN-02', 'caizheng', '?year=abc')
      expect(bad.status).toBe(400)
      expect(bad.body.error).toMatchObject({ code: 'invalid_input', message: '预算年度（year）必须是数字' })
      expect((await usage('C-TRN-02', 'caizheng', '?limit=9999')).status).toBe(400)
      expect((await usage('C-TRN-02', 'caizheng', '?cursor=zzz')).body.error).toMatchObject({ code: 'invalid_input', details: { field: 'cursor' } })
      expect((await usage('NO-SUCH', 'caizheng')).status).toBe(404)
      expect((await t.request('GET', '/api/indicators/C-TRN-02/usage')).status).toBe(401)

      // finance deletes the 卫健 table: its links go with it
      const del = await t.request('DELETE', `/api/tables/${healthTable}`, { token: tok.caizheng, body: { reason: '测试删除' } })
      expect(del.status).toBe(200)
      expect(await usageCount('C-TRN-02')).toBe(1)
      expect((await usage('C-TRN-02')).body.total).toBe(2)
    })

    it('takes the links back on 调整 and learns again on the next approval; re-runnable and backfilled', async () => {
      await transition(eduTable, 'caizheng', 'reopen', '预算调整')
      expect(await t.storage.usages.forTable(eduTable)).toEqual([])
      expect(await usageCount('C-TRN-02')).toBe(0)
      expect(await usageCount('S-212-04')).toBe(0)
      expect((await usage('C-TRN-02')).body).toMatchObject({ tableCount: 0, total: 0 })
      // learning a table that is not approved removes rather than adds
      expect((await learnFromApproved(t.storage, eduTable)).outcome).toBe('removed')

      await transition(eduTable, 'jiaoyu', 'submit')
      await transition(eduTable, 'caizheng', 'approve')
      expect(await usageCount('C-TRN-02')).toBe(1)
      const links = await t.storage.usages.forTable(eduTable)
      expect(links.length).toBeGreaterThanOrEqual(3)
      const version = (await t.storage.tables.get(eduTable))!.version
      expect(new Set(links.map((l) => l.tableVersion))).toEqual(new Set([version]))

      // learning twice changes nothing
      const again = await learnFromApproved(t.storage, eduTable)
      expect(again).toMatchObject({ outcome: 'learned', exact: 1 })
      expect(again.near).toBeGreaterThanOrEqual(2)
      expect(await t.storage.usages.forTable(eduTable)).toHaveLength(links.length)
      expect(await usageCount('C-TRN-02')).toBe(1)

      // lost links (a failed learning) come back with the backfill
      await t.storage.usages.removeForTable(eduTable)
      expect(await usageCount('C-TRN-02')).toBe(0)
      const filled = await backfillUsages(t.storage, { log: () => {} })
      expect(filled.learned).toBeGreaterThanOrEqual(1)
      expect(filled.failed).toBe(0)
      expect(await t.storage.usages.forTable(eduTable)).toHaveLength(links.length)
      expect(await usageCount('C-TRN-02')).toBe(1)
    })
  })
}
