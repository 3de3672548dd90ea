// The supervisor `npm start` runs the server under: restarts it when it exits unexpectedly (a non-zero
// code, or a signal the supervisor did not send), with backoff, logging the cause and the tail of its
// stderr; gives up on a crash loop; on SIGINT/SIGTERM stops the server cleanly and does not restart.
// Also a command line, for tests and operators:
//   node scripts/supervise.mjs [--min-backoff-ms=N] [--max-backoff-ms=N] [--crash-limit=N] [--crash-window-ms=N] -- <command> [args…]
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const DEFAULTS = Object.freeze({
  /** first restart delay, doubled after each crash up to maxBackoffMs */
  minBackoffMs: 500,
  maxBackoffMs: 10_000,
  /** a run this long counts as healthy: the next crash restarts after minBackoffMs again */
  resetAfterMs: 60_000,
  /** this many crashes within crashWindowMs is a crash loop: stop restarting */
  crashLimit: 5,
  crashWindowMs: 60_000,
  /** after SIGTERM, how long the server may take to stop before it is killed */
  stopTimeoutMs: 30_000,
  /** stderr lines kept to quote when the server crashes */
  tailLines: 15,
})

/**
 * Runs `command args` and keeps it running. Resolves `done` with the exit code the supervisor should end
 * with: the server's own code after a clean exit or a requested stop, 1 after a crash loop.
 * @param {{ command: string, args?: string[], cwd?: string, env?: NodeJS.ProcessEnv, log?: (line: string) => void } & Partial<typeof DEFAULTS>} options
 */
export function supervise(options) {
  const o = { ...DEFAULTS, ...options }
  const log = o.log ?? ((line) => process.stderr.write(`[supervise] ${line}\n`))
  const crashes = [] // times of recent crashes
  let consecutive = 0
  let child = null
  let stopping = false
  let restartTimer = null
  let resolveDone
  const done = new Promise((r) => (resolveDone = r))

  function start() {
    restartTimer = null
    const startedAt = Date.now()
    const tail = []
    let partial = ''
    const c = spawn(o.command, o.args ?? [], { cwd: o.cwd, env: o.env ?? process.env, stdio: ['inherit', 'inherit', 'pipe'] })
    child = c
    log(`server started (pid ${c.pid}) 服务器已启动`)
    c.stderr.on('data', (chunk) => {
      process.stderr.write(chunk) // passed through as it comes
      const lines = (partial + chunk.toString('utf8')).split('\n')
      partial = lines.pop() ?? ''
      tail.push(...lines)
      if (tail.length > o.tailLines) tail.splice(0, tail.length - o.tailLines)
    })
    c.on('error', (err) => log(`could not start the server 无法启动服务器: ${err.message}`))
    c.on('close', (code, signal) => {
      child = null
      if (partial) tail.push(partial)
      const ranMs = Date.now() - startedAt
      if (stopping || (code === 0 && !signal)) {
        log(`server stopped 服务器已停止 (${signal ? `signal ${signal}` : `code ${code}`})`)
        return resolveDone(code ?? 0)
      }
      const cause = signal ? `killed by signal ${signal}` : `exit code ${code}`
      log(`server crashed 服务器异常退出: ${cause} after ${(ranMs / 1000).toFixed(1)} s`)
      if (tail.length) log(`last stderr lines 最后的错误输出:\n${tail.map((l) => `  | ${l}`).join('\n')}`)

      const now = Date.now()
      crashes.push(now)
      while (crashes.length && now - crashes[0] > o.crashWindowMs) crashes.shift()
      if (crashes.length >= o.crashLimit) {
        log(
          `服务器在 ${Math.round(o.crashWindowMs / 1000)} 秒内崩溃 ${crashes.length} 次，已停止自动重启，请查看上面的错误输出后手动启动。\n` +
            `[supervise] crash loop: the server crashed ${crashes.length} times within ${Math.round(o.crashWindowMs / 1000)} s; not restarting again. See the errors above.`,
        )
        return resolveDone(1)
      }
      consecutive = ranMs >= o.resetAfterMs ? 1 : consecutive + 1
      const delay = Math.min(o.maxBackoffMs, o.minBackoffMs * 2 ** (consecutive - 1))
      log(`restarting in ${(delay / 1000).toFixed(1)} s 秒后重启`)
      restartTimer = setTimeout(start, delay)
    })
  }

  function stop(signal = 'SIGTERM') {
    if (!stopping) {
      stopping = true
      if (restartTimer) {
        clearTimeout(restartTimer)
        restartTimer = null
        log('stop requested while waiting to restart 已停止')
        resolveDone(0)
      } else if (child) {
        const c = child
        c.kill(signal)
        const t = setTimeout(() => {
          log(`server did not stop within ${o.stopTimeoutMs / 1000} s, killing it 强制结束`)
          c.kill('SIGKILL')
        }, o.stopTimeoutMs)
        t.unref()
        c.once('close', () => clearTimeout(t))
      }
    }
    return done
  }

  start()
  return {
    done,
    stop,
    /** the running server process, null between runs */
    get child() {
      return child
    },
  }
}

/** Stops the supervised server on SIGINT/SIGTERM and exits with its code when it is done. */
export function runSupervised(options) {
  const s = supervise(options)
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => void s.stop(sig))
  s.done.then((code) => process.exit(code))
  return s
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2)
  const sep = argv.indexOf('--')
  const flags = sep < 0 ? [] : argv.slice(0, sep)
  const [command, ...args] = sep < 0 ? argv : argv.slice(sep + 1)
  if (!command) {
    console.error('usage: node scripts/supervise.mjs [--min-backoff-ms=N] [--max-backoff-ms=N] [--crash-limit=N] [--crash-window-ms=N] -- <command> [args…]')
    process.exit(2)
  }
  const opts = {}
  for (const f of flags) {
    const m = /^--([a-z-]+)=(\d+)$/.exec(f)
    const key = m && m[1].replace(/-([a-z])/g, (_, ch) => ch.toUpperCase())
    if (!m || !(key in DEFAULTS)) {
      console.error(`unknown option ${f}`)
      process.exit(2)
    }
    opts[key] = Number(m[2])
  }
  runSupervised({ command, args, ...opts })
}
