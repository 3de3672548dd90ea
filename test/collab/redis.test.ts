// Scale-out: two server processes share live documents through Redis pub/sub and one PostgreSQL.
// Needs TEST_REDIS_URL and TEST_DATABASE_URL (PGlite cannot be shared between processes). In both
// durability modes (relay broadcasts to a process's own clients at once; Redis still carries only what
// is stored).
import { afterAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import * as Y from 'yjs'
import { fromYDoc, rowIds, setRowField, tableRoot } from '../../shared/ydoc/index.ts'
import { DURABILITIES } from '../../server/collab/commit.ts'
import { TEST_DATABASE_URL, createTestDatabase } from '../helpers/database.ts'
import { spawnCollabServer, type ServerProcess } from '../helpers/collab-process.ts'
import { connectClient, waitFor, type TestClient } from '../helpers/collab-clients.ts'

const TEST_REDIS_URL = process.env.TEST_REDIS_URL || undefined
const configured = Boolean(TEST_REDIS_URL && TEST_DATABASE_URL)
const rows = (d: Y.Doc) => tableRoot(d).get('indicators') as Y.Array<Y.Map<unknown>>

describe('two server processes over Redis', () => {
  if (!configured) {
    it('is not configured here: set TEST_REDIS_URL and TEST_DATABASE_URL to run it', () => {
      expect(configured).toBe(false)
      console.info('[collab redis] skipped: TEST_REDIS_URL and TEST_DATABASE_URL must both be set')
    })
    return
  }

  const cleanup: (() => Promise<void>)[] = []
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => {})
  })

  it.each(DURABILITIES)('lets a client on process A and one on process B converge, with B loading what A stored but did not compact — %s', async (durability) => {
    const db = await createTestDatabase()
    cleanup.push(() => db.drop())
    const prefix = `tt-test-${randomBytes(6).toString('hex')}:`
    // long store waits: nothing is compacted while the test runs, so B must read A's update log
    const env = { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL!, REDIS_PREFIX: prefix, STORE_WAIT_MS: '60000', STORE_MAX_MS: '60000', DURABILITY: durability }
    const a: ServerProcess = await spawnCollabServer({ ...env, SEED: '1' })
    cleanup.push(() => a.kill())
    const fx = a.fixtures!
    const clients: TestClient[] = []
    cleanup.push(async () => clients.forEach((c) => c.destroy()))
    const onA = connectClient(a.url, fx.tableId, fx.users.alice.token)
    clients.push(onA)
    await onA.synced()
    const ids = rowIds(onA.doc, 'indicators')
    setRowField(onA.doc, 'indicators', ids[0]!, 'target', 'written on A before B started')
    await waitFor(() => onA.provider.wsconnected)

    const b: ServerProcess = await spawnCollabServer(env)
    cleanup.push(() => b.kill())
    const onB = connectClient(b.url, fx.tableId, fx.users.bob.token)
    clients.push(onB)
    await onB.synced()
    await waitFor(() => rows(onB.doc).get(0).get('target') === 'written on A before B started')

    // live both ways, concurrently
    setRowField(onA.doc, 'indicators', ids[1]!, 'target', 'from A')
    setRowField(onB.doc, 'indicators', ids[2]!, 'target', 'from B')
    await waitFor(() => rows(onA.doc).get(2).get('target') === 'from B' && rows(onB.doc).get(1).get('target') === 'from A')
    expect(JSON.stringify(tableRoot(onA.doc).toJSON())).toBe(JSON.stringify(tableRoot(onB.doc).toJSON()))

    // presence crosses too
    onA.provider.awareness.setLocalStateField('cursor', { rowId: 'A 的光标' })
    await waitFor(() => [...onB.provider.awareness.getStates().values()].some((s) => (s as { cursor?: { rowId?: string } }).cursor?.rowId === 'A 的光标'))

    // both processes stored what they accepted: a third process, started fresh, sees it all
    await Promise.all([a.kill(), b.kill()])
    const c = await spawnCollabServer({ DATABASE_URL: db.url })
    cleanup.push(() => c.kill())
    const reader = connectClient(c.url, fx.tableId, fx.users.finance.token)
    clients.push(reader)
    await reader.synced()
    expect(rows(reader.doc).get(1).get('target')).toBe('from A')
    expect(rows(reader.doc).get(2).get('target')).toBe('from B')
    expect(fromYDoc(reader.doc).ok).toBe(true)
  })
})
