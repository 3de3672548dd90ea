// The job runner of one server process: takes jobs from the database one at a time (a poll, or at once
// when this process queued one: wake()), keeps the lease renewed while a handler runs, writes progress
// as it comes, and ends the job done / failed / cancelled. Durable: all state is in the jobs row, so a
// job whose process died is taken again by any runner once its lease ran out and built again from the
// beginning (see README.md). With several processes on one database, `claim` lets exactly one hold it.
import os from 'node:os'
import { randomBytes } from 'node:crypto'
import type { JobKind } from '../db/schema.ts'
import type { JobFailure, JobRow, Storage } from '../storage/index.ts'

/** why a running handler was told to stop */
export type StopReason = 'cancel' | 'lost' | 'stopping'

export interface JobProgress {
  done: number
  total?: number
  failures?: JobFailure[]
}

export interface JobContext {
  job: JobRow
  /** fires when the job must stop: cancel asked, lease lost, or this runner shutting down */
  signal: AbortSignal
  /** buffered; written to the row at most every `progressMs` (and before the job ends) */
  progress(p: JobProgress): void
}

export interface JobOutcome {
  result: unknown
  done: number
  failures: JobFailure[]
}

export type JobHandler = (ctx: JobContext) => Promise<JobOutcome>

export interface JobRunnerOptions {
  storage: Storage
  handlers: Partial<Record<JobKind, JobHandler>>
  /** lease length; renewed every third of it */
  leaseMs?: number
  /** how often an idle runner looks for work queued by other processes */
  pollMs?: number
  /** the shortest time between two progress writes of one job */
  progressMs?: number
  /** how many times a job may be taken before an expired lease fails it */
  maxAttempts?: number
  /** this runner's name in lease_owner (default host:pid:random) */
  owner?: string
  log?: (line: string) => void
}

export interface JobRunner {
  readonly owner: string
  start(): void
  /** look for work now (a job was just queued by this process) */
  wake(): void
  /** the job this runner is running, if any */
  current(): string | null
  /** stops taking jobs; a running one is stopped and given back to the queue */
  stop(): Promise<void>
}

export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const { storage } = options
  const leaseMs = options.leaseMs ?? 30_000
  const pollMs = options.pollMs ?? 2_000
  const progressMs = options.progressMs ?? 250
  const maxAttempts = options.maxAttempts ?? 3
  const owner = options.owner ?? `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
  const log = options.log ?? ((line: string) => console.log(`[jobs] ${line}`))
  const kinds = Object.keys(options.handlers) as JobKind[]

  let started = false
  let stopping = false
  let loop: Promise<void> | null = null
  let wakeUp: (() => void) | null = null
  let pending = false
  let running: { id: string; abort: (why: StopReason) => void } | null = null

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        wakeUp = null
        resolve()
      }
      wakeUp = done
    })
  }

  async function run(job: JobRow, handler: JobHandler): Promise<void> {
    const controller = new AbortController()
    let why: StopReason | null = null
    const abort = (reason: StopReason) => {
      if (why) return
      why = reason
      controller.abort(reason)
    }
    running = { id: job.id, abort }

    let latest: JobProgress | null = null
    let writing: Promise<void> = Promise.resolve()
    let lastWrite = 0
    let flushTimer: NodeJS.Timeout | null = null
    const write = () => {
      flushTimer = null
      const p = latest
      if (!p || why) return
      latest = null
      lastWrite = Date.now()
      writing = writing
        .then(() => storage.jobs.progress(job.id, owner, p))
        .then((r) => {
          if (!r) abort('lost')
          else if (r.cancelRequested) abort('cancel')
        })
        .catch((err) => log(`progress of ${job.id} not written: ${(err as Error).message}`))
    }
    const progress = (p: JobProgress) => {
      latest = { ...latest, ...p }
      if (flushTimer) return
      flushTimer = setTimeout(write, Math.max(0, lastWrite + progressMs - Date.now()))
    }
    const renewTimer = setInterval(() => {
      storage.jobs
        .renew(job.id, owner, leaseMs)
        .then((r) => {
          if (!r) abort('lost')
          else if (r.cancelRequested) abort('cancel')
        })
        .catch((err) => log(`lease of ${job.id} not renewed: ${(err as Error).message}`))
    }, Math.max(100, Math.floor(leaseMs / 3)))

    let outcome: JobOutcome | null = null
    let failure: unknown = null
    try {
      outcome = await handler({ job, signal: controller.signal, progress })
    } catch (err) {
      failure = err
    } finally {
      clearInterval(renewTimer)
      if (flushTimer) clearTimeout(flushTimer)
      await writing
      running = null
    }

    const stoppedFor = why as StopReason | null
    try {
      if (stoppedFor === 'lost') {
        log(`job ${job.id}: lease lost to another runner; this run's work is dropped`)
      } else if (stoppedFor === 'stopping') {
        await storage.jobs.release(job.id, owner)
        log(`job ${job.id}: given back to the queue (shutting down)`)
      } else if (stoppedFor === 'cancel') {
        const current = await storage.jobs.get(job.id)
        await storage.jobs.finish(job.id, owner, { status: 'cancelled', error: current?.error ?? '已取消', ...(latest ? { done: (latest as JobProgress).done } : {}) })
        log(`job ${job.id}: cancelled`)
      } else if (failure) {
        const message = failure instanceof Error ? failure.message : String(failure)
        await storage.jobs.finish(job.id, owner, { status: 'failed', error: message })
        log(`job ${job.id}: failed: ${message}`)
      } else if (outcome) {
        const ok = await storage.jobs.finish(job.id, owner, { status: 'done', result: outcome.result, done: outcome.done, failures: outcome.failures })
        log(`job ${job.id}: ${ok ? 'done' : 'finished after its lease was lost; result dropped'}`)
      }
    } catch (err) {
      // The row stays running; its lease runs out and another take settles it.
      log(`job ${job.id}: end not recorded: ${(err as Error).message}`)
    }
  }

  async function main(): Promise<void> {
    while (!stopping) {
      pending = false
      let job: JobRow | null = null
      for (const kind of kinds) {
        try {
          job = await storage.jobs.claim({ kind, owner, leaseMs, maxAttempts })
        } catch (err) {
          log(`claim failed: ${(err as Error).message}`)
        }
        if (job) break
      }
      if (stopping) {
        if (job) await storage.jobs.release(job.id, owner).catch(() => {})
        break
      }
      if (job) {
        log(`job ${job.id} (${job.kind}) taken, attempt ${job.attempts}`)
        await run(job, options.handlers[job.kind]!)
        continue
      }
      if (!pending) await sleep(pollMs)
    }
  }

  return {
    owner,
    start() {
      if (started) return
      started = true
      loop = main().catch((err) => log(`runner stopped by an error: ${(err as Error).message}`))
    },
    wake() {
      pending = true
      wakeUp?.()
    },
    current: () => running?.id ?? null,
    async stop() {
      stopping = true
      running?.abort('stopping')
      wakeUp?.()
      await loop
    },
  }
}
