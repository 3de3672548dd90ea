// Export over HTTP: one table as xlsx and PDF (draft, approved, a given version), the zip of selected
// tables, bad input, and the walk of role × department × classified × edition against can().
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import ExcelJS from 'exceljs'
import JSZip from 'jszip'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { can } from '../../shared/permissions.ts'
import { makeTestApp, type TestApp } from '../helpers/app.ts'
import { loadSample } from '../helpers/samples.ts'

/** the raw body of a download (the helper parses JSON only) */
async function download(t: TestApp, url: string, token: string | undefined, init: { method?: string; body?: unknown } = {}) {
  const res = await t.app.request(url, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
    body: init.body ? JSON.stringify(init.body) : undefined,
  })
  const bytes = Buffer.from(await res.arrayBuffer())
  return { status: res.status, headers: res.headers, bytes, json: () => JSON.parse(bytes.toString('utf8')) }
}

function pdfText(bytes: Buffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'export-'))
  try {
    fs.writeFileSync(path.join(dir, 'a.pdf'), bytes)
    return execFileSync('pdftotext', ['-layout', path.join(dir, 'a.pdf'), '-'], { encoding: 'utf8' })
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

async function sheetText(bytes: Buffer): Promise<string> {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(bytes as unknown as ArrayBuffer)
  const out: string[] = []
  wb.worksheets[0]!.eachRow((row) => row.eachCell((cell) => {
    if (cell.type !== ExcelJS.ValueType.Merge) out.push(String(cell.text ?? ''))
  }))
  return out.join('\n')
}

describe('table export over HTTP', () => {
  let t: TestApp
  const tok: Record<string, string> = {}
  let edu: string
  let plain: string
  let secret: string
  const PREPARER = '王小明'
  const PHONE = '0731-88886666'

  const create = async (classified: boolean, projectName: string) => {
    const content = loadSample('S01') as { header: Record<string, unknown> }
    content.header.projectName = projectName
    content.header.preparer = PREPARER
    content.header.phone = PHONE
    const r = await t.request('POST', '/api/tables', { token: tok.caizheng, body: { kind: 'project', template: 'mof2015-project', year: 2024, departmentId: edu, content, classified } })
    expect(r.status).toBe(201)
    return r.body.id as string
  }

  beforeAll(async () => {
    t = await makeTestApp('pglite')
    for (const u of ['caizheng', 'jiaoyu', 'weijian', 'zixun', 'renda']) tok[u] = await t.login(u)
    edu = await t.departmentId('105')
    plain = await create(false, '课后服务补助经费')
    secret = await create(true, '涉密信息系统运维')
  })
  afterAll(async () => {
    await t?.dispose()
  })

  it('exports a draft as xlsx marked 草稿, with a Chinese file name and an audit entry', async () => {
    const r = await download(t, `/api/tables/${plain}/export?format=xlsx`, tok.jiaoyu)
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    const disposition = decodeURIComponent(r.headers.get('content-disposition')!)
    expect(disposition).toContain('课后服务补助经费（草稿）.xlsx')
    const text = await sheetText(r.bytes)
    expect(text).toContain('草稿')
    expect(text).toContain('2024')
    expect(text).toContain('课后服务补助经费')
    expect(text).toContain(PREPARER) // the internal edition keeps the signature block
    const audit = await t.storage.audit.list({ tableId: plain, action: 'table.export' })
    expect(audit.length).toBeGreaterThan(0)
    expect(audit[0]!.details).toMatchObject({ format: 'xlsx', edition: 'internal', version: null })
  })

  it('exports the same table as a PDF whose text is the table', async () => {
    const r = await download(t, `/api/tables/${plain}/export?format=pdf`, tok.jiaoyu)
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toBe('application/pdf')
    const text = pdfText(r.bytes)
    expect(text).toContain('课后服务补助经费')
    expect(text).toContain('草稿')
  })

  it('leaves personal names and phone numbers out of the public edition', async () => {
    const x = await download(t, `/api/tables/${plain}/export?format=xlsx&edition=public`, tok.caizheng)
    expect(x.status).toBe(200)
    const xt = await sheetText(x.bytes)
    expect(xt).toContain('课后服务补助经费')
    expect(xt).not.toContain(PREPARER)
    expect(xt).not.toContain(PHONE)
    expect(xt).not.toContain('填报人')
    const p = await download(t, `/api/tables/${plain}/export?format=pdf&edition=public`, tok.caizheng)
    const pt = pdfText(p.bytes)
    expect(pt).not.toContain(PREPARER)
    expect(pt).not.toContain(PHONE)
  })

  it('prints an approved table at its approved version, and any frozen version on request', async () => {
    const content = loadSample('S09') as { year: number; header: Record<string, unknown> }
    const made = await t.request('POST', '/api/tables', { token: tok.jiaoyu, body: { kind: 'project', template: 'mof2021-core', year: content.year, departmentId: edu, content } })
    const id = made.body.id as string
    expect((await t.request('POST', `/api/tables/${id}/transitions`, { token: tok.jiaoyu, body: { action: 'submit' } })).status).toBe(200)
    expect((await t.request('POST', `/api/tables/${id}/transitions`, { token: tok.caizheng, body: { action: 'approve' } })).body).toMatchObject({ status: 'approved', version: 2 })
    const approved = await download(t, `/api/tables/${id}/export?format=xlsx`, tok.renda)
    expect(approved.status).toBe(200)
    const text = await sheetText(approved.bytes)
    expect(text).toContain('第 2 版')
    expect(text).toContain('审核通过')
    expect(text).not.toContain('草稿')
    const first = await download(t, `/api/tables/${id}/export?format=pdf&version=1`, tok.renda)
    expect(first.status).toBe(200)
    expect(pdfText(first.bytes)).toContain('第 1 版')
    const missing = await download(t, `/api/tables/${id}/export?format=xlsx&version=9`, tok.renda)
    expect(missing.status).toBe(404)
    expect(missing.json().error).toMatchObject({ code: 'not_found', details: { field: 'version' } })
    expect(missing.json().error.message).toContain('版本 9 不存在')
  })

  it('refuses bad input with the field named', async () => {
    const cases: [string, string][] = [
      [`/api/tables/${plain}/export?format=docx`, 'format'],
      [`/api/tables/${plain}/export`, 'format'],
      [`/api/tables/${plain}/export?format=xlsx&edition=secret`, 'edition'],
      [`/api/tables/${plain}/export?format=xlsx&version=abc`, 'version'],
      [`/api/tables/${plain}/export?format=xlsx&version=0`, 'version'],
    ]
    for (const [url, field] of cases) {
      const r = await download(t, url, tok.jiaoyu)
      expect(r.status, url).toBe(400)
      expect(r.json().error).toMatchObject({ code: 'invalid_input', details: { field } })
    }
    expect((await download(t, '/api/tables/t_nonexistent/export?format=xlsx', tok.caizheng)).status).toBe(404)
    const anonymous = await t.app.request(`/api/tables/${plain}/export?format=xlsx`)
    expect(anonymous.status).toBe(401)
  })

  it('walks role × department × classified × edition: exactly what can() allows, never a 涉密 table in public', async () => {
    const tables = [{ id: plain, classified: false }, { id: secret, classified: true }]
    const actors: Record<string, { role: 'finance' | 'department' | 'consultant' | 'viewer'; departmentIds: string[] }> = {
      caizheng: { role: 'finance', departmentIds: [] },
      jiaoyu: { role: 'department', departmentIds: [edu] },
      weijian: { role: 'department', departmentIds: [await t.departmentId('118')] },
      zixun: { role: 'consultant', departmentIds: [edu, await t.departmentId('118'), await t.departmentId('126')] },
      renda: { role: 'viewer', departmentIds: [] },
    }
    let allowed = 0
    let refused = 0
    for (const [user, actor] of Object.entries(actors)) {
      for (const table of tables) {
        for (const edition of ['internal', 'public'] as const) {
          const ok = can({ id: user, ...actor }, 'export', { departmentId: edu, status: 'draft', classified: table.classified }).allowed
            && !(edition === 'public' && table.classified)
          const r = await download(t, `/api/tables/${table.id}/export?format=xlsx&edition=${edition}`, tok[user]!)
          expect(r.status, `${user} ${table.classified ? '涉密' : '非密'} ${edition}`).toBe(ok ? 200 : 403)
          if (ok) allowed++
          else {
            refused++
            expect(r.json().error.code).toBe('forbidden')
            expect(r.json().error.message).toMatch(/涉密|部门/)
          }
        }
      }
    }
    expect(allowed).toBeGreaterThan(0)
    expect(refused).toBeGreaterThan(0)
  })

  it('exports selected tables in one zip, one file per table, and refuses the set when one may not leave', async () => {
    const r = await download(t, '/api/tables/export', tok.caizheng, { method: 'POST', body: { tableIds: [plain, secret], format: 'xlsx', edition: 'internal' } })
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toBe('application/zip')
    const zip = await JSZip.loadAsync(r.bytes)
    const names = Object.keys(zip.files)
    expect(names).toHaveLength(2)
    expect(names.some((n) => n.includes('课后服务补助经费'))).toBe(true)
    expect(names.some((n) => n.includes('涉密信息系统运维'))).toBe(true)
    const inner = await zip.file(names[0]!)!.async('nodebuffer')
    expect((await sheetText(inner)).length).toBeGreaterThan(100)

    const pub = await download(t, '/api/tables/export', tok.caizheng, { method: 'POST', body: { tableIds: [plain, secret], format: 'pdf', edition: 'public' } })
    expect(pub.status).toBe(403)
    expect(pub.json().error.details.refused).toEqual([{ tableId: secret, reason: expect.stringContaining('涉密') }])
    const other = await download(t, '/api/tables/export', tok.weijian, { method: 'POST', body: { tableIds: [plain], format: 'xlsx' } })
    expect(other.status).toBe(403)
    const empty = await download(t, '/api/tables/export', tok.caizheng, { method: 'POST', body: { tableIds: [], format: 'xlsx' } })
    expect(empty.status).toBe(400)
    expect(empty.json().error.details.field).toBe('tableIds')
    const many = await download(t, '/api/tables/export', tok.caizheng, { method: 'POST', body: { tableIds: Array.from({ length: 51 }, (_, i) => `t_${i}`), format: 'xlsx' } })
    expect(many.status).toBe(400)
    expect(many.json().error.message).toContain('汇编成册')
  })
})
