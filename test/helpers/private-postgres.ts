// A PostgreSQL server of the test's own (initdb + pg_ctl on a temporary data directory and a free port),
// for fault tests that restart or pause the database: the shared server on 5432 is never touched.
// initdb and pg_ctl refuse to run as root, so they run as the `postgres` user through runuser.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const BIN = '/usr/lib/postgresql/15/bin'

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string
  port: number
  dataDir: string
  /** `pg_ctl stop -m fast`: clients see their connections closed */
  stop(): Promise<void>
  start(): Promise<void>
  /** `pg_ctl restart -m fast`, as an operator's `pg_ctlcluster … restart` does */
  restart(): Promise<void>
  /** SIGSTOP to the postmaster and every child: connections stay open, nothing answers */
  pause(): void
  /** SIGCONT to the same processes */
  resume(): void
  /** stops the server (immediate) and removes the data directory */
  dispose(): Promise<void>
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolve(port))
    })
  })
}

/** runs a PostgreSQL tool as the postgres user (root when this process is not root would need sudo; tests run as root) */
async function asPostgres(tool: string, args: string[]): Promise<string> {
  const isRoot = process.getuid?.() === 0
  const [cmd, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', path.join(BIN, tool), ...args]] : [path.join(BIN, tool), args]
  const { stdout } = await run(cmd, argv as string[], { timeout: 60_000 })
  return stdout
}

function childrenOf(pid: number): number[] {
  const out: number[] = []
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8')
      // pid (comm) state ppid …; comm may hold spaces and parentheses, so read after the last ')'
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid === pid) out.push(Number(entry))
    } catch {
      /* gone meanwhile */
    }
  }
  return out
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  if (!fs.existsSync(path.join(BIN, 'initdb'))) throw new Error(`PostgreSQL 15 binaries not found in ${BIN}`)
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-pg-'))
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres'])
    const { stdout: gid } = await run('id', ['-g', 'postgres'])
    fs.chownSync(dataDir, Number(stdout.trim()), Number(gid.trim()))
  }
  await asPostgres('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale', 'C'])
  const port = await freePort()
  const options = [
    `-p ${port}`,
    `-k ${dataDir}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c shared_buffers=16MB',
    '-c max_connections=60',
  ].join(' ')
  const pgctl = (args: string[]) => asPostgres('pg_ctl', ['-D', dataDir, '-l', path.join(dataDir, 'server.log'), '-o', options, ...args])
  const postmasterPid = (): number => Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0])
  const signalAll = (signal: NodeJS.Signals) => {
    const pm = postmasterPid()
    // the postmaster first on stop (it forks no new backend once stopped), last on continue
    const all = signal === 'SIGSTOP' ? [pm, ...childrenOf(pm)] : [...childrenOf(pm), pm]
    for (const pid of all) {
      try {
        process.kill(pid, signal)
      } catch {
        /* exited meanwhile */
      }
    }
  }
  let paused = false
  await pgctl(['-w', 'start'])
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    stop: () => pgctl(['-w', '-m', 'fast', 'stop']).then(() => {}),
    start: () => pgctl(['-w', 'start']).then(() => {}),
    restart: () => pgctl(['-w', '-m', 'fast', 'restart']).then(() => {}),
    pause() {
      paused = true
      signalAll('SIGSTOP')
    },
    resume() {
      paused = false
      signalAll('SIGCONT')
    },
    async dispose() {
      try {
        if (paused) signalAll('SIGCONT')
        await pgctl(['-w', '-m', 'immediate', 'stop'])
      } catch {
        /* not running */
      }
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
