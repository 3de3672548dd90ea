// Where compiled books live: DATA_DIR/compilations/<jobId>.<xlsx|pdf> with <jobId>.json, its manifest
// (params, entries, failures). A book is written as <jobId>.<ext>.<attempt>.part and renamed when
// complete, so a half file is never offered for download.
import fs from 'node:fs/promises'
import path from 'node:path'
import { EDITION_LABELS, type Edition, type ExportFormat } from '../../shared/api/export.ts'

export function compilationsDir(dataDir: string): string {
  return path.join(dataDir, 'compilations')
}

export function bookPath(dataDir: string, jobId: string, format: ExportFormat): string {
  return path.join(compilationsDir(dataDir), `${jobId}.${format}`)
}

export function partPath(dataDir: string, jobId: string, format: ExportFormat, attempt: number): string {
  return `${bookPath(dataDir, jobId, format)}.${attempt}.part`
}

export function manifestPath(dataDir: string, jobId: string): string {
  return path.join(compilationsDir(dataDir), `${jobId}.json`)
}

/** Removes every file of a job (book, manifest, parts of any attempt); answers how many. */
export async function removeJobFiles(dataDir: string, jobId: string, keep?: (file: string) => boolean): Promise<number> {
  let names: string[]
  try {
    names = await fs.readdir(compilationsDir(dataDir))
  } catch {
    return 0
  }
  let n = 0
  for (const name of names) {
    if (!name.startsWith(`${jobId}.`)) continue
    const file = path.join(compilationsDir(dataDir), name)
    if (keep?.(file)) continue
    await fs.rm(file, { force: true, recursive: true }) // a writer's scratch folder too
    n++
  }
  return n
}

/** Characters Windows and macOS refuse in a file name, and control characters. */
const UNSAFE_FILE_CHARS = /[\\/:*?"<>|\u0000-\u001F\u007F]/g

/** The name a book downloads as: `2027年度预算绩效目标表汇编（公开版）.pdf`. */
export function downloadName(title: string, edition: Edition, format: ExportFormat): string {
  const clean = [...title.replace(UNSAFE_FILE_CHARS, '_').trim()].slice(0, 80).join('') || '汇编'
  return `${clean}（${EDITION_LABELS[edition]}）.${format}`
}
