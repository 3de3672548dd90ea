// The compiled book (汇编成册) routes, finance only: request a book (queued as a durable job, built by a
// runner: server/jobs), list past and running books, follow one's progress, download it, cancel or delete.
import { createReadStream } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import { Hono } from 'hono'
import {
  JOB_STATUS_LABELS, compilationBody, type CompilationAccepted, type CompilationFailure, type CompilationList, type CompilationStatus,
} from '../../../shared/api/export.ts'
import { AppError } from '../../../shared/errors.ts'
import { compilationsDir, removeJobFiles } from '../../jobs/book-files.ts'
import type { CompilationResult } from '../../jobs/compilation.ts'
import { countBook } from '../../jobs/compilation-plan.ts'
import type { Job } from '../../storage/index.ts'
import type { AppDeps, AppEnv } from '../context.ts'
import { parseRequest, readJson, requireRole } from '../guards.ts'
import { attachmentHeader } from './opinions.ts'

const CONTENT_TYPES = { xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', pdf: 'application/pdf' } as const
const FINISHED = new Set(['done', 'failed', 'cancelled'])

/** Seconds left from the rate so far; null before the first table or when not running. */
function etaSeconds(job: Job, now = Date.now()): number | null {
  if (job.status !== 'running' || !job.startedAt || job.done <= 0) return null
  if (job.done >= job.total) return 0
  const perTable = (now - job.startedAt.getTime()) / 1000 / job.done
  return Math.round(perTable * (job.total - job.done) * 10) / 10
}

export function compilationAnswer(job: Job): CompilationStatus {
  const result = job.result as CompilationResult | null
  return {
    jobId: job.id,
    status: job.status,
    done: job.done,
    total: job.total,
    failures: (job.failures ?? []) as CompilationFailure[],
    etaSeconds: etaSeconds(job),
    params: compilationBody.parse(job.params),
    error: job.error,
    file: job.status === 'done' && result?.file ? result.file : null,
    createdBy: job.createdBy,
    createdByName: job.createdByName,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  }
}

export function compilationRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>()
  const { storage } = deps
  const dataDir = deps.config.dataDir

  async function requireJob(jobId: string): Promise<Job> {
    const job = await storage.jobs.get(jobId)
    if (!job || job.kind !== 'compilation') throw new AppError('not_found', `汇编任务不存在：${jobId}`, { jobId })
    return job
  }

  app.post('/compilations', async (c) => {
    const caller = requireRole(c, 'finance')
    const params = parseRequest(compilationBody, await readJson(c))
    const total = await countBook(storage, params)
    const job = await storage.transaction(async (tx) => {
      const created = await tx.jobs.create({ kind: 'compilation', params, total, createdBy: caller.user.id })
      await tx.audit.record({ userId: caller.user.id, action: 'compilation.start', details: { jobId: created.id, ...params, total } })
      return created
    })
    deps.jobs?.wake()
    return c.json({ jobId: job.id, total } satisfies CompilationAccepted, 202)
  })

  app.get('/compilations', async (c) => {
    requireRole(c, 'finance')
    const jobs = await storage.jobs.list('compilation')
    return c.json({ compilations: jobs.map((j) => compilationAnswer(j)) } satisfies CompilationList)
  })

  app.get('/compilations/:jobId', async (c) => {
    requireRole(c, 'finance')
    return c.json(compilationAnswer(await requireJob(c.req.param('jobId'))))
  })

  app.get('/compilations/:jobId/file', async (c) => {
    requireRole(c, 'finance')
    const job = await requireJob(c.req.param('jobId'))
    const result = job.result as CompilationResult | null
    if (job.status !== 'done' || !result) {
      throw new AppError('conflict', `汇编尚未完成（${JOB_STATUS_LABELS[job.status]}），没有可下载的文件`, { status: job.status })
    }
    const file = path.join(compilationsDir(dataDir), path.basename(result.path))
    const stat = await fs.stat(file).catch(() => null)
    if (!stat) throw new AppError('not_found', '汇编文件已不存在，请重新汇编', { jobId: job.id })
    const body = Readable.toWeb(createReadStream(file)) as unknown as ReadableStream
    return c.body(body, 200, {
      'content-type': CONTENT_TYPES[result.format],
      'content-length': String(stat.size),
      'content-disposition': attachmentHeader(result.file.name, `compilation-${job.id}.${result.format}`),
      'cache-control': 'no-store',
    })
  })

  app.delete('/compilations/:jobId', async (c) => {
    const caller = requireRole(c, 'finance')
    const job = await requireJob(c.req.param('jobId'))
    if (!FINISHED.has(job.status)) {
      const now = await storage.jobs.requestCancel(job.id, `已由${caller.user.displayName}取消`)
      await storage.audit.record({ userId: caller.user.id, action: 'compilation.cancel', details: { jobId: job.id, status: job.status, done: job.done, total: job.total } })
      return c.json(compilationAnswer(now ?? job))
    }
    // A finished book: its file and manifest go, and the job with them (the audit log keeps the trace).
    const removed = await removeJobFiles(dataDir, job.id)
    await storage.jobs.remove(job.id)
    await storage.audit.record({ userId: caller.user.id, action: 'compilation.delete', details: { jobId: job.id, status: job.status, files: removed } })
    return c.json({ ...compilationAnswer(job), file: null })
  })

  return app
}
