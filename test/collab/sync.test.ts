// Live documents over real sockets: convergence, reload from storage after a restart, awareness,
// the comments room, server-side changes and findings, on PGlite and (when configured) PostgreSQL.
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { fromYDoc, insertRow, setRowField, rowIds, addThread, addReply, readThreads, tableRoot } from '../../shared/ydoc/index.ts'
import { createStorage } from '../../server/storage/index.ts'
import { MSG_AWARENESS, encodeAwarenessMessage } from '../../server/collab/protocol.ts'
import { DURABILITIES } from '../../server/collab/commit.ts'
import { TEST_DATABASE_URL, withTestDatabase, type TestDatabaseKind } from '../helpers/database.ts'
import { seedCollabFixtures, type CollabFixtures } from '../helpers/collab-fixtures.ts'
import { startCollabServer, type CollabTestServer } from '../helpers/collab-server.ts'
import { connectClient, rawClient, waitFor, sleep, type TestClient } from '../helpers/collab-clients.ts'

const kinds: TestDatabaseKind[] = TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']

describe.each(kinds)('live documents on %s', (kind) => {
  const db = withTestDatabase(kind)
  let fx: CollabFixtures
  const servers: CollabTestServer[] = []
  const clients: TestClient[] = []
  const storage = () => createStorage(db().db)

  const start = async (extra: Partial<Parameters<typeof startCollabServer>[0]> = {}) => {
    const s = await startCollabServer({ storage: storage(), synchronousCommit: kind !== 'postgres', ...extra })
    servers.push(s)
    return s
  }
  const client = (s: CollabTestServer, who: keyof CollabFixtures['users'], room = fx.tableId, params?: Record<string, string>) => {
    const c = connectClient(s.url, room, fx.users[who].token, { params })
    clients.push(c)
    return c
  }

  /** A server with alice and bob synced to the fixture table. */
  const aliceAndBob = async () => {
    fx ??= await seedCollabFixtures(storage())
    const s = await start()
    const a = client(s, 'alice')
    const b = client(s, 'bob')
    await Promise.all([a.synced(), b.synced()])
    return { s, a, b }
  }

  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy()
    for (const s of servers.splice(0)) await s.close()
  })

  it.each(DURABILITIES)('makes two editors converge, and the result survives a restart (reloaded from storage) — %s', async (durability) => {
    fx = await seedCollabFixtures(storage())
    const s1 = await start({ durability })
    const a = client(s1, 'alice')
    const b = client(s1, 'bob')
    await Promise.all([a.synced(), b.synced()])
    const firstRow = rowIds(a.doc, 'indicators')[0]!
    // concurrent edits on both sides
    setRowField(a.doc, 'indicators', firstRow, 'target', '≥ 22000')
    const newId = insertRow(b.doc, 'indicators', 0, { period: 'annual', level1: '产出指标', level2: '质量指标', level3: '课后服务覆盖率', comparator: '≥', target: '95', unit: '%' })
    await waitFor(() => JSON.stringify(tableRoot(a.doc).toJSON()) === JSON.stringify(tableRoot(b.doc).toJSON()) && rowIds(a.doc, 'indicators').includes(newId))
    const before = fromYDoc(a.doc)
    expect(before.ok).toBe(true)

    await s1.close()
    const s2 = await start({ durability })
    const c = client(s2, 'bob')
    await c.synced()
    const after = fromYDoc(c.doc)
    expect(after).toEqual(before)
    if (after.ok) {
      expect(after.table.indicators[0]!.id).toBe(newId)
      expect(after.table.indicators.find((r) => r.id === firstRow)!.target).toBe('≥ 22000')
    }
  })

  it('shows awareness to the others and echoes it to the sender', async () => {
    const { s, a, b } = await aliceAndBob()
    a.provider.awareness.setLocalStateField('cursor', { rowId: 'ind-1', field: 'target' })
    await waitFor(() => [...b.provider.awareness.getStates().values()].some((st) => (st as { cursor?: { rowId?: string } }).cursor?.rowId === 'ind-1'))

    // echo: a raw client's own awareness state comes back to it
    const raw = rawClient(s.url, fx.tableId, fx.users.bob.token)
    await raw.open
    const clientId = 987654
    const e = encoding.createEncoder()
    encoding.writeVarUint(e, 1)
    encoding.writeVarUint(e, clientId)
    encoding.writeVarUint(e, 1)
    encoding.writeVarString(e, JSON.stringify({ cursor: { rowId: 'raw' } }))
    raw.send(encodeAwarenessMessage(encoding.toUint8Array(e)))
    await waitFor(() => raw.received.some((f) => awarenessClients(f).includes(clientId)))
    await waitFor(() => a.provider.awareness.getStates().has(clientId))
    // and it disappears for the others when that socket closes
    raw.ws.close()
    await waitFor(() => !a.provider.awareness.getStates().has(clientId))
  })

  it('drops presence that claims another user (by id or by name), and shows presence in one’s own name', async () => {
    const { a, b } = await aliceAndBob()
    const userOf = (c: TestClient) => (c.provider.awareness.getStates().get(a.provider.awareness.clientID) as { user?: { id?: string; name?: string } } | undefined)?.user
    const alice = (await storage().users.get(fx.users.alice.id))!.displayName
    a.provider.awareness.setLocalStateField('user', { id: fx.users.bob.id, name: '冒充的名字' })
    await sleep(300)
    expect(userOf(b)?.name).toBeUndefined()
    // her own id with someone else's name: dropped too
    a.provider.awareness.setLocalStateField('user', { id: fx.users.alice.id, name: '财政局-李四' })
    await sleep(300)
    expect(userOf(b)?.name).toBeUndefined()
    a.provider.awareness.setLocalStateField('user', { id: fx.users.alice.id, name: alice })
    await waitFor(() => userOf(b)?.name === alice)
    expect(userOf(b)?.id).toBe(fx.users.alice.id)
  })

  it('syncs comment threads in the comments room and keeps them apart from the table', async () => {
    fx ??= await seedCollabFixtures(storage())
    const s = await start()
    const room = `${fx.tableId}/comments`
    const a = client(s, 'alice', room)
    const f = client(s, 'finance', room)
    await Promise.all([a.synced(), f.synced()])
    const rowId = 'ind-x'
    const threadId = addThread(f.doc, { anchor: { rowId, field: 'target' }, round: 1, authorId: fx.users.finance.id, text: '目标值偏低，请说明依据' })
    await waitFor(() => readThreads(a.doc).length === 1)
    addReply(a.doc, threadId, { authorId: fx.users.alice.id, text: '已按上年实际值调整' })
    await waitFor(() => readThreads(f.doc)[0]?.messages.length === 2)
    expect(readThreads(f.doc)[0]).toMatchObject({ id: threadId, anchor: { rowId, field: 'target' }, status: 'open', authorId: fx.users.finance.id })
    expect(a.denials).toEqual([])
    expect(f.denials).toEqual([])
    await sleep(50)
    const stored = await s.persistence.load(fx.tableId, 'comments')
    const doc = new Y.Doc()
    if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot)
    for (const u of stored.updates) Y.applyUpdate(doc, u)
    expect(readThreads(doc)[0]?.messages.map((m) => m.text)).toEqual(['目标值偏低，请说明依据', '已按上年实际值调整'])
  })

  it('stores and broadcasts a server-side change, attributed to its user', async () => {
    fx ??= await seedCollabFixtures(storage())
    const s = await start()
    const a = client(s, 'alice')
    await a.synced()
    await s.collab.change(fx.tableId, 'table', (doc) => setRowField(doc, 'indicators', rowIds(doc, 'indicators')[1]!, 'remark', '财政局已复核'), fx.users.finance.id)
    await waitFor(() => (tableRoot(a.doc).get('indicators') as Y.Array<Y.Map<unknown>>).get(1).get('remark') === '财政局已复核')
    const content = await s.collab.content(fx.tableId)
    expect(content.ok && content.table.indicators[1]!.remark).toBe('财政局已复核')
  })

  it('publishes findings (message type 100) only to clients that asked, after changes settle', async () => {
    fx ??= await seedCollabFixtures(storage())
    const settled: number[] = []
    const s = await start({
      timings: { settleMs: 50, settleMaxMs: 200 },
      onSettled: (_tableId, content) => {
        settled.push(content.indicators.length)
        return { findings: [{ ruleId: 'R-COUNT', severity: 'info', path: 'indicators', message: `共 ${content.indicators.length} 项指标` }] }
      },
    })
    const wants = client(s, 'alice', fx.tableId, { findings: '1' })
    const plain = client(s, 'bob')
    await Promise.all([wants.synced(), plain.synced()])
    await waitFor(() => wants.findings.length >= 1)
    const n = rowIds(wants.doc, 'indicators').length
    expect(wants.findings.at(-1)).toEqual({ findings: [{ ruleId: 'R-COUNT', severity: 'info', path: 'indicators', message: `共 ${n} 项指标` }] })
    insertRow(plain.doc, 'indicators', 0, { period: 'annual', level1: '效益指标', level2: '社会效益指标', level3: '家长满意度', comparator: '≥', target: '90', unit: '%' })
    await waitFor(() => JSON.stringify(wants.findings.at(-1)).includes(`共 ${n + 1} 项指标`))
    expect(plain.findings).toEqual([])
    expect(settled.at(-1)).toBe(n + 1)
  })
})

function awarenessClients(frame: Uint8Array): number[] {
  try {
    const d = decoding.createDecoder(frame)
    if (decoding.readVarUint(d) !== MSG_AWARENESS) return []
    const u = decoding.createDecoder(decoding.readVarUint8Array(d))
    const n = decoding.readVarUint(u)
    const out: number[] = []
    for (let i = 0; i < n; i++) {
      out.push(decoding.readVarUint(u))
      decoding.readVarUint(u)
      decoding.readVarString(u)
    }
    return out
  } catch {
    return []
  }
}
