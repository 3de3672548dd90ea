// Turns PostgreSQL errors (from either driver) into the product's AppError codes.
// Drizzle wraps driver errors in DrizzleQueryError; the SQLSTATE code sits on `err.cause`.
// A database that is away (connection refused, closed, timed out, shutting down, statement timeout)
// becomes 'unavailable' (HTTP 503) with one Chinese message.
import { AppError } from '../../shared/errors.ts'

export const PG_UNIQUE_VIOLATION = '23505'
export const PG_FOREIGN_KEY_VIOLATION = '23503'
export const PG_CHECK_VIOLATION = '23514'
export const PG_NOT_NULL_VIOLATION = '23502'
export const PG_INVALID_TEXT_REPRESENTATION = '22P02'
/** e.g. a \u0000 inside a string bound for jsonb or text */
export const PG_UNTRANSLATABLE_CHARACTER = '22P05'
/** e.g. a NUL byte in a text value */
export const PG_CHARACTER_NOT_IN_REPERTOIRE = '22021'

/** what every caller is told while the database is away */
export const UNAVAILABLE_MESSAGE = '数据库暂时不可用，请稍后重试'

/**
 * SQLSTATEs meaning "not now": class 08 (connection exception), the server shutting down or starting
 * up (57P01–57P03), too many connections (53300), a statement cancelled by statement_timeout (57014).
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300|57014)$/
/** postgres.js's connection errors and Node's socket errors */
const UNAVAILABLE_CODES = new Set([
  'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT',
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  'DATABASE_DEADLINE',
])

/** True when `err` (or its cause chain) says the database could not be reached or answer in time. */
export function isDatabaseUnavailable(err: unknown): boolean {
  let cur: unknown = err
  for (let depth = 0; depth < 5 && cur && typeof cur === 'object'; depth++) {
    const code = (cur as { code?: unknown }).code
    if (code === 'unavailable' && cur instanceof AppError) return true
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true
    // a connect attempt that failed on every address (AggregateError) carries its causes in `errors`
    const nested = (cur as { errors?: unknown }).errors
    if (Array.isArray(nested) && nested.some((e) => isDatabaseUnavailable(e))) return true
    cur = (cur as { cause?: unknown }).cause
  }
  return false
}

/** AppError('unavailable') for an error that means the database is away; undefined for any other. */
export function unavailableError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err.code === 'unavailable' ? err : undefined
  return isDatabaseUnavailable(err) ? new AppError('unavailable', UNAVAILABLE_MESSAGE) : undefined
}

interface PgLikeError {
  code?: unknown
  constraint?: unknown // PGlite
  constraint_name?: unknown // postgres.js
}

/** The first error in the `cause` chain that carries a five-character SQLSTATE. */
function findPgError(err: unknown): PgLikeError | undefined {
  let cur: unknown = err
  for (let depth = 0; depth < 5 && cur && typeof cur === 'object'; depth++) {
    const code = (cur as PgLikeError).code
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return cur as PgLikeError
    cur = (cur as { cause?: unknown }).cause
  }
  return undefined
}

/** SQLSTATE of a database error, wherever the driver put it; undefined for anything else. */
export function pgErrorCode(err: unknown): string | undefined {
  return findPgError(err)?.code as string | undefined
}

/** Name of the violated constraint (unique, foreign key, check), when the driver reports one. */
export function pgConstraint(err: unknown): string | undefined {
  const e = findPgError(err)
  const name = e?.constraint_name ?? e?.constraint
  return typeof name === 'string' ? name : undefined
}

export interface DbErrorMessages {
  /** message for a unique violation; or per constraint name */
  conflict?: string | Record<string, string>
  /** message for a missing referenced row (foreign key) */
  missingReference?: string | Record<string, string>
  /** message for a check or not-null violation */
  invalid?: string
}

function pick(messages: string | Record<string, string> | undefined, constraint: string | undefined, fallback: string): string {
  if (typeof messages === 'string') return messages
  if (messages && constraint && messages[constraint]) return messages[constraint]
  return fallback
}

/**
 * Maps constraint violations to AppError ('conflict' / 'invalid_input') and a database that is away to
 * 'unavailable'; anything else is rethrown as is.
 * WATCH OUT: an unmapped DrizzleQueryError's message holds the SQL and its parameters (password
 * hashes, token hashes, document bytes). Never send it to a client; the HTTP layer must turn it into 'internal'.
 */
export function toAppError(err: unknown, messages: DbErrorMessages = {}): unknown {
  if (err instanceof AppError) return err
  const unavailable = unavailableError(err)
  if (unavailable) return unavailable
  const code = pgErrorCode(err)
  const constraint = pgConstraint(err)
  switch (code) {
    case PG_UNIQUE_VIOLATION:
      return new AppError('conflict', pick(messages.conflict, constraint, '数据已存在，不能重复创建'), { constraint })
    case PG_FOREIGN_KEY_VIOLATION:
      return new AppError('invalid_input', pick(messages.missingReference, constraint, '引用的数据不存在'), { constraint })
    case PG_CHECK_VIOLATION:
    case PG_NOT_NULL_VIOLATION:
    case PG_INVALID_TEXT_REPRESENTATION:
    case PG_UNTRANSLATABLE_CHARACTER:
    case PG_CHARACTER_NOT_IN_REPERTOIRE:
      return new AppError('invalid_input', messages.invalid ?? '数据不符合要求', { constraint })
    default:
      return err
  }
}

/** Runs a write and translates constraint violations; see toAppError. */
export async function mapDbErrors<T>(run: () => Promise<T>, messages: DbErrorMessages = {}): Promise<T> {
  try {
    return await run()
  } catch (err) {
    throw toAppError(err, messages)
  }
}
