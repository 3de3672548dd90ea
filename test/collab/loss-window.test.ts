// Relay mode's loss window (DURABILITY=relay): an update is broadcast at the end of the turn that accepted
// it and appended by the next write (at most the write gap, 10 ms, later), so a crash can lose an edit
// somebody saw only if it was not yet written, or still in its write, when the process died — and only if
// every client holding it vanished too (otherwise they send it again on reconnect: durability.test.ts).
// Here they all do: 10 editors type as fast as they can, a passive observer notes when it first saw each
// edit, then the server is killed with SIGKILL and every client is dropped in the same instant. The
// restarted server's document must hold every seen edit except ones seen within the last write before the
// kill: no lost edit may be older than the longest time any update waited for storage during the burst (the
// server's own hold figure) plus a little for the signal and the observer's socket.
import { afterAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as Y from 'yjs'
import { tableRoot } from '../../shared/ydoc/index.ts'
import { TEST_DATABASE_URL, createTestDatabase } from '../helpers/database.ts'
import { spawnCollabServer } from '../helpers/collab-process.ts'
import { connectClient, sleep, waitFor, type TestClient } from '../helpers/collab-clients.ts'

const EDITORS = 10
const BURST_MS = 1500
/** signal delivery, the observer's socket and event loop (the machine is shared) */
const SLACK_MS = 30
const TOKEN = /‹(\d+)\.(\d+)›/g

function tokens(doc: Y.Doc): string[] {
  const goal = tableRoot(doc).get('annualGoal')
  return goal instanceof Y.Text ? [...goal.toString().matchAll(TOKEN)].map((m) => m[0]) : []
}

describe(`relay loss window on ${TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite in a data directory'}`, () => {
  const cleanup: (() => Promise<void>)[] = []
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => {})
  })

  it('loses, when the server and every client die together, only edits seen within the last write', async () => {
    let env: Record<string, string>
    if (TEST_DATABASE_URL) {
      const db = await createTestDatabase()
      cleanup.push(() => db.drop())
      env = { DATABASE_URL: db.url }
    } else {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'collab-loss-window-'))
      cleanup.push(async () => fs.rmSync(dir, { recursive: true, force: true }))
      env = { DATA_DIR: dir }
    }
    const server = await spawnCollabServer({ ...env, SEED: '1', DURABILITY: 'relay' })
    cleanup.push(() => server.kill('SIGKILL'))
    const fx = server.fixtures!
    const users = [fx.users.alice, fx.users.bob]
    const editors: TestClient[] = []
    for (let i = 0; i < EDITORS; i++) editors.push(connectClient(server.url, fx.tableId, users[i % users.length]!.token))
    const observer = connectClient(server.url, fx.tableId, fx.users.finance.token)
    const all = [...editors, observer]
    cleanup.push(async () => all.forEach((c) => c.destroy()))
    await Promise.all(all.map((c) => c.synced(20_000)))

    // when the observer first saw each token (performance.now() of this process)
    const firstSeen = new Map<string, number>()
    observer.doc.on('update', () => {
      const now = performance.now()
      for (const t of tokens(observer.doc)) if (!firstSeen.has(t)) firstSeen.set(t, now)
    })
    let running = true
    const typing = editors.map(async (c, i) => {
      let seq = 0
      while (running) {
        const goal = tableRoot(c.doc).get('annualGoal') as Y.Text
        if (c.provider.wsconnected) {
          // at token boundaries only, so no edit hides another's token
          const text = goal.toString()
          const ends = [0]
          for (let at = text.indexOf('›'); at >= 0; at = text.indexOf('›', at + 1)) ends.push(at + 1)
          goal.insert(ends[Math.floor(Math.random() * ends.length)]!, `‹${i}.${seq++}›`)
        }
        await sleep(8 + Math.random() * 8)
      }
    })
    await sleep(300)
    await server.report() // resets the server's figures: the next report covers the burst
    await sleep(BURST_MS)
    const { stats } = await server.report()
    await sleep(50 + Math.random() * 50) // the kill lands at a random point of a group commit
    // everybody vanishes at once: the server and, in the same tick, every client (none can send anything again)
    const killedAt = performance.now()
    server.child.kill('SIGKILL')
    for (const c of all) c.destroy()
    running = false
    await server.exited
    await Promise.all(typing)
    expect(firstSeen.size).toBeGreaterThan(200)

    const second = await spawnCollabServer(env)
    cleanup.push(() => second.kill())
    const reader = connectClient(second.url, fx.tableId, fx.users.finance.token)
    cleanup.push(async () => reader.destroy())
    await reader.synced(20_000)
    await waitFor(() => tokens(reader.doc).length > 0)
    const restored = new Set(tokens(reader.doc))
    const lost = [...firstSeen].filter(([t]) => !restored.has(t))
    const ages = lost.map(([, at]) => killedAt - at)
    const oldest = ages.length ? Math.max(...ages) : 0
    const bound = stats.holdMs.max + SLACK_MS
    const seenInBound = [...firstSeen.values()].filter((at) => killedAt - at <= bound).length
    console.info(
      `[loss window] seen ${firstSeen.size} edits, lost ${lost.length} (oldest seen ${oldest.toFixed(1)} ms before the kill); ` +
        `server during the burst: accepted → stored p50 ${stats.holdMs.p50} ms, p99 ${stats.holdMs.p99} ms, max ${stats.holdMs.max} ms; ` +
        `append round trip p99 ${stats.storeRoundTripMs.p99} ms; edits seen in the last ${bound.toFixed(0)} ms: ${seenInBound}`,
    )
    // only the newest edits can be lost: none older than the longest wait for storage (+ slack)
    expect(oldest).toBeLessThanOrEqual(bound)
    expect(lost.length).toBeLessThanOrEqual(seenInBound)
    reader.destroy()
    await second.kill()
  })
})
