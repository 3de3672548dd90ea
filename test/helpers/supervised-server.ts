// The real server (server/main.ts) under the supervisor's command line (scripts/supervise.mjs), as
// `npm start` runs it but without the client build: a private DATA_DIR (PGlite, demo city) and a port
// chosen free beforehand, so a restarted server listens where the clients reconnect. For the supervision
// test and bench.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { serverNodeFlags } from '../../scripts/node-flags.mjs'
import { DEMO_PASSWORD } from '../../server/bootstrap/demo-city.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const SUPERVISOR = path.join(ROOT, 'scripts/supervise.mjs')

export interface SupervisedProcess {
  supervisor: ChildProcess
  /** every line the supervisor and the server printed (stdout and stderr), in arrival order */
  lines: string[]
  /** performance.now() when each line arrived */
  lineTimes: number[]
  /** resolves with the supervisor's exit code */
  exited: Promise<number | null>
  /** waits for a line matching `re` at index ≥ from; returns its index */
  waitForLine(re: RegExp, ms?: number, from?: number): Promise<number>
  close(): Promise<void>
}

export interface SupervisedServer extends SupervisedProcess {
  port: number
  httpUrl: string
  wsUrl: string
  /** pid of the server process the supervisor runs now (from its latest "server started" line) */
  serverPid(): number
  login(username: string): Promise<string>
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolve(port))
    })
  })
}

/** Runs `node scripts/supervise.mjs [flags] -- command…` and records its output. */
export function spawnSupervisor(flags: string[], command: string[], env: Record<string, string> = {}): SupervisedProcess {
  const supervisor = spawn(process.execPath, [SUPERVISOR, ...flags, '--', ...command], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: string[] = []
  const lineTimes: number[] = []
  const waiters = new Set<() => void>()
  for (const stream of [supervisor.stdout!, supervisor.stderr!]) {
    let partial = ''
    stream.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n')
      partial = parts.pop() ?? ''
      lines.push(...parts)
      for (const _ of parts) lineTimes.push(performance.now())
      if (process.env.SUPERVISE_ECHO === '1') for (const l of parts) console.error(`  ${l}`)
      for (const w of waiters) w()
    })
  }
  const exited = new Promise<number | null>((resolve) => supervisor.once('exit', (code) => resolve(code)))
  const waitForLine = (re: RegExp, ms = 30_000, from = 0) =>
    new Promise<number>((resolve, reject) => {
      const check = () => {
        const i = lines.findIndex((l, k) => k >= from && re.test(l))
        if (i < 0) return false
        waiters.delete(check)
        clearTimeout(timer)
        resolve(i)
        return true
      }
      const timer = setTimeout(() => {
        waiters.delete(check)
        reject(new Error(`timed out after ${ms} ms waiting for ${re}; output:\n${lines.slice(-30).join('\n')}`))
      }, ms)
      if (!check()) waiters.add(check)
    })
  return {
    supervisor,
    lines,
    lineTimes,
    exited,
    waitForLine,
    async close() {
      if (supervisor.exitCode === null && supervisor.signalCode === null) {
        supervisor.kill('SIGTERM')
        const t = setTimeout(() => supervisor.kill('SIGKILL'), 15_000)
        await exited
        clearTimeout(t)
      }
    },
  }
}

export const LISTENING = /\[http\] .* listening on /
const STARTED = /server started \(pid (\d+)\)/

/** The real server under the supervisor, on a fresh PGlite data directory (removed on close). */
export async function startSupervisedServer(flags: string[] = []): Promise<SupervisedServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-supervised-'))
  const port = await freePort()
  const p = spawnSupervisor(flags, [process.execPath, ...serverNodeFlags(), '--import', 'tsx', path.join(ROOT, 'server/main.ts')], {
    DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', ADMIN_PASSWORD: 'admin-password-for-tests', DEMO: '1',
  })
  try {
    await p.waitForLine(LISTENING, 90_000)
  } catch (err) {
    await p.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
    throw err
  }
  const httpUrl = `http://127.0.0.1:${port}`
  return {
    ...p,
    port,
    httpUrl,
    wsUrl: `ws://127.0.0.1:${port}/collab`,
    serverPid() {
      const line = [...p.lines].reverse().find((l) => STARTED.test(l))
      return Number(STARTED.exec(line ?? '')?.[1])
    },
    async login(username) {
      const res = await fetch(`${httpUrl}/api/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }),
      })
      if (res.status !== 200) throw new Error(`login ${username}: ${res.status}`)
      return ((await res.json()) as { token: string }).token
    },
    async close() {
      await p.close()
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
