// The PDF process: a child of the server that typesets one table at a time for GET …/export?format=pdf.
// Typst keeps ≈1 MB of native memory per distinct table it has typeset and never gives it back
// (bench/README.md), so the server does not typeset in its own process; pdf-process.ts replaces this
// child after a few hundred tables. Messages: { id, doc } in, { id, ok, bytes | message, details } out.
import { AppError } from '../../shared/errors.ts'
import type { ExportDoc } from './document.ts'
import { tablePdf } from './pdf.ts'

interface Request { id: number; doc: ExportDoc }

process.on('message', (m: Request) => {
  try {
    const bytes = tablePdf(m.doc)
    process.send!({ id: m.id, ok: true, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) })
  } catch (err) {
    const e = err instanceof AppError ? err : new AppError('internal', `PDF 生成失败：${err instanceof Error ? err.message : String(err)}`)
    process.send!({ id: m.id, ok: false, code: e.code, message: e.message, details: e.details ?? null })
  }
})
// the server went away: nothing more to do
process.on('disconnect', () => process.exit(0))
process.send!({ ready: true })
