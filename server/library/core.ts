// The library's core (★) entries as R-CORE-REQUIRED takes them (`validateTable(content, config, { libraryCore })`),
// for the authoritative findings (server/tables/findings.ts) and the recommendations: the ★ entries whose
// 功能分类 cover a table's class, common ones and the table's department's own. Read once per library
// revision (service.ts `libraryRevision`: a write through this process is seen at once, another process's
// within REVISION_TTL_MS) and memoised per revision + class + department, each answer with a key that
// changes exactly when that table's core changes (the findings cache keys on it).
import { createHash } from 'node:crypto'
import type { LibraryCoreIndicator } from '../../shared/rules/index.ts'
import type { Storage } from '../storage/index.ts'
import type { Indicator } from '../storage/library.ts'
import { libraryRevision } from './service.ts'

export type { LibraryCoreIndicator }

/** what the class is read from: a table's content (a department table has no 功能分类) */
export type TargetTableLike = { header?: { functionalClass?: { code?: string } | undefined } }

export interface TableCore {
  core: readonly LibraryCoreIndicator[]
  /** changes when this table's core entries (ids, names, levels) change; '' when it has none */
  key: string
}

export interface CoreLibrary {
  revision: string
  /** a digest of every core entry (ids, names, levels, classes, departments): changes when any of them does */
  stamp: string
  /** the core of a table of this class (a 类/款/项 code, '' for none) and department */
  forClass(classCode: string, departmentId: string): TableCore
}

const NONE: TableCore = Object.freeze({ core: Object.freeze([]) as readonly LibraryCoreIndicator[], key: '' })
const PAGE = 5000
const MAX_CORE = 100_000

const cache = new WeakMap<object, { revision: string; library: Promise<CoreLibrary> }>()

/** Whether a library entry's class codes cover the table's class (`*`, a prefix of it, or below it). */
export function classCovers(codes: readonly string[], classCode: string): boolean {
  return codes.some((c) => c === '*' || (classCode !== '' && (classCode.startsWith(c) || c.startsWith(classCode))))
}

/** A table's 功能分类 code as the library files it ('' when it has none or an odd one). */
export function classOf(table: TargetTableLike | null | undefined): string {
  const code = table?.header?.functionalClass?.code?.trim() ?? ''
  return /^\d{3,7}$/.test(code) ? code : ''
}

/** The library's core entries now (read at most once per revision and storage). */
export async function coreLibrary(storage: Storage): Promise<CoreLibrary> {
  const revision = await libraryRevision(storage)
  const hit = cache.get(storage)
  if (hit && hit.revision === revision) return hit.library
  const library = (async () => {
    const entries: Indicator[] = []
    for (let offset = 0; offset < MAX_CORE; offset += PAGE) {
      const page = await storage.library.list({ core: true, limit: PAGE, offset })
      entries.push(...page)
      if (page.length < PAGE) break
    }
    return makeCoreLibrary(revision, entries)
  })()
  cache.set(storage, { revision, library })
  library.catch(() => cache.delete(storage))
  return library
}

export function makeCoreLibrary(revision: string, entries: readonly Indicator[]): CoreLibrary {
  const core = entries.filter((e) => e.core)
  const memo = new Map<string, TableCore>()
  const digest = createHash('sha256')
  for (const e of core) digest.update([e.id, e.level1, e.level2, e.level3, e.functionalClasses.join(','), e.departmentId ?? ''].join('\u0001') + '\u0002')
  return {
    revision,
    stamp: digest.digest('base64url'),
    forClass(classCode, departmentId) {
      if (core.length === 0) return NONE
      const memoKey = `${classCode}|${departmentId}`
      let answer = memo.get(memoKey)
      if (answer) return answer
      const list = core
        .filter((e) => (e.departmentId === null || e.departmentId === departmentId) && classCovers(e.functionalClasses, classCode))
        .map((e) => ({ id: e.id, level1: e.level1, level2: e.level2, level3: e.level3 }))
      answer = list.length ? { core: list, key: list.map((e) => `${e.id}\u0001${e.level1}\u0001${e.level2}\u0001${e.level3}`).join('\u0002') } : NONE
      if (memo.size > 10_000) memo.clear()
      memo.set(memoKey, answer)
      return answer
    },
  }
}

/** The core (★) entries that apply to a table (its class from its content, its department from its row). */
export async function libraryCoreFor(storage: Storage, content: TargetTableLike, departmentId: string): Promise<LibraryCoreIndicator[]> {
  return [...(await coreLibrary(storage)).forClass(classOf(content), departmentId).core]
}
