// A table's history and differences: the settled changes of live documents written to field_changes,
// the history read back merged with the lifecycle events of the audit log (newest first, paged by an
// opaque cursor), and the diff between two versions (or `live`) with who made each change.
import { AppError, isAppError } from '../../shared/errors.ts'
import type { DiffAnswer, DiffChange, HistoryAnswer, HistoryEntry } from '../../shared/api/review.ts'
import { changeLabel, diffTables } from '../../shared/diff/table-diff.ts'
import { parseTable, type TargetTable } from '../../shared/model/index.ts'
import type { CollabLog } from '../collab/log.ts'
import type { JournalChange } from '../collab/journal.ts'
import type { AuditEntry, FieldChange, NewFieldChange, Storage } from '../storage/index.ts'
import { userNames } from '../review/people.ts'
import { contentOf, readContent, type LiveDocs } from './documents.ts'

// ---- writing

/**
 * Stores each settle's changes, one insert per settle, in settle order (so ids follow time within a
 * process). A failed insert is retried a few times; a table deleted meanwhile drops its changes.
 */
export function historyWriter(storage: Storage, log: CollabLog): (tableId: string, changes: readonly JournalChange[]) => Promise<void> {
  let tail: Promise<void> = Promise.resolve()
  return (tableId, changes) => {
    if (changes.length === 0) return tail
    const rows: NewFieldChange[] = changes.map((c) => ({
      tableId, at: new Date(c.at), userId: c.by, op: c.op, path: c.path, rowId: c.rowId ?? null, field: c.field ?? null, before: c.before, after: c.after,
    }))
    tail = tail.then(() => write(rows))
    return tail
  }

  async function write(rows: NewFieldChange[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await storage.history.append(rows)
        return
      } catch (err) {
        // a table deleted (its rows cascade away) or rows the database refuses: retrying cannot help
        if (isAppError(err) && err.code !== 'internal') return log.warn('history.dropped', { tableId: rows[0]!.tableId, changes: rows.length, error: err.message })
        if (attempt >= WRITE_ATTEMPTS) return log.error('history.lost', { tableId: rows[0]!.tableId, changes: rows.length, error: String(err) })
        await new Promise((r) => setTimeout(r, 250 * 2 ** attempt))
      }
    }
  }
}

const WRITE_ATTEMPTS = 4

// ---- reading: history

export interface HistoryDeps {
  storage: Storage
  live?: LiveDocs
  /** the content the history's labels are read from (default: read the document each time) */
  labels?: LabelContents
}

/**
 * The current content of tables whose history is being read, for labels. A stored document costs a
 * load and a whole parse (≈ 17 ms of CPU for 300 indicators on PGlite, most of a history page), so the
 * parsed content is kept per table with the document version it was read at (one cheap query to check);
 * a loaded room's document is read directly.
 */
export class LabelContents {
  private readonly cache = new Map<string, { version: number; content: TargetTable }>()
  constructor(
    private readonly storage: Storage,
    private readonly live: LiveDocs | undefined,
    private readonly max = 50,
  ) {}

  async get(tableId: string): Promise<TargetTable> {
    const doc = this.live?.get(tableId, 'table')
    if (doc) return contentOf(doc)
    const version = await this.storage.docLog.version(tableId, 'table')
    const hit = this.cache.get(tableId)
    if (hit && hit.version === version) return hit.content
    const content = await readContent(this.storage, undefined, tableId)
    this.cache.delete(tableId)
    this.cache.set(tableId, { version, content })
    if (this.cache.size > this.max) this.cache.delete(this.cache.keys().next().value!)
    return content
  }
}

/** Audit actions that are a table's lifecycle events in its history. */
export const LIFECYCLE_ACTIONS: ReadonlySet<string> = new Set(['table.create', 'table.submit', 'table.return', 'table.approve', 'table.reopen', 'table.review', 'table.delete'])

/**
 * Where a page ends in each of the two streams (field changes, audit events): the id of the last entry
 * taken from it, or null when none was taken yet. Keeping a position per stream, not one time, means
 * no entry is skipped or repeated even when two entries share a time or a stream's times are slightly
 * out of id order (two processes journaling the same table).
 */
interface HistoryCursor {
  changes: number | null
  events: number | null
}

const CURSOR = /^h1\.(\d{0,15})\.(\d{0,15})$/

export function encodeHistoryCursor(c: HistoryCursor): string {
  return Buffer.from(`h1.${c.changes ?? ''}.${c.events ?? ''}`, 'utf8').toString('base64url')
}

export function decodeHistoryCursor(raw: string): HistoryCursor {
  const m = /^[A-Za-z0-9_-]+$/.test(raw) ? CURSOR.exec(Buffer.from(raw, 'base64url').toString('utf8')) : null
  if (!m) throw new AppError('invalid_input', '翻页标记（before）无效：请使用上一页返回的 nextCursor，或从第一页重新查询', { field: 'before' })
  return { changes: m[1] ? Number(m[1]) : null, events: m[2] ? Number(m[2]) : null }
}

export async function readHistory(deps: HistoryDeps, tableId: string, query: { limit: number; before?: string }): Promise<HistoryAnswer> {
  const { storage } = deps
  const { limit } = query
  const cursor: HistoryCursor = query.before ? decodeHistoryCursor(query.before) : { changes: null, events: null }
  const [changes, events, content] = await Promise.all([
    storage.history.list(tableId, { beforeId: cursor.changes ?? undefined, limit: limit + 1 }),
    lifecycleEvents(storage, tableId, cursor.events, limit + 1),
    // labels name rows as the table is now; a document that cannot be read only costs the labels
    (deps.labels ? deps.labels.get(tableId) : readContent(storage, deps.live, tableId)).catch(() => ({}) as TargetTable),
  ])
  const taken: (FieldChange | AuditEntry)[] = []
  const next = { ...cursor }
  let i = 0
  let j = 0
  while (taken.length < limit && (i < changes.length || j < events.length)) {
    const c = changes[i]
    const e = events[j]
    if (e && (!c || e.at.getTime() >= c.at.getTime())) {
      taken.push(e)
      next.events = e.id
      j++
    } else {
      taken.push(c!)
      next.changes = c!.id
      i++
    }
  }
  const more = i < changes.length || j < events.length
  const names = await userNames(storage, taken.map((x) => x.userId))
  const nameOf = (id: string | null) => (id ? names.get(id) ?? '' : '系统')
  const entries: HistoryEntry[] = taken.map((x) => ('action' in x ? eventEntry(x, nameOf) : changeEntry(x, content, nameOf)))
  return { entries, nextCursor: more ? encodeHistoryCursor(next) : null }
}

function changeEntry(x: FieldChange, content: TargetTable, nameOf: (id: string | null) => string): HistoryEntry {
  const change = { op: x.op, path: x.path, rowId: x.rowId ?? undefined, field: x.field ?? undefined, before: x.before ?? undefined, after: x.after ?? undefined }
  return {
    type: 'change', at: x.at.toISOString(), by: x.userId, byName: nameOf(x.userId), op: x.op, path: x.path, label: changeLabel(content, change),
    rowId: x.rowId, field: x.field, before: x.before ?? null, after: x.after ?? null,
  }
}

function eventEntry(x: AuditEntry, nameOf: (id: string | null) => string): HistoryEntry {
  const d = (x.details ?? {}) as { reason?: unknown; round?: unknown; to?: { round?: unknown; version?: unknown } }
  const int = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : null)
  return {
    type: 'event', at: x.at.toISOString(), by: x.userId, byName: nameOf(x.userId), action: x.action,
    reason: typeof d.reason === 'string' && d.reason !== '' ? d.reason : null,
    round: int(d.to?.round) ?? int(d.round),
    version: int(d.to?.version),
  }
}

/** Up to `want` lifecycle events older than `beforeId`, newest first (other audit entries of the table skipped). */
async function lifecycleEvents(storage: Storage, tableId: string, beforeId: number | null, want: number): Promise<AuditEntry[]> {
  const out: AuditEntry[] = []
  let bound = beforeId ?? undefined
  for (;;) {
    const page = await storage.audit.list({ tableId, beforeId: bound, limit: AUDIT_PAGE })
    for (const e of page) {
      if (!LIFECYCLE_ACTIONS.has(e.action)) continue
      out.push(e)
      if (out.length >= want) return out
    }
    if (page.length < AUDIT_PAGE) return out
    bound = page[page.length - 1]!.id
  }
}

const AUDIT_PAGE = 1000

// ---- reading: differences

export type VersionPoint = number | 'live'

/** The changes from one version (or the live document) of a table to another, each with its last author. */
export async function readDiff(deps: HistoryDeps, tableId: string, from: VersionPoint, to: VersionPoint): Promise<DiffAnswer> {
  if (from === to) return { from, to, changes: [] }
  const [a, b] = await Promise.all([pointOf(deps, tableId, from), pointOf(deps, tableId, to)])
  const changes: DiffChange[] = diffTables(a.content, b.content)
  if (changes.length === 0) return { from, to, changes }
  // whoever changed a row or field last between the two points (a live point is now)
  const known = [a.at, b.at].filter((t): t is Date => t !== null).map((t) => t.getTime())
  const window = { after: new Date(Math.min(...known)), until: known.length === 2 ? new Date(Math.max(...known)) : undefined }
  const authors = new Map<string, string | null>()
  for (const x of await deps.storage.history.lastAuthors(tableId, window)) authors.set(authorKey(x.rowId ?? undefined, x.field ?? undefined, x.path), x.userId)
  const byOf = (c: DiffChange): string | null | undefined => {
    const own = authors.get(authorKey(c.rowId, c.field, c.path))
    if (own !== undefined || c.rowId === undefined || c.field === undefined) return own
    return authors.get(authorKey(c.rowId, undefined, c.path)) // the row was added or moved (a copy) by someone
  }
  const names = await userNames(deps.storage, changes.map(byOf))
  for (const c of changes) {
    const by = byOf(c)
    if (by) {
      c.by = by
      c.byName = names.get(by) ?? ''
    }
  }
  return { from, to, changes }
}

function authorKey(rowId: string | undefined, field: string | undefined, path: string): string {
  return rowId !== undefined ? `r\u0000${rowId}\u0000${field ?? ''}` : `p\u0000${path}`
}

async function pointOf(deps: HistoryDeps, tableId: string, point: VersionPoint): Promise<{ content: TargetTable; at: Date | null }> {
  if (point === 'live') return { content: await readContent(deps.storage, deps.live, tableId), at: null }
  const v = await deps.storage.versions.get(tableId, point)
  if (!v) throw new AppError('not_found', `版本 ${point} 不存在`, { version: point })
  const parsed = parseTable(v.content, { assignIds: false })
  // WATCH OUT: versions are frozen from parsed documents; reaching this means the row was altered by hand
  if (!parsed.ok) throw new AppError('internal', `版本 ${point} 的内容无法解析`, { problems: parsed.problems })
  return { content: parsed.table, at: v.createdAt }
}
