// POST /api/auth/login, POST /api/auth/logout, GET /api/auth/me, POST /api/auth/password (one's own).
import { Hono, type Context } from 'hono'
import { setCookie, deleteCookie } from 'hono/cookie'
import { getConnInfo } from '@hono/node-server/conninfo'
import { z } from 'zod'
import { AppError } from '../../../shared/errors.ts'
import { passwordChangeBody } from '../../../shared/api/sessions.ts'
import { SESSION_COOKIE } from '../../auth/session.ts'
import { LoginThrottle } from '../../auth/throttle.ts'
import type { User } from '../../storage/index.ts'
import type { AppDeps, AppEnv } from '../context.ts'
import { parseRequest, readJson, requireCaller } from '../guards.ts'

export const loginSchema = z.object({
  username: z.string({ error: '请输入用户名（username）' }).trim().min(1, { error: '请输入用户名（username）' }).max(100, { error: '用户名过长' }),
  password: z.string({ error: '请输入密码（password）' }).min(1, { error: '请输入密码（password）' }).max(256, { error: '密码过长' }),
})

export function publicUser(u: User) {
  return { id: u.id, username: u.username, displayName: u.displayName, role: u.role, departmentIds: u.departmentIds }
}

function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown'
  } catch {
    return 'unknown' // app.request() in tests has no socket
  }
}

export function authRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>()
  // the policy; its counts are in the database, shared with every other server process
  const throttle = new LoginThrottle(deps.storage.loginFailures)

  app.post('/login', async (c) => {
    const parsed = loginSchema.safeParse(await readJson(c))
    if (!parsed.success) throw new AppError('invalid_input', parsed.error.issues[0]!.message, { field: parsed.error.issues[0]!.path.join('.') })
    const { username, password } = parsed.data
    const address = clientAddress(c)
    const keys = [`user:${username.toLowerCase()}`, `addr:${address}`]
    const wait = await throttle.retryAfter(keys)
    if (wait > 0) {
      c.header('Retry-After', String(Math.ceil(wait / 1000)))
      throw new AppError('rate_limited', `登录尝试过于频繁，请 ${Math.ceil(wait / 1000)} 秒后再试`, { retryAfterMs: wait })
    }
    const user = await deps.storage.users.verifyPassword(username, password)
    if (!user) {
      await throttle.fail(keys)
      await deps.storage.audit.record({ action: 'login.failed', details: { username, address } })
      throw new AppError('unauthorized', '用户名或密码错误')
    }
    await throttle.succeed(keys)
    const { token, session } = await deps.storage.sessions.create(user.id, { ttlMs: deps.config.sessionMaxMs, ip: address, userAgent: c.req.header('user-agent') ?? null })
    await deps.storage.audit.record({ userId: user.id, action: 'login', details: { address } })
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'Lax',
      path: '/',
      expires: session.expiresAt,
      secure: c.req.url.startsWith('https:'),
    })
    return c.json({ token, user: publicUser(user) })
  })

  app.post('/logout', async (c) => {
    const caller = requireCaller(c)
    await deps.storage.sessions.revoke(caller.token)
    await deps.storage.audit.record({ userId: caller.user.id, action: 'logout' })
    deps.onSessionRevoked?.()
    deleteCookie(c, SESSION_COOKIE, { path: '/' })
    return c.json({ ok: true })
  })

  // One's own password: the old one is checked (throttled like sign-in), the other sessions end and
  // their sockets are cut; the session that asked stays signed in.
  app.post('/password', async (c) => {
    const caller = requireCaller(c)
    const { oldPassword, newPassword } = parseRequest(passwordChangeBody, await readJson(c))
    const keys = [`password:${caller.user.id}`]
    const wait = await throttle.retryAfter(keys)
    if (wait > 0) {
      c.header('Retry-After', String(Math.ceil(wait / 1000)))
      throw new AppError('rate_limited', `尝试过于频繁，请 ${Math.ceil(wait / 1000)} 秒后再试`, { retryAfterMs: wait })
    }
    if (!(await deps.storage.users.verifyPassword(caller.user.username, oldPassword))) {
      await throttle.fail(keys)
      await deps.storage.audit.record({ userId: caller.user.id, action: 'password.change_failed' })
      throw new AppError('invalid_input', '原密码不正确', { field: 'oldPassword' })
    }
    await throttle.succeed(keys)
    await deps.storage.users.setPassword(caller.user.id, newPassword)
    const revoked = await deps.storage.sessions.revokeAllForUser(caller.user.id, new Date(), { except: caller.sessionId })
    await deps.storage.audit.record({ userId: caller.user.id, action: 'password.change', details: { revoked } })
    deps.onSessionRevoked?.()
    return c.json({ revoked })
  })

  app.get('/me', (c) => {
    const caller = requireCaller(c)
    return c.json({ user: publicUser(caller.user) })
  })

  return app
}
