// A crashed process comes back: the real server under the supervisor (scripts/supervise.mjs, as
// `npm start` runs it) is killed with SIGKILL while a y-websocket client types; the supervisor logs the
// cause and restarts it, the client reconnects and resyncs, and no edit is lost — neither those another
// client had seen (stored before broadcast) nor those typed while the server was down. A child that exits
// at once ends in a crash loop, reported in Chinese and English; SIGTERM stops the server without restart.
import { afterAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { tableRoot } from '../../shared/ydoc/index.ts'
import { connectClient, sleep, waitFor, type TestClient } from '../helpers/collab-clients.ts'
import { LISTENING, spawnSupervisor, startSupervisedServer, type SupervisedServer } from '../helpers/supervised-server.ts'

const TOKEN = /‹(\d+)›/g
const tokens = (doc: Y.Doc) => {
  const goal = tableRoot(doc).get('annualGoal')
  return goal instanceof Y.Text ? [...goal.toString().matchAll(TOKEN)].map((m) => m[0]) : []
}

describe('supervision (npm start)', () => {
  const cleanup: (() => Promise<void> | void)[] = []
  afterAll(async () => {
    for (const c of cleanup.reverse()) await Promise.resolve(c()).catch(() => {})
  })

  it('restarts the server killed with SIGKILL; the client resyncs and no edit is lost', async () => {
    const s: SupervisedServer = await startSupervisedServer()
    cleanup.push(() => s.close())
    const token = await s.login('jiaoyu')
    const list = await fetch(`${s.httpUrl}/api/tables?status=draft`, { headers: { authorization: `Bearer ${token}` } })
    const tableId = ((await list.json()) as { tables: { id: string }[] }).tables[0]!.id
    const writer: TestClient = connectClient(s.wsUrl, tableId, token)
    const observer: TestClient = connectClient(s.wsUrl, tableId, await s.login('zixun'))
    cleanup.push(() => writer.destroy(), () => observer.destroy())
    await Promise.all([writer.synced(20_000), observer.synced(20_000)])
    const goal = () => tableRoot(writer.doc).get('annualGoal')
    if (!(goal() instanceof Y.Text)) writer.doc.transact(() => tableRoot(writer.doc).set('annualGoal', new Y.Text('')))

    // type steadily, through the crash and the restart
    let seq = 0
    let running = true
    const typing = (async () => {
      while (running) {
        const text = goal() as Y.Text
        text.insert(text.length, `‹${seq++}›`)
        await sleep(30)
      }
    })()
    await waitFor(() => tokens(observer.doc).length >= 20, 15_000, 'edits seen by the observer')

    const firstPid = s.serverPid()
    const listening = s.lines.length
    process.kill(firstPid, 'SIGKILL')
    const killedAt = Date.now()
    const acknowledged = tokens(observer.doc) // stored before they were broadcast
    await waitFor(() => !writer.provider.synced, 5_000, 'the writer to notice the crash')

    await s.waitForLine(/server crashed .*killed by signal SIGKILL/, 10_000)
    await s.waitForLine(LISTENING, 30_000, listening)
    expect(s.serverPid()).not.toBe(firstPid)
    await waitFor(() => writer.provider.synced && observer.provider.synced, 20_000, 'both clients resynced')
    const resyncMs = Date.now() - killedAt
    expect(resyncMs).toBeLessThan(20_000)
    await sleep(300)
    running = false
    await typing

    // a fresh reader of the restarted server has every token the writer typed, in order, once each
    const typed = tokens(writer.doc)
    expect(typed.length).toBe(seq)
    const reader = connectClient(s.wsUrl, tableId, token)
    cleanup.push(() => reader.destroy())
    await reader.synced(20_000)
    await waitFor(() => tokens(reader.doc).length === seq, 10_000, 'every edit on the restarted server').catch(() => {})
    expect(tokens(reader.doc)).toEqual(typed)
    for (const t of acknowledged) expect(tokens(reader.doc)).toContain(t)
    expect(acknowledged.length).toBeGreaterThanOrEqual(20)
    console.log(`[supervise] SIGKILL → clients resynced in ${resyncMs} ms; ${seq} edits, ${acknowledged.length} acknowledged before the crash`)
  }, 180_000)

  it('stops a crash loop and says so in Chinese and English, exiting non-zero', async () => {
    const p = spawnSupervisor(['--min-backoff-ms=50', '--max-backoff-ms=200'], [process.execPath, '-e', 'console.error("boom: cannot start"); process.exit(3)'])
    cleanup.push(() => p.close())
    const code = await p.exited
    expect(code).toBe(1)
    const out = p.lines.join('\n')
    expect(out.match(/server crashed .*exit code 3/g)).toHaveLength(5)
    expect(out).toContain('boom: cannot start')
    expect(out).toMatch(/  \| boom: cannot start/) // quoted as the crash's cause
    expect(out).toMatch(/服务器在 60 秒内崩溃 5 次，已停止自动重启/)
    expect(out).toMatch(/crash loop: the server crashed 5 times within 60 s/)
    expect(out.match(/server started/g)).toHaveLength(5)
  }, 30_000)

  it('backs off between restarts, doubling', async () => {
    const p = spawnSupervisor(['--min-backoff-ms=100', '--max-backoff-ms=300', '--crash-limit=4'], [process.execPath, '-e', 'process.exit(1)'])
    cleanup.push(() => p.close())
    expect(await p.exited).toBe(1)
    const delays = p.lines.flatMap((l) => /restarting in ([\d.]+) s/.exec(l)?.[1] ?? []).map(Number)
    expect(delays).toEqual([0.1, 0.2, 0.3])
  }, 30_000)

  it('SIGTERM to the supervisor stops the server cleanly and does not restart it', async () => {
    const p = spawnSupervisor([], [process.execPath, '-e', 'process.on("SIGTERM", () => { console.log("child got SIGTERM"); process.exit(0) }); console.log("ready"); setInterval(() => {}, 1000)'])
    cleanup.push(() => p.close())
    await p.waitForLine(/^ready$/, 10_000)
    p.supervisor.kill('SIGTERM')
    expect(await p.exited).toBe(0)
    const out = p.lines.join('\n')
    expect(out).toContain('child got SIGTERM')
    expect(out).toMatch(/server stopped/)
    expect(out).not.toMatch(/server crashed|restarting/)
    expect(out.match(/server started/g)).toHaveLength(1)
  }, 30_000)
})
