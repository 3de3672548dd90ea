// The library's search service: one in-memory index per storage, rebuilt when the library's revision
// (entry count, newest update, synonyms' update) changes. The revision (two queries) is asked at most once
// per REVISION_TTL_MS per storage, and at every read for REVISION_TTL_MS after this process's library
// repositories wrote (so a write here is seen at the next read, its transaction having committed by then);
// a change made by another process, or by a repository that writes indicators without the library
// repository, is seen within REVISION_TTL_MS. The HTTP routes, the recommendations and the findings'
// library core (core.ts) use it.
import { AppError } from '../../shared/errors.ts'
import type { IndicatorEntry, IndicatorHit, IndicatorListAnswer } from '../../shared/api/library.ts'
import type { Indicator, Storage } from '../storage/index.ts'
import { libraryWrittenAt } from '../storage/library.ts'
import { buildIndex, type LibraryIndex, type SearchFilter } from './search.ts'

export interface LibrarySnapshot {
  revision: string
  index: LibraryIndex
  byId: Map<string, Indicator>
}

const cache = new WeakMap<object, { revision: string; snapshot: Promise<LibrarySnapshot> }>()

/**
 * How stale the library may be seen after another server process changed it (a search, the findings'
 * ★ core, the recommendations' core). Writes through this process are seen at the next read.
 */
export const REVISION_TTL_MS = 1000

const revisions = new WeakMap<object, { at: number; revision: Promise<string> }>()

/**
 * The library's revision, asked of the database at most once per REVISION_TTL_MS — but every time while a
 * write of this process is recent (it may sit in a transaction that commits a moment later). Staleness is
 * bounded either way: an answer is reused for at most REVISION_TTL_MS after it was asked.
 */
export function libraryRevision(storage: Storage): Promise<string> {
  const hit = revisions.get(storage)
  const now = Date.now()
  if (hit && now - hit.at < REVISION_TTL_MS && now - libraryWrittenAt() >= REVISION_TTL_MS) return hit.revision
  const revision = storage.library.revision()
  revisions.set(storage, { at: now, revision })
  revision.catch(() => revisions.delete(storage))
  return revision
}

/** The index of the library as it is now (built at most once per revision and storage). */
export async function librarySnapshot(storage: Storage): Promise<LibrarySnapshot> {
  const revision = await libraryRevision(storage)
  const cached = cache.get(storage)
  if (cached && cached.revision === revision) return cached.snapshot
  const snapshot = (async () => {
    const [rows, synonyms] = await Promise.all([storage.library.all(), storage.library.synonyms()])
    const index = buildIndex(rows, synonyms)
    return { revision, index, byId: new Map(rows.map((r) => [r.id, r])) }
  })()
  cache.set(storage, { revision, snapshot })
  snapshot.catch(() => cache.delete(storage))
  return snapshot
}

export function toEntry(row: Indicator): IndicatorEntry {
  return {
    id: row.id,
    level1: row.level1,
    level2: row.level2,
    level3: row.level3,
    explanation: row.explanation,
    formula: row.formula,
    comparator: row.comparator as IndicatorEntry['comparator'],
    typicalValue: row.typicalValue,
    unit: row.unit,
    basis: row.basis,
    dataSource: row.dataSource,
    scope: row.scope,
    functionalClasses: row.functionalClasses,
    projectTypes: row.projectTypes,
    alt2021: row.alt2021 ?? null,
    departmentId: row.departmentId,
    core: row.core,
    usageCount: row.usageCount,
    version: row.version,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
  }
}

/** The cursor is the offset of the next page, opaque to clients. */
export function encodeCursor(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url')
}

export function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0
  const m = /^o:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
  if (!m) throw new AppError('invalid_input', '翻页游标（cursor）无效，请从第一页重新查询', { field: 'cursor' })
  return Number(m[1])
}

/** One page of a search: the ranked entries with their reasons, the exact total and the next cursor. */
export async function searchLibrary(storage: Storage, filter: SearchFilter, page: { limit: number; cursor?: string | undefined }): Promise<IndicatorListAnswer> {
  const offset = decodeCursor(page.cursor)
  const { index, byId } = await librarySnapshot(storage)
  const { hits, total, terms } = index.search(filter, { offset, limit: page.limit })
  const indicators: IndicatorHit[] = []
  for (const h of hits) {
    const row = byId.get(h.id)
    if (row) indicators.push({ ...toEntry(row), matched: h.matched })
  }
  const next = offset + page.limit
  return { indicators, total, nextCursor: next < total ? encodeCursor(next) : null, terms }
}
