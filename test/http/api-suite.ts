// The HTTP API suite, run against the embedded database and (when configured) PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestDatabaseKind } from '../helpers/database.ts'
import { makeTestApp, type TestApp } from '../helpers/app.ts'
import { loadSample } from '../helpers/samples.ts'
import { parseTableOrThrow } from '../../shared/model/index.ts'
import { validateTable } from '../../shared/rules/index.ts'
import * as Y from 'yjs'
import { rowIds, setRowField } from '../../shared/ydoc/index.ts'
import { collabAccess } from '../../server/live.ts'
import type { Storage } from '../../server/storage/index.ts'
import { createApp } from '../../server/app.ts'
import { loadConfig } from '../../server/config.ts'
import { storedFindingsCache } from '../../server/tables/findings.ts'

export function defineApiSuite(kind: TestDatabaseKind) {
  describe(`HTTP API on ${kind}`, () => {
    let t: TestApp
    const tokens: Record<string, string> = {}
    beforeAll(async () => {
      t = await makeTestApp(kind)
      for (const u of ['admin', 'caizheng', 'jiaoyu', 'weijian', 'zixun', 'renda', 'anping']) tokens[u] = await t.login(u)
    })
    afterAll(async () => {
      await t?.dispose()
    })

    describe('health', () => {
      it('answers liveness and readiness including the database', async () => {
        expect((await t.request('GET', '/healthz')).body).toEqual({ ok: true })
        expect(await t.request('GET', '/readyz')).toMatchObject({ status: 200, body: { ok: true, database: kind } })
      })
    })

    describe('auth', () => {
      it('shares socket access lookups that are under way, and keeps none of them', async () => {
        const calls = { lookup: 0, table: 0 }
        const counted: Storage = {
          ...t.storage,
          sessions: { ...t.storage.sessions, lookup: (...a: Parameters<Storage['sessions']['lookup']>) => (calls.lookup++, t.storage.sessions.lookup(...a)) },
          tables: { ...t.storage.tables, get: (...a: Parameters<Storage['tables']['get']>) => (calls.table++, t.storage.tables.get(...a)) },
        }
        const access = collabAccess(counted)
        const token = await t.login('jiaoyu')
        const tableId = (await t.request('GET', '/api/tables', { token })).body.tables[0].id as string
        const [actors, tables] = await Promise.all([
          Promise.all(Array.from({ length: 10 }, () => access.authenticate({ token }))),
          Promise.all(Array.from({ length: 10 }, () => access.resolveTable(tableId))),
        ])
        expect(calls).toEqual({ lookup: 1, table: 1 })
        expect(new Set(actors.map((a) => JSON.stringify(a))).size).toBe(1)
        expect(actors[0]).toMatchObject({ role: 'department', displayName: expect.any(String) })
        expect(actors[0]).not.toBe(actors[1]) // each connection gets its own copy
        expect(tables.every((x) => x?.status === tables[0]!.status)).toBe(true)
        // settled lookups are not kept: a revoked session is refused at the next connection
        await t.storage.sessions.revoke(token)
        expect(await access.authenticate({ token })).toBeNull()
        expect(calls.lookup).toBe(2)
      })

      it('signs in, sets an HttpOnly session cookie and returns the user', async () => {
        const res = await t.request('POST', '/api/auth/login', { body: { username: 'jiaoyu', password: 'demo-2024' } })
        expect(res.status).toBe(200)
        expect(res.body.user).toMatchObject({ username: 'jiaoyu', role: 'department' })
        expect(res.body.token).toMatch(/^.{20,}$/)
        expect(res.headers.get('set-cookie')).toMatch(/tt_session=.*HttpOnly/i)
        const me = await t.request('GET', '/api/auth/me', { headers: { cookie: `tt_session=${res.body.token}` } })
        expect(me.body.user.username).toBe('jiaoyu')
      })

      it('gives the same 401 for an unknown user and a wrong password', async () => {
        const unknown = await t.request('POST', '/api/auth/login', { body: { username: 'nobody-here', password: 'whatever1' } })
        const wrong = await t.request('POST', '/api/auth/login', { body: { username: 'weijian', password: 'wrong-password' } })
        expect(unknown.status).toBe(401)
        expect(wrong.status).toBe(401)
        expect(unknown.body).toEqual(wrong.body)
        expect(unknown.body.error.code).toBe('unauthorized')
      })

      it('throttles repeated failures for one user name', async () => {
        const statuses: number[] = []
        for (let i = 0; i < 7; i++) statuses.push((await t.request('POST', '/api/auth/login', { body: { username: 'anping', password: `bad-${i}-password` } })).status)
        expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401])
        expect(statuses[6]).toBe(429)
        // even the right password waits while throttled
        const right = await t.request('POST', '/api/auth/login', { body: { username: 'anping', password: 'demo-2024' } })
        expect(right.status).toBe(429)
        expect(right.body.error.code).toBe('rate_limited')
        // the counts are in the database: a second server process (or this one restarted) holds the same lock
        const other = createApp({ config: loadConfig({}), database: t.database, storage: t.storage, findings: storedFindingsCache(t.storage) })
        const elsewhere = await other.request('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'anping', password: 'demo-2024' }) })
        expect(elsewhere.status).toBe(429)
        expect(Number(elsewhere.headers.get('retry-after'))).toBeGreaterThan(0)
      })

      it('refuses a malformed login naming the field', async () => {
        const res = await t.request('POST', '/api/auth/login', { body: { username: 'x' } })
        expect(res.status).toBe(400)
        expect(res.body.error).toMatchObject({ code: 'invalid_input', details: { field: 'password' } })
        const notJson = await t.request('POST', '/api/auth/login', { body: '{oops' })
        expect(notJson.body.error.code).toBe('invalid_input')
      })

      it('revokes the session on logout', async () => {
        const token = await t.login('weijian')
        expect((await t.request('POST', '/api/auth/logout', { token })).status).toBe(200)
        const me = await t.request('GET', '/api/auth/me', { token })
        expect(me.status).toBe(401)
        expect(me.body.error.code).toBe('unauthorized')
      })
    })

    describe('directory', () => {
      it('lets finance create departments and users, and nobody else', async () => {
        const dept = await t.request('POST', '/api/departments', { token: tokens.caizheng, body: { code: '999', name: '南江市测试局', kind: 'department' } })
        expect(dept.status).toBe(201)
        const denied = await t.request('POST', '/api/departments', { token: tokens.jiaoyu, body: { code: '998', name: 'x', kind: 'department' } })
        expect(denied.status).toBe(403)
        const user = await t.request('POST', '/api/users', { token: tokens.caizheng, body: { username: 'ceshi', password: 'ceshi-password', role: 'department', departmentIds: [dept.body.id] } })
        expect(user.status).toBe(201)
        expect(user.body).toMatchObject({ username: 'ceshi', role: 'department', departmentIds: [dept.body.id] })
        expect(user.body.passwordHash).toBeUndefined()
        expect((await t.request('GET', '/api/users', { token: tokens.zixun })).status).toBe(403)
      })

      it('answers bad directory input with a specific code and field', async () => {
        const badKind = await t.request('POST', '/api/departments', { token: tokens.caizheng, body: { code: '997', name: 'x', kind: 'bureau' } })
        expect(badKind).toMatchObject({ status: 400, body: { error: { code: 'invalid_input', details: { field: 'kind' } } } })
        const dup = await t.request('POST', '/api/users', { token: tokens.caizheng, body: { username: 'jiaoyu', password: 'another-password', role: 'viewer' } })
        expect(dup.status).toBe(409)
        expect(dup.body.error.code).toBe('conflict')
      })
    })

    describe('tables', () => {
      it('lists only what the caller may read, with finding counts', async () => {
        const all = await t.request('GET', '/api/tables', { token: tokens.caizheng })
        expect(all.body.tables.length).toBeGreaterThanOrEqual(10)
        const own = await t.request('GET', '/api/tables', { token: tokens.jiaoyu })
        const edu = await t.departmentId('105')
        expect(own.body.tables.length).toBeGreaterThan(0)
        expect(own.body.tables.every((x: { departmentId: string }) => x.departmentId === edu)).toBe(true)
        const consultant = await t.request('GET', '/api/tables', { token: tokens.zixun })
        const scope = new Set([edu, await t.departmentId('118'), await t.departmentId('126')])
        expect(consultant.body.tables.every((x: { departmentId: string }) => scope.has(x.departmentId))).toBe(true)
        expect(own.body.tables[0].departmentName).toBe('南江市教育局')
        const s01 = all.body.tables.find((x: { title: string }) => x.title.includes('课后服务'))
        expect(s01.findings).toEqual({ errors: 1, warnings: 2, infos: expect.any(Number) })
        const filtered = await t.request('GET', `/api/tables?kind=department`, { token: tokens.caizheng })
        expect(filtered.body.tables.every((x: { kind: string }) => x.kind === 'department')).toBe(true)
        const bad = await t.request('GET', '/api/tables?status=lost', { token: tokens.caizheng })
        expect(bad.body.error).toMatchObject({ code: 'invalid_input', details: { field: 'status' } })
      })

      it('creates a table from content, reads it back losslessly and judges it', async () => {
        const content = loadSample('S02') as Record<string, unknown>
        const res = await t.request('POST', '/api/tables', {
          token: tokens.weijian,
          body: { kind: 'project', template: 'mof2015-project', year: 2024, departmentId: await t.departmentId('118'), content },
        })
        expect(res.status).toBe(201)
        const got = await t.request('GET', `/api/tables/${res.body.id}`, { token: tokens.weijian })
        expect(got.status).toBe(200)
        expect(got.body).toMatchObject({ kind: 'project', status: 'draft', round: 1, version: 0, departmentName: '南江市卫生健康局', access: { edit: true, comment: true } })
        expect(got.body.content).toEqual(res.body.content)
        expect(got.body.content.indicators.every((r: { id: unknown }) => typeof r.id === 'string')).toBe(true)
        const findings = await t.request('GET', `/api/tables/${res.body.id}/findings`, { token: tokens.weijian })
        expect(findings.body.findings).toEqual(validateTable(parseTableOrThrow(got.body.content)))
        expect(findings.body.findings.map((f: { ruleId: string }) => f.ruleId)).toContain('R-DUPLICATE-INDICATOR')
      })

      it('serves current findings after another server process changed the stored table', async () => {
        const created = await t.request('POST', '/api/tables', {
          token: tokens.weijian,
          body: { kind: 'project', template: 'mof2015-project', year: 2024, departmentId: await t.departmentId('118'), content: loadSample('S02') },
        })
        const id = created.body.id as string
        const vague = (r: { body: { findings: { ruleId: string; rowId?: string }[] } }, rowId: string) => r.body.findings.some((f) => f.ruleId === 'R-VAGUE-WORDING' && f.rowId === rowId)
        // another process edits the table: its update reaches the log, this process's cache hears nothing
        const stored = await t.storage.docLog.loadDoc(id, 'table')
        const doc = new Y.Doc()
        if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot.state)
        for (const u of stored.updates) Y.applyUpdate(doc, u.update)
        const rowId = rowIds(doc, 'indicators')[0]!
        const before = await t.request('GET', `/api/tables/${id}/findings`, { token: tokens.weijian })
        expect(vague(before, rowId)).toBe(false)
        let update: Uint8Array | null = null
        doc.on('update', (u: Uint8Array) => (update = u))
        setRowField(doc, 'indicators', rowId, 'target', '进一步提高')
        await t.storage.docLog.appendUpdates(id, 'table', [{ update: update! }])
        const after = await t.request('GET', `/api/tables/${id}/findings`, { token: tokens.weijian })
        expect(vague(after, rowId)).toBe(true)
        expect((await t.request('GET', '/api/tables', { token: tokens.weijian })).body.tables.find((x: { id: string }) => x.id === id).findings).toEqual(after.body.counts)
      })

      it('creates a blank table of a template when no content is given', async () => {
        const res = await t.request('POST', '/api/tables', { token: tokens.jiaoyu, body: { kind: 'department', template: 'mof2015-dept', year: 2025, departmentId: await t.departmentId('105') } })
        expect(res.status).toBe(201)
        expect(res.body.content).toMatchObject({ kind: 'department', template: 'mof2015-dept', year: 2025, tasks: [], indicators: [] })
      })

      it('refuses creation outside the caller scope, by a viewer, or with content that is not a table', async () => {
        const other = await t.request('POST', '/api/tables', { token: tokens.jiaoyu, body: { kind: 'project', template: 'local-simple', year: 2024, departmentId: await t.departmentId('118') } })
        expect(other.status).toBe(403)
        const viewer = await t.request('POST', '/api/tables', { token: tokens.renda, body: { kind: 'project', template: 'local-simple', year: 2024, departmentId: await t.departmentId('105') } })
        expect(viewer.status).toBe(403)
        const mismatch = await t.request('POST', '/api/tables', { token: tokens.jiaoyu, body: { kind: 'project', template: 'mof2015-dept', year: 2024, departmentId: await t.departmentId('105') } })
        expect(mismatch.body.error).toMatchObject({ code: 'invalid_input', details: { field: 'template' } })
        const broken = await t.request('POST', '/api/tables', {
          token: tokens.jiaoyu,
          body: { kind: 'project', template: 'mof2015-project', year: 2024, departmentId: await t.departmentId('105'), content: { ...(loadSample('S01') as object), indicators: [42] } },
        })
        expect(broken.status).toBe(422)
        expect(broken.body.error.details.problems[0]).toMatchObject({ path: 'indicators[0]', code: 'not_object' })
        const before = (await t.request('GET', '/api/tables', { token: tokens.caizheng })).body.tables.length
        expect(before).toBe((await t.storage.tables.list()).length)
      })

      it('hides tables outside the caller scope as not found', async () => {
        const all = await t.request('GET', '/api/tables', { token: tokens.caizheng })
        const town = all.body.tables.find((x: { kind: string; title: string }) => x.title.includes('安平镇人民政府'))
        const res = await t.request('GET', `/api/tables/${town.id}`, { token: tokens.jiaoyu })
        expect(res.status).toBe(404)
        expect((await t.request('GET', `/api/tables/${town.id}/findings`, { token: tokens.zixun })).status).toBe(404)
        expect((await t.request('GET', `/api/tables/${town.id}`, { token: tokens.renda })).status).toBe(200)
        expect((await t.request('GET', `/api/tables/${town.id}`)).status).toBe(401)
      })
    })

    describe('participants', () => {
      it('names the authors of comment threads for readers of the table', async () => {
        const created = await t.request('POST', '/api/tables', { token: tokens.jiaoyu, body: { kind: 'project', template: 'mof2015-project', year: 2024, departmentId: await t.departmentId('105'), content: loadSample('S01') } })
        const res = await t.request('GET', `/api/tables/${created.body.id}/participants`, { token: tokens.zixun })
        expect(res.status).toBe(200)
        expect(res.body.participants).toEqual([{ id: expect.any(String), displayName: '周婷（第三方评价机构）', role: 'consultant' }])
        expect((await t.request('GET', `/api/tables/${created.body.id}/participants`, { token: tokens.weijian })).status).toBe(404)
      })
    })

    describe('validate', () => {
      it('judges posted content without storing it', async () => {
        const before = (await t.storage.tables.list()).length
        const res = await t.request('POST', '/api/validate', { token: tokens.zixun, body: { content: loadSample('S03') } })
        expect(res.status).toBe(200)
        expect(res.body.findings.map((f: { ruleId: string; path: string }) => `${f.ruleId}@${f.path}`)).toContain('R-FUND-SUM@funds.annual')
        expect((await t.storage.tables.list()).length).toBe(before)
        const garbage = await t.request('POST', '/api/validate', { token: tokens.zixun, body: { content: { kind: 'budget' } } })
        expect(garbage.status).toBe(422)
        expect(garbage.body.error.details.problems[0].path).toBe('kind')
        expect((await t.request('POST', '/api/validate', { body: { content: {} } })).status).toBe(401)
      })

      it('publishes the table JSON Schema', async () => {
        const res = await t.request('GET', '/api/schema/table')
        expect(res.status).toBe(200)
        expect(JSON.stringify(res.body)).toContain('indicators')
      })
    })

    describe('transitions', () => {
      it('submits, blocks on errors, approves with a frozen version and locks the table', async () => {
        const edu = await t.departmentId('105')
        const clean = await t.request('POST', '/api/tables', { token: tokens.jiaoyu, body: { kind: 'project', template: 'mof2021-core', year: 2024, departmentId: edu, content: loadSample('S09') } })
        const dirty = await t.request('POST', '/api/tables', { token: tokens.jiaoyu, body: { kind: 'project', template: 'mof2015-project', year: 2024, departmentId: edu, content: loadSample('S01') } })

        const blocked = await t.request('POST', `/api/tables/${dirty.body.id}/transitions`, { token: tokens.jiaoyu, body: { action: 'submit' } })
        expect(blocked.status).toBe(409)
        expect(blocked.body.error.code).toBe('blocked')
        expect(blocked.body.error.details.findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(['R-INPUT-AS-OUTPUT'])

        const submitted = await t.request('POST', `/api/tables/${clean.body.id}/transitions`, { token: tokens.jiaoyu, body: { action: 'submit' } })
        expect(submitted.body).toEqual({ status: 'submitted', round: 1, version: 1 })
        expect((await t.request('POST', `/api/tables/${clean.body.id}/transitions`, { token: tokens.jiaoyu, body: { action: 'approve' } })).status).toBe(403)
        const approved = await t.request('POST', `/api/tables/${clean.body.id}/transitions`, { token: tokens.caizheng, body: { action: 'approve' } })
        expect(approved.body).toEqual({ status: 'approved', round: 1, version: 2 })
        expect(t.stateChanges).toContain(clean.body.id)
        const versions = await t.request('GET', `/api/tables/${clean.body.id}/versions`, { token: tokens.renda })
        expect(versions.body.versions.map((v: { version: number; reason: string }) => [v.version, v.reason])).toEqual([[1, 'submitted'], [2, 'approved']])
        const read = await t.request('GET', `/api/tables/${clean.body.id}`, { token: tokens.jiaoyu })
        expect(read.body.access).toEqual({ edit: false, comment: false, reason: '该表已批复锁定，需重新打开后才能编辑', actions: [] })
        const reopened = await t.request('POST', `/api/tables/${clean.body.id}/transitions`, { token: tokens.caizheng, body: { action: 'reopen', reason: '补充指标' } })
        expect(reopened.body).toEqual({ status: 'draft', round: 1, version: 2 })
        const unknown = await t.request('POST', `/api/tables/${clean.body.id}/transitions`, { token: tokens.caizheng, body: { action: 'delete' } })
        expect(unknown.body.error).toMatchObject({ code: 'invalid_input', details: { field: 'action' } })
      })
    })
  })
}
