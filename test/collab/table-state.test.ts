// The table's state pushed on its socket (message type 101, shared/ydoc/table-state-message.ts): after a
// status change `revalidate(tableId)` tells every table-room connection that speaks our messages
// (`?findings=1`) the new status, after its access was re-checked; stock providers and the comments
// room hear nothing (a stock provider logs unknown message types).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type * as decoding from 'lib0/decoding'
import { MSG_TABLE_STATE, readTableStateBody, type TableStateMessage } from '../../shared/ydoc/table-state-message.ts'
import { createStorage, type Storage } from '../../server/storage/index.ts'
import { withTestDatabase } from '../helpers/database.ts'
import { createSeededTable, sampleTable, seedCollabFixtures, type CollabFixtures } from '../helpers/collab-fixtures.ts'
import { startCollabServer, type CollabTestServer } from '../helpers/collab-server.ts'
import { connectClient, sleep, waitFor, type TestClient } from '../helpers/collab-clients.ts'

type Handler = (encoder: unknown, decoder: decoding.Decoder) => void

describe('table state on the live socket', () => {
  const db = withTestDatabase('pglite')
  let storage: Storage
  let fx: CollabFixtures
  let server: CollabTestServer
  const clients: TestClient[] = []

  /** A client that records the table-state messages it receives (and whether its access was cut). */
  const client = (token: string, room: string, params?: Record<string, string>) => {
    const c = connectClient(server.url, room, token, { params })
    const states: TableStateMessage[] = []
    ;(c.provider as unknown as { messageHandlers: Handler[] }).messageHandlers[MSG_TABLE_STATE] = (_e, d) => {
      const m = readTableStateBody(d)
      if (m) states.push(m)
    }
    clients.push(c)
    return Object.assign(c, { states })
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

  it('tells the grids of that table its new status once access is re-checked; stock providers and the comments room hear nothing', async () => {
    const tableId = await createSeededTable(storage, fx.departments.d1, sampleTable())
    const other = await createSeededTable(storage, fx.departments.d1, sampleTable())
    const grid = client(fx.users.alice.token, tableId, { findings: '1' })
    const finance = client(fx.users.finance.token, tableId, { findings: '1' })
    const stock = client(fx.users.bob.token, tableId)
    const comments = client(fx.users.alice.token, `${tableId}/comments`, { findings: '1' })
    const elsewhere = client(fx.users.alice.token, other, { findings: '1' })
    await Promise.all([grid, finance, stock, comments, elsewhere].map((c) => c.synced()))

    await storage.tables.updateState(tableId, { status: 'draft', round: 1, version: 0 }, { status: 'submitted' })
    await server.collab.revalidate(tableId)
    await waitFor(() => grid.states.length > 0 && finance.states.length > 0)
    expect(grid.states).toEqual([{ status: 'submitted' }])
    expect(finance.states).toEqual([{ status: 'submitted' }])
    // the department's write access went first: the message comes after the downgrade
    expect(grid.denials[0]).toMatch(/^E_READ_ONLY: /)
    await sleep(100)
    expect(stock.states).toEqual([])
    expect(comments.states).toEqual([])
    expect(elsewhere.states).toEqual([])

    // a revalidation for a revoked session (no table named) is not a state change
    await server.collab.revalidate()
    await sleep(100)
    expect(grid.states).toHaveLength(1)
    expect([grid, finance].every((c) => c.provider.wsconnected)).toBe(true)
  })
})
