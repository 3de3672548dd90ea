// The suite of test/library/transfer-bulk.{pglite,postgres}.test.ts. A generated 50 000-row library workbook with planted bad rows (missing levels, unknown class codes,
// duplicates in the file and against the library, formulas without a value, unknown departments, bad
// comparators) imported over HTTP on PGlite, and on PostgreSQL when TEST_DATABASE_URL is set: every bad
// row is reported with its problem and row number (never cut short), every valid row is created in one
// transaction, and nothing else in the library changes. Timings: bench/library-import.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { libraryImportReport } from '../../shared/api/library-transfer.ts'
import { closeImportWorker } from '../../server/import/run.ts'
import type { TestDatabaseKind } from '../helpers/database.ts'
import { makeTestApp, type TestApp } from '../helpers/app.ts'
import { plantedLibrary } from './large-library.ts'
import { uploadLibrary } from './transfer-helpers.ts'

const ROWS = 50_000
export function bulkSuite(kind: TestDatabaseKind) {
  describe(`a 50 000-row library import on ${kind}`, () => {
      let t: TestApp
      let finance: string
      beforeAll(async () => {
        t = await makeTestApp(kind)
        finance = await t.login('caizheng')
      }, 120_000)
      afterAll(async () => {
        closeImportWorker()
        await t?.dispose()
      })

      it('keeps the valid rows, reports each bad one with its problem and row, and changes nothing else', async () => {
        const before = await t.storage.library.all()
        // the planted library duplicates need a real entry's levels: regenerate with the first seeded one
        const seeded = before.find((e) => e.departmentId === null)!
        const file = await plantedLibrary(ROWS, { level1: seeded.level1, level2: seeded.level2, level3: seeded.level3 })

        const r = await uploadLibrary(t, finance, file.bytes, { name: 'large.xlsx' })
        expect(r.status, JSON.stringify(r.body).slice(0, 500)).toBe(201)
        const report = libraryImportReport.parse(r.body)
        expect(report).toMatchObject({ rows: ROWS, created: file.valid, updated: 0, unchanged: 0 })
        // every planted row, once, with its problem; nothing else rejected
        const got = new Map(report.rejected.map((x) => [x.row, x.problem]))
        expect(report.rejected.length).toBe(file.planted.size)
        expect(got).toEqual(file.planted)
        expect(report.rejected.find((x) => x.problem === 'formula')!.column).toBe('指标值')

        const after = await t.storage.library.all()
        expect(after.length).toBe(before.length + file.valid)
        // the library's own entries are untouched
        const byId = new Map(after.map((e) => [e.id, e]))
        for (const e of before) expect(byId.get(e.id)).toEqual(e)
        const sample = after.find((e) => e.level3 === '生成指标42')!
        expect(sample).toMatchObject({ level2: '数量指标', typicalValue: '42', functionalClasses: ['205'], scope: 'common' })
        expect(await t.storage.library.history(sample.id)).toMatchObject([{ version: 1, reason: '导入：large.xlsx' }])
      }, 240_000)
  })
}
