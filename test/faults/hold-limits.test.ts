// While the update log cannot be written, a live room holds its accepted edits within a bound; past it
// a writer is told (E_STORE_FULL, close 1013, Chinese reason) and its update is not taken, never dropped
// silently: the provider keeps it, reconnects and sends it again, and once the log is back every edit is
// stored in order and reaches the other editors. The log's outage is simulated in the persistence (the
// PostgreSQL faults themselves are in database.test.ts); sockets and providers are real.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { tableRoot } from '../../shared/ydoc/index.ts'
import { createStorage, type Storage } from '../../server/storage/index.ts'
import { createDocLogPersistence, type DocPersistence } from '../../server/collab/persistence.ts'
import { REFUSALS } from '../../server/collab/refusals.ts'
import { AppError } from '../../shared/errors.ts'
import { withTestDatabase } from '../helpers/database.ts'
import { seedCollabFixtures, type CollabFixtures } from '../helpers/collab-fixtures.ts'
import { startCollabServer, type CollabTestServer } from '../helpers/collab-server.ts'
import { connectClient, sleep, waitFor, type TestClient } from '../helpers/collab-clients.ts'

const ROOM_UPDATES = 20

describe('edits held while the update log is away', () => {
  const db = withTestDatabase('pglite')
  let storage: Storage
  let fx: CollabFixtures
  let server: CollabTestServer
  let real: DocPersistence
  let down = false
  let refusedWrites = 0
  const clients: TestClient[] = []

  beforeAll(async () => {
    storage = createStorage(db().db)
    fx = await seedCollabFixtures(storage)
    real = createDocLogPersistence(storage)
    const away = () => {
      refusedWrites++
      return Promise.reject(new AppError('unavailable', '数据库暂时不可用，请稍后重试'))
    }
    const persistence: DocPersistence = {
      load: (t, r) => real.load(t, r),
      append: (t, r, items) => (down ? away() : real.append(t, r, items)),
      appendMany: (items) => (down ? away() : real.appendMany!(items)),
      ordered: real.ordered,
      compact: (t, r, s, id) => (down ? away() : real.compact(t, r, s, id)),
    }
    server = await startCollabServer({ storage, persistence, holdLimits: { roomUpdates: ROOM_UPDATES } })
  })
  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy()
  })
  afterAll(async () => {
    down = false
    await server?.close()
  })

  const goalText = (doc: Y.Doc) => String(tableRoot(doc).get('annualGoal'))

  it('refuses past the bound with E_STORE_FULL, keeps the writer\'s edits, stores all in order when the log is back', async () => {
    const alice = connectClient(server.url, fx.tableId, fx.users.alice.token)
    const bob = connectClient(server.url, fx.tableId, fx.users.bob.token)
    clients.push(alice, bob)
    await Promise.all([alice.synced(), bob.synced()])
    expect(tableRoot(alice.doc).get('annualGoal')).toBeInstanceOf(Y.Text)

    down = true
    const typed: string[] = []
    for (let i = 0; i < 2 * ROOM_UPDATES; i++) {
      // one update per keystroke; while the provider reconnects its edits stay in its document
      const t = `[a${i}]`
      const goal = tableRoot(alice.doc).get('annualGoal') as Y.Text
      goal.insert(goal.length, t)
      typed.push(t)
      await sleep(15)
    }
    await waitFor(() => alice.socketCloses.includes(REFUSALS.storeFull.code), 10_000, 'a 1013 close')
    expect(alice.denials.some((d) => d.startsWith(`${REFUSALS.storeFull.reason}: 数据库暂时不可用`))).toBe(true)
    expect(alice.closes).toEqual([]) // transient: the provider did not give up
    expect(server.logs.some((l) => l.event === 'collab.cut.store-full' && l.fields.bound === 'roomUpdates')).toBe(true)
    expect(server.collab.stats().queuedUpdates).toBeLessThanOrEqual(ROOM_UPDATES)
    expect(refusedWrites).toBeGreaterThan(0)
    // nothing was broadcast that is not stored
    expect(goalText(bob.doc)).not.toContain('[a0]')

    down = false
    server.collab.retryStores()
    await waitFor(() => typed.every((t) => goalText(bob.doc).includes(t)), 15_000, 'bob sees every edit')
    const stored = await real.load(fx.tableId, 'table')
    const doc = new Y.Doc()
    if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot)
    for (const u of stored.updates) Y.applyUpdate(doc, u)
    // all of them, in the order typed
    expect(goalText(doc)).toContain(typed.join(''))
    expect(goalText(alice.doc)).toBe(goalText(doc))
  })
})
