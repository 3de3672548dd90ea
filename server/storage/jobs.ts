// Durable background jobs (the compiled book today): a row per job with its status, progress and lease.
// A runner takes a job by `claim` — one UPDATE that picks the oldest queued job, or a running one whose
// lease ran out (its process died), skipping rows another claimer holds — so with several processes on
// one database exactly one of them holds a job's lease. Every later write of a runner names itself as
// the lease owner and is refused (answers null) once the lease went to someone else.
import { and, desc, eq, sql } from 'drizzle-orm'
import type { JobStatus } from '../../shared/api/export.ts'
import type { Db } from '../db/open.ts'
import { executeRows } from '../db/execute.ts'
import { jobs, users, type JobKind } from '../db/schema.ts'

export type JobRow = typeof jobs.$inferSelect
export type Job = JobRow & { createdByName: string | null }

export interface NewJob {
  kind: JobKind
  params: unknown
  total?: number
  createdBy?: string | null
}

export interface JobFailure {
  tableId: string
  title: string
  reason: string
}

export interface ClaimOptions {
  kind: JobKind
  owner: string
  leaseMs: number
  /** a job taken this many times already (each take after a lost lease) ends failed instead */
  maxAttempts: number
}

export interface JobRepository {
  create(input: NewJob): Promise<Job>
  get(id: string): Promise<Job | null>
  /** newest first */
  list(kind: JobKind, limit?: number): Promise<Job[]>
  /**
   * Takes the oldest queued job of `kind`, or a running one whose lease expired, for `owner`:
   * status running, a fresh lease, attempts + 1, progress reset. Null when there is none.
   * Before taking, settles expired leases that must not run again: cancel requested → cancelled,
   * attempts used up → failed.
   */
  claim(options: ClaimOptions): Promise<JobRow | null>
  /** extends the lease; null when `owner` no longer holds it. Answers whether a cancel was asked for. */
  renew(id: string, owner: string, leaseMs: number): Promise<{ cancelRequested: boolean } | null>
  /** progress of the holder (also extends nothing); null when `owner` no longer holds the lease */
  progress(id: string, owner: string, p: { done: number; total?: number; failures?: JobFailure[] }): Promise<{ cancelRequested: boolean } | null>
  /** ends a job the owner holds; false when the lease was lost meanwhile */
  finish(id: string, owner: string, end: { status: Extract<JobStatus, 'done' | 'failed' | 'cancelled'>; result?: unknown; error?: string | null; done?: number; failures?: JobFailure[] }): Promise<boolean>
  /** gives a job back to the queue (a runner shutting down): claimable at once by anyone */
  release(id: string, owner: string): Promise<boolean>
  /**
   * Asks a job to stop: a queued one is cancelled at once, a running one is flagged for its runner.
   * Answers the job as it now is; null when it does not exist.
   */
  requestCancel(id: string, reason: string): Promise<Job | null>
  remove(id: string): Promise<boolean>
}

export function createJobRepository(db: Db): JobRepository {
  const withName = () =>
    db
      .select({ job: jobs, createdByName: users.displayName })
      .from(jobs)
      .leftJoin(users, eq(users.id, jobs.createdBy))
  const flat = (r: { job: JobRow; createdByName: string | null }): Job => ({ ...r.job, createdByName: r.createdByName })
  const lease = (ms: number) => sql`now() + ${`${Math.max(1, Math.round(ms))} milliseconds`}::interval`

  async function get(id: string): Promise<Job | null> {
    const [row] = await withName().where(eq(jobs.id, id))
    return row ? flat(row) : null
  }

  return {
    async create(input) {
      const [row] = await db
        .insert(jobs)
        .values({ kind: input.kind, params: input.params, total: input.total ?? 0, createdBy: input.createdBy ?? null })
        .returning()
      return (await get(row!.id))!
    },

    get,

    async list(kind, limit = 200) {
      const rows = await withName().where(eq(jobs.kind, kind)).orderBy(desc(jobs.createdAt), desc(jobs.id)).limit(limit)
      return rows.map(flat)
    },

    async claim({ kind, owner, leaseMs, maxAttempts }) {
      // Expired leases that must not run again are settled first (each one UPDATE, safe to race).
      await db
        .update(jobs)
        .set({ status: 'cancelled', error: sql`coalesce(${jobs.error}, '已取消')`, finishedAt: sql`now()`, leaseOwner: null, leaseUntil: null, updatedAt: sql`now()` })
        .where(and(eq(jobs.kind, kind), eq(jobs.status, 'running'), eq(jobs.cancelRequested, true), sql`${jobs.leaseUntil} < now()`))
      await db
        .update(jobs)
        .set({
          status: 'failed',
          error: sql`${`任务已中断 ${maxAttempts} 次（服务进程在生成途中退出），不再重试`}`,
          finishedAt: sql`now()`, leaseOwner: null, leaseUntil: null, updatedAt: sql`now()`,
        })
        .where(and(eq(jobs.kind, kind), eq(jobs.status, 'running'), sql`${jobs.leaseUntil} < now()`, sql`${jobs.attempts} >= ${maxAttempts}`))
      // WATCH OUT: one statement. The inner SELECT … FOR UPDATE SKIP LOCKED makes a concurrent claimer
      // skip the row this one is taking; after this commits the row is running with a live lease, so
      // no later claimer qualifies it either.
      const rows = await executeRows<Record<string, unknown>>(
        db,
        sql`update ${jobs} set
              status = 'running', lease_owner = ${owner}, lease_until = ${lease(leaseMs)},
              attempts = attempts + 1, started_at = now(), done = 0, failures = '[]'::jsonb, error = null, updated_at = now()
            where id = (
              select id from ${jobs}
              where kind = ${kind} and cancel_requested = false
                and (status = 'queued' or (status = 'running' and lease_until < now()))
              order by created_at, id
              limit 1
              for update skip locked
            )
            returning id`,
      )
      const id = rows[0]?.id as string | undefined
      if (!id) return null
      const [row] = await db.select().from(jobs).where(eq(jobs.id, id))
      return row ?? null
    },

    async renew(id, owner, leaseMs) {
      const [row] = await db
        .update(jobs)
        .set({ leaseUntil: lease(leaseMs), updatedAt: sql`now()` })
        .where(and(eq(jobs.id, id), eq(jobs.leaseOwner, owner), eq(jobs.status, 'running')))
        .returning({ cancelRequested: jobs.cancelRequested })
      return row ?? null
    },

    async progress(id, owner, p) {
      const [row] = await db
        .update(jobs)
        .set({
          done: p.done,
          ...(p.total !== undefined ? { total: p.total } : {}),
          ...(p.failures !== undefined ? { failures: p.failures } : {}),
          updatedAt: sql`now()`,
        })
        .where(and(eq(jobs.id, id), eq(jobs.leaseOwner, owner), eq(jobs.status, 'running')))
        .returning({ cancelRequested: jobs.cancelRequested })
      return row ?? null
    },

    async finish(id, owner, end) {
      const rows = await db
        .update(jobs)
        .set({
          status: end.status,
          result: end.result ?? null,
          error: end.error ?? null,
          ...(end.done !== undefined ? { done: end.done } : {}),
          ...(end.failures !== undefined ? { failures: end.failures } : {}),
          finishedAt: sql`now()`, leaseOwner: null, leaseUntil: null, updatedAt: sql`now()`,
        })
        .where(and(eq(jobs.id, id), eq(jobs.leaseOwner, owner), eq(jobs.status, 'running')))
        .returning({ id: jobs.id })
      return rows.length === 1
    },

    async release(id, owner) {
      const rows = await db
        .update(jobs)
        .set({ status: 'queued', leaseOwner: null, leaseUntil: null, updatedAt: sql`now()` })
        .where(and(eq(jobs.id, id), eq(jobs.leaseOwner, owner), eq(jobs.status, 'running')))
        .returning({ id: jobs.id })
      return rows.length === 1
    },

    async requestCancel(id, reason) {
      await db
        .update(jobs)
        .set({ status: 'cancelled', cancelRequested: true, error: reason, finishedAt: sql`now()`, updatedAt: sql`now()` })
        .where(and(eq(jobs.id, id), eq(jobs.status, 'queued')))
      await db
        .update(jobs)
        .set({ cancelRequested: true, error: reason, updatedAt: sql`now()` })
        .where(and(eq(jobs.id, id), eq(jobs.status, 'running')))
      return get(id)
    },

    async remove(id) {
      const rows = await db.delete(jobs).where(eq(jobs.id, id)).returning({ id: jobs.id })
      return rows.length === 1
    },
  }
}
