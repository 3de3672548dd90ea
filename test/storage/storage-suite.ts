// The storage test suite, shared by every back-end: storage.pglite.test.ts and storage.postgres.test.ts
// each call defineStorageSuite with their own way of opening a database.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { count, eq, sql } from 'drizzle-orm'
import { pgSchema, serial, text } from 'drizzle-orm/pg-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { AppError } from '../../shared/errors.ts'
import { openDatabase, MIGRATIONS_FOLDER, type Database } from '../../server/db/open.ts'
import { departments, docUpdates, targetTables, users } from '../../server/db/schema.ts'
import { createStorage, type Storage } from '../../server/storage/index.ts'
import { LoginThrottle } from '../../server/auth/throttle.ts'
import { createDocLogRepository } from '../../server/storage/doc-log.ts'
import type { NewDepartment } from '../../server/storage/departments.ts'
import type { NewTable } from '../../server/storage/tables.ts'
import type { NewUser } from '../../server/storage/users.ts'
import { canonicalJson, contentHash } from '../../server/storage/versions.ts'
import { loadSample } from '../helpers/samples.ts'
import type { OpenedTestDatabase } from '../helpers/database.ts'

const migrationsTable = pgSchema('drizzle').table('__drizzle_migrations', { id: serial('id'), hash: text('hash') })
const journalEntries = (JSON.parse(fs.readFileSync(path.join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as { entries: unknown[] }).entries.length

const uniq = () => randomBytes(4).toString('hex')

/** Resolves to the AppError a promise rejects with; fails the test when it resolves or throws anything else. */
async function appError(p: Promise<unknown>): Promise<AppError> {
  try {
    await p
  } catch (err) {
    expect(err).toBeInstanceOf(AppError)
    return err as AppError
  }
  throw new Error('expected an AppError, but the call succeeded')
}

export function defineStorageSuite(name: string, open: () => Promise<OpenedTestDatabase>): void {
  describe(`storage on ${name}`, () => {
    let database: OpenedTestDatabase
    let storage: Storage

    beforeAll(async () => {
      database = await open()
      storage = createStorage(database.db)
      console.info(`[storage ${name}] migrations applied in ${database.migrateMs.toFixed(0)} ms`)
    })
    afterAll(async () => {
      await database?.dispose()
    })

    const makeDepartment = (overrides: Partial<NewDepartment> = {}) =>
      storage.departments.create({ code: `D${uniq()}`, name: '教育局', kind: 'department', ...overrides })
    const makeUser = (overrides: Partial<NewUser> = {}) =>
      storage.users.create({ username: `user-${uniq()}`, password: 'correct horse', displayName: '张三', role: 'department', ...overrides })
    const makeTable = async (overrides: Partial<NewTable> = {}) => {
      const departmentId = overrides.departmentId ?? (await makeDepartment()).id
      return storage.tables.create({ kind: 'project', template: 'mof2015-project', year: 2025, departmentId, title: '城乡义务教育补助经费', ...overrides })
    }

    describe('migrations', () => {
      it('records each migration once and runs again as a no-op on a second open', async () => {
        const [applied] = await database.db.select({ n: count() }).from(migrationsTable)
        expect(applied?.n).toBe(journalEntries)

        let first: Database | undefined
        let second: Database | undefined
        let dir: string | undefined
        try {
          if (database.url) {
            second = await openDatabase({ url: database.url, poolSize: 1 })
          } else {
            // In-memory PGlite cannot be opened twice; a fresh data directory can, and shows it is created if absent.
            dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tt-pglite-')), 'nested', 'data')
            first = await openDatabase({ dataDir: dir })
            await createStorage(first.db).departments.create({ code: 'KEEP', name: '保留', kind: 'department' })
            await first.close()
            first = undefined
            second = await openDatabase({ dataDir: dir })
            const kept = await createStorage(second.db).departments.getByCode('KEEP')
            expect(kept?.name).toBe('保留')
          }
          const [again] = await second.db.select({ n: count() }).from(migrationsTable)
          expect(again?.n).toBe(journalEntries)
          await second.ping()
        } finally {
          await first?.close()
          await second?.close()
          if (dir) fs.rmSync(path.dirname(path.dirname(dir)), { recursive: true, force: true })
        }
      })

      it('answers ping', async () => {
        await expect(database.ping()).resolves.toBeUndefined()
      })

      it('names the PostgreSQL error code when opening fails', async () => {
        if (!database.url) return // only a server has databases that can be missing
        const missing = new URL(database.url)
        missing.pathname = `/tt_missing_${uniq()}`
        missing.password = 'secret-pw'
        const err = await openDatabase({ url: missing.toString() }).then(
          () => undefined,
          (e: unknown) => e as Error,
        )
        expect(err?.message).toMatch(/\(3D000\)/)
        expect(err?.message).not.toContain('secret-pw')
      })
    })

    describe('departments', () => {
      it('builds the department → unit tree and lists descendants', async () => {
        const dept = await makeDepartment({ name: '卫健局' })
        const unit = await makeDepartment({ name: '疾控中心', kind: 'unit', parentId: dept.id })
        const town = await makeDepartment({ name: '仙街镇', kind: 'town' })
        expect(unit).toMatchObject({ kind: 'unit', parentId: dept.id, name: '疾控中心' })
        expect((await storage.departments.withDescendants([dept.id])).sort()).toEqual([dept.id, unit.id].sort())
        expect(await storage.departments.withDescendants([town.id])).toEqual([town.id])
        expect(await storage.departments.withDescendants([unit.id])).toEqual([unit.id])
        // several children, several and overlapping roots, an unknown id kept as given
        const unit2 = await makeDepartment({ name: '卫生监督所', kind: 'unit', parentId: dept.id })
        const townUnit = await makeDepartment({ name: '仙街镇卫生院', kind: 'unit', parentId: town.id })
        expect((await storage.departments.withDescendants([dept.id])).sort()).toEqual([dept.id, unit.id, unit2.id].sort())
        expect((await storage.departments.withDescendants([town.id, unit.id, dept.id, 'no-such-dept'])).sort()).toEqual([town.id, townUnit.id, unit.id, unit2.id, dept.id, 'no-such-dept'].sort())
        expect(await storage.departments.withDescendants([])).toEqual([])
        expect(await storage.departments.get(unit.id)).toEqual(unit)
      })

      it('refuses a duplicate code as a conflict', async () => {
        const d = await makeDepartment()
        const err = await appError(makeDepartment({ code: d.code }))
        expect(err.code).toBe('conflict')
        expect(err.message).toContain('部门代码')
      })

      it('refuses a unit without a parent, an unknown kind and an empty name', async () => {
        expect((await appError(makeDepartment({ kind: 'unit' }))).code).toBe('invalid_input')
        const badKind = await appError(makeDepartment({ kind: 'bureau' as never }))
        expect(badKind).toMatchObject({ code: 'invalid_input' })
        expect(badKind.message).toContain('部门类型（kind）')
        expect((await appError(makeDepartment({ name: '  ' }))).message).toContain('部门名称（name）')
        const missingParent = await appError(makeDepartment({ kind: 'unit', parentId: 'd_nope' }))
        expect(missingParent.code).toBe('invalid_input')
        expect(missingParent.message).toContain('上级部门')
      })
    })

    describe('users', () => {
      it('creates a user with an argon2id hash and verifies the password', async () => {
        const dept = await makeDepartment()
        const user = await makeUser({ username: `li-${uniq()}`, departmentIds: [dept.id] })
        expect(user).toMatchObject({ role: 'department', disabled: false, departmentIds: [dept.id], displayName: '张三' })
        expect(user).not.toHaveProperty('passwordHash')
        const [row] = await database.db.select().from(users).where(eq(users.id, user.id))
        expect(row?.passwordHash.startsWith('$argon2id$')).toBe(true)

        expect(await storage.users.verifyPassword(user.username, 'correct horse')).toEqual(user)
        expect(await storage.users.verifyPassword(user.username, 'wrong horse')).toBeNull()
        expect(await storage.users.verifyPassword('nobody-' + uniq(), 'correct horse')).toBeNull()
      })

      it('refuses a disabled user at sign-in', async () => {
        const user = await makeUser()
        expect((await storage.users.setDisabled(user.id, true)).disabled).toBe(true)
        expect(await storage.users.verifyPassword(user.username, 'correct horse')).toBeNull()
      })

      it('refuses an unknown role, an empty username and a duplicate username with named fields', async () => {
        const badRole = await appError(makeUser({ role: 'admin' as never }))
        expect(badRole.code).toBe('invalid_input')
        expect(badRole.message).toContain('角色（role）')
        const empty = await appError(makeUser({ username: '   ' }))
        expect(empty.code).toBe('invalid_input')
        expect(empty.message).toContain('用户名（username）')
        const u = await makeUser()
        const dup = await appError(makeUser({ username: u.username }))
        expect(dup.code).toBe('conflict')
        expect(dup.message).toContain('用户名')
      })

      it('leaves no user behind when one of its departments does not exist', async () => {
        const dept = await makeDepartment()
        const username = `ghost-${uniq()}`
        const err = await appError(makeUser({ username, departmentIds: [dept.id, 'd_missing'] }))
        expect(err.code).toBe('invalid_input')
        expect(await storage.users.getByUsername(username)).toBeNull()
      })

      it('replaces departments and lists users by department', async () => {
        const a = await makeDepartment()
        const b = await makeDepartment()
        const user = await makeUser({ departmentIds: [a.id] })
        expect((await storage.users.setDepartments(user.id, [b.id])).departmentIds).toEqual([b.id])
        expect((await storage.users.list({ departmentId: b.id })).map((u) => u.id)).toEqual([user.id])
        expect(await storage.users.list({ departmentId: a.id })).toEqual([])
      })
    })

    describe('sessions', () => {
      it('returns the token once, stores only its hash, and finds the session by it', async () => {
        const user = await makeUser()
        const { token, session } = await storage.sessions.create(user.id, { ip: '127.0.0.1', userAgent: 'vitest' })
        expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
        expect(session.tokenHash).not.toContain(token)
        const found = await storage.sessions.lookup(token)
        expect(found?.user).toEqual(user)
        expect(found?.session.id).toBe(session.id)
        expect(await storage.sessions.lookup(token + 'x')).toBeNull()
        // a user of several departments comes back exactly as the user repository gives it
        const [d1, d2] = [await makeDepartment(), await makeDepartment()]
        const member = await makeUser({ departmentIds: [d2.id, d1.id] })
        const own = await storage.sessions.create(member.id)
        const byLookup = await storage.sessions.lookup(own.token)
        expect(byLookup?.user).toEqual(await storage.users.get(member.id))
        expect([...byLookup!.user.departmentIds]).toEqual([d1.id, d2.id].sort())
      })

      it('refuses an expired session', async () => {
        const user = await makeUser()
        const now = new Date('2025-03-01T08:00:00Z')
        const { token } = await storage.sessions.create(user.id, { ttlMs: 60 * 60 * 1000, now })
        expect(await storage.sessions.lookup(token, new Date('2025-03-01T08:59:00Z'))).not.toBeNull()
        expect(await storage.sessions.lookup(token, new Date('2025-03-01T09:00:00Z'))).toBeNull()
      })

      it('refuses a revoked session and the sessions of a disabled user', async () => {
        const user = await makeUser()
        const one = await storage.sessions.create(user.id)
        const two = await storage.sessions.create(user.id)
        expect(await storage.sessions.revoke(one.token)).toBe(true)
        expect(await storage.sessions.revoke(one.token)).toBe(false)
        expect(await storage.sessions.lookup(one.token)).toBeNull()
        expect(await storage.sessions.lookup(two.token)).not.toBeNull()
        await storage.users.setDisabled(user.id, true)
        expect(await storage.sessions.lookup(two.token)).toBeNull()
        expect(await storage.sessions.revokeAllForUser(user.id)).toBe(1)
      })
    })

    describe('login failures (the login throttle, shared by every server process)', () => {
      it('lets a few failures pass, then doubles the wait per further failure', async () => {
        let now = Date.parse('2026-01-01T00:00:00Z')
        const t = new LoginThrottle(storage.loginFailures, { freeFailures: 2, baseDelayMs: 1000 }, () => now)
        const keys = [`user:${uniq()}`]
        await t.fail(keys)
        await t.fail(keys)
        expect(await t.retryAfter(keys)).toBe(0)
        await t.fail(keys)
        expect(await t.retryAfter(keys)).toBe(1000)
        await t.fail(keys)
        expect(await t.retryAfter(keys)).toBe(2000)
        now += 2000
        expect(await t.retryAfter(keys)).toBe(0)
      })

      it('allows an address more failures than a user name and forgets on success', async () => {
        const t = new LoginThrottle(storage.loginFailures, { freeFailures: 1, addressFreeFailures: 3 }, () => Date.parse('2026-01-01T00:00:00Z'))
        const [user, addr] = [`user:${uniq()}`, `addr:${uniq()}`]
        await t.fail([user, addr])
        await t.fail([user, addr])
        expect(await t.retryAfter([user])).toBeGreaterThan(0)
        expect(await t.retryAfter([addr])).toBe(0)
        expect(await t.retryAfter([user, addr])).toBeGreaterThan(0) // the worst of its keys
        await t.succeed([user])
        expect(await t.retryAfter([user])).toBe(0)
      })

      it('is one count for two processes: a lock set by one holds in the other, and concurrent failures all count', async () => {
        const now = () => Date.parse('2026-01-01T00:00:00Z')
        const [a, b] = [new LoginThrottle(storage.loginFailures, { freeFailures: 10 }, now), new LoginThrottle(storage.loginFailures, { freeFailures: 10 }, now)]
        const keys = [`user:${uniq()}`]
        await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).fail(keys)))
        expect(await a.retryAfter(keys)).toBe(0)
        expect((await storage.loginFailures.countFailure(keys, new Date(now()), 3_600_000)).get(keys[0]!)).toBe(7)
        for (let i = 0; i < 4; i++) await a.fail(keys) // 11: one over the free ten
        expect(await b.retryAfter(keys)).toBe(1000)
        await b.succeed(keys)
        expect(await a.retryAfter(keys)).toBe(0)
      })

      it('starts a key again after forgetAfterMs, never shortens a lock, and removes forgotten keys', async () => {
        const t0 = Date.parse('2025-01-01T00:00:00Z') // before every other test's failures: forget() is for all keys
        const key = `user:${uniq()}`
        const repo = storage.loginFailures
        expect((await repo.countFailure([key, key], new Date(t0), 60_000)).get(key)).toBe(1) // one count per key, however often named
        expect((await repo.countFailure([key], new Date(t0 + 30_000), 60_000)).get(key)).toBe(2)
        expect((await repo.countFailure([key], new Date(t0 + 100_000), 60_000)).get(key)).toBe(1) // 70 s after the last: forgotten
        await repo.lock(key, new Date(t0 + 500_000))
        await repo.lock(key, new Date(t0 + 200_000))
        expect((await repo.lockedUntil([key], new Date(t0)))?.getTime()).toBe(t0 + 500_000)
        expect(await repo.lockedUntil([key], new Date(t0 + 500_000))).toBeNull()
        expect(await repo.lockedUntil([], new Date(t0))).toBeNull()
        expect(await repo.forget(new Date(t0 + 100_000))).toBe(0) // its last failure is at +100 s
        expect(await repo.forget(new Date(t0 + 100_001))).toBe(1)
        expect(await repo.lockedUntil([key], new Date(t0))).toBeNull()
      })
    })

    describe('tables', () => {
      it('lists only tables of the allowed departments, with filters', async () => {
        const dept = await makeDepartment()
        const unit = await makeDepartment({ kind: 'unit', parentId: dept.id })
        const other = await makeDepartment()
        const t1 = await makeTable({ departmentId: dept.id, year: 2031 })
        const t2 = await makeTable({ departmentId: unit.id, year: 2031 })
        const t3 = await makeTable({ departmentId: other.id, year: 2031 })
        const t4 = await makeTable({ departmentId: dept.id, year: 2031, kind: 'department', template: 'mof2015-dept' })

        const scope = await storage.departments.withDescendants([dept.id])
        const scoped = await storage.tables.list({ year: 2031, allowedDepartmentIds: scope })
        expect(scoped.map((t) => t.id).sort()).toEqual([t1.id, t2.id, t4.id].sort())
        expect(await storage.tables.list({ year: 2031, allowedDepartmentIds: [] })).toEqual([])
        expect((await storage.tables.list({ year: 2031, kind: 'department' })).map((t) => t.id)).toEqual([t4.id])
        expect((await storage.tables.list({ year: 2031, departmentId: other.id })).map((t) => t.id)).toEqual([t3.id])
        expect(await storage.tables.list({ year: 2031, status: 'approved' })).toEqual([])
        expect(await storage.tables.get(t1.id)).toEqual(t1)
        expect(t1).toMatchObject({ status: 'draft', round: 1, version: 0, classified: false })
      })

      it('moves status with an optimistic check', async () => {
        const t = await makeTable()
        const submitted = await storage.tables.updateState(t.id, { status: 'draft', round: 1, version: 0 }, { status: 'submitted' })
        expect(submitted).toMatchObject({ status: 'submitted', round: 1, version: 0 })
        const stale = await appError(storage.tables.updateState(t.id, { status: 'draft', round: 1, version: 0 }, { status: 'submitted' }))
        expect(stale.code).toBe('conflict')
        expect(stale.details).toMatchObject({ actual: { status: 'submitted', round: 1, version: 0 } })
        const missing = await appError(storage.tables.updateState('t_missing', { status: 'draft', round: 1, version: 0 }, { status: 'submitted' }))
        expect(missing.code).toBe('not_found')
      })

      it('refuses a template of the other kind, an unknown department and a duplicate id', async () => {
        expect((await appError(makeTable({ kind: 'department', template: 'mof2015-project' }))).message).toContain('表样（template）')
        const missing = await appError(makeTable({ departmentId: 'd_missing' }))
        expect(missing.code).toBe('invalid_input')
        expect(missing.message).toContain('部门（departmentId）')
        const t = await makeTable()
        expect((await appError(makeTable({ id: t.id }))).code).toBe('conflict')
      })

      it('rolls back every write of a storage transaction that throws', async () => {
        const dept = await makeDepartment()
        const before = await storage.tables.list({ departmentId: dept.id })
        await expect(
          storage.transaction(async (s) => {
            await s.tables.create({ kind: 'project', template: 'mof2015-project', year: 2025, departmentId: dept.id })
            await s.audit.record({ action: 'table.create', details: { departmentId: dept.id } })
            // users.create runs its own transaction: inside this one it becomes a savepoint.
            await s.users.create({ username: `rollback-${dept.id}`, password: 'correct horse', role: 'viewer', departmentIds: [dept.id] })
            throw new Error('boom')
          }),
        ).rejects.toThrow('boom')
        expect(await storage.tables.list({ departmentId: dept.id })).toEqual(before)
        expect((await storage.audit.list({ action: 'table.create' })).filter((e) => e.details?.departmentId === dept.id)).toEqual([])
        expect(await storage.users.getByUsername(`rollback-${dept.id}`)).toBeNull()
      })
    })

    describe('document log', () => {
      it('stores bytes byte-identical, including every byte value and a large update', async () => {
        const t = await makeTable()
        const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i)
        const large = new Uint8Array(randomBytes(1 << 20))
        const ids = await storage.docLog.appendUpdates(t.id, 'table', [{ update: allBytes }, { update: large }])
        const { snapshot, updates } = await storage.docLog.loadDoc(t.id, 'table')
        expect(snapshot).toBeNull()
        expect(updates.map((u) => u.id)).toEqual(ids)
        for (const u of updates) expect(u.update.constructor).toBe(Uint8Array)
        expect(Buffer.compare(Buffer.from(updates[0]!.update), Buffer.from(allBytes))).toBe(0)
        expect(Buffer.compare(Buffer.from(updates[1]!.update), Buffer.from(large))).toBe(0)
      })

      it('round-trips a real Yjs document and keeps append order', async () => {
        const t = await makeTable()
        const user = await makeUser()
        const doc = new Y.Doc()
        const produced: Uint8Array[] = []
        doc.on('update', (u: Uint8Array) => produced.push(u))
        const table = doc.getMap('table')
        table.set('projectName', '城乡义务教育补助经费')
        const rows = new Y.Array<Y.Map<unknown>>()
        table.set('indicators', rows)
        for (let i = 0; i < 5; i++) {
          const row = new Y.Map<unknown>()
          row.set('id', `r_${i}`)
          row.set('level3', `指标${i}`)
          rows.push([row])
        }
        const goal = new Y.Text()
        table.set('annualGoal', goal)
        goal.insert(0, '保障义务教育阶段学生')

        // Two group commits, as the live server would make them.
        const half = Math.ceil(produced.length / 2)
        const ids1 = await storage.docLog.appendUpdates(t.id, 'table', produced.slice(0, half).map((update) => ({ update, userId: user.id })))
        const ids2 = await storage.docLog.appendUpdates(t.id, 'table', produced.slice(half).map((update) => ({ update })))
        expect([...ids1, ...ids2]).toEqual([...ids1, ...ids2].sort((a, b) => a - b))

        const loaded = await storage.docLog.loadDoc(t.id, 'table')
        expect(loaded.updates.map((u) => u.id)).toEqual([...ids1, ...ids2])
        loaded.updates.forEach((u, i) => expect(Buffer.compare(Buffer.from(u.update), Buffer.from(produced[i]!))).toBe(0))
        expect(loaded.updates.map((u) => u.userId)).toEqual([...ids1.map(() => user.id), ...ids2.map(() => null)])

        const copy = new Y.Doc()
        for (const u of loaded.updates) Y.applyUpdate(copy, u.update)
        expect(copy.getMap('table').toJSON()).toEqual(doc.getMap('table').toJSON())
        expect(Buffer.compare(Buffer.from(Y.encodeStateVector(copy)), Buffer.from(Y.encodeStateVector(doc)))).toBe(0)

        // The comments room of the same table is a separate log.
        expect((await storage.docLog.loadDoc(t.id, 'comments')).updates).toEqual([])
      })

      it('compaction folds the log into a snapshot and deletes the folded updates', async () => {
        const t = await makeTable()
        const doc = new Y.Doc()
        const produced: Uint8Array[] = []
        doc.on('update', (u: Uint8Array) => produced.push(u))
        for (let i = 0; i < 10; i++) doc.getArray<number>('n').push([i])
        const ids = await storage.docLog.appendUpdates(t.id, 'table', produced.map((update) => ({ update })))
        expect(await storage.docLog.pending(t.id, 'table')).toMatchObject({ count: 10 })

        const loaded = await storage.docLog.loadDoc(t.id, 'table')
        const merged = new Y.Doc()
        for (const u of loaded.updates) Y.applyUpdate(merged, u.update)
        const state = Y.encodeStateAsUpdate(merged)
        const lastId = ids[ids.length - 1]!
        expect(await storage.docLog.compact(t.id, 'table', state, lastId)).toEqual({ compacted: true, deleted: 10 })

        const after = await storage.docLog.loadDoc(t.id, 'table')
        expect(after.updates).toEqual([])
        expect(after.snapshot?.lastUpdateId).toBe(lastId)
        expect(Buffer.compare(Buffer.from(after.snapshot!.state), Buffer.from(state))).toBe(0)
        const [left] = await database.db.select({ n: count() }).from(docUpdates).where(sql`${docUpdates.tableId} = ${t.id}`)
        expect(left?.n).toBe(0)

        // An older compaction arriving late changes nothing.
        expect(await storage.docLog.compact(t.id, 'table', Y.encodeStateAsUpdate(new Y.Doc()), ids[3]!)).toEqual({ compacted: false, deleted: 0 })
        const restored = new Y.Doc()
        Y.applyUpdate(restored, (await storage.docLog.loadDoc(t.id, 'table')).snapshot!.state)
        expect(restored.getArray('n').toJSON()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
      })

      it('reports the document version: the highest stored update id, kept by compaction', async () => {
        const t = await makeTable()
        expect(await storage.docLog.version(t.id, 'table')).toBe(0)
        const doc = new Y.Doc()
        const produced: Uint8Array[] = []
        doc.on('update', (u: Uint8Array) => produced.push(u))
        for (let i = 0; i < 3; i++) doc.getArray<number>('n').push([i])
        const ids = await storage.docLog.appendUpdates(t.id, 'table', produced.map((update) => ({ update })))
        expect(await storage.docLog.version(t.id, 'table')).toBe(ids[2])
        expect(await storage.docLog.version(t.id, 'comments')).toBe(0)
        await storage.docLog.compact(t.id, 'table', Y.encodeStateAsUpdate(doc), ids[2]!)
        expect(await storage.docLog.version(t.id, 'table')).toBe(ids[2])
        doc.getArray<number>('n').push([3])
        const [next] = await storage.docLog.appendUpdates(t.id, 'table', [{ update: produced.at(-1)! }])
        expect(await storage.docLog.version(t.id, 'table')).toBe(next)
        expect(await storage.docLog.version('no-such-table', 'table')).toBe(0)
        await expect(storage.docLog.version('', 'table')).rejects.toMatchObject({ code: 'invalid_input' })
      })

      it('keeps an update appended between load and compaction', async () => {
        const t = await makeTable()
        const doc = new Y.Doc()
        const produced: Uint8Array[] = []
        doc.on('update', (u: Uint8Array) => produced.push(u))
        doc.getMap('table').set('projectName', '旧名称')
        doc.getMap('table').set('annualGoal', '目标')
        await storage.docLog.appendUpdates(t.id, 'table', produced.map((update) => ({ update })))

        const loaded = await storage.docLog.loadDoc(t.id, 'table')
        const merged = new Y.Doc()
        for (const u of loaded.updates) Y.applyUpdate(merged, u.update)

        // Someone edits while the compactor works.
        produced.length = 0
        doc.getMap('table').set('projectName', '新名称')
        const [lateId] = await storage.docLog.appendUpdates(t.id, 'table', produced.map((update) => ({ update })))

        await storage.docLog.compact(t.id, 'table', Y.encodeStateAsUpdate(merged), loaded.updates.at(-1)!.id)
        const after = await storage.docLog.loadDoc(t.id, 'table')
        expect(after.updates.map((u) => u.id)).toEqual([lateId])
        const final = new Y.Doc()
        Y.applyUpdate(final, after.snapshot!.state)
        for (const u of after.updates) Y.applyUpdate(final, u.update)
        expect(final.getMap('table').toJSON()).toEqual({ projectName: '新名称', annualGoal: '目标' })
      })

      it('loses no update when appends race with repeated compactions', async () => {
        const t = await makeTable()
        const writers = Array.from({ length: 8 }, (_, w) => {
          const d = new Y.Doc()
          d.clientID = 1000 + w
          return d
        })
        const expected: string[] = []
        const appends: Promise<unknown>[] = []
        for (let round = 0; round < 6; round++) {
          writers.forEach((d, w) => {
            const key = `w${w}-r${round}`
            expected.push(key)
            const produced: Uint8Array[] = []
            const onUpdate = (u: Uint8Array) => produced.push(u)
            d.on('update', onUpdate)
            d.getMap('m').set(key, round)
            d.off('update', onUpdate)
            appends.push(storage.docLog.appendUpdates(t.id, 'table', produced.map((update) => ({ update }))))
          })
        }
        let compacting = true
        const compactor = (async () => {
          while (compacting) {
            const { snapshot, updates } = await storage.docLog.loadDoc(t.id, 'table')
            if (updates.length > 0) {
              const merged = new Y.Doc()
              if (snapshot) Y.applyUpdate(merged, snapshot.state)
              for (const u of updates) Y.applyUpdate(merged, u.update)
              await storage.docLog.compact(t.id, 'table', Y.encodeStateAsUpdate(merged), updates.at(-1)!.id)
            }
            await new Promise((r) => setTimeout(r, 1))
          }
        })()
        await Promise.all(appends)
        compacting = false
        await compactor

        const { snapshot, updates } = await storage.docLog.loadDoc(t.id, 'table')
        const final = new Y.Doc()
        if (snapshot) Y.applyUpdate(final, snapshot.state)
        for (const u of updates) Y.applyUpdate(final, u.update)
        expect(Object.keys(final.getMap('m').toJSON()).sort()).toEqual(expected.sort())
      })

      it('does not let a compaction delete an update that committed after a later one', async () => {
        // Append A takes its id first but commits last; append B commits in between; a compaction runs
        // before A commits. Without ordering, the compaction would fold B, delete up to B's id, and A
        // (a smaller id) would land behind the snapshot, never to be loaded again.
        const t = await makeTable()
        const doc = new Y.Doc()
        const produced: Uint8Array[] = []
        doc.on('update', (u: Uint8Array) => produced.push(u))
        doc.getMap('m').set('a', 1)
        doc.getMap('m').set('b', 2)
        const [updateA, updateB] = produced as [Uint8Array, Uint8Array]
        const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

        let release!: () => void
        const gate = new Promise<void>((r) => (release = r))
        const appendA = database.db.transaction(async (tx) => {
          await createDocLogRepository(tx).appendUpdates(t.id, 'table', [{ update: updateA }])
          await gate
        })
        await sleep(50)
        const appendB = storage.docLog.appendUpdates(t.id, 'table', [{ update: updateB }])
        await sleep(50)
        const compaction = (async () => {
          const { snapshot, updates } = await storage.docLog.loadDoc(t.id, 'table')
          if (updates.length === 0) return
          const merged = new Y.Doc()
          if (snapshot) Y.applyUpdate(merged, snapshot.state)
          for (const u of updates) Y.applyUpdate(merged, u.update)
          await storage.docLog.compact(t.id, 'table', Y.encodeStateAsUpdate(merged), updates.at(-1)!.id)
        })()
        await sleep(100)
        release()
        await Promise.all([appendA, appendB, compaction])

        const { snapshot, updates } = await storage.docLog.loadDoc(t.id, 'table')
        const final = new Y.Doc()
        if (snapshot) Y.applyUpdate(final, snapshot.state)
        for (const u of updates) Y.applyUpdate(final, u.update)
        expect(final.getMap('m').toJSON()).toEqual({ a: 1, b: 2 })
      })

      it('compaction is one transaction: a failing delete keeps the old log and writes no snapshot', async () => {
        const t = await makeTable()
        const doc = new Y.Doc()
        const produced: Uint8Array[] = []
        doc.on('update', (u: Uint8Array) => produced.push(u))
        doc.getMap('table').set('projectName', '项目')
        const ids = await storage.docLog.appendUpdates(t.id, 'table', produced.map((update) => ({ update })))
        // A trigger that fails the delete of this table's updates, after the snapshot upsert ran.
        const fn = `tt_fail_delete_${uniq()}`
        await database.db.execute(
          sql.raw(`create function ${fn}() returns trigger language plpgsql as $$ begin if old.table_id = '${t.id}' then raise exception 'injected failure'; end if; return old; end $$`),
        )
        await database.db.execute(sql.raw(`create trigger ${fn} before delete on doc_updates for each row execute function ${fn}()`))
        try {
          await expect(storage.docLog.compact(t.id, 'table', Y.encodeStateAsUpdate(doc), ids.at(-1)!)).rejects.toThrow()
        } finally {
          await database.db.execute(sql.raw(`drop trigger ${fn} on doc_updates`))
          await database.db.execute(sql.raw(`drop function ${fn}()`))
        }
        const after = await storage.docLog.loadDoc(t.id, 'table')
        expect(after.snapshot).toBeNull()
        expect(after.updates.map((u) => u.id)).toEqual(ids)
      })

      it('stores nothing of a multi-row append when one row fails', async () => {
        const t = await makeTable()
        const user = await makeUser()
        const err = await appError(
          storage.docLog.appendUpdates(t.id, 'table', [
            { update: Uint8Array.of(1), userId: user.id },
            { update: Uint8Array.of(2), userId: 'u_missing' },
            { update: Uint8Array.of(3) },
          ]),
        )
        expect(err.code).toBe('invalid_input')
        expect((await storage.docLog.loadDoc(t.id, 'table')).updates).toEqual([])
        expect((await appError(storage.docLog.appendUpdates(t.id, 'table', [{ update: new Uint8Array(0) }]))).code).toBe('invalid_input')
        expect((await appError(storage.docLog.appendUpdates(t.id, 'sheet' as never, [{ update: Uint8Array.of(1) }]))).code).toBe('invalid_input')
        expect((await appError(storage.docLog.appendUpdates('t_missing', 'table', [{ update: Uint8Array.of(1) }]))).code).toBe('invalid_input')
        expect(await storage.docLog.appendUpdates(t.id, 'table', [])).toEqual([])
      })
    })

    describe('versions', () => {
      it('hashes equal content equally, whatever its key order, and keeps the hash through storage', async () => {
        const content = loadSample('S01') as Record<string, unknown>
        const reordered = Object.fromEntries(Object.entries(content).reverse())
        expect(canonicalJson(reordered)).toBe(canonicalJson(content))
        expect(contentHash(reordered)).toBe(contentHash(content))
        expect(contentHash({ ...content, annualGoal: '另一个目标' })).not.toBe(contentHash(content))

        const t = await makeTable()
        const user = await makeUser()
        const v1 = await storage.versions.freeze({ tableId: t.id, version: 1, round: 1, reason: 'round', content, createdBy: user.id })
        expect(v1.hash).toBe(contentHash(content))
        const stored = await storage.versions.get(t.id, 1)
        expect(contentHash(stored!.content)).toBe(v1.hash)
        expect(stored!.content).toEqual(JSON.parse(JSON.stringify(content)))

        const v2 = await storage.versions.freeze({ tableId: t.id, version: 2, round: 2, reason: 'approved', content: reordered })
        expect(v2.hash).toBe(v1.hash)
        expect((await storage.versions.list(t.id)).map((v) => [v.version, v.reason])).toEqual([[1, 'round'], [2, 'approved']])
        expect((await storage.versions.latest(t.id))?.version).toBe(2)
      })

      it('refuses to freeze the same version twice', async () => {
        const t = await makeTable()
        await storage.versions.freeze({ tableId: t.id, version: 1, round: 1, reason: 'manual', content: { a: 1 } })
        const err = await appError(storage.versions.freeze({ tableId: t.id, version: 1, round: 1, reason: 'manual', content: { a: 2 } }))
        expect(err.code).toBe('conflict')
        expect((await storage.versions.get(t.id, 1))?.content).toEqual({ a: 1 })
      })
    })

    describe('comments', () => {
      it('keeps threads with messages and counts open ones per round', async () => {
        const t = await makeTable()
        const thread = await storage.comments.createThread({ tableId: t.id, round: 1, anchorRowId: 'r_1', anchorField: 'target', authorId: 'u_finance', text: '指标值偏低' })
        await storage.comments.addMessage({ threadId: thread.id, authorId: 'u_dept', text: '已调整' })
        await storage.comments.createThread({ tableId: t.id, round: 2, authorId: 'u_finance', text: '年度目标不明确' })
        expect(await storage.comments.countOpen(t.id, 1)).toBe(1)
        expect(await storage.comments.countOpen(t.id)).toBe(2)
        await storage.comments.setStatus(thread.id, 'resolved')
        expect(await storage.comments.countOpen(t.id, 1)).toBe(0)
        const [listed] = await storage.comments.list(t.id, { round: 1 })
        expect(listed).toMatchObject({ status: 'resolved', anchorRowId: 'r_1', anchorField: 'target' })
        expect(listed?.resolvedAt).toBeInstanceOf(Date)
        expect(listed?.messages.map((m) => m.text)).toEqual(['指标值偏低', '已调整'])
        expect((await appError(storage.comments.addMessage({ threadId: 'c_missing', authorId: 'u', text: 'x' }))).code).toBe('invalid_input')
      })

      it('replaces the projection of a table from its comments document', async () => {
        const t = await makeTable()
        await storage.comments.createThread({ tableId: t.id, round: 1, authorId: 'u_a', text: '旧意见' })
        const at = Date.UTC(2025, 2, 1)
        await storage.comments.replaceForTable(t.id, [
          {
            id: `c_${uniq()}`,
            round: 1,
            anchorRowId: 'r_9',
            status: 'open',
            authorId: 'u_b',
            createdAt: at,
            messages: [
              { id: `m_${uniq()}`, authorId: 'u_b', text: '请补充数据来源', createdAt: at },
              { id: `m_${uniq()}`, authorId: 'u_c', text: '已补充', createdAt: new Date(at + 1000).toISOString() },
            ],
          },
        ])
        const threads = await storage.comments.list(t.id)
        expect(threads).toHaveLength(1)
        expect(threads[0]?.messages.map((m) => m.text)).toEqual(['请补充数据来源', '已补充'])
        expect(threads[0]?.createdAt.getTime()).toBe(at)
      })
    })

    describe('audit', () => {
      it('records entries and lists them newest first', async () => {
        const t = await makeTable()
        await storage.audit.record({ userId: 'u_x', action: 'table.submit', tableId: t.id, details: { round: 1 } })
        await storage.audit.record({ userId: 'u_x', action: 'table.approve', tableId: t.id })
        const entries = await storage.audit.list({ tableId: t.id })
        expect(entries.map((e) => e.action)).toEqual(['table.approve', 'table.submit'])
        expect(entries[1]).toMatchObject({ userId: 'u_x', details: { round: 1 } })
        expect(entries[0]!.at).toBeInstanceOf(Date)
        expect((await appError(storage.audit.record({ action: '' }))).code).toBe('invalid_input')
      })
    })

    describe('indicator library', () => {
      it('seeds the 218 entries of library.json once', async () => {
        expect(await storage.library.seedIfEmpty()).toBe(218)
        expect(await storage.library.seedIfEmpty()).toBe(0)
        expect(await storage.library.count()).toBe(218)
        const meeting = await storage.library.get('C-MTG-05')
        expect(meeting).toMatchObject({ level1: '产出指标', level2: '成本指标', comparator: '≤', functionalClasses: ['*'], projectTypes: ['会议'], alt2021: { level1: '成本指标', level2: '经济成本指标' }, scope: 'common', core: false, departmentId: null })
      })

      it('searches by text, level, functional class, scope and project type', async () => {
        const byText = await storage.library.list({ q: '会议' })
        expect(byText.length).toBeGreaterThan(0)
        for (const i of byText) expect(`${i.level3}${i.explanation}${i.formula}`).toContain('会议')

        const level = await storage.library.list({ level1: '满意度指标', level2: '服务对象满意度指标' })
        expect(level.length).toBeGreaterThan(0)
        expect(level.every((i) => i.level1 === '满意度指标')).toBe(true)

        // 2010201 sits under 20102 (政协事务 款): its specific entries and every common "*" entry apply.
        const cls = await storage.library.list({ functionalClass: '2010201' })
        expect(cls.some((i) => i.id === 'S-201-01')).toBe(true)
        expect(cls.every((i) => i.functionalClasses.some((c) => c === '*' || '2010201'.startsWith(c)))).toBe(true)
        expect(cls.some((i) => i.functionalClasses.includes('20406') && !i.functionalClasses.includes('*'))).toBe(false)

        const specific = await storage.library.list({ scope: 'specific' })
        expect(specific.length).toBeGreaterThan(0)
        expect(specific.every((i) => i.scope === 'specific')).toBe(true)
        expect((await storage.library.list({ projectType: '参政议政' })).map((i) => i.id)).toContain('S-201-01')
        expect(await storage.library.list({ q: '%_不存在的指标_%' })).toEqual([])
        expect((await appError(storage.library.list({ functionalClass: "201' or 1=1" }))).code).toBe('invalid_input')
      })

      it('adds a department core indicator and refuses a duplicate id', async () => {
        const dept = await makeDepartment()
        const core = await storage.library.create({ id: `K-${uniq()}`, level1: '产出指标', level2: '质量指标', level3: '课后服务覆盖率', comparator: '≥', typicalValue: '95', unit: '%', scope: 'specific', functionalClasses: ['20502'], departmentId: dept.id, core: true })
        expect((await storage.library.list({ departmentId: dept.id, core: true })).map((i) => i.id)).toEqual([core.id])
        expect((await appError(storage.library.create({ ...core, alt2021: null }))).code).toBe('conflict')
        expect((await storage.library.update(core.id, { typicalValue: '98' })).typicalValue).toBe('98')
      })
    })

    describe('schema', () => {
      it('keeps status and kind to their known values even past the repositories', async () => {
        const dept = await makeDepartment()
        await expect(
          database.db.insert(targetTables).values({ kind: 'project', template: 'mof2015-project', year: 2025, departmentId: dept.id, status: 'lost' as never }),
        ).rejects.toThrow()
        await expect(database.db.insert(departments).values({ code: `X${uniq()}`, name: 'x', kind: 'bureau' as never })).rejects.toThrow()
      })
    })
  })
}
