// The compiled book's (汇编成册) writer contract. A job (server/jobs) plans the book — which tables, in
// department order — then feeds the writer one ExportDoc at a time, off the live server's event loop.
// The xlsx writer (book-xlsx.ts) and the PDF writer (book-pdf.ts) implement it; neither loads the whole
// book in memory at once.
import type { Edition } from '../../shared/api/export.ts'
import type { ExportDoc } from './document.ts'

export interface BookPlanEntry {
  tableId: string
  departmentId: string
  departmentName: string
  title: string
}

export interface BookPlan {
  /** cover title, e.g. `2027年度预算绩效目标表汇编` */
  title: string
  year: number
  edition: Edition
  /** every table planned, in the order printed (departments in their order, then tables by title) */
  entries: BookPlanEntry[]
  /** printed on the cover: when the book was compiled */
  compiledAt: Date
}

export interface BookWriter {
  /** the next planned table (entries in plan order; a skipped one is simply never added) */
  add(doc: ExportDoc): Promise<void>
  /** a planned table that could not be printed: the contents may list it as missing */
  skip(tableId: string, reason: string): void
  /** writes the file at the path given when the writer was made; answers its size */
  finish(): Promise<{ bytes: number }>
  /** drops what was written (cancel, failure): no half file remains at the path */
  abort(): Promise<void>
}

export type BookWriterFactory = (path: string, plan: BookPlan) => Promise<BookWriter>
