// Finance over a user's sign-in: list and revoke their sessions, disable the account, reset the password.
// Whatever ends sessions also tells the live layer, which re-checks every open socket (as sign-out does).
import { Hono } from 'hono'
import { AppError } from '../../../shared/errors.ts'
import { passwordResetBody, userPatchBody, type SessionSummary } from '../../../shared/api/sessions.ts'
import type { Session, Storage, User } from '../../storage/index.ts'
import type { AppDeps, AppEnv } from '../context.ts'
import { parseRequest, readJson, requireRole } from '../guards.ts'
import { publicUser } from './auth.ts'

/** A session as the API shows it: never its token or the token's hash. */
export function sessionSummary(s: Session, idleMs: number, currentId: string | null): SessionSummary {
  const idleEnd = Math.min(s.lastSeenAt.getTime() + idleMs, s.expiresAt.getTime())
  return {
    id: s.id,
    createdAt: s.createdAt.toISOString(),
    lastSeenAt: s.lastSeenAt.toISOString(),
    expiresAt: s.expiresAt.toISOString(),
    idleExpiresAt: new Date(idleEnd).toISOString(),
    ip: s.ip,
    userAgent: s.userAgent,
    current: s.id === currentId,
  }
}

async function requireUser(storage: Storage, id: string): Promise<User> {
  const user = await storage.users.get(id)
  if (!user) throw new AppError('not_found', '用户不存在', { field: 'id' })
  return user
}

export function sessionRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>()
  const idleMs = deps.config.sessionIdleMs
  const { storage } = deps

  app.get('/users/:id/sessions', async (c) => {
    const caller = requireRole(c, 'finance')
    const user = await requireUser(storage, c.req.param('id'))
    const sessions = await storage.sessions.listForUser(user.id, new Date(), idleMs)
    return c.json({ sessions: sessions.map((s) => sessionSummary(s, idleMs, caller.sessionId)) })
  })

  app.delete('/users/:id/sessions/:sessionId', async (c) => {
    const caller = requireRole(c, 'finance')
    const user = await requireUser(storage, c.req.param('id'))
    const sessionId = c.req.param('sessionId')
    if (!(await storage.sessions.revokeById(sessionId, new Date(), user.id))) {
      throw new AppError('not_found', '该用户没有这个有效会话（可能已退出或已被吊销）', { field: 'sessionId' })
    }
    await storage.audit.record({ userId: caller.user.id, action: 'session.revoke', details: { userId: user.id, username: user.username, sessionId } })
    deps.onSessionRevoked?.()
    return c.json({ revoked: 1 })
  })

  app.delete('/users/:id/sessions', async (c) => {
    const caller = requireRole(c, 'finance')
    const user = await requireUser(storage, c.req.param('id'))
    const revoked = await storage.sessions.revokeAllForUser(user.id)
    await storage.audit.record({ userId: caller.user.id, action: 'session.revoke_all', details: { userId: user.id, username: user.username, revoked } })
    deps.onSessionRevoked?.()
    return c.json({ revoked })
  })

  app.patch('/users/:id', async (c) => {
    const caller = requireRole(c, 'finance')
    const target = await requireUser(storage, c.req.param('id'))
    const { disabled } = parseRequest(userPatchBody, await readJson(c))
    if (disabled && target.id === caller.user.id) throw new AppError('invalid_input', '不能停用自己的账号', { field: 'disabled' })
    const user = await storage.users.setDisabled(target.id, disabled)
    // a disabled user's sessions are refused anyway; revoking them keeps them ended if the account is enabled again
    const revoked = disabled ? await storage.sessions.revokeAllForUser(user.id) : 0
    await storage.audit.record({
      userId: caller.user.id,
      action: disabled ? 'user.disable' : 'user.enable',
      details: { id: user.id, username: user.username, ...(disabled ? { revoked } : {}) },
    })
    if (disabled) deps.onSessionRevoked?.()
    return c.json({ ...publicUser(user), disabled: user.disabled, revoked })
  })

  app.put('/users/:id/password', async (c) => {
    const caller = requireRole(c, 'finance')
    const user = await requireUser(storage, c.req.param('id'))
    const { password } = parseRequest(passwordResetBody, await readJson(c))
    await storage.users.setPassword(user.id, password)
    // finance resetting their own password keeps the session they do it from
    const revoked = await storage.sessions.revokeAllForUser(user.id, new Date(), user.id === caller.user.id ? { except: caller.sessionId } : {})
    await storage.audit.record({ userId: caller.user.id, action: 'user.password_reset', details: { id: user.id, username: user.username, revoked } })
    deps.onSessionRevoked?.()
    return c.json({ revoked })
  })

  return app
}
