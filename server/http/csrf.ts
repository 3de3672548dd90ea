// Cross-site request refusal for /api and the /collab upgrade, and the JSON-only body rule.
//
// Policy (README → Security):
// - A request carrying `Authorization: Bearer …` is a script's: no ambient credential, no check.
// - A state-changing request carrying the session cookie must prove it comes from our own pages:
//   `Sec-Fetch-Site: same-origin`, or an `Origin` naming our host — Hono's csrf() rule, but applied
//   whatever the content type (csrf() looks only at form-like bodies: text/plain, urlencoded, multipart)
//   and refusing a cookie with neither header: browsers send Origin on every POST/PUT/PATCH/DELETE, so
//   only a script can omit it, and scripts use a bearer token. Refused: 403 with a Chinese message.
// - Without credentials (sign-in) nothing is checked here: a cross-site page can only send form-like
//   bodies without a CORS preflight (which this server never grants), and those are refused below.
// - "Ours" is the request's own Host: `Origin`'s host:port must equal `Host` (the scheme is not compared,
//   so a TLS-terminating proxy that forwards Host unchanged keeps working).
// - A body must be `application/json` (multipart only on routes listed in MULTIPART_ROUTES): 415 otherwise.
// The /collab upgrade applies the same origin rule to cookie-authenticated sockets (ws-route.ts).
import type { Context, MiddlewareHandler } from 'hono'
import { AppError } from '../../shared/errors.ts'
import { SESSION_COOKIE } from '../auth/session.ts'

const SAFE_METHOD = /^(GET|HEAD|OPTIONS)$/
const CROSS_SITE_MESSAGE = '跨站请求已拒绝：该操作只能从本系统页面发起（脚本请使用 Authorization: Bearer 令牌）'

/** Routes (path patterns) whose contract takes multipart/form-data bodies: the xlsx uploads. */
export const MULTIPART_ROUTES: readonly RegExp[] = [
  /^\/api\/tables\/import$/,
  /^\/api\/validate$/,
  /^\/api\/registry\/import$/,
  /^\/api\/departments\/import$/,
  /^\/api\/indicators\/import$/,
  /^\/api\/departments\/[^/]+\/materials\/[^/]+\/files$/, // 资料清单 files (any type)
]

/** True when `origin` (an Origin header) names this request's own host. */
export function isOwnOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (!origin || !host || origin === 'null') return false
  try {
    return new URL(origin).host === host.toLowerCase()
  } catch {
    return false
  }
}

function hasBearer(c: Context): boolean {
  return /^Bearer\s+\S/i.test(c.req.header('authorization') ?? '')
}

export function hasSessionCookie(cookie: string | undefined): boolean {
  return !!cookie && cookie.split(';').some((part) => part.trim().startsWith(`${SESSION_COOKIE}=`))
}

/** What Hono's csrf() accepts: a same-origin fetch (Fetch Metadata) or our own Origin. */
export function sameOrigin(c: Context): boolean {
  return c.req.header('sec-fetch-site') === 'same-origin' || isOwnOrigin(c.req.header('origin'), c.req.header('host'))
}

/** Refuses cross-site state-changing requests made with the session cookie (403); see the policy above. */
export function crossSiteGuard(): MiddlewareHandler {
  return async function refuseCrossSite(c, next) {
    if (SAFE_METHOD.test(c.req.method) || hasBearer(c) || !hasSessionCookie(c.req.header('cookie'))) return next()
    if (!sameOrigin(c)) throw new AppError('forbidden', CROSS_SITE_MESSAGE, { reason: 'cross_site' })
    return next()
  }
}

/** Refuses a request body that is not JSON (or multipart where the contract says so) with 415. */
export function jsonBodies(): MiddlewareHandler {
  return async function requireJson(c, next) {
    if (SAFE_METHOD.test(c.req.method)) return next()
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
    const hasBody = type !== '' || Number(c.req.header('content-length') ?? 0) > 0 || c.req.header('transfer-encoding') !== undefined
    if (!hasBody || type === 'application/json') return next()
    if (type === 'multipart/form-data' && MULTIPART_ROUTES.some((r) => r.test(c.req.path))) return next()
    return c.json(
      { error: { code: 'invalid_input', message: `请求体必须是 JSON（Content-Type: application/json），收到的是 ${type || '未注明类型'}`, details: { field: 'content-type' } } },
      415,
    )
  }
}
