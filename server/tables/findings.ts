// Server-authoritative findings: the shared rule engine run on a table's current content, cached
// per table and refreshed when the live document settles (the collab layer calls `refresh`). Every
// computation also stores its counts in the table's row, so lists filter and sort on them in SQL.
// With the library (storedFindingsCache), R-CORE-REQUIRED is judged against the library's ★ entries of the
// table's class and department, and a cached result is kept only while that core is unchanged.
import type { TargetTable } from '../../shared/model/index.ts'
import { validateTable } from '../../shared/rules/index.ts'
import { countFindings, type FindingCounts, type TableFindings } from '../../shared/ydoc/findings-message.ts'
import type { Storage, StoredFindingCounts } from '../storage/index.ts'
import { classOf, coreLibrary, type CoreLibrary, type TableCore } from '../library/core.ts'
import { fromYDoc } from '../../shared/ydoc/index.ts'
import { readContent, readTableDocs } from './documents.ts'

export type { FindingCounts, TableFindings }

export { countFindings }

export function judge(content: TargetTable, core?: TableCore): TableFindings {
  const findings = validateTable(content, undefined, core?.core.length ? { libraryCore: core.core } : {})
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
  /** the library's core (★) entries, for R-CORE-REQUIRED; without it the rule sees only the template's */
  library?: FindingsLibrary
}

export interface FindingsLibrary {
  /** the library's core now (cached per library revision: cheap) */
  core(): Promise<CoreLibrary>
  /** the tables' departments (a table's core depends on it); a table not found is left out */
  departments(tableIds: readonly string[]): Promise<Map<string, string>>
}

interface Cached {
  result: TableFindings
  version: number
  /** what the library core was looked up by, and its key then ('' without a library) */
  classCode: string
  departmentId: string
  coreKey: string
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
  /** the table's department, when the caller read it with the row (else it is asked for) */
  departmentId?: string
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
  private readonly cache = new Map<string, Cached>()
  /** table → department (a table keeps its department; asked once per table and process) */
  private readonly departmentOf = new Map<string, string>()
  /**
   * The library's core ★ entries as first seen by this process (a digest of all of them): while they are
   * unchanged, counts stored in the table rows at the document's version are trusted; once they change,
   * a listed row is recomputed unless this process already judged it against the current core.
   */
  private firstCoreStamp: string | null = null
  private readonly listeners = new Set<(tableId: string, result: TableFindings) => void>()
  private readonly pending = new Map<string, StoredFindingCounts>()
  private storeTimer: NodeJS.Timeout | null = null
  private storing: Promise<void> = Promise.resolve()

  private readonly readContent: FindingsCacheOptions['readContent']
  private readonly readVersions: FindingsCacheOptions['readVersions']
  private readonly readContents: NonNullable<FindingsCacheOptions['readContents']>
  private readonly storeCounts: FindingsCacheOptions['storeCounts']
  private readonly library: FindingsLibrary | undefined

  constructor(options: FindingsCacheOptions) {
    this.library = options.library
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
    const library = await this.coreNow()
    const fresh: StoredFindingCounts[] = []
    const out = await Promise.all(
      tableIds.map(async (id) => {
        const version = versions.get(id) ?? 0
        const hit = this.cache.get(id)
        if (hit && hit.version === version && this.coreUnchanged(hit, library)) return hit.result
        const result = await this.judgeStored(id, await this.readContent(id), version, library)
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
    const library = await this.coreNow()
    const trustStored = !library || this.firstCoreStamp === coreStamp(library)
    for (const r of rows) if (r.departmentId !== undefined) this.departmentOf.set(r.id, r.departmentId)
    const fresh: StoredFindingCounts[] = []
    const out: (FindingCounts | null)[] = []
    const stale: { i: number; id: string; version: number }[] = []
    for (const [i, r] of rows.entries()) {
      const version = versions.get(r.id) ?? 0
      const stored = storedCounts(r)
      const hit = this.cache.get(r.id)
      const hitValid = !!hit && hit.version === version && this.coreUnchanged(hit, library)
      if (stored && r.findingsVersion === version && trustStored) out.push(stored)
      else if (hit && hitValid) {
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
        const result = await this.judgeStored(s.id, content, s.version, library)
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
  async refresh(tableId: string, content: TargetTable, version = -1): Promise<TableFindings> {
    const result = await this.judgeStored(tableId, content, version, await this.coreNow())
    // a settled room knows its version; content read without one (a transition's gate) is not stored
    if (version >= 0) this.queueStore({ id: tableId, counts: result.counts, version, edited: true })
    for (const l of this.listeners) l(tableId, result)
    return result
  }

  invalidate(tableId: string): void {
    this.cache.delete(tableId)
  }

  /** the library's core now (undefined without a library); notes the first one this process saw */
  private async coreNow(): Promise<CoreLibrary | undefined> {
    if (!this.library) return undefined
    const library = await this.library.core()
    this.firstCoreStamp ??= coreStamp(library)
    return library
  }

  private coreUnchanged(hit: Cached, library: CoreLibrary | undefined): boolean {
    return (library ? library.forClass(hit.classCode, hit.departmentId).key : '') === hit.coreKey
  }

  /** Judges content against the library's core for its class and department, and caches the result. */
  private async judgeStored(tableId: string, content: TargetTable, version: number, library: CoreLibrary | undefined): Promise<TableFindings> {
    let classCode = ''
    let departmentId = ''
    let core: TableCore | undefined
    if (library && this.library) {
      classCode = classOf(content)
      let dept = this.departmentOf.get(tableId)
      if (dept === undefined) {
        dept = (await this.library.departments([tableId])).get(tableId)
        if (dept !== undefined) this.departmentOf.set(tableId, dept)
      }
      departmentId = dept ?? ''
      core = library.forClass(classCode, departmentId)
    }
    const result = judge(content, core)
    this.cache.set(tableId, { result, version, classCode, departmentId, coreKey: core?.key ?? '' })
    return result
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

function coreStamp(library: CoreLibrary): string {
  return library.stamp
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
    library: {
      core: () => coreLibrary(storage),
      departments: async (ids) => {
        const out = new Map<string, string>()
        for (const id of ids) {
          const row = await storage.tables.get(id)
          if (row) out.set(id, row.departmentId)
        }
        return out
      },
    },
  })
}
