// Fuzzing the live-document endpoint: random frames and random (often invalid, sometimes bit-flipped)
// Yjs updates over raw sockets. Whatever arrives, the process keeps serving another client and the
// stored table keeps parsing under the strict schema.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import * as Y from 'yjs'
import { fromYDoc, setField, tableRoot } from '../../shared/ydoc/index.ts'
import { createStorage, type Storage } from '../../server/storage/index.ts'
import { encodeUpdate } from '../../server/collab/protocol.ts'
import { withTestDatabase } from '../helpers/database.ts'
import { seedCollabFixtures, type CollabFixtures } from '../helpers/collab-fixtures.ts'
import { startCollabServer, type CollabTestServer } from '../helpers/collab-server.ts'
import { connectClient, rawClient, sleep, waitFor } from '../helpers/collab-clients.ts'

type Op = (d: Y.Doc) => void
/** the table's indicator rows; absent once an accepted (bit-flipped) update deleted the key: the model reads that as no rows */
const rows = (d: Y.Doc) => tableRoot(d).get('indicators') as Y.Array<Y.Map<unknown>> | undefined
const valueArb = fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.constant(null), fc.boolean(), fc.constantFrom('x'.repeat(1001), 'annual'))
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ i: fc.nat(), f: fc.constantFrom('target', 'unit', 'remark', 'id', 'zzz', 'period'), v: valueArb }).map(({ i, f, v }) => (d: Y.Doc) => {
    const a = rows(d)
    if (a?.length) a.get(i % a.length).set(f, v)
  }),
  fc.nat().map((i) => (d: Y.Doc) => {
    const a = rows(d)
    if (a?.length) a.delete(i % a.length, 1)
  }),
  fc.record({ k: fc.constantFrom('hack', 'year', 'annualGoal', 'kind', 'header'), v: valueArb }).map(({ k, v }) => (d: Y.Doc) => tableRoot(d).set(k, v)),
  fc.constantFrom<Op>(
    (d) => rows(d)?.push([new Y.Map()]),
    (d) => d.getArray('rows').push([1]),
    (d) => {
      const goal = tableRoot(d).get('annualGoal')
      if (goal instanceof Y.Text) goal.insert(0, '目标')
    },
    (d) => tableRoot(d).set('annualGoal', '替换为普通文字'),
    (d) => tableRoot(d).set('header', { projectName: '普通对象' }),
    (d) => d.getText('table2').insert(0, 'x'),
  ),
)

describe('fuzzed frames and updates', () => {
  const db = withTestDatabase('pglite')
  let storage: Storage
  let fx: CollabFixtures
  let server: CollabTestServer

  beforeAll(async () => {
    storage = createStorage(db().db)
    fx = await seedCollabFixtures(storage)
    server = await startCollabServer({ storage })
  })
  afterAll(async () => {
    await server.close()
  })

  const assertHealthy = async () => {
    const probe = connectClient(server.url, fx.tableId, fx.users.bob.token)
    try {
      await probe.synced()
      expect(fromYDoc(probe.doc).ok).toBe(true)
      const value = `probe-${Math.random()}`
      // the header survives any fuzzed edit (rows may all have been deleted by accepted ones)
      setField(probe.doc, ['header', 'projectLeader'], value)
      const watcher = connectClient(server.url, fx.tableId, fx.users.finance.token)
      await watcher.synced()
      await waitFor(() => (tableRoot(watcher.doc).get('header') as Y.Map<unknown>).get('projectLeader') === value)
      watcher.destroy()
    } finally {
      probe.destroy()
    }
    const stored = await server.persistence.load(fx.tableId, 'table')
    const doc = new Y.Doc()
    if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot)
    for (const u of stored.updates) Y.applyUpdate(doc, u)
    expect(fromYDoc(doc).ok).toBe(true)
  }

  it('survives random frames', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ minLength: 1, maxLength: 64 }), { minLength: 1, maxLength: 5 }), async (frames) => {
        const raw = rawClient(server.url, fx.tableId, fx.users.alice.token)
        await raw.open
        for (const f of frames) raw.send(f)
        await Promise.race([raw.close, sleep(30)])
        raw.ws.terminate()
      }),
      { numRuns: 60 },
    )
    await assertHealthy()
  })

  it('survives random Yjs updates, valid, invalid and bit-flipped, and keeps the stored table valid', async () => {
    const mirror = connectClient(server.url, fx.tableId, fx.users.finance.token)
    await mirror.synced()
    let accepted = 0
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 4 }), fc.option(fc.record({ at: fc.nat(), bits: fc.integer({ min: 1, max: 255 }) }), { freq: 3 }), async (ops, flip) => {
        const doc = new Y.Doc()
        Y.applyUpdate(doc, Y.encodeStateAsUpdate(mirror.doc))
        const updates: Uint8Array[] = []
        doc.on('update', (u: Uint8Array) => updates.push(u))
        for (const op of ops) op(doc)
        if (updates.length === 0) return
        let update = Y.mergeUpdates(updates)
        if (flip) {
          update = update.slice()
          update[flip.at % update.length]! ^= flip.bits
        }
        const raw = rawClient(server.url, fx.tableId, fx.users.alice.token)
        await raw.open
        raw.send(encodeUpdate(update))
        const closed = await Promise.race([raw.close, sleep(40).then(() => null)])
        if (!closed) accepted++
        raw.ws.terminate()
      }),
      { numRuns: 80 },
    )
    mirror.destroy()
    expect(accepted).toBeGreaterThan(0)
    await assertHealthy()
  })
})
