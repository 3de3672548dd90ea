// The database goes away under a live session: the real server (server/main.ts, a child process) over a
// PostgreSQL of the test's own, 10 editors typing into one table through WebsocketProviders. PostgreSQL
// is stopped for a few seconds and started again, then restarted as an operator would, then paused
// (SIGSTOP) for 20 s and continued. Each time: the process lives on, /readyz says 503 while the database
// is away and 200 after, REST answers 503 quickly instead of hanging, editing goes on by itself, and
// every edit made before, during and after is in the stored document (the update log, read directly).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { tableRoot } from '../../shared/ydoc/index.ts'
import { openDatabase } from '../../server/db/open.ts'
import { createStorage } from '../../server/storage/index.ts'
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.ts'
import { startAppProcess, type AppProcess } from '../helpers/app-process.ts'
import { connectClient, sleep, waitFor, type TestClient } from '../helpers/collab-clients.ts'

const EDITORS = 10
const TOKEN = /‹[a-z]\d+\.\d+›/g

function tokens(doc: Y.Doc): Set<string> {
  const goal = tableRoot(doc).get('annualGoal')
  return new Set(goal instanceof Y.Text ? [...goal.toString().matchAll(TOKEN)].map((m) => m[0]) : [])
}

function hasAll(doc: Y.Doc, all: string[]): boolean {
  const have = tokens(doc)
  return all.every((t) => have.has(t))
}

describe('PostgreSQL away under a live session', () => {
  let pg: PrivatePostgres
  let app: AppProcess

  beforeAll(async () => {
    pg = await startPrivatePostgres()
    app = await startAppProcess({ DATABASE_URL: pg.url, LOG_LEVEL: 'warn' })
  }, 120_000)

  afterAll(async () => {
    await app?.stop()
    await pg?.dispose()
  })

  /** the table's document as stored: snapshot + update log, read on a connection of the test's own */
  async function storedTokens(tableId: string): Promise<Set<string>> {
    const database = await openDatabase({ url: pg.url, poolSize: 1 })
    try {
      const loaded = await createStorage(database.db).docLog.loadDoc(tableId, 'table')
      const doc = new Y.Doc()
      if (loaded.snapshot) Y.applyUpdate(doc, loaded.snapshot.state)
      for (const u of loaded.updates) Y.applyUpdate(doc, u.update)
      return tokens(doc)
    } finally {
      await database.close()
    }
  }

  /**
   * 10 editors of `username`'s draft project table typing numbered tokens into its goal (a Y.Text)
   * every 150–250 ms while their socket is open. Each scenario has a table of its own: the goal holds
   * at most 20 000 characters.
   */
  async function session(prefix: string, username: string) {
    const token = await app.login(username)
    const list = await app.api('GET', '/api/tables?limit=500', token)
    const tableId: string = list.body.tables.find((t: any) => t.template === 'mof2015-project' && t.status === 'draft').id
    const clients: TestClient[] = []
    for (let i = 0; i < EDITORS; i++) clients.push(connectClient(app.wsUrl, tableId, token))
    await Promise.all(clients.map((c) => c.synced(20_000)))
    const typed: string[][] = clients.map(() => [])
    const phase = { name: 'before' as string, counts: {} as Record<string, number> }
    let running = true
    const typing = clients.map(async (c, i) => {
      let seq = 0
      while (running) {
        const goal = tableRoot(c.doc).get('annualGoal')
        if (goal instanceof Y.Text && c.provider.wsconnected) {
          const t = `‹${prefix}${i}.${seq++}›`
          // at the start or right after a token's end: never inside another token, whoever typed it
          const text = goal.toString()
          const ends = [0]
          for (let at = text.indexOf('›'); at >= 0; at = text.indexOf('›', at + 1)) ends.push(at + 1)
          goal.insert(ends[Math.floor(Math.random() * ends.length)]!, t)
          typed[i]!.push(t)
          phase.counts[phase.name] = (phase.counts[phase.name] ?? 0) + 1
        }
        await sleep(150 + Math.random() * 100)
      }
    })
    return {
      token,
      tableId,
      clients,
      phase,
      typed,
      async stop() {
        running = false
        await Promise.all(typing)
      },
      destroy() {
        for (const c of clients) c.destroy()
      },
    }
  }

  /** polls /readyz until it answers `status` */
  async function readyzBecomes(status: number, ms: number): Promise<number> {
    const t0 = performance.now()
    for (;;) {
      const r = await app.api('GET', '/readyz', undefined, undefined, 5000).catch(() => ({ status: 0 }))
      if (r.status === status) return performance.now() - t0
      if (performance.now() - t0 > ms) throw new Error(`/readyz did not answer ${status} within ${ms} ms (last ${r.status})`)
      await sleep(100)
    }
  }

  /** every token typed is in the stored document (waits for the held edits to be written) */
  async function expectAllStored(tableId: string, typed: string[][], ms = 20_000): Promise<void> {
    const all = typed.flat()
    let missing: string[] = all
    const t0 = performance.now()
    while (performance.now() - t0 < ms) {
      const stored = await storedTokens(tableId)
      missing = all.filter((t) => !stored.has(t))
      if (missing.length === 0) break
      await sleep(300)
    }
    expect(missing.slice(0, 20)).toEqual([])
  }

  it('stopped for a few seconds, started, then restarted: process alive, 503 while away, nothing lost', async () => {
    const s = await session('r', 'jiaoyu')
    const { token, tableId } = s
    try {
      expect(tableRoot(s.clients[0]!.doc).get('annualGoal')).toBeInstanceOf(Y.Text)
      await sleep(1500)
      s.phase.name = 'down'
      await pg.stop()
      await readyzBecomes(503, 5000)
      // REST fails fast with the Chinese message, it does not hang
      const r = await app.api('GET', `/api/tables/${tableId}`, token, undefined, 10_000)
      expect(r.status).toBe(503)
      expect(r.body.error).toMatchObject({ code: 'unavailable', message: '数据库暂时不可用，请稍后重试' })
      expect(r.ms).toBeLessThan(3000)
      await sleep(2000) // editing goes on meanwhile, held by the server
      s.phase.name = 'back'
      await pg.start()
      await readyzBecomes(200, 10_000)
      await sleep(1500)
      // an operator's restart while editing
      s.phase.name = 'restart'
      await pg.restart()
      await readyzBecomes(200, 10_000)
      s.phase.name = 'after'
      await sleep(1500)
      await s.stop()
      for (const phase of ['before', 'down', 'back', 'after']) expect(s.phase.counts[phase] ?? 0, phase).toBeGreaterThan(20)
      await expectAllStored(tableId, s.typed)
      // and every editor converged on everything (editing resumed by itself)
      const all = s.typed.flat()
      await waitFor(() => s.clients.every((c) => hasAll(c.doc, all)), 15_000, 'editors converged')
      expect(app.exit).toBeNull()
      expect((await app.api('GET', `/api/tables/${tableId}`, token)).status).toBe(200)
    } finally {
      await s.stop()
      s.destroy()
    }
  }, 90_000)

  it('paused (SIGSTOP) for 20 s, then continued: bounded waits, nothing lost, recovery without a restart', async () => {
    const s = await session('p', 'weijian')
    const { token, tableId } = s
    try {
      await sleep(1500)
      s.phase.name = 'paused'
      const pausedAt = performance.now()
      pg.pause()
      // a REST call made during the pause is answered 503 within a few seconds
      await sleep(500)
      const r = await app.api('GET', `/api/tables/${tableId}`, token, undefined, 15_000)
      expect(r.status).toBe(503)
      expect(r.body.error.code).toBe('unavailable')
      expect(r.ms).toBeLessThan(5000)
      await readyzBecomes(503, 5000)
      const fast = await app.api('GET', '/api/tables', token, undefined, 5000)
      expect(fast.status).toBe(503)
      expect(fast.ms).toBeLessThan(1000)
      await sleep(Math.max(0, 20_000 - (performance.now() - pausedAt)))
      s.phase.name = 'continued'
      pg.resume()
      await readyzBecomes(200, 10_000)
      await sleep(1500)
      await s.stop()
      for (const phase of ['before', 'paused', 'continued']) expect(s.phase.counts[phase] ?? 0, phase).toBeGreaterThan(20)
      await expectAllStored(tableId, s.typed)
      const all = s.typed.flat()
      await waitFor(() => s.clients.every((c) => hasAll(c.doc, all)), 15_000, 'editors converged')
      expect(app.exit).toBeNull()
      expect((await app.api('GET', `/api/tables/${tableId}`, token)).status).toBe(200)
    } finally {
      if (pg) pg.resume()
      await s.stop()
      s.destroy()
    }
  }, 90_000)
})
