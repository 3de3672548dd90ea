// Server-authoritative findings: the shared rule engine run on a table's current content, cached
// per table and refreshed when the live document settles (the collab layer calls `refresh`). Every
// computation also stores its counts in the table's row, so lists filter and sort on them in SQL.
import type { TargetTable } from '../../shared/model/index.ts'
import { validateTable } from '../../shared/rules/index.ts'
import { countFindings, type FindingCounts, type TableFindings } from '../../shared/ydoc/findings-message.ts'
import type { Storage, StoredFindingCounts } from '../storage/index.ts'
import { fromYDoc } from '../../shared/ydoc/index.ts'
import { readContent, readTableDocs } from './documents.ts'

export type { FindingCounts, TableFindings }

export { countFindings }

export function judge(content: TargetTable): TableFindings {
  const findings = validateTable(content)
  return { findings, counts: countFindings(findings), computedAt: new Date().toISOString() }
}

export interface FindingsCacheOptions {
  readContent(tableId: string): Promise<TargetTable>
  /** the document versions (docLog.versions): every id given is in the map */
  readVersions(tableIds: readonly string[]): Promise<Map<string, number>>
  /** many contents at once (a list page's stale rows); a table whose content cannot be read is left out */
  readContents?(tableIds: readonly string[]): Promise<Map<string, TargetTable>>
  /** where computed counts go (the table rows: storage.tables.setFindingCounts) */
  storeCounts?(entries: readonly StoredFindingCounts[]): Promise<void>
}

/** A list row's stored counts and the document version they were computed at (null: never). */
export interface StoredCounts {
  id: string
  errorCount: number | null
  warningCount: number | null
  infoCount: number | null
  findingsVersion: number | null
  /** the document's version now, when the caller read it with the row (else it is asked for) */
  docVersion?: number
}

const ZERO: FindingCounts = Object.freeze({ errors: 0, warnings: 0, infos: 0 })
/** counts computed while live rooms settle are written together, one statement per this many ms */
const STORE_DELAY_MS = 100

/**
 * Findings per table, each kept with the document version it was computed at (the highest stored
 * update id, `docLog.versions`): a read checks the version first, so a table changed by another server
 * process, or by anything that did not refresh this cache, is recomputed instead of served stale.
 */
export class FindingsCache {
  private readonly cache = new Map<string, { result: TableFindings; version: number }>()
  private readonly listeners = new Set<(tableId: string, result: TableFindings) => void>()
  private readonly pending = new Map<string, StoredFindingCounts>()
  private storeTimer: NodeJS.Timeout | null = null
  private storing: Promise<void> = Promise.resolve()

  private readonly readContent: FindingsCacheOptions['readContent']
  private readonly readVersions: FindingsCacheOptions['readVersions']
  private readonly readContents: NonNullable<FindingsCacheOptions['readContents']>
  private readonly storeCounts: FindingsCacheOptions['storeCounts']

  constructor(options: FindingsCacheOptions) {
    this.readContent = options.readContent
    this.readVersions = options.readVersions
    this.storeCounts = options.storeCounts
    this.readContents =
      options.readContents ??
      (async (ids) => {
        const out = new Map<string, TargetTable>()
        for (const id of ids) {
          const content = await this.readContent(id).catch(() => null)
          if (content) out.set(id, content)
        }
        return out
      })
  }

  async get(tableId: string): Promise<TableFindings> {
    return (await this.getMany([tableId]))[0]!
  }

  /** Findings of many tables (a table list), in order: one version query for all of them. */
  async getMany(tableIds: readonly string[]): Promise<TableFindings[]> {
    // versions before contents: content read later is at least as new, so a stale pairing can only
    // make the next read recompute, never keep old findings
    const versions = await this.readVersions(tableIds)
    const fresh: StoredFindingCounts[] = []
    const out = await Promise.all(
      tableIds.map(async (id) => {
        const version = versions.get(id) ?? 0
        const hit = this.cache.get(id)
        if (hit && hit.version === version) return hit.result
        const result = judge(await this.readContent(id))
        this.cache.set(id, { result, version })
        fresh.push({ id, counts: result.counts, version })
        return result
      }),
    )
    await this.store(fresh)
    return out
  }

  /**
   * The counts of a page of listed tables: the stored ones where they were computed at the document's
   * current version, recomputed (and stored) only for the rows whose version moved or that were never
   * computed — a list of thousands never validates more than the page it answers.
   */
  async countsOf(rows: readonly StoredCounts[]): Promise<FindingCounts[]> {
    if (rows.length === 0) return []
    const versions = rows.every((r) => r.docVersion !== undefined)
      ? new Map(rows.map((r) => [r.id, r.docVersion!]))
      : await this.readVersions(rows.map((r) => r.id))
    const fresh: StoredFindingCounts[] = []
    const out: (FindingCounts | null)[] = []
    const stale: { i: number; id: string; version: number }[] = []
    for (const [i, r] of rows.entries()) {
      const version = versions.get(r.id) ?? 0
      const stored = storedCounts(r)
      const hit = this.cache.get(r.id)
      if (stored && r.findingsVersion === version) out.push(stored)
      else if (hit && hit.version === version) {
        out.push(hit.result.counts)
        fresh.push({ id: r.id, counts: hit.result.counts, version })
      } else {
        out.push(null)
        stale.push({ i, id: r.id, version })
      }
    }
    if (stale.length) {
      // one read for every stale row of the page (two queries), not a transaction per table
      const contents = await this.readContents(stale.map((s) => s.id)).catch((err: unknown) => {
        console.error('[findings] cannot read listed tables', err instanceof Error ? err.message : err)
        return new Map<string, TargetTable>()
      })
      for (const s of stale) {
        const content = contents.get(s.id)
        if (!content) {
          // WATCH OUT: one unreadable document must not take a city's list down; its row shows what was stored
          console.error('[findings] cannot judge a listed table', s.id)
          out[s.i] = storedCounts(rows[s.i]!) ?? ZERO
          continue
        }
        const result = judge(content)
        this.cache.set(s.id, { result, version: s.version })
        fresh.push({ id: s.id, counts: result.counts, version: s.version })
        out[s.i] = result.counts
      }
    }
    await this.store(fresh)
    return out as FindingCounts[]
  }

  /**
   * Counts recomputed on a read are stored before the answer goes out, so the next filtered request
   * (hasErrors, sort by errors) sees them; a failed write costs a recompute later, never the answer.
   */
  private async store(entries: StoredFindingCounts[]): Promise<void> {
    if (entries.length && this.storeCounts) await this.storeCounts(entries).catch((err) => logStoreFailure(err))
  }

  /**
   * Recomputes from content the caller already holds (the settled live document, whose stored updates
   * reach `version`; without one, the next `get` checks storage again).
   */
  refresh(tableId: string, content: TargetTable, version = -1): TableFindings {
    const result = judge(content)
    this.cache.set(tableId, { result, version })
    // a settled room knows its version; content read without one (a transition's gate) is not stored
    if (version >= 0) this.queueStore({ id: tableId, counts: result.counts, version, edited: true })
    for (const l of this.listeners) l(tableId, result)
    return result
  }

  invalidate(tableId: string): void {
    this.cache.delete(tableId)
  }

  onChange(listener: (tableId: string, result: TableFindings) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Writes the counts still waiting (tests; shutdown). Resolves when they are stored or failed. */
  flush(): Promise<void> {
    if (this.storeTimer) {
      clearTimeout(this.storeTimer)
      this.storeTimer = null
    }
    const batch = [...this.pending.values()]
    this.pending.clear()
    if (batch.length && this.storeCounts) {
      const store = this.storeCounts
      this.storing = this.storing.then(() => store(batch)).catch((err) => logStoreFailure(err))
    }
    return this.storing
  }

  /**
   * Settles come one room per event-loop turn (registry.ts queueSettle); their counts wait a moment and
   * go out in one statement. WATCH OUT: counts waiting here when the process dies are lost — harmless,
   * the row keeps its older version and the next list recomputes it.
   */
  private queueStore(entry: StoredFindingCounts): void {
    if (!this.storeCounts) return
    const before = this.pending.get(entry.id)
    if (before && before.version > entry.version) return
    this.pending.set(entry.id, { ...entry, edited: entry.edited || before?.edited })
    if (this.storeTimer) return
    this.storeTimer = setTimeout(() => void this.flush(), STORE_DELAY_MS)
    this.storeTimer.unref?.()
  }
}

function storedCounts(r: StoredCounts): FindingCounts | null {
  return r.errorCount === null || r.warningCount === null || r.infoCount === null ? null : { errors: r.errorCount, warnings: r.warningCount, infos: r.infoCount }
}

function logStoreFailure(err: unknown): void {
  // drizzle wraps the driver's error; its message is the whole statement, the cause says what went wrong
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err)
  console.error('[findings] storing finding counts failed:', cause)
}

/** The cache over stored documents (what a live room settles refreshes it through `refresh`). */
export function storedFindingsCache(storage: Storage): FindingsCache {
  return new FindingsCache({
    readContent: (id) => readContent(storage, undefined, id),
    readVersions: (ids) => storage.docLog.versions(ids, 'table'),
    readContents: async (ids) => {
      const out = new Map<string, TargetTable>()
      for (const [id, doc] of await readTableDocs(storage, undefined, ids)) {
        const parsed = fromYDoc(doc)
        if (parsed.ok) out.set(id, parsed.table)
      }
      return out
    },
    storeCounts: (entries) => storage.tables.setFindingCounts(entries),
  })
}
