// The indicator library (指标库): seeded from shared/domain/library.json on an empty database,
// searched by level, functional class, scope and text; finance and consultants add and edit entries.
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import { and, asc, count, eq, isNull, or, sql, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import { COMPARATORS } from '../../shared/model/index.ts'
import type { Db } from '../db/open.ts'
import { mapDbErrors } from '../db/errors.ts'
import { LIBRARY_SCOPES, indicators, type Alt2021, type LibraryScope } from '../db/schema.ts'
import { id, nonNegativeInt, notFound, oneOf, optionalText, parseInput, requiredText } from './input.ts'

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

export function createLibraryRepository(db: Db): LibraryRepository {
  async function get(indicatorId: string): Promise<Indicator | null> {
    const [row] = await db.select().from(indicators).where(eq(indicators.id, indicatorId))
    return row ?? null
  }

  return {
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

    async remove(indicatorId) {
      const rows = await db.delete(indicators).where(eq(indicators.id, indicatorId)).returning({ id: indicators.id })
      return rows.length > 0
    },
  }
}
