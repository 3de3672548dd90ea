// GET /api/tables at city scale (server/http/routes/table-list.ts) over the real app: paging over more than
// 1 000 tables, every filter and sort, scope per role, counts equal to /findings, bad input, deleted tables.
// PGlite always, PostgreSQL when TEST_DATABASE_URL is set; the open-thread settle hook over the live server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createApp } from '../../server/app.ts'
import { loadConfig } from '../../server/config.ts'
import { targetTables } from '../../server/db/schema.ts'
import { judge, storedFindingsCache } from '../../server/tables/findings.ts'
import { initialUpdate } from '../../server/tables/documents.ts'
import type { Storage } from '../../server/storage/index.ts'
import { can, type Actor } from '../../shared/permissions.ts'
import { parseTableOrThrow, type TargetTable } from '../../shared/model/index.ts'
import { addThread, rowIds, setRowField, setThreadStatus } from '../../shared/ydoc/index.ts'
import { TEST_DATABASE_URL, type TestDatabaseKind } from '../helpers/database.ts'
import { makeTestApp, type TestApp } from '../helpers/app.ts'
import { startServer, type RunningServer } from '../helpers/server.ts'
import { loadSample } from '../helpers/samples.ts'

type Row = typeof targetTables.$inferInsert
interface Listed { id: string; title: string; departmentId: string; departmentName: string; status: string; kind: string; classified: boolean; updatedAt: string; findings: { errors: number; warnings: number; infos: number }; openThreads: number }

const BIG_YEAR = 2040
const BIG = 1100
const STATUSES = ['draft', 'submitted', 'returned', 'approved'] as const
const STATUS_RANK = Object.fromEntries(STATUSES.map((s, i) => [s, i]))
const pad = (n: number) => String(n).padStart(4, '0')

const kinds: TestDatabaseKind[] = TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']

for (const kind of kinds) {
  describe(`GET /api/tables on ${kind}`, () => {
    let t: TestApp
    const tokens: Record<string, string> = {}
    const actors: Record<string, Actor> = {}
    /** the 1 100 rows inserted for the paging tests, as the database holds them */
    let big: (typeof targetTables.$inferSelect)[] = []
    const codeOf = new Map<string, string>()
    const nameOf = new Map<string, string>()

    beforeAll(async () => {
      t = await makeTestApp(kind)
      for (const u of ['caizheng', 'jiaoyu', 'wenlv', 'zixun', 'renda', 'anping']) {
        tokens[u] = await t.login(u)
        const me = await t.storage.users.getByUsername(u)
        const scope = await t.storage.departments.withDescendants(me!.departmentIds)
        actors[u] = { id: me!.id, role: me!.role, departmentIds: scope }
      }
      const depts = await t.storage.departments.list()
      for (const d of depts) {
        codeOf.set(d.id, d.code)
        nameOf.set(d.id, d.name)
      }
      // in bulk through Drizzle: the list reads rows; an empty document with counts stored at version 0 is current
      const rows: Row[] = Array.from({ length: BIG }, (_, i) => ({
        kind: i % 5 === 0 ? 'department' : 'project',
        template: i % 5 === 0 ? 'mof2015-dept' : 'mof2015-project',
        year: BIG_YEAR,
        departmentId: depts[i % depts.length]!.id,
        title: i % 97 === 0 ? `课后服务 100%_${pad(i)}` : `项目-${pad(i % 300)}`,
        status: STATUSES[i % 4],
        classified: i % 11 === 0,
        errorCount: i % 3,
        warningCount: i % 2,
        infoCount: 1,
        findingsVersion: 0,
        openThreads: i % 13 === 0 ? 2 : 0,
        updatedAt: new Date(Date.UTC(2040, 0, 1) + (i % 400) * 1000),
      }))
      for (let i = 0; i < rows.length; i += 500) big.push(...(await t.storage.db.insert(targetTables).values(rows.slice(i, i + 500)).returning()))
    }, 120_000)
    afterAll(async () => {
      await t?.dispose()
    })

    async function list(query: string, token = tokens.caizheng!) {
      return t.request('GET', `/api/tables${query ? `?${query}` : ''}`, { token })
    }

    /** every page of a query, checking each page's answer on the way */
    async function collect(query: string, token = tokens.caizheng!, limit = 500): Promise<{ tables: Listed[]; total: number; pages: number }> {
      const tables: Listed[] = []
      let cursor: string | null = null
      let total = -1
      let pages = 0
      do {
        const res = await list(`${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, token)
        expect(res.status, JSON.stringify(res.body)).toBe(200)
        expect(res.body.tables.length).toBeLessThanOrEqual(limit)
        if (total >= 0) expect(res.body.total).toBe(total)
        total = res.body.total
        tables.push(...res.body.tables)
        cursor = res.body.nextCursor
        pages++
        if (pages > 100) throw new Error('paging did not end')
      } while (cursor)
      expect(tables.length).toBe(total)
      return { tables, total, pages }
    }

    const ids = (xs: { id: string }[]) => xs.map((x) => x.id).sort()
    const expectedIds = (pred: (r: (typeof big)[number]) => boolean) => big.filter(pred).map((r) => r.id).sort()

    it('pages over more than 1 000 tables returning every table exactly once, the total on every page', async () => {
      const paged = await collect(`year=${BIG_YEAR}`, tokens.caizheng, 100)
      expect(paged.total).toBe(BIG)
      expect(paged.pages).toBe(Math.ceil(BIG / 100))
      expect(new Set(paged.tables.map((x) => x.id)).size).toBe(BIG)
      expect(ids(paged.tables)).toEqual(ids(big))
      // the default page is 50, and the answer says there is more
      const first = await list(`year=${BIG_YEAR}`)
      expect(first.body).toMatchObject({ total: BIG, nextCursor: expect.any(String) })
      expect(first.body.tables).toHaveLength(50)
      const one = first.body.tables[0] as Listed
      const row = big.find((r) => r.id === one.id)!
      expect(one).toEqual({
        id: row.id, kind: row.kind, template: row.template, year: BIG_YEAR, departmentId: row.departmentId, departmentName: nameOf.get(row.departmentId),
        title: row.title, status: row.status, round: 1, version: 0, classified: row.classified,
        findings: { errors: row.errorCount, warnings: row.warningCount, infos: 1 }, openThreads: row.openThreads, updatedAt: row.updatedAt.toISOString(),
      })
    })

    it('filters by year, department with its units, status, kind, title search, errors and open threads', async () => {
      const culture = await t.departmentId('126')
      const cultureUnit = await t.departmentId('126001')
      const cases: [string, (r: (typeof big)[number]) => boolean][] = [
        [`departmentId=${culture}`, (r) => r.departmentId === culture || r.departmentId === cultureUnit],
        [`departmentId=${cultureUnit}`, (r) => r.departmentId === cultureUnit],
        ['status=returned', (r) => r.status === 'returned'],
        ['kind=department', (r) => r.kind === 'department'],
        ['q=' + encodeURIComponent('100%_'), (r) => r.title.includes('100%_')],
        ['q=' + encodeURIComponent('%'), (r) => r.title.includes('%')],
        ['q=' + encodeURIComponent('项目-029'), (r) => r.title.includes('项目-029')],
        ['hasErrors=true', (r) => (r.errorCount ?? 0) > 0],
        ['hasErrors=false', (r) => (r.errorCount ?? 0) === 0],
        ['hasOpenThreads=1', (r) => r.openThreads > 0],
        ['hasOpenThreads=0', (r) => r.openThreads === 0],
        [`departmentId=${culture}&status=draft&hasErrors=true&kind=project`, (r) => (r.departmentId === culture || r.departmentId === cultureUnit) && r.status === 'draft' && (r.errorCount ?? 0) > 0 && r.kind === 'project'],
        // an empty parameter is "any"
        ['status=&kind=&q=', () => true],
      ]
      for (const [query, pred] of cases) {
        const got = await collect(`year=${BIG_YEAR}&${query}`)
        expect({ query, ids: ids(got.tables) }).toEqual({ query, ids: expectedIds(pred) })
        expect(got.total).toBeGreaterThan(0)
      }
      expect((await collect(`year=${BIG_YEAR + 1}`)).total).toBe(0)
    })

    it('sorts by every key in both orders, the default order of each being its natural one', async () => {
      const keys: Record<string, (x: Listed) => string | number> = {
        updated: (x) => x.updatedAt,
        title: (x) => x.title,
        department: (x) => codeOf.get(x.departmentId)!,
        status: (x) => STATUS_RANK[x.status]!,
        errors: (x) => x.findings.errors,
      }
      const natural: Record<string, 'asc' | 'desc'> = { updated: 'desc', title: 'asc', department: 'asc', status: 'asc', errors: 'desc' }
      for (const [sort, key] of Object.entries(keys)) {
        for (const order of ['', 'asc', 'desc']) {
          // titles here are ASCII digits after one shared prefix, so any collation orders them alike
          const got = await collect(`year=${BIG_YEAR}&q=${encodeURIComponent('项目-')}&sort=${sort}${order ? `&order=${order}` : ''}`, tokens.caizheng, 173)
          const dir = order || natural[sort]
          const seq = got.tables.map(key)
          for (let i = 1; i < seq.length; i++) {
            const ok = dir === 'asc' ? seq[i - 1]! <= seq[i]! : seq[i - 1]! >= seq[i]!
            if (!ok) throw new Error(`${sort} ${dir}: ${String(seq[i - 1])} before ${String(seq[i])} at ${i}`)
          }
          expect(new Set(got.tables.map((x) => x.id)).size).toBe(got.total)
        }
      }
    })

    it('scopes the list per role: a department sees its own with its units, a viewer no 涉密 table', async () => {
      for (const user of ['jiaoyu', 'wenlv', 'zixun', 'renda', 'anping', 'caizheng']) {
        const got = await collect(`year=${BIG_YEAR}`, tokens[user])
        expect({ user, ids: ids(got.tables) }).toEqual({ user, ids: expectedIds((r) => can(actors[user]!, 'read', r).allowed) })
      }
      const wenlv = await collect(`year=${BIG_YEAR}`, tokens.wenlv)
      expect(new Set(wenlv.tables.map((x) => x.departmentId))).toEqual(new Set([await t.departmentId('126'), await t.departmentId('126001')]))
      const renda = await collect(`year=${BIG_YEAR}`, tokens.renda)
      expect(renda.total).toBe(big.filter((r) => !r.classified).length)
      expect(renda.tables.some((x) => x.classified)).toBe(false)
      // another department's filter inside a department's scope finds nothing rather than leaking
      expect((await collect(`year=${BIG_YEAR}&departmentId=${await t.departmentId('118')}`, tokens.jiaoyu)).total).toBe(0)
      expect((await t.request('GET', '/api/tables')).status).toBe(401)
    })

    it('answers the counts GET /findings gives, recomputing a table whose document moved', async () => {
      const edu = await t.departmentId('105')
      const created: string[] = []
      for (const sample of ['S01', 'S02', 'S03']) {
        const content = loadSample(sample) as { kind: string; template: string }
        const res = await t.request('POST', '/api/tables', { token: tokens.jiaoyu, body: { kind: content.kind, template: content.template, year: 2041, departmentId: edu, content: { ...content, year: 2041 } } })
        expect(res.status, JSON.stringify(res.body)).toBe(201)
        created.push(res.body.id)
      }
      const same = async () => {
        const listed = (await collect('year=2041', tokens.jiaoyu)).tables
        expect(ids(listed)).toEqual([...created].sort())
        for (const x of listed) expect({ id: x.id, counts: x.findings }).toEqual({ id: x.id, counts: (await t.request('GET', `/api/tables/${x.id}/findings`, { token: tokens.jiaoyu })).body.counts })
        return listed
      }
      const before = await same()
      expect(before.some((x) => x.findings.errors > 0)).toBe(true)
      // another process edits a table: its update reaches the log, this process's caches hear nothing
      const id = created[1]!
      const doc = new Y.Doc()
      const stored = await t.storage.docLog.loadDoc(id, 'table')
      if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot.state)
      for (const u of stored.updates) Y.applyUpdate(doc, u.update)
      let update: Uint8Array | null = null
      doc.on('update', (u: Uint8Array) => (update = u))
      const rowId = rowIds(doc, 'indicators')[0]!
      setRowField(doc, 'indicators', rowId, 'target', '进一步提高')
      await t.storage.docLog.appendUpdates(id, 'table', [{ update: update! }])
      const after = await same()
      const moved = (xs: Listed[]) => xs.find((x) => x.id === id)!.findings
      expect(moved(after)).not.toEqual(moved(before))
      // and the filter sees what the page showed
      const withErrors = ids((await collect('year=2041&hasErrors=true', tokens.jiaoyu)).tables)
      expect(withErrors).toEqual(ids(after.filter((x) => x.findings.errors > 0)))
    })

    it('validates only the page on a cold start: stored counts are served, never-computed ones recomputed for the page alone', async () => {
      const edu = await t.departmentId('105')
      const content = parseTableOrThrow({ ...(loadSample('S01') as object), year: 2042 }) as TargetTable
      const fresh = await t.storage.db
        .insert(targetTables)
        .values(Array.from({ length: 60 }, (_, i) => ({ kind: content.kind, template: content.template, year: 2042, departmentId: edu, title: `冷启动 ${pad(i)}` })))
        .returning({ id: targetTables.id })
      for (const r of fresh) await t.storage.docLog.appendUpdates(r.id, 'table', [{ update: initialUpdate(content) }])
      // a new process: its own, empty findings cache, counting what it validates
      let reads = 0
      const counted: Storage = {
        ...t.storage,
        docLog: {
          ...t.storage.docLog,
          loadDoc: (id, room) => ((reads += room === 'table' ? 1 : 0), t.storage.docLog.loadDoc(id, room)),
          loadDocs: (ids, room) => ((reads += room === 'table' ? ids.length : 0), t.storage.docLog.loadDocs(ids, room)),
        },
      }
      const cold = storedFindingsCache(counted)
      const app = createApp({ config: loadConfig({}), database: t.database, storage: t.storage, findings: cold })
      const get = async (query: string) => {
        const res = await app.request(`/api/tables?${query}`, { headers: { authorization: `Bearer ${tokens.caizheng}` } })
        expect(res.status).toBe(200)
        return (await res.json()) as { tables: Listed[]; total: number; nextCursor: string | null }
      }
      expect((await get(`year=${BIG_YEAR}`)).total).toBe(BIG)
      expect(reads).toBe(0)
      const page = await get('year=2042&limit=20&sort=title')
      expect(page.total).toBe(60)
      expect(reads).toBe(20)
      const truth = judge(content).counts
      expect(page.tables.every((x) => JSON.stringify(x.findings) === JSON.stringify(truth))).toBe(true)
      // stored: the same page again, and a filter on errors, validate nothing more
      await get('year=2042&limit=20&sort=title')
      expect((await get('year=2042&hasErrors=true')).total).toBe(truth.errors > 0 ? 20 : 0)
      expect(reads).toBe(20)
    })

    it('keeps the open thread count from REST reads of the comments document', async () => {
      const id = big[3]!.id
      expect(big[3]!.openThreads).toBe(0)
      const doc = new Y.Doc()
      let update: Uint8Array | null = null
      doc.on('update', (u: Uint8Array) => (update = u))
      addThread(doc, { anchor: { field: 'annualGoal' }, round: 1, authorId: actors.zixun!.id, text: '目标不够具体' })
      await t.storage.docLog.appendUpdates(id, 'comments', [{ update: update! }])
      expect((await t.request('GET', `/api/tables/${id}/comments`, { token: tokens.caizheng })).status).toBe(200)
      await expect.poll(async () => (await collect(`year=${BIG_YEAR}&hasOpenThreads=true`)).tables.find((x) => x.id === id)?.openThreads).toBe(1)
    })

    it('refuses limit=100000, a malformed cursor and a cursor of another query, with a code, the field and a Chinese message', async () => {
      const huge = await list('limit=100000')
      expect(huge.status).toBe(400)
      expect(huge.body.error).toEqual({ code: 'invalid_input', message: '每页数量（limit）不能超过 500', details: { field: 'limit' } })
      expect((await list('limit=0')).body.error).toMatchObject({ code: 'invalid_input', details: { field: 'limit' } })
      expect((await list('limit=abc')).body.error).toMatchObject({ code: 'invalid_input', details: { field: 'limit' } })
      const garbage = await list('cursor=' + encodeURIComponent('not a cursor!'))
      expect(garbage.status).toBe(400)
      expect(garbage.body.error).toEqual({ code: 'invalid_input', message: '翻页游标（cursor）无效，请从第一页重新查询', details: { field: 'cursor' } })
      const byTitle = (await list(`year=${BIG_YEAR}&sort=title&limit=5`)).body.nextCursor as string
      expect((await list(`year=${BIG_YEAR}&sort=title&limit=5&cursor=${byTitle}`)).status).toBe(200)
      const foreign = await list(`year=${BIG_YEAR}&sort=updated&limit=5&cursor=${byTitle}`)
      expect(foreign.status).toBe(400)
      expect(foreign.body.error).toMatchObject({ code: 'invalid_input', details: { field: 'cursor' } })
      expect(foreign.body.error.message).toContain('翻页游标（cursor）')
      // the right shape with a key of the wrong type for its sort
      const decoded = JSON.parse(Buffer.from(byTitle, 'base64url').toString()) as { k: unknown }
      const forged = Buffer.from(JSON.stringify({ ...decoded, k: 42 })).toString('base64url')
      expect((await list(`year=${BIG_YEAR}&sort=title&limit=5&cursor=${forged}`)).body.error).toMatchObject({ code: 'invalid_input', details: { field: 'cursor' } })
      expect((await list('sort=size')).body.error).toMatchObject({ code: 'invalid_input', details: { field: 'sort' } })
      expect((await list('hasErrors=maybe')).body.error).toMatchObject({ code: 'invalid_input', details: { field: 'hasErrors' } })
    })

    it('leaves deleted tables out of the list, its total and the detail', async () => {
      const gone = big[7]!
      const before = (await list(`year=${BIG_YEAR}&limit=1`)).body.total as number
      expect(await t.storage.tables.softDelete(gone.id, actors.caizheng!.id)).toBe(true)
      const after = await collect(`year=${BIG_YEAR}`)
      expect(after.total).toBe(before - 1)
      expect(after.tables.some((x) => x.id === gone.id)).toBe(false)
      expect((await t.request('GET', `/api/tables/${gone.id}`, { token: tokens.caizheng })).status).toBe(404)
      big = big.filter((r) => r.id !== gone.id)
    })
  })
}

describe('open thread count from the live comments room', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startServer('pglite')
  })
  afterAll(async () => {
    await server?.close()
  })

  it('follows threads opened and resolved in the live room (the settle hook), for the list and its filter', async () => {
    const token = await server.login('caizheng')
    const tableId = (await server.api('GET', '/api/tables?limit=1', token)).body.tables[0].id as string
    const openCount = async () => {
      const res = await server.api('GET', '/api/tables?hasOpenThreads=true&limit=500', token)
      return (res.body.tables as Listed[]).find((x) => x.id === tableId)?.openThreads ?? 0
    }
    expect(await openCount()).toBe(0)
    const threadIds: string[] = []
    await server.live.change(tableId, 'comments', (doc) => {
      threadIds.push(addThread(doc, { anchor: { field: 'annualGoal' }, round: 1, authorId: 'u_reviewer', text: '请细化年度目标' }))
      threadIds.push(addThread(doc, { anchor: { field: 'midTermGoal' }, round: 1, authorId: 'u_reviewer', text: '请补充中期目标' }))
    })
    await expect.poll(openCount, { timeout: 5000 }).toBe(2)
    await server.live.change(tableId, 'comments', (doc) => {
      setThreadStatus(doc, threadIds[0]!, 'resolved', null, { userId: 'u_reviewer' })
    })
    await expect.poll(openCount, { timeout: 5000 }).toBe(1)
  })
})
