// Time from PostgreSQL back to the first stored edit: the real server (server/main.ts, a child process)
// over a private PostgreSQL (test/helpers/private-postgres.ts), 10 editors typing into one table and an
// observer that only ever receives stored edits (the server broadcasts after the append). PostgreSQL is
// stopped for OUTAGE_MS and started again, restarted as an operator would (pg_ctl restart -m fast), and
// paused with SIGSTOP for OUTAGE_MS then continued; ROUNDS times each. For each: from PostgreSQL back
// (pg_ctl start / restart returned, SIGCONT sent) to the observer's first edit made during the outage,
// and to every edit held during it stored.
//   npx tsx bench/db-recovery.ts            env: ROUNDS (3), OUTAGE_MS (3000), EDITORS (10)
import * as Y from 'yjs'
import postgres from 'postgres'
import { tableRoot } from '../shared/ydoc/index.ts'
import { startPrivatePostgres } from '../test/helpers/private-postgres.ts'
import { startAppProcess } from '../test/helpers/app-process.ts'
import { connectClient, sleep, waitFor } from '../test/helpers/collab-clients.ts'

const ROUNDS = Number(process.env.ROUNDS ?? 3)
const OUTAGE_MS = Number(process.env.OUTAGE_MS ?? 3000)
const EDITORS = Number(process.env.EDITORS ?? 10)
const TOKEN = /‹[a-z]\d+\.\d+›/g

const pg = await startPrivatePostgres()

/** when PostgreSQL answers again: a fresh connection's `select 1` every 10 ms (pg_ctl itself polls slower) */
async function answersAgain(): Promise<number> {
  for (;;) {
    const sql = postgres(pg.url, { max: 1, connect_timeout: 1, onnotice: () => {} })
    try {
      await sql`select 1`
      return performance.now()
    } catch {
      await sleep(10)
    } finally {
      await sql.end({ timeout: 0 })
    }
  }
}

const app = await startAppProcess({ DATABASE_URL: pg.url, LOG_LEVEL: 'error' })
try {
  const results: Record<string, { first: number[]; all: number[] }> = {}
  const users = ['jiaoyu', 'weijian', 'wenlv']
  const kinds = ['stop/start', 'restart', 'SIGSTOP/SIGCONT'] as const
  let round = 0
  for (const kind of kinds) {
    results[kind] = { first: [], all: [] }
    // each kind on a table of its own (a goal holds at most 20 000 characters)
    const token = await app.login(users[kinds.indexOf(kind)]!)
    const list = await app.api('GET', '/api/tables?limit=500', token)
    const tableId: string = list.body.tables.find((t: any) => t.template === 'mof2015-project' && t.status === 'draft').id
    for (let r = 0; r < ROUNDS; r++, round++) {
      const prefix = String.fromCharCode(97 + (round % 26))
      const editors = Array.from({ length: EDITORS }, () => connectClient(app.wsUrl, tableId, token))
      const observer = connectClient(app.wsUrl, tableId, token)
      await Promise.all([...editors, observer].map((c) => c.synced(20_000)))
      const seen = new Map<string, number>() // token → when the observer first had it
      const observe = () => {
        const goal = tableRoot(observer.doc).get('annualGoal')
        for (const m of String(goal).matchAll(TOKEN)) if (!seen.has(m[0])) seen.set(m[0], performance.now())
      }
      observer.doc.on('update', observe)
      const duringOutage: string[] = []
      let outage = false
      let running = true
      const typing = editors.map(async (c, i) => {
        let seq = 0
        while (running) {
          const goal = tableRoot(c.doc).get('annualGoal')
          if (goal instanceof Y.Text && c.provider.wsconnected) {
            const t = `‹${prefix}${i}.${seq++}›`
            const text = goal.toString()
            const ends = [0]
            for (let at = text.indexOf('›'); at >= 0; at = text.indexOf('›', at + 1)) ends.push(at + 1)
            goal.insert(ends[Math.floor(Math.random() * ends.length)]!, t)
            if (outage) duringOutage.push(t)
          }
          await sleep(150 + Math.random() * 100)
        }
      })
      await sleep(1000)
      let back: number
      if (kind === 'stop/start') {
        await pg.stop()
        outage = true
        await sleep(OUTAGE_MS)
        outage = false
        const up = answersAgain()
        await pg.start()
        back = await up
      } else if (kind === 'restart') {
        outage = true
        const restarting = pg.restart()
        await sleep(100) // it is shutting down now
        const up = answersAgain()
        await restarting
        back = await up
        outage = false
      } else {
        pg.pause()
        outage = true
        await sleep(OUTAGE_MS)
        outage = false
        pg.resume()
        back = performance.now()
      }
      // the edits made while it was away that were not stored before it was back (a restart's first
      // moments still store)
      const held = duringOutage.filter((t) => !((seen.get(t) ?? Infinity) < back))
      await waitFor(() => held.some((t) => seen.has(t)), 30_000, 'first stored edit').catch(() => {})
      await waitFor(() => held.every((t) => seen.has(t)), 30_000, 'all held edits stored').catch(() => {})
      running = false
      await Promise.all(typing)
      const firstAt = Math.min(...held.map((t) => seen.get(t) ?? Infinity))
      const allAt = Math.max(...held.map((t) => seen.get(t) ?? Infinity))
      results[kind].first.push(Math.max(0, firstAt - back))
      results[kind].all.push(Math.max(0, allAt - back))
      console.log(`${kind} round ${r + 1}: ${held.length} edits made during the outage held; first stored ${(firstAt - back).toFixed(0)} ms after PostgreSQL was back, all ${(allAt - back).toFixed(0)} ms`)
      for (const c of [...editors, observer]) c.destroy()
      await sleep(500)
    }
  }
  const fmt = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)} ms`
  console.log(`\n| fault | first stored edit after PostgreSQL back | all held edits stored |\n|---|---|---|`)
  for (const [kind, r] of Object.entries(results)) console.log(`| ${kind} | ${fmt(r.first)} | ${fmt(r.all)} |`)
  if (app.exit) console.log('the server process exited:', app.exit)
} finally {
  await app.stop()
  await pg.dispose()
}
