// Imports run off the server's event loop: a worker thread (import-worker.ts) reads the workbook and
// recognises its tables, so a 20-table workbook does not stall live editing, and a hostile file that
// slips past the preflight bounds meets the worker's own heap limit instead of the server's.
// One warm worker serves imports one at a time; a worker that dies or times out fails its request with
// a Chinese reason and the next request starts a new one.
import { Worker } from 'node:worker_threads'
import { AppError, type ErrorCode } from '../../shared/errors.ts'
import type { SheetGrid } from './grid.ts'
import type { ImportProblem } from '../../shared/api/imports.ts'
import type { importWorkbook } from './index.ts'
import type { LibrarySheetRead } from './library-read.ts'

const WORKER_URL = new URL('./import-worker.ts', import.meta.url).href
/**
 * The worker's entry: tsx's loader registered in the worker's own thread, then the worker module.
 * WATCH OUT: `execArgv: ['--import', 'tsx']` does not reach a worker thread on Node 20 ("Unknown file
 * extension .ts"), and neither do the parent's hooks; a data: URL entry can only import absolute URLs.
 */
const WORKER_ENTRY = new URL(
  'data:text/javascript,' +
    encodeURIComponent(`const { register } = await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}); register(); await import(${JSON.stringify(WORKER_URL)})`),
)
/** an import that takes longer than this is abandoned (and its worker replaced) */
const TIMEOUT_MS = 60_000
/** a library workbook may hold 100 000 rows (MAX_LIBRARY_IMPORT_ROWS): ~10 s of reading on an idle core, more on a busy one */
const LIBRARY_TIMEOUT_MS = 180_000
/** the worker's heap: a workbook that needs more is refused, the server is untouched */
const WORKER_HEAP_MB = 768

export type ImportTask =
  | { kind: 'tables'; data: Uint8Array; fileName: string; year?: number }
  | { kind: 'sheets'; data: Uint8Array; fileName: string }
  | { kind: 'library'; data: Uint8Array; fileName: string }

export interface TaskResults {
  tables: Awaited<ReturnType<typeof importWorkbook>>
  sheets: { sheets: SheetGrid[]; problems: ImportProblem[] }
  library: LibrarySheetRead
}

type Answer = { id: number; ok: true; result: unknown } | { id: number; ok: false; code: ErrorCode; message: string; details: unknown }

interface Pending { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }

class ImportWorker {
  readonly worker: Worker
  readonly pending = new Map<number, Pending>()
  dead = false

  constructor() {
    this.worker = new Worker(WORKER_ENTRY, {
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    })
    this.worker.on('message', (m: Answer) => {
      const p = this.pending.get(m.id)
      if (!p) return
      this.pending.delete(m.id)
      clearTimeout(p.timer)
      if (m.ok) p.resolve(m.result)
      else p.reject(new AppError(m.code, m.message, m.details ?? undefined))
      this.idle()
    })
    const die = (why: string) => {
      this.dead = true
      for (const p of this.pending.values()) {
        clearTimeout(p.timer)
        p.reject(new AppError('invalid_input', `无法读取该文件：${why}`, { field: 'file', reason: 'worker_failed' }))
      }
      this.pending.clear()
    }
    this.worker.on('error', (err) => {
      const oom = /heap|memory/i.test(err.message) || (err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY'
      die(oom ? '文件内容过大，读取时超出内存上限' : `读取进程出错（${err.message}）`)
    })
    this.worker.on('exit', (code) => die(`读取进程退出（${code}）`))
    this.worker.unref()
  }

  run(id: number, task: ImportTask): Promise<unknown> {
    this.worker.ref()
    return new Promise((resolve, reject) => {
      const timeout = task.kind === 'library' ? LIBRARY_TIMEOUT_MS : TIMEOUT_MS
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new AppError('invalid_input', `文件读取超时（超过 ${timeout / 1000} 秒），请拆分后再导入`, { field: 'file', reason: 'timeout' }))
        void this.worker.terminate()
      }, timeout)
      this.pending.set(id, { resolve, reject, timer })
      // the bytes are copied, not transferred: the caller may still need them
      this.worker.postMessage({ id, task })
    })
  }

  private idle(): void {
    if (this.pending.size === 0) this.worker.unref()
  }

  close(): void {
    this.dead = true
    void this.worker.terminate()
  }
}

let current: ImportWorker | null = null
let nextId = 1
let queue: Promise<unknown> = Promise.resolve()

function worker(): ImportWorker {
  if (!current || current.dead) current = new ImportWorker()
  return current
}

/** Runs one import task in the import worker (serially: one workbook at a time). */
export function runImport<K extends ImportTask['kind']>(task: Extract<ImportTask, { kind: K }>): Promise<TaskResults[K]> {
  const run = queue.then(() => worker().run(nextId++, task))
  queue = run.catch(() => undefined)
  return run as Promise<TaskResults[K]>
}

/**
 * Starts the worker ahead of the first upload (it takes ~2 s to load ExcelJS and compile the readers),
 * so the first import of the day does not pay for it. Idle, it keeps nothing alive.
 */
export function warmImportWorker(): void {
  worker()
}

/** Stops the import worker (server shutdown, tests). */
export function closeImportWorker(): void {
  current?.close()
  current = null
}
