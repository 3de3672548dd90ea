// The persistence adapter over the storage layer's update log, on PGlite and (when configured)
// PostgreSQL: load/append/compact round trip, one write for several documents with ids in input
// order, the relaxed commit mode, and a deleted table reported as a permanent refusal.
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createStorage } from '../../server/storage/index.ts'
import { createDocLogPersistence } from '../../server/collab/persistence.ts'
import { TEST_DATABASE_URL, withTestDatabase, type TestDatabaseKind } from '../helpers/database.ts'
import { createSeededTable, sampleTable, seedCollabFixtures } from '../helpers/collab-fixtures.ts'

const kinds: TestDatabaseKind[] = TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']

function update(key: string, value: string): Uint8Array {
  const d = new Y.Doc()
  d.getMap('table').set(key, value)
  return Y.encodeStateAsUpdate(d)
}

describe.each(kinds)('doc-log persistence on %s', (kind) => {
  const db = withTestDatabase(kind)

  it.each([true, false])('appends several documents in one write with ids in input order (synchronousCommit %s)', async (synchronousCommit) => {
    const storage = createStorage(db().db)
    const fx = await seedCollabFixtures(storage)
    const t2 = await createSeededTable(storage, fx.departments.d1, sampleTable())
    const p = createDocLogPersistence(storage, { synchronousCommit })
    const items = [
      { tableId: fx.tableId, room: 'table' as const, update: update('a', '1'), userId: fx.users.alice.id },
      { tableId: t2, room: 'table' as const, update: update('b', '2'), userId: null },
      { tableId: fx.tableId, room: 'comments' as const, update: update('c', '3'), userId: fx.users.bob.id },
      { tableId: fx.tableId, room: 'table' as const, update: update('d', '4'), userId: fx.users.alice.id },
    ]
    const ids = await p.appendMany!(items)
    expect(ids).toHaveLength(4)
    expect([...ids].sort((x, y) => x - y)).toEqual(ids)
    const one = await p.append(t2, 'table', [{ update: update('e', '5'), userId: null }])
    expect(one[0]).toBeGreaterThan(ids[3]!)

    const loaded = await p.load(fx.tableId, 'table')
    expect(loaded.lastId).toBe(ids[3])
    const doc = new Y.Doc()
    for (const u of [loaded.snapshot, ...loaded.updates]) if (u) Y.applyUpdate(doc, u)
    expect(doc.getMap('table').get('a')).toBe('1')
    expect(doc.getMap('table').get('d')).toBe('4')
    const rows = await storage.docLog.loadDoc(fx.tableId, 'table')
    expect(rows.updates.slice(-2).map((u) => u.userId)).toEqual([fx.users.alice.id, fx.users.alice.id])

    await p.compact(fx.tableId, 'table', Y.encodeStateAsUpdate(doc), loaded.lastId!)
    const after = await p.load(fx.tableId, 'table')
    expect(after.updates).toEqual([])
    expect(after.lastId).toBe(loaded.lastId)
    const back = new Y.Doc()
    Y.applyUpdate(back, after.snapshot!)
    expect(back.getMap('table').toJSON()).toEqual(doc.getMap('table').toJSON())
  })

  it('stores a backlog of one author’s updates to one document as one merged row, keeping the author', async () => {
    const storage = createStorage(db().db)
    const fx = await seedCollabFixtures(storage)
    const p = createDocLogPersistence(storage)
    const doc = new Y.Doc()
    const ups: Uint8Array[] = []
    doc.on('update', (u: Uint8Array) => ups.push(u))
    for (let i = 0; i < 6; i++) doc.getMap('table').set(`k${i}`, i)
    const items = [
      ...ups.map((update) => ({ tableId: fx.tableId, room: 'table' as const, update, userId: fx.users.alice.id })),
      { tableId: fx.tableId, room: 'table' as const, update: update('other', 'x'), userId: fx.users.bob.id },
    ]
    const ids = await p.appendMany!(items)
    expect(new Set(ids.slice(0, 6)).size).toBe(1)
    expect(ids[6]).toBeGreaterThan(ids[0]!)
    const rows = await storage.docLog.loadDoc(fx.tableId, 'table')
    expect(rows.updates.slice(-2).map((u) => u.userId)).toEqual([fx.users.alice.id, fx.users.bob.id])
    const back = new Y.Doc()
    for (const u of rows.updates) Y.applyUpdate(back, u.update)
    expect([0, 1, 2, 3, 4, 5].map((i) => back.getMap('table').get(`k${i}`))).toEqual([0, 1, 2, 3, 4, 5])
    expect(back.getMap('table').get('other')).toBe('x')
  })

  it('reports a deleted table as a permanent refusal naming the constraint', async () => {
    const storage = createStorage(db().db)
    const fx = await seedCollabFixtures(storage)
    const p = createDocLogPersistence(storage, { synchronousCommit: false })
    await expect(p.appendMany!([{ tableId: 'gone', room: 'table', update: update('a', '1'), userId: null }, { tableId: fx.tableId, room: 'table', update: update('b', '1'), userId: null }])).rejects.toMatchObject({
      code: 'invalid_input',
      details: { constraint: 'doc_updates_table_id_target_tables_id_fk' },
    })
    // nothing of that write was stored
    const loaded = await p.load(fx.tableId, 'table')
    expect(loaded.updates).toHaveLength(1)
  })
})
