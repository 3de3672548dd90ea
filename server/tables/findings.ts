// Server-authoritative findings: the shared rule engine run on a table's current content, cached
// per table and refreshed when the live document settles (the collab layer calls `refresh`).
import type { TargetTable } from '../../shared/model/index.ts'
import { validateTable, type Finding } from '../../shared/rules/index.ts'
import type { FindingCounts, TableFindings } from '../../shared/ydoc/findings-message.ts'
import type { Storage } from '../storage/index.ts'
import { readContent } from './documents.ts'

export type { FindingCounts, TableFindings }

export function countFindings(findings: readonly Finding[]): FindingCounts {
  const counts = { errors: 0, warnings: 0, infos: 0 }
  for (const f of findings) {
    if (f.severity === 'error') counts.errors++
    else if (f.severity === 'warning') counts.warnings++
    else counts.infos++
  }
  return counts
}

export function judge(content: TargetTable): TableFindings {
  const findings = validateTable(content)
  return { findings, counts: countFindings(findings), computedAt: new Date().toISOString() }
}

/**
 * Findings per table, each kept with the document version it was computed at (the highest stored
 * update id, `docLog.versions`): a read checks the version first, so a table changed by another server
 * process, or by anything that did not refresh this cache, is recomputed instead of served stale.
 */
export class FindingsCache {
  private readonly cache = new Map<string, { result: TableFindings; version: number }>()
  private readonly listeners = new Set<(tableId: string, result: TableFindings) => void>()

  constructor(
    private readonly readContent: (tableId: string) => Promise<TargetTable>,
    private readonly readVersions: (tableIds: readonly string[]) => Promise<Map<string, number>>,
  ) {}

  async get(tableId: string): Promise<TableFindings> {
    return (await this.getMany([tableId]))[0]!
  }

  /** Findings of many tables (a table list), in order: one version query for all of them. */
  async getMany(tableIds: readonly string[]): Promise<TableFindings[]> {
    // versions before contents: content read later is at least as new, so a stale pairing can only
    // make the next read recompute, never keep old findings
    const versions = await this.readVersions(tableIds)
    return Promise.all(
      tableIds.map(async (id) => {
        const version = versions.get(id) ?? 0
        const hit = this.cache.get(id)
        if (hit && hit.version === version) return hit.result
        const result = judge(await this.readContent(id))
        this.cache.set(id, { result, version })
        return result
      }),
    )
  }

  /**
   * Recomputes from content the caller already holds (the settled live document, whose stored updates
   * reach `version`; without one, the next `get` checks storage again).
   */
  refresh(tableId: string, content: TargetTable, version = -1): TableFindings {
    const result = judge(content)
    this.cache.set(tableId, { result, version })
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
}

/** The cache over stored documents (what a live room settles refreshes it through `refresh`). */
export function storedFindingsCache(storage: Storage): FindingsCache {
  return new FindingsCache((id) => readContent(storage, undefined, id), (ids) => storage.docLog.versions(ids, 'table'))
}
