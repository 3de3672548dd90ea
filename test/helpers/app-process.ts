// The real server (server/main.ts) as a child process over a given DATABASE_URL, with the demo city:
// for fault tests where the process itself must survive (its exit is watched, its output kept).
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEMO_PASSWORD } from '../../server/bootstrap/demo-city.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

export interface AppProcess {
  child: ChildProcess
  httpUrl: string
  wsUrl: string
  /** everything it printed (stdout and stderr) */
  output: string[]
  /** null while it runs */
  exit: { code: number | null; signal: NodeJS.Signals | null } | null
  api(method: string, path: string, token?: string, body?: unknown, timeoutMs?: number): Promise<{ status: number; body: any; ms: number }>
  login(username: string): Promise<string>
  stop(): Promise<void>
}

export async function startAppProcess(env: Record<string, string>): Promise<AppProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-app-'))
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DEMO: '1', ADMIN_PASSWORD: 'fault-admin-pass', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const output: string[] = []
  const proc = { exit: null as AppProcess['exit'] }
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      proc.exit = { code, signal }
      resolve()
    }),
  )
  const httpUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output.join('')}`)), 90_000)
    const read = (chunk: Buffer) => {
      const text = chunk.toString()
      output.push(text)
      if (process.env.APP_LOG === '1') process.stderr.write(text)
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(output.join(''))
      if (m) {
        clearTimeout(timer)
        resolve(m[1]!)
      }
    }
    child.stdout!.on('data', read)
    child.stderr!.on('data', read)
    void exited.then(() => {
      clearTimeout(timer)
      reject(new Error(`server exited while starting:\n${output.join('')}`))
    })
  })

  const api: AppProcess['api'] = async (method, p, token, body, timeoutMs = 30_000) => {
    const t0 = performance.now()
    const res = await fetch(httpUrl + p, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    })
    const text = await res.text()
    let parsed: unknown = text
    try {
      parsed = JSON.parse(text)
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed, ms: performance.now() - t0 }
  }

  return {
    child,
    httpUrl,
    wsUrl: httpUrl.replace('http:', 'ws:') + '/collab',
    output,
    get exit() {
      return proc.exit
    },
    api,
    async login(username) {
      const r = await api('POST', '/api/auth/login', undefined, { username, password: DEMO_PASSWORD })
      if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`)
      return r.body.token as string
    },
    async stop() {
      if (!proc.exit) {
        child.kill('SIGTERM')
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000)
        await exited
        clearTimeout(killer)
      }
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
