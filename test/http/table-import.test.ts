// POST /api/tables/import over HTTP on both databases: a dry run stores nothing, a real import creates
// every table of a workbook in one transaction with its report, permissions, and bad files; and
// POST /api/validate with an xlsx. The workbooks are our own exports of the reference samples.
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseTableOrThrow, type ProjectTable, type TargetTable } from '../../shared/model/index.ts'
import type { TableImportAnswer, ValidateXlsxAnswer } from '../../shared/api/imports.ts'
import { exportDoc } from '../../server/export/document.ts'
import { safeSheetName, sheetOptions, tableXlsx, writeTableSheet } from '../../server/export/xlsx.ts'
import { closeImportWorker } from '../../server/import/run.ts'
import { makeTestApp, type TestApp } from '../helpers/app.ts'
import { loadSample } from '../helpers/samples.ts'

const docOf = (table: TargetTable, title: string) =>
  exportDoc({ tableId: 't', table, title, departmentName: '南江市教育局', status: 'draft', version: 0, versionReason: null, versionAt: null, edition: 'internal' } as never)

async function workbookOf(tables: TargetTable[]): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook()
  const taken = new Set<string>()
  tables.forEach((table, i) => {
    const doc = docOf(table, `表${i + 1}`)
    const name = safeSheetName(`${i + 1}`, taken)
    taken.add(name)
    writeTableSheet(wb.addWorksheet(name, sheetOptions(doc)), doc)
  })
  return new Uint8Array(await wb.xlsx.writeBuffer())
}

function form(bytes: Uint8Array | string, fields: Record<string, string>, fileName = '绩效目标表.xlsx'): FormData {
  const fd = new FormData()
  fd.append('file', new Blob([bytes as BlobPart]), fileName)
  for (const [k, v] of Object.entries(fields)) fd.append(k, v)
  return fd
}

describe.each(['pglite', 'postgres'] as const)('table import over HTTP (%s)', (kind) => {
  let t: TestApp
  const tok: Record<string, string> = {}
  let edu: string
  let health: string
  const s01 = parseTableOrThrow(loadSample('S01')) as ProjectTable
  const s06 = parseTableOrThrow(loadSample('S06'))

  const upload = async (path: string, token: string | undefined, body: FormData) => {
    const res = await t.app.request(path, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {}, body })
    return { status: res.status, body: (await res.json()) as any }
  }

  beforeAll(async () => {
    t = await makeTestApp(kind)
    for (const u of ['caizheng', 'jiaoyu', 'weijian', 'renda']) tok[u] = await t.login(u)
    edu = await t.departmentId('105')
    health = await t.departmentId('118')
  })
  afterAll(async () => {
    closeImportWorker()
    await t?.dispose()
  })

  it('a dry run shows the tables and the report and stores nothing', async () => {
    const before = (await t.request('GET', `/api/tables?departmentId=${edu}`, { token: tok.jiaoyu })).body.total
    const bytes = await workbookOf([s01, s06])
    const r = await upload('/api/tables/import?dryRun=1', tok.jiaoyu, form(bytes, { departmentId: edu, year: '2024' }))
    expect(r.status).toBe(200)
    const answer = r.body as TableImportAnswer
    expect(answer.dryRun).toBe(true)
    expect(answer.tables.map((x) => [x.kind, x.template, x.id])).toEqual([['project', s01.template, undefined], ['department', s06.template, undefined]])
    expect(answer.tables[0]!.title).toBe(s01.header.projectName)
    expect((answer.tables[0]!.content as TargetTable).indicators.length).toBe(s01.indicators.length)
    expect(answer.report.tables.map((x) => x.sheet)).toEqual(['1', '2'])
    expect(answer.report.tables[0]!.rows.indicators).toBe(s01.indicators.length)
    expect((await t.request('GET', `/api/tables?departmentId=${edu}`, { token: tok.jiaoyu })).body.total).toBe(before)
  })

  it('an import creates every table in the department, with findings, audit origin and content', async () => {
    const bytes = new Uint8Array(await tableXlsx(docOf(s01, s01.header.projectName)))
    const r = await upload('/api/tables/import', tok.jiaoyu, form(bytes, { departmentId: edu, year: '2024' }, '课后服务.xlsx'))
    expect(r.status).toBe(201)
    const answer = r.body as TableImportAnswer
    expect(answer.tables).toHaveLength(1)
    const id = answer.tables[0]!.id!
    expect(id).toBeTruthy()
    const detail = await t.request('GET', `/api/tables/${id}`, { token: tok.jiaoyu })
    expect(detail.status).toBe(200)
    expect(detail.body).toMatchObject({ departmentId: edu, kind: 'project', template: s01.template, year: s01.year, status: 'draft' })
    expect(detail.body.content.header.projectName).toBe(s01.header.projectName)
    expect(detail.body.content.indicators.map((i: { level3: string }) => i.level3)).toEqual(s01.indicators.map((i) => i.level3))
    const findings = await t.request('GET', `/api/tables/${id}/findings`, { token: tok.jiaoyu })
    expect(findings.body.findings.filter((f: { severity: string }) => f.severity === 'error').length).toBe(answer.tables[0]!.findings.errors)
    const audit = await t.storage.audit.list({ tableId: id })
    expect(audit.find((e) => e.action === 'table.create')?.details).toMatchObject({ source: 'import', file: '课后服务.xlsx' })
  })

  it('refuses callers outside the department, viewers, and a department that does not exist', async () => {
    const bytes = new Uint8Array(await tableXlsx(docOf(s01, 'x')))
    expect((await upload('/api/tables/import', tok.weijian, form(bytes, { departmentId: edu, year: '2024' }))).status).toBe(403)
    expect((await upload('/api/tables/import', tok.renda, form(bytes, { departmentId: edu, year: '2024' }))).status).toBe(403)
    expect((await upload('/api/tables/import', undefined, form(bytes, { departmentId: edu, year: '2024' }))).status).toBe(401)
    const missing = await upload('/api/tables/import', tok.caizheng, form(bytes, { departmentId: 'nope', year: '2024' }))
    expect(missing.status).toBe(400)
    expect(missing.body.error.details).toMatchObject({ field: 'departmentId' })
    const noYear = await upload('/api/tables/import', tok.caizheng, form(bytes, { departmentId: health }))
    expect(noYear.status).toBe(400)
    expect(noYear.body.error.message).toContain('年度')
  })

  it('bad files get a Chinese message with a stable reason and store nothing', async () => {
    const before = (await t.request('GET', '/api/tables', { token: tok.caizheng })).body.total
    const random = await upload('/api/tables/import', tok.caizheng, form(new Uint8Array(Array.from({ length: 4000 }, (_, i) => (i * 7919) % 256)), { departmentId: edu, year: '2024' }))
    expect(random.status).toBe(400)
    expect(random.body.error.details).toMatchObject({ field: 'file', reason: 'not_xlsx' })
    expect(random.body.error.message).toMatch(/xlsx/)
    const empty = new ExcelJS.Workbook()
    empty.addWorksheet('说明').getCell('A1').value = '本文件没有表格'
    const none = await upload('/api/tables/import', tok.caizheng, form(new Uint8Array(await empty.xlsx.writeBuffer()), { departmentId: edu, year: '2024' }))
    expect(none.status).toBe(400)
    expect(none.body.error.details).toMatchObject({ field: 'file', reason: 'no_table' })
    expect(none.body.error.message).toMatch(/没有.*绩效目标表/)
    expect(none.body.error.details.report.sheets).toEqual([expect.objectContaining({ name: '说明', tables: 0 })])
    const noFile = await t.app.request('/api/tables/import', { method: 'POST', headers: { authorization: `Bearer ${tok.caizheng}` }, body: (() => { const f = new FormData(); f.append('departmentId', edu); return f })() })
    expect(noFile.status).toBe(400)
    expect(((await noFile.json()) as any).error.details).toMatchObject({ field: 'file', reason: 'missing' })
    const json = await t.request('POST', '/api/tables/import', { token: tok.caizheng, body: { departmentId: edu } })
    expect(json.status).toBe(400)
    expect(json.body.error.details).toMatchObject({ reason: 'not_multipart' })
    const big = await upload('/api/tables/import', tok.caizheng, form(new Uint8Array(60 * 1024 * 1024), { departmentId: edu, year: '2024' }))
    expect(big.status).toBe(413)
    expect((await t.request('GET', '/api/tables', { token: tok.caizheng })).body.total).toBe(before)
  })

  it('POST /api/validate judges an xlsx without storing it', async () => {
    const before = (await t.request('GET', '/api/tables', { token: tok.caizheng })).body.total
    const r = await upload('/api/validate', tok.renda, form(await workbookOf([s01, s06]), { year: '2024' }))
    expect(r.status).toBe(200)
    const answer = r.body as ValidateXlsxAnswer
    expect(answer.tables.map((x) => x.sheet)).toEqual(['1', '2'])
    expect(answer.tables[0]!.findings.length).toBeGreaterThan(0)
    expect((await t.request('GET', '/api/tables', { token: tok.caizheng })).body.total).toBe(before)
  })
})
