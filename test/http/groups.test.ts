// 同质化部门组 and 示范点 over HTTP and the live socket (shared/api/groups.ts; server/workflow/), on PGlite
// and, when TEST_DATABASE_URL is set, PostgreSQL, in a year no demo table uses (2032). A 民主党派 group:
// 民进's table (S06) holds the shared set; 民建 has no table (created), 九三 has a draft with a row of its
// own (written, live to its open WebsocketProvider), 致公's table is approved (skipped, never written).
// 九三 overrides a target in the grid; the group table changes that target and another, drops one row and
// adds one: re-propagation keeps 九三's own value (keep) and brings the rest. Two propagations at once create a
// missing table once, in one process and (PostgreSQL) in two. A demo-towns group promotes an approved town set to other towns. Bad input and who may.
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { targetTables } from '../../server/db/schema.ts'
import { groupListAnswer, propagationReport, type PropagationMember, type PropagationReport } from '../../shared/api/groups.ts'
import { deleteRow, getRow, insertRow, rowIds, setRowField, yDocToJson } from '../../shared/ydoc/index.ts'
import { DEMO_PASSWORD } from '../../server/bootstrap/demo-city.ts'
import { loadStoredDoc } from '../../server/tables/documents.ts'
import { propagate as propagateGroup, storedDocWriter } from '../../server/workflow/propagate.ts'
import { openDatabase } from '../../server/db/open.ts'
import { createStorage } from '../../server/storage/index.ts'
import { TEST_DATABASE_URL, type TestDatabaseKind } from '../helpers/database.ts'
import { connectClient, sleep, waitFor, type TestClient } from '../helpers/collab-clients.ts'
import { loadSample } from '../helpers/samples.ts'
import { startServer, type RunningServer } from '../helpers/server.ts'

const kinds: TestDatabaseKind[] = TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']
const YEAR = 2032

type Json = Record<string, any>
type Row = { id: string; period: string; level3: string; target: string; comparator: string; unit: string }

const A = '提交集体提案数量' // 九三 overrides its target; the group changes it too
const B = '报送社情民意信息数量' // only the group changes it
const C = '完成重点调研课题数量' // the group removes it
const D = '新增：参加协商座谈次数' // the group adds it

function deptContent(name: string, code: string, indicators?: Json[]): Json {
  const c = loadSample('S06') as Json
  c.year = YEAR
  c.header = { ...c.header, deptName: name, deptCode: code }
  // the sample keeps three errors on purpose (R-DEPT-TASK-SUM, two R-VAGUE-WORDING): fixed, so it may be approved
  c.taskTotals = { ...c.taskTotals, total: 344.9, fiscal: 344.9 }
  c.indicators = indicators ?? (c.indicators as Json[]).filter((r) => !['进一步提升', '有所提高'].includes(r.target))
  return c
}

for (const kind of kinds) {
  describe(`groups and propagation on ${kind}`, () => {
    let s: RunningServer
    const tok: Record<string, string> = {}
    const dept: Record<string, string> = {}
    const ids: Record<string, string> = {}
    const clients: TestClient[] = []
    let groupId = ''

    const api = (who: string, method: string, path: string, body?: unknown) => s.api(method, path, tok[who], body)
    const create = async (code: string, content: Json, tkind = 'department', template = 'mof2015-dept') => {
      const r = await api('caizheng', 'POST', '/api/tables', { kind: tkind, template, year: content.year, departmentId: dept[code], content })
      expect(r.status, JSON.stringify(r.body)).toBe(201)
      return r.body.id as string
    }
    const approve = async (id: string | undefined) => {
      for (const action of ['submit', 'approve']) {
        const r = await api('caizheng', 'POST', `/api/tables/${id}/transitions`, { action })
        expect(r.status, `${action} ${JSON.stringify(r.body)}`).toBe(200)
      }
    }
    const stored = async (id: string | undefined) => yDocToJson(await loadStoredDoc(s.storage, id!, 'table')) as Json
    const rowsOf = async (id: string | undefined) => (await stored(id)).indicators as Row[]
    const byName = (rows: Row[], name: string) => rows.find((r) => r.level3 === name)
    const until = async (pred: () => Promise<boolean>, what: string) => {
      const t0 = Date.now()
      while (!(await pred())) {
        if (Date.now() - t0 > 10_000) throw new Error(`timed out waiting for ${what}`)
        await sleep(25)
      }
    }
    const propagate = async (dryRun: boolean) => {
      const r = await api('caizheng', 'POST', `/api/groups/${groupId}/propagate`, { dryRun })
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      return propagationReport.parse(r.body) as PropagationReport
    }
    const memberOf = (report: PropagationReport, code: string) => report.members.find((m) => m.departmentId === dept[code]) as PropagationMember

    beforeAll(async () => {
      s = await startServer(kind)
      await s.storage.users.create({ username: 'firm9', password: DEMO_PASSWORD, displayName: '第九咨询公司', role: 'consultant' })
      for (const u of ['caizheng', 'jiaoyu', 'renda', 'zixun', 'firm9']) tok[u] = await s.login(u)
      for (const [code, name, k] of [['153', '中国民主建国会南江市委员会', 'department'], ['154', '九三学社南江市委员会', 'department'], ['155', '中国致公党南江市委员会', 'department'],
        ['156', '中国农工民主党南江市委员会', 'department'], ['602', '南江市东岭镇人民政府', 'town'], ['603', '南江市西岭镇人民政府', 'town']] as const) {
        await s.storage.departments.create({ code, name, kind: k })
      }
      for (const d of await s.storage.departments.list()) dept[d.code] = d.id
      ids.source = await create('152', deptContent('中国民主促进会南江市委员会', '152'))
      ids.jiusan = await create('154', deptContent('九三学社南江市委员会', '154', [
        { period: 'annual', level1: '效益指标', level2: '社会效益指标', level3: '九三自有：科普讲座场次', comparator: '≥', target: '6', unit: '场' },
      ]))
      ids.zhigong = await create('155', deptContent('中国致公党南江市委员会', '155'))
      await approve(ids.zhigong)
      ids.lastYear = await create('153', { ...deptContent('中国民主建国会南江市委员会', '153'), year: YEAR - 1 })
      // the demo town's approved set (S07 repeats one indicator on purpose: keep the first, so it may be approved)
      const town = loadSample('S07') as Json
      town.year = YEAR
      const seen = new Set<string>()
      town.indicators = (town.indicators as Json[]).filter((r) => !seen.has(`${r.period}|${r.level3}`) && !!seen.add(`${r.period}|${r.level3}`))
      ids.town = await create('601', town)
      // 东岭镇 already has a draft with the same rows (adopted by name on the first propagation), one target its own
      const draft = structuredClone(town)
      draft.header = { ...town.header, deptName: '南江市东岭镇人民政府' }
      draft.indicators[0].target = '999'
      ids.townDraft = await create('602', draft)
    }, 180_000)
    afterAll(async () => {
      for (const c of clients) c.destroy()
      await s?.close()
    })

    it('creates a group, refuses a department already in another group (also when two requests race), bad kinds and sources, and callers who may not', async () => {
      const made = await api('caizheng', 'POST', '/api/groups', { name: '民主党派', kind: 'homogeneous', year: YEAR, departmentIds: [dept['152'], dept['153'], dept['154'], dept['155']], sourceTableId: ids.source })
      expect(made.status, JSON.stringify(made.body)).toBe(201)
      groupId = made.body.id
      expect(made.body).toMatchObject({ name: '民主党派', kind: 'homogeneous', year: YEAR, sourceTableId: ids.source, sourceDepartmentId: dept['152'], lastPropagatedAt: null })
      expect(made.body.members.map((m: Json) => m.code)).toEqual(['152', '153', '154', '155'])

      const taken = await api('caizheng', 'POST', '/api/groups', { name: '另一组', kind: 'homogeneous', year: YEAR, departmentIds: [dept['156'], dept['154']] })
      expect(taken.status).toBe(409)
      expect(taken.body.error.code).toBe('conflict')
      expect(taken.body.error.message).toContain('九三学社南江市委员会已在“民主党派”中')
      // the same department in another year is free
      expect((await api('caizheng', 'POST', '/api/groups', { name: '民主党派', kind: 'homogeneous', year: YEAR - 1, departmentIds: [dept['154']] })).status).toBe(201)
      const sameName = await api('caizheng', 'POST', '/api/groups', { name: '民主党派', kind: 'homogeneous', year: YEAR, departmentIds: [dept['156']] })
      expect(sameName.status).toBe(409)
      expect(sameName.body.error.message).toContain('同名')

      // two creations at once for 农工 (in the same tick: on PostgreSQL both pass the check and the unique
      // index refuses one): one group gets it, the other is told which
      const race = (name: string) => s.storage.groups.create({ name, kind: 'homogeneous', year: YEAR, departmentIds: [dept['156']!], sourceTableId: null, createdBy: null })
      const [r1, r2] = await Promise.allSettled([race('竞争甲'), race('竞争乙')])
      expect([r1.status, r2.status].sort()).toEqual(['fulfilled', 'rejected'])
      const winner = r1.status === 'fulfilled' ? '竞争甲' : '竞争乙'
      const refused = ((r1.status === 'rejected' ? r1 : r2) as PromiseRejectedResult).reason
      expect(refused).toMatchObject({ code: 'conflict' })
      expect(refused.message).toContain(`已在“${winner}”中`)
      const list = groupListAnswer.parse((await api('caizheng', 'GET', `/api/groups?year=${YEAR}`)).body)
      expect(list.groups.filter((g) => g.members.some((m) => m.code === '156')).map((g) => g.name)).toEqual([winner])
      const holder = list.groups.find((g) => g.name === winner)! // removed again: 农工 is used below
      expect((await api('caizheng', 'DELETE', `/api/groups/${holder.id}`)).status).toBe(204)

      const notTowns = await api('caizheng', 'POST', '/api/groups', { name: '示范点', kind: 'demo-towns', year: YEAR, departmentIds: [dept['601'], dept['156']], sourceTableId: ids.town })
      expect(notTowns.status).toBe(400)
      expect(notTowns.body.error).toMatchObject({ code: 'invalid_input', details: { field: 'departmentIds' } })
      expect(notTowns.body.error.message).toContain('中国农工民主党南江市委员会不是镇街')
      const draftSource = await api('caizheng', 'POST', '/api/groups', { name: '示范点', kind: 'demo-towns', year: YEAR, departmentIds: [dept['601'], dept['602']], sourceTableId: ids.townDraft })
      expect(draftSource.status).toBe(400)
      expect(draftSource.body.error).toMatchObject({ details: { field: 'sourceTableId' } })
      expect(draftSource.body.error.message).toContain('必须已批复')
      const otherYear = await api('caizheng', 'POST', '/api/groups', { name: '去年的表', kind: 'homogeneous', year: YEAR, departmentIds: [dept['156']], sourceTableId: ids.lastYear })
      expect(otherYear.status).toBe(400)
      expect(otherYear.body.error.message).toContain(`${YEAR - 1} 年度`)
      const noMembers = await api('caizheng', 'POST', '/api/groups', { name: '空组', kind: 'homogeneous', year: YEAR, departmentIds: [] })
      expect(noMembers.status).toBe(400)
      expect(noMembers.body.error.message).toContain('至少选择一个成员')
      const badKind = await api('caizheng', 'POST', '/api/groups', { name: '错类', kind: 'party', year: YEAR, departmentIds: [dept['156']] })
      expect(badKind.status).toBe(400)
      expect(badKind.body.error.details.field).toBe('kind')

      // a 涉密 table cannot be a group's source: its indicators would leave it for the members' tables
      await s.storage.db.update(targetTables).set({ classified: true }).where(eq(targetTables.id, ids.source!))
      const secret = await api('caizheng', 'POST', '/api/groups', { name: '涉密来源', kind: 'homogeneous', year: YEAR, departmentIds: [dept['156']], sourceTableId: ids.source })
      expect(secret.status).toBe(400)
      expect(secret.body.error).toMatchObject({ code: 'invalid_input', details: { field: 'sourceTableId' } })
      expect(secret.body.error.message).toContain('涉密表')
      const secretRun = await api('caizheng', 'POST', `/api/groups/${groupId}/propagate`, { dryRun: true })
      expect(secretRun.status).toBe(400)
      expect(secretRun.body.error.message).toContain('涉密表')
      await s.storage.db.update(targetTables).set({ classified: false }).where(eq(targetTables.id, ids.source!))

      expect((await api('renda', 'GET', '/api/groups')).status).toBe(403)
      expect((await api('jiaoyu', 'POST', '/api/groups', { name: '教育', kind: 'homogeneous', year: YEAR, departmentIds: [dept['105']] })).status).toBe(403)
      // a consultant manages only groups whose members are all assigned to it that year
      const firmId = (await s.storage.users.getByUsername('firm9'))!.id
      await s.storage.assignments.assign({ year: YEAR, consultantId: firmId, departmentIds: [dept['156']!], difficulty: 'homogeneous', assignedBy: null })
      tok.firm9 = await s.login('firm9')
      const foreign = await api('firm9', 'POST', '/api/groups', { name: '咨询组', kind: 'homogeneous', year: YEAR, departmentIds: [dept['156'], dept['120']] })
      expect(foreign.status).toBe(403)
      expect(foreign.body.error.message).toContain('南江市民政局不由本机构负责')
      const own = await api('firm9', 'POST', '/api/groups', { name: '咨询组', kind: 'homogeneous', year: YEAR, departmentIds: [dept['156']] })
      expect(own.status, JSON.stringify(own.body)).toBe(201)
      expect((await api('firm9', 'GET', `/api/groups?year=${YEAR}`)).body.groups.map((g: Json) => g.name)).toEqual(['咨询组'])
      expect((await api('firm9', 'POST', `/api/groups/${groupId}/propagate`, { dryRun: true })).status).toBe(403)
      expect((await api('firm9', 'DELETE', `/api/groups/${own.body.id}`)).status).toBe(204)
    })

    it('previews without writing anything: created, written, skipped approved and the source member', async () => {
      const before = { jiusan: await stored(ids.jiusan), zhigong: await stored(ids.zhigong), tables: (await s.storage.tables.list({ year: YEAR })).length }
      const report = await propagate(true)
      expect(report.dryRun).toBe(true)
      expect(report.setSize).toBe(11)
      expect(memberOf(report, '152')).toMatchObject({ outcome: 'skipped', skip: 'source_member' })
      expect(memberOf(report, '153')).toMatchObject({ outcome: 'created', tableId: null, counts: { added: 11, updated: 0, removed: 0, kept: 0 } })
      expect(memberOf(report, '154')).toMatchObject({ outcome: 'written', tableId: ids.jiusan, counts: { added: 11, updated: 0, removed: 0, kept: 0 } })
      expect(memberOf(report, '154').items.find((i) => i.name === A)).toEqual({ op: 'add', level1: '产出指标', level2: '数量指标', name: A, fields: expect.arrayContaining(['target', 'comparator', 'unit']), before: null, after: '≥12件' })
      expect(memberOf(report, '155')).toMatchObject({ outcome: 'skipped', skip: 'approved', tableId: ids.zhigong, message: '该部门的表已批复，未写入', items: [] })
      expect(await stored(ids.jiusan)).toEqual(before.jiusan)
      expect(await stored(ids.zhigong)).toEqual(before.zhigong)
      expect((await s.storage.tables.list({ year: YEAR })).length).toBe(before.tables)
      expect((await s.storage.groups.bases(groupId)).size).toBe(0)
    })

    it('writes the set into each member: created, live to an open socket, the approved table untouched', async () => {
      const live = connectClient(s.wsUrl, ids.jiusan!, tok.caizheng)
      clients.push(live)
      await live.synced()
      expect(rowIds(live.doc, 'indicators')).toHaveLength(1)
      const zhigongBefore = await stored(ids.zhigong)

      const report = await propagate(false)
      expect(memberOf(report, '154')).toMatchObject({ outcome: 'written', counts: { added: 11 } })
      expect(memberOf(report, '155')).toMatchObject({ outcome: 'skipped', skip: 'approved' })
      const created = memberOf(report, '153')
      expect(created).toMatchObject({ outcome: 'created', counts: { added: 11 } })
      expect(created.tableId).toBeTruthy()

      // the open socket sees the rows arrive, without reconnecting
      await waitFor(() => rowIds(live.doc, 'indicators').length === 12, 10_000, 'propagated rows on the socket')
      expect(live.socketCloses).toEqual([])
      const liveRows = (yDocToJson(live.doc).indicators as Row[])
      expect(byName(liveRows, A)).toMatchObject({ comparator: '≥', target: '12', unit: '件' })
      expect(liveRows.at(-1)!.level3).toBe('九三自有：科普讲座场次') // the member's own row stays
      // the member's history names the propagating user for each added row (settled while the socket is open)
      const caizhengId = (await s.storage.users.getByUsername('caizheng'))!.id
      const addedBy = async () => ((await api('caizheng', 'GET', `/api/tables/${ids.jiusan}/history?limit=100`)).body.entries as Json[]).filter((e) => e.type === 'change' && e.op === 'add' && e.by === caizhengId).length
      let added = 0
      for (const t0 = Date.now(); Date.now() - t0 < 10_000 && (added = await addedBy()) < 11; ) await sleep(100)
      expect(added).toBe(11)

      const made = await stored(created.tableId!)
      expect(made.header).toEqual({ deptName: '中国民主建国会南江市委员会', deptCode: '153', deptType: '部门' })
      expect((made.indicators as Row[]).map((r) => r.level3)).toEqual((await rowsOf(ids.source)).map((r) => r.level3))
      expect((made.tasks as Json[]).every((t) => t.total === null && t.fiscal === null)).toBe(true)
      expect((await s.storage.tables.get(created.tableId!))).toMatchObject({ departmentId: dept['153'], year: YEAR, status: 'draft' })

      expect(await stored(ids.zhigong)).toEqual(zhigongBefore)
      const group = (await api('caizheng', 'GET', `/api/groups?year=${YEAR}`)).body.groups.find((g: Json) => g.id === groupId)
      expect(group.lastPropagatedAt).not.toBeNull()
      const audit = await s.storage.audit.list({ action: 'group.propagate' })
      expect(JSON.stringify(audit)).toContain(groupId)

      // again at once: nothing to do
      const again = await propagate(false)
      expect(memberOf(again, '154')).toMatchObject({ outcome: 'unchanged', counts: { added: 0, updated: 0, removed: 0, kept: 0 } })
    })

    it('keeps a member’s own change on re-propagation and brings the group’s other changes, additions and removals', async () => {
      const member = clients[0]!
      const rowA = byName(yDocToJson(member.doc).indicators as Row[], A)!.id
      setRowField(member.doc, 'indicators', rowA, 'target', '20') // 九三 sets its own target in the grid
      await until(async () => byName(await rowsOf(ids.jiusan), A)?.target === '20', '九三’s edit stored')

      // the group table changes A and B, drops C and adds D (in its own live document)
      const src = connectClient(s.wsUrl, ids.source!, tok.caizheng)
      clients.push(src)
      await src.synced()
      const srcRows = yDocToJson(src.doc).indicators as Row[]
      setRowField(src.doc, 'indicators', byName(srcRows, A)!.id, 'target', '15')
      setRowField(src.doc, 'indicators', byName(srcRows, B)!.id, 'target', '60')
      deleteRow(src.doc, 'indicators', byName(srcRows, C)!.id)
      insertRow(src.doc, 'indicators', 3, { period: 'annual', level1: '产出指标', level2: '数量指标', level3: D, comparator: '≥', target: '8', unit: '次' })
      await until(async () => { const r = await rowsOf(ids.source); return byName(r, B)?.target === '60' && !!byName(r, D) && !byName(r, C) && byName(r, A)?.target === '15' }, 'group table edits stored')

      const preview = memberOf(await propagate(true), '154')
      expect(preview.counts).toEqual({ added: 1, updated: 1, removed: 1, kept: 1 })
      expect(preview.items.find((i) => i.op === 'keep')).toEqual({ op: 'keep', level1: '产出指标', level2: '数量指标', name: A, fields: ['target'], before: '≥20件', after: '≥20件' })
      expect(preview.items.find((i) => i.op === 'update')).toMatchObject({ name: B, fields: ['target'], before: '≥50篇', after: '≥60篇' })
      expect(preview.items.find((i) => i.op === 'remove')).toMatchObject({ name: C })
      expect(preview.items.find((i) => i.op === 'add')).toMatchObject({ name: D, after: '≥8次' })
      expect(byName(await rowsOf(ids.jiusan), B)?.target).toBe('50') // still a preview

      const report = await propagate(false)
      expect(memberOf(report, '154')).toMatchObject({ outcome: 'written', counts: { added: 1, updated: 1, removed: 1, kept: 1 } })
      const rows = await rowsOf(ids.jiusan)
      expect(byName(rows, A)?.target).toBe('20')
      expect(byName(rows, B)?.target).toBe('60')
      expect(byName(rows, C)).toBeUndefined()
      expect(byName(rows, D)).toMatchObject({ comparator: '≥', target: '8', unit: '次' })
      expect(rows.map((r) => r.level3).indexOf(D)).toBe(rows.map((r) => r.level3).indexOf(B) + 2) // where the group put it
      // the socket has it too
      await waitFor(() => byName(yDocToJson(member.doc).indicators as Row[], B)?.target === '60', 10_000, 'update on the socket')
      // 民建 never changed anything: it takes every change
      const minjian = await rowsOf(memberOf(report, '153').tableId!)
      expect([byName(minjian, A)?.target, byName(minjian, B)?.target, !!byName(minjian, C), !!byName(minjian, D)]).toEqual(['15', '60', false, true])

      // a row 九三 deletes stays deleted, and its override of A stays an override
      deleteRow(member.doc, 'indicators', byName(rows, B)!.id)
      await until(async () => !byName(await rowsOf(ids.jiusan), B), '九三’s deletion stored')
      setRowField(src.doc, 'indicators', byName(yDocToJson(src.doc).indicators as Row[], B)!.id, 'target', '70')
      await until(async () => byName(await rowsOf(ids.source), B)?.target === '70', 'group edit stored')
      const third = memberOf(await propagate(false), '154')
      expect(third.counts).toMatchObject({ added: 0, updated: 0, removed: 0 })
      expect(byName(await rowsOf(ids.jiusan), B)).toBeUndefined()
      expect(byName(await rowsOf(ids.jiusan), A)?.target).toBe('20')
      expect(getRow(member.doc, 'indicators', byName(rows, A)!.id)?.get('target')).toBe('20')
    })

    it('two propagations of one group at once create a missing member table once', async () => {
      const source = await create('120', deptContent('南江市民政局', '120'))
      const made = await api('caizheng', 'POST', '/api/groups', { name: '同时下发', kind: 'homogeneous', year: YEAR, departmentIds: [dept['120'], dept['156']], sourceTableId: source })
      expect(made.status, JSON.stringify(made.body)).toBe(201)
      // started in the same tick (over HTTP the second request tends to arrive after the first is done)
      const group = (await s.storage.groups.get(made.body.id))!
      const userId = (await s.storage.users.getByUsername('caizheng'))!.id
      const reports = await Promise.all([0, 1].map(() => propagateGroup(group, { storage: s.storage, writer: s.live, userId, dryRun: false })))
      const outcomes = reports.map((r) => r.members.find((m) => m.departmentId === dept['156'])!.outcome).sort()
      expect(outcomes).toEqual(['created', 'unchanged'])
      const tables = await s.storage.tables.list({ year: YEAR, departmentId: dept['156'] })
      expect(tables).toHaveLength(1)
      expect(await rowsOf(tables[0]!.id)).toHaveLength(11)
    })

    if (kind === 'postgres') {
      it('two server processes propagating one group at once (each its own connections and queue) create a missing member table once', async () => {
        const source = await create('126', deptContent('南江市文化广电旅游体育局', '126'))
        const made = await api('caizheng', 'POST', '/api/groups', { name: '两进程下发', kind: 'homogeneous', year: YEAR, departmentIds: [dept['126'], dept['118'], dept['135']], sourceTableId: source })
        expect(made.status, JSON.stringify(made.body)).toBe(201)
        // the second process: its own pool on the same database and its own queue (the in-process queue cannot see it)
        const other = await openDatabase({ url: s.database.url!, poolSize: 3 })
        try {
          const otherStorage = createStorage(other.db)
          const group = (await s.storage.groups.get(made.body.id))!
          const userId = (await s.storage.users.getByUsername('caizheng'))!.id
          const reports = await Promise.all([
            propagateGroup(group, { storage: s.storage, writer: s.live, userId, dryRun: false, acrossProcesses: true, queue: new Map() }),
            propagateGroup(group, { storage: otherStorage, writer: storedDocWriter(otherStorage), userId, dryRun: false, acrossProcesses: true, queue: new Map() }),
          ])
          for (const code of ['118', '135']) {
            const outcomes = reports.map((r) => r.members.find((m) => m.departmentId === dept[code])!.outcome).sort()
            expect(outcomes, code).toEqual(['created', 'unchanged'])
            const tables = await s.storage.tables.list({ year: YEAR, departmentId: dept[code] })
            expect(tables, code).toHaveLength(1)
            expect(await rowsOf(tables[0]!.id)).toHaveLength(11)
          }
        } finally {
          await other.close()
        }
      })
    }

    it('refuses a propagation that would pass a member’s row limit before writing any member', async () => {
      const source = await create('103', deptContent('南江市人民政府办公室', '103'))
      const own = Array.from({ length: 995 }, (_, i) => ({ period: 'annual', level1: '产出指标', level2: '数量指标', level3: `自有指标${i}`, comparator: '≥', target: String(i), unit: '个' }))
      const big = await create('121', deptContent('南江市农业农村局', '121', own))
      const made = await api('caizheng', 'POST', '/api/groups', { name: '超限', kind: 'homogeneous', year: YEAR, departmentIds: [dept['103'], dept['131'], dept['121']], sourceTableId: source })
      expect(made.status, JSON.stringify(made.body)).toBe(201)
      const before = await stored(big)
      const r = await api('caizheng', 'POST', `/api/groups/${made.body.id}/propagate`, {})
      expect(r.status).toBe(400)
      expect(r.body.error).toMatchObject({ code: 'invalid_input', details: { departmentId: dept['121'] } })
      expect(r.body.error.message).toBe('下发后“南江市农业农村局”的表将超过 1000 行指标，未下发任何成员')
      expect(await stored(big)).toEqual(before)
      expect(await s.storage.tables.list({ year: YEAR, departmentId: dept['131'] })).toHaveLength(0) // 131 had no table and got none
      expect((await s.storage.groups.bases(made.body.id)).size).toBe(0)
    })

    it('promotes a demo town’s approved set to the other towns and refuses a source that is no longer approved', async () => {
      await approve(ids.town)
      const made = await api('caizheng', 'POST', '/api/groups', { name: '示范点', kind: 'demo-towns', year: YEAR, departmentIds: [dept['601'], dept['602'], dept['603']], sourceTableId: ids.town })
      expect(made.status, JSON.stringify(made.body)).toBe(201)
      const r = await api('caizheng', 'POST', `/api/groups/${made.body.id}/propagate`, { dryRun: false })
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      const report = propagationReport.parse(r.body)
      const setSize = (await rowsOf(ids.town)).length
      expect(report.setSize).toBe(setSize)
      expect(memberOf(report, '601')).toMatchObject({ outcome: 'skipped', skip: 'source_member' })
      expect(memberOf(report, '602')).toMatchObject({ outcome: 'written', tableId: ids.townDraft, counts: { added: 0, updated: 1, removed: 0, kept: 0 } })
      expect((await rowsOf(ids.townDraft)).map((r) => r.target)).toEqual((await rowsOf(ids.town)).map((r) => r.target))
      expect(memberOf(report, '603')).toMatchObject({ outcome: 'created', counts: { added: setSize } })
      const made603 = await stored(memberOf(report, '603').tableId!)
      expect(made603.header.deptName).toBe('南江市西岭镇人民政府')

      expect((await api('caizheng', 'POST', `/api/tables/${ids.town}/transitions`, { action: 'reopen', reason: '调整' })).status).toBe(200)
      const reopened = await api('caizheng', 'POST', `/api/groups/${made.body.id}/propagate`, { dryRun: true })
      expect(reopened.status).toBe(400)
      expect(reopened.body.error.message).toContain('未批复')
      const bad = await api('caizheng', 'POST', `/api/groups/${made.body.id}/propagate`, { dryRun: 'yes' })
      expect(bad.status).toBe(400)
      expect(bad.body.error.details.field).toBe('dryRun')
      expect((await api('caizheng', 'POST', '/api/groups/nope/propagate', {})).status).toBe(404)
    })
  })
}
