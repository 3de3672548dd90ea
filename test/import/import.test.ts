// importWorkbook on the hand-made whole-form fixtures (test/fixtures/import/form-*.xlsx, built by
// build-form-fixtures.ts): each layout variant of tables.md §1–§6 imports with the expected header,
// tasks and indicator rows, and a report that names each normalisation (cell, field, what was typed,
// what is stored), keeps what has no place in `unplaced`, and lists the problems.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { ImportTableReport } from '../../shared/api/imports.ts'
import type { IndicatorRow, TargetTable } from '../../shared/model/index.ts'
import { importWorkbook, type ImportResult } from '../../server/import/index.ts'
import { validateTable } from '../../shared/rules/index.ts'

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/import')

function load(file: string, year = 2024): Promise<ImportResult> {
  return importWorkbook(new Uint8Array(fs.readFileSync(path.join(fixtures, file))), { fileName: file, year })
}

/** period? 一级|二级|三级|comparator target unit — one line per row */
const line = (r: IndicatorRow) => `${r.period === 'midTerm' ? '中期 ' : ''}${r.level1}|${r.level2}|${r.level3}|${r.comparator} ${r.target} ${r.unit}`.trimEnd()
/** the header-side normalisations: [cell, field, from, to] */
const headerNorms = (e: ImportTableReport) => e.normalisations.filter((n) => !n.field.startsWith('indicators')).map((n) => [n.cell, n.field, n.from, n.to])
const unplaced = (c: TargetTable) => (c.unplaced ?? []).map((u) => [u.cell, u.text])
const codes = (r: ImportResult) => r.report.problems.map((p) => `${p.sheet}:${p.code}`)

describe('official mof2015-project form (中期 + 年度)', () => {
  it('reads the header, both fund columns and goals, both halves, the signature rows; the note below is kept', async () => {
    const r = await load('form-mof2015-project.xlsx')
    expect(r.tables).toHaveLength(1)
    const t = r.tables[0]!
    expect(t).toMatchObject({ sheet: '项目申报表', range: 'A1:H23', title: '南江市义务教育学校课后服务经费补助' })
    const c = t.content
    if (c.kind !== 'project') throw new Error('kind')
    expect(c).toMatchObject({ template: 'mof2015-project', framework: 'mof2015', year: 2024, moneyUnit: '万元' })
    expect(c.header).toEqual({
      projectName: '南江市义务教育学校课后服务经费补助',
      competentDept: { code: '105', name: '南江市教育局' },
      implementingUnit: { name: '南江市教育局（市属及区属义务教育学校）' },
      projectAttribute: '延续',
      projectPeriod: { start: '2024-01', end: '2026-12', years: 3 },
      reviewOpinion: '同意申报', preparer: '王小明', phone: '13800138000', unitLeader: '李主任', fillDate: '2024年1月5日',
    })
    expect(c.funds).toEqual({ midTerm: { total: 3780, fiscal: 3780, other: 0 }, annual: { total: 1260, fiscal: 1260, other: 0 } })
    expect(c.midTermGoal).toBe('目标1：三年内每学年为约21000名学生提供课后服务。')
    expect(c.annualGoal).toBe('目标1：2024年覆盖学生不少于21000人。')
    expect(c.indicators.map(line)).toEqual([
      '中期 产出指标|数量指标|参加课后服务学生人数|≥ 21000 人',
      '中期 产出指标|质量指标|课后服务学校覆盖率|= 100 %',
      '中期 产出指标|时效指标|补助资金拨付时间| 每年10月底前',
      '中期 产出指标|成本指标|生均补助标准|≤ 600 元/人·年',
      '中期 效益指标|社会效益指标|参加学生占在校生比例|≥ 80 %',
      '中期 满意度指标|服务对象满意度指标|学生家长满意度|≥ 90 %',
      '产出指标|数量指标|参加课后服务学生人数|≥ 21000 人',
      '产出指标|数量指标|安排课后服务补助资金|= 1260 万元',
      '产出指标|质量指标|课后服务学校覆盖率|= 100 %',
      '产出指标|时效指标|补助资金拨付时间|≤ 2024-10-31 日期',
      '产出指标|成本指标|生均补助标准|≤ 600 元/人·年',
      '效益指标|社会效益指标|参加学生占在校生比例|≥ 78 %',
      '满意度指标|服务对象满意度指标|学生家长满意度|≥ 90 %',
    ])
    expect(unplaced(c)).toEqual([['A23', '注：1. 本表一式两份；2. 指标值须填写数值与单位。']])
    const e = r.report.tables[0]!
    expect(e).toMatchObject({ layout: '项目支出绩效目标申报表（中期+年度）', rows: { indicators: 13, tasks: 0 } })
    expect(headerNorms(e)).toEqual([
      ['G3', 'moneyUnit', '金额单位：万元', '万元'],
      ['B5', 'header.competentDept', '105-南江市教育局', { code: '105', name: '南江市教育局' }],
      ['F6', 'header.projectPeriod', '2024年1月至2026年12月（3年）', { start: '2024-01', end: '2026-12', years: 3 }],
    ])
    // the indicator values split, each named with its cell
    expect(e.normalisations).toEqual(expect.arrayContaining([
      expect.objectContaining({ cell: 'D14', field: 'indicators[0].level3', from: '指标1：参加课后服务学生人数', to: '参加课后服务学生人数' }),
      expect.objectContaining({ cell: 'H14', field: 'indicators[6].target', from: '不少于21000人', to: { comparator: '≥', target: '21000', unit: '人' } }),
      expect.objectContaining({ cell: 'H17', field: 'indicators[9].target', from: '2024年10月底前', to: { comparator: '≤', target: '2024-10-31', unit: '日期' } }),
    ]))
    expect(e.unplaced).toEqual([expect.objectContaining({ cell: 'A23', reason: '表格上方或下方的说明文字，原文保留' })])
    expect(e.findings.errors + e.findings.warnings + e.findings.infos).toBeGreaterThan(0)
    expect(r.report.problems).toEqual([])
  })
})

describe('department forms', () => {
  it('mof2015-dept: code-name 部门名称, tasks under a two-row heading, a blank task row, 金额合计', async () => {
    const r = await load('form-mof2015-dept.xlsx')
    const c = r.tables[0]!.content
    if (c.kind !== 'department') throw new Error('kind')
    expect(c).toMatchObject({ template: 'mof2015-dept', moneyUnit: '万元', header: { deptName: '中国民主促进会南江市委员会', deptCode: '152' } })
    expect(c.tasks.map(({ id: _, ...t }) => t)).toEqual([
      { name: '机关运转保障', content: '保障机关在编人员工资福利和日常办公运转', total: 286.4, fiscal: 286.4, other: 0 },
      { name: '参政议政', content: '开展重点调研课题、撰写集体提案', total: 38, fiscal: 38, other: 0 },
      { name: '社会服务', content: '组织教育、医疗界成员开展送教送医下乡', total: 20.5, fiscal: 15.5, other: 5 },
    ])
    expect(c.taskTotals).toEqual({ total: 344.9, fiscal: 339.9, other: 5 })
    expect(c.annualGoal).toBe('目标1：保障机关正常运转；目标2：提交集体提案不少于12件。')
    expect(c.indicators.map(line)).toEqual([
      '产出指标|数量指标|提交集体提案数量|≥ 12 件',
      '产出指标|质量指标|集体提案立案率|≥ 90 %',
      '效益指标|社会效益指标|参政议政水平|定性 进一步提升',
      '满意度指标|服务对象满意度指标|成员满意度|≥ 90 %',
    ])
    const e = r.report.tables[0]!
    expect(e).toMatchObject({ kind: 'department', layout: '部门（单位）整体支出绩效目标申报表', rows: { indicators: 4, tasks: 3 }, unplaced: [] })
    expect(headerNorms(e)).toEqual([
      ['D4', 'moneyUnit', '预算金额（万元）', '万元'],
      ['D9', 'tasks[2].total', '20.5', 20.5],
      ['B3', 'header.deptName', '152-中国民主促进会南江市委员会', { code: '152', name: '中国民主促进会南江市委员会' }],
    ])
  })

  it('local-dept-funds: 填报人/联系电话 beside the name, 部门总体资金情况 kept in unplaced with its 合计 as the budget total', async () => {
    const r = await load('form-local-dept-funds.xlsx')
    const c = r.tables[0]!.content
    if (c.kind !== 'department') throw new Error('kind')
    expect(c.header).toEqual({
      deptName: '南江县文化和旅游局', preparer: '王五', phone: '0817-1234567', deptBudgetTotal: 1000,
      deptFunctions: '负责全县文化和旅游工作，组织实施公共文化服务和文物保护。',
    })
    expect(c.tasks.map((t) => [t.name, t.total, t.fiscal, t.other])).toEqual([['公共文化服务', 120, 120, 0], ['文物保护', 80, 60, 20]])
    expect(c.taskTotals).toEqual({ total: null, fiscal: null, other: null })
    expect(c.annualGoal).toBe('全面完成年度主要任务。')
    expect(c.indicators.map(line)).toEqual(['产出指标|数量指标|送戏下乡场次|≥ 120 场', '效益指标|社会效益指标|群众文化生活|定性 明显改善'])
    // the whole block is kept (29 cells: everything but the 合计 placed as deptBudgetTotal)
    const block = (c.unplaced ?? []).filter((u) => u.reason?.startsWith('部门总体资金情况'))
    expect(block).toHaveLength(29)
    expect(block.map((u) => u.cell)).toEqual(expect.arrayContaining(['A3', 'D3', 'E4', 'D9', 'F9']))
    expect(block.map((u) => u.cell)).not.toContain('D6')
    const e = r.report.tables[0]!
    expect(e.layout).toBe('部门整体支出绩效目标申报表（含部门总体资金情况，地方表样）')
    expect(headerNorms(e)).toEqual([
      ['A3', 'moneyUnit', '部门总体资金情况（单位：万元）', '万元'],
      ['D6', 'header.deptBudgetTotal', '1000', 1000],
    ])
    // the title says 2023, the import is for 2024: stored under 2024 and said so
    expect(c.year).toBe(2024)
    expect(r.report.problems).toEqual([expect.objectContaining({ code: 'year_mismatch', severity: 'warning', cell: 'A1' })])
  })
})

describe('mof2021-core', () => {
  it('label：value cells on the 项目名称 line, separate 指标性质/指标值/度量单位, 成本指标 first, 2021 metadata columns', async () => {
    const r = await load('form-mof2021-core.xlsx')
    const c = r.tables[0]!.content
    if (c.kind !== 'project') throw new Error('kind')
    expect(c).toMatchObject({ template: 'mof2021-core', framework: 'mof2021', moneyUnit: '万元' })
    expect(c.header).toEqual({ projectName: '2024年中心城区道路绿化养护服务', projectCategory: '城市管理' })
    expect(c.indicators.map(line)).toEqual([
      '成本指标|经济成本指标|养护成本|≤ 1350 万元',
      '产出指标|数量指标|养护面积|≥ 120 万平方米',
      '产出指标|质量指标|绿化成活率|≥ 95 %',
      '效益指标|社会效益指标|市容环境|定性 明显改善',
      '满意度指标|服务对象满意度指标|市民满意度|≥ 90 %',
    ])
    expect(c.indicators[0]).toMatchObject({ explanation: '全年养护费用', basis: '计划标准', scoringRule: '超支不得分', dataSource: '财务决算' })
    const e = r.report.tables[0]!
    expect(e).toMatchObject({ layout: '项目支出核心绩效指标表', unplaced: [] })
    expect(headerNorms(e)).toEqual([
      ['A2', 'header.projectName', '项目名称：2024年中心城区道路绿化养护服务', '2024年中心城区道路绿化养护服务'],
      ['F2', 'header.projectCategory', '项目类型/一级项目：城市管理', '城市管理'],
    ])
    expect(e.normalisations).toEqual(expect.arrayContaining([expect.objectContaining({ cell: 'D5', field: 'indicators[1].comparator', from: '>=', to: '≥' })]))
    expect(codes(r)).toEqual(['核心指标:money_unit_default'])
  })
})

describe('local-simple and its variants', () => {
  it('the county form and a variant with 元, 上级/本级资金, prose amount, 进度计划, 绩效标准 and multi-party review', async () => {
    const r = await load('form-local-simple.xlsx')
    expect(r.tables.map((t) => t.sheet)).toEqual(['简表', '变体'])
    const [a, b] = r.tables.map((t) => t.content)
    if (a!.kind !== 'project' || b!.kind !== 'project') throw new Error('kind')

    expect(a!.header).toEqual({
      projectName: '2024年安平镇石门村茶叶初制加工车间建设项目', projectLeader: '张三', phone: '13800138000',
      competentDept: { code: '121', name: '南江市农业农村局' }, implementingUnit: { name: '南江市安平镇人民政府' }, reviewOpinion: '同意',
    })
    expect(a!.funds).toEqual({ midTerm: null, annual: { total: 180, fiscal: 150, other: 30 } })
    expect(a!.annualGoal).toBe('建成茶叶初制加工车间一座，带动农户增收。')
    expect(a!.indicators.map(line)).toEqual([
      '产出指标|数量指标|新建加工车间面积|≥ 800 平方米',
      '产出指标|时效指标|竣工时间|≤ 2024-11-30 日期',
      '效益指标|经济效益指标|带动农户户均增收|≥ 2000 元',
      '满意度指标|服务对象满意度指标|受益农户满意度|≥ 90 %',
    ])
    expect(a!.indicators[0]!.remark).toBe('含晾青间')
    expect(a!.unplaced).toBeUndefined()
    const ea = r.report.tables[0]!
    expect(ea).toMatchObject({ template: 'local-simple', layout: '项目支出绩效目标申报表（县市级，年度；含项目负责人及电话）' })
    expect(headerNorms(ea)).toEqual([
      ['A2', 'moneyUnit', '单位：万元', '万元'],
      ['B4', 'header.competentDept', '121 南江市农业农村局', { code: '121', name: '南江市农业农村局' }],
      ['C5', 'funds.annual.total', '180', 180],
      ['C7', 'funds.annual.other', '30万元', 30],
    ])

    expect(b!).toMatchObject({ template: 'local-simple', moneyUnit: '元', annualGoal: '全年送戏下乡120场。' })
    expect(b!.header).toEqual({
      projectName: '文化惠民送戏下乡', projectLeader: '赵六', phone: '0817-5212345',
      competentDept: { name: '南江市文化广电旅游体育局' }, implementingUnit: { name: '南江市文化馆' },
      fundingType: '部门预算项目', functionalClass: { code: '2070108', name: '文化活动' }, reviewOpinion: '同意申报',
    })
    expect(b!.funds.annual).toEqual({ total: '854万（其中上级补助300万）', fiscal: 600000, other: 0 })
    expect(b!.indicators.map((i) => `${line(i)}|${i.basis ?? ''}`)).toEqual([
      '产出指标|数量指标|送戏下乡场次|≥ 120 场|计划标准',
      '满意度指标|服务对象满意度指标|观众满意度|≥ 90 %|历史标准',
    ])
    const eb = r.report.tables[1]!
    expect(eb.layout).toBe('项目支出绩效目标申报表（县市级，年度；含项目负责人及电话；上级资金/本级资金；含项目实施进度计划；指标值及单位/绩效标准）')
    expect(headerNorms(eb)).toEqual([
      ['A6', 'moneyUnit', '资金情况（元）', '元'],
      ['D3', 'header.projectLeader', '赵六 0817-5212345', { projectLeader: '赵六', phone: '0817-5212345' }],
      ['B5', 'header.fundingType', '部门预算项目', '部门预算项目'],
      ['D5', 'header.functionalClass', '2070108 文化活动', { code: '2070108', name: '文化活动' }],
      ['C6', 'funds.annual.total', '854万（其中上级补助300万）', '854万（其中上级补助300万）'],
      ['C7,C8', 'funds.annual.fiscal', '400000 + 200000', 600000],
    ])
    expect(eb.normalisations.find((n) => n.cell === 'C6')!.note).toContain('R-FUND-FORMAT')
    expect(validateTable(b!).filter((f) => f.ruleId === 'R-FUND-FORMAT').map((f) => f.path)).toEqual(['funds.annual'])
    expect(eb.normalisations).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'indicators[1].level2', from: '社会公众或服务对象满意度指标', to: '服务对象满意度指标' })]))
    const why = (c: TargetTable, re: RegExp) => (c.unplaced ?? []).filter((u) => re.test(u.reason ?? '')).map((u) => u.text)
    expect(why(b!, /项目实施进度计划/)).toEqual(['项目实施进度计划', '内容', '开始时间', '完成时间', '招标确定演出团队', '2024年3月', '2024年4月', '组织下乡演出', '2024年5月', '2024年11月'])
    expect(why(b!, /多方审核意见/)).toEqual(['业务股室初审', '同意', '绩效股审核', '同意'])
    expect(why(b!, /上级资金\/本级资金/)).toEqual(['400000', '200000'])
    expect(b!.unplaced).toHaveLength(16)
    expect(r.report.problems).toEqual([])
  })
})

describe('several tables in one workbook, one per sheet', () => {
  it('a project, a department, an 审批表 read in the closest template; the instructions and the empty sheet skipped with a problem', async () => {
    const r = await load('form-several.xlsx')
    expect(r.tables.map((t) => [t.sheet, t.content.template, t.title])).toEqual([
      ['项目一', 'local-simple', '社区养老服务补贴'],
      ['部门', 'mof2015-dept', '中国民主促进会南江市委员会'],
      ['审批表', 'mof2021-core', '老旧小区改造'],
    ])
    expect(r.report.sheets).toEqual([
      { name: '项目一', tables: 1 }, { name: '部门', tables: 1 }, { name: '审批表', tables: 1 },
      { name: '填表说明', tables: 0, skipped: expect.stringContaining('没有找到') },
      { name: '空白', tables: 0, skipped: '空工作表' },
    ])
    expect(codes(r)).toEqual(['审批表:closest_template', '填表说明:no_table', '空白:no_table'])
    expect(r.report.problems.find((p) => p.sheet === '填表说明')).toMatchObject({ severity: 'warning', message: expect.stringContaining('填表说明') })

    const cq = r.tables[2]!.content
    if (cq.kind !== 'project') throw new Error('kind')
    expect(cq).toMatchObject({ framework: 'mof2021', moneyUnit: '万元', annualGoal: '完成12个小区改造。' })
    expect(cq.header).toEqual({
      projectName: '老旧小区改造', projectCategory: '资产资源类--房屋类', projectPeriod: { start: '2024-04', end: '2025-02', years: 2 },
      competentDept: { name: '南江市住房和城乡建设局' }, implementingUnit: { name: '南江市城市更新中心' }, projectLeader: '钱七',
      fundSource: '一般公共预算', functionalClass: { code: '2120303', name: '' },
    })
    expect(cq.funds.annual).toEqual({ total: 2400, fiscal: 2000, other: 400 })
    expect(cq.indicators.map((i) => `${line(i)}|${i.weight}`)).toEqual([
      '成本指标|经济成本指标|改造成本|≤ 2400 万元|10',
      '产出指标|数量指标|改造小区数量|≥ 12 个|40',
      '效益指标|社会效益指标|惠及居民户数|≥ 3200 户|30',
      '满意度指标|服务对象满意度指标|居民满意度|≥ 90 %|10',
    ])
    expect(unplaced(cq)).toEqual([['A2', '预算单位：南江市住房和城乡建设局'], ['A6', '项目总体概况'], ['B6', '改造小区12个，惠及居民3200户。']])
    expect(r.report.tables[2]!.layout).toBe('项目支出绩效目标审批表（地方表样）')
  })
})

describe('odd cells: title and notes around the form, blank rows, hidden rows and columns, formulas, date serials, #REF!', () => {
  it('reads what a reader sees and reports every odd cell', async () => {
    const r = await load('form-odd-cells.xlsx')
    expect(r.tables).toHaveLength(1)
    const c = r.tables[0]!.content
    if (c.kind !== 'project') throw new Error('kind')
    expect(c).toMatchObject({ template: 'local-simple', moneyUnit: '元', annualGoal: '保障行政中心物业服务正常运行。' })
    expect(c.header).toEqual({
      projectName: '南江市行政中心物业管理服务', projectLeader: '孙八', phone: '0817-2345678',
      competentDept: { code: '131', name: '南江市机关事务管理局' }, implementingUnit: { name: '南江市机关事务管理局' },
      projectAttribute: '延续', projectPeriod: { start: '2024-01' }, preparer: '周九', fillDate: '2024-01-05',
    })
    // 年度资金总额 is a formula (cached 5200000); 其他资金 is #REF!: blank
    expect(c.funds.annual).toEqual({ total: 5200000, fiscal: 5000000, other: null })
    expect(c.indicators.map(line)).toEqual(['产出指标|数量指标|物业服务面积|≥ 12 万平方米', '满意度指标|服务对象满意度指标|入驻单位满意度|≥ 90 %'])
    // the hidden row (辅助计算) and the hidden column G (ZX-001 …) are not read
    expect(JSON.stringify(c)).not.toMatch(/辅助计算|ZX-00/)
    expect(unplaced(c)).toEqual([
      ['A1', '说明：本表由项目单位填写，报财政局绩效科。'],
      ['A4', '填报单位（盖章）：南江市机关事务管理局'],
      ['A22', '注：金额以元为单位。'],
    ])
    const e = r.report.tables[0]!
    expect(e.range).toBe('A1:F22')
    expect(headerNorms(e)).toEqual([
      ['E4', 'moneyUnit', '金额单位：元', '元'],
      ['B7', 'header.competentDept', '131-南江市机关事务管理局', { code: '131', name: '南江市机关事务管理局' }],
      ['E9', 'header.projectPeriod', '2024-01', '2024-01'],
      ['E9', 'header.projectPeriod', '2024-01', { start: '2024-01' }],
      ['C10', 'funds.annual.total', '5200000', 5200000],
      ['E20', 'header.fillDate', '2024-01-05', '2024-01-05'],
    ])
    expect(e.normalisations.find((n) => n.cell === 'C10')!.note).toBe('公式单元格取其计算结果')
    expect(e.normalisations.find((n) => n.cell === 'E20')!.note).toBe('Excel 日期（序列号）按文字保存')
    expect(r.report.problems).toEqual([
      expect.objectContaining({ code: 'formula_error', cell: 'C12' }),
      expect.objectContaining({ code: 'hidden_skipped', message: expect.stringContaining('第 8 行') }),
    ])
  })
})

describe('several projects in one 一体化 flat sheet', () => {
  it('one table per project through importWorkbook (read by flat.ts), each reported with the flat layout', async () => {
    const r = await load('flat-several-projects.xlsx')
    expect(r.tables.map((t) => [t.title, t.content.template, t.content.kind === 'project' && t.content.funds.annual.total])).toEqual([
      ['农村人居环境整治', 'yth-flat', 330.984], ['镇村道路养护', 'yth-flat', 119.016], ['社区服务', 'yth-flat', 80],
    ])
    expect(r.report.tables.map((e) => e.layout)).toEqual(Array(3).fill('一体化系统导出（平铺，一表多项目）'))
    expect(r.report.sheets).toEqual([{ name: '一体化导出', tables: 3 }])
    expect(r.report.tables.every((e) => e.rows.indicators > 0)).toBe(true)
  })
})

describe('bad input', () => {
  it('a file that is not a workbook gets a Chinese message', async () => {
    await expect(importWorkbook(new TextEncoder().encode('not a workbook'), { fileName: 'x.xlsx', year: 2024 })).rejects.toThrow(/[\u4e00-\u9fff]/)
  })
})
