// Relay mode (DURABILITY=relay) with a PostgreSQL that stops answering: a PostgreSQL of the test's own is
// paused (SIGSTOP: connections stay open, nothing answers) under three editors and an observer of one
// table. The room keeps serving — the others see each edit at once — while its unstored edits back up
// in memory within the room's bound; writers are told (E_UNSAVED) at half the bound and refused
// (E_STORE_FULL, close 1013) before it is passed, never silently dropped: each refused provider keeps its
// edits. Once PostgreSQL continues, every edit typed is stored, the log applies in id order to a complete
// document (nothing is left waiting for something never stored), and every editor holds all of them.
// (Row by row a backlog's merged row — one per author, persistence.ts coalesce — may run ahead of another
// author's update it builds on; the exact order of stored updates is test/collab/relay.test.ts's.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { tableRoot } from '../../shared/ydoc/index.ts'
import { openDatabase, type Database } from '../../server/db/open.ts'
import { createStorage, type Storage } from '../../server/storage/index.ts'
import { REFUSALS } from '../../server/collab/refusals.ts'
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.ts'
import { seedCollabFixtures, type CollabFixtures } from '../helpers/collab-fixtures.ts'
import { startCollabServer, type CollabTestServer } from '../helpers/collab-server.ts'
import { connectClient, sleep, waitFor, type TestClient } from '../helpers/collab-clients.ts'

const ROOM_UPDATES = 240
const EDITORS = 3
const TOKEN = /‹[a-z]\d+\.\d+›/g

function tokens(doc: Y.Doc): Set<string> {
  const goal = tableRoot(doc).get('annualGoal')
  return new Set(goal instanceof Y.Text ? [...goal.toString().matchAll(TOKEN)].map((m) => m[0]) : [])
}

describe('relay mode while PostgreSQL does not answer', () => {
  let pg: PrivatePostgres
  let database: Database
  let storage: Storage
  let fx: CollabFixtures
  let server: CollabTestServer
  const clients: TestClient[] = []

  beforeAll(async () => {
    pg = await startPrivatePostgres()
    database = await openDatabase({ url: pg.url, poolSize: 5 })
    storage = createStorage(database.db)
    fx = await seedCollabFixtures(storage)
    // no compaction while the test runs: the update log itself is checked for order
    server = await startCollabServer({ storage, synchronousCommit: false, durability: 'relay', holdLimits: { roomUpdates: ROOM_UPDATES }, timings: { storeWaitMs: 60_000, storeMaxMs: 60_000 } })
  }, 120_000)

  afterAll(async () => {
    pg?.resume()
    for (const c of clients) c.destroy()
    await server?.close()
    await database?.close()
    await pg?.dispose()
  })

  it('keeps serving, holds within the bound, tells then refuses the writers, and stores everything in order once PostgreSQL is back', async () => {
    const users = [fx.users.alice, fx.users.bob]
    const editors = Array.from({ length: EDITORS }, (_, i) => connectClient(server.url, fx.tableId, users[i % users.length]!.token))
    const observer = connectClient(server.url, fx.tableId, fx.users.finance.token)
    clients.push(...editors, observer)
    await Promise.all(clients.map((c) => c.synced(20_000)))
    expect(tableRoot(observer.doc).get('annualGoal')).toBeInstanceOf(Y.Text)

    const typed: string[][] = editors.map(() => [])
    const phase = { name: 'before' }
    const pausedTyped: string[] = []
    let running = true
    const typing = editors.map(async (c, i) => {
      let seq = 0
      while (running) {
        const goal = tableRoot(c.doc).get('annualGoal') as Y.Text
        if (c.provider.wsconnected) {
          const t = `‹e${i}.${seq++}›`
          const text = goal.toString()
          const ends = [0]
          for (let at = text.indexOf('›'); at >= 0; at = text.indexOf('›', at + 1)) ends.push(at + 1)
          goal.insert(ends[Math.floor(Math.random() * ends.length)]!, t)
          typed[i]!.push(t)
          if (phase.name === 'paused') pausedTyped.push(t)
        }
        await sleep(10 + Math.random() * 10)
      }
    })
    await sleep(500)

    // PostgreSQL stops answering
    pg.pause()
    phase.name = 'paused'
    let maxQueued = 0
    const sampler = setInterval(() => (maxQueued = Math.max(maxQueued, server.collab.stats().queuedUpdates)), 5)
    try {
      // the room keeps serving: the observer sees edits made while the log cannot be written
      await waitFor(() => pausedTyped.length >= 20 && pausedTyped.slice(0, 20).every((t) => tokens(observer.doc).has(t)), 10_000, 'edits relayed during the pause')
      // every writer is told, then refused before the bound is passed
      await waitFor(() => editors.every((c) => c.socketCloses.includes(REFUSALS.storeFull.code)), 20_000, 'every editor refused with 1013')
      await sleep(300)
    } finally {
      clearInterval(sampler)
    }
    const stats = server.collab.stats()
    expect(maxQueued).toBeLessThanOrEqual(ROOM_UPDATES)
    expect(stats.queuedUpdates).toBeLessThanOrEqual(ROOM_UPDATES)
    expect(stats.queuedUpdates).toBeGreaterThanOrEqual(ROOM_UPDATES / 2)
    for (const c of editors) {
      const told = c.denials.findIndex((d) => d.startsWith(`${REFUSALS.unsaved.reason}: 数据库暂时不可用，最近的修改尚未保存`))
      const refused = c.denials.findIndex((d) => d.startsWith(`${REFUSALS.storeFull.reason}: 数据库暂时不可用`))
      expect(told).toBeGreaterThanOrEqual(0)
      expect(refused).toBeGreaterThan(told)
      expect(c.closes).toEqual([]) // transient: the provider did not give up
    }
    expect(server.logs.some((l) => l.event === 'collab.cut.store-full' && l.fields.bound === 'roomUpdates')).toBe(true)
    // the observer reads on, unrefused
    expect(observer.provider.wsconnected).toBe(true)
    expect(observer.socketCloses).toEqual([])

    // PostgreSQL continues: the held writes complete, the refused editors reconnect and send what was refused
    pg.resume()
    phase.name = 'after'
    server.collab.retryStores()
    await sleep(1500)
    running = false
    await Promise.all(typing)
    const all = typed.flat()
    expect(pausedTyped.length).toBeGreaterThan(ROOM_UPDATES / 2)
    await waitFor(() => clients.every((c) => [...all].every((t) => tokens(c.doc).has(t))), 20_000, 'everyone holds every edit')

    // stored: all of them, and the log in id order leaves nothing pending
    let stored: Set<string> = new Set()
    let pendingAfter = true
    await waitFor(
      () => {
        void storage.docLog.loadDoc(fx.tableId, 'table').then((loaded) => {
          const doc = new Y.Doc()
          if (loaded.snapshot) Y.applyUpdate(doc, loaded.snapshot.state)
          const ids = loaded.updates.map((u) => u.id)
          if (ids.some((id, i) => i > 0 && id <= ids[i - 1]!)) throw new Error('log not in id order')
          for (const u of loaded.updates) Y.applyUpdate(doc, u.update)
          stored = tokens(doc)
          pendingAfter = doc.store.pendingStructs !== null || doc.store.pendingDs !== null
        })
        return all.every((t) => stored.has(t))
      },
      20_000,
      'every edit stored',
    ).catch(() => {})
    expect(all.filter((t) => !stored.has(t))).toEqual([])
    expect(pendingAfter).toBe(false)
    expect(server.collab.stats().queuedUpdates).toBe(0)
    console.info(`[relay stall] typed ${all.length} edits (${pausedTyped.length} while PostgreSQL was paused), at most ${maxQueued} held (bound ${ROOM_UPDATES}); all stored`)
  }, 120_000)
})
