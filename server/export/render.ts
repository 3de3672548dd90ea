// One table's export file in the format asked for: bytes, media type and a file name.
import type { ExportFormat } from '../../shared/api/export.ts'
import type { ExportDoc } from './document.ts'
import { renderPdf } from './pdf-process.ts'
import { tableXlsx } from './xlsx.ts'

export const MEDIA_TYPES: Readonly<Record<ExportFormat, string>> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
}

export interface RenderedFile { bytes: Uint8Array; mediaType: string; fileName: string }

/** A name any file system takes: no path separators or control characters, at most 80 characters. */
export function safeFileName(name: string): string {
  const cleaned = name.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '_').replace(/\s+/g, ' ').trim()
  return [...cleaned].slice(0, 80).join('') || '绩效目标表'
}

export function fileNameOf(doc: ExportDoc, format: ExportFormat): string {
  const edition = doc.edition === 'public' ? '（公开版）' : ''
  const which = doc.version === null ? '（草稿）' : `（第${doc.version}版）`
  return `${safeFileName(doc.name)}${which}${edition}.${format}`
}

export async function renderTable(doc: ExportDoc, format: ExportFormat): Promise<RenderedFile> {
  const bytes = format === 'xlsx' ? await tableXlsx(doc) : await renderPdf(doc)
  return { bytes, mediaType: MEDIA_TYPES[format], fileName: fileNameOf(doc, format) }
}

/** `Content-Disposition` for a download with a Chinese name (RFC 6266 / 5987), with an ASCII fallback. */
export function attachment(fileName: string): string {
  const ext = fileName.includes('.') ? fileName.slice(fileName.lastIndexOf('.')) : ''
  return `attachment; filename="export${ext}"; filename*=UTF-8''${encodeURIComponent(fileName)}`
}
