// The header readers and the sheet recogniser on hand-built grids (gridFromRows + merges): every header
// variant of tables.md §1–§6 read by its labels, each normalisation reported with its cell and field,
// and whatever has no place kept in `unplaced` — never dropped.
import { describe, expect, it } from 'vitest'
import { gridFromRows, type SheetGrid } from '../../server/import/grid.ts'
import { ReportBuilder } from '../../server/import/report.ts'
import { FormReader } from '../../server/import/form-reader.ts'
import { readProjectForm } from '../../server/import/project-form.ts'
import { readDepartmentForm } from '../../server/import/department-form.ts'
import { recogniseSheet } from '../../server/import/recognise.ts'
import { importSheets } from '../../server/import/index.ts'
import type { MoneyUnit } from '../../server/import/form-labels.ts'
import { MAX_IMPORT_TABLES } from '../../shared/api/imports.ts'

type Row = (string | number | null)[]

/** A grid with merged ranges (`A5:A7`): covered cells point at the top-left and hold nothing. */
function sheet(rows: Row[], merges: string[] = [], name = '表1'): SheetGrid {
  const g = gridFromRows(name, rows)
  for (const m of merges) {
    const [a, b] = m.split(':') as [string, string]
    const [r0, c0] = pos(a)
    const [r1, c1] = pos(b)
    g.merges.push({ startRow: r0, endRow: r1, startColumn: c0, endColumn: c1 })
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        if (r === r0 && c === c0) continue
        const cell = g.rows[r]![c]!
        if (cell.text) throw new Error(`covered cell ${cell.ref} has text`)
        cell.master = { row: r0, col: c0 }
      }
    }
  }
  return g
}

function pos(a1: string): [number, number] {
  const m = /^([A-Z]+)(\d+)$/.exec(a1)!
  let col = 0
  for (const ch of m[1]!) col = col * 26 + ch.charCodeAt(0) - 64
  return [Number(m[2]) - 1, col - 1]
}

function read(g: SheetGrid, unit: MoneyUnit = '万元', rows = g.rows.map((_, i) => i)) {
  const report = new ReportBuilder(g.name)
  const reader = new FormReader(g, report, unit)
  const form = readProjectForm(reader, rows)
  reader.unplaceRest(rows)
  return { form, report }
}

function readDept(g: SheetGrid, unit: MoneyUnit = '万元', rows = g.rows.map((_, i) => i)) {
  const report = new ReportBuilder(g.name)
  const reader = new FormReader(g, report, unit)
  const form = readDepartmentForm(reader, rows)
  reader.unplaceRest(rows)
  return { form, report }
}

const norm = (report: ReportBuilder, field: string) => report.normalisations.filter((n) => n.field === field)

describe('mof2015-project header (tables.md §1): 中期 and 年度 side by side', () => {
  const g = sheet([
    ['项目名称', '南江市义务教育学校课后服务经费补助', '', '', '', '', '', ''],
    ['主管部门及代码', '105 南江市教育局', '', '', '实施单位', '***-南江市实验小学', '', ''],
    ['项目属性', '延续', '', '', '项目期', '2024年—2026年', '', ''],
    ['项目资金（万元）', '中期资金总额', 3780, '', '年度资金总额', 1260, '', ''],
    ['', '其中：财政拨款', '3,780.00', '', '其中：财政拨款', '1260万元', '', ''],
    ['', '其他资金', 0, '', '其他资金', '', '', ''],
    ['总体目标', '中期目标（2024年—2026年）', '', '', '年度目标', '', '', ''],
    ['', '目标1：三年覆盖全市。', '', '', '目标1：覆盖学生不少于21000人。', '', '', ''],
  ], ['B1:H1', 'B2:D2', 'F2:H2', 'B3:D3', 'F3:H3', 'A4:A6', 'C4:D4', 'F4:H4', 'C5:D5', 'F5:H5', 'C6:D6', 'F6:H6', 'A7:A8', 'B7:D7', 'E7:H7', 'B8:D8', 'E8:H8'])
  const { form, report } = read(g)

  it('reads every header field by its label', () => {
    expect(form.header).toEqual({
      projectName: '南江市义务教育学校课后服务经费补助',
      competentDept: { code: '105', name: '南江市教育局' },
      implementingUnit: { code: '***', name: '南江市实验小学' },
      projectAttribute: '延续',
      projectPeriod: { start: '2024', end: '2026', years: 3 },
    })
    expect(form.funds).toEqual({ midTerm: { total: 3780, fiscal: 3780, other: 0 }, annual: { total: 1260, fiscal: 1260, other: null } })
    expect(form.midTermGoal).toBe('目标1：三年覆盖全市。')
    expect(form.annualGoal).toBe('目标1：覆盖学生不少于21000人。')
    expect(report.unplaced).toEqual([])
  })

  it('reports each normalisation with its cell and field path', () => {
    expect(norm(report, 'header.competentDept')).toEqual([{ cell: 'B2', field: 'header.competentDept', from: '105 南江市教育局', to: { code: '105', name: '南江市教育局' }, note: '拆分为代码与名称' }])
    expect(norm(report, 'header.implementingUnit')[0]).toMatchObject({ cell: 'F2', to: { code: '***', name: '南江市实验小学' } })
    expect(norm(report, 'header.projectPeriod')[0]).toMatchObject({ cell: 'F3', from: '2024年—2026年', to: { start: '2024', end: '2026', years: 3 } })
    expect(norm(report, 'funds.midTerm.fiscal')[0]).toMatchObject({ cell: 'C5', from: '3,780.00', to: 3780 })
    expect(norm(report, 'funds.annual.fiscal')[0]).toMatchObject({ cell: 'F5', from: '1260万元', to: 1260 })
  })
})

describe('local-simple header (tables.md §5) and its variants', () => {
  it('项目负责人及电话 in two cells, 资金情况（元）, 年度目标 over its text, 财政部门审核意见 and signatures', () => {
    const g = sheet([
      ['项目名称', '安平镇茶叶初制加工车间', '', '项目负责人及电话', '张三', '13800138000'],
      ['主管部门', '121-南江市农业农村局', '', '实施单位', '南江市安平镇人民政府', ''],
      ['资金情况（元）', '年度资金总额', '1,800,000', '', '', ''],
      ['', '其中：财政拨款', 1500000, '', '', ''],
      ['', '其他资金', '854万（其中上级补助300万）', '', '', ''],
      ['总体目标', '年度目标', '', '', '', ''],
      ['', '建成加工车间一座。', '', '', '', ''],
      ['财政部门审核意见', '同意', '', '', '', ''],
      ['填报人', '王小明', '', '联系电话', '13800138000', ''],
      ['单位负责人', '李主任', '', '填报日期', '2024-01-05', ''],
    ], ['B1:C1', 'B2:C2', 'E2:F2', 'A3:A5', 'C3:F3', 'C4:F4', 'C5:F5', 'A6:A7', 'B6:F6', 'B7:F7', 'B8:F8', 'B9:C9', 'E9:F9', 'B10:C10', 'E10:F10'])
    const { form, report } = read(g, '元')
    expect(form.header).toEqual({
      projectName: '安平镇茶叶初制加工车间', projectLeader: '张三', phone: '13800138000',
      competentDept: { code: '121', name: '南江市农业农村局' }, implementingUnit: { name: '南江市安平镇人民政府' },
      reviewOpinion: '同意', preparer: '王小明', unitLeader: '李主任', fillDate: '2024-01-05',
    })
    // prose kept as typed and reported; 1,800,000 a number in a 元 table
    expect(form.funds.annual).toEqual({ total: 1800000, fiscal: 1500000, other: '854万（其中上级补助300万）' })
    expect(norm(report, 'funds.annual.other')).toEqual([{ cell: 'C5', field: 'funds.annual.other', from: '854万（其中上级补助300万）', to: '854万（其中上级补助300万）', note: '金额含文字，按原文保留（审核规则 R-FUND-FORMAT 将提示）' }])
    expect(norm(report, 'funds.annual.total')[0]).toMatchObject({ cell: 'C3', from: '1,800,000', to: 1800000, note: '金额文字转为数字（元）' })
    expect(form.funds.midTerm).toBeNull()
    expect(form.midTermGoal).toBeUndefined()
    expect(form.annualGoal).toBe('建成加工车间一座。')
    // the second 联系电话 is the same number: nothing left over
    expect(report.unplaced).toEqual([])
  })

  it('上级资金 + 本级资金 make 财政拨款 (reported), the split kept in unplaced', () => {
    const g = sheet([
      ['项目名称', '送戏下乡'],
      ['资金情况（万元）', '年度资金总额', 60],
      ['', '其中：上级资金', 40],
      ['', '本级资金', 15.5],
      ['', '其他资金', 4.5],
    ], ['A2:A5'])
    const { form, report } = read(g)
    expect(form.funds.annual).toEqual({ total: 60, fiscal: 55.5, other: 4.5 })
    expect(norm(report, 'funds.annual.fiscal')).toEqual([{ cell: 'C3,C4', field: 'funds.annual.fiscal', from: '40 + 15.5', to: 55.5, note: '上级资金与本级资金合计为财政拨款' }])
    expect(report.unplaced.map((u) => [u.cell, u.text])).toEqual([['C3', '40'], ['C4', '15.5']])
  })

  it('one cell for 项目负责人及电话, inline label：value cells, 项目类别 as fundingType or projectCategory, 功能分类 code', () => {
    const g = sheet([
      ['项目名称：智能审批系统', '', '项目负责人及电话', '赵六 0471-5212345'],
      ['项目类别', '专项资金项目', '项目类型', '特定目标类'],
      ['功能分类', '2010399', '资金来源', '一般公共预算'],
      ['年度资金总额：260', '', '', ''],
    ])
    const { form, report } = read(g)
    expect(form.header).toMatchObject({
      projectName: '智能审批系统', projectLeader: '赵六', phone: '0471-5212345', fundingType: '专项资金项目',
      projectCategory: '特定目标类', functionalClass: { code: '2010399', name: '' }, fundSource: '一般公共预算',
    })
    expect(form.funds.annual.total).toBe(260)
    expect(norm(report, 'header.projectName')[0]).toMatchObject({ cell: 'A1', from: '项目名称：智能审批系统', to: '智能审批系统' })
    expect(norm(report, 'header.projectLeader')[0]).toMatchObject({ cell: 'D1', to: { projectLeader: '赵六', phone: '0471-5212345' } })
    expect(norm(report, 'header.fundingType')[0]).toMatchObject({ cell: 'B2' })
    expect(report.unplaced).toEqual([])
  })

  it('项目实施进度计划 and multi-party review rows are kept in unplaced with their reason', () => {
    const g = sheet([
      ['项目名称', '道路养护', '', ''],
      ['项目实施进度计划', '内容', '开始时间', '完成时间'],
      ['', '招标', '2024-03', '2024-04'],
      ['业务股室初审', '同意', '', ''],
      ['财政部门审核意见', '通过', '', ''],
      ['注：本表一式三份。', '', '', ''],
    ], ['A2:A3'])
    const { form, report } = read(g)
    expect(form.header.reviewOpinion).toBe('通过')
    const byReason = (re: RegExp) => report.unplaced.filter((u) => re.test(u.reason)).map((u) => u.text)
    expect(byReason(/项目实施进度计划/)).toEqual(['项目实施进度计划', '内容', '开始时间', '完成时间', '招标', '2024-03', '2024-04'])
    expect(byReason(/多方审核意见/)).toEqual(['业务股室初审', '同意'])
    expect(byReason(/未能识别/)).toEqual(['注：本表一式三份。'])
  })

  it('a value different from one read before is kept, not overwritten', () => {
    const g = sheet([
      ['项目名称', 'A 项目'],
      ['项目名称', 'B 项目'],
    ])
    const { form, report } = read(g)
    expect(form.header.projectName).toBe('A 项目')
    expect(report.unplaced).toEqual([{ cell: 'B2', text: 'B 项目', reason: expect.stringContaining('B1') }])
  })
})

describe('mof2021-core header (tables.md §3): label | value pairs, 年度资金总额（万元）', () => {
  it('reads pairs on one row and the 其中 lines without a 中期 half', () => {
    const g = sheet([
      ['项目名称', '绿化养护', '', '', '', '主管部门及代码', '', '135 南江市城市管理局', '', ''],
      ['实施单位', '园林绿化服务中心', '', '', '', '项目属性', '', '延续', '', ''],
      ['项目期', '2024-01至2024-12（1年）', '', '', '', '年度资金总额（万元）', '', 1350, '', ''],
      ['其中：财政拨款', 1350, '', '', '', '其他资金', '', 0, '', ''],
      ['年度目标', '完成中心城区道路绿化养护。', '', '', '', '', '', '', '', ''],
    ], ['B1:E1', 'F1:G1', 'H1:J1', 'B2:E2', 'F2:G2', 'H2:J2', 'B3:E3', 'F3:G3', 'H3:J3', 'B4:E4', 'F4:G4', 'H4:J4', 'B5:J5'])
    const { form, report } = read(g)
    expect(form.header).toEqual({
      projectName: '绿化养护', competentDept: { code: '135', name: '南江市城市管理局' }, implementingUnit: { name: '园林绿化服务中心' },
      projectAttribute: '延续', projectPeriod: { start: '2024-01', end: '2024-12', years: 1 },
    })
    expect(form.funds).toEqual({ midTerm: null, annual: { total: 1350, fiscal: 1350, other: 0 } })
    expect(form.annualGoal).toBe('完成中心城区道路绿化养护。')
    expect(report.unplaced).toEqual([])
  })
})

describe('department forms (tables.md §2, §2a)', () => {
  it('mof2015-dept: name, tasks with 金额合计, 年度总体目标', () => {
    const g = sheet([
      ['部门（单位）名称', '152-中国民主促进会南江市委员会', '', '', '', ''],
      ['年度主要任务', '任务名称', '主要内容', '预算金额（万元）', '', ''],
      ['', '', '', '总额', '财政拨款', '其他资金'],
      ['', '机关运转保障', '保障机关运转', 286.4, 286.4, 0],
      ['', '', '', '', '', ''],
      ['', '参政议政', '开展调研', '38', '38', ''],
      ['', '金额合计', '', 324.4, 324.4, 0],
      ['年度总体目标', '目标1：运转正常。', '', '', '', ''],
    ], ['B1:F1', 'A2:A7', 'B2:B3', 'C2:C3', 'D2:F2', 'B7:C7', 'B8:F8'])
    const { form, report } = readDept(g)
    expect(form.header).toEqual({ deptName: '中国民主促进会南江市委员会', deptCode: '152' })
    expect(form.tasks).toEqual([
      { name: '机关运转保障', content: '保障机关运转', total: 286.4, fiscal: 286.4, other: 0 },
      { name: '参政议政', content: '开展调研', total: 38, fiscal: 38, other: null },
    ])
    expect(form.taskTotals).toEqual({ total: 324.4, fiscal: 324.4, other: 0 })
    expect(form.annualGoal).toBe('目标1：运转正常。')
    expect(norm(report, 'tasks[1].total')[0]).toMatchObject({ cell: 'D6', from: '38', to: 38 })
    expect(norm(report, 'header.deptName')[0]).toMatchObject({ cell: 'B1', to: { code: '152', name: '中国民主促进会南江市委员会' } })
    expect(report.unplaced).toEqual([])
  })

  it('local-dept-funds: 填报人/联系电话 beside the name, 部门总体资金情况 kept (合计 → deptBudgetTotal), 部门职能概述', () => {
    const g = sheet([
      ['部门（单位）名称', '南江县文化和旅游局', '填报人', '王五', '联系电话', '0817-1234567'],
      ['部门总体资金情况（单位：万元）', '', '', '当年金额', '占比', '2023年'],
      ['', '收入构成', '财政拨款', 900, '90%', 850],
      ['', '', '其他资金', 100, '10%', 90],
      ['', '', '合计', 1000, '100%', 940],
      ['', '支出构成', '基本支出', 600, '60%', 580],
      ['', '', '项目支出', 400, '40%', 360],
      ['', '', '合计', 1000, '100%', 940],
      ['部门职能概述', '负责全县文化和旅游工作。', '', '', '', ''],
      ['年度主要任务', '任务名称', '主要内容', '总额', '财政拨款', '其他资金'],
      ['', '公共文化服务', '送戏下乡', 120, 120, 0],
      ['年度绩效目标', '全面完成年度任务。', '', '', '', ''],
    ], ['A2:C2', 'A3:A8', 'B3:B5', 'B6:B8', 'B9:F9', 'A10:A11', 'B12:F12'])
    const { form, report } = readDept(g)
    expect(form.header).toEqual({ deptName: '南江县文化和旅游局', preparer: '王五', phone: '0817-1234567', deptFunctions: '负责全县文化和旅游工作。', deptBudgetTotal: 1000 })
    expect(form.tasks).toEqual([{ name: '公共文化服务', content: '送戏下乡', total: 120, fiscal: 120, other: 0 }])
    expect(form.taskTotals).toEqual({ total: null, fiscal: null, other: null })
    expect(form.annualGoal).toBe('全面完成年度任务。')
    expect(form.seen.has('deptFundsBlock')).toBe(true)
    expect(norm(report, 'header.deptBudgetTotal')[0]).toMatchObject({ cell: 'D5', to: 1000 })
    const kept = report.unplaced.filter((u) => u.reason.startsWith('部门总体资金情况'))
    expect(kept.map((u) => u.text)).toContain('部门总体资金情况（单位：万元）')
    expect(kept.map((u) => u.text)).toContain('90%')
    expect(kept.map((u) => u.cell)).toContain('D8') // the second 合计 is kept too
    expect(kept.map((u) => u.cell)).not.toContain('D5') // the one placed
    expect(report.unplaced.filter((u) => !u.reason.startsWith('部门总体资金情况'))).toEqual([])
  })

  it('部门总体资金情况 whose 合计 disagree: no deptBudgetTotal, a warning', () => {
    const g2 = sheet([
      ['部门名称', '某局', '', ''],
      ['部门总体资金情况', '', '', '当年金额'],
      ['', '收入构成', '合计', 1000],
      ['', '支出构成', '合计', 990],
    ])
    const r2 = readDept(g2)
    expect(r2.report.unplaced.map((u) => u.text)).toEqual(expect.arrayContaining(['1000', '990']))
    expect(r2.form.header.deptBudgetTotal).toBeUndefined()
    expect(r2.report.problems).toEqual([expect.objectContaining({ code: 'dept_total_unclear', severity: 'warning' })])
  })
})

describe('recognising the tables of a sheet', () => {
  const grid8 = (title: string) => sheet([
    [title, '', '', '', '', ''],
    ['（2025年度）', '', '', '', '', ''],
    ['填报单位（盖章）：', '', '', '', '金额单位：元', ''],
    ['项目名称', '甲项目', '', '', '', ''],
    ['资金情况（元）', '年度资金总额', 100, '', '', ''],
    ['绩效指标', '一级指标', '二级指标', '三级指标', '指标值', '备注'],
    ['', '产出指标', '数量指标', '培训人次', '≥95%', ''],
    ['注：金额以元计。', '', '', '', '', ''],
  ])

  it('title, year, 金额单位, template and layout; a note under the table kept', () => {
    const found = recogniseSheet(grid8('绩效目标申报表'))
    expect(found.kind).toBe('forms')
    if (found.kind !== 'forms') return
    expect(found.tables).toHaveLength(1)
    const t = found.tables[0]!
    expect(t).toMatchObject({ kind: 'project', template: 'local-simple', title: '绩效目标申报表', formRow: 3, startRow: 0, endRow: 7, range: 'A1:F8' })
    expect(t.year).toMatchObject({ year: 2025, ref: 'A2' })
    expect(t.moneyUnit).toMatchObject({ unit: '元', ref: 'E3' })
    expect(t.layout).toContain('县市级')
    expect(t.closest).toBeUndefined()
  })

  it('an 审批表 is read in the closest template and says so', () => {
    const found = recogniseSheet(grid8('2023年道路改造项目支出绩效目标审批表'))
    if (found.kind !== 'forms') throw new Error('no form')
    expect(found.tables[0]).toMatchObject({ template: 'mof2021-core', layout: '项目支出绩效目标审批表（地方表样）' })
    expect(found.tables[0]!.closest).toContain('最接近')
  })

  it('two forms stacked in one sheet; a sheet with nothing; a sheet with text but no table', () => {
    const one = grid8('绩效目标申报表').rows.map((r) => r.map((c) => c.value as string | number | null))
    const two = sheet([...one, [null], ...one.map((r) => r.map((v) => (v === '甲项目' ? '乙项目' : v)))])
    const found = recogniseSheet(two)
    if (found.kind !== 'forms') throw new Error('no form')
    expect(found.tables.map((t) => [t.startRow, t.endRow, t.formRow])).toEqual([[0, 7, 3], [9, 16, 12]])
    expect(recogniseSheet(gridFromRows('空', []))).toEqual({ kind: 'none', reason: '空工作表' })
    expect(recogniseSheet(gridFromRows('说明', [['本文件为填表说明'], ['请按要求填写']])).kind).toBe('none')
  })

  it('importSheets: one table per form, a no_table problem for the empty sheet, the year in the title vs the year chosen', () => {
    const { tables, report } = importSheets([grid8('绩效目标申报表'), gridFromRows('说明', [['本文件为填表说明']])], { fileName: 'a.xlsx', year: 2024 })
    expect(tables).toHaveLength(1)
    const c = tables[0]!.content
    expect(c).toMatchObject({ kind: 'project', template: 'local-simple', year: 2024, moneyUnit: '元', header: { projectName: '甲项目' } })
    expect(c.kind === 'project' && c.funds.annual.total).toBe(100)
    expect(c.indicators).toEqual([expect.objectContaining({ level1: '产出指标', level2: '数量指标', level3: '培训人次', comparator: '≥', target: '95', unit: '%' })])
    expect(c.unplaced).toEqual([expect.objectContaining({ cell: 'A8', text: '注：金额以元计。', sheet: '表1' })])
    expect(report.sheets).toEqual([{ name: '表1', tables: 1 }, { name: '说明', tables: 0, skipped: expect.any(String) }])
    expect(report.problems).toEqual(expect.arrayContaining([
      expect.objectContaining({ code: 'no_table', sheet: '说明', severity: 'warning' }),
      expect.objectContaining({ code: 'year_mismatch', sheet: '表1', cell: 'A2' }),
    ]))
    const entry = report.tables[0]!
    expect(entry).toMatchObject({ sheet: '表1', range: 'A1:F8', title: '甲项目', kind: 'project', template: 'local-simple', rows: { indicators: 1, tasks: 0 } })
    expect(entry.normalisations).toEqual(expect.arrayContaining([
      expect.objectContaining({ cell: 'E3', field: 'moneyUnit', to: '元' }),
      expect.objectContaining({ cell: 'E7', field: 'indicators[0].target', from: '≥95%', to: { comparator: '≥', target: '95', unit: '%' } }),
    ]))
    expect(entry.findings.errors).toBeGreaterThan(0) // blank 主管部门, 实施单位 … are reported by the rules, not refused
  })

  it(`more than MAX_IMPORT_TABLES (${MAX_IMPORT_TABLES}) tables is refused with a clear message`, () => {
    const form = (i: number) => gridFromRows(`表${i}`, [['项目名称', `项目${i}`], ['一级指标', '二级指标', '三级指标', '指标值'], ['产出指标', '数量指标', '培训人次', '≥10人']])
    const ok = importSheets([form(1), form(2)], { fileName: 'c.xlsx', year: 2024 })
    expect(ok.tables.map((t) => t.title)).toEqual(['项目1', '项目2'])
    const many = Array.from({ length: MAX_IMPORT_TABLES + 1 }, (_, i) => form(i))
    expect(() => importSheets(many, { fileName: 'c.xlsx', year: 2024 })).toThrow(`超过单次导入上限 ${MAX_IMPORT_TABLES} 张`)
  })

  it('a header without an indicator grid is still a table (its blanks judged), with a warning', () => {
    const { tables, report } = importSheets([gridFromRows('表头', [['项目名称', '只有表头的项目'], ['年度资金总额', 12]])], { fileName: 'd.xlsx', year: 2024 })
    expect(tables[0]!.content).toMatchObject({ header: { projectName: '只有表头的项目' }, funds: { annual: { total: 12 } }, indicators: [] })
    expect(report.problems.map((p) => p.code)).toEqual(['closest_template', 'money_unit_default', 'no_indicator_grid'])
    expect(report.problems[2]).toMatchObject({ severity: 'warning', cell: 'A1', message: expect.stringContaining('只读入了表头') })
  })

  it('a form past the model limits is refused naming the limit, never half stored', () => {
    const rows: Row[] = [['项目名称', '大表'], ['一级指标', '二级指标', '三级指标', '指标值']]
    for (let i = 0; i < 1001; i++) rows.push(['产出指标', '数量指标', `指标${i}`, '≥1人'])
    expect(() => importSheets([sheet(rows)], { fileName: 'e.xlsx', year: 2024 })).toThrow(/表格无法导入：“大表”.*超过上限 1000 行/)
  })

  it('a workbook without any table is refused with a Chinese message', () => {
    expect(() => importSheets([gridFromRows('空', [])], { fileName: 'b.xlsx', year: 2024 })).toThrow(/没有找到可以导入的绩效目标表/)
  })
})
