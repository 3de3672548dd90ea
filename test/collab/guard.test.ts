// The guard over real sockets: oversize frames, floods and malformed frames cut the socket off;
// structurally invalid updates are refused (4422), reach neither storage nor other clients, and the
// sender gets the server's state again when it reconnects with a fresh document — in store-first and in relay mode.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { addThread, fromYDoc, readThreads, rowIds, setRowField, tableRoot } from '../../shared/ydoc/index.ts'
import { createStorage, type Storage } from '../../server/storage/index.ts'
import { encodeUpdate } from '../../server/collab/protocol.ts'
import { withTestDatabase } from '../helpers/database.ts'
import { createSeededTable, sampleTable, seedCollabFixtures, type CollabFixtures } from '../helpers/collab-fixtures.ts'
import { startCollabServer, type CollabTestServer } from '../helpers/collab-server.ts'
import { connectClient, rawClient, sleep, waitFor, type TestClient } from '../helpers/collab-clients.ts'

describe('guard', () => {
  const db = withTestDatabase('pglite')
  let storage: Storage
  let fx: CollabFixtures
  let server: CollabTestServer
  /** the same guard in relay mode (DURABILITY=relay): a refused update is still seen by no one */
  let relayServer: CollabTestServer
  const clients: TestClient[] = []
  const client = (who: keyof CollabFixtures['users'], room: string, srv = server) => {
    const c = connectClient(srv.url, room, fx.users[who].token)
    clients.push(c)
    return c
  }
  const storedDoc = async (tableId: string, room: 'table' | 'comments' = 'table') => {
    const stored = await server.persistence.load(tableId, room)
    const doc = new Y.Doc()
    if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot)
    for (const u of stored.updates) Y.applyUpdate(doc, u)
    return doc
  }
  /** another client keeps being served */
  const stillServes = async (tableId: string) => {
    const probe = client('bob', tableId)
    await probe.synced()
    const id = rowIds(probe.doc, 'indicators')[2]!
    const value = `probe-${Math.random()}`
    setRowField(probe.doc, 'indicators', id, 'target', value)
    const again = client('finance', tableId)
    await again.synced()
    await waitFor(() => (tableRoot(again.doc).get('indicators') as Y.Array<Y.Map<unknown>>).get(2).get('target') === value)
  }

  beforeAll(async () => {
    storage = createStorage(db().db)
    fx = await seedCollabFixtures(storage)
    server = await startCollabServer({ storage })
    relayServer = await startCollabServer({ storage, durability: 'relay' })
  })
  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy()
  })
  afterAll(async () => {
    await server.close()
    await relayServer.close()
  })

  it('cuts off a 50 MB frame without reading it (close 1009) and keeps serving others', async () => {
    const raw = rawClient(server.url, fx.tableId, fx.users.alice.token)
    await raw.open
    raw.send(new Uint8Array(50 * 1024 * 1024))
    const closed = await raw.close
    expect(closed.code).toBe(1009)
    await stillServes(fx.tableId)
  })

  it('cuts off a flood of 1 000 messages a second with 4429 and logs why', async () => {
    const raw = rawClient(server.url, fx.tableId, fx.users.alice.token)
    await raw.open
    const empty = encodeUpdate(Y.encodeStateAsUpdate(new Y.Doc()))
    for (let i = 0; i < 1500; i++) raw.send(empty)
    const closed = await raw.close
    expect(closed).toEqual({ code: 4429, reason: 'E_RATE_LIMITED' })
    expect(server.logs.some((l) => l.event === 'collab.cut.rate' && l.fields.perSecond === 1000)).toBe(true)
    await stillServes(fx.tableId)
  })

  it('delays a burst above the bucket instead of dropping any of it', async () => {
    const tableId = await createSeededTable(storage, fx.departments.d1, sampleTable())
    const a = client('alice', tableId)
    const b = client('bob', tableId)
    await Promise.all([a.synced(), b.synced()])
    const id = rowIds(a.doc, 'indicators')[0]!
    for (let i = 0; i < 400; i++) setRowField(a.doc, 'indicators', id, 'target', String(i)) // 400 messages at once
    await waitFor(() => (tableRoot(b.doc).get('indicators') as Y.Array<Y.Map<unknown>>).get(0).get('target') === '399', 15_000)
    expect(a.closes).toEqual([])
    expect(a.provider.wsconnected).toBe(true)
  })

  it.each([
    ['a truncated varint', [0x80]],
    ['a length past the end', [0, 2, 0xff, 0xff, 0x03, 1, 2]],
    ['an unknown message type', [7, 0]],
    ['an unknown sync step', [0, 9, 0]],
    ['trailing bytes', [3, 0, 0]],
    ['a garbage update', [0, 2, 6, 1, 200, 200, 200, 200, 9]],
    ['a garbage state vector', [0, 0, 2, 0xff, 0xff]],
    ['a broken awareness update', [1, 4, 1, 1, 1, 9]],
  ])('cuts off %s with 4400', async (_name, bytes) => {
    const raw = rawClient(server.url, fx.tableId, fx.users.alice.token)
    await raw.open
    raw.send(new Uint8Array(bytes))
    expect(await raw.close).toEqual({ code: 4400, reason: 'E_MALFORMED' })
  })

  it('cuts off a text frame with 4400', async () => {
    const raw = rawClient(server.url, fx.tableId, fx.users.alice.token)
    await raw.open
    raw.ws.send('hello')
    expect((await raw.close).code).toBe(4400)
  })

  const invalidEdits: [string, (doc: Y.Doc, rowId: string) => void, RegExp][] = [
    ['an unknown root key', (d) => d.getMap('evil').set('x', 1), /root evil/],
    ['an unknown key in the table', (d) => tableRoot(d).set('hack', 1), /hack/],
    ['a row without id', (d) => (tableRoot(d).get('indicators') as Y.Array<Y.Map<unknown>>).push([new Y.Map()]), /indicators\[\d+\]/],
    ['a number in a text field', (d, id) => setRowField(d, 'indicators', id, 'target', 5), /indicators\[0\]\.target/],
    ['a 100 000-character string', (d, id) => setRowField(d, 'indicators', id, 'remark', 'x'.repeat(100_000)), /indicators\[0\]\.remark/],
  ]

  const modes = ['store-first', 'relay'] as const
  const cases = modes.flatMap((mode) => invalidEdits.map(([name, edit, detail]) => [name, mode, edit, detail] as const))

  it.each(cases)('refuses %s (%s): not stored, not seen by others, sender closed with 4422 and resynced', async (_name, mode, edit, detail) => {
    const srv = mode === 'relay' ? relayServer : server
    const tableId = await createSeededTable(storage, fx.departments.d1, sampleTable())
    const sender = client('alice', tableId, srv)
    const other = client('bob', tableId, srv)
    await Promise.all([sender.synced(), other.synced()])
    const rowId = rowIds(sender.doc, 'indicators')[0]!
    setRowField(sender.doc, 'indicators', rowId, 'unit', '人次') // a valid edit just before
    await waitFor(() => (tableRoot(other.doc).get('indicators') as Y.Array<Y.Map<unknown>>).get(0).get('unit') === '人次')
    const before = JSON.stringify(tableRoot(other.doc).toJSON())

    edit(sender.doc, rowId)
    await waitFor(() => sender.closes.length === 1)
    expect(sender.closes[0]).toEqual({ code: 4422, reason: 'E_INVALID_UPDATE' })
    expect(sender.denials.at(-1)).toMatch(/^E_INVALID_UPDATE: 修改不符合表格结构/)
    expect(sender.denials.at(-1)).toMatch(detail)
    await sleep(100)
    expect(JSON.stringify(tableRoot(other.doc).toJSON())).toBe(before)
    expect(other.provider.wsconnected).toBe(true)
    const stored = await storedDoc(tableId)
    expect(fromYDoc(stored).ok).toBe(true)
    expect(JSON.stringify(tableRoot(stored).toJSON())).toBe(before)
    expect(stored.share.has('evil')).toBe(false)

    // what the grid does on 4422: a fresh document, reconnected, holds the server's state and can edit
    const resynced = client('alice', tableId, srv)
    await resynced.synced()
    expect(JSON.stringify(tableRoot(resynced.doc).toJSON())).toBe(before)
    setRowField(resynced.doc, 'indicators', rowId, 'target', 'after resync')
    await waitFor(() => (tableRoot(other.doc).get('indicators') as Y.Array<Y.Map<unknown>>).get(0).get('target') === 'after resync')
  })

  it('refuses a comment posted under someone else’s name', async () => {
    const room = `${fx.tableId}/comments`
    const sender = client('alice', room)
    const other = client('finance', room)
    await Promise.all([sender.synced(), other.synced()])
    addThread(sender.doc, { anchor: {}, round: 1, authorId: fx.users.finance.id, text: '冒名意见' })
    await waitFor(() => sender.closes.length === 1)
    expect(sender.closes[0]!.code).toBe(4422)
    await sleep(50)
    expect(readThreads(other.doc)).toEqual([])
    expect(readThreads(await storedDoc(fx.tableId, 'comments'))).toEqual([])
  })

  it('refuses content the layout never uses (sub-documents, binary) with 4422', async () => {
    const raw = rawClient(server.url, fx.tableId, fx.users.alice.token)
    await raw.open
    const d = new Y.Doc()
    d.getMap('table').set('blob', new Uint8Array([1, 2, 3]))
    raw.send(encodeUpdate(Y.encodeStateAsUpdate(d)))
    expect((await raw.close).code).toBe(4422)
    expect(tableRoot(await storedDoc(fx.tableId)).has('blob')).toBe(false)
  })
})
