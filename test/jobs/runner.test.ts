// Durable jobs: the claim and lease of the jobs repository and the runner around it, on PGlite and
// PostgreSQL. With two runners (two pools, as two server processes would have) on one PostgreSQL database,
// every job runs exactly once, and a job whose holder stopped renewing is taken over after its lease.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type Database } from '../../server/db/open.ts'
import { createJobRunner, type JobHandler, type JobRunner } from '../../server/jobs/runner.ts'
import { createStorage, type Storage } from '../../server/storage/index.ts'
import { openTestDatabase, type OpenedTestDatabase, type TestDatabaseKind } from '../helpers/database.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const t0 = Date.now()
  for (;;) {
    const v = await fn()
    if (ok(v)) return v
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out; last: ${JSON.stringify(v)}`)
    await sleep(25)
  }
}

const params = { year: 2024, format: 'xlsx', edition: 'internal' }

for (const kind of ['pglite', 'postgres'] as TestDatabaseKind[]) {
  describe(`jobs on ${kind}`, () => {
    let database: OpenedTestDatabase
    let storage: Storage
    beforeAll(async () => {
      database = await openTestDatabase(kind)
      storage = createStorage(database.db)
    })
    afterAll(async () => {
      await database?.dispose()
    })

    it('claims the oldest queued job once; the lease holder alone may write; an expired lease is taken over', async () => {
      const a = await storage.jobs.create({ kind: 'compilation', params, total: 3 })
      const b = await storage.jobs.create({ kind: 'compilation', params, total: 3 })
      const first = await storage.jobs.claim({ kind: 'compilation', owner: 'A', leaseMs: 60_000, maxAttempts: 3 })
      expect(first).toMatchObject({ id: a.id, status: 'running', leaseOwner: 'A', attempts: 1 })
      const second = await storage.jobs.claim({ kind: 'compilation', owner: 'B', leaseMs: 300, maxAttempts: 3 })
      expect(second).toMatchObject({ id: b.id, leaseOwner: 'B' })
      expect(await storage.jobs.claim({ kind: 'compilation', owner: 'C', leaseMs: 300, maxAttempts: 3 })).toBeNull()

      // B stops renewing: after its lease, C takes the job over and B's writes are refused.
      await sleep(400)
      const taken = await storage.jobs.claim({ kind: 'compilation', owner: 'C', leaseMs: 60_000, maxAttempts: 3 })
      expect(taken).toMatchObject({ id: b.id, leaseOwner: 'C', attempts: 2, done: 0 })
      expect(await storage.jobs.progress(b.id, 'B', { done: 2 })).toBeNull()
      expect(await storage.jobs.renew(b.id, 'B', 1000)).toBeNull()
      expect(await storage.jobs.finish(b.id, 'B', { status: 'done', result: { x: 1 } })).toBe(false)
      expect(await storage.jobs.progress(b.id, 'C', { done: 1, failures: [{ tableId: 't', title: '甲', reason: '坏' }] })).toEqual({ cancelRequested: false })
      expect(await storage.jobs.finish(b.id, 'C', { status: 'done', result: { ok: true }, done: 3 })).toBe(true)
      expect(await storage.jobs.get(b.id)).toMatchObject({ status: 'done', done: 3, result: { ok: true }, leaseOwner: null, failures: [{ tableId: 't' }] })

      // A cancel reaches the holder through its next write.
      await storage.jobs.requestCancel(a.id, '已取消')
      expect(await storage.jobs.renew(a.id, 'A', 60_000)).toEqual({ cancelRequested: true })
      expect(await storage.jobs.finish(a.id, 'A', { status: 'cancelled', error: '已取消' })).toBe(true)
    })

    it('settles expired leases that must not run again: a cancelled one, one out of attempts', async () => {
      const c = await storage.jobs.create({ kind: 'compilation', params })
      expect((await storage.jobs.claim({ kind: 'compilation', owner: 'A', leaseMs: 100, maxAttempts: 1 }))?.id).toBe(c.id)
      const d = await storage.jobs.create({ kind: 'compilation', params })
      expect((await storage.jobs.claim({ kind: 'compilation', owner: 'A', leaseMs: 100, maxAttempts: 1 }))?.id).toBe(d.id)
      await storage.jobs.requestCancel(d.id, '不要了')
      await sleep(200)
      expect(await storage.jobs.claim({ kind: 'compilation', owner: 'B', leaseMs: 1000, maxAttempts: 1 })).toBeNull()
      expect(await storage.jobs.get(c.id)).toMatchObject({ status: 'failed', error: expect.stringContaining('中断 1 次') })
      expect(await storage.jobs.get(d.id)).toMatchObject({ status: 'cancelled', error: '不要了' })
      // A queued job cancelled before anyone took it is never taken.
      const e = await storage.jobs.create({ kind: 'compilation', params })
      expect(await storage.jobs.requestCancel(e.id, '排队时取消')).toMatchObject({ status: 'cancelled', error: '排队时取消' })
      expect(await storage.jobs.claim({ kind: 'compilation', owner: 'B', leaseMs: 1000, maxAttempts: 3 })).toBeNull()
    })

    it('runs jobs: progress is written as it comes, a throw fails the job, a cancel stops it, stop() gives the job back', async () => {
      const seen: number[] = []
      let release: (() => void) | null = null
      const handler: JobHandler = async ({ job, signal, progress }) => {
        const mode = (job.params as { mode: string }).mode
        if (mode === 'fail') throw new Error('坏了')
        for (let i = 1; i <= 5; i++) {
          if (signal.aborted) throw new Error('stopped')
          progress({ done: i, total: 5 })
          await sleep(mode === 'slow' ? 200 : 30)
        }
        if (mode === 'hold') await new Promise<void>((r) => { release = r; signal.addEventListener('abort', () => r()) })
        if (signal.aborted) throw new Error('stopped')
        return { result: { mode }, done: 5, failures: [] }
      }
      const runner = createJobRunner({ storage, handlers: { compilation: handler }, leaseMs: 600, pollMs: 50, progressMs: 0, log: () => {} })
      runner.start()
      try {
        const ok = await storage.jobs.create({ kind: 'compilation', params: { mode: 'ok' } })
        runner.wake()
        const done = await waitFor(async () => {
          const j = (await storage.jobs.get(ok.id))!
          seen.push(j.done)
          return j
        }, (j) => j.status === 'done')
        expect(done).toMatchObject({ done: 5, total: 5, result: { mode: 'ok' } })
        expect(seen).toEqual([...seen].sort((x, y) => x - y))

        const bad = await storage.jobs.create({ kind: 'compilation', params: { mode: 'fail' } })
        runner.wake()
        expect(await waitFor(() => storage.jobs.get(bad.id), (j) => j!.status === 'failed')).toMatchObject({ error: '坏了' })

        const slow = await storage.jobs.create({ kind: 'compilation', params: { mode: 'slow' } })
        runner.wake()
        await waitFor(() => storage.jobs.get(slow.id), (j) => j!.done >= 1)
        await storage.jobs.requestCancel(slow.id, '用户取消')
        const cancelled = await waitFor(() => storage.jobs.get(slow.id), (j) => j!.status === 'cancelled')
        expect(cancelled!.done).toBeLessThan(5)
        expect(cancelled!.error).toBe('用户取消')

        // Outlives several lease lengths while held: renewal keeps it.
        const held = await storage.jobs.create({ kind: 'compilation', params: { mode: 'hold' } })
        runner.wake()
        await waitFor(() => storage.jobs.get(held.id), (j) => j!.done === 5)
        await sleep(1500)
        expect(await storage.jobs.claim({ kind: 'compilation', owner: 'other', leaseMs: 1000, maxAttempts: 3 })).toBeNull()
        expect(runner.current()).toBe(held.id)
        await runner.stop()
        expect(release).not.toBeNull()
        expect(await storage.jobs.get(held.id)).toMatchObject({ status: 'queued', leaseOwner: null })
        await storage.jobs.requestCancel(held.id, '清理')
      } finally {
        await runner.stop()
      }
    })
  })
}

describe('two runners on one PostgreSQL database', () => {
  let database: OpenedTestDatabase
  let second: Database
  const runners: JobRunner[] = []
  beforeAll(async () => {
    database = await openTestDatabase('postgres')
    second = await openDatabase({ url: database.url!, poolSize: 5 })
  })
  afterAll(async () => {
    for (const r of runners) await r.stop()
    await second?.close()
    await database?.dispose()
  })

  it('never both run one job: 30 jobs, each run exactly once, by whichever claimed it', async () => {
    const runs: { jobId: string; owner: string }[] = []
    const active = new Set<string>()
    let overlap = 0
    const handler = (owner: string): JobHandler => async ({ job, progress }) => {
      if (active.has(job.id)) overlap++
      active.add(job.id)
      runs.push({ jobId: job.id, owner })
      progress({ done: 1, total: 1 })
      await sleep(20 + Math.random() * 40)
      active.delete(job.id)
      return { result: { owner }, done: 1, failures: [] }
    }
    const stores = [createStorage(database.db), createStorage(second.db)]
    stores.forEach((storage, i) => {
      const r = createJobRunner({ storage, handlers: { compilation: handler(`R${i}`) }, owner: `R${i}`, leaseMs: 5_000, pollMs: 20, progressMs: 0, log: () => {} })
      runners.push(r)
    })
    const ids: string[] = []
    for (let i = 0; i < 30; i++) ids.push((await stores[i % 2]!.jobs.create({ kind: 'compilation', params: { i } })).id)
    for (const r of runners) r.start()
    await waitFor(() => stores[0]!.jobs.list('compilation'), (jobs) => jobs.filter((j) => j.status === 'done').length === 30, 30_000)
    expect(overlap).toBe(0)
    expect(runs.map((r) => r.jobId).sort()).toEqual([...ids].sort())
    expect(new Set(runs.map((r) => r.owner))).toEqual(new Set(['R0', 'R1']))
    const jobs = await stores[1]!.jobs.list('compilation')
    for (const j of jobs) expect((j.result as { owner: string }).owner).toBe(runs.find((r) => r.jobId === j.id)!.owner)
    for (const r of runners) await r.stop()
  })

  it('races of bare claims from both pools hand each job to one claimer', async () => {
    const stores = [createStorage(database.db), createStorage(second.db)]
    const ids = new Set<string>()
    for (let i = 0; i < 12; i++) ids.add((await stores[0]!.jobs.create({ kind: 'compilation', params: { race: i } })).id)
    const claims = await Promise.all(
      Array.from({ length: 40 }, (_, i) => stores[i % 2]!.jobs.claim({ kind: 'compilation', owner: `C${i}`, leaseMs: 60_000, maxAttempts: 3 })),
    )
    const got = claims.filter((c) => c !== null).map((c) => c!.id)
    expect(got.length).toBe(12)
    expect(new Set(got)).toEqual(ids)
  })
})
