// The indicator library (指标库): seeded from shared/domain/library.json on an empty database,
// searched by level, functional class, scope and text; finance and consultants add and edit entries.
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import { and, asc, count, desc, eq, inArray, isNull, max, or, sql, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import { COMPARATORS } from '../../shared/model/index.ts'
import type { Db } from '../db/open.ts'
import { mapDbErrors } from '../db/errors.ts'
import { AppError } from '../../shared/errors.ts'
import { DEFAULT_SYNONYMS } from '../../shared/api/library.ts'
import { LIBRARY_SCOPES, indicatorChanges, indicators, librarySettings, users, type Alt2021, type LibraryScope } from '../db/schema.ts'
import { id, nonNegativeInt, notFound, oneOf, optionalText, parseInput, requiredText } from './input.ts'
import { USAGE_REVISION_KEY } from './indicator-usages.ts'

export type Indicator = typeof indicators.$inferSelect

export interface NewIndicator {
  id?: string
  level1: string
  level2: string
  level3: string
  explanation?: string
  formula?: string
  comparator: string
  typicalValue?: string
  unit?: string
  basis?: string
  dataSource?: string
  scope: LibraryScope
  functionalClasses?: readonly string[]
  projectTypes?: readonly string[]
  alt2021?: Alt2021 | null
  departmentId?: string | null
  core?: boolean
}

export interface LibraryFilter {
  /** substring of 三级指标, 指标解释 or 计算方法 (case-insensitive) */
  q?: string
  level1?: string
  level2?: string
  /**
   * a 类/款/项 code: entries for every class (`*`), for a prefix of it (20102 matches 2010201) or
   * below it (201 matches 20102)
   */
  functionalClass?: string
  scope?: LibraryScope
  projectType?: string
  /** common entries plus this department's own; without it, every entry */
  departmentId?: string
  core?: boolean
  limit?: number
  offset?: number
}

export interface LibraryRepository {
  /** inserts `entries` (default: shared/domain/library.json) when the library is empty; returns how many */
  seedIfEmpty(entries?: readonly NewIndicator[]): Promise<number>
  count(): Promise<number>
  list(filter?: LibraryFilter): Promise<Indicator[]>
  get(id: string): Promise<Indicator | null>
  create(input: NewIndicator): Promise<Indicator>
  update(id: string, patch: Partial<Omit<NewIndicator, 'id'>>): Promise<Indicator>
  remove(id: string): Promise<boolean>
  /** every entry (the search index is built from them) */
  all(): Promise<Indicator[]>
  /** changes whenever an entry or the synonyms change: count, newest update, synonyms' update */
  revision(): Promise<string>
  /** creates the entry and its history version 1 in one transaction */
  createVersioned(input: NewIndicator, change: ChangeInfo): Promise<Indicator>
  /**
   * changes the entry, bumps its version and records the changed fields before and after; `expectedVersion`
   * (when given) refuses a stale edit with `conflict`. A patch that changes nothing records nothing.
   */
  change(id: string, patch: Partial<Omit<NewIndicator, 'id'>>, change: ChangeInfo & { expectedVersion?: number }): Promise<Indicator>
  /**
   * deletes the entry and records a last history row (version + 1, before = every field, after = {}); the
   * history is kept. Returns the deleted entry; `not_found` when it does not exist.
   */
  removeVersioned(id: string, change: ChangeInfo): Promise<Indicator>
  /** newest first */
  history(id: string): Promise<IndicatorChangeRow[]>
  /** the synonym groups search uses (the defaults until finance saves some) */
  synonyms(): Promise<SynonymSetting>
  setSynonyms(groups: readonly (readonly string[])[], userId: string | null): Promise<SynonymSetting>
}

export interface ChangeInfo {
  userId: string | null
  reason: string
}

export interface IndicatorChangeRow {
  version: number
  changedBy: string | null
  changedByName: string | null
  reason: string
  before: Record<string, unknown> | null
  after: Record<string, unknown>
  at: Date
}

export interface SynonymSetting {
  groups: string[][]
  updatedAt: Date | null
  updatedBy: string | null
}

const SYNONYMS_KEY = 'synonyms'

/** the fields a change can touch, as stored (compared and recorded in the history) */
const TRACKED = [
  'level1', 'level2', 'level3', 'explanation', 'formula', 'comparator', 'typicalValue', 'unit', 'basis', 'dataSource',
  'scope', 'functionalClasses', 'projectTypes', 'alt2021', 'departmentId', 'core',
] as const

function snapshot(row: Indicator): Record<string, unknown> {
  return Object.fromEntries(TRACKED.map((k) => [k, row[k]]))
}

export const LIBRARY_FILE = fileURLToPath(new URL('../../shared/domain/library.json', import.meta.url))

const fileSchema = z.object({
  entries: z.array(
    z.object({
      id: z.string(),
      level1: z.string(),
      level2: z.string(),
      level3: z.string(),
      explanation: z.string().default(''),
      formula: z.string().default(''),
      comparator: z.string(),
      typicalValue: z.string().default(''),
      unit: z.string().default(''),
      basis: z.string().default(''),
      dataSource: z.string().default(''),
      applicability: z.object({ functionalClasses: z.array(z.string()).default([]), projectTypes: z.array(z.string()).default([]) }).default({ functionalClasses: [], projectTypes: [] }),
      scope: z.enum(LIBRARY_SCOPES),
      alt2021: z.object({ level1: z.string(), level2: z.string() }).optional(),
    }),
  ),
})

/** The seed entries of shared/domain/library.json, in file order. */
export function loadLibraryFile(file = LIBRARY_FILE): NewIndicator[] {
  const parsed = fileSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')))
  return parsed.entries.map(({ applicability, alt2021, ...e }) => ({
    ...e,
    functionalClasses: applicability.functionalClasses,
    projectTypes: applicability.projectTypes,
    alt2021: alt2021 ?? null,
  }))
}

const CLASS_CODE = z.string().regex(/^(\*|\d{3}|\d{5}|\d{7})$/, { error: '功能分类科目（functionalClasses）必须是 3、5 或 7 位数字，或 *' })
const STRING_LIST = (label: string) => z.array(requiredText(label, 100), { error: `${label}必须是列表` })

const fields = {
  level1: requiredText('一级指标（level1）', 50),
  level2: requiredText('二级指标（level2）', 50),
  level3: requiredText('三级指标（level3）', 200),
  explanation: optionalText('指标解释（explanation）'),
  formula: optionalText('计算方法（formula）'),
  comparator: oneOf('比较符（comparator）', COMPARATORS),
  typicalValue: optionalText('指标值（typicalValue）', 200),
  unit: optionalText('度量单位（unit）', 50),
  basis: optionalText('指标值设定依据（basis）', 200),
  dataSource: optionalText('数据来源（dataSource）', 500),
  scope: oneOf('指标范围（scope）', LIBRARY_SCOPES),
  functionalClasses: z.array(CLASS_CODE, { error: '功能分类科目（functionalClasses）必须是列表' }),
  projectTypes: STRING_LIST('项目类型（projectTypes）'),
  alt2021: z.object({ level1: requiredText('2021 版一级指标（alt2021.level1）', 50), level2: requiredText('2021 版二级指标（alt2021.level2）', 50) }).nullable(),
  departmentId: id('部门（departmentId）').nullable(),
  core: z.boolean({ error: '核心指标（core）必须是布尔值' }),
}
const newIndicatorSchema = z.object({
  id: id('指标编号（id）').optional(),
  level1: fields.level1,
  level2: fields.level2,
  level3: fields.level3,
  explanation: fields.explanation.optional(),
  formula: fields.formula.optional(),
  comparator: fields.comparator,
  typicalValue: fields.typicalValue.optional(),
  unit: fields.unit.optional(),
  basis: fields.basis.optional(),
  dataSource: fields.dataSource.optional(),
  scope: fields.scope,
  functionalClasses: fields.functionalClasses.optional(),
  projectTypes: fields.projectTypes.optional(),
  alt2021: fields.alt2021.optional(),
  departmentId: fields.departmentId.optional(),
  core: fields.core.optional(),
})
const patchSchema = z.object(fields).partial()

const filterSchema = z.object({
  q: z.string().trim().max(100, { error: '搜索词（q）不能超过 100 个字符' }).optional(),
  level1: z.string().optional(),
  level2: z.string().optional(),
  functionalClass: z.string().regex(/^\d{3,7}$/, { error: '功能分类科目（functionalClass）必须是 3 到 7 位数字' }).optional(),
  scope: fields.scope.optional(),
  projectType: z.string().optional(),
  departmentId: z.string().optional(),
  core: z.boolean().optional(),
  limit: z.number().int().min(1).max(5000, { error: '每页数量（limit）不能超过 5000' }).optional(),
  offset: nonNegativeInt('偏移（offset）').optional(),
})

const MESSAGES = { conflict: '指标编号（id）已存在', missingReference: '部门（departmentId）不存在' }

function toRow(data: z.output<typeof newIndicatorSchema>) {
  return {
    ...(data.id ? { id: data.id } : {}),
    level1: data.level1,
    level2: data.level2,
    level3: data.level3,
    explanation: data.explanation ?? '',
    formula: data.formula ?? '',
    comparator: data.comparator,
    typicalValue: data.typicalValue ?? '',
    unit: data.unit ?? '',
    basis: data.basis ?? '',
    dataSource: data.dataSource ?? '',
    scope: data.scope,
    functionalClasses: data.functionalClasses ?? [],
    projectTypes: data.projectTypes ?? [],
    alt2021: data.alt2021 ?? null,
    departmentId: data.departmentId ?? null,
    core: data.core ?? false,
  }
}

/**
 * the repository's methods that only read; every other method counts as a write (its times are noted:
 * `libraryWrittenAt`) — a method added later is a write until it is listed here, the safe side for the cache
 */
const READS: ReadonlySet<string> = new Set(['count', 'list', 'get', 'all', 'revision', 'history', 'synonyms'])
let lastWriteAt = 0

/**
 * When a library repository of this process (any, also one bound to a transaction) last began or finished a
 * write (Date.now()); 0 if never. A cached revision is not trusted for a while after it (service.ts).
 */
export function libraryWrittenAt(): number {
  return lastWriteAt
}

/** For repositories that write `indicators` or `library_settings` themselves (usage counts, imports): call after a write. */
export function noteLibraryWrite(): void {
  lastWriteAt = Date.now()
}

function countingWrites(repo: LibraryRepository): LibraryRepository {
  const target = repo as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>
  for (const name of Object.keys(target)) {
    if (READS.has(name)) continue
    const write = target[name]!
    target[name] = async (...args) => {
      noteLibraryWrite()
      try {
        return await write(...args)
      } finally {
        noteLibraryWrite()
      }
    }
  }
  return repo
}

export function createLibraryRepository(db: Db): LibraryRepository {
  async function get(indicatorId: string): Promise<Indicator | null> {
    const [row] = await db.select().from(indicators).where(eq(indicators.id, indicatorId))
    return row ?? null
  }

  return countingWrites({
    async seedIfEmpty(entries) {
      const rows = (entries ?? loadLibraryFile()).map((e) => toRow(parseInput(newIndicatorSchema, e)))
      if (rows.length === 0) return 0
      return mapDbErrors(
        () =>
          db.transaction(async (tx) => {
            const [row] = await tx.select({ n: count() }).from(indicators)
            if ((row?.n ?? 0) > 0) return 0
            // Two processes starting on one empty database may both get here; the second inserts nothing.
            const inserted = await tx.insert(indicators).values(rows).onConflictDoNothing().returning({ id: indicators.id })
            return inserted.length
          }),
        MESSAGES,
      )
    },

    async count() {
      const [row] = await db.select({ n: count() }).from(indicators)
      return row?.n ?? 0
    },

    async list(filter = {}) {
      const f = parseInput(filterSchema, filter)
      const conditions: (SQL | undefined)[] = []
      if (f.level1) conditions.push(eq(indicators.level1, f.level1))
      if (f.level2) conditions.push(eq(indicators.level2, f.level2))
      if (f.scope) conditions.push(eq(indicators.scope, f.scope))
      if (f.core !== undefined) conditions.push(eq(indicators.core, f.core))
      if (f.departmentId) conditions.push(or(isNull(indicators.departmentId), eq(indicators.departmentId, f.departmentId)))
      if (f.projectType) conditions.push(sql`${f.projectType} = any(${indicators.projectTypes})`)
      if (f.functionalClass) {
        // The code is digits only (checked above), so it is safe inside LIKE patterns.
        conditions.push(
          sql`exists (select 1 from unnest(${indicators.functionalClasses}) as fc(code) where fc.code = '*' or ${f.functionalClass} like fc.code || '%' or fc.code like ${f.functionalClass} || '%')`,
        )
      }
      if (f.q) {
        // strpos, not LIKE: the user's text may hold % or _ and needs no escaping this way.
        const q = f.q.toLowerCase()
        conditions.push(
          or(
            sql`strpos(lower(${indicators.level3}), ${q}) > 0`,
            sql`strpos(lower(${indicators.explanation}), ${q}) > 0`,
            sql`strpos(lower(${indicators.formula}), ${q}) > 0`,
          ),
        )
      }
      return db
        .select()
        .from(indicators)
        .where(and(...conditions))
        .orderBy(asc(indicators.id))
        .limit(f.limit ?? 1000)
        .offset(f.offset ?? 0)
    },

    get,

    async create(input) {
      const data = parseInput(newIndicatorSchema, input)
      const [row] = await mapDbErrors(() => db.insert(indicators).values(toRow(data)).returning(), MESSAGES)
      return row!
    },

    async update(indicatorId, patch) {
      const data = parseInput(patchSchema, patch)
      const rows = await mapDbErrors(
        () =>
          db
            .update(indicators)
            .set({ ...data, updatedAt: new Date() })
            .where(eq(indicators.id, indicatorId))
            .returning(),
        MESSAGES,
      )
      if (!rows[0]) throw notFound('指标', indicatorId)
      return rows[0]
    },

    async all() {
      return db.select().from(indicators).orderBy(asc(indicators.id))
    },

    async revision() {
      const [a] = await db.select({ n: count(), at: max(indicators.updatedAt) }).from(indicators)
      // the synonyms' update, and the usages' counter (bumped by every change of indicator_usages, which
      // moves usage_count — search ranks by it — without touching an entry's updated_at). WATCH OUT: the usage
      // counter stays the last part: learning (server/library/learning.ts) drops it to cache its matcher
      const settings = await db
        .select({ key: librarySettings.key, value: librarySettings.value, at: librarySettings.updatedAt })
        .from(librarySettings)
        .where(inArray(librarySettings.key, [SYNONYMS_KEY, USAGE_REVISION_KEY]))
      const b = settings.find((s) => s.key === SYNONYMS_KEY)
      const u = settings.find((s) => s.key === USAGE_REVISION_KEY)?.value as { n?: number } | undefined
      return `${a?.n ?? 0}:${a?.at ? new Date(a.at).getTime() : 0}:${b?.at ? new Date(b.at).getTime() : 0}:${u?.n ?? 0}`
    },

    async createVersioned(input, change) {
      const data = parseInput(newIndicatorSchema, input)
      return mapDbErrors(
        () =>
          db.transaction(async (tx) => {
            // an id used by a deleted entry keeps its history: the new entry's versions continue after it
            const [prior] = data.id
              ? await tx.select({ v: max(indicatorChanges.version) }).from(indicatorChanges).where(eq(indicatorChanges.indicatorId, data.id))
              : []
            const version = prior?.v ? prior.v + 1 : 1
            const [row] = await tx.insert(indicators).values({ ...toRow(data), version }).returning()
            await tx.insert(indicatorChanges).values({ indicatorId: row!.id, version: row!.version, changedBy: change.userId, reason: change.reason, before: null, after: snapshot(row!) })
            return row!
          }),
        MESSAGES,
      )
    },

    async change(indicatorId, patch, change) {
      const data = parseInput(patchSchema, patch)
      return mapDbErrors(
        () =>
          db.transaction(async (tx) => {
            const [current] = await tx.select().from(indicators).where(eq(indicators.id, indicatorId)).for('update')
            if (!current) throw notFound('指标', indicatorId)
            if (change.expectedVersion !== undefined && change.expectedVersion !== current.version) {
              throw new AppError('conflict', `指标已被他人修改（当前版本 ${current.version}，您编辑的是版本 ${change.expectedVersion}），请刷新后再改`, {
                field: 'version', version: current.version,
              })
            }
            const before: Record<string, unknown> = {}
            const after: Record<string, unknown> = {}
            for (const k of TRACKED) {
              if (!(k in data)) continue
              const next = (data as Record<string, unknown>)[k]
              if (JSON.stringify(next ?? null) === JSON.stringify(current[k] ?? null)) continue
              before[k] = current[k]
              after[k] = next
            }
            if (Object.keys(after).length === 0) return current
            const version = current.version + 1
            const [row] = await tx
              .update(indicators)
              .set({ ...after, version, updatedAt: new Date() })
              .where(eq(indicators.id, indicatorId))
              .returning()
            await tx.insert(indicatorChanges).values({ indicatorId, version, changedBy: change.userId, reason: change.reason, before, after })
            return row!
          }),
        MESSAGES,
      )
    },

    async removeVersioned(indicatorId, change) {
      return db.transaction(async (tx) => {
        const [current] = await tx.select().from(indicators).where(eq(indicators.id, indicatorId)).for('update')
        if (!current) throw notFound('指标', indicatorId)
        await tx.delete(indicators).where(eq(indicators.id, indicatorId))
        await tx.insert(indicatorChanges).values({ indicatorId, version: current.version + 1, changedBy: change.userId, reason: change.reason, before: snapshot(current), after: {} })
        return current
      })
    },

    async history(indicatorId) {
      const rows = await db
        .select({
          version: indicatorChanges.version, changedBy: indicatorChanges.changedBy, changedByName: users.displayName,
          reason: indicatorChanges.reason, before: indicatorChanges.before, after: indicatorChanges.after, at: indicatorChanges.at,
        })
        .from(indicatorChanges)
        .leftJoin(users, eq(users.id, indicatorChanges.changedBy))
        .where(eq(indicatorChanges.indicatorId, indicatorId))
        .orderBy(desc(indicatorChanges.version))
      return rows.map((r) => ({ ...r, changedByName: r.changedByName ?? null, before: r.before ?? null }))
    },

    async synonyms() {
      const [row] = await db.select().from(librarySettings).where(eq(librarySettings.key, SYNONYMS_KEY))
      if (!row) return { groups: DEFAULT_SYNONYMS.map((g) => [...g]), updatedAt: null, updatedBy: null }
      return { groups: row.value as string[][], updatedAt: row.updatedAt, updatedBy: row.updatedBy }
    },

    async setSynonyms(groups, userId) {
      const value = groups.map((g) => [...new Set(g.map((w) => w.trim()).filter(Boolean))])
      const now = new Date()
      const [row] = await db
        .insert(librarySettings)
        .values({ key: SYNONYMS_KEY, value, updatedBy: userId, updatedAt: now })
        .onConflictDoUpdate({ target: librarySettings.key, set: { value, updatedBy: userId, updatedAt: now } })
        .returning()
      return { groups: row!.value as string[][], updatedAt: row!.updatedAt, updatedBy: row!.updatedBy }
    },

    async remove(indicatorId) {
      const rows = await db.delete(indicators).where(eq(indicators.id, indicatorId)).returning({ id: indicators.id })
      return rows.length > 0
    },
  })
}
