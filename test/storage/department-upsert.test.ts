// departments.upsertByCode (the department list import's storage path) on PGlite, and on PostgreSQL when
// TEST_DATABASE_URL is set: creates by code with parents named by code, updates name/kind/parent in place,
// reports unchanged rows, refuses a batch that breaks the two-level tree whole (nothing stored), and rolls
// back with the surrounding storage.transaction.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createStorage, type Storage } from '../../server/storage/index.ts'
import { TEST_DATABASE_URL, openTestDatabase, type OpenedTestDatabase, type TestDatabaseKind } from '../helpers/database.ts'

const kinds: TestDatabaseKind[] = TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']

for (const kind of kinds) {
  describe(`departments.upsertByCode on ${kind}`, () => {
    let database: OpenedTestDatabase
    let storage: Storage

    beforeAll(async () => {
      database = await openTestDatabase(kind)
      storage = createStorage(database.db)
      await storage.departments.create({ code: '105', name: '南江市教育局', kind: 'department' })
    })
    afterAll(async () => {
      await database?.dispose()
    })

    const codes = async () => (await storage.departments.list()).map((d) => d.code)

    it('creates by code, parents named by code (stored or earlier in the batch)', async () => {
      const out = await storage.departments.upsertByCode([
        { code: '820', name: '南江市交通运输局', kind: 'department', parentCode: null },
        { code: '820001', name: '南江市公路事业发展中心', kind: 'unit', parentCode: '820' },
        { code: '105001', name: '南江市第一中学', kind: 'unit', parentCode: '105' },
        { code: '601', name: '南江市安平镇人民政府', kind: 'town', parentCode: null },
      ])
      expect(out.map((o) => `${o.department.code}:${o.action}`)).toEqual(['820:created', '820001:created', '105001:created', '601:created'])
      const unit = await storage.departments.getByCode('820001')
      expect(unit!.parentId).toBe((await storage.departments.getByCode('820'))!.id)
      expect(await codes()).toEqual(['105', '105001', '601', '820', '820001'])
    })

    it('updates in place (same id), moves a unit, and leaves equal rows unchanged', async () => {
      const id = (await storage.departments.getByCode('820001'))!.id
      const out = await storage.departments.upsertByCode([
        { code: '820', name: '南江市交通运输局', kind: 'department', parentCode: null },
        { code: '820001', name: '南江市公路发展中心', kind: 'unit', parentCode: '105' },
      ])
      expect(out.map((o) => o.action)).toEqual(['unchanged', 'updated'])
      const after = (await storage.departments.getByCode('820001'))!
      expect(after).toMatchObject({ id, name: '南江市公路发展中心', parentId: (await storage.departments.getByCode('105'))!.id })
      expect((await codes()).length).toBe(5)
    })

    it('refuses a batch breaking the tree whole: a unit under a unit, a unit without parent, an unknown parent, a department with units turned into a unit', async () => {
      const before = await storage.departments.list()
      const bad = [
        [{ code: '830', name: '甲', kind: 'department', parentCode: null }, { code: '830001', name: '乙', kind: 'unit', parentCode: '105001' }],
        [{ code: '830', name: '甲', kind: 'department', parentCode: null }, { code: '830002', name: '丙', kind: 'unit', parentCode: null }],
        [{ code: '830', name: '甲', kind: 'department', parentCode: null }, { code: '830003', name: '丁', kind: 'unit', parentCode: '999' }],
        [{ code: '830', name: '甲', kind: 'department', parentCode: null }, { code: '105', name: '南江市教育局', kind: 'unit', parentCode: '830' }],
      ] as const
      for (const batch of bad) {
        await expect(storage.departments.upsertByCode(batch)).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/[\u4e00-\u9fff]/) })
      }
      expect(await storage.departments.list()).toEqual(before)
    })

    it('rolls back with the surrounding transaction', async () => {
      await expect(storage.transaction(async (tx) => {
        await tx.departments.upsertByCode([{ code: '840', name: '南江市体育局', kind: 'department', parentCode: null }])
        throw new Error('later step failed')
      })).rejects.toThrow('later step failed')
      expect(await storage.departments.getByCode('840')).toBeNull()
    })
  })
}
