// The PostgreSQL driver (postgres.js 3.4.9 with patches/postgres+3.4.9.patch) survives connections that
// close under it: a restart while a reserved connection and a transaction are busy must reject those
// queries with a connection error, never throw from a timer (which would end the process), and the pool
// must answer again afterwards. Against a PostgreSQL of the test's own (restarted here).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import postgres from 'postgres'
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.ts'

describe('postgres.js when the server goes away', () => {
  let pg: PrivatePostgres
  const uncaught: unknown[] = []
  const onUncaught = (err: unknown) => uncaught.push(err)
  beforeAll(async () => {
    pg = await startPrivatePostgres()
    process.on('uncaughtException', onUncaught)
  })
  afterAll(async () => {
    process.off('uncaughtException', onUncaught)
    await pg?.dispose()
  })

  it('rejects the queries of a reserved connection and of a transaction, throws nothing, and serves again after a restart', async () => {
    const sql = postgres(pg.url, { max: 4, onnotice: () => {}, connect_timeout: 5 })
    try {
      const reserved = await sql.reserve()
      await reserved`select 1`
      let stop = false
      const reservedErrors: string[] = []
      // statements sent on the reserved connection back to back, prepared (as the update log's appends are)
      const reservedLoop = (async () => {
        for (let n = 0; !stop; n++) {
          try {
            await reserved.unsafe('select $1::int as n', [n], { prepare: true })
          } catch (err) {
            reservedErrors.push(String((err as { code?: unknown }).code))
            await new Promise((r) => setTimeout(r, 20))
          }
        }
      })()
      // a transaction in flight when the server stops: its own rollback must not be written to a dead socket
      const tx = sql.begin(async (t) => {
        await t`select 1`
        await t`select pg_sleep(5)`
      })
      const txResult = tx.then(() => 'committed', (err: { code?: unknown }) => String(err.code))
      await new Promise((r) => setTimeout(r, 300))

      await pg.restart()
      await new Promise((r) => setTimeout(r, 500))
      stop = true
      await reservedLoop

      expect(reservedErrors.length).toBeGreaterThan(0)
      // connection errors, or PostgreSQL's own answers while it shuts down or starts (57P01 admin_shutdown,
      // 57P03 cannot_connect_now, class 08 connection exceptions) or refuses (ECONNREFUSED, CONNECT_TIMEOUT) — under load the restart can be caught at any of them
      const wentAway = (c: string) => /^(CONNECTION_|CONNECT_TIMEOUT$|ECONNREFUSED$|ECONNRESET$|08|57P0)/.test(c)
      expect(reservedErrors.filter((c) => !wentAway(c))).toEqual([])
      expect(await txResult).not.toBe('committed')
      // giving back a reservation whose connection closed must not hand a dead connection to the pool
      reserved.release()
      const rows = await Promise.all(Array.from({ length: 8 }, (_, i) => sql`select ${i}::int as i`))
      expect(rows.map((r) => r[0]!.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
      const again = await sql.reserve()
      expect((await again`select 42 as x`)[0]!.x).toBe(42)
      again.release()
      await new Promise((r) => setTimeout(r, 50)) // a stray timer would fire here
      expect(uncaught).toEqual([])
    } finally {
      await sql.end({ timeout: 1 })
    }
  })

  it('fails queries while the server is down and reconnects by itself when it is back', async () => {
    const sql = postgres(pg.url, { max: 2, onnotice: () => {}, connect_timeout: 2 })
    try {
      await sql`select 1`
      await pg.stop()
      const down = await sql`select 1`.then(() => 'ok', (err: { code?: unknown }) => String(err.code))
      expect(down).not.toBe('ok')
      await pg.start()
      expect((await sql`select 7 as x`)[0]!.x).toBe(7)
      expect(uncaught).toEqual([])
    } finally {
      await sql.end({ timeout: 1 })
    }
  })
})
