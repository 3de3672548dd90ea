// 意见汇总表 over HTTP: one table's round and a department's year, as JSON and as xlsx read back with
// ExcelJS; who may export what; bad input. Runs on PGlite, and on PostgreSQL when TEST_DATABASE_URL is set.
import ExcelJS from 'exceljs'
import JSZip from 'jszip'
import * as Y from 'yjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { OpinionRow } from '../../shared/api/review.ts'
import { blankTable, parseTableOrThrow, type IndicatorRow, type TargetTable } from '../../shared/model/index.ts'
import { addReply, addThread, setDisposition, setThreadStatus } from '../../shared/ydoc/index.ts'
import type { TableRow, User } from '../../server/storage/index.ts'
import { initialUpdate, loadStoredDoc, readContent } from '../../server/tables/documents.ts'
import { makeTestApp, type TestApp } from '../helpers/app.ts'
import { TEST_DATABASE_URL, type TestDatabaseKind } from '../helpers/database.ts'
import { loadSample } from '../helpers/samples.ts'

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const T0 = Date.parse('2024-03-01T02:00:00.000Z') // 10:00 in Beijing
const at = (minutes: number) => new Date(T0 + minutes * 60_000)
const iso = (minutes: number) => at(minutes).toISOString()
/** what 提出时间 reads back as: the Beijing wall-clock time in the UTC fields */
const beijing = (minutes: number) => new Date(T0 + minutes * 60_000 + 8 * 3600_000)

const HEADERS = ['序号', '位置', '意见', '提出人及单位', '提出时间', '回复', '处理状态']
const CITY_HEADERS = ['序号', '表名', '轮次', '位置', '意见', '提出人及单位', '提出时间', '回复', '处理状态']
const TRUNCATED = '…（内容过长，已截断，全文请在系统中查看）'

const ZIXUN = '周婷（第三方评价机构），第三方机构'
const CAIZHENG = '李敏（财政局绩效科），财政局'
const JIAOYU = '王芳（教育局财务科），南江市教育局'

function defineOpinionsSuite(kind: TestDatabaseKind) {
  describe(`意见汇总表 routes on ${kind}`, () => {
    let t: TestApp
    const tokens: Record<string, string> = {}
    const users: Record<string, User> = {}
    const dept: Record<string, string> = {}
    let s01: TableRow
    let s04: TableRow
    let unitTable: TableRow
    let deptTable: TableRow
    let secretTable: TableRow
    let oldTable: TableRow
    let annual: IndicatorRow
    let midTerm: IndicatorRow
    let s04Row: IndicatorRow
    let task: { id: string; name: string }
    const thread: Record<string, string> = {}
    const longReply = '长'.repeat(20_000)

    async function createTable(departmentId: string, title: string, content: TargetTable, classified = false): Promise<TableRow> {
      const row = await t.storage.tables.create({ kind: content.kind, template: content.template, year: content.year, departmentId, title, classified })
      await t.storage.docLog.appendUpdates(row.id, 'table', [{ update: initialUpdate(content), userId: null }])
      return row
    }

    /** one change to a table's comments document, stored as the product stores a client's update */
    async function comment(tableId: string, username: string, change: (doc: Y.Doc) => void): Promise<void> {
      const doc = await loadStoredDoc(t.storage, tableId, 'comments')
      const before = Y.encodeStateVector(doc)
      change(doc)
      await t.storage.docLog.appendUpdates(tableId, 'comments', [{ update: Y.encodeStateAsUpdate(doc, before), userId: users[username]!.id }])
    }

    async function nextRound(table: TableRow): Promise<TableRow> {
      return t.storage.tables.updateState(table.id, { status: table.status, round: table.round, version: table.version }, { round: table.round + 1 })
    }

    async function download(path: string, username: string) {
      const res = await t.app.request(path, { headers: { authorization: `Bearer ${tokens[username]}` } })
      const bytes = Buffer.from(await res.arrayBuffer())
      return { res, bytes }
    }

    async function workbook(bytes: Buffer): Promise<ExcelJS.Worksheet> {
      const wb = new ExcelJS.Workbook()
      await wb.xlsx.load(bytes as unknown as ArrayBuffer)
      expect(wb.worksheets.map((w) => w.name)).toEqual(['意见汇总表'])
      return wb.worksheets[0]!
    }

    const rowValues = (ws: ExcelJS.Worksheet, r: number, n: number) => Array.from({ length: n }, (_, i) => ws.getRow(r).getCell(i + 1).value)

    beforeAll(async () => {
      t = await makeTestApp(kind)
      for (const u of ['caizheng', 'jiaoyu', 'weijian', 'wenlv', 'zixun', 'renda', 'anping']) {
        tokens[u] = await t.login(u)
        users[u] = (await t.storage.users.getByUsername(u))!
      }
      for (const code of ['105', '118', '126', '126001', '601']) dept[code] = await t.departmentId(code)
      // a user of two departments: both show as the unit, in code order
      users.duobu = await t.storage.users.create({ username: 'duobu', password: 'duobu-password', displayName: '吴磊（联合工作组）', role: 'department', departmentIds: [dept['118']!, dept['105']!] })

      s01 = (await t.storage.tables.list({ departmentId: dept['105'] }))[0]!
      s04 = (await t.storage.tables.list({ departmentId: dept['126'] }))[0]!
      const s01Content = await readContent(t.storage, undefined, s01.id)
      annual = s01Content.indicators.find((r) => r.period === 'annual')!
      midTerm = s01Content.indicators.find((r) => r.period === 'midTerm')!
      s04Row = (await readContent(t.storage, undefined, s04.id)).indicators[0]!

      unitTable = await createTable(dept['126001']!, '文化馆公益讲座', blankTable('mof2015-project', 2024))
      const deptContent = parseTableOrThrow(loadSample('S06'))
      if (deptContent.kind !== 'department') throw new Error('S06 is a department table')
      task = deptContent.tasks[0]!
      deptTable = await createTable(dept['126']!, '文广旅体局部门整体支出', deptContent)
      secretTable = await createTable(dept['126']!, '涉密演出安保', blankTable('mof2015-project', 2024), true)
      oldTable = await createTable(dept['126']!, '上年度送戏下乡', blankTable('mof2015-project', 2023))

      // S01, round 1: every 处理状态 and every kind of position
      await comment(s01.id, 'zixun', (d) => {
        thread.revised = addThread(d, { anchor: { rowId: annual.id, field: 'target' }, round: 1, authorId: users.zixun!.id, text: '指标值偏低，建议参考上年实际完成值。', now: at(0) })
      })
      await comment(s01.id, 'caizheng', (d) => {
        thread.replied = addThread(d, { anchor: { field: 'header.projectName' }, round: 1, authorId: users.caizheng!.id, text: '项目名称应与预算项目库一致。', now: at(5) })
      })
      await comment(s01.id, 'zixun', (d) => {
        thread.declined = addThread(d, { anchor: {}, round: 1, authorId: users.zixun!.id, text: '整体目标与指标不对应。', now: at(10) })
        thread.deleted = addThread(d, { anchor: { rowId: 'r-gone' }, round: 1, authorId: users.zixun!.id, text: '该行指标重复。', now: at(15) })
      })
      await comment(s01.id, 'caizheng', (d) => {
        thread.own = addThread(d, { anchor: { rowId: midTerm.id, field: 'level3' }, round: 1, authorId: users.caizheng!.id, text: '中期指标名称不规范。', now: at(20) })
        addReply(d, thread.own!, { authorId: users.caizheng!.id, text: '补充：参照指标库命名。', now: at(21) })
      })
      await comment(s01.id, 'jiaoyu', (d) => {
        thread.department = addThread(d, { anchor: { field: 'funds.annual.total' }, round: 1, authorId: users.jiaoyu!.id, text: '年度资金总额待财政局确认。', now: at(25) })
        addReply(d, thread.revised!, { authorId: users.jiaoyu!.id, text: '已按上年实际调整为 22000 人。', now: at(30) })
        setDisposition(d, thread.revised!, { disposition: 'revised', reason: '已将指标值调整为 22000', userId: users.jiaoyu!.id, now: at(31) })
        addReply(d, thread.replied!, { authorId: users.jiaoyu!.id, text: '已核对，一致。', now: at(40) })
        setDisposition(d, thread.declined!, { disposition: 'declined', reason: '目标已覆盖全部指标，不作调整', userId: users.jiaoyu!.id, now: at(41) })
      })
      await comment(s01.id, 'zixun', (d) => {
        setThreadStatus(d, thread.revised!, 'resolved', null, { userId: users.zixun!.id, now: at(60) })
      })
      // S01, round 2
      s01 = await nextRound(s01)
      await comment(s01.id, 'zixun', (d) => {
        thread.round2 = addThread(d, { anchor: { rowId: annual.id, field: 'level3' }, round: 2, authorId: users.zixun!.id, text: '第二轮：请补充指标解释。', now: at(100) })
      })
      await comment(s01.id, 'duobu', (d) => {
        thread.twoDepartments = addThread(d, { anchor: { rowId: annual.id }, round: 2, authorId: users.duobu!.id, text: '两个部门共同关注此指标。', now: at(110) })
      })

      // 文广旅体局 and its unit 文化馆, 2024; plus what must stay out: 2023, and another department
      await comment(s04.id, 'zixun', (d) => {
        thread.s04 = addThread(d, { anchor: { rowId: s04Row.id }, round: 1, authorId: users.zixun!.id, text: '演出场次与资金规模不匹配。', now: at(200) })
      })
      await comment(unitTable.id, 'zixun', (d) => {
        // characters XML cannot carry: an xlsx holding them is "damaged" in Excel
        thread.unit = addThread(d, { anchor: { field: 'header.implementingUnit' }, round: 1, authorId: users.zixun!.id, text: '请核实\u0007实施单位\uFFFF名称。', now: at(210) })
      })
      await comment(deptTable.id, 'zixun', (d) => {
        thread.task = addThread(d, { anchor: { rowId: task.id, field: 'content' }, round: 1, authorId: users.zixun!.id, text: '任务内容过于笼统。', now: at(220) })
      })
      await comment(deptTable.id, 'wenlv', (d) => {
        addReply(d, thread.task!, { authorId: users.wenlv!.id, text: longReply, now: at(230) })
        addReply(d, thread.task!, { authorId: users.wenlv!.id, text: longReply, now: at(231) })
      })
      await comment(secretTable.id, 'caizheng', (d) => {
        thread.secret = addThread(d, { anchor: {}, round: 1, authorId: users.caizheng!.id, text: '涉密表的意见。', now: at(240) })
      })
      await comment(oldTable.id, 'zixun', (d) => {
        addThread(d, { anchor: {}, round: 1, authorId: users.zixun!.id, text: '上一年度的意见。', now: at(250) })
      })
      deptTable = await nextRound(deptTable)
      await comment(deptTable.id, 'caizheng', (d) => {
        thread.deptRound2 = addThread(d, { anchor: { field: 'header.deptFunctions' }, round: 2, authorId: users.caizheng!.id, text: '职能概述需与三定方案一致。', now: at(260) })
      })
    })
    afterAll(async () => {
      await t?.dispose()
    })

    const s01Round1 = (): OpinionRow[] => {
      const base = { tableId: s01.id, tableTitle: s01.title, round: 1 }
      return [
        { ...base, index: 1, threadId: thread.revised!, position: `${annual.level1}/${annual.level2}/${annual.level3}（指标值）`, opinion: '指标值偏低，建议参考上年实际完成值。', author: ZIXUN, createdAt: iso(0), replies: ['王芳（教育局财务科）：已按上年实际调整为 22000 人。'], state: '已解决', dispositionReason: '已将指标值调整为 22000' },
        { ...base, index: 2, threadId: thread.replied!, position: '项目名称', opinion: '项目名称应与预算项目库一致。', author: CAIZHENG, createdAt: iso(5), replies: ['王芳（教育局财务科）：已核对，一致。'], state: '已回复', dispositionReason: null },
        { ...base, index: 3, threadId: thread.declined!, position: '整表', opinion: '整体目标与指标不对应。', author: ZIXUN, createdAt: iso(10), replies: [], state: '不采纳', dispositionReason: '目标已覆盖全部指标，不作调整' },
        { ...base, index: 4, threadId: thread.deleted!, position: '已删除的行（r-gone）', opinion: '该行指标重复。', author: ZIXUN, createdAt: iso(15), replies: [], state: '待回复', dispositionReason: null },
        { ...base, index: 5, threadId: thread.own!, position: `中期：${midTerm.level1}/${midTerm.level2}/${midTerm.level3}`, opinion: '中期指标名称不规范。', author: CAIZHENG, createdAt: iso(20), replies: ['李敏（财政局绩效科）：补充：参照指标库命名。'], state: '待回复', dispositionReason: null },
        { ...base, index: 6, threadId: thread.department!, position: '项目资金·年度资金·总额', opinion: '年度资金总额待财政局确认。', author: JIAOYU, createdAt: iso(25), replies: [], state: '待回复', dispositionReason: null },
      ]
    }

    describe('GET /api/tables/:id/rounds/:n/opinions', () => {
      it('lists one round\'s opinions in order, with positions, authors and units, replies and 处理状态', async () => {
        const res = await t.request('GET', `/api/tables/${s01.id}/rounds/1/opinions`, { token: tokens.zixun })
        expect(res.status).toBe(200)
        expect(res.body).toEqual({ opinions: s01Round1() })
      })

      it('keeps rounds apart and names every department of an author of several', async () => {
        const res = await t.request('GET', `/api/tables/${s01.id}/rounds/2/opinions?format=json`, { token: tokens.jiaoyu })
        expect(res.status).toBe(200)
        expect(res.body.opinions).toEqual([
          expect.objectContaining({ index: 1, round: 2, threadId: thread.round2, position: `${annual.level1}/${annual.level2}/${annual.level3}`, author: ZIXUN, state: '待回复' }),
          expect.objectContaining({ index: 2, round: 2, threadId: thread.twoDepartments, position: `${annual.level1}/${annual.level2}/${annual.level3}`, author: '吴磊（联合工作组），南江市教育局、南江市卫生健康局' }),
        ])
      })

      it('names a task by its name and the cell by its label', async () => {
        const res = await t.request('GET', `/api/tables/${deptTable.id}/rounds/1/opinions`, { token: tokens.wenlv })
        expect(res.body.opinions).toHaveLength(1)
        expect(res.body.opinions[0]).toMatchObject({ position: '年度主要任务：机关运转保障（主要内容）', state: '已回复', author: ZIXUN })
        expect(res.body.opinions[0].replies).toEqual([`陈静（文广旅体局）：${longReply}`, `陈静（文广旅体局）：${longReply}`])
      })

      it('answers an xlsx that reads back with the same rows, a merged title, and A4 landscape print setup', async () => {
        const { res, bytes } = await download(`/api/tables/${s01.id}/rounds/1/opinions?format=xlsx`, 'zixun')
        expect(res.status).toBe(200)
        expect(res.headers.get('content-type')).toBe(XLSX_TYPE)
        const disposition = res.headers.get('content-disposition')!
        expect(disposition).toMatch(/^attachment; filename="opinions-[^"]+-round-1\.xlsx"; filename\*=UTF-8''/)
        expect(decodeURIComponent(disposition.split("UTF-8''")[1]!)).toBe(`意见汇总表-${s01.title}-第1轮.xlsx`)

        const ws = await workbook(bytes)
        expect(ws.getCell('A1').value).toBe('意见汇总表')
        expect(ws.model.merges).toEqual(expect.arrayContaining(['A1:G1', 'A2:G2']))
        const subtitle = String(ws.getCell('A2').value)
        for (const part of [s01.title, '2024 年度', '第 1 轮', '共 6 条意见', '导出时间：']) expect(subtitle).toContain(part)
        expect(rowValues(ws, 3, 7)).toEqual(HEADERS)
        const expected = s01Round1()
        expected.forEach((o, i) => {
          const minutes = (Date.parse(o.createdAt) - T0) / 60_000
          expect(rowValues(ws, 4 + i, 7)).toEqual([
            o.index, o.position, o.opinion, o.author, beijing(minutes), o.replies.join('\n') || null,
            o.dispositionReason ? `${o.state}\n${o.state === '不采纳' ? '理由' : '说明'}：${o.dispositionReason}` : o.state,
          ])
        })
        expect(ws.rowCount).toBe(3 + expected.length)
        // each cell holds the type a reader expects: numbers, dates, text — nothing Excel would convert or repair
        for (let r = 4; r < 4 + expected.length; r++) {
          const row = ws.getRow(r)
          expect(row.getCell(1).type).toBe(ExcelJS.ValueType.Number)
          expect(row.getCell(5).type).toBe(ExcelJS.ValueType.Date)
          expect(row.getCell(5).numFmt).toBe('yyyy-mm-dd hh:mm')
          for (const c of [2, 3, 4, 7]) expect(row.getCell(c).type).toBe(ExcelJS.ValueType.String)
          expect(row.getCell(6).type).toBe(expected[r - 4]!.replies.length ? ExcelJS.ValueType.String : ExcelJS.ValueType.Null)
          for (let c = 1; c <= 7; c++) {
            expect(row.getCell(c).font?.name).toBe('宋体')
            expect(row.getCell(c).border).toMatchObject({ top: { style: 'thin' }, left: { style: 'thin' }, bottom: { style: 'thin' }, right: { style: 'thin' } })
            expect(row.getCell(c).alignment?.wrapText).toBe(true)
          }
          expect(row.height).toBeGreaterThanOrEqual(18)
        }
        for (let c = 1; c <= 7; c++) {
          expect(ws.getRow(3).getCell(c).font).toMatchObject({ name: '宋体', bold: true })
          expect(ws.getRow(3).getCell(c).border?.bottom?.style).toBe('thin')
        }
        expect(ws.getCell('A1').font).toMatchObject({ name: '宋体', bold: true })
        expect(ws.pageSetup).toMatchObject({ paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '3:3' })
        expect(ws.headerFooter.oddFooter).toContain('第 &P 页 共 &N 页')
        expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 3 })
        expect(ws.columns.map((c) => c.width)).toEqual([6, 26, 46, 20, 17, 44, 16])
      })

      it('lets a viewer export an unclassified table and hides a classified one, like a read', async () => {
        expect((await t.request('GET', `/api/tables/${s01.id}/rounds/1/opinions`, { token: tokens.renda })).body).toEqual({ opinions: s01Round1() })
        const secret = await t.request('GET', `/api/tables/${secretTable.id}/rounds/1/opinions`, { token: tokens.renda })
        expect(secret).toMatchObject({ status: 404, body: { error: { code: 'not_found', message: '表格不存在' } } })
        const xlsx = await t.request('GET', `/api/tables/${secretTable.id}/rounds/1/opinions?format=xlsx`, { token: tokens.zixun })
        expect(xlsx).toMatchObject({ status: 404, body: { error: { code: 'not_found', message: '表格不存在' } } })
      })

      it('refuses callers outside the table\'s department as if the table did not exist', async () => {
        for (const [who, table] of [['weijian', s01], ['anping', s04], ['zixun', secretTable]] as const) {
          const res = await t.request('GET', `/api/tables/${table.id}/rounds/1/opinions`, { token: tokens[who] })
          expect(res).toMatchObject({ status: 404, body: { error: { code: 'not_found', message: '表格不存在' } } })
        }
        const s07 = (await t.storage.tables.list({ departmentId: dept['601'] }))[0]!
        expect(await t.request('GET', `/api/tables/${s07.id}/rounds/1/opinions?format=xlsx`, { token: tokens.zixun })).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } })
        expect(await t.request('GET', `/api/tables/${s01.id}/rounds/1/opinions`)).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } })
      })

      it('refuses a round the table has not had, and an unknown format, with a Chinese message', async () => {
        const cases: [string, number, string, string][] = [
          ['0', 404, 'not_found', '第 0 轮不存在（轮次从 1 开始）'],
          ['3', 404, 'not_found', '第 3 轮不存在（该表当前为第 2 轮）'],
          ['99', 404, 'not_found', '第 99 轮不存在（该表当前为第 2 轮）'],
          ['abc', 400, 'invalid_input', '轮次「abc」格式不正确：轮次应为从 1 开始的整数'],
          ['1.5', 400, 'invalid_input', '轮次「1.5」格式不正确：轮次应为从 1 开始的整数'],
          ['-1', 400, 'invalid_input', '轮次「-1」格式不正确：轮次应为从 1 开始的整数'],
        ]
        for (const [n, status, code, message] of cases) {
          const res = await t.request('GET', `/api/tables/${s01.id}/rounds/${n}/opinions`, { token: tokens.caizheng })
          expect({ n, status: res.status, error: res.body.error }).toMatchObject({ n, status, error: { code, message } })
        }
        const pdf = await t.request('GET', `/api/tables/${s01.id}/rounds/1/opinions?format=pdf`, { token: tokens.caizheng })
        expect(pdf).toMatchObject({ status: 400, body: { error: { code: 'invalid_input', message: '格式（format）应为 json 或 xlsx', details: { field: 'format' } } } })
      })
    })

    describe('docLog.loadDocs', () => {
      it('reads many documents as loadDoc reads each: compacted, logged, empty, unknown', async () => {
        // compact the 2023 table's comments (no export here shows them), then log one more change after the snapshot
        const doc = await loadStoredDoc(t.storage, oldTable.id, 'comments')
        const upTo = await t.storage.docLog.version(oldTable.id, 'comments')
        expect(await t.storage.docLog.compact(oldTable.id, 'comments', Y.encodeStateAsUpdate(doc), upTo)).toMatchObject({ compacted: true })
        await comment(oldTable.id, 'zixun', (d) => { addThread(d, { anchor: {}, round: 1, authorId: users.zixun!.id, text: '压缩之后的意见。', now: at(300) }) })
        const ids = [oldTable.id, s01.id, unitTable.id, s04.id, 'no-such-table', s01.id]
        const many = await t.storage.docLog.loadDocs(ids, 'comments')
        expect([...many.keys()]).toEqual([oldTable.id, s01.id, unitTable.id, s04.id, 'no-such-table'])
        for (const id of new Set(ids)) expect(many.get(id)).toEqual(await t.storage.docLog.loadDoc(id, 'comments'))
        expect(many.get(oldTable.id)!.snapshot).not.toBeNull()
        expect(many.get(oldTable.id)!.updates).toHaveLength(1)
        expect(many.get(s01.id)!.updates.length).toBeGreaterThan(1)
        expect(many.get('no-such-table')).toEqual({ snapshot: null, updates: [] })
        expect((await t.storage.docLog.loadDocs([], 'table')).size).toBe(0)
      })
    })

    describe('GET /api/opinions', () => {
      const path = (q: Record<string, string | number>) => `/api/opinions?${new URLSearchParams(Object.entries(q).map(([k, v]) => [k, String(v)]))}`
      /** the department's tables in export order: the department's own by title, then its unit's */
      const departmentOrder = () => [...[s04, deptTable, secretTable].sort((a, b) => a.title.localeCompare(b.title, 'zh-Hans-CN')), unitTable]

      it('gathers every table of the department and its units in that year, numbered across tables', async () => {
        const res = await t.request('GET', path({ year: 2024, departmentId: dept['126']! }), { token: tokens.caizheng })
        expect(res.status).toBe(200)
        const rows: OpinionRow[] = res.body.opinions
        const byTable = new Map<string, string[]>([
          [s04.id, [thread.s04!]],
          [deptTable.id, [thread.task!, thread.deptRound2!]],
          [secretTable.id, [thread.secret!]],
          [unitTable.id, [thread.unit!]],
        ])
        const expected = departmentOrder().flatMap((tb) => byTable.get(tb.id)!.map((threadId) => ({ tableId: tb.id, tableTitle: tb.title, threadId })))
        expect(rows.map((r) => ({ tableId: r.tableId, tableTitle: r.tableTitle, threadId: r.threadId }))).toEqual(expected)
        expect(rows.map((r) => r.index)).toEqual([1, 2, 3, 4, 5])
        expect(rows.find((r) => r.threadId === thread.s04)).toMatchObject({ position: `${s04Row.level1}/${s04Row.level2}/${s04Row.level3}`, round: 1, state: '待回复' })
        expect(rows.find((r) => r.threadId === thread.unit)).toMatchObject({ position: '实施单位', opinion: '请核实\u0007实施单位\uFFFF名称。' })
        expect(rows.find((r) => r.threadId === thread.deptRound2)).toMatchObject({ position: '部门职能概述', round: 2, author: CAIZHENG })
        expect(rows.some((r) => r.tableId === oldTable.id || r.tableId === s01.id)).toBe(false)
      })

      it('shows each caller only the tables they may read', async () => {
        const ids = async (who: string, departmentId: string) => {
          const res = await t.request('GET', path({ year: 2024, departmentId }), { token: tokens[who] })
          expect(res.status).toBe(200)
          return [...new Set((res.body.opinions as OpinionRow[]).map((r) => r.tableId))]
        }
        const visible = departmentOrder().map((tb) => tb.id)
        const unclassified = visible.filter((id) => id !== secretTable.id)
        expect(await ids('caizheng', dept['126']!)).toEqual(visible)
        expect(await ids('wenlv', dept['126']!)).toEqual(visible) // its own classified table too
        expect(await ids('zixun', dept['126']!)).toEqual(unclassified) // a consultant never reads 涉密
        expect(await ids('renda', dept['126']!)).toEqual(unclassified) // a viewer reads what is not 涉密
        expect(await ids('wenlv', dept['126001']!)).toEqual([unitTable.id])
      })

      it('refuses a department outside the caller\'s scope, and an unknown one', async () => {
        expect(await t.request('GET', path({ year: 2024, departmentId: dept['126']! }), { token: tokens.weijian })).toMatchObject({
          status: 403, body: { error: { code: 'forbidden', message: '您无权查看南江市文化广电旅游体育局的意见汇总表' } },
        })
        expect(await t.request('GET', path({ year: 2024, departmentId: dept['601']!, format: 'xlsx' }), { token: tokens.zixun })).toMatchObject({
          status: 403, body: { error: { code: 'forbidden', message: '您无权查看南江市安平镇人民政府的意见汇总表' } },
        })
        expect(await t.request('GET', path({ year: 2024, departmentId: 'd-nope' }), { token: tokens.caizheng })).toMatchObject({
          status: 404, body: { error: { code: 'not_found', message: '部门不存在（departmentId=d-nope）' } },
        })
        expect(await t.request('GET', path({ year: 2024, departmentId: dept['126']! }))).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } })
      })

      it('refuses bad parameters with the field named in Chinese', async () => {
        const d = dept['126']!
        const cases: [Record<string, string | number>, string, string][] = [
          [{ year: 2024 }, 'departmentId', '部门（departmentId）必填'],
          [{ year: 2024, departmentId: '' }, 'departmentId', '部门（departmentId）必填'],
          [{ departmentId: d }, 'year', '年度（year）必填'],
          [{ year: 'abc', departmentId: d }, 'year', '年度（year）必须是数字'],
          [{ year: 2024.5, departmentId: d }, 'year', '年度（year）必须是整数'],
          [{ year: 2024, departmentId: d, round: 0 }, 'round', '轮次（round）从 1 开始'],
          [{ year: 2024, departmentId: d, round: 'abc' }, 'round', '轮次（round）必须是数字'],
          [{ year: 2024, departmentId: d, format: 'pdf' }, 'format', '格式（format）应为 json 或 xlsx'],
        ]
        for (const [q, field, message] of cases) {
          const res = await t.request('GET', path(q), { token: tokens.caizheng })
          expect({ q, status: res.status, error: res.body.error }).toEqual({ q, status: 400, error: { code: 'invalid_input', message, details: { field } } })
        }
      })

      it('keeps to one round when asked', async () => {
        const round1 = await t.request('GET', path({ year: 2024, departmentId: dept['126']!, round: 1 }), { token: tokens.caizheng })
        expect((round1.body.opinions as OpinionRow[]).map((r) => r.threadId).sort()).toEqual([thread.s04, thread.task, thread.secret, thread.unit].sort())
        const round2 = await t.request('GET', path({ year: 2024, departmentId: dept['126']!, round: 2 }), { token: tokens.caizheng })
        expect(round2.body.opinions).toEqual([expect.objectContaining({ index: 1, threadId: thread.deptRound2, round: 2 })])
        const none = await t.request('GET', path({ year: 2023, departmentId: dept['126']!, round: 5 }), { token: tokens.caizheng })
        expect(none).toMatchObject({ status: 200, body: { opinions: [] } })
      })

      it('exports one sheet with 表名 and 轮次 columns, clean of characters and lengths Excel would repair', async () => {
        const { res, bytes } = await download(path({ year: 2024, departmentId: dept['126']!, format: 'xlsx' }), 'caizheng')
        expect(res.status).toBe(200)
        expect(res.headers.get('content-type')).toBe(XLSX_TYPE)
        const disposition = res.headers.get('content-disposition')!
        expect(disposition).toContain('filename="opinions-126-2024-all-rounds.xlsx"')
        expect(decodeURIComponent(disposition.split("UTF-8''")[1]!)).toBe('意见汇总表-南江市文化广电旅游体育局-2024年度-全部轮次.xlsx')

        const json: OpinionRow[] = (await t.request('GET', path({ year: 2024, departmentId: dept['126']! }), { token: tokens.caizheng })).body.opinions
        const ws = await workbook(bytes)
        expect(ws.model.merges).toEqual(expect.arrayContaining(['A1:I1', 'A2:I2']))
        const subtitle = String(ws.getCell('A2').value)
        for (const part of ['南江市文化广电旅游体育局（含下属单位）', '共 4 张表', '2024 年度', '全部轮次', '共 5 条意见']) expect(subtitle).toContain(part)
        expect(rowValues(ws, 3, 9)).toEqual(CITY_HEADERS)
        expect(ws.rowCount).toBe(3 + json.length)
        json.forEach((o, i) => {
          const values = rowValues(ws, 4 + i, 9)
          expect(values.slice(0, 6)).toEqual([o.index, o.tableTitle, `第 ${o.round} 轮`, o.position, o.opinion.replace(/[\u0007\uFFFF]/g, ''), o.author])
        })
        const taskRow = ws.getRow(4 + json.findIndex((o) => o.threadId === thread.task))
        const replies = String(taskRow.getCell(8).value)
        expect(replies.length).toBe(32_767)
        expect(replies.endsWith(TRUNCATED)).toBe(true)
        expect(taskRow.height).toBe(409)
        const unitRow = ws.getRow(4 + json.findIndex((o) => o.threadId === thread.unit))
        expect(unitRow.getCell(5).value).toBe('请核实实施单位名称。')
        expect(unitRow.height).toBeLessThan(60)
        // the sheet's XML as Excel parses it: no character XML 1.0 forbids
        const zip = await JSZip.loadAsync(bytes)
        for (const name of Object.keys(zip.files).filter((n) => n.endsWith('.xml'))) {
          expect(await zip.file(name)!.async('string')).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/)
        }
      })

      it('takes every table of a year with more tables than one page of the list', async () => {
        // created one by one, so creation times order them and the list's second page holds the last ones
        const created: TableRow[] = []
        for (let i = 0; i < 505; i++) created.push(await t.storage.tables.create({ kind: 'project', template: 'mof2015-project', year: 2031, departmentId: dept['118']!, title: `项目${String(i).padStart(3, '0')}` }))
        const commented = [0, 499, 500, 502, 504].map((i) => created[i]!)
        for (const table of commented) {
          await comment(table.id, 'caizheng', (d) => { addThread(d, { anchor: {}, round: 1, authorId: users.caizheng!.id, text: `${table.title}的意见`, now: at(400) }) })
        }
        const res = await t.request('GET', path({ year: 2031, departmentId: dept['118']! }), { token: tokens.caizheng })
        expect((res.body.opinions as OpinionRow[]).map((r) => [r.index, r.tableTitle])).toEqual(commented.map((tb, i) => [i + 1, tb.title]))
      })

      it('names a unit alone when exporting it, and one round without the 轮次 column', async () => {
        const { res, bytes } = await download(path({ year: 2024, departmentId: dept['126001']!, round: 1, format: 'xlsx' }), 'wenlv')
        expect(res.status).toBe(200)
        expect(decodeURIComponent(res.headers.get('content-disposition')!.split("UTF-8''")[1]!)).toBe('意见汇总表-南江市文化馆-2024年度-第1轮.xlsx')
        const ws = await workbook(bytes)
        expect(rowValues(ws, 3, 8)).toEqual(CITY_HEADERS.filter((h) => h !== '轮次'))
        expect(String(ws.getCell('A2').value)).toMatch(/^南江市文化馆　共 1 张表　2024 年度　第 1 轮　共 1 条意见　导出时间：\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/)
        expect(rowValues(ws, 4, 3)).toEqual([1, unitTable.title, '实施单位'])
      })
    })
  })
}

defineOpinionsSuite('pglite')
if (TEST_DATABASE_URL) defineOpinionsSuite('postgres')
