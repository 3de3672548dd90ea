// POST /api/departments/import (finance): the department list from an xlsx (server/import/departments.ts
// describes the shapes read). `?dryRun=1` answers what would happen and stores nothing; otherwise every
// good row is created or updated by code in one transaction and each bad row is a report line.
// Re-importing the same list changes nothing (all unchanged).
import { Hono } from 'hono'
import type { DepartmentImportAnswer } from '../../../shared/api/imports.ts'
import { AppError } from '../../../shared/errors.ts'
import { MAX_DEPARTMENT_ROWS, planDepartmentImport, readDepartmentList } from '../../import/departments.ts'
import { runImport } from '../../import/run.ts'
import type { Storage } from '../../storage/index.ts'
import type { AppDeps, AppEnv } from '../context.ts'
import { requireRole } from '../guards.ts'
import { isDryRun, readUpload } from '../upload.ts'

export function departmentImportRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>()

  app.post('/departments/import', async (c) => {
    const caller = requireRole(c, 'finance')
    const dryRun = isDryRun(c)
    const upload = await readUpload(c)
    const workbook = await runImport({ kind: 'sheets', data: upload.bytes, fileName: upload.fileName })
    const list = readDepartmentList(workbook.sheets)
    if (!list.found) {
      throw new AppError('invalid_input', `「${upload.fileName}」中没有找到部门名单：需要一行表头，含「名称」（或 单位名称、部门名称）列，以及「代码」和可选的「类型」「上级代码」列`, {
        field: 'file', reason: 'no_list', problems: [...workbook.problems, ...list.problems],
      })
    }
    if (list.rows.length > MAX_DEPARTMENT_ROWS) {
      throw new AppError('invalid_input', `部门名单最多 ${MAX_DEPARTMENT_ROWS} 行，「${upload.fileName}」有 ${list.rows.length} 行`, { field: 'file', reason: 'too_many_rows' })
    }
    const run = async (storage: Storage) => {
      // planned against what is stored inside the same transaction, so a concurrent change cannot slip between
      const plan = planDepartmentImport({ ...list, problems: [...workbook.problems, ...list.problems] }, await storage.departments.list())
      if (!dryRun && plan.items.length > 0) {
        await storage.departments.upsertByCode(plan.items)
        await storage.audit.record({
          userId: caller.user.id, action: 'department.import',
          details: { file: upload.fileName, created: plan.created, updated: plan.updated, unchanged: plan.unchanged, codes: plan.items.map((i) => i.code).slice(0, 500) },
        })
      }
      return plan
    }
    const plan = dryRun ? await run(deps.storage) : await deps.storage.transaction(run)
    const answer: DepartmentImportAnswer = {
      dryRun,
      created: plan.created,
      updated: plan.updated,
      unchanged: plan.unchanged,
      departments: plan.departments,
      report: { problems: plan.problems },
    }
    return c.json(answer)
  })

  return app
}
