// The messages between a compilation job (server process) and its book worker (a child process):
// the server sends the plan, then the tables one by one as it reads them from storage; the worker
// answers each table and, at the end, the file's size. Sent with Node's 'advanced' IPC serialization,
// so Dates arrive as Dates.
import type { ExportFormat } from '../../shared/api/export.ts'
import type { BookPlan } from '../export/book.ts'
import type { ExportSource } from '../export/document.ts'

export type ToWorker =
  | { type: 'start'; format: ExportFormat; path: string; plan: BookPlan }
  | { type: 'table'; source: ExportSource }
  | { type: 'skip'; tableId: string; reason: string }
  | { type: 'finish' }
  | { type: 'abort' }

export type FromWorker =
  | { type: 'ready' }
  /** a table printed (ok) or left out with its reason */
  | { type: 'table'; tableId: string; ok: true }
  | { type: 'table'; tableId: string; ok: false; reason: string }
  | { type: 'finished'; bytes: number; maxRssKb: number }
  | { type: 'aborted' }
  /** the book cannot go on (disk full, writer broken): the job fails with this */
  | { type: 'fatal'; message: string; code?: string }
