// Registering the projects read from a 项目统计表 (server/import/registry.ts): each row is matched to a
// department, compared with what the year already holds (by natural key: unit + project name), and
// stored in one transaction — new projects created, changed ones updated, nothing duplicated, nothing
// deleted. Departments are matched by code, then by exact name, then by an alias finance mapped; a code
// that exists under another name matches by code with a warning naming both names; what matches nothing
// is listed in `unknownDepartments` for finance to map, never created.
import { AppError } from '../../shared/errors.ts'
import type { ImportProblem } from '../../shared/api/imports.ts'
import {
  registryAliasKey, registryNameKey, registryNaturalKey,
  type RegistryCodeName, type RegistryFields, type RegistryImportAnswer, type RegistryProject, type UnknownDepartment,
} from '../../shared/api/registry.ts'
import type { Department, RegistryAliasRow, RegistryProjectRow, RegistryProjectUpsert, RegistryProjectView, Storage } from '../storage/index.ts'
import type { SheetGrid } from './grid.ts'
import { MAX_REGISTRY_PROJECTS, readRegistry, type RegistryRowRead } from './registry.ts'

const ROLE_LABEL = { competentDept: '主管部门', unit: '预算单位' } as const
type Role = keyof typeof ROLE_LABEL

export interface Match { department: Department; how: 'code' | 'name' | 'alias' }

/** Finds the department a registry's code-name cell means: by code, then exact name, then an alias. */
export class DepartmentMatcher {
  private readonly byCode = new Map<string, Department>()
  private readonly byName = new Map<string, Department[]>()
  private readonly byId = new Map<string, Department>()
  private readonly aliasByCode = new Map<string, string>()
  private readonly aliasByName = new Map<string, string>()

  constructor(departments: readonly Department[], aliases: readonly RegistryAliasRow[]) {
    for (const d of departments) {
      this.byId.set(d.id, d)
      this.byCode.set(registryNameKey(d.code), d)
      const key = registryNameKey(d.name)
      this.byName.set(key, [...(this.byName.get(key) ?? []), d])
    }
    for (const a of aliases) {
      if (a.code) this.aliasByCode.set(registryNameKey(a.code), a.departmentId)
      this.aliasByName.set(registryNameKey(a.name), a.departmentId)
    }
  }

  department(id: string): Department | undefined {
    return this.byId.get(id)
  }

  /** the match and, when code and name disagree, a Chinese warning naming both */
  match(value: RegistryCodeName | null, role: Role): { match: Match | null; warning?: string } {
    if (!value || (!value.code && !value.name)) return { match: null }
    const label = ROLE_LABEL[role]
    const typedName = value.name
    if (value.code) {
      const d = this.byCode.get(registryNameKey(value.code))
      if (d) {
        const differs = typedName && registryNameKey(typedName) !== registryNameKey(d.name)
        return {
          match: { department: d, how: 'code' },
          ...(differs ? { warning: `${label}代码 ${value.code} 在部门列表中是“${d.name}”，表中写作“${typedName}”；已按代码对应到“${d.name}”，请核对` } : {}),
        }
      }
    }
    if (typedName) {
      const named = this.byName.get(registryNameKey(typedName)) ?? []
      if (named.length === 1) {
        const d = named[0]!
        return {
          match: { department: d, how: 'name' },
          ...(value.code ? { warning: `${label}代码 ${value.code} 不在部门列表中，已按名称对应到“${d.name}”（代码 ${d.code}），请核对` } : {}),
        }
      }
    }
    const aliased = (value.code ? this.aliasByCode.get(registryNameKey(value.code)) : undefined) ?? (typedName ? this.aliasByName.get(registryNameKey(typedName)) : undefined)
    const d = aliased ? this.byId.get(aliased) : undefined
    if (d) return { match: { department: d, how: 'alias' } }
    return { match: null }
  }
}

export interface Resolved {
  departmentId: string | null
  warnings: { cell?: string; code: string; severity: ImportProblem['severity']; message: string }[]
  /** the cells that matched nothing, when the project stays without a department */
  unknown: { role: Role; value: RegistryCodeName }[]
}

/** The department a project belongs to: its unit's when the unit is known, else its competent department's. */
export function resolveDepartment(matcher: DepartmentMatcher, fields: Pick<RegistryFields, 'competentDept' | 'unit'>, cells: { competentDept?: string; unit?: string } = {}): Resolved {
  const warnings: Resolved['warnings'] = []
  const unit = matcher.match(fields.unit, 'unit')
  const dept = matcher.match(fields.competentDept, 'competentDept')
  if (unit.warning) warnings.push({ cell: cells.unit, code: 'code_name_mismatch', severity: 'warning', message: `${cells.unit ?? ''} ${unit.warning}`.trim() })
  if (dept.warning) warnings.push({ cell: cells.competentDept, code: 'code_name_mismatch', severity: 'warning', message: `${cells.competentDept ?? ''} ${dept.warning}`.trim() })
  const u = unit.match?.department
  const d = dept.match?.department
  if (u && d && u.id !== d.id && u.parentId !== d.id) {
    warnings.push({ cell: cells.unit, code: 'unit_outside_department', severity: 'warning', message: `${cells.unit ?? ''} 预算单位“${u.name}”不是主管部门“${d.name}”的下属单位，项目归入“${u.name}”，请核对`.trim() })
  }
  if (!u && d && fields.unit && (fields.unit.code || fields.unit.name)) {
    warnings.push({ cell: cells.unit, code: 'unit_unmatched', severity: 'info', message: `${cells.unit ?? ''} 预算单位“${describe(fields.unit)}”不在部门列表中，项目归入主管部门“${d.name}”`.trim() })
  }
  const departmentId = u?.id ?? d?.id ?? null
  const unknown: Resolved['unknown'] = []
  if (!departmentId) {
    if (fields.competentDept && (fields.competentDept.code || fields.competentDept.name)) unknown.push({ role: 'competentDept', value: fields.competentDept })
    if (fields.unit && (fields.unit.code || fields.unit.name)) unknown.push({ role: 'unit', value: fields.unit })
  }
  return { departmentId, warnings, unknown }
}

const describe = (v: RegistryCodeName) => (v.code && v.name ? `${v.code}-${v.name}` : v.name || v.code || '')

/** Groups the projects still without a department by the cell that names it. */
export function collectUnknown(items: readonly { unknown: Resolved['unknown']; row: number; projectId: string | null }[]): UnknownDepartment[] {
  const out = new Map<string, UnknownDepartment>()
  for (const item of items) {
    for (const u of item.unknown) {
      const key = `${u.role}|${registryAliasKey(u.value.code, u.value.name)}`
      let entry = out.get(key)
      if (!entry) out.set(key, (entry = { code: u.value.code ?? null, name: u.value.name, role: u.role, rows: [], projectIds: [] }))
      if (!entry.rows.includes(item.row)) entry.rows.push(item.row)
      if (item.projectId && !entry.projectIds.includes(item.projectId)) entry.projectIds.push(item.projectId)
    }
  }
  return [...out.values()]
}

/** A stored project as the API answers it. */
export function toRegistryProject(v: RegistryProjectView): RegistryProject {
  return {
    id: v.id,
    year: v.year,
    departmentId: v.departmentId,
    departmentName: v.departmentName,
    financeOffice: v.financeOffice ?? null,
    competentDept: v.competentDept ?? null,
    unit: v.unit ?? null,
    contacts: v.contacts,
    projectName: v.projectName,
    requestedAmount: v.requestedAmount ?? null,
    functionalClass: v.functionalClass ?? null,
    classified: v.classified,
    fundingType: v.fundingType,
    fundSource: v.fundSource,
    source: v.source,
    tableId: v.tableId,
    updatedAt: v.updatedAt.toISOString(),
  }
}

const FIELD_KEYS = ['financeOffice', 'competentDept', 'unit', 'contacts', 'projectName', 'requestedAmount', 'functionalClass', 'classified', 'fundingType', 'fundSource'] as const

/** JSON with object keys sorted, so two values compare equal whatever order their keys were written in */
function stable(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : x))
}

function changed(before: RegistryProjectRow, after: RegistryProjectUpsert): boolean {
  if (before.departmentId !== after.departmentId) return true
  return FIELD_KEYS.some((k) => stable(before[k] ?? null) !== stable(after[k] ?? null))
}

export interface RegistryImportInput {
  sheets: readonly SheetGrid[]
  /** problems of reading the file itself (hidden sheets, formula errors …), passed into the report */
  workbookProblems?: readonly ImportProblem[]
  fileName: string
  year: number
  dryRun: boolean
  userId: string
}

/** Reads, matches and (unless a dry run) stores a registry; one transaction; the answer of POST /api/registry/import. */
export async function importRegistry(storage: Storage, input: RegistryImportInput): Promise<RegistryImportAnswer> {
  const read = readRegistry(input.sheets)
  if (!read.found) {
    throw new AppError('invalid_input', '文件中没有找到项目统计表：需要一行包含“项目名称”以及“主管部门”“预算单位”“申请预算金额”等列标题的表头', {
      field: 'file', reason: 'no_registry_heading', sheets: read.sheets,
    })
  }
  if (read.rows.length > MAX_REGISTRY_PROJECTS) {
    throw new AppError('invalid_input', `项目过多（${read.rows.length} 个，一次最多导入 ${MAX_REGISTRY_PROJECTS} 个），请分文件导入`, { field: 'file', reason: 'too_many_projects' })
  }
  const problems: ImportProblem[] = [...(input.workbookProblems ?? []), ...read.problems]
  const [departments, aliases, existingRows, existingViews] = await Promise.all([
    storage.departments.list(), storage.registry.aliases(), storage.registry.byKey(input.year), storage.registry.list(input.year),
  ])
  const matcher = new DepartmentMatcher(departments, aliases)
  const views = new Map(existingViews.map((v) => [v.naturalKey, v]))

  // one entry per project: a later row of the same project (same unit, same name) wins
  const planned = new Map<string, { order: number; read: RegistryRowRead; upsert: RegistryProjectUpsert; resolved: Resolved }>()
  for (const [order, row] of read.rows.entries()) {
    const resolved = resolveDepartment(matcher, row.fields, row.cells)
    const naturalKey = registryNaturalKey(row.fields)
    const earlier = planned.get(naturalKey)
    if (earlier) {
      problems.push({ sheet: row.sheet, cell: row.cells.projectName, code: 'duplicate_project', severity: 'warning', message: `第 ${row.row} 行与${earlier.read.sheet === row.sheet ? '' : `工作表「${earlier.read.sheet}」`}第 ${earlier.read.row} 行是同一项目（同一预算单位、同一项目名称“${row.fields.projectName}”），以第 ${row.row} 行为准` })
      planned.delete(naturalKey)
    }
    for (const w of resolved.warnings) problems.push({ sheet: row.sheet, ...(w.cell ? { cell: w.cell } : {}), code: w.code, severity: w.severity, message: w.message })
    planned.set(naturalKey, {
      order,
      read: row,
      resolved,
      upsert: { ...row.fields, year: input.year, naturalKey, departmentId: resolved.departmentId, source: { file: input.fileName, sheet: row.sheet, row: row.row } },
    })
  }
  const entries = [...planned.values()].sort((a, b) => a.order - b.order)
  const actions = new Map<string, 'created' | 'updated' | 'unchanged'>()
  for (const e of entries) {
    const before = existingRows.get(e.upsert.naturalKey)
    actions.set(e.upsert.naturalKey, !before ? 'created' : changed(before, e.upsert) ? 'updated' : 'unchanged')
  }
  const writes = entries.filter((e) => actions.get(e.upsert.naturalKey) !== 'unchanged').map((e) => e.upsert)
  const kept = [...existingRows.keys()].filter((k) => !planned.has(k)).length
  if (kept) problems.push({ code: 'not_in_file', severity: 'info', message: `本年度已登记、但本次文件中没有的项目 ${kept} 个，保留不变` })
  for (const e of entries) {
    if (e.resolved.departmentId) continue
    const names = e.resolved.unknown.map((u) => `${ROLE_LABEL[u.role]}“${describe(u.value)}”`).join('、') || '主管部门和预算单位均为空'
    problems.push({ sheet: e.read.sheet, ...(e.read.cells.competentDept ? { cell: e.read.cells.competentDept } : {}), code: 'unknown_department', severity: 'warning', message: `第 ${e.read.row} 行“${e.read.fields.projectName}”：${names}不在部门列表中，待财政局对应部门后才能建表` })
  }

  let stored = views
  if (!input.dryRun && writes.length) {
    stored = await storage.transaction(async (tx) => {
      await tx.registry.upsert(writes, input.userId)
      await tx.audit.record({
        userId: input.userId, action: 'registry.import',
        details: { year: input.year, file: input.fileName, created: count(actions, 'created'), updated: count(actions, 'updated'), unchanged: count(actions, 'unchanged') },
      })
      return new Map((await tx.registry.list(input.year)).map((v) => [v.naturalKey, v]))
    })
  }

  const names = new Map(departments.map((d) => [d.id, d.name]))
  const projects = entries.map((e) => {
    const key = e.upsert.naturalKey
    const action = actions.get(key)!
    const v = stored.get(key)
    const base: RegistryProject = v && (!input.dryRun || action === 'unchanged')
      ? toRegistryProject(v)
      : {
          ...e.upsert, id: v?.id ?? null, departmentName: e.upsert.departmentId ? names.get(e.upsert.departmentId) ?? null : null,
          tableId: v?.tableId ?? null, updatedAt: v?.updatedAt.toISOString() ?? null,
        }
    const { naturalKey: _k, ...rest } = base as RegistryProject & { naturalKey?: string }
    return { ...rest, action }
  })
  const unknownDepartments = collectUnknown(entries.map((e) => ({ unknown: e.resolved.unknown, row: e.read.row, projectId: stored.get(e.upsert.naturalKey)?.id ?? null })))
  return {
    dryRun: input.dryRun,
    year: input.year,
    projects,
    unknownDepartments,
    report: { file: input.fileName, sheets: read.sheets, problems },
    created: count(actions, 'created'),
    updated: count(actions, 'updated'),
    unchanged: count(actions, 'unchanged'),
  }
}

function count(actions: ReadonlyMap<string, string>, what: string): number {
  let n = 0
  for (const a of actions.values()) if (a === what) n++
  return n
}
