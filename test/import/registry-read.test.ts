// Reading a 项目统计表 (server/import/registry.ts, functional-class.ts): heading labels and aliases over one
// or two rows, code-name cells in every spelling, contacts, 类/款/项 as codes or names, amounts as typed,
// rows that are not projects (blank, notes, 合计, group rows, no project name) — each fixture variant
// through the real workbook reader, and the cell-level rules from plain grids.
import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { gridFromRows } from '../../server/import/grid.ts'
import { readWorkbook } from '../../server/import/workbook.ts'
import { parseClassified, parseContacts, readRegistry, splitCodeName } from '../../server/import/registry.ts'
import { readCombinedFunctionalClass, readFunctionalClass } from '../../server/import/functional-class.ts'
import { registryNaturalKey } from '../../shared/api/registry.ts'
import { FIXTURES, fixturePath } from '../fixtures/registry/build.ts'

async function readFixture(name: keyof typeof FIXTURES) {
  const { sheets, problems } = await readWorkbook(new Uint8Array(fs.readFileSync(fixturePath(name))), { fileName: name })
  return { ...readRegistry(sheets), workbookProblems: problems }
}

describe('code-name cells', () => {
  it('splits every spelling, drops （部门） and masked codes', () => {
    expect(splitCodeName('205-二连浩特市文体旅游广电局（部门）')).toEqual({ value: { code: '205', name: '二连浩特市文体旅游广电局' }, department: true })
    expect(splitCodeName('205－名称')!.value).toEqual({ code: '205', name: '名称' })
    expect(splitCodeName('205—名称')!.value).toEqual({ code: '205', name: '名称' })
    expect(splitCodeName('205 - 名称')!.value).toEqual({ code: '205', name: '名称' })
    expect(splitCodeName('***-二连浩特市乌兰牧骑')!.value).toEqual({ name: '二连浩特市乌兰牧骑' })
    expect(splitCodeName('205001')!.value).toEqual({ code: '205001', name: '' })
    expect(splitCodeName('二连浩特市乌兰牧骑')!.value).toEqual({ name: '二连浩特市乌兰牧骑' })
    expect(splitCodeName('**-教科文科')!.value).toEqual({ name: '教科文科' })
    expect(splitCodeName('教育局(部门)')).toEqual({ value: { name: '教育局' }, department: true })
    expect(splitCodeName('  ')).toBeNull()
  })
})

describe('contacts', () => {
  it('reads two lines, one line with ；, labels with or without colon spacing, and no label', () => {
    expect(parseContacts('项目主要负责人：张三 13800000000\n财务人员：李四 0479-8123456')).toEqual([
      { role: '项目主要负责人', name: '张三', phone: '13800000000' },
      { role: '财务人员', name: '李四', phone: '0479-8123456' },
    ])
    expect(parseContacts('项目负责人:王五13900000000；财务人员：赵六 139 0000 0001')).toEqual([
      { role: '项目负责人', name: '王五', phone: '13900000000' },
      { role: '财务人员', name: '赵六', phone: '13900000001' },
    ])
    expect(parseContacts('项目主要负责人：张三 13800000000 财务人员：李四 13800000001')).toHaveLength(2)
    expect(parseContacts('陈静 13700000004')).toEqual([{ role: '', name: '陈静', phone: '13700000004' }])
    expect(parseContacts('财务人员：李四')).toEqual([{ role: '财务人员', name: '李四', phone: '' }])
    expect(parseContacts('')).toEqual([])
    expect(parseContacts('；；')).toBeNull()
  })
})

describe('类/款/项', () => {
  it('reads full codes, short codes completed from above, names, and the usual 项 names', () => {
    expect(readFunctionalClass({ class: '207', section: '20701', item: '2070108' })).toMatchObject({ code: '2070108', name: '文化活动', remarks: [] })
    expect(readFunctionalClass({ class: '207', section: '01', item: '08' })).toMatchObject({ code: '2070108', name: '文化活动', remarks: [] })
    expect(readFunctionalClass({ class: '文化旅游体育与传媒支出', section: '文化和旅游', item: '群众文化' })).toMatchObject({ code: '2070109', name: '群众文化', remarks: [] })
    expect(readFunctionalClass({ class: '205', section: '普通教育', item: '' })).toMatchObject({ code: '20502', name: '普通教育' })
    // 行政运行 under a 款 whose 项 the list does not spell out: the usual suffix 01
    expect(readFunctionalClass({ class: '208', section: '20802', item: '行政运行' })).toMatchObject({ code: '2080201' })
    expect(readFunctionalClass({ class: '207-文化旅游体育与传媒支出', section: '', item: '' })).toMatchObject({ code: '207', name: '文化旅游体育与传媒支出' })
  })

  it('keeps what it cannot resolve as typed and says so', () => {
    const unknown = readFunctionalClass({ class: '299', section: '', item: '' })
    expect(unknown.code).toBe('299')
    expect(unknown.remarks).toEqual([{ severity: 'info', message: expect.stringContaining('299 不在内置科目表中') }])
    const name = readFunctionalClass({ class: '', section: '', item: '某某专项支出' })
    expect(name).toMatchObject({ name: '某某专项支出' })
    expect(name.code).toBeUndefined()
    const mismatch = readFunctionalClass({ class: '205', section: '20701', item: '' })
    expect(mismatch.remarks.map((r) => r.message)).toEqual([expect.stringContaining('与上一级代码 205 不一致')])
    expect(readFunctionalClass({ class: '2071', section: '', item: '' }).remarks[0]!.severity).toBe('warning')
  })

  it('reads one combined cell', () => {
    expect(readCombinedFunctionalClass('2070108')).toMatchObject({ code: '2070108', name: '文化活动', levels: { class: '', section: '', item: '2070108' } })
    expect(readCombinedFunctionalClass('207/01/09')).toMatchObject({ code: '2070109', levels: { class: '207', section: '01', item: '09' } })
    expect(readCombinedFunctionalClass('213-05-05')).toMatchObject({ code: '2130505', name: '生产发展' })
    expect(readCombinedFunctionalClass('农村基础设施建设')).toMatchObject({ code: '2130504' })
    expect(readCombinedFunctionalClass('20502 普通教育')).toMatchObject({ code: '20502', name: '普通教育' })
  })
})

describe('classified', () => {
  it('reads 涉密/非密 and leaves the unreadable undecided', () => {
    expect(parseClassified('涉密')).toBe(true)
    expect(parseClassified(' 非密 ')).toBe(false)
    expect(parseClassified('')).toBeNull()
    expect(parseClassified('待定')).toBeUndefined()
  })
})

describe('registry sheets from plain grids', () => {
  const HEAD = ['序号', '主管部门', '预算单位', '项目名称', '申请预算金额（万元）', '功能分类科目', '涉密/非密', '项目类别', '财政资金来源']

  it('finds the heading by its labels and aliases below title rows, and reads each row with its cells', () => {
    const grid = gridFromRows('Sheet1', [
      ['2025年度项目统计表'],
      ['单位：万元'],
      ['序 号', '主管部门名称', '单位名称', '项目名称', '申请金额(万元)', '功能科目', '是否涉密', '项目类型', '资金来源'],
      [1, '105-教育局', '105-教育局', '课后服务', '12.50', '2050202', '否', '部门预算', '一般预算'],
    ])
    const read = readRegistry([grid])
    expect(read.found).toBe(true)
    expect(read.rows).toHaveLength(1)
    const row = read.rows[0]!
    expect(row.row).toBe(4)
    expect(row.cells).toMatchObject({ projectName: 'D4', amount: 'E4', competentDept: 'B4', unit: 'C4' })
    expect(row.fields).toMatchObject({ projectName: '课后服务', requestedAmount: 12.5, classified: false, fundingType: '部门预算项目', fundSource: '一般公共预算', functionalClass: { code: '2050202' } })
    expect(read.problems.map((p) => p.code).sort()).toEqual(['amount_text_number', 'fund_source_normalised', 'funding_type_normalised'])
  })

  it('keeps blanks blank, prose as typed, and reports each doubtful cell with its address', () => {
    const read = readRegistry([gridFromRows('S', [
      HEAD,
      [1, '105-教育局', '', '项目甲', '', '', '', '', ''],
      [2, '105-教育局', '', '项目乙', '约50万', '9999999', '不知道', '以奖代补', '上级补助'],
      [3, '105-教育局', '', '项目丙', -5, '', '', '', ''],
    ])])
    expect(read.rows[0]!.fields).toMatchObject({ requestedAmount: null, functionalClass: null, classified: null, fundingType: null, fundSource: null, unit: null, contacts: [] })
    expect(read.rows[1]!.fields).toMatchObject({ requestedAmount: '约50万', classified: null, fundingType: '以奖代补', fundSource: '上级补助', functionalClass: { code: '9999999' } })
    expect(read.rows[2]!.fields.requestedAmount).toBe(-5)
    const at = (cell: string) => read.problems.filter((p) => p.cell === cell).map((p) => p.code)
    expect(at('E3')).toEqual(['amount_text'])
    expect(at('F3')).toEqual(['functional_class_unlisted'])
    expect(at('G3')).toEqual(['classified_unknown'])
    expect(at('H3')).toEqual(['funding_type_unknown'])
    expect(at('I3')).toEqual(['fund_source_unknown'])
    expect(at('E4')).toEqual(['amount_negative'])
    for (const p of read.problems) expect(p.message).toMatch(/[\u4e00-\u9fff]/)
  })

  it('leaves out blank rows, 合计, a column-number row, group rows and notes; a row without a project name is an error line', () => {
    const read = readRegistry([gridFromRows('S', [
      HEAD,
      [1, 2, 3, 4, 5, 6, 7, 8, 9],
      ['一、部门预算项目'],
      [1, '105-教育局', '', '项目甲', 10, '', '', '', ''],
      [],
      [2, '105-教育局', '105001-一中', '', 20, '', '', '', ''],
      ['合计', '', '', '', 30, '', '', '', ''],
      ['注：1.项目类别：部门预算项目、专项资金项目。'],
      ['2.财政资金来源：一般公共预算。'],
    ])])
    expect(read.rows.map((r) => r.fields.projectName)).toEqual(['项目甲'])
    expect(read.problems.map((p) => [p.code, p.severity, p.cell ?? ''])).toEqual([
      ['group_row', 'info', 'A3'],
      ['no_project_name', 'error', 'D6'],
      ['total_row', 'info', 'A7'],
      ['notes_skipped', 'info', ''],
    ])
  })

  it('gives the projects under a department row that department when their 主管部门 is blank', () => {
    const read = readRegistry([gridFromRows('S', [
      HEAD,
      ['', '126-文广旅体局（部门）', '', '', '', '', '', '', ''],
      [1, '', '126001-文化馆', '非遗展演', 35, '', '', '', ''],
    ])])
    expect(read.rows[0]!.fields.competentDept).toEqual({ code: '126', name: '文广旅体局' })
  })

  it('says which columns it did not find', () => {
    const read = readRegistry([gridFromRows('S', [['序号', '项目名称', '类', '款', '项'], [1, '项目甲', '205', '02', '']])])
    expect(read.rows).toHaveLength(1)
    expect(read.problems).toEqual([expect.objectContaining({ code: 'column_missing', severity: 'warning', message: expect.stringContaining('“主管部门”、“预算单位”、“申请预算金额”') })])
  })

  it('says when no sheet holds a registry', () => {
    const read = readRegistry([gridFromRows('名单', [['姓名', '电话'], ['张三', '138']]), gridFromRows('空', [])])
    expect(read.found).toBe(false)
    expect(read.sheets).toEqual([
      { name: '名单', projects: 0, skipped: expect.stringContaining('没有找到项目统计表的表头') },
      { name: '空', projects: 0, skipped: '空白工作表' },
    ])
  })
})

describe('the fixtures through the workbook reader', () => {
  it('registry-basic: one heading row, code-name variants, contacts, codes, prose, notes merged across', async () => {
    const read = await readFixture('registry-basic.xlsx')
    expect(read.rows.map((r) => r.row)).toEqual([5, 6, 8, 9, 10, 11])
    expect(read.rows.map((r) => r.fields.unit)).toEqual([
      { code: '105', name: '南江市教育局' }, { code: '105', name: '南江市教育局' }, { code: '118', name: '' },
      { code: '126001', name: '南江市文化馆' }, { name: '南江市园林绿化服务中心' }, { code: '103001', name: '南江市政务服务数据管理局' },
    ])
    expect(read.rows[2]!.fields.competentDept).toEqual({ code: '118', name: '南江市卫生健康局' })
    expect(read.rows[3]!.fields.competentDept).toEqual({ name: '南江市文化广电旅游体育局' })
    expect(read.rows[3]!.fields.functionalClass).toEqual({ code: '2070108', name: '文化活动', levels: { class: '207', section: '20701', item: '2070108' } })
    expect(read.rows[2]!.fields.contacts).toEqual([{ role: '项目负责人', name: '赵强', phone: '13900000002' }, { role: '财务人员', name: '钱七', phone: '13900000003' }])
    expect(read.problems.map((p) => p.code)).toEqual(['amount_text', 'notes_skipped'])
  })

  it('registry-merged-heading: 功能分类科目 over 类/款/项, merged cells down, names and short codes', async () => {
    const read = await readFixture('registry-merged-heading.xlsx')
    expect(read.rows.map((r) => r.fields.projectName)).toEqual(['城乡临时救助', '城乡最低生活保障', '退役军人帮扶援助', '烈士纪念设施维护', '群众文化活动', '文化行政运行保障'])
    // 主管部门 merged over two projects: both have it
    expect(read.rows[1]!.fields.competentDept).toEqual({ code: '120', name: '南江市民政事务局' })
    expect(read.rows.map((r) => r.fields.functionalClass?.code)).toEqual(['20820', '20819', '20828', '20828', '2070109', '2070101'])
    expect(read.rows[0]!.cells).toMatchObject({ fcClass: 'H5', fcSection: 'I5', fcItem: 'J5', amount: 'G5' })
    expect(read.problems.map((p) => p.code)).toEqual(['no_project_name', 'total_row', 'notes_skipped'])
  })

  it('registry-combined-class: one 功能分类科目 column, 元 converted exactly, group rows, a formula error', async () => {
    const read = await readFixture('registry-combined-class.xlsx')
    expect(read.rows.map((r) => [r.fields.projectName, r.fields.requestedAmount, r.fields.functionalClass?.code])).toEqual([
      ['非遗展演', 35, '2070108'], ['文化馆免费开放', 12.50005, '2070109'], ['高标准农田建设', null, '2130505'], ['农村人居环境整治', 200, '2130504'],
    ])
    expect(read.rows[0]!.fields.competentDept).toEqual({ code: '126', name: '南江市文化广电旅游体育局' })
    expect(read.rows[2]!.fields.fundingType).toBe('债券资金项目')
    expect(read.workbookProblems.map((p) => [p.cell, p.code])).toEqual([['F6', 'formula_error']])
    expect(read.problems.filter((p) => p.severity !== 'info').map((p) => [p.cell, p.code])).toEqual([['F6', 'formula_error'], ['I7', 'funding_type_unknown']])
  })
})

describe('natural key', () => {
  it('is the unit (code, else name; else the department) and the project name, normalised', () => {
    const a = registryNaturalKey({ unit: { code: '105', name: '教育局' }, competentDept: null, projectName: '课后 服务' })
    expect(a).toBe(registryNaturalKey({ unit: { code: '105', name: '另一个名字' }, competentDept: null, projectName: '课后服务' }))
    expect(registryNaturalKey({ unit: { name: '教育局（部门）' }, competentDept: null, projectName: 'ＡＢ' })).toBe(registryNaturalKey({ unit: { name: '教育局' }, competentDept: null, projectName: 'ab' }))
    expect(registryNaturalKey({ unit: null, competentDept: { code: '105', name: '' }, projectName: '甲' })).toBe('c:105|甲')
    expect(a).not.toBe(registryNaturalKey({ unit: { code: '106', name: '教育局' }, competentDept: null, projectName: '课后服务' }))
  })
})
