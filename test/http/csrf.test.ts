// Cross-site requests refused (server/http/csrf.ts), over real sockets: the attack (the session
// cookie, a text/plain body, Origin http://evil.example, creating a department) is 403 and creates nothing;
// our own pages (same Origin or Sec-Fetch-Site: same-origin) work; a cookie without Origin is refused;
// bearer-token scripts work without Origin; non-JSON bodies are 415; a cookie WebSocket from another
// origin is refused before the upgrade.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startServer, type RunningServer } from '../helpers/server.ts'

let s: RunningServer
let token: string
let own: string
const cookie = () => `tt_session=${token}`

beforeAll(async () => {
  s = await startServer('pglite')
  token = await s.login('caizheng')
  own = s.httpUrl
})
afterAll(async () => {
  await s?.close()
})

let n = 0
const newDepartment = () => ({ code: `X${Date.now() % 100000}${n++}`, name: `测试部门${n}`, kind: 'department' })

async function post(path: string, headers: Record<string, string>, body?: string) {
  const res = await fetch(s.httpUrl + path, { method: 'POST', headers, body })
  const text = await res.text()
  let parsed: any = text
  try {
    parsed = JSON.parse(text)
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed }
}

describe('cross-site requests', () => {
  it("refuses the issue's attack: cookie + text/plain + Origin evil.example creating a department → 403, nothing created", async () => {
    const dept = newDepartment()
    const r = await post('/api/departments', { cookie: cookie(), 'content-type': 'text/plain', origin: 'http://evil.example' }, JSON.stringify(dept))
    expect(r.status).toBe(403)
    expect(r.body.error.code).toBe('forbidden')
    expect(r.body.error.message).toMatch(/跨站请求已拒绝/)
    expect(await s.storage.departments.getByCode(dept.code)).toBeNull()
  })

  it('refuses a cookie request from another origin whatever the content type, and one from a sibling port', async () => {
    for (const origin of ['http://evil.example', 'http://127.0.0.1:1', 'null']) {
      const dept = newDepartment()
      const r = await post('/api/departments', { cookie: cookie(), 'content-type': 'application/json', origin }, JSON.stringify(dept))
      expect(r.status, origin).toBe(403)
      expect(await s.storage.departments.getByCode(dept.code)).toBeNull()
    }
    const r = await post('/api/departments', { cookie: cookie(), 'content-type': 'application/json', 'sec-fetch-site': 'cross-site', origin: 'http://evil.example' }, JSON.stringify(newDepartment()))
    expect(r.status).toBe(403)
  })

  it('refuses a cookie with neither Origin nor Sec-Fetch-Site (a script must use a bearer token)', async () => {
    const dept = newDepartment()
    const r = await post('/api/departments', { cookie: cookie(), 'content-type': 'application/json' }, JSON.stringify(dept))
    expect(r.status).toBe(403)
    expect(r.body.error.message).toMatch(/Authorization: Bearer/)
    expect(await s.storage.departments.getByCode(dept.code)).toBeNull()
  })

  it('accepts our own pages: the same Origin, or Sec-Fetch-Site: same-origin', async () => {
    const a = newDepartment()
    const r1 = await post('/api/departments', { cookie: cookie(), 'content-type': 'application/json', origin: own }, JSON.stringify(a))
    expect(r1.status).toBe(201)
    expect(await s.storage.departments.getByCode(a.code)).not.toBeNull()
    const b = newDepartment()
    const r2 = await post('/api/departments', { cookie: cookie(), 'content-type': 'application/json; charset=utf-8', 'sec-fetch-site': 'same-origin' }, JSON.stringify(b))
    expect(r2.status).toBe(201)
  })

  it('reads (GET) with the cookie are not refused whatever the Origin', async () => {
    const res = await fetch(`${s.httpUrl}/api/departments`, { headers: { cookie: cookie(), origin: 'http://evil.example' } })
    expect(res.status).toBe(200)
  })

  it('refuses a text/plain body from our own origin with 415 and a Chinese message', async () => {
    const dept = newDepartment()
    const r = await post('/api/departments', { cookie: cookie(), 'content-type': 'text/plain', origin: own }, JSON.stringify(dept))
    expect(r.status).toBe(415)
    expect(r.body.error.message).toMatch(/请求体必须是 JSON.*text\/plain/)
    expect(r.body.error.details).toEqual({ field: 'content-type' })
    expect(await s.storage.departments.getByCode(dept.code)).toBeNull()
    const form = await post('/api/departments', { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded', origin: own }, 'code=1&name=x&kind=department')
    expect(form.status).toBe(415)
  })

  it('bearer-token scripts work without Origin; their non-JSON bodies are 415; sign-in is JSON', async () => {
    const dept = newDepartment()
    const r = await post('/api/departments', { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, JSON.stringify(dept))
    expect(r.status).toBe(201)
    const plain = await post('/api/departments', { authorization: `Bearer ${token}`, 'content-type': 'text/plain' }, JSON.stringify(newDepartment()))
    expect(plain.status).toBe(415)
    // a login by a script (no cookie, no Origin) still works; a text/plain login (login CSRF) does not
    const login = await post('/api/auth/login', { 'content-type': 'application/json' }, JSON.stringify({ username: 'renda', password: 'demo-2024' }))
    expect(login.status).toBe(200)
    const plainLogin = await post('/api/auth/login', { 'content-type': 'text/plain', origin: 'http://evil.example' }, JSON.stringify({ username: 'renda', password: 'demo-2024' }))
    expect(plainLogin.status).toBe(415)
    // a bodyless state change by a script: sign-out with the bearer token
    const other = await s.login('renda')
    const out = await post('/api/auth/logout', { authorization: `Bearer ${other}` })
    expect(out.status).toBeLessThan(300)
  })
})

describe('cross-site WebSocket hijacking', () => {
  /** Opens /collab/<id> with headers; resolves with the HTTP status of a refused upgrade, or 101. */
  function open(headers: Record<string, string>, query = ''): Promise<number> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${s.wsUrl}/${tableIdForWs}${query}`, { headers })
      ws.on('open', () => {
        ws.close()
        resolve(101)
      })
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0)
        ws.terminate()
      })
      ws.on('error', (err) => reject(err))
    })
  }
  let tableIdForWs = ''
  beforeAll(async () => {
    const list = await s.api('GET', '/api/tables', token)
    tableIdForWs = list.body.tables[0].id
  })

  it('refuses a cookie socket opened from another origin, or with no Origin', async () => {
    expect(await open({ cookie: cookie(), origin: 'http://evil.example' })).toBe(403)
    expect(await open({ cookie: cookie() })).toBe(403)
    expect(s.live.stats().refusals.cross_site).toBeGreaterThanOrEqual(2)
  })

  it('accepts a cookie socket from our own origin, and a token socket from anywhere', async () => {
    expect(await open({ cookie: cookie(), origin: own })).toBe(101)
    expect(await open({ origin: 'http://evil.example' }, `?token=${encodeURIComponent(token)}`)).toBe(101)
  })
})
