// Sessions over real HTTP and real sockets, on PGlite and PostgreSQL: finance lists and revokes a user's
// sessions (never seeing a token), a password change or reset revokes them, disabling a user refuses
// their token and cuts their open socket, and a session idle past SESSION_IDLE_MINUTES is over while
// lastSeenAt is written at most once a minute.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../server/config.ts'
import { sweepSessions } from '../../server/live.ts'
import { hashToken } from '../../server/storage/index.ts'
import { sessionListAnswer } from '../../shared/api/sessions.ts'
import { startServer, type RunningServer } from '../helpers/server.ts'
import { loadSample } from '../helpers/samples.ts'
import { connectClient, waitFor, type TestClient } from '../helpers/collab-clients.ts'

const kinds = process.env.TEST_DATABASE_URL ? (['pglite', 'postgres'] as const) : (['pglite'] as const)
const PASSWORD = 'first-password-1'
const DAY = 24 * 3_600_000

describe.each(kinds)('sessions on %s', (kind) => {
  let server: RunningServer
  let finance: string
  let financeId: string
  let deptId: string
  const clients: TestClient[] = []
  let n = 0

  beforeAll(async () => {
    server = await startServer(kind)
    finance = await server.login('caizheng')
    financeId = (await server.api('GET', '/api/auth/me', finance)).body.user.id
    deptId = (await server.storage.departments.getByCode('105'))!.id
  }, 60_000)
  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy()
  })
  afterAll(async () => {
    await server?.close()
  })

  /** a fresh department user (105), made through the API */
  async function newUser(): Promise<{ id: string; username: string }> {
    const username = `s-${kind}-${++n}`
    const r = await server.api('POST', '/api/users', finance, { username, password: PASSWORD, role: 'department', departmentIds: [deptId] })
    expect(r.status).toBe(201)
    return { id: r.body.id, username }
  }

  async function signIn(username: string, password = PASSWORD, userAgent = 'vitest-sessions'): Promise<{ status: number; token: string }> {
    const res = await fetch(`${server.httpUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': userAgent },
      body: JSON.stringify({ username, password }),
    })
    const body = (await res.json()) as { token: string }
    return { status: res.status, token: body.token }
  }

  const me = async (token: string) => (await server.api('GET', '/api/auth/me', token)).status
  const sessionOf = async (token: string) => (await server.api('GET', '/api/auth/me', token)).status === 200 && (await server.storage.sessions.lookup(token))!.session.id
  const list = async (userId: string, token = finance) => server.api('GET', `/api/users/${userId}/sessions`, token)
  const audit = async (action: string) => (await server.storage.audit.list({ action })).map((e) => ({ by: e.userId, details: e.details }))

  it('lists a user’s live sessions with times, address and browser, never a token or its hash', async () => {
    const u = await newUser()
    const one = await signIn(u.username, PASSWORD, 'Mozilla/5.0 (X11; Linux x86_64) Chrome/126')
    const two = await signIn(u.username)
    const before = Date.now()
    const res = await list(u.id)
    expect(res.status).toBe(200)
    const answer = sessionListAnswer.parse(res.body)
    expect(answer.sessions).toHaveLength(2)
    expect(answer.sessions.map((s) => s.userAgent).sort()).toEqual(['Mozilla/5.0 (X11; Linux x86_64) Chrome/126', 'vitest-sessions'])
    for (const s of answer.sessions) {
      expect(s.ip).toBe('127.0.0.1')
      expect(s.current).toBe(false)
      expect(Object.keys(s).sort()).toEqual(['createdAt', 'current', 'expiresAt', 'id', 'idleExpiresAt', 'ip', 'lastSeenAt', 'userAgent'])
      // absolute end: SESSION_MAX_HOURS (168) after sign-in; idle end: SESSION_IDLE_MINUTES (480) after last use
      expect(Date.parse(s.expiresAt) - Date.parse(s.createdAt)).toBe(7 * DAY)
      expect(Date.parse(s.idleExpiresAt) - Date.parse(s.lastSeenAt)).toBe(480 * 60_000)
      expect(Math.abs(Date.parse(s.lastSeenAt) - before)).toBeLessThan(10_000)
    }
    const text = JSON.stringify(res.body)
    for (const t of [one.token, two.token]) {
      expect(text).not.toContain(t)
      expect(text).not.toContain(hashToken(t).slice(0, 16))
    }
    // finance's own list marks the session that asked
    const own = sessionListAnswer.parse((await list(financeId)).body)
    expect(own.sessions.filter((s) => s.current).map((s) => s.id)).toEqual([await sessionOf(finance)])
  })

  it('revokes one session: that token is refused, the other still works, and it is audited', async () => {
    const u = await newUser()
    const one = await signIn(u.username)
    const two = await signIn(u.username)
    const target = (await sessionOf(one.token)) as string
    const res = await server.api('DELETE', `/api/users/${u.id}/sessions/${target}`, finance)
    expect(res).toEqual({ status: 200, body: { revoked: 1 } })
    expect(await me(one.token)).toBe(401)
    expect(await me(two.token)).toBe(200)
    expect(sessionListAnswer.parse((await list(u.id)).body).sessions.map((s) => s.id)).toEqual([await sessionOf(two.token)])
    expect(await audit('session.revoke')).toContainEqual({ by: financeId, details: { userId: u.id, username: u.username, sessionId: target } })
    // again, or a session of someone else through this user: 404 naming the session
    const again = await server.api('DELETE', `/api/users/${u.id}/sessions/${target}`, finance)
    expect(again.status).toBe(404)
    expect(again.body.error.details).toEqual({ field: 'sessionId' })
    const other = await newUser()
    const theirs = (await sessionOf((await signIn(other.username)).token)) as string
    expect((await server.api('DELETE', `/api/users/${u.id}/sessions/${theirs}`, finance)).status).toBe(404)
    expect(sessionListAnswer.parse((await list(other.id)).body).sessions).toHaveLength(1)
  })

  it('revokes all of a user’s sessions', async () => {
    const u = await newUser()
    const tokens = [(await signIn(u.username)).token, (await signIn(u.username)).token, (await signIn(u.username)).token]
    const res = await server.api('DELETE', `/api/users/${u.id}/sessions`, finance)
    expect(res).toEqual({ status: 200, body: { revoked: 3 } })
    for (const t of tokens) expect(await me(t)).toBe(401)
    expect(sessionListAnswer.parse((await list(u.id)).body).sessions).toEqual([])
    expect(await audit('session.revoke_all')).toContainEqual({ by: financeId, details: { userId: u.id, username: u.username, revoked: 3 } })
    // signing in again works: revoking sessions is not disabling
    expect(await me((await signIn(u.username)).token)).toBe(200)
  })

  it('changing one’s own password revokes the other sessions and cuts their sockets, keeping this one', async () => {
    const u = await newUser()
    const here = (await signIn(u.username)).token
    const elsewhere = (await signIn(u.username)).token
    const tableId = await newTable(here)
    const socket = connectClient(server.wsUrl, tableId, elsewhere)
    const kept = connectClient(server.wsUrl, tableId, here)
    clients.push(socket, kept)
    await Promise.all([socket.synced(), kept.synced()])

    const wrong = await server.api('POST', '/api/auth/password', here, { oldPassword: 'not-it-at-all', newPassword: 'second-password-2' })
    expect(wrong.status).toBe(400)
    expect(wrong.body.error).toMatchObject({ code: 'invalid_input', message: '原密码不正确', details: { field: 'oldPassword' } })
    const short = await server.api('POST', '/api/auth/password', here, { oldPassword: PASSWORD, newPassword: 'short' })
    expect(short.status).toBe(400)
    expect(short.body.error.details).toEqual({ field: 'newPassword' })
    expect(short.body.error.message).toContain('新密码（newPassword）至少 8 个字符')
    expect(await me(elsewhere)).toBe(200) // refused changes ended nothing

    const res = await server.api('POST', '/api/auth/password', here, { oldPassword: PASSWORD, newPassword: 'second-password-2' })
    expect(res).toEqual({ status: 200, body: { revoked: 1 } })
    expect(await me(here)).toBe(200)
    expect(await me(elsewhere)).toBe(401)
    await waitFor(() => socket.closes.length === 1, 10_000, 'the other session’s socket to close')
    expect(socket.closes[0]!.code).toBe(4401)
    expect(kept.closes).toEqual([])
    expect(kept.provider.wsconnected).toBe(true)
    expect((await signIn(u.username)).status).toBe(401)
    expect((await signIn(u.username, 'second-password-2')).status).toBe(200)
    expect(await audit('password.change')).toContainEqual({ by: u.id, details: { revoked: 1 } })
    expect((await audit('password.change_failed')).filter((e) => e.by === u.id)).toHaveLength(1)
  })

  it('a password reset by finance revokes every session of the user', async () => {
    const u = await newUser()
    const tokens = [(await signIn(u.username)).token, (await signIn(u.username)).token]
    const bad = await server.api('PUT', `/api/users/${u.id}/password`, finance, { password: 'x' })
    expect(bad.status).toBe(400)
    expect(bad.body.error.details).toEqual({ field: 'password' })
    const missing = await server.api('PUT', `/api/users/${u.id}/password`, finance, {})
    expect(missing.body.error.details).toEqual({ field: 'password' })
    for (const t of tokens) expect(await me(t)).toBe(200)

    const res = await server.api('PUT', `/api/users/${u.id}/password`, finance, { password: 'reset-by-finance' })
    expect(res).toEqual({ status: 200, body: { revoked: 2 } })
    for (const t of tokens) expect(await me(t)).toBe(401)
    expect((await signIn(u.username, 'reset-by-finance')).status).toBe(200)
    expect(await audit('user.password_reset')).toContainEqual({ by: financeId, details: { id: u.id, username: u.username, revoked: 2 } })
    const unknown = await server.api('PUT', '/api/users/u_nobody/password', finance, { password: 'reset-by-finance' })
    expect(unknown.status).toBe(404)
  })

  it('disabling a user refuses their token, closes their live socket, and enabling lets them sign in anew', async () => {
    const u = await newUser()
    const token = (await signIn(u.username)).token
    const tableId = await newTable(token)
    const socket = connectClient(server.wsUrl, tableId, token)
    const bystander = connectClient(server.wsUrl, tableId, await server.login('jiaoyu'))
    clients.push(socket, bystander)
    await Promise.all([socket.synced(), bystander.synced()])

    const res = await server.api('PATCH', `/api/users/${u.id}`, finance, { disabled: true })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ id: u.id, username: u.username, disabled: true, revoked: 1 })
    expect(await me(token)).toBe(401)
    await waitFor(() => socket.closes.length === 1, 10_000, 'the disabled user’s socket to close')
    expect(socket.closes[0]).toEqual({ code: 4401, reason: 'E_UNAUTHORIZED' })
    expect(bystander.closes).toEqual([])
    expect((await signIn(u.username)).status).toBe(401)
    expect(await audit('user.disable')).toContainEqual({ by: financeId, details: { id: u.id, username: u.username, revoked: 1 } })

    const enabled = await server.api('PATCH', `/api/users/${u.id}`, finance, { disabled: false })
    expect(enabled.body).toMatchObject({ disabled: false, revoked: 0 })
    expect(await me(token)).toBe(401) // the old session stays ended
    expect(await me((await signIn(u.username)).token)).toBe(200)
    expect(await audit('user.enable')).toContainEqual({ by: financeId, details: { id: u.id, username: u.username } })
  })

  it('names bad input to PATCH /api/users/:id and refuses disabling oneself', async () => {
    const u = await newUser()
    const notBool = await server.api('PATCH', `/api/users/${u.id}`, finance, { disabled: 'yes' })
    expect(notBool.status).toBe(400)
    expect(notBool.body.error).toMatchObject({ code: 'invalid_input', message: '停用（disabled）应为 true 或 false', details: { field: 'disabled' } })
    const extra = await server.api('PATCH', `/api/users/${u.id}`, finance, { disabled: true, role: 'finance' })
    expect(extra.status).toBe(400)
    expect(extra.body.error.message).toContain('role')
    const notJson = await server.api('PATCH', `/api/users/${u.id}`, finance, '[1]')
    expect(notJson.status).toBe(400)
    expect(await me((await signIn(u.username)).token)).toBe(200) // nothing was applied
    const self = await server.api('PATCH', `/api/users/${financeId}`, finance, { disabled: true })
    expect(self.status).toBe(400)
    expect(self.body.error).toMatchObject({ message: '不能停用自己的账号', details: { field: 'disabled' } })
    expect(await me(finance)).toBe(200)
    expect((await server.api('PATCH', '/api/users/u_nobody', finance, { disabled: true })).status).toBe(404)
    expect((await list('u_nobody')).status).toBe(404)
  })

  it('ends a session idle past SESSION_IDLE_MINUTES, and records use at most once a minute', async () => {
    const u = await newUser()
    const idle = (await signIn(u.username)).token
    const busy = (await signIn(u.username)).token
    const idleId = (await sessionOf(idle)) as string
    const busyId = (await sessionOf(busy)) as string
    await server.storage.sessions.setLastSeen(idleId, new Date(Date.now() - 481 * 60_000))
    expect(await me(idle)).toBe(401)
    expect(sessionListAnswer.parse((await list(u.id)).body).sessions.map((s) => s.id)).toEqual([busyId])

    // used 30 minutes ago: still live, and this request moves lastSeenAt to now
    const thirtyAgo = new Date(Date.now() - 30 * 60_000)
    await server.storage.sessions.setLastSeen(busyId, thirtyAgo)
    const t0 = Date.now()
    expect(await me(busy)).toBe(200)
    const seen = async () => (await server.storage.sessions.listForUser(u.id)).find((s) => s.id === busyId)!.lastSeenAt.getTime()
    const touched = await seen()
    expect(touched).toBeGreaterThanOrEqual(t0 - 5)
    // more requests within the minute write nothing
    for (let i = 0; i < 5; i++) expect(await me(busy)).toBe(200)
    expect(await seen()).toBe(touched)
  })

  it('ends a session by the clock: idle time counted from the last use, the absolute end regardless of use', async () => {
    const u = await newUser()
    const t0 = new Date('2030-01-01T08:00:00Z')
    const at = (min: number) => new Date(t0.getTime() + min * 60_000)
    const { token } = await server.storage.sessions.create(u.id, { now: t0, ttlMs: 12 * 60 * 60_000 })
    const idle = 60 * 60_000 // SESSION_IDLE_MINUTES=60
    expect(await server.storage.sessions.lookup(token, at(61), idle)).toBeNull()
    expect(await server.storage.sessions.lookup(token, at(59), idle)).not.toBeNull() // and records the use at 08:59
    expect(await server.storage.sessions.lookup(token, at(118), idle)).not.toBeNull()
    expect(await server.storage.sessions.lookup(token, at(118.5), idle)).not.toBeNull() // within the minute: no write
    expect(await server.storage.sessions.lookup(token, at(178.5), idle)).toBeNull() // idle since 09:58
    // kept in use every 50 minutes, it still ends 12 hours after sign-in
    for (let m = 170; m < 720; m += 50) expect(await server.storage.sessions.lookup(token, at(m), idle), `at +${m} min`).not.toBeNull()
    expect(await server.storage.sessions.lookup(token, at(720), idle)).toBeNull()
  })

  it('an open socket counts as use when sessions are re-checked, and is cut once its session is idle', async () => {
    const u = await newUser()
    const token = (await signIn(u.username)).token
    const id = (await sessionOf(token)) as string
    const socket = connectClient(server.wsUrl, await newTable(token), token)
    clients.push(socket)
    await socket.synced()
    // the timed re-check (sweepSessions, every SESSION_CHECK_MS) runs this
    await server.storage.sessions.setLastSeen(id, new Date(Date.now() - 30 * 60_000))
    const t0 = Date.now()
    await server.live.revalidate()
    const seen = (await server.storage.sessions.listForUser(u.id)).find((s) => s.id === id)!
    expect(seen.lastSeenAt.getTime()).toBeGreaterThanOrEqual(t0 - 5)
    expect(socket.closes).toEqual([])
    await server.storage.sessions.setLastSeen(id, new Date(Date.now() - 481 * 60_000))
    await server.live.revalidate()
    await waitFor(() => socket.closes.length === 1, 10_000, 'the idle session’s socket to close')
    expect(socket.closes[0]!.code).toBe(4401)
  })

  it('refuses the session routes to everyone but finance', async () => {
    const u = await newUser()
    const dept = await server.login('jiaoyu')
    const consultant = await server.login('zixun')
    const sid = (await sessionOf((await signIn(u.username)).token)) as string
    const calls: [string, string, unknown?][] = [
      ['GET', `/api/users/${u.id}/sessions`],
      ['DELETE', `/api/users/${u.id}/sessions/${sid}`],
      ['DELETE', `/api/users/${u.id}/sessions`],
      ['PATCH', `/api/users/${u.id}`, { disabled: true }],
      ['PUT', `/api/users/${u.id}/password`, { password: 'taken-over-1' }],
    ]
    for (const [method, path, body] of calls) {
      for (const token of [dept, consultant]) {
        const r = await server.api(method, path, token, body)
        expect(r.status, `${method} ${path}`).toBe(403)
        expect(r.body.error.code).toBe('forbidden')
      }
      expect((await server.api(method, path, undefined, body)).status, `${method} ${path} without a session`).toBe(401)
    }
    expect(sessionListAnswer.parse((await list(u.id)).body).sessions.map((s) => s.id)).toEqual([sid])
    expect((await signIn(u.username)).status).toBe(200)
  })

  async function newTable(token: string): Promise<string> {
    const content = loadSample('S01') as Record<string, any>
    const res = await server.api('POST', '/api/tables', token, { kind: 'project', template: content.template, year: content.year, departmentId: deptId, content })
    expect(res.status).toBe(201)
    return res.body.id
  }
})

describe('the timed session re-check', () => {
  it('re-checks open sockets on its interval, one check at a time, until stopped', async () => {
    let calls = 0
    let inFlight = 0
    let overlapped = false
    const stop = sweepSessions({
      revalidate: async () => {
        calls++
        if (++inFlight > 1) overlapped = true
        await new Promise((r) => setTimeout(r, 45))
        inFlight--
      },
    }, 10)
    await new Promise((r) => setTimeout(r, 250))
    stop()
    const atStop = calls
    expect(atStop).toBeGreaterThanOrEqual(3)
    expect(overlapped).toBe(false)
    await new Promise((r) => setTimeout(r, 100))
    expect(calls).toBe(atStop)
  })
})

describe('session configuration', () => {
  it('reads SESSION_IDLE_MINUTES and SESSION_MAX_HOURS, refusing bad values by name', () => {
    expect(loadConfig({})).toMatchObject({ sessionIdleMs: 480 * 60_000, sessionMaxMs: 168 * 3_600_000 })
    expect(loadConfig({ SESSION_IDLE_MINUTES: '30', SESSION_MAX_HOURS: '12' })).toMatchObject({ sessionIdleMs: 30 * 60_000, sessionMaxMs: 12 * 3_600_000 })
    expect(() => loadConfig({ SESSION_IDLE_MINUTES: '0' })).toThrow(/SESSION_IDLE_MINUTES/)
    expect(() => loadConfig({ SESSION_MAX_HOURS: 'a week' })).toThrow(/SESSION_MAX_HOURS/)
  })
})
