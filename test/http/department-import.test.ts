// POST /api/departments/import over HTTP (PGlite, demo city): finance only; a dry run stores nothing; 120
// departments, units and towns imported in one go, then re-imported (all unchanged) and imported a year
// later (renamed and moved → updated, new → created, never duplicated); the 一体化 listing; bad rows reported
// while the good ones import; a file that is not a workbook → 400 with the reader's Chinese message.
// Fixtures: test/fixtures/departments/build.ts.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { departmentImportAnswer } from '../../shared/api/imports.ts'
import { makeTestApp, type TestApp } from '../helpers/app.ts'

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/departments')
const fixture = (name: string) => new Uint8Array(fs.readFileSync(path.join(FIXTURES, name)))

describe('department list import over HTTP', () => {
  let t: TestApp
  let finance: string
  let before: number

  beforeAll(async () => {
    t = await makeTestApp('pglite')
    finance = await t.login('caizheng')
    before = (await t.storage.departments.list()).length
  })
  afterAll(async () => {
    await t?.dispose()
  })

  async function upload(bytes: BlobPart, options: { token?: string; dryRun?: boolean; name?: string } = {}) {
    const form = new FormData()
    form.set('file', new File([bytes], options.name ?? 'list.xlsx', { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }))
    const res = await t.app.request(`/api/departments/import${options.dryRun ? '?dryRun=1' : ''}`, {
      method: 'POST', body: form, headers: { authorization: `Bearer ${options.token ?? finance}` },
    })
    const body = await res.json() as any
    return { status: res.status, body }
  }

  const all = async () => t.storage.departments.list()

  it('is finance\'s: a department user and a viewer are refused and nothing is stored', async () => {
    for (const user of ['jiaoyu', 'renda']) {
      const r = await upload(fixture('list-120.xlsx'), { token: await t.login(user) })
      expect(r.status).toBe(403)
      expect(r.body.error.message).toMatch(/[\u4e00-\u9fff]/)
    }
    expect((await all()).length).toBe(before)
  })

  it('previews 120 departments, units and towns in a dry run without storing any', async () => {
    const r = await upload(fixture('list-120.xlsx'), { dryRun: true })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    const answer = departmentImportAnswer.parse(r.body)
    expect(answer).toMatchObject({ dryRun: true, created: 120, updated: 0, unchanged: 0 })
    expect(answer.departments.filter((d) => d.kind === 'department').length).toBe(40)
    expect(answer.departments.filter((d) => d.kind === 'town').length).toBe(10)
    expect(answer.departments.filter((d) => d.kind === 'unit').length).toBe(70)
    expect(answer.report.problems.filter((p) => p.severity === 'error')).toEqual([])
    // the merged note under the list is skipped and said so
    expect(answer.report.problems.some((p) => p.code === 'note_skipped')).toBe(true)
    expect((await all()).length).toBe(before)
  })

  it('imports them in one go with their parents, then a re-import changes nothing', async () => {
    const started = performance.now()
    const r = await upload(fixture('list-120.xlsx'))
    const ms = performance.now() - started
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body).toMatchObject({ dryRun: false, created: 120, updated: 0, unchanged: 0 })
    expect(ms).toBeLessThan(5000)
    const stored = await all()
    expect(stored.length).toBe(before + 120)
    const byCode = new Map(stored.map((d) => [d.code, d]))
    expect(byCode.get('700001')).toMatchObject({ kind: 'unit', parentId: byCode.get('700')!.id })
    expect(byCode.get('640')).toMatchObject({ kind: 'town', name: '南江市青山镇人民政府', parentId: null })
    expect(byCode.get('640001')!.parentId).toBe(byCode.get('640')!.id)
    // the list the pages read has them
    const listed = await t.request('GET', '/api/departments', { token: await t.login('jiaoyu') })
    expect(listed.body.departments.length).toBe(before + 120)
    const audit = await t.storage.audit.list({ action: 'department.import' })
    expect(JSON.stringify(audit)).toContain('list.xlsx')

    const again = await upload(fixture('list-120.xlsx'))
    expect(again.body).toMatchObject({ created: 0, updated: 0, unchanged: 120 })
    expect((await all()).length).toBe(before + 120)
  })

  it('imports a later list: renamed and moved rows are updated (renames reported), new ones created, nothing duplicated', async () => {
    const dry = await upload(fixture('list-120-v2.xlsx'), { dryRun: true })
    expect(dry.body).toMatchObject({ dryRun: true, created: 2, updated: 4, unchanged: 116 })
    const r = await upload(fixture('list-120-v2.xlsx'))
    expect(r.body).toMatchObject({ dryRun: false, created: 2, updated: 4, unchanged: 116 })
    const renames = r.body.report.problems.filter((p: any) => p.code === 'name_changed')
    expect(renames.map((p: any) => p.cell).sort()).toEqual(['C3', 'C48', 'C54']) // a blank row stands before the units
    expect(renames[0].message).toContain('南江市发展和改革委员会')
    const updated = r.body.departments.filter((d: any) => d.action === 'updated').map((d: any) => d.code).sort()
    expect(updated).toEqual(['645', '700', '700001', '701002'])
    const stored = await all()
    expect(stored.length).toBe(before + 122)
    const byCode = new Map(stored.map((d) => [d.code, d]))
    expect(byCode.get('700')!.name).toBe('南江市发展和改革局')
    expect(byCode.get('701002')!.parentId).toBe(byCode.get('702')!.id)
    expect(new Set(stored.map((d) => d.code)).size).toBe(stored.length)
  })

  it('reads the 一体化 listing: code-name cells, units under their department by code prefix (also a stored one)', async () => {
    const r = await upload(fixture('list-yth.xlsx'))
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body.report.problems.filter((p: any) => p.severity === 'error')).toEqual([])
    expect(r.body.departments.map((d: any) => `${d.code}:${d.kind}:${d.parentCode ?? ''}`)).toEqual([
      '820:department:', '820001:unit:820', '820002:unit:820', '821:department:', '821001:unit:821', '650:town:', '650001:unit:650', '105012:unit:105',
    ])
    expect((await t.storage.departments.getByCode('820'))!.name).toBe('南江市交通运输局')
  })

  it('reports each bad row with its cell and a Chinese message and imports the good rows', async () => {
    const r = await upload(fixture('list-bad.xlsx'))
    expect(r.status).toBe(200)
    const errors = r.body.report.problems.filter((p: any) => p.severity === 'error')
    expect(errors.map((p: any) => `${p.cell} ${p.code}`)).toEqual([
      'A4 missing_code', 'B5 missing_name', 'C6 unknown_kind', 'D7 unknown_parent', 'D8 parent_is_unit', 'A9 duplicate_code',
    ])
    for (const p of errors) expect(p.message).toMatch(/[\u4e00-\u9fff]/)
    expect(r.body.report.problems.filter((p: any) => p.severity === 'warning').map((p: any) => `${p.cell} ${p.code}`)).toEqual(['B10 name_changed'])
    expect(r.body).toMatchObject({ created: 2, updated: 1 })
    expect((await t.storage.departments.getByCode('860001'))!.parentId).toBe((await t.storage.departments.getByCode('860'))!.id)
    expect((await t.storage.departments.getByCode('105'))!.name).toBe('南江市教育体育局')
    expect(await t.storage.departments.getByCode('862')).toBeNull()
  })

  it('answers a file that is not a workbook, or a workbook without a list, with 400 and a Chinese message; stores nothing', async () => {
    const count = (await all()).length
    const junk = await upload(new TextEncoder().encode('这不是 Excel 文件'.repeat(50)), { name: '名单.xlsx' })
    expect(junk.status).toBe(400)
    expect(junk.body.error.message).toMatch(/[\u4e00-\u9fff]/)
    const xls = await upload(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, ...new Array(600).fill(0)]), { name: '名单.xls' })
    expect(xls.status).toBe(400)
    expect(xls.body.error.message).toMatch(/xlsx/)
    const ExcelJS = (await import('exceljs')).default
    const wb = new ExcelJS.Workbook()
    wb.addWorksheet('Sheet1').addRow(['项目名称', '金额'])
    const empty = await upload(new Uint8Array(await wb.xlsx.writeBuffer() as ArrayBuffer))
    expect(empty.status).toBe(400)
    expect(empty.body.error.message).toContain('没有找到部门名单')
    const none = await t.app.request('/api/departments/import', { method: 'POST', body: new FormData(), headers: { authorization: `Bearer ${finance}` } })
    expect(none.status).toBe(400)
    expect((await all()).length).toBe(count)
  })
})
