// 资料清单 over HTTP (server/http/routes/materials.ts) on PGlite, and PostgreSQL when TEST_DATABASE_URL is set,
// over the demo city: statuses and notes of the twelve items, an upload and download round trip (bytes,
// headers), file names cleaned of paths, the upload bounds (a declared 200 MB body refused before it is read,
// a streamed one cut off at the limit, a file just over the limit), scope (another department's user finds
// neither the checklist nor a file; an assigned consultant works only in the assigned year; a city-wide
// viewer reads without downloading; a department's read-only account reads and downloads; a department
// reaches its units'), bad input, and the audit trail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_MATERIAL_FILES_PER_ITEM, MAX_MATERIAL_FILE_BYTES, MAX_MATERIAL_UPLOAD_BODY_BYTES, MATERIAL_ITEMS, cleanMaterialFileName, materialFile, materialItem, materialsAnswer } from '../../shared/api/materials.ts'
import { DEMO_PASSWORD } from '../../server/bootstrap/demo-city.ts'
import { TEST_DATABASE_URL, type TestDatabaseKind } from '../helpers/database.ts'
import { makeTestApp, type TestApp } from '../helpers/app.ts'

const kinds: TestDatabaseKind[] = TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']
const YEAR = 2025

for (const kind of kinds) {
  describe(`资料清单 over HTTP on ${kind}`, () => {
    let t: TestApp
    let finance: string
    let jiaoyu: string
    let weijian: string
    let renda: string
    let firm: string
    let firmId: string
    let edu: string
    let uploaded: { id: string; name: string }

    const upload = async (token: string, departmentId: string, item: number | string, file: Blob, name: string, year: number | string = YEAR) => {
      const form = new FormData()
      form.set('file', file, name)
      const res = await t.app.request(`/api/departments/${departmentId}/materials/${item}/files?year=${year}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form })
      return { status: res.status, body: (await res.json()) as any }
    }
    const list = (token: string, departmentId: string, year: number = YEAR) => t.request('GET', `/api/departments/${departmentId}/materials?year=${year}`, { token })

    beforeAll(async () => {
      t = await makeTestApp(kind)
      finance = await t.login('caizheng')
      jiaoyu = await t.login('jiaoyu')
      weijian = await t.login('weijian')
      renda = await t.login('renda')
      firmId = (await t.storage.users.create({ username: 'firm3', password: DEMO_PASSWORD, displayName: '第三咨询公司', role: 'consultant' })).id
      firm = await t.login('firm3')
      edu = await t.departmentId('105')
    }, 60_000)
    afterAll(async () => {
      await t?.dispose()
    })

    it('lists the twelve items of tables.md §11, all 未收到 at first', async () => {
      const r = await list(jiaoyu, edu)
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      const a = materialsAnswer.parse(r.body)
      expect(a.items.map((i) => i.item)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
      expect(a.items[4]!.label).toBe('编办印发的三定方案')
      expect(a.items.map((i) => i.label)).toEqual([...MATERIAL_ITEMS])
      expect(a.items.every((i) => i.status === 'missing' && i.files.length === 0 && i.updatedAt === null)).toBe(true)
      expect([a.received, a.total]).toEqual([0, 12])
      expect(a.access).toEqual({ write: true, download: true })
    })

    it('sets statuses and notes, counts them, and audits each change', async () => {
      const r1 = await t.request('PUT', `/api/departments/${edu}/materials/5`, { token: jiaoyu, body: { year: YEAR, status: 'received', note: '2019 年版' } })
      expect(r1.status, JSON.stringify(r1.body)).toBe(200)
      const item = materialItem.parse(r1.body)
      expect([item.item, item.status, item.note, item.updatedByName]).toEqual([5, 'received', '2019 年版', '王芳（教育局财务科）'])
      expect((await t.request('PUT', `/api/departments/${edu}/materials/9`, { token: finance, body: { year: YEAR, status: 'not_applicable' } })).status).toBe(200)
      // without a note the note stays
      const r2 = await t.request('PUT', `/api/departments/${edu}/materials/5`, { token: jiaoyu, body: { year: String(YEAR), status: 'received' } })
      expect(r2.body.note).toBe('2019 年版')
      const a = materialsAnswer.parse((await list(jiaoyu, edu)).body)
      expect([a.received, a.total]).toEqual([1, 11])
      expect(a.items[8]!.status).toBe('not_applicable')
      expect(a.items[8]!.updatedByName).toBe('李敏（财政局绩效科）')
      // another year is its own checklist
      expect(materialsAnswer.parse((await list(jiaoyu, edu, YEAR + 1)).body).received).toBe(0)
      const audit = await t.storage.audit.list({ action: 'materials.status' })
      expect(audit.length).toBe(3)
      expect(audit.find((e) => (e.details as { item: number }).item === 9)?.details).toMatchObject({ departmentId: edu, year: YEAR, before: 'missing', status: 'not_applicable' })
    })

    it('uploads and downloads a file byte for byte, as an attachment with its UTF-8 name', async () => {
      const bytes = new Uint8Array(300_000).map((_, i) => (i * 31 + 7) % 256)
      const up = await upload(jiaoyu, edu, 5, new Blob([bytes], { type: 'application/pdf' }), '三定方案（2019）.pdf')
      expect(up.status, JSON.stringify(up.body)).toBe(201)
      const file = materialFile.parse(up.body)
      expect([file.name, file.size, file.contentType, file.uploadedByName]).toEqual(['三定方案（2019）.pdf', 300_000, 'application/pdf', '王芳（教育局财务科）'])
      uploaded = file
      const res = await t.app.request(`/api/materials/files/${file.id}`, { headers: { authorization: `Bearer ${jiaoyu}` } })
      expect(res.status).toBe(200)
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes)
      expect(res.headers.get('content-type')).toBe('application/pdf')
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="_____2019_.pdf"; filename*=UTF-8''${encodeURIComponent('三定方案（2019）.pdf')}`)
      const listed = materialsAnswer.parse((await list(jiaoyu, edu)).body).items[4]!.files
      expect(listed.map((f) => f.id)).toEqual([file.id])
      const audit = await t.storage.audit.list({ action: 'materials.upload' })
      expect(audit[0]?.details).toMatchObject({ departmentId: edu, year: YEAR, item: 5, fileId: file.id, size: 300_000 })
    })

    it('serves an unknown or active type as application/octet-stream', async () => {
      const up = await upload(jiaoyu, edu, 1, new Blob(['<script>alert(1)</script>'], { type: 'text/html' }), 'page.html')
      expect(up.status).toBe(201)
      expect(up.body.contentType).toBe('application/octet-stream')
      const res = await t.app.request(`/api/materials/files/${up.body.id}`, { headers: { authorization: `Bearer ${jiaoyu}` } })
      expect(res.headers.get('content-type')).toBe('application/octet-stream')
      expect(res.headers.get('content-disposition')).toMatch(/^attachment;/)
    })

    it('keeps only the last part of a path as the file name', async () => {
      const up = await upload(jiaoyu, edu, 2, new Blob(['root:x:0:0']), '../../etc/passwd')
      expect(up.status).toBe(201)
      expect(up.body.name).toBe('passwd')
      expect(cleanMaterialFileName('..\\..\\Windows\\系统\\方案.docx')).toBe('方案.docx')
      expect(cleanMaterialFileName('a\u0000b\u202e\nc.pdf')).toBe('abc.pdf')
      expect(cleanMaterialFileName('../..')).toBe('未命名文件')
      expect(cleanMaterialFileName('   ')).toBe('未命名文件')
      const long = cleanMaterialFileName(`${'很'.repeat(300)}.pdf`)
      expect([...long].length).toBe(120)
      expect(long.endsWith('.pdf')).toBe(true)
    })

    it('refuses a declared 200 MB upload with 413 before reading it', async () => {
      let pulled = 0
      const body = new ReadableStream<Uint8Array>({
        pull(ctl) {
          pulled += 1024 * 1024
          ctl.enqueue(new Uint8Array(1024 * 1024))
        },
      })
      const res = await t.app.request(`/api/departments/${edu}/materials/3/files?year=${YEAR}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${jiaoyu}`, 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(200 * 1024 * 1024) },
        body,
        duplex: 'half',
      } as RequestInit)
      expect(res.status).toBe(413)
      const err = (await res.json()) as { error: { code: string; message: string } }
      expect(err.error.code).toBe('payload_too_large')
      expect(err.error.message).toContain('每个文件最多 20 MB')
      expect(pulled).toBeLessThanOrEqual(2 * 1024 * 1024) // at most the stream's read-ahead
    })

    it('cuts off a streamed 200 MB upload (no Content-Length) at the limit', async () => {
      let pulled = 0
      const body = new ReadableStream<Uint8Array>({
        pull(ctl) {
          if (pulled >= 200 * 1024 * 1024) return ctl.close()
          pulled += 1024 * 1024
          ctl.enqueue(new Uint8Array(1024 * 1024))
        },
      })
      const res = await t.app.request(`/api/departments/${edu}/materials/3/files?year=${YEAR}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${jiaoyu}`, 'content-type': 'multipart/form-data; boundary=x' },
        body,
        duplex: 'half',
      } as RequestInit)
      expect(res.status).toBe(413)
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain('上传文件过大')
      expect(pulled).toBeLessThan(MAX_MATERIAL_UPLOAD_BODY_BYTES + 3 * 1024 * 1024)
    })

    it('refuses a file just over the per-file limit, and stores nothing', async () => {
      const up = await upload(jiaoyu, edu, 3, new Blob([new Uint8Array(MAX_MATERIAL_FILE_BYTES + 1)]), 'big.bin')
      expect(up.status).toBe(413)
      expect(up.body.error.message).toContain('最多 20 MB')
      expect(materialsAnswer.parse((await list(jiaoyu, edu)).body).items[2]!.files).toEqual([])
      // the other routes keep the 10 MB body limit
      const other = await t.app.request('/api/tables/import', { method: 'POST', headers: { authorization: `Bearer ${jiaoyu}`, 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(11 * 1024 * 1024) }, body: 'x' })
      expect(other.status).toBe(413)
    })

    it('keeps at most 50 files an item, also when uploads race', async () => {
      const results = await Promise.all(Array.from({ length: MAX_MATERIAL_FILES_PER_ITEM + 2 }, (_, i) => upload(finance, edu, 7, new Blob([`file ${i}`]), `文件${i}.txt`)))
      expect(results.filter((r) => r.status === 201).length).toBe(MAX_MATERIAL_FILES_PER_ITEM)
      const refused = results.filter((r) => r.status !== 201)
      expect(refused.map((r) => [r.status, r.body.error.details.reason])).toEqual([[400, 'too_many_files'], [400, 'too_many_files']])
      expect(materialsAnswer.parse((await list(finance, edu)).body).items[6]!.files.length).toBe(MAX_MATERIAL_FILES_PER_ITEM)
    })

    it('hides a department’s checklist and files from another department (404)', async () => {
      expect((await list(weijian, edu)).status).toBe(404)
      expect((await t.request('GET', `/api/materials/files/${uploaded.id}`, { token: weijian })).status).toBe(404)
      expect((await t.request('DELETE', `/api/materials/files/${uploaded.id}`, { token: weijian })).status).toBe(404)
      expect((await t.request('PUT', `/api/departments/${edu}/materials/1`, { token: weijian, body: { year: YEAR, status: 'received' } })).status).toBe(404)
      expect((await upload(weijian, edu, 1, new Blob(['x']), 'x.txt')).status).toBe(404)
      expect((await t.request('GET', '/api/materials/files/f_nope', { token: jiaoyu })).status).toBe(404)
    })

    it('lets an assigned consultant work on the assigned year only', async () => {
      expect((await list(firm, edu)).status).toBe(404)
      const a = await t.request('POST', '/api/assignments', { token: finance, body: { year: YEAR, consultantId: firmId, departmentIds: [edu], difficulty: 'high' } })
      expect(a.status, JSON.stringify(a.body)).toBe(200)
      firm = await t.login('firm3') // the assignment is read at sign-in / per request
      const r = await list(firm, edu)
      expect(r.status).toBe(200)
      expect(r.body.access).toEqual({ write: true, download: true })
      expect((await t.request('GET', `/api/materials/files/${uploaded.id}`, { token: firm })).status).toBe(200)
      expect((await t.request('PUT', `/api/departments/${edu}/materials/4`, { token: firm, body: { year: YEAR, status: 'received' } })).status).toBe(200)
      expect((await list(firm, edu, YEAR - 1)).status).toBe(404)
      expect((await t.request('PUT', `/api/departments/${edu}/materials/4`, { token: firm, body: { year: YEAR - 1, status: 'received' } })).status).toBe(404)
    })

    it('lets a city-wide viewer read the checklist but neither change it nor download files', async () => {
      const r = await list(renda, edu)
      expect(r.status).toBe(200)
      expect(r.body.access).toEqual({ write: false, download: false })
      expect(r.body.items[4].files[0].name).toBe('三定方案（2019）.pdf')
      expect((await t.request('GET', `/api/materials/files/${uploaded.id}`, { token: renda })).status).toBe(403)
      expect((await t.request('PUT', `/api/departments/${edu}/materials/1`, { token: renda, body: { year: YEAR, status: 'received' } })).status).toBe(403)
      expect((await t.request('DELETE', `/api/materials/files/${uploaded.id}`, { token: renda })).status).toBe(403)
    })

    it('lets a department’s read-only account read and download its own, and a department reach its units’', async () => {
      await t.storage.users.create({ username: 'jiaoyu-ro', password: DEMO_PASSWORD, displayName: '教育局只读', role: 'viewer', departmentIds: [edu] })
      const ro = await t.login('jiaoyu-ro')
      const r = await list(ro, edu)
      expect(r.status).toBe(200)
      expect(r.body.access).toEqual({ write: false, download: true })
      expect((await t.request('GET', `/api/materials/files/${uploaded.id}`, { token: ro })).status).toBe(200)
      expect((await t.request('PUT', `/api/departments/${edu}/materials/1`, { token: ro, body: { year: YEAR, status: 'received' } })).status).toBe(403)
      expect((await list(ro, await t.departmentId('118'))).status).toBe(404)
      // 文广旅体局's user works on its unit 文化馆's checklist, not the other way round
      const wenlv = await t.login('wenlv')
      const unit = await t.departmentId('126001')
      expect((await t.request('PUT', `/api/departments/${unit}/materials/2`, { token: wenlv, body: { year: YEAR, status: 'received' } })).status).toBe(200)
      expect((await list(wenlv, edu)).status).toBe(404)
    })

    it('refuses bad input naming the field', async () => {
      for (const item of ['0', '13', 'abc']) {
        const r = await t.request('PUT', `/api/departments/${edu}/materials/${item}`, { token: jiaoyu, body: { year: YEAR, status: 'received' } })
        expect(r.status, item).toBe(400)
        expect(r.body.error.details.field).toBe('item')
        expect(r.body.error.message).toContain('资料项（item）')
      }
      expect((await upload(jiaoyu, edu, 13, new Blob(['x']), 'x.txt')).body.error.details.field).toBe('item')
      const status = await t.request('PUT', `/api/departments/${edu}/materials/1`, { token: jiaoyu, body: { year: YEAR, status: 'lost' } })
      expect([status.status, status.body.error.details.field]).toEqual([400, 'status'])
      expect(status.body.error.message).toContain('未收到')
      const noYear = await t.request('GET', `/api/departments/${edu}/materials`, { token: jiaoyu })
      expect([noYear.status, noYear.body.error.details.field]).toEqual([400, 'year'])
      expect((await t.request('GET', `/api/departments/${edu}/materials?year=abc`, { token: jiaoyu })).status).toBe(400)
      expect((await upload(jiaoyu, edu, 1, new Blob(['x']), 'x.txt', 'abc')).body.error.details.field).toBe('year')
      expect((await list(finance, 'd_unknown')).status).toBe(404)
      const notMultipart = await t.request('POST', `/api/departments/${edu}/materials/1/files?year=${YEAR}`, { token: jiaoyu, body: { file: 'x' } })
      expect([notMultipart.status, notMultipart.body.error.details.field]).toEqual([400, 'file'])
    })

    it('deletes a file (audited); it is gone for everyone', async () => {
      const del = await t.request('DELETE', `/api/materials/files/${uploaded.id}`, { token: jiaoyu })
      expect(del.status).toBe(204)
      expect((await t.request('GET', `/api/materials/files/${uploaded.id}`, { token: finance })).status).toBe(404)
      expect(materialsAnswer.parse((await list(jiaoyu, edu)).body).items[4]!.files).toEqual([])
      const audit = await t.storage.audit.list({ action: 'materials.delete_file' })
      expect(audit[0]?.details).toMatchObject({ fileId: uploaded.id, name: '三定方案（2019）.pdf' })
    })
  })
}
