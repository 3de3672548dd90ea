// The book worker: a child process (forked by compilation.ts) that lays out and writes one compiled book.
// It never touches the database: the server sends it the plan, then the approved tables one by one, and
// it turns each into an ExportDoc (redacted for the edition) and hands it to the xlsx or PDF book writer.
// A child process, not a worker thread: Typst is native code (a crash there takes its process with it)
// and a big book's heap stays out of the server's — the server keeps its RSS and its event loop.
import type { BookWriter, BookWriterFactory } from '../export/book.ts'
import { exportDoc } from '../export/document.ts'
import type { ExportFormat } from '../../shared/api/export.ts'
import type { FromWorker, ToWorker } from './book-protocol.ts'

/** errors of the file system, not of one table: the book cannot go on */
const FATAL_CODES = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EROFS', 'EACCES', 'EPERM', 'EMFILE', 'ENFILE', 'ERR_OUT_OF_RANGE'])

/** loaded on demand: an xlsx book never starts Typst */
async function writerFactory(format: ExportFormat): Promise<BookWriterFactory> {
  if (format === 'xlsx') return (await import('../export/book-xlsx.ts')).createXlsxBookWriter
  return (await import('../export/book-pdf.ts')).createPdfBookWriter
}

function send(message: FromWorker): void {
  process.send?.(message)
}

function describe(err: unknown): { message: string; code?: string } {
  const code = (err as { code?: unknown } | null)?.code
  return { message: err instanceof Error ? err.message : String(err), ...(typeof code === 'string' ? { code } : {}) }
}

function isFatal(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && FATAL_CODES.has(code)
}

let writer: BookWriter | null = null
let failed = false

async function handle(msg: ToWorker): Promise<void> {
  if (failed) return
  switch (msg.type) {
    case 'start': {
      const factory = await writerFactory(msg.format)
      writer = await factory(msg.path, { ...msg.plan, compiledAt: new Date(msg.plan.compiledAt) })
      send({ type: 'ready' })
      return
    }
    case 'table': {
      try {
        await writer!.add(exportDoc(msg.source))
        send({ type: 'table', tableId: msg.source.tableId, ok: true })
      } catch (err) {
        if (isFatal(err)) throw err
        const reason = `无法排版：${describe(err).message}`
        writer!.skip(msg.source.tableId, reason)
        send({ type: 'table', tableId: msg.source.tableId, ok: false, reason })
      }
      return
    }
    case 'skip':
      writer!.skip(msg.tableId, msg.reason)
      send({ type: 'table', tableId: msg.tableId, ok: false, reason: msg.reason })
      return
    case 'finish': {
      const { bytes } = await writer!.finish()
      writer = null // the file is complete: nothing to abort any more
      send({ type: 'finished', bytes, maxRssKb: process.resourceUsage().maxRSS })
      return
    }
    case 'abort':
      await writer?.abort().catch(() => {})
      send({ type: 'aborted' })
      return
  }
}

// Messages are handled strictly in order: each waits for the one before.
let queue: Promise<void> = Promise.resolve()
process.on('message', (msg: ToWorker) => {
  queue = queue
    .then(() => handle(msg))
    .catch(async (err) => {
      failed = true
      await writer?.abort().catch(() => {})
      send({ type: 'fatal', ...describe(err) })
    })
})
// The server went away: nothing more will come, and no half file stays behind.
process.on('disconnect', () => {
  void (async () => {
    await queue.catch(() => {})
    await writer?.abort().catch(() => {})
    process.exit(0)
  })()
})
