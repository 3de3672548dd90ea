// The compiled book job (汇编成册): plans the book, starts a book worker (a child process, see
// book-worker.ts), reads the approved versions from storage a small batch at a time and sends them over,
// records progress and per-table failures on the job row, and at the end renames the finished
// `.part` file into place next to its manifest. Any way out other than success — cancel, lost lease,
// worker killed, disk full — leaves no book file behind.
import { fork, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { compilationBody, type CompilationBody } from '../../shared/api/export.ts'
import type { TargetTable } from '../../shared/model/index.ts'
import type { ExportSource } from '../export/document.ts'
import type { BookCandidate, FrozenContent, JobFailure, Storage } from '../storage/index.ts'
import { bookPath, downloadName, manifestPath, partPath, removeJobFiles } from './book-files.ts'
import type { FromWorker, ToWorker } from './book-protocol.ts'
import { planBook } from './compilation-plan.ts'
import type { JobHandler } from './runner.ts'

const WORKER_FILE = fileURLToPath(new URL('./book-worker.ts', import.meta.url))
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
/** coreutils' nice, when this system has it */
const NICE = ['/usr/bin/nice', '/bin/nice'].find((p) => existsSync(p)) ?? null

export interface CompilationDeps {
  storage: Storage
  dataDir: string
  /** approved versions read per query (default 25) */
  batchSize?: number
  /** tables sent ahead of what the worker has finished (default 50) */
  window?: number
  /** the worker's heap limit in MB (default 2048): a bigger book fails the job, not the machine */
  workerHeapMb?: number
  /** told each worker's pid as it starts (tests and the bench watch or kill it) */
  onWorker?: (jobId: string, pid: number) => void
}

export interface CompilationResult {
  file: { name: string; bytes: number; tables: number }
  /** file names inside DATA_DIR/compilations */
  path: string
  manifest: string
  format: CompilationBody['format']
  ms: number
  workerMaxRssKb: number
}

export interface ManifestEntry {
  tableId: string
  title: string
  departmentId: string
  departmentName: string
  version: number
  approvedAt: string | null
  printed: boolean
}

/** Why the worker's error stops the book, in words for the job's page. */
function fatalReason(m: { message: string; code?: string }): string {
  if (m.code === 'ENOSPC' || m.code === 'EDQUOT') return `磁盘空间不足，汇编文件未能写完（${m.message}）`
  return `汇编文件生成失败：${m.message}`
}

class WorkerLink {
  readonly child: ChildProcess
  private waiter: (() => void) | null = null
  private stderrTail = ''
  ready = false
  finished: { bytes: number; maxRssKb: number } | null = null
  fatal: string | null = null
  exited: string | null = null
  acked = 0
  readonly failures: JobFailure[] = []
  readonly printed = new Set<string>()
  private readonly exit: Promise<void>

  constructor(heapMb: number, private readonly onTable: () => void, private readonly titleOf: (tableId: string) => string) {
    // The book yields to the live server: on a busy machine the editors' CPU comes first. The worker
    // starts under `nice -n 19` so every thread it has (V8's GC helpers, libuv's pool, Typst's) runs at
    // the lowest weight — os.setPriority after the fork would reach only its main thread. An idle CPU
    // still runs the book at full speed. bench/README.md → book.ts.
    const nodeFlags = ['--import', 'tsx', `--max-old-space-size=${heapMb}`]
    this.child = fork(WORKER_FILE, [], {
      cwd: ROOT,
      ...(NICE ? { execPath: NICE, execArgv: ['-n', '19', process.execPath, ...nodeFlags] } : { execArgv: nodeFlags }),
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    })
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-2000)
    })
    this.child.on('message', (m: FromWorker) => this.receive(m))
    this.exit = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        if (!this.finished || code !== 0) {
          const oom = /heap out of memory|Allocation failed/i.test(this.stderrTail) ? '，内存不足' : ''
          this.exited = `汇编进程意外退出（${signal ? `信号 ${signal}` : `退出码 ${code}`}${oom}）`
        }
        this.poke()
        resolve()
      })
    })
    this.child.on('error', (err) => {
      this.exited = `汇编进程无法启动：${err.message}`
      this.poke()
    })
  }

  private receive(m: FromWorker): void {
    switch (m.type) {
      case 'ready':
        this.ready = true
        break
      case 'table':
        this.acked++
        if (m.ok) this.printed.add(m.tableId)
        else this.failures.push({ tableId: m.tableId, title: this.titleOf(m.tableId), reason: m.reason })
        this.onTable()
        break
      case 'finished':
        this.finished = { bytes: m.bytes, maxRssKb: m.maxRssKb }
        break
      case 'fatal':
        this.fatal = fatalReason(m)
        break
      case 'aborted':
        break
    }
    this.poke()
  }

  poke(): void {
    const w = this.waiter
    this.waiter = null
    w?.()
  }

  send(m: ToWorker): void {
    if (this.child.connected) this.child.send(m)
  }

  /** waits until `cond` holds; throws when the worker failed or died, or the job must stop */
  async until(cond: () => boolean, signal: AbortSignal): Promise<void> {
    for (;;) {
      if (this.fatal) throw new Error(this.fatal)
      if (cond()) return
      if (this.exited) throw new Error(this.exited)
      if (signal.aborted) throw new Error('已停止')
      await new Promise<void>((resolve) => (this.waiter = resolve))
    }
  }

  /** ends the worker: asks it to drop its file, then kills it if it does not go */
  async close(abort: boolean): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      if (abort) this.send({ type: 'abort' })
      if (this.child.connected) this.child.disconnect()
      const timer = setTimeout(() => this.child.kill('SIGKILL'), abort ? 5_000 : 10_000)
      await this.exit
      clearTimeout(timer)
    }
  }
}

function sourceOf(t: BookCandidate, v: FrozenContent, edition: CompilationBody['edition']): ExportSource {
  return {
    tableId: t.tableId,
    table: v.content as TargetTable,
    title: t.title,
    departmentName: t.departmentName,
    status: 'approved',
    version: v.version,
    versionReason: v.reason,
    versionAt: v.createdAt,
    edition,
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  await fs.writeFile(`${file}.part`, text)
  await fs.rename(`${file}.part`, file)
}

export function compilationHandler(deps: CompilationDeps): JobHandler {
  const batchSize = deps.batchSize ?? 25
  const window = deps.window ?? 50
  const heapMb = deps.workerHeapMb ?? 2048

  return async ({ job, signal, progress }) => {
    const t0 = Date.now()
    const params = compilationBody.parse(job.params)
    const { plan, tables } = await planBook(deps.storage, params)
    const total = tables.length
    progress({ done: 0, total, failures: [] })

    const finalFile = bookPath(deps.dataDir, job.id, params.format)
    const part = partPath(deps.dataDir, job.id, params.format, job.attempts)
    await fs.mkdir(path.dirname(finalFile), { recursive: true })
    // An earlier attempt's leftovers (its process died) and any earlier book of this job go first.
    await removeJobFiles(deps.dataDir, job.id, (file) => file.startsWith(part))

    const titles = new Map(tables.map((t) => [t.tableId, t.title || '未命名']))
    const link = new WorkerLink(heapMb, () => progress({ done: link.acked, failures: [...link.failures] }), (id) => titles.get(id) ?? id)
    const poke = () => link.poke()
    signal.addEventListener('abort', poke)
    if (link.child.pid) deps.onWorker?.(job.id, link.child.pid)
    let complete = false
    try {
      link.send({ type: 'start', format: params.format, path: part, plan })
      await link.until(() => link.ready, signal)

      const approvedAt = new Map<string, Date>()
      let sent = 0
      for (let i = 0; i < total; i += batchSize) {
        const batch = tables.slice(i, i + batchSize)
        const rows = await deps.storage.book.contents(batch.map((t) => ({ tableId: t.tableId, version: t.version })))
        const byTable = new Map(rows.map((r) => [r.tableId, r]))
        for (const t of batch) {
          await link.until(() => sent - link.acked < window, signal)
          const v = byTable.get(t.tableId)
          if (v) {
            approvedAt.set(t.tableId, v.createdAt)
            link.send({ type: 'table', source: sourceOf(t, v, params.edition) })
          } else {
            link.send({ type: 'skip', tableId: t.tableId, reason: `第 ${t.version} 版的内容不存在` })
          }
          sent++
        }
      }
      await link.until(() => link.acked === total, signal)
      link.send({ type: 'finish' })
      await link.until(() => link.finished !== null, signal)
      const finished = link.finished!

      const name = downloadName(plan.title, params.edition, params.format)
      const entries: ManifestEntry[] = tables.map((t) => ({
        tableId: t.tableId, title: t.title, departmentId: t.departmentId, departmentName: t.departmentName, version: t.version,
        approvedAt: approvedAt.get(t.tableId)?.toISOString() ?? null, printed: link.printed.has(t.tableId),
      }))
      const manifest = {
        jobId: job.id, title: plan.title, params, compiledAt: plan.compiledAt.toISOString(),
        file: { name, path: path.basename(finalFile), bytes: finished.bytes, tables: link.printed.size },
        entries, failures: link.failures,
      }
      await writeAtomically(manifestPath(deps.dataDir, job.id), JSON.stringify(manifest, null, 1))
      if (signal.aborted) throw new Error('已停止')
      await fs.rename(part, finalFile)
      complete = true
      const result: CompilationResult = {
        file: { name, bytes: finished.bytes, tables: link.printed.size },
        path: path.basename(finalFile),
        manifest: path.basename(manifestPath(deps.dataDir, job.id)),
        format: params.format,
        ms: Date.now() - t0,
        workerMaxRssKb: finished.maxRssKb,
      }
      return { result, done: total, failures: link.failures }
    } catch (err) {
      const code = (err as { code?: unknown } | null)?.code
      if (code === 'ENOSPC' || code === 'EDQUOT') throw new Error(`磁盘空间不足，汇编文件未能写完（${(err as Error).message}）`)
      throw err
    } finally {
      signal.removeEventListener('abort', poke)
      await link.close(!complete)
      if (!complete) {
        // A lost lease means another runner is building this job now: only this attempt's file goes.
        if (signal.reason === 'lost') await fs.rm(part, { force: true }).catch(() => {})
        else await removeJobFiles(deps.dataDir, job.id).catch(() => {})
      }
    }
  }
}
