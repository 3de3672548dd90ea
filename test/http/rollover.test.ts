// 年度结转 over HTTP (POST /api/rollover, server/tables/rollover.ts) on PGlite, and PostgreSQL when
// TEST_DATABASE_URL is set, over the demo city in years no demo table uses (2030 → 2031): tables approved
// through the API; a 延续 project and a 新增 one still running are carried as 延续 with their indicators
// (targets kept, 备注 marked for review, last year's rows as priorYear, amounts blank), a 一次性 one, an ended
// one and a draft are listed; the department table comes with its tasks; running twice creates nothing; a
// department whose target year holds other tables is refused whole; who may; bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROLLOVER_REVIEW_MARK, rolloverAnswer, type RolloverAnswer } from '../../shared/api/rollover.ts'
import { DEMO_PASSWORD } from '../../server/bootstrap/demo-city.ts'
import { TEST_DATABASE_URL, type TestDatabaseKind } from '../helpers/database.ts'
import { makeTestApp, type TestApp } from '../helpers/app.ts'
import { loadSample } from '../helpers/samples.ts'

const kinds: TestDatabaseKind[] = TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']
const FROM = 2030
const TO = 2031

type Json = Record<string, any>
const s09 = () => loadSample('S09') as Json
const project = (header: Json) => { const c = s09(); c.year = FROM; c.header = { ...c.header, ...header }; return c }

for (const kind of kinds) {
  describe(`rollover over HTTP on ${kind}`, () => {
    let t: TestApp
    const tok: Record<string, string> = {}
    const dept: Record<string, string> = {}
    const ids: Record<string, string> = {}

    const create = async (code: string, content: Json, template = 'mof2021-core', kind = 'project') => {
      const r = await t.request('POST', '/api/tables', { token: tok.caizheng, body: { kind, template, year: content.year, departmentId: dept[code], content } })
      expect(r.status, JSON.stringify(r.body)).toBe(201)
      return r.body.id as string
    }
    const approve = async (id: string) => {
      for (const action of ['submit', 'approve']) {
        const r = await t.request('POST', `/api/tables/${id}/transitions`, { token: tok.caizheng, body: { action } })
        expect(r.status, `${action} ${JSON.stringify(r.body)}`).toBe(200)
      }
    }
    const roll = (who: string, body: Json) => t.request('POST', '/api/rollover', { token: tok[who], body })
    const table = async (id: string) => (await t.request('GET', `/api/tables/${id}`, { token: tok.caizheng })).body as Json
    const count = async (code: string, year: number) => (await t.storage.tables.list({ year, departmentId: dept[code] })).length

    beforeAll(async () => {
      t = await makeTestApp(kind)
      for (const u of ['caizheng', 'jiaoyu', 'anping', 'renda', 'zixun']) tok[u] = await t.login(u)
      for (const d of await t.storage.departments.list()) dept[d.code] = d.id
      ids.continuing = await create('105', project({ projectName: '城区绿化养护（延续）', projectAttribute: '延续' }))
      ids.running = await create('105', project({ projectName: '校园绿化提升（新增）', projectAttribute: '新增', projectPeriod: { start: '2030-01', end: '2032-12', years: 3 } }))
      ids.oneOff = await create('105', project({ projectName: '操场改造（一次性）', oneOff: true }))
      ids.ended = await create('105', project({ projectName: '绿化普查（已结束）', projectAttribute: '新增', projectPeriod: { start: '2030-01', end: '2030-12', years: 1 } }))
      ids.draft = await create('105', project({ projectName: '花卉展（草稿）' }))
      const town = loadSample('S07') as Json
      town.year = FROM
      // the sample repeats one indicator on purpose (R-DUPLICATE-INDICATOR, an error that blocks 报送): keep the first
      const seen = new Set<string>()
      town.indicators = (town.indicators as Json[]).filter((r) => !seen.has(`${r.period}|${r.level3}`) && !!seen.add(`${r.period}|${r.level3}`))
      ids.town = await create('601', town, 'mof2015-dept', 'department')
      ids.health = await create('118', project({ projectName: '医院绿化（卫健）', projectAttribute: '延续' }))
      for (const k of ['continuing', 'running', 'oneOff', 'ended', 'town', 'health']) await approve(ids[k]!)
      // 卫生健康局 already has a 2031 table made by hand: its rollover is refused whole
      ids.health2031 = await create('118', { ...project({ projectName: '已有的2031表' }), year: TO })
    }, 120_000)
    afterAll(async () => {
      await t?.dispose()
    })

    it('refuses viewers, other departments and bad input with Chinese messages naming the field', async () => {
      expect((await roll('renda', { fromYear: FROM })).status).toBe(403)
      const other = await roll('jiaoyu', { fromYear: FROM, departmentIds: [dept['118']] })
      expect(other.status).toBe(403)
      expect(other.body.error.message).toContain('卫生健康局')
      const backwards = await roll('caizheng', { fromYear: FROM, toYear: FROM })
      expect(backwards.status).toBe(400)
      expect(backwards.body.error).toMatchObject({ code: 'invalid_input', details: { field: 'toYear' } })
      expect(backwards.body.error.message).toMatch(/目标年度（toYear）.*必须晚于/)
      const unknown = await roll('caizheng', { fromYear: FROM, departmentIds: ['nope'] })
      expect(unknown.status).toBe(400)
      expect(unknown.body.error).toMatchObject({ details: { field: 'departmentIds' } })
      expect(unknown.body.error.message).toContain('部门（departmentIds）不存在')
      expect((await roll('caizheng', { fromYear: 'x' })).body.error.details.field).toBe('fromYear')
      expect(await count('105', TO)).toBe(0)
    })

    it('previews a department user’s own rollover without storing anything', async () => {
      const r = await roll('jiaoyu', { fromYear: FROM, dryRun: true })
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      const a = rolloverAnswer.parse(r.body)
      expect(a).toMatchObject({ fromYear: FROM, toYear: TO, dryRun: true, refused: [] })
      expect(a.carried.map((c) => [c.sourceTableId, c.tableId]).sort()).toEqual([[ids.continuing, null], [ids.running, null]].sort())
      const reasons = Object.fromEntries(a.leftOut.map((l) => [l.sourceTableId, l.reason]))
      expect(reasons).toEqual({ [ids.oneOff!]: 'one_off', [ids.ended!]: 'ended', [ids.draft!]: 'not_approved' })
      expect(a.leftOut.find((l) => l.reason === 'not_approved')!.message).toContain('草稿')
      expect(await count('105', TO)).toBe(0)
    })

    let first: RolloverAnswer
    it('carries 延续 projects with their indicators marked for review, the department table with its tasks; refuses a department whose target year holds tables', async () => {
      const r = await roll('caizheng', { fromYear: FROM, departmentIds: [dept['105'], dept['601'], dept['118']] })
      expect(r.status, JSON.stringify(r.body)).toBe(201)
      first = rolloverAnswer.parse(r.body)
      expect(first.carried.map((c) => c.sourceTableId).sort()).toEqual([ids.continuing, ids.running, ids.town].sort())
      expect(first.refused).toEqual([expect.objectContaining({ departmentId: dept['118'], departmentName: '南江市卫生健康局' })])
      expect(first.refused[0]!.message).toMatch(/2031 年度已有 1 张/)
      expect(await count('118', TO)).toBe(1) // only the hand-made one: nothing half-done

      const source = await table(ids.running!)
      const byId = Object.fromEntries(first.carried.map((c) => [c.sourceTableId, c.tableId!]))
      const next = await table(byId[ids.running!]!)
      expect(next).toMatchObject({ year: TO, status: 'draft', title: '校园绿化提升（新增）', departmentName: '南江市教育局' })
      expect(next.content.header.projectAttribute).toBe('延续')
      expect(next.content.funds.annual).toEqual({ total: null, fiscal: null, other: null })
      expect(next.content.indicators.map((r: Json) => [r.level3, r.comparator, r.target, r.unit]))
        .toEqual(source.content.indicators.map((r: Json) => [r.level3, r.comparator, r.target, r.unit]))
      for (const row of next.content.indicators) expect(row.remark).toContain(ROLLOVER_REVIEW_MARK)
      expect(next.content.priorYear.map((p: Json) => p.target)).toEqual(source.content.indicators.map((r: Json) => r.target))
      const findings = await t.request('GET', `/api/tables/${byId[ids.running!]}/findings`, { token: tok.caizheng })
      expect(findings.body.findings).toContainEqual(expect.objectContaining({ ruleId: 'R-CONTINUING-BASELINE' }))

      const townSource = await table(ids.town!)
      const town = await table(byId[ids.town!]!)
      expect(town.kind).toBe('department')
      expect(town.content.tasks.map((x: Json) => [x.name, x.content])).toEqual(townSource.content.tasks.map((x: Json) => [x.name, x.content]))
      expect(town.content.tasks.length).toBeGreaterThan(0)
      expect(town.content.tasks.every((x: Json) => x.total === null)).toBe(true)

      const audit = (await t.storage.audit.list({ action: 'tables.rollover' })).filter((e) => e.action === 'tables.rollover')
      expect(audit.map((e) => e.details)).toEqual([expect.objectContaining({ fromYear: FROM, toYear: TO, carried: 3, refused: ['南江市卫生健康局'] })])
    })

    it('creates nothing twice: a second run lists every carried table as already rolled over', async () => {
      const before = await count('105', TO)
      const r = await roll('jiaoyu', { fromYear: FROM })
      expect(r.status).toBe(201)
      const a = rolloverAnswer.parse(r.body)
      expect(a.carried).toEqual([])
      expect(a.leftOut.filter((l) => l.reason === 'already_rolled').map((l) => l.sourceTableId).sort()).toEqual([ids.continuing, ids.running].sort())
      expect(await count('105', TO)).toBe(before)
      // and the database itself refuses a second live table from the same source
      await expect(t.storage.tables.create({ kind: 'project', template: 'mof2021-core', year: 2032, departmentId: dept['105']!, rolledFromId: ids.continuing! }))
        .rejects.toMatchObject({ code: 'conflict' })
    })

    it('creates one table when two rollovers of the same department run at once', async () => {
      const id = await create('126', project({ projectName: '文化惠民（并发）', projectAttribute: '延续' }))
      await approve(id)
      const both = await Promise.all([roll('caizheng', { fromYear: FROM, departmentIds: [dept['126']] }), roll('caizheng', { fromYear: FROM, departmentIds: [dept['126']] })])
      expect(both.map((r) => r.status)).toEqual([201, 201])
      expect(both.map((r) => r.body.carried.length).sort()).toEqual([0, 1])
      expect(both.flatMap((r) => r.body.leftOut.map((l: Json) => l.reason))).toEqual(['already_rolled'])
      expect(await count('126', TO)).toBe(1)
    })

    it('lets a consultant roll over only departments assigned to it in the target year', async () => {
      const firmId = (await t.storage.users.create({ username: 'firm3', password: DEMO_PASSWORD, displayName: '第三咨询公司', role: 'consultant' })).id
      tok.firm3 = await t.login('firm3')
      const refused = await roll('firm3', { fromYear: FROM, departmentIds: [dept['105']], dryRun: true })
      expect(refused.status).toBe(403)
      expect((await roll('firm3', { fromYear: FROM, dryRun: true })).body.carried).toEqual([])
      const assigned = await t.request('POST', '/api/assignments', { token: tok.caizheng, body: { year: TO, consultantId: firmId, departmentIds: [dept['601']], difficulty: 'town' } })
      expect(assigned.status, JSON.stringify(assigned.body)).toBe(200)
      // the target year's assignment lets it roll the department, but last year's tables it may not read stay unseen
      expect(rolloverAnswer.parse((await roll('firm3', { fromYear: FROM, departmentIds: [dept['601']], dryRun: true })).body).leftOut).toEqual([])
      await t.request('POST', '/api/assignments', { token: tok.caizheng, body: { year: FROM, consultantId: firmId, departmentIds: [dept['601']], difficulty: 'town' } })
      const a = rolloverAnswer.parse((await roll('firm3', { fromYear: FROM, dryRun: true })).body)
      expect(a.leftOut.map((l) => [l.sourceTableId, l.reason])).toEqual([[ids.town, 'already_rolled']])
    })
  })
}
