// Scale-out, access: a status change or a revocation made through one server process reaches the
// connections held by another (over the Redis bus). Before, each process re-checked only its own
// sockets, so a writer on process B kept editing a table approved through process A. Two collaboration
// servers in this test process, each with its own Redis connections and database pool, one PostgreSQL.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { rowIds, setRowField, tableRoot } from '../../shared/ydoc/index.ts'
import { openDatabase, type Database } from '../../server/db/open.ts'
import { createStorage, type Storage } from '../../server/storage/index.ts'
import { createRedisBus } from '../../server/collab/redis.ts'
import { silentLog } from '../../server/collab/log.ts'
import { TEST_DATABASE_URL, createTestDatabase, type TestDatabase } from '../helpers/database.ts'
import { createSeededTable, sampleTable, seedCollabFixtures, type CollabFixtures } from '../helpers/collab-fixtures.ts'
import { startCollabServer, type CollabTestServer } from '../helpers/collab-server.ts'
import { connectClient, sleep, waitFor, type TestClient } from '../helpers/collab-clients.ts'

const TEST_REDIS_URL = process.env.TEST_REDIS_URL || undefined
const configured = Boolean(TEST_REDIS_URL && TEST_DATABASE_URL)

describe('re-checking connections across processes over Redis', () => {
  if (!configured) {
    it('is not configured here: set TEST_REDIS_URL and TEST_DATABASE_URL to run it', () => {
      expect(configured).toBe(false)
    })
    return
  }

  let testDb: TestDatabase
  const databases: Database[] = []
  const servers: CollabTestServer[] = []
  const clients: TestClient[] = []
  let a: CollabTestServer
  let b: CollabTestServer
  let storage: Storage
  let fx: CollabFixtures
  const prefix = `tt-test-${randomBytes(6).toString('hex')}:`

  /** a server "process": its own pool on the shared database and its own bus */
  async function process(): Promise<{ server: CollabTestServer; storage: Storage }> {
    const database = await openDatabase({ url: testDb.url, poolSize: 3 })
    databases.push(database)
    const s = createStorage(database.db)
    const bus = await createRedisBus({ url: TEST_REDIS_URL!, prefix, log: silentLog })
    const server = await startCollabServer({ storage: s, bus, synchronousCommit: false })
    servers.push(server)
    return { server, storage: s }
  }

  const client = (on: CollabTestServer, token: string, tableId: string) => {
    const c = connectClient(on.url, tableId, token)
    clients.push(c)
    return c
  }
  const target = (doc: Y.Doc) => (tableRoot(doc).get('indicators') as Y.Array<Y.Map<unknown>>).get(0).get('target')

  beforeAll(async () => {
    testDb = await createTestDatabase()
    const pa = await process()
    a = pa.server
    storage = pa.storage
    b = (await process()).server
    fx = await seedCollabFixtures(storage)
  })
  afterAll(async () => {
    for (const c of clients) c.destroy()
    for (const s of servers) await s.close().catch(() => {})
    for (const d of databases) await d.close().catch(() => {})
    await testDb?.drop()
  })

  it('an approval through process A makes a writer on process B read-only, and B stores none of its later edits', async () => {
    const tableId = await createSeededTable(storage, fx.departments.d1, sampleTable())
    const onA = client(a, fx.users.bob.token, tableId)
    const onB = client(b, fx.users.alice.token, tableId)
    await Promise.all([onA.synced(), onB.synced()])
    // both write before: an edit on B reaches A
    setRowField(onB.doc, 'indicators', rowIds(onB.doc, 'indicators')[0]!, 'target', 'before approval')
    await waitFor(() => target(onA.doc) === 'before approval')

    await storage.tables.updateState(tableId, { status: 'draft', round: 1, version: 0 }, { status: 'approved' })
    await a.collab.revalidate(tableId)
    await waitFor(() => onB.denials.length > 0 && onA.denials.length > 0)
    expect(onB.denials[0]).toMatch(/^E_READ_ONLY: .*已批复锁定/)
    expect(onB.provider.wsconnected).toBe(true)

    setRowField(onB.doc, 'indicators', rowIds(onB.doc, 'indicators')[0]!, 'target', 'after approval')
    await waitFor(() => onB.denials.length > 1)
    await sleep(150)
    expect(target(onA.doc)).toBe('before approval')
    // B's room never took it: its live content (what it stores) still holds the value from before
    const live = await b.collab.content(tableId)
    expect(live.ok && live.table.indicators[0]!.target).toBe('before approval')
    const stored = await b.persistence.load(tableId, 'table')
    const doc = new Y.Doc()
    if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot)
    for (const u of stored.updates) Y.applyUpdate(doc, u)
    expect(target(doc)).toBe('before approval')
  })

  it('a session revoked through process A closes its socket on process B (4401); a revalidate of every table reaches B too', async () => {
    const tableId = await createSeededTable(storage, fx.departments.d1, sampleTable())
    const u = await storage.users.create({ username: `revoked-b-${Date.now()}`, password: 'collab-test-pw', role: 'department', departmentIds: [fx.departments.d1] })
    const { token } = await storage.sessions.create(u.id)
    const onB = client(b, token, tableId)
    const stays = client(b, fx.users.alice.token, tableId)
    await Promise.all([onB.synced(), stays.synced()])
    await storage.sessions.revoke(token)
    await a.collab.revalidate()
    await waitFor(() => onB.closes.length === 1)
    expect(onB.closes[0]!.code).toBe(4401)
    await sleep(100)
    expect(stays.closes).toHaveLength(0)
    expect(stays.provider.wsconnected).toBe(true)
  })
})
