// Request-level checks used by every route: who is calling, and may they do this to that table.
import type { Context } from 'hono'
import type { z } from 'zod'
import { AppError } from '../../shared/errors.ts'
import { can, type Role, type TableAction } from '../../shared/permissions.ts'
import type { Caller } from '../auth/session.ts'
import type { TableRow, Storage } from '../storage/index.ts'
import type { AppEnv } from './context.ts'

export function requireCaller(c: Context<AppEnv>): Caller {
  const caller = c.get('caller')
  if (!caller) throw new AppError('unauthorized', '请先登录')
  return caller
}

export function requireRole(c: Context<AppEnv>, ...roles: Role[]): Caller {
  const caller = requireCaller(c)
  if (!roles.includes(caller.actor.role)) throw new AppError('forbidden', '您的角色无权执行此操作')
  return caller
}

/** Loads the table and checks the action; a table the caller may not read looks absent. */
export async function requireTable(storage: Storage, caller: Caller, tableId: string, action: TableAction): Promise<TableRow> {
  const table = await storage.tables.get(tableId)
  if (!table) throw new AppError('not_found', '表格不存在')
  const ref = { departmentId: table.departmentId, status: table.status, classified: table.classified, version: table.version, year: table.year }
  if (!can(caller.actor, 'read', ref).allowed) throw new AppError('not_found', '表格不存在')
  const decision = can(caller.actor, action, ref)
  if (!decision.allowed) throw new AppError('forbidden', decision.reason, { action })
  return table
}

export async function readJson(c: Context): Promise<Record<string, unknown>> {
  let body: unknown
  try {
    body = await c.req.json()
  } catch {
    throw new AppError('invalid_input', '请求体必须是 JSON')
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AppError('invalid_input', '请求体必须是 JSON 对象')
  return body as Record<string, unknown>
}

/** Parses a request's body or query with its contract schema, or throws invalid_input naming the first field. */
export function parseRequest<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input)
  if (r.success) return r.data
  const issue = r.error.issues[0]!
  throw new AppError('invalid_input', issue.message, { field: issue.path.join('.') })
}
