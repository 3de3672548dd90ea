// The field history of changes made just before a table room unloads (server/collab/registry.ts): a room
// whose last client leaves, or that a server change (a group propagation, Collab.change) loaded on its own,
// is stored and unloaded at once — before its settle timer (400 ms after the last change) fires. Each change
// must still reach GET /api/tables/:id/history, attributed, whether the first read comes at once or later.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { setRowField, setField } from '../../shared/ydoc/index.ts'
import { getRow } from '../../shared/ydoc/edits.ts'
import type { HistoryEntry } from '../../shared/api/review.ts'
import { connectClient, sleep, waitFor, type TestClient } from '../helpers/collab-clients.ts'
import { TEST_DATABASE_URL, type TestDatabaseKind } from '../helpers/database.ts'
import { loadSample } from '../helpers/samples.ts'
import { startServer, type RunningServer } from '../helpers/server.ts'

const kinds: TestDatabaseKind[] = TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']

describe.each(kinds)('history of changes made just before a room unloads, on %s', (kind) => {
  let server: RunningServer
  const tokens: Record<string, string> = {}
  const ids: Record<string, string> = {}
  const clients: TestClient[] = []

  beforeAll(async () => {
    server = await startServer(kind)
    for (const u of ['jiaoyu', 'caizheng']) {
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

  async function open(tableId: string): Promise<TestClient> {
    const c = connectClient(server.wsUrl, tableId, tokens.jiaoyu)
    clients.push(c)
    await c.synced()
    return c
  }

  /** The change entries of GET /history, polled from now on until `want` of them are there (or 6 s passed). */
  async function changesOf(tableId: string, want: number): Promise<(HistoryEntry & { type: 'change' })[]> {
    let changes: (HistoryEntry & { type: 'change' })[] = []
    const t0 = Date.now()
    while (Date.now() - t0 < 6000) {
      const res = await server.api('GET', `/api/tables/${tableId}/history?limit=100`, tokens.caizheng)
      expect(res.status).toBe(200)
      changes = (res.body.entries as HistoryEntry[]).filter((e): e is HistoryEntry & { type: 'change' } => e.type === 'change')
      if (changes.length >= want) break
      await sleep(50)
    }
    return changes.reverse()
  }
  const strip = (e: HistoryEntry & { type: 'change' }) => ({ by: e.by, rowId: e.rowId, field: e.field, after: e.after })
  const roomsGone = () => waitFor(() => server.live.stats().rooms === 0, 10_000, 'rooms unloaded')

  it('keeps a client’s last edits when it leaves before they settle', async () => {
    const tableId = await newTable()
    const c = await open(tableId)
    setRowField(c.doc, 'indicators', 'r1', 'target', '41')
    setRowField(c.doc, 'indicators', 'r2', 'target', '42')
    // the edits are stored (another reader sees them), then the client leaves at once
    await waitFor(() => server.live.stats().queuedUpdates === 0, 10_000, 'edits stored')
    c.destroy()
    await roomsGone()
    expect((await changesOf(tableId, 2)).map(strip)).toEqual([
      { by: ids.jiaoyu, rowId: 'r1', field: 'target', after: '41' },
      { by: ids.jiaoyu, rowId: 'r2', field: 'target', after: '42' },
    ])
  }, 30_000)

  it('keeps a server change (as a propagation writes) made while a client is open, when the client leaves right after', async () => {
    const tableId = await newTable()
    const c = await open(tableId)
    await server.live.change(tableId, 'table', (doc) => setRowField(doc, 'indicators', 'r3', 'target', '53'), ids.caizheng)
    setRowField(c.doc, 'indicators', 'r4', 'target', '54') // a quick client edit on top
    await waitFor(() => server.live.stats().queuedUpdates === 0, 10_000, 'edit stored')
    c.destroy()
    await roomsGone()
    expect((await changesOf(tableId, 2)).map(strip)).toEqual([
      { by: ids.caizheng, rowId: 'r3', field: 'target', after: '53' },
      { by: ids.jiaoyu, rowId: 'r4', field: 'target', after: '54' },
    ])
  }, 30_000)

  it('keeps server changes to tables nobody has open (the room loads, changes, stores and unloads), read at once', async () => {
    const tables = [await newTable(), await newTable(), await newTable()]
    for (const [i, tableId] of tables.entries()) {
      await server.live.change(tableId, 'table', (doc) => setField(doc, ['header', 'projectName'], `下发名称 ${i}`), ids.caizheng)
    }
    for (const [i, tableId] of tables.entries()) {
      expect((await changesOf(tableId, 1)).map((e) => ({ by: e.by, path: e.path, after: e.after }))).toEqual([{ by: ids.caizheng, path: 'header.projectName', after: `下发名称 ${i}` }])
    }
    await roomsGone()
  }, 30_000)

  it('reading the history at once, while a client keeps the room open, finds the changes once they settle', async () => {
    const tableId = await newTable()
    const c = await open(tableId)
    await server.live.change(tableId, 'table', (doc) => setRowField(doc, 'indicators', 'r5', 'target', '65'), ids.caizheng)
    for (let i = 0; i < 5; i++) {
      setRowField(c.doc, 'indicators', 'r6', 'target', String(660 + i))
      await sleep(20)
    }
    expect((await changesOf(tableId, 2)).map(strip)).toEqual([
      { by: ids.caizheng, rowId: 'r5', field: 'target', after: '65' },
      { by: ids.jiaoyu, rowId: 'r6', field: 'target', after: '664' },
    ])
    expect(server.live.stats().rooms).toBe(1)
  }, 30_000)

  // last: it shuts the live layer down (the server's close shuts it down again, with nothing left)
  it('keeps edits made just before a shutdown: the unloading rooms settle and shutdown waits for their history', async () => {
    const tableId = await newTable()
    const c = await open(tableId)
    const observer = await open(tableId)
    setRowField(c.doc, 'indicators', 'r7', 'target', '77')
    // another client has it: the server accepted and stored it (store-first broadcasts stored edits only)
    await waitFor(() => getRow(observer.doc, 'indicators', 'r7')?.get('target') === '77', 10_000, 'edit seen by the observer')
    await server.live.shutdown()
    // read from storage straight after shutdown resolved, as main.ts would before closing the database
    const rows = await server.storage.history.list(tableId, { limit: 100 })
    expect(rows.map((r) => ({ by: r.userId, rowId: r.rowId, field: r.field, after: r.after }))).toEqual([{ by: ids.jiaoyu, rowId: 'r7', field: 'target', after: '77' }])
  }, 30_000)
})
