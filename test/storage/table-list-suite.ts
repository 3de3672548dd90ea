// The paged table list in storage (server/storage/table-list.ts) and the row-level counts it reads, run on
// every back-end by table-list.pglite.test.ts and table-list.postgres.test.ts.
import { randomBytes } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../shared/errors.ts'
import { can, ROLES, type Actor } from '../../shared/permissions.ts'
import { departments, targetTables } from '../../server/db/schema.ts'
import { createStorage, type Storage, type TableListRow, type TablePageQuery, type TableSort } from '../../server/storage/index.ts'
import type { OpenedTestDatabase } from '../helpers/database.ts'

const uniq = () => randomBytes(4).toString('hex')
type Row = typeof targetTables.$inferInsert

async function appError(p: Promise<unknown>): Promise<AppError> {
  try {
    await p
  } catch (err) {
    expect(err).toBeInstanceOf(AppError)
    return err as AppError
  }
  throw new Error('expected an AppError, but the call succeeded')
}

export function defineTableListSuite(name: string, open: () => Promise<OpenedTestDatabase>): void {
  describe(`table list storage on ${name}`, () => {
    let database: OpenedTestDatabase
    let storage: Storage
    let nextYear = 2030

    beforeAll(async () => {
      database = await open()
      storage = createStorage(database.db)
    })
    afterAll(async () => {
      await database?.dispose()
    })

    /** departments A (with unit A1) and B, and a unique year so each test sees only its own rows */
    async function city() {
      const tag = uniq()
      const [a, b] = await database.db
        .insert(departments)
        .values([
          { code: `A${tag}`, name: `甲局${tag}`, kind: 'department' },
          { code: `B${tag}`, name: `乙局${tag}`, kind: 'department' },
        ])
        .returning()
      const [a1] = await database.db.insert(departments).values({ code: `A${tag}01`, name: `甲局下属单位${tag}`, kind: 'unit', parentId: a!.id }).returning()
      nextYear += 3
      return { a: a!, a1: a1!, b: b!, year: nextYear, tag }
    }

    async function insert(rows: Row[]): Promise<string[]> {
      const out: string[] = []
      for (let i = 0; i < rows.length; i += 500) {
        const inserted = await database.db.insert(targetTables).values(rows.slice(i, i + 500)).returning({ id: targetTables.id })
        out.push(...inserted.map((r) => r.id))
      }
      return out
    }

    const base = (year: number, departmentId: string, extra: Partial<Row> = {}): Row => ({ kind: 'project', template: 'mof2015-project', year, departmentId, ...extra })

    async function all(q: Omit<TablePageQuery, 'limit' | 'after'>, limit: number): Promise<{ rows: TableListRow[]; totals: number[] }> {
      const rows: TableListRow[] = []
      const totals: number[] = []
      let after: TablePageQuery['after'] = null
      for (let guard = 0; guard < 10_000; guard++) {
        const page = await storage.tables.page({ ...q, limit, after })
        rows.push(...page.rows)
        totals.push(page.total)
        if (!page.next) return { rows, totals }
        after = page.next
      }
      throw new Error('paging did not end')
    }

    const finance: Actor = { id: 'u_f', role: 'finance', departmentIds: [] }

    it('reads exactly what can(actor, "read") allows, for every role, scope and 涉密 flag', async () => {
      const { a, a1, b, year } = await city()
      const rows: Row[] = []
      for (const d of [a, a1, b]) for (const classified of [false, true]) rows.push(base(year, d.id, { classified, title: `${d.name}${classified ? '涉密' : ''}` }))
      await insert(rows)
      const everyTable = (await storage.tables.page({ reader: finance, year, sort: 'title', limit: 500 })).rows
      expect(everyTable).toHaveLength(6)
      const scopes = [[], [a.id, a1.id], [b.id], [a1.id]]
      for (const role of ROLES) {
        for (const departmentIds of scopes) {
          const actor: Actor = { id: 'u', role, departmentIds }
          const page = await storage.tables.page({ reader: actor, year, sort: 'title', limit: 500 })
          const expected = everyTable.filter((t) => can(actor, 'read', t).allowed).map((t) => t.id)
          expect({ role, departmentIds, ids: page.rows.map((t) => t.id) }).toEqual({ role, departmentIds, ids: expected })
          expect(page.total).toBe(expected.length)
        }
      }
    })

    it('pages every sort in both orders through every row exactly once, in the order of one big page', async () => {
      const { a, a1, b, year } = await city()
      const same = new Date('2031-05-01T08:00:00.123Z')
      const rows: Row[] = []
      const statuses = ['draft', 'submitted', 'returned', 'approved'] as const
      for (let i = 0; i < 90; i++) {
        rows.push(
          base(year, [a, a1, b][i % 3]!.id, {
            // many ties in every key, so the id has to break them
            title: `项目${i % 7}`,
            status: statuses[i % 4],
            errorCount: i % 5 === 0 ? null : i % 3,
            warningCount: 0,
            infoCount: 0,
            updatedAt: i % 2 ? same : new Date(same.getTime() + (i % 4) * 1000),
          }),
        )
      }
      await insert(rows)
      for (const sort of ['updated', 'title', 'department', 'status', 'errors'] as TableSort[]) {
        for (const order of ['asc', 'desc'] as const) {
          const one = await storage.tables.page({ reader: finance, year, sort, order, limit: 500 })
          expect(one.rows).toHaveLength(90)
          expect(one.next).toBeNull()
          const paged = await all({ reader: finance, year, sort, order }, 7)
          expect(paged.rows.map((r) => r.id)).toEqual(one.rows.map((r) => r.id))
          expect(new Set(paged.totals)).toEqual(new Set([90]))
        }
      }
      // the orders themselves
      const byErrors = (await storage.tables.page({ reader: finance, year, sort: 'errors', limit: 500 })).rows.map((r) => r.errorCount ?? -1)
      expect(byErrors).toEqual([...byErrors].sort((x, y) => y - x))
      const byStatus = (await storage.tables.page({ reader: finance, year, sort: 'status', limit: 500 })).rows.map((r) => r.status)
      expect(byStatus.indexOf('submitted')).toBeGreaterThan(byStatus.lastIndexOf('draft'))
      expect(byStatus.indexOf('approved')).toBeGreaterThan(byStatus.lastIndexOf('returned'))
      const byDept = (await storage.tables.page({ reader: finance, year, sort: 'department', limit: 500 })).rows.map((r) => r.departmentCode)
      expect(byDept).toEqual([...byDept].sort())
      const newest = (await storage.tables.page({ reader: finance, year, sort: 'updated', limit: 1 })).rows[0]!
      expect(newest.updatedAt.getTime()).toBe(same.getTime() + 2000)
    })

    it('keeps rows apart whose update times differ by microseconds only', async () => {
      const { a, year } = await city()
      const ids = await insert(Array.from({ length: 5 }, () => base(year, a.id)))
      // five times inside one millisecond: a cursor rounded to milliseconds would skip or repeat rows
      for (const [i, id] of ids.entries()) {
        await database.db.execute(sql`update ${targetTables} set updated_at = '2031-01-01T00:00:00.000100Z'::timestamptz + ${`${i * 100} microseconds`}::interval where id = ${id}`)
      }
      for (const order of ['asc', 'desc'] as const) {
        const paged = await all({ reader: finance, year, sort: 'updated', order }, 1)
        const expected = order === 'asc' ? ids : [...ids].reverse()
        expect(paged.rows.map((r) => r.id)).toEqual(expected)
      }
    })

    it('filters by year, departments, status, kind, counts and a title search where % and _ match themselves', async () => {
      const { a, a1, b, year } = await city()
      const [plain, percent, underscore, upper, backslash] = await insert([
        base(year, a.id, { title: '课后服务项目', errorCount: 2, warningCount: 0, infoCount: 0, openThreads: 1 }),
        base(year, a1.id, { title: '完成率100%项目', errorCount: 0, warningCount: 1, infoCount: 0, status: 'submitted' }),
        base(year, b.id, { title: 'A_B 项目', kind: 'department', template: 'mof2015-dept' }),
        base(year, b.id, { title: 'ABC 项目', status: 'approved', openThreads: 3 }),
        base(year, b.id, { title: 'C:\\路径 项目' }),
      ])
      await insert([base(year + 1, a.id, { title: '课后服务项目' })])
      const ids = async (q: Partial<TablePageQuery>) => {
        const page = await storage.tables.page({ reader: finance, year, sort: 'title', limit: 500, ...q })
        expect(page.total).toBe(page.rows.length)
        return page.rows.map((r) => r.id).sort()
      }
      const sorted = (...xs: (string | undefined)[]) => (xs as string[]).sort()
      expect(await ids({})).toEqual(sorted(plain, percent, underscore, upper, backslash))
      expect(await ids({ q: '%' })).toEqual(sorted(percent))
      expect(await ids({ q: '_' })).toEqual(sorted(underscore))
      expect(await ids({ q: 'a_b' })).toEqual(sorted(underscore))
      expect(await ids({ q: 'abc' })).toEqual(sorted(upper))
      expect(await ids({ q: '\\' })).toEqual(sorted(backslash))
      expect(await ids({ q: '课后' })).toEqual(sorted(plain))
      expect(await ids({ departmentIds: await storage.departments.withDescendants([a.id]) })).toEqual(sorted(plain, percent))
      expect(await ids({ departmentIds: [a1.id] })).toEqual(sorted(percent))
      expect(await ids({ departmentIds: [] })).toEqual([])
      expect(await ids({ status: 'submitted' })).toEqual(sorted(percent))
      expect(await ids({ kind: 'department' })).toEqual(sorted(underscore))
      expect(await ids({ hasErrors: true })).toEqual(sorted(plain))
      // never computed (null) counts as no errors
      expect(await ids({ hasErrors: false })).toEqual(sorted(percent, underscore, upper, backslash))
      expect(await ids({ hasOpenThreads: true })).toEqual(sorted(plain, upper))
      expect(await ids({ hasOpenThreads: false })).toEqual(sorted(percent, underscore, backslash))
      expect(await ids({ year: year + 1 })).toHaveLength(1)
      expect(await ids({ q: '项目', status: 'approved', hasOpenThreads: true, departmentIds: [b.id] })).toEqual(sorted(upper))
    })

    it('refuses a page size out of range and a cursor key of the wrong type', async () => {
      expect(await appError(storage.tables.page({ reader: finance, sort: 'updated', limit: 501 }))).toMatchObject({ code: 'invalid_input', details: { field: 'limit' } })
      for (const [sort, key] of [['updated', '2031-01-01'], ['updated', 5], ['errors', 'x'], ['status', 1.5], ['title', 3]] as const) {
        const err = await appError(storage.tables.page({ reader: finance, sort, limit: 10, after: { key, id: 't' } }))
        expect(err).toMatchObject({ code: 'invalid_input', details: { field: 'cursor' } })
        expect(err.message).toContain('翻页游标（cursor）')
      }
    })

    it('leaves a soft-deleted table out of get, list, page and state changes', async () => {
      const { a, year } = await city()
      const [kept, gone] = await insert([base(year, a.id), base(year, a.id)])
      expect(await storage.tables.softDelete(gone!, null)).toBe(true)
      expect(await storage.tables.softDelete(gone!, null)).toBe(false)
      expect(await storage.tables.softDelete('t_missing', null)).toBe(false)
      expect(await storage.tables.get(gone!)).toBeNull()
      expect((await appError(storage.tables.require(gone!))).code).toBe('not_found')
      expect((await storage.tables.list({ year })).map((t) => t.id)).toEqual([kept])
      expect(await storage.tables.page({ reader: finance, year, sort: 'updated', limit: 50 })).toMatchObject({ total: 1, rows: [{ id: kept }] })
      // past the end: an empty page still knows the total
      const first = await storage.tables.page({ reader: finance, year, sort: 'updated', limit: 1 })
      expect(first.next).toBeNull()
      const past = await storage.tables.page({ reader: finance, year, sort: 'updated', limit: 1, after: { key: '2000-01-01T00:00:00.000000Z', id: 't' } })
      expect(past).toEqual({ rows: [], total: 1, next: null })
      expect(await storage.tables.page({ reader: finance, year: year + 1, sort: 'updated', limit: 1 })).toEqual({ rows: [], total: 0, next: null })
      expect((await appError(storage.tables.updateState(gone!, { status: 'draft', round: 1, version: 0 }, { status: 'submitted' }))).code).toBe('not_found')
      expect((await appError(storage.tables.update(gone!, { title: 'x' }))).code).toBe('not_found')
      const [row] = await database.db.select().from(targetTables).where(eq(targetTables.id, gone!))
      expect(row).toMatchObject({ deletedBy: null, deletedAt: expect.any(Date) })
    })

    it('stores finding counts forward only, and moves updated_at only for an edit after a known version', async () => {
      const { a, year } = await city()
      const [id] = await insert([base(year, a.id, { updatedAt: new Date('2031-01-01T00:00:00Z') })])
      const row = async () => (await storage.tables.get(id!))!
      const c = (errors: number) => ({ errors, warnings: 1, infos: 2 })
      // the first computation is no edit, however it arrives
      await storage.tables.setFindingCounts([{ id: id!, counts: c(3), version: 10, edited: true }])
      expect(await row()).toMatchObject({ errorCount: 3, warningCount: 1, infoCount: 2, findingsVersion: 10, updatedAt: new Date('2031-01-01T00:00:00Z') })
      // an older version never overwrites a newer one
      await storage.tables.setFindingCounts([{ id: id!, counts: c(9), version: 4 }])
      expect(await row()).toMatchObject({ errorCount: 3, findingsVersion: 10 })
      // the same version with other counts (rules changed) is rewritten
      await storage.tables.setFindingCounts([{ id: id!, counts: c(5), version: 10, edited: true }])
      expect(await row()).toMatchObject({ errorCount: 5, findingsVersion: 10, updatedAt: new Date('2031-01-01T00:00:00Z') })
      // a recompute on read at a newer version stores without touching updated_at
      await storage.tables.setFindingCounts([{ id: id!, counts: c(6), version: 11 }])
      expect(await row()).toMatchObject({ errorCount: 6, findingsVersion: 11, updatedAt: new Date('2031-01-01T00:00:00Z') })
      // a settled edit does
      await storage.tables.setFindingCounts([{ id: id!, counts: c(0), version: 12, edited: true }])
      const edited = await row()
      expect(edited).toMatchObject({ errorCount: 0, findingsVersion: 12 })
      expect(edited.updatedAt.getTime()).toBeGreaterThan(Date.now() - 60_000)
      // many rows in one call; an unknown id is ignored
      const more = await insert(Array.from({ length: 30 }, () => base(year, a.id)))
      await storage.tables.setFindingCounts([...more.map((m, i) => ({ id: m, counts: c(i), version: i + 1 })), { id: 't_missing', counts: c(1), version: 1 }])
      const stored = await storage.tables.page({ reader: finance, year, sort: 'errors', order: 'asc', limit: 500, departmentIds: [a.id] })
      expect(stored.rows.filter((r) => more.includes(r.id)).map((r) => [r.errorCount, r.findingsVersion])).toEqual(more.map((_, i) => [i, i + 1]))
    })

    it('reads each row\'s document version as docLog.versions does: log, snapshot, both, neither', async () => {
      const { a, year } = await city()
      const [logged, compacted, both, none] = await insert([base(year, a.id), base(year, a.id), base(year, a.id), base(year, a.id)])
      const u = (n: number) => new Uint8Array([n, 1, 2])
      await storage.docLog.appendUpdates(logged!, 'table', [{ update: u(1) }, { update: u(2) }])
      const [c1] = await storage.docLog.appendUpdates(compacted!, 'table', [{ update: u(3) }])
      await storage.docLog.compact(compacted!, 'table', u(4), c1!)
      const [b1] = await storage.docLog.appendUpdates(both!, 'table', [{ update: u(5) }])
      await storage.docLog.compact(both!, 'table', u(6), b1!)
      await storage.docLog.appendUpdates(both!, 'table', [{ update: u(7) }])
      // the comments room has its own versions
      await storage.docLog.appendUpdates(none!, 'comments', [{ update: u(8) }])
      const page = await storage.tables.page({ reader: finance, year, sort: 'title', limit: 10 })
      const expected = await storage.docLog.versions([logged!, compacted!, both!, none!], 'table')
      expect(new Map(page.rows.map((r) => [r.id, r.docVersion]))).toEqual(expected)
      expect(expected.get(none!)).toBe(0)
      expect(expected.get(both!)).toBeGreaterThan(expected.get(compacted!)!)
    })

    it('stores the open thread count', async () => {
      const { a, year } = await city()
      const [id] = await insert([base(year, a.id)])
      await storage.tables.setOpenThreads(id!, 4)
      expect((await storage.tables.get(id!))!.openThreads).toBe(4)
      await storage.tables.setOpenThreads(id!, 0)
      expect((await storage.tables.get(id!))!.openThreads).toBe(0)
      expect((await appError(storage.tables.setOpenThreads(id!, -1))).code).toBe('invalid_input')
    })
  })
}
