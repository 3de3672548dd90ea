// REST calls of the pages (CONTRACT.md → HTTP API). Same origin; the session cookie authenticates,
// the login token is kept for the live-document socket (`params: {token}`).
import type { MeAnswer, PublicUser } from '../../shared/api/directory.ts'

export interface ApiErrorBody { error: { code: string; message: string; details?: unknown } }

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: unknown) {
    super(message)
  }
}

/** the signed-in user as GET /api/auth/me answers it (shared/api/directory.ts; a type-only import keeps zod out of the bundle) */
export type User = PublicUser

const TOKEN_KEY = 'tt.token'

export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY)
}

export function setToken(t: string | null): void {
  if (t) sessionStorage.setItem(TOKEN_KEY, t)
  else sessionStorage.removeItem(TOKEN_KEY)
}

export async function api<T>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const headers = new Headers(init.headers)
  if (init.json !== undefined) headers.set('content-type', 'application/json')
  const t = token()
  if (t && !headers.has('authorization')) headers.set('authorization', `Bearer ${t}`)
  const res = await fetch(path, { ...init, headers, credentials: 'same-origin', body: init.json !== undefined ? JSON.stringify(init.json) : init.body })
  const text = await res.text()
  const body = text ? safeJson(text) : undefined
  if (!res.ok) {
    const e = (body as ApiErrorBody | undefined)?.error
    throw new ApiError(res.status, e?.code ?? `http_${res.status}`, e?.message ?? `请求失败（${res.status}）`, e?.details)
  }
  return body as T
}

function safeJson(text: string): unknown {
  try { return JSON.parse(text) } catch { return undefined }
}

/** The signed-in user, or null when there is no session (the page then goes to /login). */
export async function me(): Promise<User | null> {
  try {
    return (await api<MeAnswer>('/api/auth/me')).user
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return null
    throw e
  }
}

export function displayName(u: User): string {
  return u.displayName || u.username
}

export function goLogin(): void {
  location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`)
}
