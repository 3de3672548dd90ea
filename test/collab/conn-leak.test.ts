// What a connect/disconnect cycle leaves behind in a room that stays open: nothing, once the clients that
// left have been gone 30 s (their awareness clocks are kept that long on purpose, room.ts forgetGone).
// Each cycle is a real WebsocketProvider (a new Y.Doc, so a new awareness client id) that syncs, shows
// its presence and leaves, while another client holds the room open; y-protocols' Awareness.meta used to
// keep one entry per such cycle for good. The rooms are found in this process's heap through the
// inspector (Runtime.queryObjects on Room.prototype), so the test reads the structures themselves
// instead of heap bytes.
import { Session } from 'node:inspector/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { outdatedTimeout } from 'y-protocols/awareness'
import { createStorage } from '../../server/storage/index.ts'
import { Room } from '../../server/collab/room.ts'
import { withTestDatabase } from '../helpers/database.ts'
import { seedCollabFixtures } from '../helpers/collab-fixtures.ts'
import { startCollabServer, type CollabTestServer } from '../helpers/collab-server.ts'
import { connectClient, sleep, waitFor, type TestClient } from '../helpers/collab-clients.ts'

const CYCLES = 60

interface RoomSizes {
  key: string
  conns: number
  states: number
  /** y-protocols Awareness.meta: clock and last update per client id */
  meta: number
  owners: number
}

/**
 * Runs `fn` (a function declaration: `this` is the array of every live Room in this process's heap)
 * through the inspector and returns its result.
 */
async function onRooms<T>(fn: string): Promise<T> {
  const session = new Session()
  session.connect()
  const g = globalThis as { __connLeakRoomProto?: object }
  g.__connLeakRoomProto = Room.prototype
  try {
    const proto = await session.post('Runtime.evaluate', { expression: 'globalThis.__connLeakRoomProto' })
    const found = await session.post('Runtime.queryObjects', { prototypeObjectId: proto.result.objectId! })
    const out = await session.post('Runtime.callFunctionOn', { objectId: found.objects.objectId!, functionDeclaration: fn, returnByValue: true })
    return out.result.value as T
  } finally {
    delete g.__connLeakRoomProto
    session.disconnect()
  }
}

/** The sizes of every live room's per-client structures. */
const roomSizes = () =>
  onRooms<RoomSizes[]>(`function () {
    return this.map((r) => ({ key: r.key, conns: r.conns.size, states: r.awareness.getStates().size, meta: r.awareness.meta.size, owners: r.awarenessOwner.size }))
  }`)

/** What 30 s do to the awareness entries of clients that left: their last update moves 30 s back. */
const ageGoneEntries = () =>
  onRooms<number>(`function () {
    let n = 0
    for (const r of this) for (const [id, m] of r.awareness.meta) if (id !== r.awareness.clientID && !r.awareness.states.has(id)) (m.lastUpdated -= ${outdatedTimeout}), n++
    return n
  }`)

describe('connect/disconnect cycles in a room held open', () => {
  const db = withTestDatabase('pglite')
  const clients: TestClient[] = []
  let server: CollabTestServer | undefined

  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy()
    await server?.close()
    server = undefined
  })

  it(`leaves no per-client awareness entry behind after ${CYCLES} cycles`, async () => {
    const storage = createStorage(db().db)
    const fx = await seedCollabFixtures(storage)
    server = await startCollabServer({ storage, synchronousCommit: true })
    const s = server
    const holder = connectClient(s.url, fx.tableId, fx.users.alice.token)
    clients.push(holder)
    await holder.synced()
    holder.provider.awareness.setLocalStateField('user', { id: fx.users.alice.id })
    const seen = (id: number) => holder.provider.awareness.getStates().has(id)
    await waitFor(() => seen(holder.doc.clientID) && s.collab.stats().connections === 1, 10_000, 'the holder\'s presence')

    const cycle = async () => {
      const c = connectClient(s.url, fx.tableId, fx.users.bob.token)
      await c.synced()
      // what the grid's presence sets (client/grid/presence.ts)
      c.provider.awareness.setLocalStateField('user', { id: fx.users.bob.id })
      // the server took its presence: it came back to the holder
      await waitFor(() => seen(c.doc.clientID), 10_000, 'presence of the cycling client')
      c.destroy()
      // the server removed it on close and told the holder
      await waitFor(() => !seen(c.doc.clientID), 10_000, 'presence removed')
      await waitFor(() => s.collab.stats().connections === 1, 10_000, 'the socket closed on the server')
    }
    let cursor = 0
    /** 30 s later, the holder moves its cursor (the server's next awareness change) */
    const later = async () => {
      await ageGoneEntries()
      const at = ++cursor
      holder.provider.awareness.setLocalStateField('cursor', { at })
      // the server applied it (the holder's own copy changes at once, so ask the server's room)
      const serverCursor = () => onRooms<(number | null)[]>(`function () { return this.map((r) => r.awareness.getStates().get(${holder.doc.clientID})?.cursor?.at ?? null) }`)
      for (let i = 0; !(await serverCursor()).includes(at); i++) {
        if (i > 200) throw new Error('the server never applied the holder\'s cursor')
        await sleep(10)
      }
      return (await roomSizes()).find((r) => r.key === fx.tableId)
    }
    await cycle() // warm up: the room is loaded, the holder's entries exist
    const before = await later()
    // the holder alone (with the fix, meta holds the server's own awareness id and the holder's: 2)
    expect(before).toMatchObject({ conns: 1, states: 1, owners: 1 })
    for (let i = 0; i < CYCLES; i++) await cycle()
    // within 30 s the clocks of the clients that left are kept: a late echo of their last state is refused
    expect((await roomSizes()).find((r) => r.key === fx.tableId)).toEqual({ ...before, meta: before!.meta + CYCLES })
    // before the fix, Awareness.meta kept one entry per client id that ever showed presence, for good
    expect(await later()).toEqual(before)
  })
})
