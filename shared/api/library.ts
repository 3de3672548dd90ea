// The indicator library (指标库, glossary: 共性指标 / 个性指标, 核心指标 ★): search, read with history, create,
// change (each change versioned with who and why), and the synonyms a bureau maintains for search.
// CONTRACT.md → `GET /api/indicators?q=&level1=&level2=&functionalClass=&scope=&departmentId=&core=&limit=&cursor=`,
// `GET/PATCH /api/indicators/:id`, `POST /api/indicators`, `GET/PUT /api/indicators/synonyms`.
import { z } from 'zod'
import { COMPARATORS } from '../model/schema.ts'
import { boolParam, isoTime, limitParam } from './common.ts'

export const LIBRARY_SCOPES = ['common', 'specific'] as const
export type LibraryScope = (typeof LIBRARY_SCOPES)[number]
export const SCOPE_LABELS: Readonly<Record<LibraryScope, string>> = { common: '共性指标', specific: '个性指标' }

/** longest search string; a longer one is refused with 400 `invalid_input` (never silently cut) */
export const MAX_QUERY = 200

// ---- GET /api/indicators ---------------------------------------------------------------

export const indicatorListQuery = z.object({
  /**
   * free text: matched against 三级指标 (exact, words, synonyms, pinyin initials or full pinyin, typos),
   * then 指标解释 and 计算方法. Punctuation only → an empty answer, not an error.
   */
  q: z.string().max(MAX_QUERY, { error: `搜索词（q）不能超过 ${MAX_QUERY} 个字符` }).optional(),
  level1: z.string().max(50, { error: '一级指标（level1）不能超过 50 个字符' }).optional(),
  level2: z.string().max(50, { error: '二级指标（level2）不能超过 50 个字符' }).optional(),
  /** a 类/款/项 code: entries for every class (`*`), for a prefix of it (20102 matches 2010201) or below it (201 matches 20102) */
  functionalClass: z.string().regex(/^\d{3,7}$/, { error: '功能分类科目（functionalClass）必须是 3 到 7 位数字' }).optional(),
  scope: z.enum(LIBRARY_SCOPES, { error: '指标范围（scope）应为 common 或 specific' }).optional(),
  /** common entries (no department) plus this department's own */
  departmentId: z.string().min(1).max(100).optional(),
  core: boolParam('核心指标（core）').optional(),
  limit: limitParam(50),
  /** opaque, from the previous answer's nextCursor */
  cursor: z.string().max(200).optional(),
})
export type IndicatorListQuery = z.input<typeof indicatorListQuery>

export const alt2021 = z.object({ level1: z.string(), level2: z.string() })

/** One library entry: every field of shared/domain/library.json plus department, ★, usage and version. */
export const indicatorEntry = z.object({
  id: z.string(),
  level1: z.string(),
  level2: z.string(),
  level3: z.string(),
  explanation: z.string(),
  formula: z.string(),
  comparator: z.enum(COMPARATORS),
  typicalValue: z.string(),
  unit: z.string(),
  basis: z.string(),
  dataSource: z.string(),
  scope: z.enum(LIBRARY_SCOPES),
  /** 功能分类 类/款/项 codes; `*` = every class */
  functionalClasses: z.array(z.string()),
  projectTypes: z.array(z.string()),
  /** placement under the 2021 framework (成本指标 rows) */
  alt2021: alt2021.nullable(),
  /** null = the whole bureau's; else the department it belongs to */
  departmentId: z.string().nullable(),
  core: z.boolean(),
  /** how many approved tables used it (0 until learning lands) */
  usageCount: z.number().int(),
  /** 1 on creation, +1 per change */
  version: z.number().int(),
  createdAt: isoTime,
  updatedAt: isoTime,
})
export type IndicatorEntry = z.infer<typeof indicatorEntry>

/** A search hit: the entry with why it matched, in Chinese (名称含“满意度”, 拼音首字母 myd, 同义词 满意率→满意度 …). */
export const indicatorHit = indicatorEntry.extend({
  /** empty when no `q` was given */
  matched: z.array(z.string()),
})
export type IndicatorHit = z.infer<typeof indicatorHit>

export const indicatorListAnswer = z.object({
  /** ranked by match quality (exact name > name word > synonym > pinyin > explanation/formula > typo), then usage, then name; without q: 一级, 二级, name */
  indicators: z.array(indicatorHit),
  /** how many entries match (all pages), exact */
  total: z.number().int(),
  /** null on the last page */
  nextCursor: z.string().nullable(),
  /** the words the query was cut into (after dropping punctuation); pages may highlight them */
  terms: z.array(z.string()),
})
export type IndicatorListAnswer = z.infer<typeof indicatorListAnswer>

// ---- GET /api/indicators/:id (with its history) -------------------------------------------

export const indicatorChange = z.object({
  version: z.number().int(),
  changedBy: z.string().nullable(),
  changedByName: z.string().nullable(),
  reason: z.string(),
  /** the changed fields before (null for the creation) */
  before: z.record(z.string(), z.unknown()).nullable(),
  /** the changed fields after */
  after: z.record(z.string(), z.unknown()),
  at: isoTime,
})
export type IndicatorChange = z.infer<typeof indicatorChange>

/** newest first */
export const indicatorHistory = z.array(indicatorChange)

export const indicatorAnswer = z.object({ indicator: indicatorEntry, history: indicatorHistory })
export type IndicatorAnswer = z.infer<typeof indicatorAnswer>

// ---- POST /api/indicators, PATCH /api/indicators/:id (finance, consultant) -------------

const text = (label: string, max: number) => z.string({ error: `${label}必须是文字` }).max(max, { error: `${label}不能超过 ${max} 个字符` })
const required = (label: string, max: number) =>
  z.string({ error: `${label}必填` }).trim().min(1, { error: `${label}必填` }).max(max, { error: `${label}不能超过 ${max} 个字符` })
const CLASS_CODE = z.string().regex(/^(\*|\d{3}|\d{5}|\d{7})$/, { error: '功能分类科目（functionalClasses）必须是 3、5 或 7 位数字，或 *' })

export const MAX_CHANGE_REASON = 500
const reasonField = z
  .string({ error: '修改原因（reason）必填' })
  .trim()
  .min(1, { error: '修改原因（reason）必填' })
  .max(MAX_CHANGE_REASON, { error: `修改原因（reason）不能超过 ${MAX_CHANGE_REASON} 个字符` })

const editable = {
  level1: required('一级指标（level1）', 50),
  level2: required('二级指标（level2）', 50),
  level3: required('三级指标（level3）', 200),
  explanation: text('指标解释（explanation）', 2000),
  formula: text('计算方法（formula）', 2000),
  comparator: z.enum(COMPARATORS, { error: `比较符（comparator）应为 ${COMPARATORS.join('、')} 之一` }),
  typicalValue: text('指标值（typicalValue）', 200),
  unit: text('度量单位（unit）', 50),
  basis: text('指标值设定依据（basis）', 200),
  dataSource: text('数据来源（dataSource）', 500),
  scope: z.enum(LIBRARY_SCOPES, { error: '指标范围（scope）应为 common 或 specific' }),
  functionalClasses: z.array(CLASS_CODE, { error: '功能分类科目（functionalClasses）必须是列表' }).max(200),
  projectTypes: z.array(required('项目类型（projectTypes）', 100), { error: '项目类型（projectTypes）必须是列表' }).max(100),
  alt2021: z.object({ level1: required('2021 版一级指标（alt2021.level1）', 50), level2: required('2021 版二级指标（alt2021.level2）', 50) }).nullable(),
  departmentId: z.string({ error: '部门（departmentId）必须是文字' }).min(1, { error: '部门（departmentId）不能为空' }).max(100).nullable(),
  core: z.boolean({ error: '核心指标（core）必须是布尔值' }),
}
export const INDICATOR_FIELDS = Object.keys(editable) as (keyof typeof editable)[]

/** A new entry; `reason` is optional (default 新增指标). */
export const createIndicatorBody = z.object({
  id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: '指标编号（id）只能含字母、数字、_ . -，最多 64 个字符' }).optional(),
  level1: editable.level1,
  level2: editable.level2,
  level3: editable.level3,
  explanation: editable.explanation.optional(),
  formula: editable.formula.optional(),
  comparator: editable.comparator,
  typicalValue: editable.typicalValue.optional(),
  unit: editable.unit.optional(),
  basis: editable.basis.optional(),
  dataSource: editable.dataSource.optional(),
  scope: editable.scope,
  functionalClasses: editable.functionalClasses.optional(),
  projectTypes: editable.projectTypes.optional(),
  alt2021: editable.alt2021.optional(),
  departmentId: editable.departmentId.optional(),
  core: editable.core.optional(),
  reason: reasonField.optional(),
})
export type CreateIndicatorBody = z.infer<typeof createIndicatorBody>

/** A change: any fields plus the required `reason`; `version` (optional) refuses a stale edit with 409. */
export const patchIndicatorBody = z
  .object(editable)
  .partial()
  .extend({ reason: reasonField, version: z.number({ error: '版本（version）必须是数字' }).int().min(1).optional() })
export type PatchIndicatorBody = z.infer<typeof patchIndicatorBody>

// ---- GET/PUT /api/indicators/synonyms (read: signed in; replace: finance) -----------------

/** Each group is a set of words search treats as the same (满意度/满意率). */
export const synonymsBody = z.object({
  groups: z
    .array(
      z
        .array(required('同义词（groups）', 30), { error: '同义词组必须是列表' })
        .min(2, { error: '每组同义词至少 2 个词' })
        .max(20, { error: '每组同义词最多 20 个词' }),
      { error: '同义词（groups）必须是列表' },
    )
    .max(500, { error: '同义词最多 500 组' }),
})
export type SynonymsBody = z.infer<typeof synonymsBody>

export const synonymsAnswer = synonymsBody.extend({ updatedAt: isoTime.nullable(), updatedBy: z.string().nullable() })
export type SynonymsAnswer = z.infer<typeof synonymsAnswer>

export const DEFAULT_SYNONYMS: readonly (readonly string[])[] = [
  ['满意度', '满意率'],
  ['参训人次', '培训人次', '培训人数'],
  ['覆盖率', '覆盖面'],
]
