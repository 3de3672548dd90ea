// 工作阶段 / 截止日期 / 工作台账 / 总览 over HTTP (server/http/routes/workflow.ts) on PGlite, and PostgreSQL when
// TEST_DATABASE_URL is set, over the demo city in a year of its own (2027): the stage derived from real tables
// moved through the lifecycle (create, submit, return, approve, a finished book), raised by hand but never
// lowered; deadlines (past dates refused, an overdue department judged on the bureau's date or an injected
// one); who sees which ledger rows; the overview's tree order and totals; both xlsx files read back.
import ExcelJS from 'exceljs'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deadlineListAnswer, ledgerAnswer, overviewAnswer, stageInfo, type OverviewAnswer } from '../../shared/api/workflow.ts'
import { bureauDate } from '../../shared/workflow/stage.ts'
import { DEMO_PASSWORD } from '../../server/bootstrap/demo-city.ts'
import { buildLedger } from '../../server/workflow/ledger.ts'
import { buildOverview } from '../../server/workflow/overview.ts'
import { OVERDUE_FILL } from '../../server/workflow/workflow-xlsx.ts'
import { TEST_DATABASE_URL, type TestDatabaseKind } from '../helpers/database.ts'
import { makeTestApp, type TestApp } from '../helpers/app.ts'
import { loadSample } from '../helpers/samples.ts'

const kinds: TestDatabaseKind[] = TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']
const YEAR = 2027
const TREE = ['103', '103001', '105', '118', '120', '121', '126', '126001', '131', '135', '135001', '152', '601']

for (const kind of kinds) {
  describe(`workflow (stages, deadlines, ledger, overview) over HTTP on ${kind}`, () => {
    let t: TestApp
    const tok: Record<string, string> = {} as Record<string, string>
    const dept: Record<string, string> = {}
    let firmId: string
    let zixunId: string
    const tables: Record<string, string> = {}

    const create = async (code: string, title: string) => {
      const content: Record<string, any> = { ...(loadSample('S09') as Record<string, any>), year: YEAR }
      content.header = { ...content.header, projectName: title }
      const r = await t.request('POST', '/api/tables', { token: tok.caizheng, body: { kind: 'project', template: 'mof2021-core', year: YEAR, departmentId: dept[code], content } })
      expect(r.status, JSON.stringify(r.body)).toBe(201)
      return r.body.id as string
    }
    const move = async (id: string, action: string, reason?: string) => {
      const r = await t.request('POST', `/api/tables/${id}/transitions`, { token: tok.caizheng, body: { action, ...(reason ? { reason } : {}) } })
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      return r.body as { status: string; round: number }
    }
    const overview = async (): Promise<OverviewAnswer> => {
      const r = await t.request('GET', `/api/overview?year=${YEAR}`, { token: tok.caizheng })
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      return overviewAnswer.parse(r.body)
    }
    const rowOf = (o: OverviewAnswer, code: string) => o.rows.find((r) => r.code === code)!
    const stageOf = async (code: string) => rowOf(await overview(), code).stage
    const putStage = (who: string, code: string, body: unknown) => t.request('PUT', `/api/departments/${dept[code] ?? code}/stage`, { token: tok[who], body })
    const putDeadline = (who: string, body: unknown) => t.request('PUT', '/api/deadlines', { token: tok[who], body })

    beforeAll(async () => {
      t = await makeTestApp(kind)
      for (const d of await t.storage.departments.list()) dept[d.code] = d.id
      firmId = (await t.storage.users.create({ username: 'firm2', password: DEMO_PASSWORD, displayName: '第二咨询公司', role: 'consultant' })).id
      zixunId = (await t.storage.users.getByUsername('zixun'))!.id
      for (const u of ['caizheng', 'zixun', 'firm2', 'jiaoyu', 'renda', 'wenlv']) tok[u] = await t.login(u)
      const assign = async (consultantId: string, codes: string[], difficulty: string) => {
        const r = await t.request('POST', '/api/assignments', { token: tok.caizheng, body: { year: YEAR, consultantId, departmentIds: codes.map((c) => dept[c]), difficulty } })
        expect(r.status, JSON.stringify(r.body)).toBe(200)
      }
      await assign(firmId, ['126', '601'], 'high')
      await assign(zixunId, ['105'], 'low')
      // assignments are read at sign-in: sign the consultants in again
      tok.firm2 = await t.login('firm2')
      tok.zixun = await t.login('zixun')
    }, 60_000)
    afterAll(async () => {
      await t?.dispose()
    })

    it('derives a department’s stage from its own and its units’ tables through the lifecycle', async () => {
      expect(await stageOf('126')).toEqual({ stage: 'materials', source: 'derived', derived: 'materials', manual: null, manualNote: null })
      tables.dept = await create('126', '文化惠民工程')
      tables.unit = await create('126001', '文化馆免费开放')
      let o = await overview()
      expect(rowOf(o, '126').stage.stage).toBe('draft')
      expect(rowOf(o, '126').tables).toEqual({ total: 1, draft: 1, submitted: 0, returned: 0, approved: 0 })
      expect(rowOf(o, '126001').tables.total).toBe(1)
      expect(rowOf(o, '126001').stage).toEqual(rowOf(o, '126').stage) // a unit shows its department's stage

      await move(tables.dept, 'submit')
      expect((await stageOf('126')).stage).toBe('draft') // the unit's table is still a draft
      await move(tables.unit, 'submit')
      expect((await stageOf('126')).stage).toBe('consultation')
      await move(tables.unit, 'return', '请补充产出指标')
      await move(tables.dept, 'approve')
      o = await overview()
      expect(rowOf(o, '126').stage.stage).toBe('consultation')
      expect(rowOf(o, '126').tables).toEqual({ total: 1, draft: 0, submitted: 0, returned: 0, approved: 1 })
      expect(rowOf(o, '126001').tables).toEqual({ total: 1, draft: 0, submitted: 0, returned: 1, approved: 0 })

      expect(await move(tables.unit, 'submit')).toMatchObject({ status: 'submitted', round: 2 })
      const ledger = ledgerAnswer.parse((await t.request('GET', `/api/ledger?year=${YEAR}`, { token: tok.caizheng })).body)
      const row = ledger.rows.find((r) => r.departmentId === dept['126'])!
      expect(row).toMatchObject({ consultantId: firmId, consultantName: '第二咨询公司', difficulty: 'high', currentRound: 2, tables: { total: 2, submitted: 1, approved: 1 } })
      expect(row.lastActivityAt).not.toBeNull()
      await move(tables.unit, 'approve')
      expect(await stageOf('126')).toMatchObject({ stage: 'final', source: 'derived' })
      const afterApproval = ledgerAnswer.parse((await t.request('GET', `/api/ledger?year=${YEAR}`, { token: tok.caizheng })).body).rows.find((r) => r.departmentId === dept['126'])!
      expect(afterApproval.currentRound).toBeNull() // nothing in review
      expect(Date.parse(afterApproval.lastActivityAt!)).toBeGreaterThanOrEqual(Date.parse(row.lastActivityAt!))
    })

    it('counts a department as compiled only once a finished book of the year holds its approved tables', async () => {
      const book = async (params: Record<string, unknown>, finishedAt: string) => {
        const job = await t.storage.jobs.create({ kind: 'compilation', params: { year: YEAR, format: 'xlsx', edition: 'internal', ...params }, total: 1, createdBy: null })
        await t.storage.db.execute(sql`update jobs set status = 'done', finished_at = ${finishedAt}::timestamptz where id = ${job.id}`)
        return job.id
      }
      await book({}, '2020-01-01T00:00:00Z') // finished before the approvals
      await book({ year: YEAR + 1 }, new Date(Date.now() + 60_000).toISOString()) // another year's book
      await book({ departmentIds: [dept['105']] }, new Date(Date.now() + 60_000).toISOString()) // another department's
      expect((await stageOf('126')).stage).toBe('final')
      await book({ departmentIds: [dept['126']] }, new Date(Date.now() + 60_000).toISOString()) // the department, its unit included
      expect(await stageOf('126')).toMatchObject({ stage: 'compiled', derived: 'compiled', source: 'derived' })
    })

    it('lets the consultant raise a stage where the tables cannot say, never lowering what they prove', async () => {
      expect((await stageOf('601')).stage).toBe('materials')
      const raised = await putStage('firm2', '601', { year: YEAR, stage: 'draft', note: '资料已收齐' })
      expect(raised.status, JSON.stringify(raised.body)).toBe(200)
      expect(stageInfo.parse(raised.body)).toEqual({ stage: 'draft', source: 'manual', derived: 'materials', manual: 'draft', manualNote: '资料已收齐' })
      expect(await stageOf('601')).toMatchObject({ stage: 'draft', source: 'manual' })
      // a stage below the derived one is kept as said but does not move the department back
      const lower = await putStage('caizheng', '126', { year: YEAR, stage: 'draft' })
      expect(lower.status).toBe(200)
      expect(stageInfo.parse(lower.body)).toMatchObject({ stage: 'compiled', source: 'derived', manual: 'draft' })
      const cleared = await putStage('caizheng', '126', { year: YEAR, stage: null })
      expect(stageInfo.parse(cleared.body)).toMatchObject({ stage: 'compiled', manual: null })
      const audit = await t.storage.audit.list({ action: 'stage.set' })
      expect(audit.map((a) => a.details)).toContainEqual(expect.objectContaining({ year: YEAR, departmentId: dept['601'], from: null, to: 'draft' }))
      expect((await t.storage.audit.list({ action: 'stage.clear' })).length).toBe(1)
    })

    it('refuses a stage from others, for a unit (naming its department) and for an unknown department', async () => {
      const other = await putStage('zixun', '601', { year: YEAR, stage: 'final' }) // zixun is not assigned 601
      expect(other.status).toBe(403)
      expect(other.body.error.code).toBe('forbidden')
      expect((await putStage('jiaoyu', '105', { year: YEAR, stage: 'draft' })).status).toBe(403)
      expect((await putStage('renda', '105', { year: YEAR, stage: 'draft' })).status).toBe(403)
      const unit = await putStage('firm2', '126001', { year: YEAR, stage: 'final' })
      expect(unit.status).toBe(400)
      expect(unit.body.error).toMatchObject({ code: 'invalid_input', details: { field: 'id', departmentId: dept['126'] } })
      expect(unit.body.error.message).toContain('南江市文化广电旅游体育局')
      expect((await putStage('caizheng', 'd_missing', { year: YEAR, stage: 'draft' })).status).toBe(404)
      const bad = await putStage('caizheng', '105', { year: YEAR, stage: 'done' })
      expect(bad.status).toBe(400)
      expect(bad.body.error.details.field).toBe('stage')
      expect((await t.storage.workflow.getStage(YEAR, dept['126001']!))).toBeNull() // nothing written
    })

    it('sets deadlines from today on, refuses past dates and 资料收集, and lets consultants read them', async () => {
      const today = bureauDate()
      const yesterday = new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10)
      const past = await putDeadline('caizheng', { year: YEAR, stage: 'final', dueDate: yesterday })
      expect(past.status).toBe(400)
      expect(past.body.error).toMatchObject({ code: 'invalid_input', details: { field: 'dueDate' }, message: `截止日期不能早于今天（${today}）` })
      const first = await putDeadline('caizheng', { year: YEAR, stage: 'materials', dueDate: today })
      expect(first.status).toBe(400)
      expect(first.body.error.details.field).toBe('stage')
      expect((await putDeadline('caizheng', { year: YEAR, stage: 'final', dueDate: '2027-02-30' })).body.error.details.field).toBe('dueDate')
      expect((await putDeadline('firm2', { year: YEAR, stage: 'final', dueDate: today })).status).toBe(403)
      expect((await t.storage.workflow.deadlines(YEAR)).length).toBe(0)

      const set = await putDeadline('caizheng', { year: YEAR, stage: 'final', dueDate: today })
      expect(set.status, JSON.stringify(set.body)).toBe(200)
      const answer = deadlineListAnswer.parse(set.body)
      expect(answer.deadlines).toEqual([expect.objectContaining({ year: YEAR, stage: 'final', dueDate: today, setByName: '李敏（财政局绩效科）' })])
      const read = await t.request('GET', `/api/deadlines?year=${YEAR}`, { token: tok.firm2 })
      expect(deadlineListAnswer.parse(read.body).deadlines.map((d) => d.dueDate)).toEqual([today])
      expect((await t.request('GET', `/api/deadlines?year=${YEAR}`, { token: tok.jiaoyu })).status).toBe(403)
      // due today is not late yet
      const o = await overview()
      expect(o.today).toBe(today)
      expect(rowOf(o, '105').deadline).toEqual({ stage: 'final', dueDate: today, overdue: false, days: 0 })
      expect(rowOf(o, '126').deadline).toBeNull() // compiled: nothing left to reach
      expect(o.totals.overdue).toBe(0)
      // the same deadline judged three days later (an injected clock)
      const later = new Date(Date.parse(`${today}T00:00:00Z`) + 3 * 86_400_000).toISOString().slice(0, 10)
      const judged = await buildOverview(t.storage, YEAR, { today: later })
      expect(judged.rows.find((r) => r.code === '105')!.deadline).toEqual({ stage: 'final', dueDate: today, overdue: true, days: 3 })
      expect(judged.totals.overdue).toBe(9) // every department and town but 126
      expect((await buildLedger(t.storage, YEAR, { consultantId: firmId }, { today: later })).rows.find((r) => r.departmentCode === '601')!.deadline?.overdue).toBe(true)
      expect((await t.storage.audit.list({ action: 'deadline.set' })).map((a) => a.details)).toEqual([{ year: YEAR, stage: 'final', dueDate: today }])
    })

    it('marks a department overdue once a deadline of a stage it has not reached has passed', async () => {
      await t.storage.workflow.setDeadline({ year: YEAR, stage: 'draft', dueDate: '2026-01-10', setBy: null }) // written in the past directly
      const o = await overview()
      expect(rowOf(o, '105').deadline).toMatchObject({ stage: 'draft', dueDate: '2026-01-10', overdue: true })
      expect(rowOf(o, '105').deadline!.days).toBeGreaterThan(300)
      expect(rowOf(o, '601').deadline).toMatchObject({ stage: 'final', overdue: false }) // raised to 初稿 by hand: the next deadline is 正式稿's
      expect(rowOf(o, '103001').deadline).toEqual(rowOf(o, '103').deadline) // a unit is measured with its department
      expect(o.totals.overdue).toBe(8) // all but 126 (compiled) and 601 (draft)
      expect(o.deadlines.map((d) => d.stage)).toEqual(['draft', 'final'])
      // clearing a deadline
      const cleared = await putDeadline('caizheng', { year: YEAR, stage: 'draft', dueDate: null })
      expect(deadlineListAnswer.parse(cleared.body).deadlines.map((d) => d.stage)).toEqual(['final'])
      await t.storage.workflow.setDeadline({ year: YEAR, stage: 'draft', dueDate: '2026-01-10', setBy: null })
    })

    it('shows a consultant only its own ledger rows; others get 403', async () => {
      const own = ledgerAnswer.parse((await t.request('GET', `/api/ledger?year=${YEAR}`, { token: tok.firm2 })).body)
      expect(own.rows.map((r) => [r.departmentCode, r.consultantId])).toEqual([['126', firmId], ['601', firmId]])
      expect((await t.request('GET', `/api/ledger?year=${YEAR}&consultantId=${firmId}`, { token: tok.firm2 })).status).toBe(200)
      const other = await t.request('GET', `/api/ledger?year=${YEAR}&consultantId=${zixunId}`, { token: tok.firm2 })
      expect(other.status).toBe(403)
      expect(other.body.error.details.field).toBe('consultantId')
      const zixun = ledgerAnswer.parse((await t.request('GET', `/api/ledger?year=${YEAR}`, { token: tok.zixun })).body)
      expect(zixun.rows.map((r) => r.departmentCode)).toEqual(['105'])
      const all = ledgerAnswer.parse((await t.request('GET', `/api/ledger?year=${YEAR}`, { token: tok.caizheng })).body)
      expect(all.rows.map((r) => r.departmentCode).sort()).toEqual(['105', '126', '601'])
      const filtered = ledgerAnswer.parse((await t.request('GET', `/api/ledger?year=${YEAR}&consultantId=${zixunId}`, { token: tok.caizheng })).body)
      expect(filtered.rows.map((r) => r.departmentCode)).toEqual(['105'])
      expect((await t.request('GET', `/api/ledger?year=${YEAR}`, { token: tok.jiaoyu })).status).toBe(403)
      expect((await t.request('GET', `/api/ledger?year=${YEAR}`, { token: tok.renda })).status).toBe(403)
      expect((await t.request('GET', `/api/ledger?year=1999`, { token: tok.caizheng })).body.error.details.field).toBe('year')
      // the overview is finance's only
      expect((await t.request('GET', `/api/overview?year=${YEAR}`, { token: tok.firm2 })).status).toBe(403)
      expect((await t.request('GET', `/api/overview?year=${YEAR}`, { token: tok.renda })).status).toBe(403)
    })

    it('counts the 资料清单 and the open threads and errors of the department and its units in the ledger', async () => {
      for (const [item, status] of [[1, 'received'], [2, 'received'], [3, 'not_applicable']] as const) {
        const r = await t.request('PUT', `/api/departments/${dept['601']}/materials/${item}`, { token: tok.firm2, body: { year: YEAR, status } })
        expect(r.status, JSON.stringify(r.body)).toBe(200)
      }
      const townTable = await create('601', '安平镇道路养护')
      await t.storage.tables.setOpenThreads(townTable, 2)
      await t.storage.tables.setFindingCounts([{ id: townTable, counts: { errors: 3, warnings: 1, infos: 0 }, version: 999_999 }])
      const row = ledgerAnswer.parse((await t.request('GET', `/api/ledger?year=${YEAR}`, { token: tok.firm2 })).body).rows.find((r) => r.departmentCode === '601')!
      expect(row.materials).toEqual({ received: 2, notApplicable: 1, missing: 9, files: 0 })
      expect(row).toMatchObject({ openThreads: 2, errorCount: 3, tables: { total: 1, draft: 1 } })
      expect(row.stage).toMatchObject({ stage: 'draft', derived: 'draft' })
    })

    it('takes a comment, a reply and a resolution as the latest activity, not only the tables’ own changes', async () => {
      const townRow = async () => ledgerAnswer.parse((await t.request('GET', `/api/ledger?year=${YEAR}`, { token: tok.firm2 })).body).rows.find((r) => r.departmentCode === '601')!
      const [townTable] = await t.storage.tables.list({ year: YEAR, departmentId: dept['601'] })
      const before = Date.parse((await townRow()).lastActivityAt!)
      const at = (hours: number) => new Date(before + hours * 3_600_000)
      const thread = await t.storage.comments.createThread({ tableId: townTable!.id, round: 1, authorId: firmId, text: '请补充数据来源', createdAt: at(1) })
      expect((await townRow()).lastActivityAt).toBe(at(1).toISOString())
      await t.storage.comments.addMessage({ threadId: thread.id, authorId: firmId, text: '已补充', createdAt: at(2) })
      expect((await townRow()).lastActivityAt).toBe(at(2).toISOString())
      await t.storage.comments.setStatus(thread.id, 'resolved', at(3))
      expect((await townRow()).lastActivityAt).toBe(at(3).toISOString())
      // the overview's row says the same for the town's own tables
      expect(rowOf(await overview(), '601').lastActivityAt).toBe(at(3).toISOString())
    })

    it('lists every department, unit and town in tree order with their totals', async () => {
      const o = await overview()
      expect(o.rows.map((r) => r.code)).toEqual(TREE)
      expect(rowOf(o, '126001')).toMatchObject({ kind: 'unit', parentId: dept['126'], consultant: { id: firmId, name: '第二咨询公司' }, difficulty: 'high' })
      expect(rowOf(o, '105')).toMatchObject({ kind: 'department', parentId: null, consultant: { id: zixunId }, difficulty: 'low' })
      expect(rowOf(o, '118')).toMatchObject({ consultant: null, difficulty: null })
      expect(rowOf(o, '601')).toMatchObject({ kind: 'town', errorCount: 3, warningCount: 1, openThreads: 2 })
      expect(o.totals).toEqual({ departments: 10, tables: { total: 3, draft: 1, submitted: 0, returned: 0, approved: 2 }, overdue: 8, errorCount: 3, openThreads: 2 })
      // other years are apart
      const other = overviewAnswer.parse((await t.request('GET', `/api/overview?year=${YEAR + 5}`, { token: tok.caizheng })).body)
      expect(other.totals.tables.total).toBe(0)
      expect(other.rows.every((r) => r.stage.stage === 'materials' && r.consultant === null)).toBe(true)
    })

    async function sheetOf(path: string, token: string | undefined) {
      const res = await t.app.request(path, { headers: { authorization: `Bearer ${token}` } })
      expect(res.status).toBe(200)
      const wb = new ExcelJS.Workbook()
      await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ArrayBuffer)
      return { res, ws: wb.worksheets[0]! }
    }
    const values = (ws: ExcelJS.Worksheet, r: number) => (ws.getRow(r).values as unknown[]).slice(1)
    const fillOf = (ws: ExcelJS.Worksheet, r: number) => (ws.getRow(r).getCell(1).fill as ExcelJS.FillPattern | undefined)?.fgColor?.argb

    it('exports the ledger as xlsx: Chinese headings, a row per department, overdue rows light red, frozen header', async () => {
      const { res, ws } = await sheetOf(`/api/ledger?year=${YEAR}&format=xlsx`, tok.firm2)
      expect(res.headers.get('content-type')).toContain('spreadsheetml')
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="ledger-${YEAR}.xlsx"; filename*=UTF-8''${encodeURIComponent(`${YEAR}年度工作台账.xlsx`)}`)
      expect(ws.name).toBe('工作台账')
      expect(values(ws, 1).slice(0, 6)).toEqual(['第三方机构', '部门代码', '部门名称', '难度分类', '工作阶段', '表格合计'])
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 })
      expect(ws.getColumn(3).width).toBe(30)
      expect(ws.rowCount).toBe(3)
      const header = values(ws, 1) as string[]
      const town = Object.fromEntries(header.map((h, i) => [h, values(ws, 3)[i]]))
      expect(town).toMatchObject({ 部门代码: '601', 部门名称: '南江市安平镇人民政府', 难度分类: '难度较高', 工作阶段: '初稿', 表格合计: 1, 草稿: 1, 资料已收到: 2, 资料未收到: 9, 下一截止阶段: '正式稿' })
      const culture = Object.fromEntries(header.map((h, i) => [h, values(ws, 2)[i]]))
      expect(culture).toMatchObject({ 部门代码: '126', 工作阶段: '汇编', 已批复: 2 })
      expect(fillOf(ws, 2)).toBeUndefined() // compiled: not late
      expect(fillOf(ws, 3)).toBeUndefined() // 601 is at 初稿, its next deadline (正式稿) is today
      // judged later, both of firm2's departments… only 601 can be late (126 is compiled)
      const late = await sheetOf(`/api/ledger?year=${YEAR}&format=xlsx`, tok.caizheng)
      const rows = Array.from({ length: late.ws.rowCount - 1 }, (_, i) => i + 2)
      const overdueCodes = rows.filter((r) => fillOf(late.ws, r) === OVERDUE_FILL).map((r) => late.ws.getRow(r).getCell(2).value)
      expect(overdueCodes).toEqual(['105']) // past its 初稿 deadline of 2026-01-10
      expect((await t.app.request(`/api/ledger?year=${YEAR}&format=xlsx`, { headers: { authorization: `Bearer ${tok.jiaoyu}` } })).status).toBe(403)
    })

    it('exports the overview as xlsx in tree order with units indented and overdue rows light red', async () => {
      const { res, ws } = await sheetOf(`/api/overview?year=${YEAR}&format=xlsx`, tok.caizheng)
      expect(res.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent(`${YEAR}年度工作总览.xlsx`)}`)
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 })
      expect(ws.rowCount).toBe(TREE.length + 1)
      expect(Array.from({ length: TREE.length }, (_, i) => ws.getRow(i + 2).getCell(1).value)).toEqual(TREE)
      const header = values(ws, 1) as string[]
      expect(header).toContain('未解决意见')
      const unit = Object.fromEntries(header.map((h, i) => [h, values(ws, TREE.indexOf('126001') + 2)[i]]))
      expect(unit).toMatchObject({ 类型: '单位', 工作阶段: '汇编', 第三方机构: '第二咨询公司', 已批复: 1 })
      expect(String(unit['部门（单位、镇街）'])).toMatch(/^\s+南江市文化馆$/)
      expect(fillOf(ws, TREE.indexOf('105') + 2)).toBe(OVERDUE_FILL)
      expect(fillOf(ws, TREE.indexOf('126') + 2)).toBeUndefined()
      const town = Object.fromEntries(header.map((h, i) => [h, values(ws, TREE.indexOf('601') + 2)[i]]))
      expect(town).toMatchObject({ 工作阶段: '初稿', 错误: 3, 警告: 1 })
    })
  })
}
