// Spawns collab-server-process.ts with tsx and waits for its ready line; for crash and scale-out tests.
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import type { CollabFixtures } from './collab-fixtures.ts'

const SCRIPT = fileURLToPath(new URL('./collab-server-process.ts', import.meta.url))
const ROOT = path.resolve(path.dirname(SCRIPT), '../..')

export interface ServerProcess {
  child: ChildProcess
  port: number
  pid: number
  url: string
  fixtures?: CollabFixtures
  /** resolves with the exit code/signal */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  kill(signal?: NodeJS.Signals): Promise<void>
}

export async function spawnCollabServer(env: Record<string, string | undefined>, opts: { cpu?: string; timeoutMs?: number } = {}): Promise<ServerProcess> {
  // WATCH OUT: not the tsx CLI, which runs the script in a second process: kill -9 must hit the server itself.
  const node = [process.execPath, '--import', 'tsx', SCRIPT]
  const cmd = opts.cpu ? 'taskset' : node[0]!
  const args = opts.cpu ? ['-c', opts.cpu, ...node] : node.slice(1)
  const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  const ready = await new Promise<{ port: number; pid: number; fixtures?: CollabFixtures }>((resolve, reject) => {
    let buf = ''
    const timer = setTimeout(() => reject(new Error('collab server process did not start in time')), opts.timeoutMs ?? 60_000)
    child.stdout!.on('data', (chunk: Buffer) => {
      buf += chunk.toString()
      const nl = buf.indexOf('\n')
      if (nl < 0) return
      clearTimeout(timer)
      try {
        resolve(JSON.parse(buf.slice(0, nl)))
      } catch (err) {
        reject(err)
      }
    })
    void exited.then(({ code, signal }) => reject(new Error(`collab server process exited early (${code ?? signal})`)))
  })
  return {
    child,
    port: ready.port,
    pid: ready.pid,
    url: `ws://127.0.0.1:${ready.port}/collab`,
    fixtures: ready.fixtures,
    exited,
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return
      // taskset execs node, so the child's pid is the server's
      child.kill(signal)
      await exited
    },
  }
}
