// The field-level history over real sockets and the real server wiring (server/live.ts): two users edit
// one table, and once it settles field_changes holds each change with its author and values; rows added,
// removed and moved are attributed; the journal's baseline survives compaction and a reload.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { deleteRow, insertRow, moveRow, rowIds, setField, setRowField } from '../../shared/ydoc/index.ts'
import type { FieldChange } from '../../server/storage/index.ts'
import { connectClient, waitFor, type TestClient } from '../helpers/collab-clients.ts'
import { TEST_DATABASE_URL, type TestDatabaseKind } from '../helpers/database.ts'
import { loadSample } from '../helpers/samples.ts'
import { startServer, type RunningServer } from '../helpers/server.ts'

const kinds: TestDatabaseKind[] = TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']

describe.each(kinds)('table history journal on %s', (kind) => {
  let server: RunningServer
  const tokens: Record<string, string> = {}
  const ids: Record<string, string> = {}
  const clients: TestClient[] = []

  beforeAll(async () => {
    server = await startServer(kind)
    for (const u of ['jiaoyu', 'zixun']) {
      tokens[u] = await server.login(u)
      ids[u] = (await server.api('GET', '/api/auth/me', tokens[u])).body.user.id
    }
  }, 60_000)

  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy()
  })

  afterAll(async () => {
    await server?.close()
  })

  async function newTable(): Promise<string> {
    const content = loadSample('S01') as Record<string, any>
    content.indicators.forEach((r: Record<string, unknown>, i: number) => (r.id = `r${i}`))
    const departmentId = (await server.storage.departments.getByCode('105'))!.id
    const res = await server.api('POST', '/api/tables', tokens.jiaoyu, { kind: 'project', template: content.template, year: content.year, departmentId, content })
    expect(res.status).toBe(201)
    return res.body.id
  }

  async function open(tableId: string, user: string): Promise<TestClient> {
    const c = connectClient(server.wsUrl, tableId, tokens[user])
    clients.push(c)
    await c.synced()
    return c
  }

  const table = (c: TestClient) => c.doc.getMap('table')
  const rowOf = (c: TestClient, id: string) => (table(c).get('indicators') as Y.Array<Y.Map<unknown>>).toArray().find((r) => r.get('id') === id)!

  async function historyOf(tableId: string, count: number): Promise<FieldChange[]> {
    let rows: FieldChange[] = []
    const t0 = Date.now()
    while (Date.now() - t0 < 15_000) {
      rows = await server.storage.history.list(tableId, { limit: 1000 })
      if (rows.length >= count) break
      await new Promise((r) => setTimeout(r, 50))
    }
    return rows.reverse()
  }

  const strip = (r: FieldChange) => ({ userId: r.userId, op: r.op, path: r.path, rowId: r.rowId, field: r.field, before: r.before, after: r.after })

  it('stores each user’s changes to different fields with that user, before and after', async () => {
    const tableId = await newTable()
    const a = await open(tableId, 'jiaoyu')
    const b = await open(tableId, 'zixun')
    const target3 = rowOf(a, 'r3').get('target')
    const unit5 = rowOf(b, 'r5').get('unit')
    setField(a.doc, ['header', 'projectName'], '课后服务经费补助（修订）')
    setRowField(a.doc, 'indicators', 'r3', 'target', '99')
    setRowField(b.doc, 'indicators', 'r5', 'unit', '所')
    setField(b.doc, ['funds', 'annual', 'total'], 1300)
    const rows = await historyOf(tableId, 4)
    expect(rows.map(strip).sort((x, y) => x.path.localeCompare(y.path))).toEqual(
      [
        { userId: ids.zixun, op: 'change', path: 'funds.annual.total', rowId: null, field: null, before: 1260, after: 1300 },
        { userId: ids.jiaoyu, op: 'change', path: 'header.projectName', rowId: null, field: null, before: '南江市义务教育学校课后服务经费补助', after: '课后服务经费补助（修订）' },
        { userId: ids.jiaoyu, op: 'change', path: 'indicators[3].target', rowId: 'r3', field: 'target', before: target3, after: '99' },
        { userId: ids.zixun, op: 'change', path: 'indicators[5].unit', rowId: 'r5', field: 'unit', before: unit5, after: '所' },
      ].sort((x, y) => x.path.localeCompare(y.path)),
    )
    // each change carries the time of its author's edit, not the settle's
    for (const r of rows) expect(Date.now() - r.at.getTime()).toBeLessThan(15_000)
    // nothing more arrives on later settles
    await new Promise((r) => setTimeout(r, 800))
    expect(await server.storage.history.list(tableId)).toHaveLength(4)
  }, 30_000)

  it('gives a field edited by both users to the later one, with the value before either edit', async () => {
    const tableId = await newTable()
    const a = await open(tableId, 'jiaoyu')
    const b = await open(tableId, 'zixun')
    const original = rowOf(a, 'r1').get('target')
    setRowField(a.doc, 'indicators', 'r1', 'target', '10')
    await waitFor(() => rowOf(b, 'r1').get('target') === '10')
    setRowField(b.doc, 'indicators', 'r1', 'target', '20')
    await waitFor(() => rowOf(a, 'r1').get('target') === '20')
    await historyOf(tableId, 1)
    await new Promise((r) => setTimeout(r, 800))
    const all = (await server.storage.history.list(tableId)).reverse()
    // one settle may have fallen between the two edits: then both are kept, each with its author
    const last = all.at(-1)!
    expect(strip(last)).toMatchObject({ userId: ids.zixun, rowId: 'r1', field: 'target', after: '20' })
    expect(all[0]!.before).toBe(original)
    expect(all.every((r) => r.rowId === 'r1' && r.field === 'target')).toBe(true)
    if (all.length === 2) expect(strip(all[0]!)).toMatchObject({ userId: ids.jiaoyu, before: original, after: '10' })
    else expect(all).toHaveLength(1)
  }, 30_000)

  it('attributes rows added, removed and moved to whoever did it', async () => {
    const tableId = await newTable()
    const a = await open(tableId, 'jiaoyu')
    const b = await open(tableId, 'zixun')
    const removed = rowOf(b, 'r2').toJSON()
    insertRow(a.doc, 'indicators', 0, { id: 'new1', period: 'annual', level1: '产出指标', level2: '数量指标', level3: '新增培训人数', comparator: '≥', target: '50', unit: '人' })
    deleteRow(b.doc, 'indicators', 'r2')
    await waitFor(() => rowIds(a.doc, 'indicators').length === rowIds(b.doc, 'indicators').length && !rowIds(a.doc, 'indicators').includes('r2'))
    const last = rowIds(a.doc, 'indicators').length - 1
    moveRow(a.doc, 'indicators', 'r0', last)
    const rows = await historyOf(tableId, 3)
    const byOp = Object.fromEntries(rows.map((r) => [r.op, strip(r)]))
    expect(byOp.add).toMatchObject({ userId: ids.jiaoyu, rowId: 'new1', path: 'indicators[0]', after: expect.objectContaining({ id: 'new1', level3: '新增培训人数' }) })
    expect(byOp.remove).toEqual({ userId: ids.zixun, op: 'remove', path: 'indicators[2]', rowId: 'r2', field: null, before: removed, after: null })
    expect(byOp.move).toMatchObject({ userId: ids.jiaoyu, rowId: 'r0', path: `indicators[${last}]`, after: last })
    expect(rows).toHaveLength(3)
  }, 30_000)

  it('keeps the history through compaction and a reload, and diffs later edits against the stored state', async () => {
    const tableId = await newTable()
    const a = await open(tableId, 'jiaoyu')
    setRowField(a.doc, 'indicators', 'r4', 'target', '77')
    await historyOf(tableId, 1)
    // the last client leaves: the room compacts its log into a snapshot and unloads
    a.destroy()
    await waitFor(() => server.live.stats().rooms === 0, 15_000, 'room unloaded')
    const stored = await server.storage.docLog.loadDoc(tableId, 'table')
    expect(stored.snapshot).not.toBeNull()
    expect(stored.updates).toEqual([])
    // a reloaded room compares with what it loaded: only the new edit is journaled, from 77
    const b = await open(tableId, 'zixun')
    expect(rowOf(b, 'r4').get('target')).toBe('77')
    setRowField(b.doc, 'indicators', 'r4', 'target', '88')
    const rows = await historyOf(tableId, 2)
    await new Promise((r) => setTimeout(r, 800))
    expect((await server.storage.history.list(tableId)).reverse().map(strip)).toEqual([
      { userId: ids.jiaoyu, op: 'change', path: 'indicators[4].target', rowId: 'r4', field: 'target', before: rows[0]!.before, after: '77' },
      { userId: ids.zixun, op: 'change', path: 'indicators[4].target', rowId: 'r4', field: 'target', before: '77', after: '88' },
    ])
  }, 40_000)
})
