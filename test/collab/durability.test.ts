// Crash safety: the server runs as a child process, 20 clients type into one table, the server is
// killed with SIGKILL mid-session and restarted; every edit any client saw from another client must be
// in the restarted server's document. Store-first: an update is broadcast only after it is in the log,
// so the clients may be gone for good. Relay (DURABILITY=relay): an update is broadcast before its write
// comes back, so what the log lacks is held by the clients, which reconnect to the restarted server (same
// port) and send it; every edit typed, seen or not, is then there.
import { afterAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as Y from 'yjs'
import { fromYDoc, tableRoot } from '../../shared/ydoc/index.ts'
import { DURABILITIES } from '../../server/collab/commit.ts'
import { TEST_DATABASE_URL, createTestDatabase, type TestDatabase } from '../helpers/database.ts'
import { spawnCollabServer, type ServerProcess } from '../helpers/collab-process.ts'
import { connectClient, sleep, waitFor, type TestClient } from '../helpers/collab-clients.ts'

const CLIENTS = 20
const TOKEN = /‹(\d+)\.(\d+)›/g

function tokens(doc: Y.Doc): string[] {
  const goal = tableRoot(doc).get('annualGoal')
  return goal instanceof Y.Text ? [...goal.toString().matchAll(TOKEN)].map((m) => m[0]) : []
}

describe(`durability on ${TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite in a data directory'}`, () => {
  const cleanup: (() => Promise<void>)[] = []
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => {})
  })

  it.each(DURABILITIES)('loses no edit that another client saw when the server is killed with SIGKILL — %s', async (durability) => {
    const relay = durability === 'relay'
    let env: Record<string, string>
    if (TEST_DATABASE_URL) {
      const db: TestDatabase = await createTestDatabase()
      cleanup.push(() => db.drop())
      env = { DATABASE_URL: db.url }
    } else {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'collab-durability-'))
      cleanup.push(async () => fs.rmSync(dir, { recursive: true, force: true }))
      env = { DATA_DIR: dir }
    }
    env.DURABILITY = durability
    const first: ServerProcess = await spawnCollabServer({ ...env, SEED: '1' })
    cleanup.push(() => first.kill('SIGKILL'))
    const fx = first.fixtures!
    const users = [fx.users.alice, fx.users.bob, fx.users.finance]
    const clients: TestClient[] = []
    for (let i = 0; i < CLIENTS; i++) clients.push(connectClient(first.url, fx.tableId, users[i % users.length]!.token))
    cleanup.push(async () => clients.forEach((c) => c.destroy()))
    await Promise.all(clients.map((c) => c.synced(20_000)))

    // every client inserts its own numbered tokens into the goal (a Y.Text) at random places
    let running = true
    const typed: string[] = []
    const typing = clients.map(async (c, i) => {
      let seq = 0
      while (running) {
        const goal = tableRoot(c.doc).get('annualGoal') as Y.Text
        if (c.provider.wsconnected) {
          const t = `‹${i}.${seq++}›`
          // at the start or right after a token's end, never inside another token: an edit this client
          // made inside a token others saw (stored, and so restored) would hide that token from the count
          const text = goal.toString()
          const ends = [0]
          for (let at = text.indexOf('›'); at >= 0; at = text.indexOf('›', at + 1)) ends.push(at + 1)
          goal.insert(ends[Math.floor(Math.random() * ends.length)]!, t)
          typed.push(t)
        }
        await sleep(40 + Math.random() * 40)
      }
    })
    // type until the clients have seen a good number of each other's edits (slower on a busy machine)
    const seenByOthers = () => clients.reduce((n, c, i) => n + tokens(c.doc).filter((t) => !t.startsWith(`‹${i}.`)).length, 0) / CLIENTS
    await sleep(1500)
    await waitFor(() => seenByOthers() >= 60, 15_000).catch(() => {})
    first.child.kill('SIGKILL')
    await first.exited
    running = false
    await Promise.all(typing)

    // what each client saw from the others, through the server
    const seen = new Set<string>()
    clients.forEach((c, i) => {
      for (const t of tokens(c.doc)) if (!t.startsWith(`‹${i}.`)) seen.add(t)
    })
    // store-first: the clients are gone with the server; relay: they stay and reconnect (same port)
    if (!relay) for (const c of clients) c.destroy()
    expect(seen.size).toBeGreaterThanOrEqual(60)

    const second = await spawnCollabServer(relay ? { ...env, PORT: String(first.port) } : env)
    cleanup.push(() => second.kill())
    const reader = connectClient(second.url, fx.tableId, fx.users.finance.token)
    cleanup.push(async () => reader.destroy())
    await reader.synced(20_000)
    await waitFor(() => tokens(reader.doc).length > 0)
    const missing = (all: Iterable<string>) => {
      const restored = new Set(tokens(reader.doc))
      return [...all].filter((t) => !restored.has(t))
    }
    // relay: the reconnected clients send what the log lacked (their sync step 2), which reaches the reader
    if (relay) await waitFor(() => missing(typed).length === 0, 20_000, 'every typed edit back').catch(() => {})
    expect(missing(seen)).toEqual([])
    if (relay) expect(missing(typed)).toEqual([])
    expect(fromYDoc(reader.doc).ok).toBe(true)
    for (const c of clients) c.destroy()
    reader.destroy()
    await second.kill()
  })
})
