// GET /api/tables: the caller's tables at city scale — filtered, scoped and sorted in SQL, paged by an
// opaque keyset cursor, with the exact total and the server's counts (stored; stale rows recomputed).
import { createHash } from 'node:crypto'
import { Hono } from 'hono'
import type { z } from 'zod'
import { AppError } from '../../../shared/errors.ts'
import { tableListQuery, type TableListAnswer } from '../../../shared/api/tables.ts'
import { DEFAULT_ORDER, type TableKey } from '../../storage/index.ts'
import { toTableSummary } from '../../tables/summary.ts'
import type { AppDeps, AppEnv } from '../context.ts'
import { parseRequest, requireCaller } from '../guards.ts'

type ListQuery = z.output<typeof tableListQuery>


/** What a cursor belongs to: the filters and the sort. A cursor of another list is refused, not reinterpreted. */
function fingerprint(q: ListQuery, search: string | undefined, order: 'asc' | 'desc'): string {
  const { year, departmentId, status, kind, hasErrors, hasOpenThreads, sort } = q
  const basis = JSON.stringify(['tables', year, departmentId, status, kind, search, hasErrors, hasOpenThreads, sort, order])
  return createHash('sha256').update(basis).digest('base64url').slice(0, 16)
}

export function encodeCursor(key: TableKey, print: string): string {
  return Buffer.from(JSON.stringify({ f: print, k: key.key, i: key.id })).toString('base64url')
}

export function decodeCursor(cursor: string, print: string): TableKey {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    parsed = null
  }
  const c = parsed as { f?: unknown; k?: unknown; i?: unknown } | null
  if (!c || typeof c !== 'object' || typeof c.f !== 'string' || typeof c.i !== 'string' || (typeof c.k !== 'string' && typeof c.k !== 'number')) {
    throw new AppError('invalid_input', '翻页游标（cursor）无效，请从第一页重新查询', { field: 'cursor' })
  }
  if (c.f !== print) throw new AppError('invalid_input', '翻页游标（cursor）不属于当前的筛选和排序条件，请从第一页重新查询', { field: 'cursor' })
  // the key's type per sort is checked by the query (storage/table-list.ts)
  return { key: c.k, id: c.i }
}

export function tableListRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>()
  const { storage } = deps

  app.get('/', async (c) => {
    const caller = requireCaller(c)
    // an empty parameter (`?year=&status=`, what a form sends) means "any", not "the empty value"
    const raw = Object.fromEntries(Object.entries(c.req.query()).filter(([, v]) => v !== ''))
    const q = parseRequest(tableListQuery, raw)
    const order = q.order ?? DEFAULT_ORDER[q.sort]
    const search = q.q?.trim() || undefined
    const print = fingerprint(q, search, order)
    const after = q.cursor ? decodeCursor(q.cursor, print) : null
    const departmentIds = q.departmentId ? await storage.departments.withDescendants([q.departmentId]) : undefined
    const page = await storage.tables.page({
      reader: caller.actor,
      year: q.year,
      departmentIds,
      status: q.status,
      kind: q.kind,
      q: search,
      hasErrors: q.hasErrors,
      hasOpenThreads: q.hasOpenThreads,
      sort: q.sort,
      order,
      limit: q.limit,
      after,
    })
    // WATCH OUT: filters and sorts on counts read the stored ones; a row of this page whose document moved
    // since is shown with its recomputed counts (now stored), so it may leave a hasErrors filter or move
    // under sort=errors on the next request — the page never shows a stale count.
    const counts = await deps.findings.countsOf(page.rows)
    const answer: TableListAnswer = {
      tables: page.rows.map((row, i) => toTableSummary(row, row.departmentName, counts[i]!)),
      total: page.total,
      nextCursor: page.next ? encodeCursor(page.next, print) : null,
    }
    return c.json(answer)
  })

  return app
}
