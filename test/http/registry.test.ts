// The project registry over HTTP (server/http/routes/registry.ts) on PGlite, and PostgreSQL when
// TEST_DATABASE_URL is set, over the demo city: the hand-made fixtures (test/fixtures/registry/build.ts)
// imported with their departments matched by code, name (a code under another name: matched by code with a
// warning naming both) and alias; unknown departments listed, never created; a re-import updates (amount
// changed) and never duplicates; mapping an unknown department attaches its waiting projects; tables
// created with their header prefilled, once (a second call creates nothing); who may do what; bad input.
import fs from 'node:fs'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registryImportAnswer, registryListAnswer, registryTablesAnswer, type RegistryImportAnswer } from '../../shared/api/registry.ts'
import { TEST_DATABASE_URL, type TestDatabaseKind } from '../helpers/database.ts'
import { makeTestApp, type TestApp } from '../helpers/app.ts'
import { basicRows, buildBasic, fixturePath } from '../fixtures/registry/build.ts'

const kinds: TestDatabaseKind[] = TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']
const fixture = (name: Parameters<typeof fixturePath>[0]) => new Uint8Array(fs.readFileSync(fixturePath(name)))
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

for (const kind of kinds) {
  describe(`project registry over HTTP on ${kind}`, () => {
    let t: TestApp
    let finance: string
    const dept: Record<string, string> = {}
    let departmentCount: number

    beforeAll(async () => {
      t = await makeTestApp(kind)
      finance = await t.login('caizheng')
      for (const d of await t.storage.departments.list()) dept[d.code] = d.id
      departmentCount = Object.keys(dept).length
    }, 60_000)
    afterAll(async () => {
      await t?.dispose()
    })

    async function upload(bytes: BlobPart | null, o: { token?: string; year?: string | null; dryRun?: boolean; name?: string } = {}) {
      const form = new FormData()
      if (bytes !== null) form.set('file', new File([bytes], o.name ?? 'registry.xlsx', { type: XLSX }))
      if (o.year !== null) form.set('year', o.year ?? '2025')
      const res = await t.app.request(`/api/registry/import${o.dryRun ? '?dryRun=1' : ''}`, { method: 'POST', body: form, headers: { authorization: `Bearer ${o.token ?? finance}` } })
      return { status: res.status, body: (await res.json()) as any }
    }
    const imported = (r: { status: number; body: unknown }): RegistryImportAnswer => {
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      return registryImportAnswer.parse(r.body)
    }
    const list = async (year: number, token = finance, departmentId?: string) => {
      const r = await t.request('GET', `/api/registry?year=${year}${departmentId ? `&departmentId=${departmentId}` : ''}`, { token })
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      return registryListAnswer.parse(r.body)
    }
    const byName = <T extends { projectName: string }>(xs: readonly T[], name: string) => xs.find((x) => x.projectName === name)!

    it('lists unknown departments for finance to map and never creates them; a code under another name matches by code with a warning', async () => {
      const a = imported(await upload(fixture('registry-merged-heading.xlsx'), { year: '2025' }))
      expect(a).toMatchObject({ dryRun: false, year: 2025, created: 6, updated: 0, unchanged: 0 })
      expect(a.projects.map((p) => p.projectName)).toEqual(['城乡临时救助', '城乡最低生活保障', '退役军人帮扶援助', '烈士纪念设施维护', '群众文化活动', '文化行政运行保障'])

      // 120-南江市民政事务局: the demo city's 120 is 南江市民政局 → by code, with both names in the report
      expect(byName(a.projects, '城乡临时救助').departmentId).toBe(dept['120'])
      const mismatch = a.report.problems.filter((p) => p.code === 'code_name_mismatch')
      expect(mismatch.map((p) => p.cell)).toEqual(['C5', 'C6'])
      expect(mismatch[0]!.message).toContain('南江市民政局')
      expect(mismatch[0]!.message).toContain('南江市民政事务局')
      expect(mismatch[0]!.severity).toBe('warning')

      // 199 退役军人事务局 and its unit are not in the list: waiting, listed, not created
      expect(byName(a.projects, '退役军人帮扶援助').departmentId).toBeNull()
      expect(a.unknownDepartments).toEqual([
        { code: '199', name: '南江市退役军人事务局', role: 'competentDept', rows: [7, 8], projectIds: [byName(a.projects, '退役军人帮扶援助').id, byName(a.projects, '烈士纪念设施维护').id] },
        { code: '199001', name: '南江市退役军人服务中心', role: 'unit', rows: [7, 8], projectIds: expect.any(Array) },
      ])
      expect(a.report.problems.filter((p) => p.code === 'unknown_department').map((p) => p.message)).toEqual([
        expect.stringContaining('待财政局对应部门后才能建表'), expect.stringContaining('烈士纪念设施维护'),
      ])
      expect((await t.storage.departments.list()).length).toBe(departmentCount)

      // a unit (126001) under its department, a 部门本级 row (126), 类/款/项 by name and by short code
      expect(byName(a.projects, '群众文化活动')).toMatchObject({ departmentId: dept['126001'], functionalClass: { code: '2070109', name: '群众文化' } })
      expect(byName(a.projects, '文化行政运行保障')).toMatchObject({ departmentId: dept['126'], functionalClass: { code: '2070101', name: '行政运行' } })
      expect(byName(a.projects, '城乡临时救助').functionalClass).toEqual({ code: '20820', name: '临时救助', levels: { class: '社会保障和就业支出', section: '临时救助', item: '' } })
      // the row without a project name is reported with its cell and left out; 合计 and 说明 are not projects
      expect(a.report.problems).toEqual(expect.arrayContaining([
        expect.objectContaining({ cell: 'F11', code: 'no_project_name', severity: 'error' }),
        expect.objectContaining({ code: 'total_row', severity: 'info' }),
        expect.objectContaining({ code: 'notes_skipped', severity: 'info' }),
      ]))

      const listed = await list(2025)
      expect(listed.total).toBe(6)
      expect(listed.unknownDepartments.map((u) => [u.code, u.role, u.projectIds.length])).toEqual([['199', 'competentDept', 2], ['199001', 'unit', 2]])
    })

    it('creates the tables of matched projects and skips those waiting for a department', async () => {
      const r = await t.request('POST', '/api/registry/tables', { token: finance, body: { year: 2025 } })
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      const answer = registryTablesAnswer.parse(r.body)
      expect(answer.template).toBe('mof2015-project')
      expect(answer.created).toHaveLength(4)
      expect(answer.skipped.map((s) => [s.projectName, s.code])).toEqual([['退役军人帮扶援助', 'no_department'], ['烈士纪念设施维护', 'no_department']])
      expect(answer.skipped[0]!.reason).toContain('南江市退役军人事务局')
    })

    it('maps an unknown department: the waiting projects join it, the next import recognises it, its tables can be created', async () => {
      const before = await list(2025)
      const r = await t.request('POST', '/api/registry/aliases', { token: finance, body: { code: '199', name: '南江市退役军人事务局', departmentId: dept['120'] } })
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      expect(r.body.alias).toMatchObject({ code: '199', name: '南江市退役军人事务局', departmentId: dept['120'] })
      expect(r.body.attached.map((x: { projectName: string }) => x.projectName).sort()).toEqual(['烈士纪念设施维护', '退役军人帮扶援助'])

      const after = await list(2025)
      expect(after.unknownDepartments).toEqual([])
      expect(byName(after.projects, '退役军人帮扶援助')).toMatchObject({ departmentId: dept['120'], departmentName: '南江市民政局', tableId: null })
      expect(after.total).toBe(before.total)

      // importing the same file again: everything unchanged, the alias matches, nothing duplicated
      const again = imported(await upload(fixture('registry-merged-heading.xlsx'), { year: '2025' }))
      expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 6, unknownDepartments: [] })
      expect(byName(again.projects, '烈士纪念设施维护').departmentId).toBe(dept['120'])
      expect((await list(2025)).total).toBe(6)

      const tables = registryTablesAnswer.parse((await t.request('POST', '/api/registry/tables', { token: finance, body: { year: 2025 } })).body)
      expect(tables.created.map((c) => c.projectId).sort()).toEqual(r.body.attached.map((x: { projectId: string }) => x.projectId).sort())
      expect(tables.skipped.every((s) => s.code === 'has_table')).toBe(true)
    })

    it('refuses an alias to a department that does not exist, and is finance\'s', async () => {
      const bad = await t.request('POST', '/api/registry/aliases', { token: finance, body: { name: '某局', departmentId: 'd_nope' } })
      expect(bad.status).toBe(400)
      expect(bad.body.error.message).toContain('部门（departmentId）不存在')
      const consultant = await t.request('POST', '/api/registry/aliases', { token: await t.login('zixun'), body: { name: '某局', departmentId: dept['105'] } })
      expect(consultant.status).toBe(403)
    })

    it('imports the basic layout: code-name variants, contacts, codes, blanks; a dry run stores nothing', async () => {
      const dry = imported(await upload(fixture('registry-basic.xlsx'), { year: '2026', dryRun: true }))
      expect(dry).toMatchObject({ dryRun: true, created: 6 })
      expect(dry.projects.every((p) => p.id === null)).toBe(true)
      expect((await list(2026)).total).toBe(0)

      const a = imported(await upload(fixture('registry-basic.xlsx'), { year: '2026' }))
      expect(a).toMatchObject({ created: 6, unknownDepartments: [] })
      const p = (n: string) => byName(a.projects, n)
      expect(p('城乡义务教育课后服务补助')).toMatchObject({
        departmentId: dept['105'], financeOffice: { code: '05', name: '教科文科' }, competentDept: { code: '105', name: '南江市教育局' },
        contacts: [{ role: '项目主要负责人', name: '王芳', phone: '13800000001' }, { role: '财务人员', name: '李娜', phone: '0817-2345678' }],
        requestedAmount: 320.5, classified: false, fundingType: '部门预算项目', fundSource: '一般公共预算',
        source: { file: 'registry.xlsx', sheet: '项目统计表', row: 5 },
      })
      expect(p('学前教育幼儿资助').requestedAmount).toBe('854万（其中上年结转54万）')
      expect(a.report.problems).toEqual(expect.arrayContaining([expect.objectContaining({ cell: 'G6', code: 'amount_text', severity: 'warning' })]))
      expect(p('基本公共卫生服务项目')).toMatchObject({ departmentId: dept['118'], unit: { code: '118', name: '' } }) // 118—名称 and a code alone
      expect(p('送戏下乡文艺演出')).toMatchObject({ departmentId: dept['126001'], competentDept: { name: '南江市文化广电旅游体育局' } }) // ***- masked
      expect(p('城区园林绿化养护')).toMatchObject({ departmentId: dept['135001'] }) // names alone
      expect(p('政务信息系统运维')).toMatchObject({ departmentId: dept['103001'], classified: true })
    })

    it('re-imports without duplicates: a changed amount updates that project only', async () => {
      const rows = basicRows().map((r) => [...r])
      rows[0]![6] = 333.75
      const a = imported(await upload(new Uint8Array(await buildBasic(rows)), { year: '2026', name: '项目统计表（第二版）.xlsx' }))
      expect(a).toMatchObject({ created: 0, updated: 1, unchanged: 5 })
      expect(a.projects.filter((p) => p.action === 'updated').map((p) => p.projectName)).toEqual(['城乡义务教育课后服务补助'])
      const listed = await list(2026)
      expect(listed.total).toBe(6)
      expect(byName(listed.projects, '城乡义务教育课后服务补助')).toMatchObject({ requestedAmount: 333.75, source: { file: '项目统计表（第二版）.xlsx' } })
    })

    it('within one file: the same project twice is one project (the later row wins, reported); an unknown unit under a known department joins the department', async () => {
      const rows = basicRows().map((r) => [...r])
      const twice = [...rows[0]!]
      twice[6] = 400
      const newUnit = [...rows[4]!]
      newUnit[3] = '135009-南江市城市照明管理所'
      newUnit[5] = '城市照明维护'
      newUnit[2] = '135-南江市城市管理局（部门）'
      const a = imported(await upload(new Uint8Array(await buildBasic([...rows, twice, newUnit])), { year: '2029', dryRun: true }))
      expect(a.projects).toHaveLength(7)
      expect(byName(a.projects, '城乡义务教育课后服务补助')).toMatchObject({ requestedAmount: 400, source: { row: 12 } })
      expect(a.report.problems).toEqual(expect.arrayContaining([
        expect.objectContaining({ code: 'duplicate_project', cell: 'F12', message: expect.stringContaining('第 12 行与第 5 行是同一项目') }),
        expect.objectContaining({ code: 'unit_unmatched', cell: 'D13', severity: 'info', message: expect.stringContaining('归入主管部门“南江市城市管理局”') }),
      ]))
      expect(byName(a.projects, '城市照明维护').departmentId).toBe(dept['135'])
      expect(a.unknownDepartments).toEqual([])
    })

    it('gives a project one table when two calls race', async () => {
      imported(await upload(fixture('registry-basic.xlsx'), { year: '2030' }))
      const [x, y] = await Promise.all([1, 2].map(() => t.request('POST', '/api/registry/tables', { token: finance, body: { year: 2030 } })))
      const created = [...registryTablesAnswer.parse(x!.body).created, ...registryTablesAnswer.parse(y!.body).created]
      expect(created).toHaveLength(6)
      expect(new Set(created.map((c) => c.projectId)).size).toBe(6)
      const tables = await t.storage.tables.list({ year: 2030 })
      expect(tables).toHaveLength(6)
    })

    it('creates tables with the header prefilled from the registry, once', async () => {
      const first = registryTablesAnswer.parse((await t.request('POST', '/api/registry/tables', { token: finance, body: { year: 2026 } })).body)
      expect(first.created).toHaveLength(6)
      expect(first.skipped).toEqual([])
      const listed = await list(2026)
      const project = byName(listed.projects, '城乡义务教育课后服务补助')
      expect(project.tableId).toBe(first.created.find((c) => c.projectId === project.id)!.tableId)

      const table = await t.request('GET', `/api/tables/${project.tableId}`, { token: finance })
      expect(table.status).toBe(200)
      expect(table.body).toMatchObject({ kind: 'project', template: 'mof2015-project', year: 2026, departmentId: dept['105'], classified: false })
      expect(table.body.content.header).toMatchObject({
        projectName: '城乡义务教育课后服务补助',
        competentDept: { code: '105', name: '南江市教育局' },
        implementingUnit: { code: '105', name: '南江市教育局' },
        functionalClass: { code: '2050202', name: '小学教育' },
        fundingType: '部门预算项目',
        fundSource: '一般公共预算',
        projectLeader: '王芳',
        phone: '13800000001',
      })
      expect(table.body.content.funds.annual.total).toBe(333.75)
      const prose = await t.request('GET', `/api/tables/${byName(listed.projects, '学前教育幼儿资助').tableId}`, { token: finance })
      expect(prose.body.content.funds.annual.total).toBe('854万（其中上年结转54万）')
      const secret = await t.request('GET', `/api/tables/${byName(listed.projects, '政务信息系统运维').tableId}`, { token: finance })
      expect(secret.body.classified).toBe(true)

      const second = registryTablesAnswer.parse((await t.request('POST', '/api/registry/tables', { token: finance, body: { year: 2026 } })).body)
      expect(second.created).toEqual([])
      expect(second.skipped.map((s) => s.code)).toEqual(Array(6).fill('has_table'))
      const chosen = registryTablesAnswer.parse((await t.request('POST', '/api/registry/tables', { token: finance, body: { year: 2026, projectIds: [project.id] } })).body)
      expect(chosen).toMatchObject({ created: [], skipped: [{ projectId: project.id, code: 'has_table' }] })
    })

    it('scopes who may import, read and create', async () => {
      const jiaoyu = await t.login('jiaoyu')
      const renda = await t.login('renda')
      const zixun = await t.login('zixun')
      // department users and viewers cannot import; consultants can
      for (const token of [jiaoyu, renda]) {
        const r = await upload(fixture('registry-basic.xlsx'), { token, year: '2027' })
        expect(r.status).toBe(403)
        expect(r.body.error.message).toMatch(/[\u4e00-\u9fff]/)
      }
      expect(imported(await upload(fixture('registry-basic.xlsx'), { token: zixun, year: '2027' })).created).toBe(6)

      // reading: a department sees its own; a consultant its departments but no 涉密; a viewer all but 涉密
      expect((await list(2027, jiaoyu)).projects.map((p) => p.projectName)).toEqual(['城乡义务教育课后服务补助', '学前教育幼儿资助'])
      expect((await list(2027, zixun)).projects.map((p) => p.departmentId).every((d) => [dept['105'], dept['118'], dept['126'], dept['126001']].includes(d!))).toBe(true)
      expect((await list(2027, renda)).projects.map((p) => p.projectName)).not.toContain('政务信息系统运维')
      expect((await list(2027, renda)).total).toBe(5)
      // personal contacts (names, phones) are for the people who work on the tables, not for a read-only viewer
      expect((await list(2027, renda)).projects.every((p) => p.contacts.length === 0)).toBe(true)
      expect((await list(2027, jiaoyu)).projects.some((p) => p.contacts.length > 0)).toBe(true)
      expect((await list(2027, finance, dept['126'])).projects.map((p) => p.projectName)).toEqual(['送戏下乡文艺演出'])

      // a viewer cannot create tables; a department creates only its own
      const viewer = await t.request('POST', '/api/registry/tables', { token: renda, body: { year: 2027 } })
      expect(viewer.status).toBe(403)
      const own = registryTablesAnswer.parse((await t.request('POST', '/api/registry/tables', { token: jiaoyu, body: { year: 2027 } })).body)
      expect(own.created).toHaveLength(2)
      expect(own.skipped).toEqual([])
      // a consultant creates within its departments, never a 涉密 table it may not read
      const consultant = registryTablesAnswer.parse((await t.request('POST', '/api/registry/tables', { token: zixun, body: { year: 2027 } })).body)
      expect(consultant.created).toHaveLength(2) // 118 and 126001
      expect(consultant.skipped.map((x) => x.code)).toEqual(['has_table', 'has_table'])
      const other = (await list(2027)).projects.find((p) => p.projectName === '城区园林绿化养护')!
      const notMine = registryTablesAnswer.parse((await t.request('POST', '/api/registry/tables', { token: jiaoyu, body: { year: 2027, projectIds: [other.id] } })).body)
      expect(notMine).toMatchObject({ created: [], skipped: [{ projectId: other.id, code: 'not_found' }] })
    })

    it('answers bad input with clear Chinese messages and stores nothing', async () => {
      const none = await upload(null, { year: '2028' })
      expect(none.status).toBe(400)
      expect(none.body.error.message).toContain('请选择要导入的 Excel 文件')

      const noYear = await upload(fixture('registry-basic.xlsx'), { year: null })
      expect(noYear.status).toBe(400)
      expect(noYear.body.error.message).toContain('年度（year）')

      const random = await upload(new Uint8Array(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)), { year: '2028', name: '随机.xlsx' })
      expect(random.status).toBe(400)
      expect(random.body.error.message).toMatch(/[\u4e00-\u9fff]/)

      const wb = new ExcelJS.Workbook()
      wb.addWorksheet('名单').addRows([['姓名', '电话'], ['张三', '138']])
      const other = await upload(new Uint8Array(await wb.xlsx.writeBuffer()), { year: '2028', name: '名单.xlsx' })
      expect(other.status).toBe(400)
      expect(other.body.error.message).toContain('没有找到项目统计表')
      expect(other.body.error.details.sheets).toEqual([{ name: '名单', projects: 0, skipped: expect.stringContaining('没有找到项目统计表的表头') }])

      const badYear = await t.request('GET', '/api/registry?year=abc', { token: finance })
      expect(badYear.status).toBe(400)
      const badTemplate = await t.request('POST', '/api/registry/tables', { token: finance, body: { year: 2028, template: 'mof2015-dept' } })
      expect(badTemplate.status).toBe(400)
      expect(badTemplate.body.error.message).toContain('表样版本（template）')
      expect((await list(2028)).total).toBe(0)
    })
  })
}
