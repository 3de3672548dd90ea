// Time from a server crash to clients resynced, under the supervisor as `npm start` runs it
// (scripts/supervise.mjs → server/main.ts, PGlite in a private DATA_DIR, demo city). Two y-websocket
// clients with the browser client's provider options (default reconnect backoff, max 2.5 s) sit in one
// table; the server is killed with SIGKILL ROUNDS times, 3 s after it is back. Each is measured as a first
// crash (restart delay 0.5 s): the supervisor runs with --reset-after-ms=2000 (a run of 2 s counts as
// healthy, instead of 60 s) and --crash-limit=100. Per crash:
//   started     SIGKILL → the supervisor's "server started" line (its restart delay included)
//   db          SIGKILL → the restarted server's database open and migrated ("[db] … ready")
//   listening   SIGKILL → the restarted server's "listening" line
//   resynced    SIGKILL → both providers synced again with the new server
//   converged   SIGKILL → an edit typed by A while the server was down is seen by B
// Command: npx tsx bench/supervise.ts   (ROUNDS=5)
import * as Y from 'yjs'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import { tableRoot } from '../shared/ydoc/index.ts'
import { LISTENING, startSupervisedServer } from '../test/helpers/supervised-server.ts'
import { waitFor } from '../test/helpers/collab-clients.ts'

const ROUNDS = Number(process.env.ROUNDS ?? 5)

const s = await startSupervisedServer(['--crash-limit=100', '--reset-after-ms=2000'])
try {
  const token = await s.login('jiaoyu')
  const list = await fetch(`${s.httpUrl}/api/tables?status=draft`, { headers: { authorization: `Bearer ${token}` } })
  const tableId = ((await list.json()) as { tables: { id: string }[] }).tables[0]!.id
  const connect = (t: string) => {
    const doc = new Y.Doc()
    // what client/pages/editor-page.ts passes (no maxBackoffTime: y-websocket's default 2 500 ms)
    const provider = new WebsocketProvider(s.wsUrl, tableId, doc, { WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket, params: { token: t }, disableBc: true })
    return { doc, provider }
  }
  const a = connect(token)
  const b = connect(await s.login('zixun'))
  await waitFor(() => a.provider.synced && b.provider.synced, 30_000, 'first sync')
  const goal = (d: Y.Doc) => tableRoot(d).get('annualGoal') as Y.Text
  if (!(tableRoot(a.doc).get('annualGoal') instanceof Y.Text)) tableRoot(a.doc).set('annualGoal', new Y.Text(''))
  await waitFor(() => tableRoot(b.doc).get('annualGoal') instanceof Y.Text, 10_000, 'goal')

  const rows: { started: number; db: number; listening: number; resynced: number; converged: number; delay: number }[] = []
  for (let i = 0; i < ROUNDS; i++) {
    await new Promise((r) => setTimeout(r, 3000))
    const from = s.lines.length
    const killedAt = performance.now()
    process.kill(s.serverPid(), 'SIGKILL')
    await waitFor(() => !a.provider.synced && !b.provider.synced, 5000, 'disconnect')
    const mark = `‹down ${i}›`
    goal(a.doc).insert(0, mark) // typed while the server is down
    const at = await s.waitForLine(LISTENING, 60_000, from)
    const listening = s.lineTimes[at]! - killedAt
    const lineAt = (re: RegExp) => s.lineTimes[s.lines.findIndex((l, k) => k >= from && re.test(l))]! - killedAt
    const started = lineAt(/server started/)
    const db = lineAt(/^\[db\] .* ready/)
    await waitFor(() => a.provider.synced && b.provider.synced, 60_000, 'resync')
    const resynced = performance.now() - killedAt
    await waitFor(() => goal(b.doc).toString().includes(mark), 30_000, 'converged')
    const converged = performance.now() - killedAt
    const delay = Number(/restarting in ([\d.]+) s/.exec(s.lines.slice(from).find((l) => /restarting in/.test(l)) ?? '')?.[1] ?? NaN) * 1000
    rows.push({ started, db, listening, resynced, converged, delay })
    console.log(`crash ${i + 1}: restart delay ${delay} ms, started ${started.toFixed(0)} ms, db ready ${db.toFixed(0)} ms, listening ${listening.toFixed(0)} ms, resynced ${resynced.toFixed(0)} ms, edit made while down seen by the other client ${converged.toFixed(0)} ms`)
  }
  const med = (k: keyof (typeof rows)[number]) => {
    const v = rows.map((r) => r[k]).sort((x, y) => x - y)
    return v[Math.floor(v.length / 2)]!.toFixed(0)
  }
  console.log(`median of ${ROUNDS}: started ${med('started')} ms, db ready ${med('db')} ms, listening ${med('listening')} ms, resynced ${med('resynced')} ms, converged ${med('converged')} ms`)
  a.provider.destroy()
  b.provider.destroy()
} finally {
  await s.close()
}
// nothing of ours is left, but a provider's last reconnect timer can keep the loop alive for a while
process.exit(0)
