// The suite of test/library/transfer.{pglite,postgres}.test.ts. The library in and out of Excel and its versions per budget year, over HTTP on PGlite (and PostgreSQL
// when TEST_DATABASE_URL is set): the export read back with ExcelJS (sheet, header, frozen, ★, classes
// joined with 、, department by name); export → import reports every row unchanged; an edited row is a
// versioned change with the file's name as its reason; small planted bad rows rejected whole with their
// problem while the good rows import; bad files → 400 with a Chinese reason; who may do what; versions
// published, listed and exported as they were, and a table created afterwards records its year's newest.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LIBRARY_COLUMNS, libraryImportReport, libraryVersion, libraryVersionsAnswer } from '../../shared/api/library-transfer.ts'
import type { TestDatabaseKind } from '../helpers/database.ts'
import { makeTestApp, type TestApp } from '../helpers/app.ts'
import { LABELS, editExport, exportLibrary, readBack, uploadLibrary, writeRows } from './transfer-helpers.ts'

const col = (key: (typeof LIBRARY_COLUMNS)[number]['key']) => LIBRARY_COLUMNS.findIndex((c) => c.key === key)

export function transferSuite(kind: TestDatabaseKind) {
  describe(`library transfer over HTTP on ${kind}`, () => {
    let t: TestApp
    let finance: string
    let consultant: string
    let department: string
    let exported: Uint8Array
    let educationId: string

    beforeAll(async () => {
      t = await makeTestApp(kind)
      finance = await t.login('caizheng')
      consultant = await t.login('zixun')
      department = await t.login('jiaoyu')
      const me = await t.request('GET', '/api/auth/me', { token: department })
      educationId = (me.body.user ?? me.body).departmentIds[0]
      // one department entry and one core entry, so the export shows a department's name and a ★
      const created = await t.request('POST', '/api/indicators', {
        token: finance,
        body: { level1: '产出指标', level2: '数量指标', level3: '送教下乡课时', comparator: '≥', typicalValue: '120', unit: '课时', scope: 'specific', functionalClasses: ['20502', '2050201'], departmentId: educationId, core: true },
      })
      expect(created.status, JSON.stringify(created.body)).toBe(201)
    }, 120_000)
    afterAll(async () => {
      await t?.dispose()
    })

    it('exports one sheet 指标库 with a frozen header, one row per entry, classes joined with 、, the department by name and core as ★', async () => {
      const res = await exportLibrary(t, finance)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toContain('spreadsheetml')
      expect(res.headers.get('content-disposition')).toMatch(/attachment;.*filename\*=UTF-8''/)
      exported = res.bytes
      const { sheet, rows } = await readBack(res.bytes)
      expect(sheet.name).toBe('指标库')
      expect(rows[0]).toEqual(LABELS)
      expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 })
      expect(sheet.getColumn(col('level3') + 1).width).toBeGreaterThan(20)
      const count = await t.storage.library.count()
      expect(rows.length).toBe(count + 1)
      const mine = rows.find((r) => r[col('level3')] === '送教下乡课时')!
      expect(mine[col('functionalClasses')]).toBe('20502、2050201')
      expect(mine[col('departmentId')]).toBe((await t.storage.departments.get(educationId))!.name)
      expect(mine[col('core')]).toBe('★')
      expect(mine[col('scope')]).toBe('个性指标')
      expect(rows.filter((r) => r[col('scope')] === '共性指标').length).toBeGreaterThan(0)
    })

    it('lets consultants export; departments and viewers are refused', async () => {
      expect((await exportLibrary(t, consultant)).status).toBe(200)
      expect((await exportLibrary(t, department)).status).toBe(403)
      expect((await exportLibrary(t, await t.login('renda'))).status).toBe(403)
      const bad = await exportLibrary(t, finance, '?format=pdf')
      expect(bad.status).toBe(400)
    })

    it('imports its own export back with every row unchanged, storing nothing', async () => {
      const count = await t.storage.library.count()
      const dry = await uploadLibrary(t, finance, exported, { dryRun: true, name: 'export.xlsx' })
      expect(dry.status, JSON.stringify(dry.body)).toBe(200)
      const report = libraryImportReport.parse(dry.body)
      expect(report).toMatchObject({ dryRun: true, sheet: '指标库', rows: count, created: 0, updated: 0, unchanged: count, rejected: [] })
      const real = await uploadLibrary(t, finance, exported, { name: 'export.xlsx' })
      expect(real.status, JSON.stringify(real.body)).toBe(201)
      expect(real.body).toMatchObject({ dryRun: false, created: 0, updated: 0, unchanged: count })
      expect(await t.storage.library.count()).toBe(count)
    })

    it('applies an edited row as a versioned change with the file as its reason; columns in another order and an extra column are fine', async () => {
      const { rows } = await readBack(exported)
      const target = rows.find((r, i) => i > 0 && r[col('level3')] === '送教下乡课时')!
      const id = target[col('id')]!
      const before = (await t.storage.library.get(id))!
      const edited = await editExport(exported, (all) => {
        const order = [...LABELS.keys()].reverse()
        return all.map((r, i) => {
          const row = [...r]
          if (i > 0 && row[col('id')] === id) row[col('typicalValue')] = '150'
          return [...order.map((j) => row[j]!), i === 0 ? '备注' : 'x']
        })
      })
      const r = await uploadLibrary(t, finance, edited, { name: '调整.xlsx' })
      expect(r.status, JSON.stringify(r.body)).toBe(201)
      expect(r.body).toMatchObject({ updated: 1, created: 0, rejected: [] })
      expect(r.body.notes.join('\n')).toContain('备注')
      const after = (await t.storage.library.get(id))!
      expect(after.typicalValue).toBe('150')
      expect(after.version).toBe(before.version + 1)
      const [last] = await t.storage.library.history(id)
      expect(last).toMatchObject({ reason: '导入：调整.xlsx', before: { typicalValue: '120' }, after: { typicalValue: '150' } })
    })

    it('rejects bad rows whole with their problem and row number and imports the good ones', async () => {
      const count = await t.storage.library.count()
      const row = (l3: string, over: Record<string, string | { formula: string }> = {}) => {
        const base: Record<string, string | { formula: string }> = { level1: '效益指标', level2: '社会效益指标', level3: l3, comparator: '≥', typicalValue: '90', unit: '%', scope: '个性指标', functionalClasses: '205', ...over }
        return LIBRARY_COLUMNS.map((c) => base[c.key] ?? '')
      }
      const bytes = await writeRows([
        LABELS,
        row('新指标甲'), // 2: created
        row('', { level3: '' }), // 3: required
        row('新指标乙', { functionalClasses: '205、20999' }), // 4: unknown_class
        row('新指标甲'), // 5: duplicate in file
        row('新指标丙', { departmentId: '不存在的局' }), // 6: unknown_department
        row('新指标丁', { comparator: '大约' }), // 7: invalid_value
        row('新指标戊', { typicalValue: { formula: 'A1&"x"' } }), // 8: formula without a value
        row('送教下乡课时', { level1: '产出指标', level2: '数量指标', departmentId: (await t.storage.departments.get(educationId))!.name }), // 9: duplicate in library
        [], // blank: skipped
        row('新指标己', { scope: '共性', core: '★' }), // 11: created
      ])
      const r = await uploadLibrary(t, finance, bytes, { name: 'bad.xlsx' })
      expect(r.status, JSON.stringify(r.body)).toBe(201)
      const report = libraryImportReport.parse(r.body)
      expect(report.rows).toBe(9)
      expect(report.created).toBe(2)
      expect(report.rejected.map((x) => [x.row, x.problem])).toEqual([
        [3, 'required'], [4, 'unknown_class'], [5, 'duplicate_in_file'], [6, 'unknown_department'], [7, 'invalid_value'], [8, 'formula'], [9, 'duplicate_in_library'],
      ])
      expect(report.rejected[1]!.message).toContain('“20999”不在功能分类科目中')
      expect(report.rejected[1]!.column).toBe('适用功能分类')
      expect(report.rejected[5]!.column).toBe('指标值')
      expect(await t.storage.library.count()).toBe(count + 2)
      const all = await t.storage.library.all()
      expect(all.find((e) => e.level3 === '新指标己')).toMatchObject({ scope: 'common', core: true })
      expect(all.some((e) => e.level3 === '新指标乙')).toBe(false)
    })

    it('refuses files that are no library workbook with a clear 400, and imports are finance\'s', async () => {
      const random = await uploadLibrary(t, finance, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), { name: 'x.xlsx' })
      expect(random.status).toBe(400)
      expect(random.body.error.details.reason).toBe('not_xlsx')
      const empty = await uploadLibrary(t, finance, new Uint8Array(0))
      expect(empty.status).toBe(400)
      expect(empty.body.error.details.reason).toBe('empty')
      const noHeader = await uploadLibrary(t, finance, await writeRows([['名称', '数量'], ['甲', 1]]))
      expect(noHeader.status).toBe(400)
      expect(noHeader.body.error.details.reason).toBe('no_header')
      expect(noHeader.body.error.message).toContain('三级指标')
      const missing = await uploadLibrary(t, finance, await writeRows([['一级指标', '二级指标', '三级指标'], ['产出指标', '数量指标', '甲']]))
      expect(missing.status).toBe(400)
      expect(missing.body.error.message).toContain('比较符')
      for (const token of [consultant, department]) {
        const r = await uploadLibrary(t, token, exported)
        expect(r.status).toBe(403)
      }
    })

    it('publishes versions per year, lists them, exports one as it was, and a table created afterwards records its year\'s newest', async () => {
      const first = await t.request('POST', '/api/indicators/versions', { token: finance, body: { year: 2026, note: '年初版' } })
      expect(first.status, JSON.stringify(first.body)).toBe(201)
      const v1 = libraryVersion.parse(first.body)
      expect(v1).toMatchObject({ year: 2026, version: 1, note: '年初版', entryCount: await t.storage.library.count(), tableCount: 0 })
      expect(v1.createdByName).toBeTruthy()
      const entry = (await t.storage.library.all()).find((e) => e.level3 === '新指标甲')!
      await t.request('PATCH', `/api/indicators/${entry.id}`, { token: finance, body: { typicalValue: '95', reason: '调整' } })
      const second = libraryVersion.parse((await t.request('POST', '/api/indicators/versions', { token: finance, body: { year: 2026 } })).body)
      expect(second.version).toBe(2)
      expect((await t.request('POST', '/api/indicators/versions', { token: department, body: { year: 2026 } })).status).toBe(403)
      const bad = await t.request('POST', '/api/indicators/versions', { token: finance, body: { year: 1999 } })
      expect(bad.status).toBe(400)
      expect(bad.body.error.message).toContain('预算年度')

      const listed = await t.request('GET', '/api/indicators/versions', { token: department })
      expect(listed.status).toBe(200)
      expect(libraryVersionsAnswer.parse(listed.body).versions.map((v) => v.version)).toEqual([2, 1])

      // version 1 exports the entry as it was then
      const old = await exportLibrary(t, finance, `?format=xlsx&version=${v1.id}`)
      expect(old.status).toBe(200)
      expect(old.headers.get('content-disposition')).toContain(encodeURIComponent('2026年度第1版'))
      const { rows } = await readBack(old.bytes)
      expect(rows.length).toBe(v1.entryCount + 1)
      expect(rows.find((r) => r[col('id')] === entry.id)![col('typicalValue')]).toBe('90')
      expect((await exportLibrary(t, finance, '?version=99999')).status).toBe(404)

      const created = await t.request('POST', '/api/tables', { token: department, body: { kind: 'project', template: 'mof2015-project', year: 2026, departmentId: educationId, projectName: '版本测试项目' } })
      expect(created.status, JSON.stringify(created.body)).toBe(201)
      const tableId = created.body.id ?? created.body.table?.id
      const detail = await t.request('GET', `/api/tables/${tableId}`, { token: department })
      expect(detail.body.libraryVersionId).toBe(second.id)
      const other = await t.request('POST', '/api/tables', { token: department, body: { kind: 'project', template: 'mof2015-project', year: 2031, departmentId: educationId, projectName: '无版本项目' } })
      const otherDetail = await t.request('GET', `/api/tables/${other.body.id ?? other.body.table?.id}`, { token: department })
      expect(otherDetail.body.libraryVersionId).toBeNull()
      const after = libraryVersionsAnswer.parse((await t.request('GET', '/api/indicators/versions', { token: finance })).body)
      expect(after.versions.find((v) => v.id === second.id)!.tableCount).toBe(1)
    })
  })
}
