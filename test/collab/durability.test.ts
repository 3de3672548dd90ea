// Crash safety: the server runs as a child process, 20 clients type into one table, the server is
// killed with SIGKILL mid-session and restarted; every edit any client saw from another client must be
// in the restarted server's document (an update is broadcast only after it is in the log).
import { afterAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as Y from 'yjs'
import { fromYDoc, tableRoot } from '../../shared/ydoc/index.ts'
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

  it('loses no edit that another client saw when the server is killed with SIGKILL', async () => {
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
    const typing = clients.map(async (c, i) => {
      let seq = 0
      while (running) {
        const goal = tableRoot(c.doc).get('annualGoal') as Y.Text
        if (c.provider.wsconnected) goal.insert(Math.floor(Math.random() * (goal.length + 1)), `‹${i}.${seq++}›`)
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
    for (const c of clients) c.destroy()
    expect(seen.size).toBeGreaterThanOrEqual(60)

    const second = await spawnCollabServer(env)
    cleanup.push(() => second.kill())
    const reader = connectClient(second.url, fx.tableId, fx.users.finance.token)
    cleanup.push(async () => reader.destroy())
    await reader.synced(20_000)
    await waitFor(() => tokens(reader.doc).length > 0)
    const restored = new Set(tokens(reader.doc))
    const lost = [...seen].filter((t) => !restored.has(t))
    expect(lost).toEqual([])
    expect(fromYDoc(reader.doc).ok).toBe(true)
  })
})
