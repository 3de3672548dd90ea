// Whether the database answers right now: a small monitor that pings it (every 2 s while it answers,
// every 250 ms while it does not) with a deadline, so a stopped or stalled PostgreSQL is
// noticed within seconds. /readyz reports it, REST calls fail fast with 503 while it is away
// (server/http/db-available.ts), and the live layer retries its held writes the moment it is back.
import { AppError } from '../../shared/errors.ts'
import { UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from './errors.ts'

export interface DatabaseHealth {
  /** false from the moment a ping failed or overran its deadline until one succeeds */
  readonly available: boolean
  /** pings now (or joins the ping under way) and says whether the database answered in time */
  check(): Promise<boolean>
  /** a query failed: when the error says the database is away, mark it so and start probing */
  report(err: unknown): void
  /** told on every change, with the new state */
  onChange(listener: (available: boolean) => void): () => void
  /**
   * Settles like `work`, except that it rejects with AppError('unavailable') as soon as the database
   * is found away while `work` waits (a stalled database would otherwise hold the caller until it is back).
   */
  guard<T>(work: Promise<T>): Promise<T>
  close(): void
}

export interface HealthOptions {
  /** ping interval while the database answers (default 2 000 ms) */
  intervalMs?: number
  /** ping interval while it does not (default 250 ms) */
  probeMs?: number
  /** a ping not answered within this is a failure (default 1 500 ms) */
  deadlineMs?: number
  log?: (event: string, fields: Record<string, unknown>) => void
}

export function unavailable(): AppError {
  return new AppError('unavailable', UNAVAILABLE_MESSAGE)
}

/** A database that is always there (PGlite runs inside this process). */
export function alwaysAvailable(): DatabaseHealth {
  return {
    available: true,
    check: async () => true,
    report: () => {},
    onChange: () => () => {},
    guard: (work) => work,
    close: () => {},
  }
}

export function createDatabaseHealth(ping: () => Promise<void>, opts: HealthOptions = {}): DatabaseHealth {
  const intervalMs = opts.intervalMs ?? 2000
  const probeMs = opts.probeMs ?? 250
  const deadlineMs = opts.deadlineMs ?? 1500
  const log = opts.log ?? ((event, fields) => console.warn(`[db] ${event}`, JSON.stringify(fields)))
  let available = true
  let since = Date.now()
  let closed = false
  let timer: NodeJS.Timeout | null = null
  // WATCH OUT: one ping at a time. A stalled server answers none of them, and a new ping every tick
  // would pile up on the pool's connections until it is back.
  let inFlight: Promise<boolean> | null = null
  const listeners = new Set<(available: boolean) => void>()
  const downWaiters = new Set<() => void>()

  const set = (next: boolean, reason?: unknown) => {
    if (next === available) return
    available = next
    const wasMs = Date.now() - since
    since = Date.now()
    log(next ? 'database.back' : 'database.away', next ? { awayMs: wasMs } : { error: String(reason ?? '') })
    if (!next) {
      for (const w of [...downWaiters]) w()
      downWaiters.clear()
    }
    for (const l of [...listeners]) {
      try {
        l(next)
      } catch {
        /* a listener's failure is its own */
      }
    }
    schedule()
  }

  const check = (): Promise<boolean> => {
    if (inFlight) return inFlight
    const started = ping().then(
      () => true,
      (err: unknown) => {
        set(false, err)
        return false
      },
    )
    let deadline: NodeJS.Timeout | null = null
    const overdue = new Promise<false>((resolve) => {
      deadline = setTimeout(() => {
        set(false, `no answer within ${deadlineMs} ms`)
        resolve(false)
      }, deadlineMs)
      deadline.unref?.()
    })
    // the answer counts whenever it comes (a stalled server that resumes answers the ping it holds)
    inFlight = started.then((ok) => {
      if (deadline) clearTimeout(deadline)
      inFlight = null
      if (ok) set(true)
      return ok
    })
    return Promise.race([inFlight, overdue])
  }

  function schedule(): void {
    if (closed) return
    if (timer) clearTimeout(timer)
    timer = setTimeout(tick, available ? intervalMs : probeMs)
    timer.unref?.()
  }

  function tick(): void {
    timer = null
    void check().finally(schedule)
  }

  schedule()

  return {
    get available() {
      return available
    },
    check,
    report(err) {
      if (!isDatabaseUnavailable(err)) return
      set(false, err)
      void check()
    },
    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    guard<T>(work: Promise<T>): Promise<T> {
      if (!available) {
        work.catch(() => {}) // nobody waits for it any more
        return Promise.reject(unavailable())
      }
      let waiter: (() => void) | null = null
      const away = new Promise<never>((_, reject) => {
        waiter = () => reject(unavailable())
        downWaiters.add(waiter)
      })
      return Promise.race([work, away]).finally(() => {
        if (waiter) downWaiters.delete(waiter)
      })
    },
    close() {
      closed = true
      if (timer) clearTimeout(timer)
      timer = null
      listeners.clear()
    },
  }
}
