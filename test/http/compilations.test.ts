// The compiled book (汇编成册) over HTTP on PGlite and PostgreSQL, with the real xlsx and PDF book writers
// in the real worker process: progress rising to the end, a contents entry per table in department order,
// a failing table listed and never fatal, the public edition without 涉密 tables, finance only, the 5000
// cap, cancel, two books at once, a killed worker and a full disk (no half file is ever offered).
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import ExcelJS from 'exceljs'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_BOOK_TABLES } from '../../shared/api/export.ts'
import { compilationsDir } from '../../server/jobs/book-files.ts'
import { makeJobsApp, seedApprovedTables, type ApprovedTable, type JobsApp } from '../helpers/compilations.ts'
import type { TestDatabaseKind } from '../helpers/database.ts'

const YEAR = 2026
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const BROKEN = 7
const CLASSIFIED = new Set([3, 20])

for (const kind of ['pglite', 'postgres'] as TestDatabaseKind[]) {
  describe(`compiled book on ${kind}`, () => {
    let t: JobsApp
    let finance: string
    let tables: ApprovedTable[]
    const dept: Record<string, string> = {}

    /** polls a job until it ends, answering it and every `done` seen on the way */
    async function follow(jobId: string, timeoutMs = 90_000): Promise<{ job: any; seen: number[] }> {
      const seen: number[] = []
      const t0 = Date.now()
      for (;;) {
        const res = await t.request('GET', `/api/compilations/${jobId}`, { token: finance })
        expect(res.status).toBe(200)
        seen.push(res.body.done)
        if (['done', 'failed', 'cancelled'].includes(res.body.status)) return { job: res.body, seen }
        if (Date.now() - t0 > timeoutMs) throw new Error(`job ${jobId} still ${res.body.status} ${res.body.done}/${res.body.total}`)
        await sleep(15)
      }
    }

    const filesOf = (jobId: string) => fs.readdirSync(compilationsDir(t.dataDir)).filter((f) => f.startsWith(jobId))

    beforeAll(async () => {
      t = await makeJobsApp(kind, { batchSize: 5, window: 4 })
      finance = await t.login('caizheng')
      for (const code of ['103', '103001', '105', '118', '126001', '601']) dept[code] = (await t.storage.departments.getByCode(code))!.id
      // created out of department order, so the book's order is its own
      const order = ['601', '126001', '105', '103001', '103', '118']
      tables = await seedApprovedTables(t.storage, {
        year: YEAR,
        departmentIds: order.map((c) => dept[c]!),
        perDepartment: 6,
        classified: (i) => CLASSIFIED.has(i),
        content: (i) => (i === BROKEN ? { kind: 'project', template: 'mof2015-project', year: YEAR, indicators: '损坏的内容' } : undefined),
      })
      // neither a draft nor another year's approved table belongs in the book
      await t.storage.tables.create({ kind: 'project', template: 'mof2015-project', year: YEAR, departmentId: dept['105']!, title: '草稿表不应出现' })
      await seedApprovedTables(t.storage, { year: YEAR + 1, departmentIds: [dept['105']!], perDepartment: 1, title: () => '下一年度的表不应出现' })
    }, 120_000)
    afterAll(async () => {
      await t?.dispose()
    })

    /** the plan's order: departments by code with their units after them; 部门整体 first, then titles */
    function expectedOrder(edition: 'internal' | 'public'): ApprovedTable[] {
      const code = (id: string) => Object.entries(dept).find(([, v]) => v === id)![0]
      const top = (c: string) => (c.length > 3 ? c.slice(0, 3) : c)
      const kindRank = (x: ApprovedTable) => (tables.indexOf(x) % 10 === 5 || tables.indexOf(x) % 10 === 6 ? 0 : 1)
      return tables
        .filter((x) => edition === 'internal' || !x.classified)
        .slice()
        .sort((a, b) => {
          const ca = code(a.departmentId), cb = code(b.departmentId)
          return top(ca).localeCompare(top(cb)) || ca.length - cb.length || ca.localeCompare(cb) || kindRank(a) - kindRank(b) || a.title.localeCompare(b.title)
        })
    }

    it('builds an internal xlsx book: progress rises to the end, one contents entry per table in department order, the failing table listed', async () => {
      const post = await t.request('POST', '/api/compilations', { token: finance, body: { year: YEAR, format: 'xlsx', edition: 'internal' } })
      expect(post.status).toBe(202)
      expect(post.body.total).toBe(tables.length)
      const { job, seen } = await follow(post.body.jobId)
      expect(job).toMatchObject({ status: 'done', done: tables.length, total: tables.length, error: null, createdByName: expect.stringContaining('李敏') })
      expect(seen).toEqual([...seen].sort((a, b) => a - b))
      expect(seen.some((d) => d > 0 && d < tables.length), `intermediate progress seen: ${seen.join(',')}`).toBe(true)
      expect(job.failures).toEqual([{ tableId: tables[BROKEN]!.tableId, title: tables[BROKEN]!.title, reason: expect.any(String) }])
      expect(job.file).toEqual({ name: `${YEAR}年度预算绩效目标表汇编（内部版）.xlsx`, bytes: expect.any(Number), tables: tables.length - 1 })

      const file = await t.request('GET', `/api/compilations/${post.body.jobId}/file`, { token: finance })
      expect(file.status).toBe(200)
      expect(file.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent(job.file.name).replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`)
      expect(file.bytes.length).toBe(job.file.bytes)

      const wb = new ExcelJS.Workbook()
      await wb.xlsx.load(file.bytes as unknown as ArrayBuffer)
      const [contents, ...sheets] = wb.worksheets
      expect(contents!.name).toBe('目录')
      expect(sheets.length).toBe(tables.length - 1)
      const rows: { dept: string; title: string; link: string }[] = []
      contents!.eachRow((row, n) => {
        if (n <= 3) return
        const link = row.getCell(4).value as { result?: string } | string
        rows.push({ dept: String(row.getCell(2).value), title: String(row.getCell(3).value), link: typeof link === 'string' ? link : String(link?.result ?? '') })
      })
      const expected = expectedOrder('internal')
      expect(rows.map((r) => r.title)).toEqual(expected.map((x) => x.title))
      const names = new Map((await t.storage.departments.list()).map((d) => [d.id, d.name]))
      expect(rows.map((r) => r.dept)).toEqual(expected.map((x) => names.get(x.departmentId)))
      const broken = rows.find((r) => r.title === tables[BROKEN]!.title)!
      expect(broken.link).toContain('未能生成')
      for (const r of rows.filter((x) => x !== broken)) expect(sheets.map((s) => s.name)).toContain(r.link)
      expect(new Set(sheets.map((s) => s.name)).size).toBe(sheets.length)
      for (const s of sheets) expect([...s.name].length).toBeLessThanOrEqual(31)

      // the manifest beside the book; no part file left
      expect(filesOf(post.body.jobId).sort()).toEqual([`${post.body.jobId}.json`, `${post.body.jobId}.xlsx`])
      const manifest = JSON.parse(fs.readFileSync(path.join(compilationsDir(t.dataDir), `${post.body.jobId}.json`), 'utf8'))
      expect(manifest.entries.map((e: { tableId: string }) => e.tableId)).toEqual(expected.map((x) => x.tableId))
      expect(manifest.failures).toHaveLength(1)
      expect(manifest.params).toEqual({ year: YEAR, format: 'xlsx', edition: 'internal' })
    }, 120_000)

    it('builds a public PDF book of some departments and kinds, without the 涉密 tables', async () => {
      const post = await t.request('POST', '/api/compilations', {
        token: finance, body: { year: YEAR, format: 'pdf', edition: 'public', departmentIds: [dept['103']!, dept['105']!], title: '公开汇编测试' },
      })
      expect(post.status).toBe(202)
      // 103 with its unit 103001, and 105
      const inScope = tables.filter((x) => [dept['103'], dept['103001'], dept['105']].includes(x.departmentId))
      const visible = inScope.filter((x) => !x.classified)
      expect(inScope.length).toBeGreaterThan(visible.length)
      expect(post.body.total).toBe(visible.length)
      const { job } = await follow(post.body.jobId)
      expect(job.status).toBe('done')
      expect(job.file.name).toBe('公开汇编测试（公开版）.pdf')
      const file = await t.request('GET', `/api/compilations/${post.body.jobId}/file`, { token: finance })
      expect(file.status).toBe(200)
      expect(file.headers.get('content-type')).toBe('application/pdf')
      const pdfFile = path.join(t.dataDir, 'book.pdf')
      fs.writeFileSync(pdfFile, file.bytes)
      const text = execFileSync('pdftotext', ['-layout', pdfFile, '-'], { encoding: 'utf8' }).replace(/\s+/g, '')
      expect(text).toContain('公开汇编测试')
      for (const x of visible) expect(text, x.title).toContain(x.title)
      for (const x of inScope.filter((y) => y.classified)) expect(text).not.toContain(x.title)
      expect(text).not.toContain('下一年度的表不应出现')
    }, 180_000)

    it('refuses bad input with a clear message, and everyone but finance', async () => {
      const post = (body: unknown, token = finance) => t.request('POST', '/api/compilations', { token, body })
      const unknownFormat = await post({ year: YEAR, format: 'docx', edition: 'internal' })
      expect(unknownFormat.status).toBe(400)
      expect(unknownFormat.body.error).toMatchObject({ code: 'invalid_input', details: { field: 'format' } })
      expect(unknownFormat.body.error.message).toContain('format')
      const unknownEdition = await post({ year: YEAR, format: 'xlsx', edition: 'secret' })
      expect(unknownEdition.status).toBe(400)
      expect(unknownEdition.body.error.details.field).toBe('edition')
      const unknownDept = await post({ year: YEAR, format: 'xlsx', edition: 'internal', departmentIds: ['d_nope'] })
      expect(unknownDept.status).toBe(400)
      expect(unknownDept.body.error.message).toContain('d_nope')
      const empty = await post({ year: 2030, format: 'xlsx', edition: 'internal' })
      expect(empty.status).toBe(400)
      expect(empty.body.error.message).toContain('没有审核通过的表')

      // a year with more approved tables than one book takes: refused, naming the count
      const over = MAX_BOOK_TABLES + 1
      await t.database.db.execute(sql`
        insert into target_tables (id, kind, template, year, department_id, title, status, version)
        select 'tover' || g, 'project', 'mof2015-project', 2031, ${dept['105']!}, '超限' || g, 'approved', 1 from generate_series(1, ${over}) g`)
      const tooBig = await post({ year: 2031, format: 'pdf', edition: 'internal' })
      expect(tooBig.status).toBe(400)
      expect(tooBig.body.error.message).toContain(String(over))
      expect(tooBig.body.error.message).toContain(String(MAX_BOOK_TABLES))
      expect(tooBig.body.error.details).toMatchObject({ count: over, max: MAX_BOOK_TABLES })

      const job = (await t.storage.jobs.list('compilation'))[0]!
      for (const username of ['jiaoyu', 'zixun', 'renda']) {
        const token = await t.login(username)
        expect((await post({ year: YEAR, format: 'xlsx', edition: 'internal' }, token)).status).toBe(403)
        expect((await t.request('GET', '/api/compilations', { token })).status).toBe(403)
        expect((await t.request('GET', `/api/compilations/${job.id}`, { token })).status).toBe(403)
        expect((await t.request('GET', `/api/compilations/${job.id}/file`, { token })).status).toBe(403)
        expect((await t.request('DELETE', `/api/compilations/${job.id}`, { token })).status).toBe(403)
      }
      expect((await t.request('GET', '/api/compilations', {})).status).toBe(401)
      expect((await t.request('GET', '/api/compilations/j_nope', { token: finance })).status).toBe(404)
    })

    it('two books started at once both queue and finish; a queued one and a running one can be cancelled; a finished one deleted', async () => {
      const body = { year: YEAR, format: 'xlsx', edition: 'internal' }
      const [a, b] = await Promise.all([1, 2].map(() => t.request('POST', '/api/compilations', { token: finance, body })))
      const c = await t.request('POST', '/api/compilations', { token: finance, body })
      expect([a!.status, b!.status, c.status]).toEqual([202, 202, 202])
      // the runner builds one at a time, oldest first: the third is still queued when cancelled
      const cancelQueued = await t.request('DELETE', `/api/compilations/${c.body.jobId}`, { token: finance })
      expect(cancelQueued.status).toBe(200)
      expect(cancelQueued.body.status).toBe('cancelled')
      const [ja, jb] = await Promise.all([follow(a!.body.jobId), follow(b!.body.jobId)])
      expect(ja.job.status).toBe('done')
      expect(jb.job.status).toBe('done')
      expect((await t.request('GET', `/api/compilations/${c.body.jobId}/file`, { token: finance })).status).toBe(409)

      // a running PDF book cancelled mid-way: no file, the download refused
      const pdf = await t.request('POST', '/api/compilations', { token: finance, body: { ...body, format: 'pdf' } })
      for (;;) {
        const s = await t.request('GET', `/api/compilations/${pdf.body.jobId}`, { token: finance })
        if (s.body.status === 'running' && s.body.done > 0) break
        expect(s.body.status).not.toBe('done')
        await sleep(10)
      }
      const cancel = await t.request('DELETE', `/api/compilations/${pdf.body.jobId}`, { token: finance })
      expect(cancel.status).toBe(200)
      const { job } = await follow(pdf.body.jobId)
      expect(job.status).toBe('cancelled')
      expect(job.done).toBeLessThan(job.total)
      expect(job.error).toContain('取消')
      expect(job.file).toBeNull()
      expect(filesOf(pdf.body.jobId)).toEqual([])
      const refused = await t.request('GET', `/api/compilations/${pdf.body.jobId}/file`, { token: finance })
      expect(refused.status).toBe(409)
      expect(refused.body.error.message).toContain('已取消')

      // listed newest first; a finished book deleted with its files
      const list = await t.request('GET', '/api/compilations', { token: finance })
      const ids = list.body.compilations.map((x: { jobId: string }) => x.jobId)
      expect(ids.indexOf(pdf.body.jobId)).toBeLessThan(ids.indexOf(a!.body.jobId))
      const del = await t.request('DELETE', `/api/compilations/${a!.body.jobId}`, { token: finance })
      expect(del.status).toBe(200)
      expect(filesOf(a!.body.jobId)).toEqual([])
      expect((await t.request('GET', `/api/compilations/${a!.body.jobId}`, { token: finance })).status).toBe(404)

      const audit = await t.storage.audit.list({ action: 'compilation.cancel' })
      expect(audit.map((e) => e.details?.jobId)).toEqual(expect.arrayContaining([c.body.jobId, pdf.body.jobId]))
      expect((await t.storage.audit.list({ action: 'compilation.start' })).length).toBeGreaterThanOrEqual(5)
      expect((await t.storage.audit.list({ action: 'compilation.delete' })).map((e) => e.details?.jobId)).toContain(a!.body.jobId)
    }, 180_000)

    it('a killed worker and a full disk end the job failed with a reason and no file', async () => {
      const body = { year: YEAR, format: 'pdf', edition: 'internal' }
      const post = await t.request('POST', '/api/compilations', { token: finance, body })
      for (;;) {
        const s = await t.request('GET', `/api/compilations/${post.body.jobId}`, { token: finance })
        if (s.body.done > 0 && t.workers.has(post.body.jobId)) break
        await sleep(10)
      }
      process.kill(t.workers.get(post.body.jobId)!, 'SIGKILL')
      const { job } = await follow(post.body.jobId)
      expect(job).toMatchObject({ status: 'failed', error: expect.stringContaining('SIGKILL'), file: null })
      expect(filesOf(post.body.jobId)).toEqual([])

      // the disk fills up: the book's file is /dev/full (every write answers ENOSPC)
      await t.runner.stop()
      const full = await t.request('POST', '/api/compilations', { token: finance, body: { ...body, format: 'xlsx' } })
      fs.mkdirSync(compilationsDir(t.dataDir), { recursive: true })
      fs.symlinkSync('/dev/full', path.join(compilationsDir(t.dataDir), `${full.body.jobId}.xlsx.1.part.part`))
      const again = (await import('../../server/jobs/runner.ts')).createJobRunner({
        storage: t.storage, pollMs: 50, progressMs: 0, log: () => {},
        handlers: { compilation: (await import('../../server/jobs/compilation.ts')).compilationHandler({ storage: t.storage, dataDir: t.dataDir }) },
      })
      again.start()
      try {
        const { job: ended } = await follow(full.body.jobId)
        expect(ended).toMatchObject({ status: 'failed', error: expect.stringContaining('磁盘空间不足'), file: null })
        expect(filesOf(full.body.jobId)).toEqual([])
      } finally {
        await again.stop()
      }
    }, 180_000)
  })
}
