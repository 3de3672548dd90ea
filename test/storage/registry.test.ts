// The registry repository (server/storage/registry.ts) on PGlite, and on PostgreSQL when TEST_DATABASE_URL
// is set: upsert by (year, natural key) updates instead of duplicating, blanks and amounts as typed come back
// as stored, department scope and unmatched rows in lists, a deleted table leaves a project 未建表 again,
// aliases keyed by code or name and re-mapped in place, and a failed transaction stores nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registryNaturalKey, type RegistryFields } from '../../shared/api/registry.ts'
import { createStorage, type Storage, type RegistryProjectUpsert } from '../../server/storage/index.ts'
import { TEST_DATABASE_URL, openTestDatabase, type OpenedTestDatabase, type TestDatabaseKind } from '../helpers/database.ts'

const kinds: TestDatabaseKind[] = TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']

function fields(over: Partial<RegistryFields> = {}): RegistryFields {
  return {
    financeOffice: { code: '05', name: '教科文科' },
    competentDept: { code: '205', name: '二连浩特市文体旅游广电局' },
    unit: { code: '205001', name: '二连浩特市乌兰牧骑' },
    contacts: [{ role: '项目主要负责人', name: '张三', phone: '13800000000' }],
    projectName: '文艺演出补助',
    requestedAmount: 12.5,
    functionalClass: { code: '2070108', name: '文化活动', levels: { class: '207', section: '20701', item: '2070108' } },
    classified: false,
    fundingType: '部门预算项目',
    fundSource: '一般公共预算',
    ...over,
  }
}

function upsert(year: number, departmentId: string | null, f: RegistryFields, row = 5): RegistryProjectUpsert {
  return { ...f, year, departmentId, naturalKey: registryNaturalKey(f), source: { file: 'a.xlsx', sheet: 'Sheet1', row } }
}

for (const kind of kinds) {
  describe(`registry storage on ${kind}`, () => {
    let database: OpenedTestDatabase
    let storage: Storage
    let deptA: string
    let deptB: string
    let userId: string

    beforeAll(async () => {
      database = await openTestDatabase(kind)
      storage = createStorage(database.db)
      deptA = (await storage.departments.create({ code: '205', name: '文体旅游广电局', kind: 'department' })).id
      deptB = (await storage.departments.create({ code: '206', name: '教育局', kind: 'department' })).id
      userId = (await storage.users.create({ username: 'fin', password: 'correct horse', displayName: '财政', role: 'finance' })).id
    }, 60_000)
    afterAll(async () => {
      await database?.dispose()
    })

    it('upserts by (year, natural key): a re-import updates in place, another year is another row', async () => {
      const [first] = await storage.registry.upsert([upsert(2030, deptA, fields())], userId)
      expect(first).toMatchObject({ year: 2030, departmentId: deptA, projectName: '文艺演出补助', requestedAmount: 12.5, classified: false, createdBy: userId })

      // the same project with spaces around its name: the same key
      const respelled = fields({ projectName: ' 文艺演出补助 ', requestedAmount: '15万元（含结转3万元）' })
      expect(registryNaturalKey(respelled)).toBe(first!.naturalKey)
      const [again] = await storage.registry.upsert([upsert(2030, deptA, respelled, 9)], userId)
      expect(again!.id).toBe(first!.id)
      expect(again!.requestedAmount).toBe('15万元（含结转3万元）')
      expect(again!.source).toEqual({ file: 'a.xlsx', sheet: 'Sheet1', row: 9 })
      expect(again!.updatedAt.getTime()).toBeGreaterThanOrEqual(first!.updatedAt.getTime())

      await storage.registry.upsert([upsert(2031, deptA, fields())], userId)
      expect((await storage.registry.list(2030)).map((p) => p.id)).toEqual([first!.id])
      expect(await storage.registry.list(2031)).toHaveLength(1)
    })

    it('keeps blanks as blanks: null amount, null classified, no contacts, no functional class', async () => {
      const blank = fields({ projectName: '空白项目', requestedAmount: null, classified: null, contacts: [], functionalClass: null, fundingType: null, fundSource: null, financeOffice: null })
      const [row] = await storage.registry.upsert([upsert(2032, null, blank)], userId)
      const [read] = await storage.registry.get([row!.id])
      expect(read).toMatchObject({ requestedAmount: null, classified: null, contacts: [], functionalClass: null, fundingType: null, fundSource: null, financeOffice: null, departmentId: null, departmentName: null })
    })

    it('lists by department scope, with or without the unmatched projects, ordered by department then row', async () => {
      const year = 2033
      await storage.registry.upsert([
        upsert(year, deptB, fields({ projectName: '乙', unit: { code: '206001', name: '一中' } }), 3),
        upsert(year, deptA, fields({ projectName: '甲2' }), 8),
        upsert(year, deptA, fields({ projectName: '甲1' }), 4),
        upsert(year, null, fields({ projectName: '未知', unit: { name: '某某中心' } }), 6),
      ], userId)
      expect((await storage.registry.list(year)).map((p) => p.projectName)).toEqual(['甲1', '甲2', '乙', '未知'])
      expect((await storage.registry.list(year, { departmentIds: [deptB] })).map((p) => p.projectName)).toEqual(['乙'])
      expect((await storage.registry.list(year, { departmentIds: [deptB], unmatched: true })).map((p) => p.projectName)).toEqual(['乙', '未知'])
      expect(await storage.registry.list(year, { departmentIds: [] })).toEqual([])
      expect((await storage.registry.list(year, { unmatched: false })).map((p) => p.projectName)).toEqual(['甲1', '甲2', '乙'])
      const listed = await storage.registry.list(year, { departmentIds: [deptA] })
      expect(listed.map((p) => p.departmentName)).toEqual(['文体旅游广电局', '文体旅游广电局'])
    })

    it('records tables in one batch; a deleted table leaves the project without one', async () => {
      const year = 2034
      const rows = await storage.registry.upsert([upsert(year, deptA, fields({ projectName: 'A' })), upsert(year, deptA, fields({ projectName: 'B' }))], userId)
      const t1 = await storage.tables.create({ kind: 'project', template: 'mof2015-project', year, departmentId: deptA, title: 'A' })
      const t2 = await storage.tables.create({ kind: 'project', template: 'mof2015-project', year, departmentId: deptA, title: 'B' })
      await storage.registry.setTables([{ projectId: rows[0]!.id, tableId: t1.id }, { projectId: rows[1]!.id, tableId: t2.id }])
      expect(Object.fromEntries((await storage.registry.list(year)).map((p) => [p.projectName, p.tableId]))).toEqual({ A: t1.id, B: t2.id })
      await storage.tables.softDelete(t2.id, userId)
      expect(Object.fromEntries((await storage.registry.list(year)).map((p) => [p.projectName, p.tableId]))).toEqual({ A: t1.id, B: null })
    })

    it('keeps aliases by code or by name, re-maps in place, and lists waiting projects', async () => {
      const byCode = await storage.registry.upsertAlias({ code: '999', name: '某局（旧名）', departmentId: deptA, createdBy: userId })
      const byName = await storage.registry.upsertAlias({ name: '某某 中心', departmentId: deptA, createdBy: userId })
      expect(byCode.key).toBe('c:999')
      expect(byName.key).toBe('n:某某中心')
      const moved = await storage.registry.upsertAlias({ code: '999', name: '某局', departmentId: deptB, createdBy: userId })
      expect(moved.id).toBe(byCode.id)
      expect(moved.departmentId).toBe(deptB)
      expect((await storage.registry.aliases()).map((a) => a.key).sort()).toEqual(['c:999', 'n:某某中心'])

      const waiting = await storage.registry.waiting()
      expect(waiting.every((p) => p.departmentId === null)).toBe(true)
      expect(waiting.map((p) => p.projectName)).toEqual(expect.arrayContaining(['空白项目', '未知']))
      await storage.registry.setDepartment(waiting.map((p) => p.id), deptA, userId)
      expect(await storage.registry.waiting()).toEqual([])
    })

    it('stores nothing when the transaction fails', async () => {
      const year = 2035
      await expect(storage.transaction(async (tx) => {
        await tx.registry.upsert([upsert(year, deptA, fields({ projectName: '回滚' }))], userId)
        throw new Error('boom')
      })).rejects.toThrow('boom')
      expect(await storage.registry.list(year)).toEqual([])
    })

    it('upserts 1 000 projects in a few statements', async () => {
      const year = 2036
      const many = Array.from({ length: 1000 }, (_, i) => upsert(year, i % 2 ? deptA : deptB, fields({ projectName: `项目${i}` }), i + 5))
      const t0 = performance.now()
      expect(await storage.registry.upsert(many, userId)).toHaveLength(1000)
      const again = await storage.registry.upsert(many.map((m) => ({ ...m, requestedAmount: 1 })), userId)
      expect(again).toHaveLength(1000)
      expect((await storage.registry.byKey(year)).size).toBe(1000)
      expect(performance.now() - t0).toBeLessThan(15_000)
    })
  })
}
