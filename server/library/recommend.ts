// Indicator recommendations (指标推荐) for one table: library entries ranked by what the table says about itself
// (功能分类, 项目类型/属性, department, the words of its name, goals and tasks), by what approved tables of the same
// class and of the same department used (frequency and their most common value), and by which 二级 groups the
// table still lacks or fails a rule on. Core ★ entries of the table's class come first. Every suggestion names its
// reasons in Chinese; entries the table already has (near-identical 三级) are left out, and so is a suggestion
// that names the same indicator as the table's annual rows or an earlier suggestion under a near-identical name
// (居民电子健康档案建档率 after 居民电子健康档案建档人数: shared/library/match.ts's near names, with the library's synonyms) — core ★ entries
// excepted, which R-CORE-REQUIRED matches by exact name.
//
// Scoring is additive and deliberately plain (fixed weights per kind of evidence, no fitting to the samples):
//   ★ core of the class 1000 · a rule fails on the entry's 二级 40 · an empty 二级 of the framework 15 ·
//   usage share among same-class approved tables × 60 · among the department's approved tables × 30 ·
//   shared words: 4 × their rarity in the library (idf; a word of the entry's explanation only counts half) ·
//   class-specific entry 8, 16 when its class is as specific as the table's 款 · project type named 6 (部门整体 for a
//   department table) ·
//   the department's own entry 5.
// The list is then picked greedily so that it reads like a table rather than ten variants of one indicator: the
// gap bonus of a 二级 (failing or empty) goes to the first pick that fills it, and each pick already in the same
// 二级 costs the next one 12 (reported scores are the scores at pick time, so they still fall down the list).
// A project's 功能分类 filters the library; a department table's does not (a 部门整体 or 镇街 table covers every
// task of the department, whatever its one class code says), there it only adds the class bonus.
// Words: @node-rs/jieba cutForSearch (the library's 三级 names loaded as user words so 雾炮车 stays one word).
import { Jieba } from '@node-rs/jieba'
import { dict } from '@node-rs/jieba/dict.js'
import type { RecommendedIndicator, Recommendation } from '../../shared/api/recommendations.ts'
import { FRAMEWORKS, frameworkOf, normaliseLevel1, normaliseLevel2, type FrameworkId, type TargetTable } from '../../shared/model/index.ts'
import { nearNameKey, validateTable, type Finding, type LibraryCoreIndicator } from '../../shared/rules/index.ts'
import { NEAR_NAME_THRESHOLD, canonicalName, canonicalSimilarity, synonymTable, type SynonymTable } from '../../shared/library/match.ts'
import type { Storage } from '../storage/index.ts'
import type { Indicator } from '../storage/library.ts'
import { libraryCoreFor } from './core.ts'

export interface RecommendInput {
  table: TargetTable
  departmentId: string
  year: number
  limit: number
}

/** What one approved table used: its class, department and the near keys of its 三级 names with their values. */
interface ApprovedUse {
  departmentId: string
  classCode: string
  values: Map<string, string>
}

const WEIGHTS = { core: 1000, failing: 40, emptyGroup: 15, classUse: 60, deptUse: 30, word: 4, explanationShare: 0.5, classSpecific: 8, classExact: 16, projectType: 6, ownDept: 5, sameGroup: 12 }
const USAGE_TTL_MS = 60_000
/** the library's project type for department (部门整体) tables */
const DEPARTMENT_TYPE = '部门整体'
/** two-character words too common in budget prose to say a project and an indicator are about the same thing */
export const STOP_WORDS = new Set(['项目', '指标', '工作', '开展', '实施', '完成', '情况', '相关', '提高', '提升', '进一步', '保障', '建设', '管理', '服务', '全年', '年度', '计划', '资金', '实际', '全部', '按照', '通过', '确保', '推进', '加强'])

/** 二级 whose absence a rule reports (framework ids), so a suggestion can say it fills the gap. */
const RULE_GROUPS: Record<string, { l1: string; l2?: string }> = {
  'R-OUTPUT-QUANTITY': { l1: 'output', l2: 'quantity' },
  'R-OUTPUT-QUALITY': { l1: 'output', l2: 'quality' },
  'R-OUTPUT-TIMELINESS': { l1: 'output', l2: 'timeliness' },
  'R-COST-REQUIRED': { l1: 'output', l2: 'cost' },
  'R-SATISFACTION-REQUIRED': { l1: 'satisfaction' },
  'R-LEVEL1-BENEFIT': { l1: 'benefit' },
  'R-LEVEL1-OUTPUT': { l1: 'output' },
}

let jieba: Jieba | null = null
const userWords = new Set<string>()

/** The segmenter, with the library's 三级 names as user words (each loaded once per process). */
function segmenter(entries: readonly Indicator[]): Jieba {
  jieba ??= Jieba.withDict(dict)
  const fresh = entries.map((e) => e.level3.trim()).filter((w) => w.length >= 2 && w.length <= 12 && !userWords.has(w))
  if (fresh.length) {
    for (const w of fresh) userWords.add(w)
    jieba.loadDict(Buffer.from(fresh.map((w) => `${w.replace(/\s+/g, '')} 50000 n`).join('\n'), 'utf8'))
  }
  return jieba
}

function words(j: Jieba, text: string): Set<string> {
  const out = new Set<string>()
  if (!text) return out
  for (const w of j.cutForSearch(text, true)) {
    if (w.length >= 2 && /\p{Script=Han}/u.test(w) && !STOP_WORDS.has(w)) out.add(w)
  }
  return out
}

const entryWordCache = new Map<string, { name: string; explanation: string; words: EntryWords }>()

interface EntryWords {
  /** words of the 三级 name */
  name: Set<string>
  /** words of the explanation that the name does not have */
  explanation: Set<string>
}

/** The words of an entry's 三级 name and explanation, kept while they stay the same. */
function entryWords(j: Jieba, e: Indicator): EntryWords {
  const explanation = e.explanation ?? ''
  const hit = entryWordCache.get(e.id)
  if (hit && hit.name === e.level3 && hit.explanation === explanation) return hit.words
  const name = words(j, e.level3)
  const w = { name, explanation: new Set([...words(j, explanation)].filter((x) => !name.has(x))) }
  if (entryWordCache.size > 200_000) entryWordCache.clear()
  entryWordCache.set(e.id, { name: e.level3, explanation, words: w })
  return w
}

const rarityCache = new WeakMap<readonly Indicator[], Map<string, number>>()

/**
 * How telling each word is in this library: idf = ln(N / entries whose name or explanation has it). A word many
 * entries share (满意度, 学生) says less about which entry a table wants than a rare one (课后服务, 茶叶).
 */
function rarity(j: Jieba, library: readonly Indicator[]): Map<string, number> {
  const hit = rarityCache.get(library)
  if (hit) return hit
  const df = new Map<string, number>()
  for (const e of library) {
    const w = entryWords(j, e)
    for (const x of new Set([...w.name, ...w.explanation])) df.set(x, (df.get(x) ?? 0) + 1)
  }
  const out = new Map<string, number>()
  for (const [x, n] of df) out.set(x, Math.log(library.length / n))
  rarityCache.set(library, out)
  return out
}

/** near key → the values the given approved tables gave it (one per table). */
function valuesByKey(uses: readonly ApprovedUse[]): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const u of uses) {
    for (const [key, value] of u.values) {
      const list = out.get(key)
      if (list) list.push(value)
      else out.set(key, [value])
    }
  }
  return out
}

/** Whether a library entry's class codes cover the table's class (`*`, a prefix of it, or below it). */
export function classCovers(codes: readonly string[], classCode: string): boolean {
  return codes.some((c) => c === '*' || (classCode !== '' && (classCode.startsWith(c) || c.startsWith(classCode))))
}

function classOf(table: { header?: { functionalClass?: { code?: string } } } | null | undefined): string {
  const code = table?.header?.functionalClass?.code?.trim() ?? ''
  return /^\d{3,7}$/.test(code) ? code : ''
}

/** Same 款 (5 digits) when both codes have one, else same 类. */
function sameClass(a: string, b: string): boolean {
  if (!a || !b) return false
  const n = a.length >= 5 && b.length >= 5 ? 5 : 3
  return a.slice(0, n) === b.slice(0, n)
}

const usageCache = new WeakMap<Storage, Map<number, { at: number; uses: Promise<ApprovedUse[]> }>>()

/** What the approved tables of a year used (frozen approved versions), cached for a minute per storage. */
function approvedUses(storage: Storage, year: number): Promise<ApprovedUse[]> {
  let perYear = usageCache.get(storage)
  if (!perYear) usageCache.set(storage, (perYear = new Map()))
  const hit = perYear.get(year)
  if (hit && Date.now() - hit.at < USAGE_TTL_MS) return hit.uses
  const uses = (async () => {
    const candidates = await storage.book.candidates({ year, includeClassified: true })
    const out: ApprovedUse[] = []
    for (let i = 0; i < candidates.length; i += 200) {
      const batch = candidates.slice(i, i + 200)
      const dept = new Map(batch.map((c) => [c.tableId, c.departmentId]))
      for (const frozen of await storage.book.contents(batch.map((c) => ({ tableId: c.tableId, version: c.version })))) {
        const content = frozen.content as Partial<TargetTable> | null
        const values = new Map<string, string>()
        for (const r of Array.isArray(content?.indicators) ? content.indicators : []) {
          if (!r || typeof r.level3 !== 'string' || (r.period ?? 'annual') !== 'annual') continue
          const key = nearNameKey(r.level3)
          if (key && !values.has(key)) values.set(key, typeof r.target === 'string' ? r.target.trim() : '')
        }
        out.push({ departmentId: dept.get(frozen.tableId) ?? '', classCode: classOf(content as never), values })
      }
    }
    return out
  })()
  perYear.set(year, { at: Date.now(), uses })
  uses.catch(() => perYear.delete(year))
  return uses
}

const LIBRARY_TTL_MS = 10_000
const LIBRARY_MAX = 100_000
interface LibrarySnapshot {
  entries: Indicator[]
  synonyms: SynonymTable
}
const libraryCache = new WeakMap<Storage, { at: number; snapshot: Promise<LibrarySnapshot> }>()

/**
 * The whole library and its synonym groups, cached for 10 s per storage (reading 1 000 entries costs ~40 ms on
 * PGlite, more than the ranking): an edit reaches recommendations within 10 s.
 */
function librarySnapshot(storage: Storage): Promise<LibrarySnapshot> {
  const hit = libraryCache.get(storage)
  if (hit && Date.now() - hit.at < LIBRARY_TTL_MS) return hit.snapshot
  const entries = (async () => {
    const out: Indicator[] = []
    for (let offset = 0; offset < LIBRARY_MAX; offset += 5000) {
      const page = await storage.library.list({ limit: 5000, offset })
      out.push(...page)
      if (page.length < 5000) break
    }
    return out
  })()
  // the synonym groups are read beside the entries, not after them
  const snapshot = Promise.all([entries, storage.library.synonyms()]).then(([all, s]) => ({ entries: all, synonyms: synonymTable(s.groups) }))
  libraryCache.set(storage, { at: Date.now(), snapshot })
  snapshot.catch(() => libraryCache.delete(storage))
  return snapshot
}

/** Forget cached usage and library (after approvals or library edits in tests, or when a caller knows they changed). */
export function forgetUsage(storage: Storage): void {
  usageCache.delete(storage)
  libraryCache.delete(storage)
}

/** What the table says about itself: title, goals, tasks and the header's descriptive fields (the 功能分类's name too). */
function tableText(table: TargetTable): string {
  const parts: string[] = [table.title ?? '', table.annualGoal ?? '', table.header.functionalClass?.name ?? '']
  if (table.kind === 'project') {
    const h = table.header
    parts.push(h.projectName, table.midTermGoal ?? '', h.projectCategory ?? '', h.implementingUnit?.name ?? '', h.fundSource ?? '')
  } else {
    parts.push(table.header.deptName, table.header.deptType ?? '', table.header.deptFunctions ?? '')
    for (const t of table.tasks) parts.push(t.name, t.content)
  }
  return parts.join('\n')
}

/** The longest run of Han characters (≥ 2) of `name` found in `text`. */
function commonStretch(name: string, text: string): string {
  let best = ''
  for (let i = 0; i < name.length; i++) {
    for (let k = name.length; k - i > Math.max(best.length, 1); k--) {
      const part = name.slice(i, k)
      if (/^\p{Script=Han}+$/u.test(part) && text.includes(part)) {
        best = part
        break
      }
    }
  }
  return best
}

function percent(n: number, of: number): number {
  return Math.round((n / of) * 100)
}

/** The level names an entry is filed under in the table's framework (2021 placement for 成本指标 when given). */
function placement(e: Indicator, framework: FrameworkId): { level1: string; level2: string } {
  if (framework === 'mof2021' && e.alt2021) return { level1: e.alt2021.level1, level2: e.alt2021.level2 }
  return { level1: e.level1, level2: e.level2 }
}

function frameworkIds(framework: FrameworkId, level1: string, level2: string): { l1?: string; l2?: string } {
  const l1 = FRAMEWORKS[framework].level1.find((l) => l.name === normaliseLevel1(level1))
  const l2 = l1?.level2.find((l) => l.name === normaliseLevel2(level2))
  return { l1: l1?.id, l2: l2?.id }
}

/** The most common non-empty value among the uses, with its share. */
function typicalValue(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>()
  for (const v of values) if (v) counts.set(v, (counts.get(v) ?? 0) + 1)
  let best: string | undefined
  let n = 0
  for (const [v, c] of counts) if (c > n) [best, n] = [v, c]
  return best
}

/** How specific the entry's class match is: 2 when one of its codes is at least as deep as the table's 款, 1 when it only covers the 类, 0 for none. */
function classDepth(codes: readonly string[], classCode: string): 0 | 1 | 2 {
  if (!classCode) return 0
  let depth: 0 | 1 | 2 = 0
  for (const c of codes) {
    if (c === '*' || !classCovers([c], classCode)) continue
    if (Math.min(c.length, classCode.length) >= 5) return 2
    depth = 1
  }
  return depth
}

/** A scored entry before the greedy pick: its own evidence, and the 二级 gap it would fill. */
interface Candidate {
  rec: Recommendation
  /** score without the gap bonus */
  base: number
  /** `l1/l2` of the framework, when the entry's levels are the framework's */
  group?: string
  l1?: string
  /** which gap bonus the entry can claim while its group is not yet filled by a pick */
  gap?: { kind: 'failing' | 'empty'; reason: string; /** the gap a pick fills: the 二级, or the 一级 a rule misses as a whole */ key: string }
  /** the score this candidate had when last evaluated (an upper bound of its score now: scores only fall) */
  bound: number
}

/** Ranks the library for a table. */
export async function recommend(storage: Storage, input: RecommendInput): Promise<Recommendation[]> {
  const { table } = input
  const framework = frameworkOf(table)
  const classCode = classOf(table)
  const classFilters = table.kind === 'project'
  const { entries: library, synonyms } = await librarySnapshot(storage)
  const entries = library.filter((e) =>
    (e.departmentId === null || e.departmentId === input.departmentId) && (!classFilters || !classCode || classCovers(e.functionalClasses, classCode)))
  const [thisYear, lastYear] = await Promise.all([approvedUses(storage, input.year), approvedUses(storage, input.year - 1)])
  const uses = [...thisYear, ...lastYear]
  const sameClassUses = classCode ? uses.filter((u) => sameClass(u.classCode, classCode)) : []
  const deptUses = uses.filter((u) => u.departmentId === input.departmentId)
  const classUse = valuesByKey(sameClassUses)
  const deptUse = valuesByKey(deptUses)

  const libraryCore = await libraryCoreFor(storage, table, input.departmentId)
  const findings: Finding[] = validateTable(table, undefined, { libraryCore })

  // 二级 groups: failing a rule, or simply empty in the annual period
  const failing = new Set<string>()
  for (const f of findings) {
    const g = RULE_GROUPS[f.ruleId]
    if (g && f.severity !== 'info') failing.add(g.l2 ? `${g.l1}/${g.l2}` : g.l1)
  }
  const present = new Set<string>()
  const have = new Set<string>()
  for (const r of table.indicators) {
    if (r.level3.trim()) have.add(nearNameKey(r.level3))
    if ((r.period ?? 'annual') !== 'annual') continue
    const ids = frameworkIds(framework, r.level1, r.level2)
    if (ids.l1) present.add(ids.l1)
    if (ids.l1 && ids.l2) present.add(`${ids.l1}/${ids.l2}`)
  }

  const j = segmenter(library)
  const idf = rarity(j, library)
  const projectText = tableText(table)
  const projectWords = words(j, projectText)
  const projectCategory = table.kind === 'project' ? (table.header.projectCategory ?? '') : ''
  const nameText = table.kind === 'project' ? `${table.header.projectName}${table.title ?? ''}` : `${table.header.deptName}${table.title ?? ''}`
  const continuing = table.kind === 'project' && table.header.projectAttribute?.trim() === '延续'
  const prior = new Map<string, { target?: string; actual?: string; comparator?: string; unit?: string }>()
  if (continuing) for (const p of table.priorYear ?? []) if ((p.period ?? 'annual') === 'annual') prior.set(nearNameKey(p.level3), p)

  const best = new Map<string, Candidate>()
  for (const e of entries) {
    const key = nearNameKey(e.level3)
    if (!key || have.has(key)) continue
    const reasons: string[] = []
    let score = 0
    const core = e.core && classCovers(e.functionalClasses, classCode)
    if (core) {
      score += WEIGHTS.core
      reasons.push('★ 本类核心指标')
    }
    const place = placement(e, framework)
    const ids = frameworkIds(framework, place.level1, place.level2)
    const group = ids.l1 && ids.l2 ? `${ids.l1}/${ids.l2}` : undefined
    const groupName = normaliseLevel2(place.level2)
    let gap: Candidate['gap']
    if (group && failing.has(group)) {
      gap = { kind: 'failing', reason: `补足缺失的${groupName.replace(/指标$/, '')}指标`, key: group }
    } else if (group && ((ids.l1 === 'satisfaction' && failing.has('satisfaction')) || (ids.l1 === 'benefit' && failing.has('benefit')))) {
      gap = { kind: 'failing', reason: `补足缺失的${groupName.replace(/指标$/, '')}指标`, key: ids.l1! }
    } else if (group && !present.has(group)) {
      gap = { kind: 'empty', reason: `补足空缺的${groupName}`, key: group }
    }
    const classValues = classUse.get(key) ?? []
    if (classValues.length) {
      const share = classValues.length / sameClassUses.length
      score += WEIGHTS.classUse * share
      reasons.push(`同类项目 ${percent(classValues.length, sameClassUses.length)}% 使用`)
    }
    const deptValues = deptUse.get(key) ?? []
    if (deptValues.length) {
      score += WEIGHTS.deptUse * (deptValues.length / deptUses.length)
      reasons.push(`本部门 ${deptValues.length} 张已批复表使用`)
    }
    const ew = entryWords(j, e)
    const shared = [...ew.name].filter((w) => projectWords.has(w))
    const sharedExplanation = [...ew.explanation].filter((w) => projectWords.has(w))
    const relevance = shared.reduce((s, w) => s + (idf.get(w) ?? 0), 0) + WEIGHTS.explanationShare * sharedExplanation.reduce((s, w) => s + (idf.get(w) ?? 0), 0)
    if (relevance > 0) score += WEIGHTS.word * relevance
    if (shared.length) {
      // shown as the longest stretch of the name the project's text also has (课后服务, where jieba cut 课后/服务)
      const stretch = commonStretch(e.level3, projectText)
      const shown = stretch && shared.some((w) => stretch.includes(w)) ? [stretch, ...shared.filter((w) => !stretch.includes(w))] : shared
      reasons.push(`名称与项目相关：${shown.sort((a, b) => b.length - a.length).slice(0, 3).join('、')}`)
    } else if (sharedExplanation.length) {
      reasons.push(`指标解释与项目相关：${sharedExplanation.sort((a, b) => b.length - a.length).slice(0, 3).join('、')}`)
    }
    const depth = e.functionalClasses.includes('*') ? 0 : classDepth(e.functionalClasses, classCode)
    if (depth) {
      score += depth === 2 ? WEIGHTS.classExact : WEIGHTS.classSpecific
      reasons.push(`适用于功能分类 ${classCode}`)
    }
    // a department table is what the library calls a 部门整体 table
    const type = e.projectTypes.find((t) => t && (projectCategory.includes(t) || nameText.includes(t) || (table.kind === 'department' && t === DEPARTMENT_TYPE)))
    if (type) {
      score += WEIGHTS.projectType
      reasons.push(`适用于${type}类项目`)
    }
    if (e.departmentId && e.departmentId === input.departmentId) {
      score += WEIGHTS.ownDept
      reasons.push('本部门指标')
    }
    if (!reasons.length && !gap) continue
    const seen = typicalValue([...classValues, ...deptValues])
    if (seen && seen !== e.typicalValue) reasons.push(`常用值 ${seen}`)
    const indicator: RecommendedIndicator = {
      id: e.id,
      level1: place.level1,
      level2: place.level2,
      level3: e.level3,
      comparator: e.comparator,
      target: seen ?? e.typicalValue,
      unit: e.unit,
      explanation: e.explanation,
      basis: e.basis,
      core,
    }
    const p = prior.get(key)
    if (p) {
      if (p.target) indicator.priorTarget = `${p.comparator ?? ''}${p.target}${p.unit ?? ''}`
      if (p.actual) indicator.priorActual = p.actual
      score += 1
      reasons.push(`上年目标 ${indicator.priorTarget ?? '（空）'}${p.actual ? `，实际 ${p.actual}` : ''}`)
    }
    const gapBonus = gap ? (gap.kind === 'failing' ? WEIGHTS.failing : WEIGHTS.emptyGroup) : 0
    const candidate: Candidate = { rec: { indicator, score, reasons }, base: score, group, l1: ids.l1, gap, bound: score + gapBonus }
    const before = best.get(key)
    if (!before || before.bound < candidate.bound || (before.bound === candidate.bound && (before.rec.indicator.id ?? '') > (e.id ?? ''))) best.set(key, candidate)
  }
  // the annual rows: a mid-term row of the same indicator does not make its annual suggestion redundant
  const named = table.indicators.filter((r) => (r.period ?? 'annual') === 'annual' && r.level3.trim()).map((r) => r.level3)
  return pickDiverse([...best.values()], input.limit, named, synonyms)
}

/**
 * The greedy pick: each step takes the candidate with the highest score now, where a 二级 gap bonus counts only
 * while no earlier pick filled that gap (a failing 一级 such as 满意度 or 效益 is filled by any pick under it) and
 * every earlier pick in the same 二级 costs `WEIGHTS.sameGroup`. Scores only fall as picks accumulate, so a lazy
 * evaluation (re-score the best bound, take it if it still beats the next bound) picks exactly the greedy order.
 */
function pickDiverse(candidates: Candidate[], limit: number, named: readonly string[], synonyms: SynonymTable): Recommendation[] {
  /** the table's 三级 names and the suggestions so far, canonical: a non-core candidate near one is the same indicator */
  const taken = named.map((n) => canonicalName(n, synonyms))
  const filled = new Set<string>()
  const perGroup = new Map<string, number>()
  const byId = (a: Candidate, b: Candidate) => b.bound - a.bound || (a.rec.indicator.id ?? '').localeCompare(b.rec.indicator.id ?? '')
  const scoreNow = (c: Candidate): { score: number; gapReason?: string } => {
    let score = c.base
    let gapReason: string | undefined
    if (c.gap) {
      if (!filled.has(c.gap.key)) {
        score += c.gap.kind === 'failing' ? WEIGHTS.failing : WEIGHTS.emptyGroup
        gapReason = c.gap.reason
      }
    }
    if (c.group) score -= WEIGHTS.sameGroup * (perGroup.get(c.group) ?? 0)
    return { score, gapReason }
  }
  const queue = candidates.sort(byId)
  const out: Recommendation[] = []
  while (out.length < limit && queue.length) {
    const top = queue.shift()!
    const now = scoreNow(top)
    top.bound = now.score
    const next = queue[0]
    if (next && byId(top, next) > 0) {
      // no longer the best: put it back where its new score belongs (binary search over the sorted rest)
      let lo = 0
      let hi = queue.length
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if (byId(queue[mid]!, top) <= 0) lo = mid + 1
        else hi = mid
      }
      queue.splice(lo, 0, top)
      continue
    }
    const canon = canonicalName(top.rec.indicator.level3, synonyms)
    if (!top.rec.indicator.core && taken.some((n) => canonicalSimilarity(n, canon) >= NEAR_NAME_THRESHOLD)) continue
    taken.push(canon)
    const reasons = [...top.rec.reasons]
    if (now.gapReason) reasons.splice(top.rec.indicator.core ? 1 : 0, 0, now.gapReason)
    out.push({ ...top.rec, score: Math.round(now.score * 100) / 100, reasons })
    if (top.group) {
      filled.add(top.group)
      perGroup.set(top.group, (perGroup.get(top.group) ?? 0) + 1)
    }
    if (top.l1) filled.add(top.l1)
  }
  return out
}
