// GET /api/tables/:id/diff and /history over the real app on PGlite and (when TEST_DATABASE_URL is set)
// PostgreSQL: versions against each other and the live document with each change's author, the history
// of field changes and lifecycle events paged to the end exactly once, bad input and who may read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { deleteRow, setField, setRowField } from '../../shared/ydoc/index.ts'
import { parseTableOrThrow, type TargetTable } from '../../shared/model/index.ts'
import { diffAnswer, historyAnswer, type HistoryEntry } from '../../shared/api/review.ts'
import { loadStoredDoc } from '../../server/tables/documents.ts'
import { makeTestApp, type TestApp } from '../helpers/app.ts'
import { TEST_DATABASE_URL, type TestDatabaseKind } from '../helpers/database.ts'
import { loadSample } from '../helpers/samples.ts'

const kinds: TestDatabaseKind[] = TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']

describe.each(kinds)('table history API on %s', (kind) => {
  let t: TestApp
  const tokens: Record<string, string> = {}
  const ids = {} as Record<'jiaoyu' | 'zixun' | 'weijian' | 'renda' | 'caizheng', string>
  const names = { jiaoyu: '王芳（教育局财务科）', zixun: '周婷（第三方评价机构）' }

  beforeAll(async () => {
    t = await makeTestApp(kind)
    for (const u of ['jiaoyu', 'zixun', 'weijian', 'renda', 'caizheng']) {
      tokens[u] = await t.login(u)
      ids[u as keyof typeof ids] = (await t.request('GET', '/api/auth/me', { token: tokens[u] })).body.user.id
    }
  }, 60_000)

  afterAll(async () => {
    await t?.dispose()
  })

  function sampleContent(): Record<string, any> {
    const content = loadSample('S01') as Record<string, any>
    content.indicators.forEach((r: Record<string, unknown>, i: number) => (r.id = `r${i}`))
    return content
  }

  async function newTable(): Promise<{ id: string; content: TargetTable }> {
    const content = sampleContent()
    const res = await t.request('POST', '/api/tables', { token: tokens.jiaoyu, body: { kind: 'project', template: content.template, year: content.year, departmentId: await t.departmentId('105'), content } })
    expect(res.status).toBe(201)
    return { id: res.body.id, content: parseTableOrThrow(content) }
  }

  /** an edit of the stored document, as a room would have stored it */
  async function editStored(tableId: string, userId: string, fn: (doc: Y.Doc) => void): Promise<void> {
    const doc = await loadStoredDoc(t.storage, tableId, 'table')
    const updates: Uint8Array[] = []
    doc.on('update', (u: Uint8Array) => updates.push(u))
    fn(doc)
    await t.storage.docLog.appendUpdates(tableId, 'table', updates.map((update) => ({ update, userId })))
  }

  const get = (path: string, user = 'jiaoyu') => t.request('GET', path, { token: tokens[user] })

  describe('GET /api/tables/:id/diff', () => {
    let table: { id: string; content: TargetTable }
    let removedRow: unknown

    beforeAll(async () => {
      table = await newTable()
      const v1 = await t.storage.versions.freeze({ tableId: table.id, version: 1, round: 1, reason: 'submitted', content: table.content, createdBy: ids.jiaoyu })
      removedRow = table.content.indicators[2]
      await editStored(table.id, ids.jiaoyu, (doc) => {
        setField(doc, ['header', 'projectName'], '课后服务经费补助（修订）')
        setRowField(doc, 'indicators', 'r3', 'target', '99')
      })
      await editStored(table.id, ids.zixun, (doc) => deleteRow(doc, 'indicators', 'r2'))
      // the journal's entries: an older one for r3.target before version 1 (not this difference's author)
      const after = (ms: number) => new Date(v1.createdAt.getTime() + ms)
      await t.storage.history.append([
        { tableId: table.id, at: new Date(v1.createdAt.getTime() - 60_000), userId: ids.zixun, op: 'change', path: 'indicators[3].target', rowId: 'r3', field: 'target', before: '1', after: '2' },
        { tableId: table.id, at: after(1), userId: ids.jiaoyu, op: 'change', path: 'header.projectName', before: table.content.kind === 'project' ? table.content.header.projectName : '', after: '课后服务经费补助（修订）' },
        { tableId: table.id, at: after(1), userId: ids.jiaoyu, op: 'change', path: 'indicators[3].target', rowId: 'r3', field: 'target', before: table.content.indicators[3]!.target, after: '99' },
        { tableId: table.id, at: after(2), userId: ids.zixun, op: 'remove', path: 'indicators[2]', rowId: 'r2', before: removedRow },
      ])
    })

    it('gives the changes from a version to the live document by row id, each with its author', async () => {
      const res = await get(`/api/tables/${table.id}/diff?from=1`)
      expect(res.status).toBe(200)
      expect(diffAnswer.parse(res.body)).toEqual(res.body)
      expect(res.body).toEqual({
        from: 1,
        to: 'live',
        changes: [
          { op: 'change', path: 'header.projectName', before: '南江市义务教育学校课后服务经费补助', after: '课后服务经费补助（修订）', by: ids.jiaoyu, byName: names.jiaoyu },
          { op: 'remove', path: 'indicators[2]', rowId: 'r2', before: removedRow, by: ids.zixun, byName: names.zixun },
          { op: 'change', path: 'indicators[2].target', rowId: 'r3', field: 'target', before: table.content.indicators[3]!.target, after: '99', by: ids.jiaoyu, byName: names.jiaoyu },
        ],
      })
    })

    it('compares two frozen versions, either way round, and a version with itself', async () => {
      const live = (await get(`/api/tables/${table.id}/diff?from=1&to=live`)).body
      const content = (await get(`/api/tables/${table.id}`)).body.content
      await t.storage.versions.freeze({ tableId: table.id, version: 2, round: 2, reason: 'submitted', content, createdBy: ids.jiaoyu })
      const forward = await get(`/api/tables/${table.id}/diff?from=1&to=2`)
      expect(forward.status).toBe(200)
      // version 2 was frozen after the journal's entries, so they fall between the two versions
      expect(forward.body.changes).toEqual(live.changes)
      const backward = await get(`/api/tables/${table.id}/diff?from=2&to=1`)
      expect(backward.body.changes.map((c: any) => [c.op, c.rowId ?? c.path])).toEqual([
        ['change', 'header.projectName'],
        ['add', 'r2'],
        ['change', 'r3'],
      ])
      expect((await get(`/api/tables/${table.id}/diff?from=2&to=2`)).body).toEqual({ from: 2, to: 2, changes: [] })
      expect((await get(`/api/tables/${table.id}/diff?from=2`)).body).toEqual({ from: 2, to: 'live', changes: [] })
    })

    it('names a version that does not exist', async () => {
      const res = await get(`/api/tables/${table.id}/diff?from=1&to=9`)
      expect(res).toMatchObject({ status: 404, body: { error: { code: 'not_found', message: '版本 9 不存在' } } })
    })

    it.each([
      ['from=abc', 'from', '起始版本（from）应为从 1 开始的版本号或 live'],
      ['from=0', 'from', '起始版本（from）应为从 1 开始的版本号或 live'],
      ['', 'from', '起始版本（from）应为从 1 开始的版本号或 live'],
      ['from=1&to=-2', 'to', '目标版本（to）应为从 1 开始的版本号或 live'],
    ])('refuses a malformed version (%s) naming the parameter', async (query, field, message) => {
      const res = await get(`/api/tables/${table.id}/diff?${query}`)
      expect(res).toMatchObject({ status: 400, body: { error: { code: 'invalid_input', message, details: { field } } } })
    })

    it('refuses a difference with another table’s version', async () => {
      const other = await newTable()
      const res = await get(`/api/tables/${table.id}/diff?from=1&to=1&toTable=${other.id}`)
      expect(res).toMatchObject({ status: 400, body: { error: { code: 'invalid_input', details: { field: 'toTable' } } } })
      expect(res.body.error.message).toContain('不能比较两张不同表格的版本')
    })

    it('is for readers only', async () => {
      expect((await get(`/api/tables/${table.id}/diff?from=1`, 'renda')).status).toBe(200)
      expect((await get(`/api/tables/${table.id}/diff?from=1`, 'weijian')).body.error.code).toBe('not_found')
      expect((await t.request('GET', `/api/tables/${table.id}/diff?from=1`)).body.error.code).toBe('unauthorized')
    })
  })

  describe('GET /api/tables/:id/history', () => {
    let table: { id: string; content: TargetTable }
    const CHANGES = 23

    beforeAll(async () => {
      table = await newTable()
      // changes and events interleaved in time (table.create falls among the changes), the newest
      // change sharing its time with the submit
      const submit = await t.storage.audit.record({ userId: ids.jiaoyu, action: 'table.submit', tableId: table.id, details: { reason: null, to: { status: 'submitted', round: 1, version: 1 } } })
      await t.storage.audit.record({ userId: ids.caizheng, action: 'table.export', tableId: table.id, details: {} }) // not a lifecycle event
      const base = submit.at.getTime()
      await t.storage.history.append(
        Array.from({ length: CHANGES }, (_, i) => ({
          tableId: table.id,
          at: new Date(base - (CHANGES - 1 - i) * 1000),
          userId: i % 2 ? ids.zixun : ids.jiaoyu,
          op: 'change' as const,
          path: `indicators[${i % 5}].target`,
          rowId: `r${i % 5}`,
          field: 'target',
          before: String(i),
          after: String(i + 1),
        })),
      )
      await t.storage.audit.record({ userId: ids.caizheng, action: 'table.return', tableId: table.id, details: { reason: '指标值偏低，请修改', from: {}, to: { status: 'returned', round: 1, version: 1 } } })
    })

    async function allPages(limit: number): Promise<HistoryEntry[]> {
      const out: HistoryEntry[] = []
      let cursor: string | null = null
      for (let page = 0; page < 100; page++) {
        const res: { status: number; body: any } = await get(`/api/tables/${table.id}/history?limit=${limit}${cursor ? `&before=${cursor}` : ''}`)
        expect(res.status).toBe(200)
        expect(historyAnswer.parse(res.body)).toEqual(res.body)
        expect(res.body.entries.length).toBeLessThanOrEqual(limit)
        out.push(...res.body.entries)
        cursor = res.body.nextCursor
        if (!cursor) return out
      }
      throw new Error('history never ended')
    }

    it.each([1, 2, 7, 100])('returns every change and lifecycle event exactly once, newest first (limit %i)', async (limit) => {
      const entries = await allPages(limit)
      expect(entries.filter((e) => e.type === 'change')).toHaveLength(CHANGES)
      expect(entries.filter((e) => e.type === 'event').map((e) => (e.type === 'event' ? e.action : ''))).toEqual(['table.return', 'table.submit', 'table.create'])
      const keys = entries.map((e) => (e.type === 'change' ? `c${e.before}` : `e${e.action}`))
      expect(new Set(keys).size).toBe(entries.length)
      const times = entries.map((e) => Date.parse(e.at))
      expect(times).toEqual([...times].sort((x, y) => y - x))
    })

    it('tells who changed which field, labelled as the table reads now, and each transition with its reason', async () => {
      const { body } = await get(`/api/tables/${table.id}/history?limit=3`)
      const row = table.content.indicators[2]!
      const label = [row.level1, row.level2, row.level3].join('/') + (row.period === 'midTerm' ? '（中期）' : '')
      expect(body.entries).toEqual([
        { type: 'event', at: expect.any(String), by: ids.caizheng, byName: '李敏（财政局绩效科）', action: 'table.return', reason: '指标值偏低，请修改', round: 1, version: 1 },
        { type: 'event', at: expect.any(String), by: ids.jiaoyu, byName: names.jiaoyu, action: 'table.submit', reason: null, round: 1, version: 1 },
        { type: 'change', at: body.entries[1].at, by: ids.jiaoyu, byName: names.jiaoyu, op: 'change', path: 'indicators[2].target', label: `${label} · 指标值`, rowId: 'r2', field: 'target', before: '22', after: '23' },
      ])
      expect(body.nextCursor).toEqual(expect.any(String))
    })

    it.each([
      ['before=not-a-cursor', '翻页标记（before）无效'],
      [`before=${Buffer.from('h1.x.1').toString('base64url')}`, '翻页标记（before）无效'],
      [`before=${'A'.repeat(300)}`, '翻页标记（before）无效'],
      ['limit=100000', '每页数量（limit）不能超过 500'],
      ['limit=0', '每页数量（limit）至少为 1'],
      ['limit=abc', '每页数量（limit）必须是数字'],
    ])('refuses %s with a Chinese message naming the parameter', async (query, message) => {
      const res = await get(`/api/tables/${table.id}/history?${query}`)
      expect(res.status).toBe(400)
      expect(res.body.error.code).toBe('invalid_input')
      expect(res.body.error.message).toContain(message)
    })

    it('is for readers only', async () => {
      expect((await get(`/api/tables/${table.id}/history`, 'renda')).status).toBe(200)
      expect((await get(`/api/tables/${table.id}/history`, 'weijian')).body.error.code).toBe('not_found')
      expect((await t.request('GET', `/api/tables/${table.id}/history`)).body.error.code).toBe('unauthorized')
    })
  })
})
