// One-table PDFs off the server's process: requests go, one at a time, to a child (pdf-child.ts) which
// is replaced after RECYCLE_AFTER tables because Typst's native memory only grows. The event loop
// stays free while a PDF is typeset; a child that dies fails its request with a reason and the next
// request starts a new one.
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { AppError, type ErrorCode } from '../../shared/errors.ts'
import type { ExportDoc } from './document.ts'

const CHILD_FILE = fileURLToPath(new URL('./pdf-child.ts', import.meta.url))
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
/** tables one child typesets before it is replaced (≈1 MB of native memory each) */
export const RECYCLE_AFTER = 200
let recycleAfter = RECYCLE_AFTER
/** a table that takes longer than this is abandoned (and its child replaced) */
const TIMEOUT_MS = 60_000

type Answer = { id: number; ok: true; bytes: Uint8Array } | { id: number; ok: false; code: ErrorCode; message: string; details: unknown }

interface Pending { resolve: (b: Uint8Array) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }

class PdfChild {
  readonly proc: ChildProcess
  readonly pending = new Map<number, Pending>()
  served = 0
  dead = false

  constructor() {
    this.proc = fork(CHILD_FILE, [], { cwd: ROOT, execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    this.proc.on('message', (m: Answer | { ready: true }) => {
      if (!('id' in m)) return
      const p = this.pending.get(m.id)
      if (!p) return
      this.pending.delete(m.id)
      clearTimeout(p.timer)
      if (m.ok) p.resolve(m.bytes)
      else p.reject(new AppError(m.code, m.message, m.details ?? undefined))
      this.idle()
    })
    const die = (why: string) => {
      this.dead = true
      for (const p of this.pending.values()) {
        clearTimeout(p.timer)
        p.reject(new AppError('internal', `PDF 生成失败：${why}，请重试`))
      }
      this.pending.clear()
    }
    this.proc.on('exit', (code, signal) => die(`排版进程退出（${signal ?? code}）`))
    this.proc.on('error', (err) => die(`排版进程无法启动（${err.message}）`))
  }

  render(id: number, doc: ExportDoc): Promise<Uint8Array> {
    this.served++
    this.proc.ref()
    ;(this.proc.channel as { ref?: () => void } | undefined)?.ref?.()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new AppError('internal', 'PDF 生成超时，请重试'))
        this.proc.kill('SIGKILL')
      }, TIMEOUT_MS)
      this.pending.set(id, { resolve, reject, timer })
      this.proc.send({ id, doc })
    })
  }

  /** an idle child must not keep the server (or a test) alive */
  private idle(): void {
    if (this.pending.size > 0) return
    this.proc.unref()
    ;(this.proc.channel as { unref?: () => void } | undefined)?.unref?.()
  }

  close(): void {
    this.dead = true
    if (this.proc.exitCode === null) this.proc.kill()
  }
}

let child: PdfChild | null = null
let nextId = 1
/** one table at a time: the child typesets serially, and a queue keeps recycling simple */
let queue: Promise<unknown> = Promise.resolve()

function current(): PdfChild {
  if (child && !child.dead && child.served >= recycleAfter && child.pending.size === 0) {
    child.close()
    child = null
  }
  if (!child || child.dead) child = new PdfChild()
  return child
}

/** The PDF of one table, typeset in the PDF process. */
export function renderPdf(doc: ExportDoc): Promise<Uint8Array> {
  const run = queue.then(() => current().render(nextId++, doc))
  queue = run.catch(() => undefined)
  return run
}

/** Stops the PDF process (server shutdown). */
export function closePdfProcess(): void {
  child?.close()
  child = null
}

/** for tests: the current child's pid (undefined before the first PDF), and a smaller recycling period */
export function pdfProcessPid(): number | undefined {
  return child && !child.dead ? child.proc.pid : undefined
}
export function setPdfRecycling(tables: number): void {
  recycleAfter = tables
}
