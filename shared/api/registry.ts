// The project registry (项目统计表, tables.md §10; glossary: registry): a bureau's list of projects per year,
// imported from xlsx, matched to departments, and turned into target tables with their header prefilled.
// CONTRACT.md → `POST /api/registry/import`, `GET /api/registry`, `POST /api/registry/tables`, and the
// mapping of an unknown department `POST /api/registry/aliases`. Pages import the types only (no zod).
import { z } from 'zod'
import { TEMPLATE_IDS, type TemplateId } from '../model/schema.ts'
import { TEMPLATES } from '../model/templates.ts'
import { importProblem } from './imports.ts'

const yearField = (coerce: boolean) =>
  (coerce ? z.coerce.number({ error: '年度（year）必须是数字' }) : z.number({ error: '年度（year）必须是数字' }))
    .int({ error: '年度（year）必须是整数' })
    .min(2000, { error: '年度（year）不能早于 2000' })
    .max(2100, { error: '年度（year）不能晚于 2100' })

/** A code-name cell split (`***-名称`): either part may be blank; a name alone has no code. */
export const registryCodeName = z.object({ code: z.string().optional(), name: z.string() })
export type RegistryCodeName = z.infer<typeof registryCodeName>

/** One line of 预算单位联系人员: `项目主要负责人：姓名 电话` (role as typed, '' when the line names none) */
export const registryContact = z.object({ role: z.string(), name: z.string(), phone: z.string() })
export type RegistryContact = z.infer<typeof registryContact>

/** 功能分类科目: the resolved code/name (most specific level known) and the three cells as typed. */
export const registryFunctionalClass = z.object({
  code: z.string().optional(),
  name: z.string().optional(),
  /** 类 / 款 / 项 as typed ('' when blank) */
  levels: z.object({ class: z.string(), section: z.string(), item: z.string() }),
})
export type RegistryFunctionalClass = z.infer<typeof registryFunctionalClass>

/** Where a registered project was read: file name, sheet, 1-based sheet row. */
export const registrySource = z.object({ file: z.string(), sheet: z.string(), row: z.number().int() })
export type RegistrySource = z.infer<typeof registrySource>

/** 申请预算金额（万元）as typed: a number, text kept as typed (prose), or blank. */
export const registryAmount = z.union([z.number(), z.string(), z.null()])
export type RegistryAmount = z.infer<typeof registryAmount>

/** The fields read from one registry row (what the importer stores). */
export const registryFields = z.object({
  financeOffice: registryCodeName.nullable(),
  competentDept: registryCodeName.nullable(),
  unit: registryCodeName.nullable(),
  contacts: z.array(registryContact),
  projectName: z.string(),
  requestedAmount: registryAmount,
  functionalClass: registryFunctionalClass.nullable(),
  /** 涉密 true, 非密 false, blank or unreadable null */
  classified: z.boolean().nullable(),
  /** 项目类别（预算管理）: 部门预算项目、专项资金项目 … as typed */
  fundingType: z.string().nullable(),
  /** 财政资金来源: 一般公共预算 … as typed */
  fundSource: z.string().nullable(),
})
export type RegistryFields = z.infer<typeof registryFields>

export const registryProject = registryFields.extend({
  /** null in a dry run for a project not registered yet */
  id: z.string().nullable(),
  year: z.number().int(),
  /** the department (or unit) the project belongs to; null while its department is unknown */
  departmentId: z.string().nullable(),
  departmentName: z.string().nullable(),
  source: registrySource,
  /** the target table created for it; null = 未建表 */
  tableId: z.string().nullable(),
  updatedAt: z.string().nullable(),
})
export type RegistryProject = z.infer<typeof registryProject>

export const REGISTRY_ACTIONS = ['created', 'updated', 'unchanged'] as const
export type RegistryAction = (typeof REGISTRY_ACTIONS)[number]

/** A department or unit of the registry that matches no department: finance maps it (POST /api/registry/aliases). */
export const unknownDepartment = z.object({
  code: z.string().nullable(),
  name: z.string(),
  /** which column it came from: 主管部门 or 预算单位 */
  role: z.enum(['competentDept', 'unit']),
  /** 1-based sheet rows (import) or the stored rows' source rows (list) */
  rows: z.array(z.number().int()),
  /** the registered projects waiting for it (empty in a dry run for new projects) */
  projectIds: z.array(z.string()),
})
export type UnknownDepartment = z.infer<typeof unknownDepartment>

// ---- POST /api/registry/import (multipart `file`, `year`; ?dryRun=1) -------------------

export const registryImportFields = z.object({ year: yearField(true) })
export type RegistryImportFields = z.infer<typeof registryImportFields>

export const registryImportAnswer = z.object({
  dryRun: z.boolean(),
  year: z.number().int(),
  projects: z.array(registryProject.extend({ action: z.enum(REGISTRY_ACTIONS) })),
  unknownDepartments: z.array(unknownDepartment),
  report: z.object({ file: z.string(), sheets: z.array(z.object({ name: z.string(), projects: z.number().int(), skipped: z.string().optional() })), problems: z.array(importProblem) }),
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
})
export type RegistryImportAnswer = z.infer<typeof registryImportAnswer>

// ---- GET /api/registry?year=&departmentId= ------------------------------------------------

export const registryListQuery = z.object({
  year: yearField(true),
  /** a department brings its units */
  departmentId: z.string().min(1).optional(),
})
export type RegistryListQuery = z.infer<typeof registryListQuery>

/** Every project the caller may read, never truncated: `total` equals `projects.length`. */
export const registryListAnswer = z.object({
  year: z.number().int(),
  projects: z.array(registryProject),
  total: z.number().int(),
  /** finance and consultants: departments still to map for this year (others: always empty) */
  unknownDepartments: z.array(unknownDepartment),
})
export type RegistryListAnswer = z.infer<typeof registryListAnswer>

// ---- POST /api/registry/aliases {code?, name, departmentId} --------------------------------

export const registryAliasBody = z.object({
  code: z.string().trim().max(50, { error: '代码（code）不能超过 50 个字符' }).optional(),
  name: z.string({ error: '名称（name）必须是文本' }).trim().min(1, { error: '名称（name）不能为空' }).max(200, { error: '名称（name）不能超过 200 个字符' }),
  departmentId: z.string({ error: '部门（departmentId）必填' }).min(1, { error: '部门（departmentId）必填' }),
})
export type RegistryAliasBody = z.infer<typeof registryAliasBody>

export const registryAlias = z.object({ id: z.string(), code: z.string().nullable(), name: z.string(), departmentId: z.string() })
export type RegistryAlias = z.infer<typeof registryAlias>

export const registryAliasAnswer = z.object({
  alias: registryAlias,
  /** registered projects (any year, without a table yet) now attached to the department */
  attached: z.array(z.object({ projectId: z.string(), year: z.number().int(), projectName: z.string() })),
})
export type RegistryAliasAnswer = z.infer<typeof registryAliasAnswer>

// ---- POST /api/registry/tables {year, departmentIds?, projectIds?, template?} ----------------

export const REGISTRY_DEFAULT_TEMPLATE = 'mof2015-project' as const
/** the templates a registered project's table may take (project forms) */
export const REGISTRY_TEMPLATES = TEMPLATE_IDS.filter((t) => TEMPLATES[t].kind === 'project')

export const registryTablesBody = z.object({
  year: yearField(false),
  /** a department brings its units; omitted → every department */
  departmentIds: z.array(z.string().min(1), { error: '部门列表（departmentIds）必须是数组' }).min(1, { error: '部门列表（departmentIds）不能为空；全部部门请不传' }).optional(),
  /** omitted → every registered project of the year (within departmentIds) */
  projectIds: z.array(z.string().min(1), { error: '项目列表（projectIds）必须是数组' }).min(1, { error: '项目列表（projectIds）不能为空；全部项目请不传' }).optional(),
  /** the project template; default mof2015-project (no per-year setting yet) */
  template: z.enum(REGISTRY_TEMPLATES as [TemplateId, ...TemplateId[]], { error: `表样版本（template）必须是项目表样之一：${REGISTRY_TEMPLATES.join('、')}` }).optional(),
})
export type RegistryTablesBody = z.infer<typeof registryTablesBody>

export const REGISTRY_SKIP_CODES = ['has_table', 'no_department', 'forbidden', 'not_found', 'invalid'] as const
export type RegistrySkipCode = (typeof REGISTRY_SKIP_CODES)[number]

export const registryTablesAnswer = z.object({
  template: z.string(),
  created: z.array(z.object({ projectId: z.string(), tableId: z.string() })),
  skipped: z.array(z.object({ projectId: z.string(), projectName: z.string(), code: z.enum(REGISTRY_SKIP_CODES), reason: z.string() })),
})
export type RegistryTablesAnswer = z.infer<typeof registryTablesAnswer>

// ---- identity ---------------------------------------------------------------------------------

/** A name as compared: NFKC (full-width → half-width), no whitespace, no `（部门）` suffix, lower case. */
export function registryNameKey(name: string): string {
  return name.normalize('NFKC').replace(/\s+/g, '').replace(/\(部门\)$/, '').toLowerCase()
}

/**
 * What makes a registered project "the same" across imports of a year: its unit (code, else name;
 * the competent department when the unit is blank) and its project name, normalised. A re-import
 * updates the row with this key instead of adding another.
 */
export function registryNaturalKey(fields: Pick<RegistryFields, 'unit' | 'competentDept' | 'projectName'>): string {
  const owner = fields.unit?.code || fields.unit?.name ? fields.unit : fields.competentDept
  const who = owner?.code ? `c:${registryNameKey(owner.code)}` : `n:${registryNameKey(owner?.name ?? '')}`
  return `${who}|${registryNameKey(fields.projectName)}`
}

/** The alias key of a department as a registry spells it: its code when known, else its name. */
export function registryAliasKey(code: string | null | undefined, name: string): string {
  return code ? `c:${registryNameKey(code)}` : `n:${registryNameKey(name)}`
}
