// Learning from approved tables (指标库学习): when a table is approved, each of its annual indicator rows is
// linked to a library entry — the same name as written (`exact`), else the nearest near-identical name
// (`near`, shared/library/match.ts: synonyms, then character bigrams) — and the entries' usage counts move.
// 调整 (reopen) and deletion remove the table's links. Every step is re-runnable: syncing a table always
// makes its links agree with its state now (approved → learned from the approved version; else none).
//
// Which entry, when several fit:
//   exact — same 一级 and 二级 first, then same 一级, then the table's department's own entries, then common;
//   near  — same 一级 first, then the highest similarity (≥ NEAR_NAME_THRESHOLD), then same 二级, then own.
// Only common entries and those of the table's department (or the department a unit sits below) are linked.
// Mid-term rows (中期) are not linked: their values are multi-year totals, not comparable with annual ones.
import { NEAR_NAME_THRESHOLD, canonicalName, nameKey, nameSimilarity, synonymTable, type SynonymTable } from '../../shared/library/match.ts'
import { normaliseLevel1, normaliseLevel2, type IndicatorRow, type TargetTable } from '../../shared/model/index.ts'
import type { Indicator, NewUsage, Storage } from '../storage/index.ts'

export interface LearnResult {
  tableId: string
  /** learned: links stored from the approved version; removed: the table is not approved (links dropped) */
  outcome: 'learned' | 'removed'
  exact: number
  near: number
  /** annual rows with a name that matched no entry */
  unlinked: number
  /** entries whose usage count was recomputed */
  affected: string[]
}

interface MatchEntry {
  id: string
  level1: string
  level2: string
  /** 2021 frame names of the same entry (成本指标 is a 一级 there) */
  alt1: string
  alt2: string
  departmentId: string | null
  key: string
  canon: string
}

interface Matcher {
  synonyms: SynonymTable
  byKey: Map<string, MatchEntry[]>
  entries: MatchEntry[]
  /** canonical name → entries (synonym-equal names are near at similarity 1) */
  byCanon: Map<string, number[]>
  /** character bigram of a canonical name → entries having it (near names share bigrams) */
  byBigram: Map<string, number[]>
}

function push<K>(map: Map<K, number[]>, key: K, i: number): void {
  const list = map.get(key)
  if (!list) map.set(key, [i])
  else if (list[list.length - 1] !== i) list.push(i)
}

function bigramsOf(s: string): string[] {
  const out: string[] = []
  for (let i = 0; i + 1 < s.length; i++) out.push(s.slice(i, i + 2))
  return out
}

const matchers = new WeakMap<Storage, { revision: string; matcher: Promise<Matcher> }>()

/**
 * The library prepared for linking (keys and canonical names computed once per library revision). The
 * revision's last part is the usage counter (storage/library.ts), which every learning moves: it is left
 * out here, so a backfill of many tables does not re-read the library (nor rebuild the search index) per table.
 */
async function matcherFor(storage: Storage): Promise<Matcher> {
  const full = await storage.library.revision()
  const revision = full.slice(0, full.lastIndexOf(':'))
  const hit = matchers.get(storage)
  if (hit && hit.revision === revision) return hit.matcher
  const matcher = (async () => {
    const [rows, setting] = await Promise.all([storage.library.all(), storage.library.synonyms()])
    const synonyms = synonymTable(setting.groups)
    const entries = rows.map((e) => toMatchEntry(e, synonyms))
    const byKey = new Map<string, MatchEntry[]>()
    for (const e of entries) {
      if (!e.key) continue
      const list = byKey.get(e.key)
      if (list) list.push(e)
      else byKey.set(e.key, [e])
    }
    const byCanon = new Map<string, number[]>()
    const byBigram = new Map<string, number[]>()
    entries.forEach((e, i) => {
      if (!e.canon) return
      push(byCanon, e.canon, i)
      if (e.canon.length >= 4) for (const g of bigramsOf(e.canon)) push(byBigram, g, i)
    })
    return { synonyms, byKey, entries, byCanon, byBigram }
  })()
  matchers.set(storage, { revision, matcher })
  matcher.catch(() => matchers.delete(storage))
  return matcher
}

function toMatchEntry(e: Indicator, synonyms: SynonymTable): MatchEntry {
  return {
    id: e.id,
    level1: normaliseLevel1(e.level1),
    level2: normaliseLevel2(e.level2),
    alt1: e.alt2021 ? normaliseLevel1(e.alt2021.level1) : '',
    alt2: e.alt2021 ? normaliseLevel2(e.alt2021.level2) : '',
    departmentId: e.departmentId,
    key: nameKey(e.level3),
    canon: canonicalName(e.level3, synonyms),
  }
}

/** how one table row is placed: its normalised levels and the departments whose own entries count */
interface RowPlace {
  level1: string
  level2: string
  departments: ReadonlySet<string>
}

const sameLevel1 = (e: MatchEntry, p: RowPlace) => p.level1 !== '' && (e.level1 === p.level1 || e.alt1 === p.level1)
const sameLevel2 = (e: MatchEntry, p: RowPlace) => p.level2 !== '' && (e.level2 === p.level2 || e.alt2 === p.level2)
const own = (e: MatchEntry, p: RowPlace) => e.departmentId !== null && p.departments.has(e.departmentId)
const eligible = (e: MatchEntry, p: RowPlace) => e.departmentId === null || p.departments.has(e.departmentId)
const byId = (a: MatchEntry, b: MatchEntry) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** The library entry a row names, if any: exact, else near (see the order at the top of the file). */
export function linkRow(matcher: Matcher, level3: string, place: RowPlace): { entryId: string; match: 'exact' | 'near' } | null {
  const key = nameKey(level3)
  if (!key) return null
  const exact = (matcher.byKey.get(key) ?? []).filter((e) => eligible(e, place))
  if (exact.length) {
    const rank = (e: MatchEntry) => (sameLevel1(e, place) ? (sameLevel2(e, place) ? 0 : 1) : 2) * 2 + (own(e, place) ? 0 : 1)
    exact.sort((a, b) => rank(a) - rank(b) || byId(a, b))
    return { entryId: exact[0]!.id, match: 'exact' }
  }
  // canonical names already carry the synonyms, so nameSimilarity of two canonical names (no synonyms) is
  // nameSimilarity of the two names as written (with them): computed once per entry, not per pair
  const canon = canonicalName(level3, matcher.synonyms)
  // candidates: the synonym-equal names, and names sharing a bigram whose Dice could still reach the threshold
  // (bound: the row's count of each shared bigram, summed — at least the multiset overlap)
  const bound = new Map<number, number>()
  for (const i of matcher.byCanon.get(canon) ?? []) bound.set(i, Infinity)
  if (canon.length >= 4) {
    const counts = new Map<string, number>()
    for (const g of bigramsOf(canon)) counts.set(g, (counts.get(g) ?? 0) + 1)
    for (const [g, n] of counts) for (const i of matcher.byBigram.get(g) ?? []) bound.set(i, (bound.get(i) ?? 0) + n)
  }
  let best: { e: MatchEntry; sim: number; l1: boolean } | null = null
  for (const [i, shared] of bound) {
    const e = matcher.entries[i]!
    if (!eligible(e, place)) continue
    if ((2 * shared) / (canon.length - 1 + e.canon.length - 1) < NEAR_NAME_THRESHOLD) continue
    const sim = nameSimilarity(canon, e.canon)
    if (sim < NEAR_NAME_THRESHOLD) continue
    const l1 = sameLevel1(e, place)
    if (
      !best ||
      (l1 && !best.l1) ||
      (l1 === best.l1 && (sim > best.sim || (sim === best.sim && better(e, best.e, place))))
    ) best = { e, sim, l1 }
  }
  return best ? { entryId: best.e.id, match: 'near' } : null
}

function better(a: MatchEntry, b: MatchEntry, place: RowPlace): boolean {
  const l2 = Number(sameLevel2(b, place)) - Number(sameLevel2(a, place))
  if (l2) return l2 < 0
  const o = Number(own(b, place)) - Number(own(a, place))
  if (o) return o < 0
  return byId(a, b) < 0
}

const text = (v: unknown) => (typeof v === 'string' ? v : '')

/** The links of a table's annual indicator rows (rows without a name or an id are skipped). */
export function linkRows(matcher: Matcher, content: Partial<TargetTable> | null, departments: ReadonlySet<string>): { rows: NewUsage[]; unlinked: number } {
  const rows: NewUsage[] = []
  let unlinked = 0
  const seen = new Set<string>()
  for (const r of (Array.isArray(content?.indicators) ? content.indicators : []) as Partial<IndicatorRow>[]) {
    if (!r || typeof r !== 'object' || (r.period ?? 'annual') !== 'annual') continue
    const rowKey = text(r.id)
    const level3 = text(r.level3).trim()
    if (!rowKey || !level3 || seen.has(rowKey)) continue
    seen.add(rowKey)
    const place = { level1: normaliseLevel1(text(r.level1)), level2: normaliseLevel2(text(r.level2)), departments }
    const link = linkRow(matcher, level3, place)
    if (!link) {
      unlinked++
      continue
    }
    rows.push({
      rowKey, indicatorId: link.entryId, match: link.match,
      level1: text(r.level1).trim(), level2: text(r.level2).trim(), level3,
      comparator: text(r.comparator).trim(), target: text(r.target).trim(), unit: text(r.unit).trim(),
    })
  }
  return { rows, unlinked }
}

function classCodeOf(content: Partial<TargetTable> | null): string {
  const code = (content?.header as { functionalClass?: { code?: unknown } } | undefined)?.functionalClass?.code
  return typeof code === 'string' && /^\d{3,7}$/.test(code.trim()) ? code.trim() : ''
}

/**
 * Makes the table's links agree with its state: approved → its approved version's rows linked (replacing
 * any earlier links, in one transaction that also recomputes the usage counts); otherwise → no links.
 */
export async function learnFromApproved(storage: Storage, tableId: string): Promise<LearnResult> {
  const table = await storage.tables.get(tableId)
  const frozen = table && table.status === 'approved' && table.version > 0 ? await storage.versions.get(tableId, table.version) : null
  if (!table || !frozen || frozen.reason !== 'approved') {
    return { tableId, outcome: 'removed', exact: 0, near: 0, unlinked: 0, affected: await forgetTable(storage, tableId) }
  }
  const content = frozen.content as Partial<TargetTable> | null
  const departments = new Set([table.departmentId])
  const dept = await storage.departments.get(table.departmentId)
  if (dept?.parentId) departments.add(dept.parentId)
  const matcher = await matcherFor(storage)
  const { rows, unlinked } = linkRows(matcher, content, departments)
  const result = await storage.usages.replaceForTable(tableId, { version: table.version, functionalClass: classCodeOf(content) }, rows)
  if (!result.stored) return { tableId, outcome: 'removed', exact: 0, near: 0, unlinked: 0, affected: result.affected }
  return {
    tableId, outcome: 'learned', unlinked, affected: result.affected,
    exact: rows.filter((r) => r.match === 'exact').length,
    near: rows.filter((r) => r.match === 'near').length,
  }
}

/** Removes the table's links (调整, deletion); returns the entries whose counts moved. */
export function forgetTable(storage: Storage, tableId: string): Promise<string[]> {
  return storage.usages.removeForTable(tableId)
}

/**
 * learnFromApproved for a lifecycle hook: a failure is logged, never thrown (the transition already
 * happened); backfillUsages repairs the table later.
 */
export async function syncUsagesQuietly(storage: Storage, tableId: string, log: (message: string) => void = console.warn): Promise<LearnResult | null> {
  try {
    return await learnFromApproved(storage, tableId)
  } catch (err) {
    log(`[library] 指标使用情况更新失败 learning failed for table ${tableId}: ${err instanceof Error ? err.message : String(err)} (backfillUsages repairs it at the next start)`)
    return null
  }
}

export interface BackfillResult {
  learned: number
  removed: number
  failed: number
}

/**
 * Learns every approved table that has no links yet (approved before learning existed, or whose learning
 * failed) and re-syncs tables whose links no longer fit (deleted, reopened, or approved again since).
 * Idempotent; a table whose rows match nothing is simply looked at again next time.
 */
export async function backfillUsages(storage: Storage, options: { batch?: number; log?: (message: string) => void } = {}): Promise<BackfillResult> {
  const batch = options.batch ?? 100_000
  const ids = [...(await storage.usages.approvedWithoutUsages(batch)).map((t) => t.tableId), ...(await storage.usages.staleTables(batch))]
  const out: BackfillResult = { learned: 0, removed: 0, failed: 0 }
  for (const id of new Set(ids)) {
    const r = await syncUsagesQuietly(storage, id, options.log)
    if (!r) out.failed++
    else if (r.outcome === 'learned') out.learned++
    else out.removed++
  }
  return out
}
