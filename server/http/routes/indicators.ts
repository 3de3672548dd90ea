// The indicator library (指标库) routes: search and browse (signed in), read an entry with its history,
// create and change entries (finance, consultants; each change versioned with who and why), and the
// synonyms search uses (read: signed in; replace: finance). Contract: shared/api/library.ts.
import { Hono } from 'hono'
import {
  INDICATOR_FIELDS, createIndicatorBody, indicatorListQuery, patchIndicatorBody, synonymsBody,
  type IndicatorAnswer, type IndicatorListAnswer, type SynonymsAnswer,
} from '../../../shared/api/library.ts'
import { AppError } from '../../../shared/errors.ts'
import { searchLibrary, toEntry } from '../../library/service.ts'
import type { IndicatorChangeRow, SynonymSetting } from '../../storage/library.ts'
import type { Storage } from '../../storage/index.ts'
import type { AppDeps, AppEnv } from '../context.ts'
import { parseRequest, readJson, requireCaller, requireRole } from '../guards.ts'

const WRITERS = ['finance', 'consultant'] as const
const WRITE_FORBIDDEN = '只有财政局和第三方机构可以修改指标库；部门可提出新增或修改建议'

function historyOf(rows: IndicatorChangeRow[]): IndicatorAnswer['history'] {
  return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }))
}

function synonymsAnswer(s: SynonymSetting): SynonymsAnswer {
  return { groups: s.groups, updatedAt: s.updatedAt ? new Date(s.updatedAt).toISOString() : null, updatedBy: s.updatedBy }
}

async function answerFor(storage: Storage, id: string): Promise<IndicatorAnswer> {
  const row = await storage.library.get(id)
  if (!row) throw new AppError('not_found', `指标不存在：${id}`)
  return { indicator: toEntry(row), history: historyOf(await storage.library.history(id)) }
}

async function checkDepartment(storage: Storage, departmentId: string | null | undefined): Promise<void> {
  if (departmentId && !(await storage.departments.get(departmentId))) {
    throw new AppError('invalid_input', `部门（departmentId）不存在：${departmentId}`, { field: 'departmentId' })
  }
}

export function indicatorRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>()
  const { storage } = deps

  app.get('/indicators', async (c) => {
    requireCaller(c)
    const { limit, cursor, ...filter } = parseRequest(indicatorListQuery, c.req.query())
    const answer = await searchLibrary(storage, filter, { limit, cursor })
    return c.json(answer satisfies IndicatorListAnswer)
  })

  app.get('/indicators/synonyms', async (c) => {
    requireCaller(c)
    return c.json(synonymsAnswer(await storage.library.synonyms()))
  })

  app.put('/indicators/synonyms', async (c) => {
    const who = requireRole(c, 'finance')
    const body = parseRequest(synonymsBody, await readJson(c))
    const saved = await storage.library.setSynonyms(body.groups, who.user.id)
    await storage.audit.record({ userId: who.user.id, action: 'library.synonyms', details: { groups: saved.groups.length } })
    return c.json(synonymsAnswer(saved))
  })

  app.get('/indicators/:id', async (c) => {
    requireCaller(c)
    return c.json(await answerFor(storage, c.req.param('id')))
  })

  app.post('/indicators', async (c) => {
    const caller = requireCaller(c)
    if (!(WRITERS as readonly string[]).includes(caller.actor.role)) throw new AppError('forbidden', WRITE_FORBIDDEN)
    const { reason, ...input } = parseRequest(createIndicatorBody, await readJson(c))
    await checkDepartment(storage, input.departmentId)
    const row = await storage.transaction(async (tx) => {
      const created = await tx.library.createVersioned(input, { userId: caller.user.id, reason: reason ?? '新增指标' })
      await tx.audit.record({ userId: caller.user.id, action: 'library.create', details: { indicatorId: created.id, level3: created.level3 } })
      return created
    })
    return c.json(await answerFor(storage, row.id), 201)
  })

  app.patch('/indicators/:id', async (c) => {
    const caller = requireCaller(c)
    if (!(WRITERS as readonly string[]).includes(caller.actor.role)) throw new AppError('forbidden', WRITE_FORBIDDEN)
    const id = c.req.param('id')
    const { reason, version, ...patch } = parseRequest(patchIndicatorBody, await readJson(c))
    if (!INDICATOR_FIELDS.some((k) => k in patch)) throw new AppError('invalid_input', '没有要修改的字段（如 level3、typicalValue）', { field: 'body' })
    await checkDepartment(storage, patch.departmentId)
    await storage.transaction(async (tx) => {
      const row = await tx.library.change(id, patch, { userId: caller.user.id, reason, ...(version !== undefined ? { expectedVersion: version } : {}) })
      await tx.audit.record({ userId: caller.user.id, action: 'library.change', details: { indicatorId: id, version: row.version, reason } })
    })
    return c.json(await answerFor(storage, id))
  })

  return app
}
