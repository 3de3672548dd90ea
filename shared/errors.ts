// One error type for the whole product: a stable machine code, a Chinese message for users,
// optional details. The server maps codes to HTTP statuses in one place.
export const ERROR_CODES = [
  'invalid_table',
  'invalid_input',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'blocked',
  'rate_limited',
  'payload_too_large',
  'internal',
  /** the database is away (restarting, stalled, unreachable): retry later (HTTP 503) */
  'unavailable',
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

export class AppError extends Error {
  readonly code: ErrorCode
  readonly details: unknown
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message)
    this.name = 'AppError'
    this.code = code
    this.details = details
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError
}
