// The department list reader and planner (server/import/departments.ts) on grids built in memory: both
// shapes (a 上级 column; units under their department by code prefix), heading aliases, kinds, code-name
// cells, notes and blank rows skipped, and every bad row reported with its cell while the rest import.
import { describe, expect, it } from 'vitest'
import { gridFromRows, type SheetGrid } from '../../server/import/grid.ts'
import { planDepartmentImport, readDepartmentList, splitCodeName, kindOf, type StoredDepartment } from '../../server/import/departments.ts'

const plan = (grids: SheetGrid[], stored: StoredDepartment[] = []) => planDepartmentImport(readDepartmentList(grids), stored)
const byCode = (p: ReturnType<typeof plan>) => Object.fromEntries(p.departments.map((d) => [d.code, d]))
const codes = (p: ReturnType<typeof plan>, severity = 'error') => p.problems.filter((x) => x.severity === severity).map((x) => `${x.cell} ${x.code}`)

const STORED: StoredDepartment[] = [
  { id: 'd105', code: '105', name: '南江市教育局', kind: 'department', parentId: null },
  { id: 'd126', code: '126', name: '南江市文化广电旅游体育局', kind: 'department', parentId: null },
  { id: 'd126001', code: '126001', name: '南江市文化馆', kind: 'unit', parentId: 'd126' },
]

describe('department list: a 上级 column (shape A)', () => {
  it('finds the heading under a title by its aliases and reads code, name, kind and parent; blank rows and notes are skipped', () => {
    const grid = gridFromRows('部门名单', [
      ['南江市预算单位名单（2025年）'],
      [],
      ['序号', '单位代码', '单位名称*', '单位类型', '上级部门代码（部门不填）'],
      [1, '820', '南江市交通运输局', '部门', ''],
      [2, 820001, '南江市公路事业发展中心', '单位', '820'],
      [],
      [3, '601', '南江市安平镇人民政府', '镇', null],
      [4, '602', '南江市城东街道办事处', '街道', ''],
      [5, '603', '南江市白沙乡人民政府', '乡', ''],
      [6, '821', '南江市水利局', 'department', ''],
      [7, '821001', '南江市水文站', 'unit', '821-南江市水利局'],
      [8, '604', '南江市石门镇', 'town', ''],
      ['注：类型填写部门、单位或镇街；单位须填写上级部门代码。'],
    ])
    const read = readDepartmentList([grid])
    expect(read.found).toBe(true)
    expect(read.rows.map((r) => r.code)).toEqual(['820', '820001', '601', '602', '603', '821', '821001', '604'])
    expect(read.rows[1]).toMatchObject({ row: 5, code: '820001', name: '南江市公路事业发展中心', kind: 'unit', parentCode: '820', cells: { code: 'B5', name: 'C5', kind: 'D5', parent: 'E5' } })
    expect(read.problems).toEqual([expect.objectContaining({ code: 'note_skipped', severity: 'info', cell: 'A13' })])

    const p = planDepartmentImport(read, [])
    expect(codes(p)).toEqual([])
    expect(p.created).toBe(8)
    expect(byCode(p)['601']!.kind).toBe('town')
    expect(byCode(p)['602']!.kind).toBe('town')
    expect(byCode(p)['603']!.kind).toBe('town')
    expect(byCode(p)['604']!.kind).toBe('town')
    expect(byCode(p)['821001']).toMatchObject({ kind: 'unit', parentCode: '821', action: 'created' })
    // parents are stored before their units
    const order = p.items.map((i) => i.code)
    expect(order.indexOf('820')).toBeLessThan(order.indexOf('820001'))
    expect(order.indexOf('821')).toBeLessThan(order.indexOf('821001'))
  })

  it('infers the kind when there is no 类型 column: a parent makes a unit, a 镇/乡/街道 name a town, else a department', () => {
    const p = plan([gridFromRows('Sheet1', [
      ['编码', '名称', '主管部门'],
      ['830', '南江市商务局', ''],
      ['830001', '南江市招商服务中心', '830'],
      ['605', '南江市青山镇人民政府', ''],
      ['606', '南江市河西街道', ''],
    ])])
    expect(codes(p)).toEqual([])
    expect(p.departments.map((d) => `${d.code}:${d.kind}:${d.parentCode ?? ''}`)).toEqual(['830:department:', '830001:unit:830', '605:town:', '606:town:'])
  })

  it('matches a parent written as a code-name cell with a masked code (***-名称（部门）) by its name, in the file or stored', () => {
    const p = plan([gridFromRows('Sheet1', [
      ['部门代码', '部门名称', '上级部门'],
      ['840', '南江市体育局', ''],
      ['840001', '南江市体育场馆管理中心', '***-南江市体育局（部门）'],
      ['105009', '南江市第九中学', '南江市教育局'],
      ['105010', '南江市第十中学', '***－南江市教育局'],
    ])], STORED)
    expect(codes(p)).toEqual([])
    expect(byCode(p)['840001']!.parentCode).toBe('840')
    expect(byCode(p)['105009']!.parentCode).toBe('105')
    expect(byCode(p)['105010']!.parentCode).toBe('105')
  })

  it('reports every bad row with its cell and a Chinese message, and imports the others', () => {
    const p = plan([gridFromRows('名单', [
      ['代码', '名称', '类型', '上级代码'],
      ['', '没有代码的单位', '单位', '105'], // A2 missing code
      ['850', '', '部门', ''], // B3 missing name
      ['851', '南江市某某局', '处室', ''], // C4 unknown kind
      ['852001', '南江市无主单位', '单位', '999'], // D5 unknown parent
      ['853001', '南江市文化馆分馆', '单位', '126001'], // D6 parent is a stored unit
      ['854', '南江市审计局', '部门', ''],
      ['854', '南江市审计局（重复）', '部门', ''], // A8 duplicate code
      ['105', '南江市教育体育局', '部门', ''], // stored under another name: updated, reported
      ['855', '南江市统计局', '部门', '105'], // D10 a department with a parent
      ['856001', '南江市孤立单位', '单位', ''], // D11 a unit without a parent
      ['857', '南江市医保局', '部门', ''],
      ['857001', '南江市医保中心', '单位', '857'],
      ['857002', '南江市医保中心下属', '单位', '857001'], // D14 parent is a unit of this file
      ['a b', '空格代码', '部门', ''], // A15 bad code
    ])], STORED)
    // in the order a person reads the sheet
    expect(codes(p)).toEqual([
      'A2 missing_code', 'B3 missing_name', 'C4 unknown_kind', 'D5 unknown_parent', 'D6 parent_is_unit', 'A8 duplicate_code',
      'D10 parent_not_allowed', 'D11 unit_without_parent', 'D14 parent_is_unit', 'A15 bad_code',
    ])
    for (const x of p.problems) expect(x.message).toMatch(/[\u4e00-\u9fff]/)
    expect(p.problems.find((x) => x.code === 'unknown_kind')!.message).toContain('处室')
    expect(p.problems.find((x) => x.code === 'duplicate_code')!.message).toContain('第 7 行')
    expect(codes(p, 'warning')).toEqual(['B9 name_changed'])
    expect(p.problems.find((x) => x.code === 'name_changed')!.message).toContain('南江市教育局')
    expect(p.departments.map((d) => `${d.code}:${d.action}`)).toEqual(['854:created', '105:updated', '857:created', '857001:created'])
    expect([p.created, p.updated, p.unchanged]).toEqual([3, 1, 0])
  })

  it('keeps what is stored: the same list again is unchanged and plans no writes; a changed parent or kind is an update', () => {
    const grid = gridFromRows('名单', [
      ['代码', '名称', '类型', '上级代码'],
      ['105', '南江市教育局', '部门', ''],
      ['126', '南江市文化广电旅游体育局', '部门', ''],
      ['126001', '南江市文化馆', '单位', '126'],
    ])
    const same = plan([grid], STORED)
    expect([same.created, same.updated, same.unchanged]).toEqual([0, 0, 3])
    expect(same.items).toEqual([])
    expect(same.problems).toEqual([])
    const moved = plan([gridFromRows('名单', [['代码', '名称', '上级代码'], ['126001', '南江市文化馆', '105']])], STORED)
    expect(moved.departments).toEqual([{ code: '126001', name: '南江市文化馆', kind: 'unit', parentCode: '105', action: 'updated' }])
  })

  it('refuses to turn a stored department with units into a unit, unless the file moves its units away', () => {
    const p = plan([gridFromRows('名单', [['代码', '名称', '类型', '上级代码'], ['126', '南江市文化广电旅游体育局', '单位', '105']])], STORED)
    expect(codes(p)).toEqual(['C2 kind_conflict'])
    expect(p.problems[0]!.message).toContain('南江市文化馆')
    const moved = plan([gridFromRows('名单', [
      ['代码', '名称', '类型', '上级代码'],
      ['126', '南江市文化广电旅游体育局', '单位', '105'],
      ['126001', '南江市文化馆', '单位', '105'],
    ])], STORED)
    expect(codes(moved)).toEqual([])
  })

  it('skips a note merged across the columns, reports a formula error, and reports sheets without a list', () => {
    const grid = gridFromRows('名单', [
      ['代码', '名称', '类型'],
      ['860', '南江市林业局', '部门'],
      ['填表人：张三', '', ''],
      ['861', '#REF!', '部门'],
    ])
    // row 3 is one cell merged across A:C
    grid.rows[2]![1]!.master = { row: 2, col: 0 }
    grid.rows[2]![2]!.master = { row: 2, col: 0 }
    grid.merges.push({ startRow: 2, endRow: 2, startColumn: 0, endColumn: 2 })
    grid.rows[3]![1] = { ...grid.rows[3]![1]!, text: '', value: null, error: '#REF!', formula: true }
    const cover = gridFromRows('说明', [['本文件为部门名单，见第一页']])
    const read = readDepartmentList([cover, grid])
    expect(read.rows.map((r) => r.code)).toEqual(['860'])
    expect(read.problems.map((x) => `${x.sheet}:${x.cell ?? ''}:${x.code}:${x.severity}`)).toEqual([
      '说明::no_list:info', '名单:A3:note_skipped:info', '名单:B4:formula_error:error',
    ])
    expect(readDepartmentList([cover]).found).toBe(false)
  })
})

describe('department list: units under their department by code prefix (shape B, the 一体化 listing)', () => {
  it('splits code-name cells and hangs a code that extends a department\'s code below it', () => {
    const p = plan([gridFromRows('一体化', [
      ['预算单位', '单位类型'],
      ['820-南江市交通运输局（部门）', ''],
      ['820001-南江市公路事业发展中心', ''],
      ['820002-南江市道路运输服务中心', ''],
      ['601-南江市安平镇人民政府', '镇街'],
      ['601001-南江市安平镇农业综合服务中心', ''],
      ['105011-南江市第十一中学', ''], // under the stored 105
      ['999001-南江市无主单位', '单位'],
    ])], STORED)
    expect(p.departments.map((d) => `${d.code}:${d.name}:${d.kind}:${d.parentCode ?? ''}`)).toEqual([
      '820:南江市交通运输局:department:',
      '820001:南江市公路事业发展中心:unit:820',
      '820002:南江市道路运输服务中心:unit:820',
      '601:南江市安平镇人民政府:town:',
      '601001:南江市安平镇农业综合服务中心:unit:601',
      '105011:南江市第十一中学:unit:105',
    ])
    expect(codes(p)).toEqual(['A8 unit_without_parent'])
    expect(p.problems.find((x) => x.code === 'unit_without_parent')!.message).toContain('上级代码')
  })

  it('reads separate code and name columns without a parent column the same way', () => {
    const p = plan([gridFromRows('Sheet1', [['预算单位编码', '预算单位名称'], ['870', '南江市应急管理局'], ['870001', '南江市应急救援中心'], ['871', '南江市人防办']])])
    expect(p.departments.map((d) => `${d.code}:${d.kind}:${d.parentCode ?? ''}`)).toEqual(['870:department:', '870001:unit:870', '871:department:'])
  })
})

describe('department list: small parts', () => {
  it('splits code-name cells and knows the kinds', () => {
    expect(splitCodeName('820-南江市交通运输局')).toEqual({ code: '820', name: '南江市交通运输局' })
    expect(splitCodeName('***—南江市文体旅游广电局（部门）')).toEqual({ code: null, name: '南江市文体旅游广电局（部门）' })
    expect(splitCodeName('南江市交通运输局')).toBeNull()
    expect(['部门', '单位', '镇街', '镇', '街道', '乡', 'Department', 'UNIT', 'town', ' 单 位 '].map(kindOf)).toEqual(
      ['department', 'unit', 'town', 'town', 'town', 'town', 'department', 'unit', 'town', 'unit'])
    expect(kindOf('处室')).toBeNull()
  })
})

