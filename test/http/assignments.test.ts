// 第三方机构分工 over HTTP (server/http/routes/assignments.ts) on PGlite, and PostgreSQL when TEST_DATABASE_URL
// is set, over the demo city: an assignment gives a consultant the year's tables of the department and its
// units (read, edit, list) and nothing of other years; one consultant per department and year (a second is
// refused whole, naming the holder); who may read and change assignments; bad input; unassigning takes the
// rights away. The live half (open sockets lose access at once) is test/collab/assignment-revoke.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assignmentListAnswer } from '../../shared/api/assignments.ts'
import { DEMO_PASSWORD } from '../../server/bootstrap/demo-city.ts'
import { TEST_DATABASE_URL, type TestDatabaseKind } from '../helpers/database.ts'
import { makeTestApp, type TestApp } from '../helpers/app.ts'
import { loadSample } from '../helpers/samples.ts'

const kinds: TestDatabaseKind[] = TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']

for (const kind of kinds) {
  describe(`assignments over HTTP on ${kind}`, () => {
    let t: TestApp
    let finance: string
    let firm: string
    let firmId: string
    let zixunId: string
    const dept: Record<string, string> = {}
    const tables: Record<string, string> = {} as Record<string, string>

    const create = async (code: string, year: number) => {
      const r = await t.request('POST', '/api/tables', { token: finance, body: { kind: 'project', template: 'mof2021-core', year, departmentId: dept[code], content: { ...(loadSample('S09') as object), year } } })
      expect(r.status, JSON.stringify(r.body)).toBe(201)
      return r.body.id as string
    }

    beforeAll(async () => {
      t = await makeTestApp(kind)
      finance = await t.login('caizheng')
      for (const d of await t.storage.departments.list()) dept[d.code] = d.id
      firmId = (await t.storage.users.create({ username: 'firm2', password: DEMO_PASSWORD, displayName: '第二咨询公司', role: 'consultant' })).id
      zixunId = (await t.storage.users.getByUsername('zixun'))!.id
      firm = await t.login('firm2')
      tables.town2025 = await create('601', 2025)
      tables.town2024 = await create('601', 2024)
      tables.unit2025 = await create('135001', 2025)
      tables.other2025 = await create('121', 2025)
    }, 60_000)
    afterAll(async () => {
      await t?.dispose()
    })

    const listed = async (token: string, year: number) => {
      const r = await t.request('GET', `/api/tables?year=${year}&limit=200`, { token })
      expect(r.status).toBe(200)
      return new Set((r.body.tables as { id: string }[]).map((x) => x.id))
    }

    it('gives a consultant nothing before an assignment', async () => {
      expect((await t.request('GET', `/api/tables/${tables.town2025}`, { token: firm })).status).toBe(404)
      expect((await listed(firm, 2025)).size).toBe(0)
      expect(assignmentListAnswer.parse((await t.request('GET', '/api/assignments', { token: firm })).body).assignments).toEqual([])
    })

    it('gives the assigned year’s tables of the department and its units, and no other year’s', async () => {
      const r = await t.request('POST', '/api/assignments', { token: finance, body: { year: 2025, consultantId: firmId, departmentIds: [dept['601'], dept['135']], difficulty: 'town' } })
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      const answer = assignmentListAnswer.parse(r.body)
      expect(answer.assignments.map((a) => [a.departmentName, a.consultantName, a.difficulty, a.year])).toEqual([
        ['南江市城市管理局', '第二咨询公司', 'town', 2025],
        ['南江市安平镇人民政府', '第二咨询公司', 'town', 2025],
      ])
      const read = await t.request('GET', `/api/tables/${tables.town2025}`, { token: firm })
      expect(read.status).toBe(200)
      expect(read.body.access.edit).toBe(true)
      expect(read.body.access.actions).toContain('review')
      expect((await t.request('GET', `/api/tables/${tables.unit2025}`, { token: firm })).status).toBe(200)
      expect((await t.request('GET', `/api/tables/${tables.town2024}`, { token: firm })).status).toBe(404)
      expect((await t.request('GET', `/api/tables/${tables.other2025}`, { token: firm })).status).toBe(404)
      const ids = await listed(firm, 2025)
      expect(ids.has(tables.town2025!) && ids.has(tables.unit2025!)).toBe(true)
      expect(ids.has(tables.other2025!)).toBe(false)
      expect((await listed(firm, 2024)).has(tables.town2024!)).toBe(false)
      // a change of difficulty by assigning again is not a conflict
      const again = await t.request('POST', '/api/assignments', { token: finance, body: { year: 2025, consultantId: firmId, departmentIds: [dept['135']], difficulty: 'high' } })
      expect(again.status).toBe(200)
      expect(assignmentListAnswer.parse(again.body).assignments.find((a) => a.departmentId === dept['135'])?.difficulty).toBe('high')
    })

    it('refuses a department another consultant holds that year, whole, naming the holder', async () => {
      const r = await t.request('POST', '/api/assignments', { token: finance, body: { year: 2025, consultantId: zixunId, departmentIds: [dept['120'], dept['601']], difficulty: 'low' } })
      expect(r.status).toBe(409)
      expect(r.body.error.code).toBe('conflict')
      expect(r.body.error.message).toContain('南江市安平镇人民政府已分配给第二咨询公司')
      const all = assignmentListAnswer.parse((await t.request('GET', '/api/assignments?year=2025', { token: finance })).body).assignments
      expect(all.some((a) => a.departmentId === dept['120'])).toBe(false)
      // another year is free
      const other = await t.request('POST', '/api/assignments', { token: finance, body: { year: 2026, consultantId: zixunId, departmentIds: [dept['601']], difficulty: 'town' } })
      expect(other.status).toBe(200)
    })

    it('lets finance read every assignment and a consultant only its own; others not at all', async () => {
      const byFinance = assignmentListAnswer.parse((await t.request('GET', '/api/assignments', { token: finance })).body).assignments
      expect(new Set(byFinance.map((a) => a.consultantId))).toEqual(new Set([firmId, zixunId]))
      const own = assignmentListAnswer.parse((await t.request('GET', '/api/assignments', { token: firm })).body).assignments
      expect(own.every((a) => a.consultantId === firmId) && own.length === 2).toBe(true)
      expect((await t.request('GET', `/api/assignments?consultantId=${zixunId}`, { token: firm })).status).toBe(403)
      const department = await t.login('jiaoyu')
      expect((await t.request('GET', '/api/assignments', { token: department })).status).toBe(403)
      const post = await t.request('POST', '/api/assignments', { token: firm, body: { year: 2025, consultantId: firmId, departmentIds: [dept['121']], difficulty: 'low' } })
      expect(post.status).toBe(403)
    })

    it('answers bad input with the field at fault', async () => {
      const bad = async (body: unknown, field: string, status = 400) => {
        const r = await t.request('POST', '/api/assignments', { token: finance, body })
        expect(r.status, JSON.stringify(r.body)).toBe(status)
        expect(r.body.error.message).toMatch(/[\u4e00-\u9fa5]/)
        expect(JSON.stringify(r.body.error)).toContain(field)
      }
      const ok = { year: 2025, consultantId: firmId, departmentIds: [dept['121']], difficulty: 'low' }
      await bad({ ...ok, difficulty: 'medium' }, 'difficulty')
      await bad({ ...ok, year: 1999 }, 'year')
      await bad({ ...ok, departmentIds: [] }, 'departmentIds')
      await bad({ ...ok, departmentIds: ['d_missing'] }, 'departmentIds')
      const jiaoyuId = (await t.storage.users.getByUsername('jiaoyu'))!.id
      await bad({ ...ok, consultantId: jiaoyuId }, 'consultantId')
      await bad({ ...ok, consultantId: 'u_missing' }, 'consultantId')
      expect((await t.storage.assignments.list({ year: 2025 })).some((a) => a.departmentId === dept['121'])).toBe(false)
    })

    it('takes the rights away when the assignment is removed', async () => {
      const r = await t.request('DELETE', `/api/assignments?year=2025&departmentId=${dept['601']}`, { token: finance })
      expect(r.status).toBe(204)
      expect((await t.request('GET', `/api/tables/${tables.town2025}`, { token: firm })).status).toBe(404)
      expect((await t.request('GET', `/api/tables/${tables.unit2025}`, { token: firm })).status).toBe(200)
      const again = await t.request('DELETE', `/api/assignments?year=2025&departmentId=${dept['601']}`, { token: finance })
      expect(again.status).toBe(404)
    })
  })
}
