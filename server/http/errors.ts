// AppError codes → HTTP statuses, in one place; every error response is {error:{code,message,details}}.
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { AppError, type ErrorCode } from '../../shared/errors.ts'
import { unavailableError } from '../db/errors.ts'

const STATUS: Readonly<Record<ErrorCode, ContentfulStatusCode>> = {
  invalid_table: 422,
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  blocked: 409,
  rate_limited: 429,
  payload_too_large: 413,
  internal: 500,
  unavailable: 503,
}

export function statusOf(code: ErrorCode): ContentfulStatusCode {
  return STATUS[code]
}

export function errorResponse(c: Context, err: unknown) {
  if (err instanceof AppError) {
    return c.json({ error: { code: err.code, message: err.message, details: err.details ?? null } }, statusOf(err.code))
  }
  // a database that is away answers 503 with a Chinese message, not 500 (server/db/errors.ts)
  const unavailable = unavailableError(err)
  if (unavailable) return c.json({ error: { code: unavailable.code, message: unavailable.message, details: null } }, 503)
  console.error('[http] unexpected error', err)
  return c.json({ error: { code: 'internal', message: '服务器内部错误，请稍后重试', details: null } }, 500)
}
