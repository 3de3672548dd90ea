// Spawns collab-server-process.ts with tsx and waits for its ready line; for crash and scale-out tests.
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import type { CollabFixtures } from './collab-fixtures.ts'
import type { CollabStats } from '../../server/collab/index.ts'
import { serverNodeFlags } from '../../scripts/node-flags.mjs'

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
  /** SIGUSR2: the server's memory (after a GC with --expose-gc) and collab stats */
  report(): Promise<{ memory: NodeJS.MemoryUsage; stats: CollabStats; gc: { count: number; ms: number; maxMs: number } }>
}

/** CPUs in a taskset list such as "1" or "0-3,6" */
function cpuCount(list: string): number {
  return list.split(',').reduce((n, part) => {
    const [a, b] = part.split('-').map(Number)
    return n + (b === undefined ? 1 : b! - a! + 1)
  }, 0)
}

export async function spawnCollabServer(env: Record<string, string | undefined>, opts: { cpu?: string; timeoutMs?: number; nodeArgs?: string[] } = {}): Promise<ServerProcess> {
  // WATCH OUT: not the tsx CLI, which runs the script in a second process: kill -9 must hit the server itself.
  // the production V8 flags, for the CPUs the process will have (one when pinned)
  const flags = serverNodeFlags(opts.cpu ? cpuCount(opts.cpu) : undefined)
  const node = [process.execPath, ...flags, ...(opts.nodeArgs ?? []), '--import', 'tsx', SCRIPT]
  const cmd = opts.cpu ? 'taskset' : node[0]!
  const args = opts.cpu ? ['-c', opts.cpu, ...node] : node.slice(1)
  const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  // stdout carries one JSON object per line: the ready line, then one per report()
  const lines: unknown[] = []
  const waiting: ((line: unknown) => void)[] = []
  let buf = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    buf += chunk.toString()
    let nl: number
    while ((nl = buf.indexOf('\n')) >= 0) {
      const text = buf.slice(0, nl)
      buf = buf.slice(nl + 1)
      let line: unknown
      try {
        line = JSON.parse(text)
      } catch {
        process.stderr.write(`[server] ${text}\n`) // what V8 prints itself (--trace-gc, when profiling)
        continue
      }
      const w = waiting.shift()
      if (w) w(line)
      else lines.push(line)
    }
  })
  const nextLine = () => (lines.length ? Promise.resolve(lines.shift()) : new Promise<unknown>((resolve) => waiting.push(resolve)))
  const ready = await new Promise<{ port: number; pid: number; fixtures?: CollabFixtures }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('collab server process did not start in time')), opts.timeoutMs ?? 60_000)
    void nextLine().then((line) => {
      clearTimeout(timer)
      resolve(line as { port: number; pid: number; fixtures?: CollabFixtures })
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
    async report() {
      const line = nextLine()
      child.kill('SIGUSR2')
      return (await line) as Awaited<ReturnType<ServerProcess['report']>>
    },
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return
      // taskset execs node, so the child's pid is the server's
      child.kill(signal)
      await exited
    },
  }
}
