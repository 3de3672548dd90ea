// The project registry (项目统计表) routes: import an xlsx (finance, consultants), list a year's projects
// (scoped to what the caller may read), map an unknown department (finance), and create the tables of
// registered projects (editors within their scope). Contract: shared/api/registry.ts.
import { Hono } from 'hono'
import { AppError } from '../../../shared/errors.ts'
import { can, departmentsFor, isCityWideViewer } from '../../../shared/permissions.ts'
import {
  REGISTRY_DEFAULT_TEMPLATE, registryAliasBody, registryAliasKey, registryImportFields, registryListQuery, registryNameKey, registryTablesBody,
  type RegistryAliasAnswer, type RegistryImportAnswer, type RegistryListAnswer, type RegistryTablesAnswer,
} from '../../../shared/api/registry.ts'
import type { TemplateId } from '../../../shared/model/index.ts'
import type { Caller } from '../../auth/session.ts'
import { runImport } from '../../import/run.ts'
import { collectUnknown, importRegistry, toRegistryProject } from '../../import/registry-import.ts'
import { createRegistryTables } from '../../import/registry-tables.ts'
import type { RegistryProjectView } from '../../storage/index.ts'
import type { AppDeps, AppEnv } from '../context.ts'
import { parseRequest, readJson, requireCaller, requireRole } from '../guards.ts'
import { isDryRun, readUpload } from '../upload.ts'

/** finance and consultants import and see the projects whose department is still unknown */
const seesUnmatched = (caller: Caller) => caller.actor.role === 'finance' || caller.actor.role === 'consultant'

/** Whether the caller may read a registered project: as a draft table of its department would be. */
function readable(caller: Caller, p: RegistryProjectView): boolean {
  if (!p.departmentId) return seesUnmatched(caller)
  return can(caller.actor, 'read', { departmentId: p.departmentId, status: 'draft', classified: p.classified === true, year: p.year }).allowed
}

/** the cells naming a department of a project that has none */
function unknownOf(p: RegistryProjectView) {
  const out: { role: 'competentDept' | 'unit'; value: { code?: string; name: string } }[] = []
  if (p.competentDept && (p.competentDept.code || p.competentDept.name)) out.push({ role: 'competentDept', value: p.competentDept })
  if (p.unit && (p.unit.code || p.unit.name)) out.push({ role: 'unit', value: p.unit })
  return out
}

export function registryRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>()
  const { storage } = deps

  app.post('/registry/import', async (c) => {
    const caller = requireRole(c, 'finance', 'consultant')
    const upload = await readUpload(c)
    const { year } = parseRequest(registryImportFields, upload.fields)
    const { sheets, problems } = await runImport({ kind: 'sheets', data: upload.bytes, fileName: upload.fileName })
    const answer = await importRegistry(storage, {
      sheets, workbookProblems: problems, fileName: upload.fileName, year, dryRun: isDryRun(c), userId: caller.user.id,
    })
    return c.json(answer satisfies RegistryImportAnswer)
  })

  app.get('/registry', async (c) => {
    const caller = requireCaller(c)
    const q = parseRequest(registryListQuery, c.req.query())
    const finance = caller.actor.role === 'finance'
    const wide = finance || isCityWideViewer(caller.actor)
    let scope: string[] | undefined = wide ? undefined : departmentsFor(caller.actor, q.year)
    if (q.departmentId) {
      const chosen = await storage.departments.withDescendants([q.departmentId])
      scope = scope ? chosen.filter((id) => scope!.includes(id)) : chosen
    }
    const rows = await storage.registry.list(q.year, { ...(scope ? { departmentIds: scope } : {}), unmatched: seesUnmatched(caller) && !q.departmentId })
    const visible = rows.filter((p) => readable(caller, p))
    const unmatched = visible.filter((p) => !p.departmentId)
    return c.json({
      year: q.year,
      // a viewer (人大, 审计) reads the list but not the people behind it: contacts are personal data
      projects: visible.map((p) => (caller.actor.role === 'viewer' ? { ...toRegistryProject(p), contacts: [] } : toRegistryProject(p))),
      total: visible.length,
      unknownDepartments: collectUnknown(unmatched.map((p) => ({ unknown: unknownOf(p), row: p.source.row, projectId: p.id }))),
    } satisfies RegistryListAnswer)
  })

  app.post('/registry/aliases', async (c) => {
    const caller = requireRole(c, 'finance')
    const body = parseRequest(registryAliasBody, await readJson(c))
    const department = await storage.departments.get(body.departmentId)
    if (!department) throw new AppError('invalid_input', `部门（departmentId）不存在：${body.departmentId}`, { field: 'departmentId' })
    const answer = await storage.transaction(async (tx) => {
      const alias = await tx.registry.upsertAlias({ code: body.code ?? null, name: body.name, departmentId: department.id, createdBy: caller.user.id })
      // the projects waiting for this code or name (any year, no table yet) join the department now
      const codeKey = alias.code ? registryAliasKey(alias.code, alias.name) : null
      const nameKey = registryNameKey(alias.name)
      const named = (v: { code?: string; name: string } | null) =>
        !!v && ((!!codeKey && !!v.code && registryAliasKey(v.code, v.name) === codeKey) || (!!v.name && registryNameKey(v.name) === nameKey))
      const attached = (await tx.registry.waiting()).filter((p) => named(p.competentDept) || named(p.unit))
      await tx.registry.setDepartment(attached.map((p) => p.id), department.id, caller.user.id)
      await tx.audit.record({
        userId: caller.user.id, action: 'registry.alias',
        details: { code: alias.code, name: alias.name, departmentId: department.id, departmentName: department.name, attached: attached.length },
      })
      return {
        alias: { id: alias.id, code: alias.code, name: alias.name, departmentId: alias.departmentId },
        attached: attached.map((p) => ({ projectId: p.id, year: p.year, projectName: p.projectName })),
      } satisfies RegistryAliasAnswer
    })
    return c.json(answer)
  })

  app.post('/registry/tables', async (c) => {
    const caller = requireCaller(c)
    if (caller.actor.role === 'viewer') throw new AppError('forbidden', '只读账号不能创建绩效目标表')
    const body = parseRequest(registryTablesBody, await readJson(c))
    const departmentIds = body.departmentIds ? await storage.departments.withDescendants(body.departmentIds) : undefined
    const answer = await createRegistryTables(storage, caller.actor, caller.user.id, {
      year: body.year,
      ...(departmentIds ? { departmentIds } : {}),
      ...(body.projectIds ? { projectIds: body.projectIds } : {}),
      template: (body.template ?? REGISTRY_DEFAULT_TEMPLATE) as TemplateId,
    })
    return c.json(answer satisfies RegistryTablesAnswer)
  })

  return app
}
