// Who may connect and write: refusals close with 4401/4403 after a permission-denied message (the
// provider stops), read-only connections have their edits dropped, and access follows status changes.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { rowIds, setRowField, tableRoot } from '../../shared/ydoc/index.ts'
import { createStorage, type Storage } from '../../server/storage/index.ts'
import { withTestDatabase } from '../helpers/database.ts'
import { createSeededTable, sampleTable, seedCollabFixtures, type CollabFixtures } from '../helpers/collab-fixtures.ts'
import { startCollabServer, type CollabTestServer } from '../helpers/collab-server.ts'
import { connectClient, sleep, waitFor, type TestClient } from '../helpers/collab-clients.ts'

describe('access to live documents', () => {
  const db = withTestDatabase('pglite')
  let storage: Storage
  let fx: CollabFixtures
  let server: CollabTestServer
  const clients: TestClient[] = []
  const client = (token: string | undefined, room = fx.tableId) => {
    const c = connectClient(server.url, room, token)
    clients.push(c)
    return c
  }
  const storedTarget = async (tableId: string, index: number) => {
    const stored = await server.persistence.load(tableId, 'table')
    const doc = new Y.Doc()
    if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot)
    for (const u of stored.updates) Y.applyUpdate(doc, u)
    return (tableRoot(doc).get('indicators') as Y.Array<Y.Map<unknown>>).get(index).get('target')
  }

  beforeAll(async () => {
    storage = createStorage(db().db)
    fx = await seedCollabFixtures(storage)
    server = await startCollabServer({ storage })
  })
  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy()
  })
  afterAll(async () => {
    await server.close()
  })

  it('drops a viewer’s edits: they reach neither storage nor the others, and the viewer stays connected', async () => {
    const viewer = client(fx.users.viewer.token)
    const alice = client(fx.users.alice.token)
    await Promise.all([viewer.synced(), alice.synced()])
    const row = rowIds(viewer.doc, 'indicators')[0]!
    const original = await storedTarget(fx.tableId, 0)
    setRowField(viewer.doc, 'indicators', row, 'target', '100000')
    await waitFor(() => viewer.denials.length > 0)
    expect(viewer.denials[0]).toMatch(/^E_READ_ONLY: /)
    // alice's own later edit arrives, so the viewer's would have arrived before it
    setRowField(alice.doc, 'indicators', rowIds(alice.doc, 'indicators')[1]!, 'target', '88')
    await waitFor(() => (tableRoot(viewer.doc).get('indicators') as Y.Array<Y.Map<unknown>>).get(1).get('target') === '88')
    expect((tableRoot(alice.doc).get('indicators') as Y.Array<Y.Map<unknown>>).get(0).get('target')).toBe(original)
    expect(await storedTarget(fx.tableId, 0)).toBe(original)
    expect(viewer.provider.wsconnected).toBe(true)
    expect(viewer.closes).toEqual([])
  })

  it('refuses a connection without a session with 4401, and the provider stops retrying', async () => {
    const c = client(undefined)
    await waitFor(() => c.closes.length === 1)
    expect(c.closes[0]).toEqual({ code: 4401, reason: 'E_UNAUTHORIZED' })
    expect(c.denials[0]).toMatch(/^E_UNAUTHORIZED: 未登录/)
    await sleep(800)
    expect(c.socketCloses).toHaveLength(1)
    expect(c.provider.shouldConnect).toBe(false)
  })

  it('refuses a token of another department’s user with 4403 and names the reason', async () => {
    const c = client(fx.users.outsider.token)
    await waitFor(() => c.closes.length === 1)
    expect(c.closes[0]).toEqual({ code: 4403, reason: 'E_FORBIDDEN' })
    expect(c.denials[0]).toContain('该表不属于您所在的部门')
    await sleep(500)
    expect(c.socketCloses).toHaveLength(1)
  })

  it('refuses an unknown table with 4403', async () => {
    const c = client(fx.users.finance.token, 'no-such-table')
    await waitFor(() => c.closes.length === 1)
    expect(c.closes[0]!.code).toBe(4403)
  })

  it('refuses a revoked session with 4401 on connect', async () => {
    const u = await storage.users.create({ username: `revoked-${Date.now()}`, password: 'collab-test-pw', role: 'department', departmentIds: [fx.departments.d1] })
    const { token } = await storage.sessions.create(u.id)
    expect(await storage.sessions.revoke(token)).toBe(true)
    const c = client(token)
    await waitFor(() => c.closes.length === 1)
    expect(c.closes[0]!.code).toBe(4401)
  })

  it('downgrades writers to read-only when the table is approved, and closes a session revoked meanwhile', async () => {
    const tableId = await createSeededTable(storage, fx.departments.d1, sampleTable())
    const u = await storage.users.create({ username: `later-revoked-${Date.now()}`, password: 'collab-test-pw', role: 'department', departmentIds: [fx.departments.d1] })
    const { token: soonRevoked } = await storage.sessions.create(u.id)
    const alice = client(fx.users.alice.token, tableId)
    const bob = client(fx.users.bob.token, tableId)
    const leaving = client(soonRevoked, tableId)
    await Promise.all([alice.synced(), bob.synced(), leaving.synced()])

    await storage.tables.updateState(tableId, { status: 'draft', round: 1, version: 0 }, { status: 'approved' })
    await storage.sessions.revoke(soonRevoked)
    await server.collab.revalidate(tableId)
    await waitFor(() => alice.denials.length > 0 && leaving.closes.length > 0)
    expect(alice.denials[0]).toMatch(/^E_READ_ONLY: .*已批复锁定/)
    expect(leaving.closes[0]!.code).toBe(4401)
    expect(alice.provider.wsconnected).toBe(true)

    const before = await storedTarget(tableId, 0)
    setRowField(alice.doc, 'indicators', rowIds(alice.doc, 'indicators')[0]!, 'target', 'after approval')
    await waitFor(() => alice.denials.length > 1)
    await sleep(100)
    expect((tableRoot(bob.doc).get('indicators') as Y.Array<Y.Map<unknown>>).get(0).get('target')).toBe(before)
    expect(await storedTarget(tableId, 0)).toBe(before)
  })
})
