// The 一体化 flat sheet (tables.md §4): several projects in one sheet, each one project table in the
// `yth-flat` template — project cells merged down, repeated or written once, department subtotal rows,
// 元 or 万元 from the heading or the note above, aliases, what fits nowhere kept, and what our exporter
// writes read back.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { gridFromRows, type SheetGrid } from '../../server/import/grid.ts'
import { ReportBuilder } from '../../server/import/report.ts'
import { readWorkbook } from '../../server/import/workbook.ts'
import { isFlatHeading, readFlatSheet } from '../../server/import/flat.ts'
import { exportDoc } from '../../server/export/document.ts'
import { tableXlsx } from '../../server/export/xlsx.ts'
import { parseTable, parseTableOrThrow, type IndicatorRow, type ProjectTable, type TargetTable } from '../../shared/model/index.ts'
import { loadSample } from '../helpers/samples.ts'

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/import')

async function sheetOf(file: string): Promise<SheetGrid> {
  const { sheets } = await readWorkbook(fs.readFileSync(path.join(fixtures, file)))
  return sheets[0]!
}

function readFlat(grid: SheetGrid, year = 2024) {
  const report = new ReportBuilder(grid.name)
  const { tables } = readFlatSheet(grid, report, { year })
  for (const t of tables) expect(parseTable(t.content).ok).toBe(true)
  return { report, tables, projects: tables.map((t) => t.content as ProjectTable) }
}

const line = (r: IndicatorRow) => `${r.level1}|${r.level2}|${r.level3}|${r.comparator} ${r.target} ${r.unit}|${r.weight ?? ''}|${r.direction ?? ''}`
const norms = (report: ReportBuilder) => report.normalisations.map((n) => [n.cell, n.field, n.from, n.to])

const HEAD = ['单位名称', '项目名称', '预算数', '年度目标', '一级指标', '二级指标', '三级指标', '指标性质', '指标值', '度量单位', '权重', '指标方向性']

describe('isFlatHeading', () => {
  it('is the row naming 项目名称 beside an indicator heading, in any order', () => {
    const g = gridFromRows('s', [['标题'], HEAD, ['项目名称', '三级指标', '一级指标', '指标值'], ['一级指标', '二级指标', '三级指标', '指标值']])
    expect([0, 1, 2, 3].map((r) => isFlatHeading(g, r))).toEqual([false, true, true, false])
  })
})

describe('readFlatSheet on hand-made grids', () => {
  it('reads projects whose cells are repeated or written once, the department subtotal row and 金额单位 from the note', () => {
    const g = gridFromRows('平铺', [
      ['部门预算项目绩效目标申报表（2024年度）', '', '', '', '', '', '', '', '', '', '金额单位：元'],
      HEAD,
      ['820-XX镇部门', '', '5,309,840.00'],
      ['820001-XX镇人民政府', '项目A', '3,309,840.00', '目标A', '产出指标', '数量指标', '新建道路', '>=', '230', '个', 10, '正向指标'],
      ['820001-XX镇人民政府', '项目A', '3,309,840.00', '目标A', '效益指标', '社会效益指标', '受益人口', '≥', '95', '%', 10, '正向'],
      ['820001-XX镇人民政府', '项目B', '2000000', '目标B', '满意度指标', '满意度指标', '满意度', '大于等于', '90%', '', 10, '正向指标'],
      ['', '', '', '', '产出指标', '时效指标', '完成时间', '', '2024年10月底前', '', 5, ''],
      ['注：本表由系统导出'],
    ])
    const { tables, projects, report } = readFlat(g)
    expect(tables.map((t) => [t.title, t.range])).toEqual([['项目A', 'A4:L5'], ['项目B', 'A6:L7']])
    const [a, b] = projects
    expect(a).toMatchObject({
      kind: 'project', template: 'yth-flat', framework: 'mof2015', year: 2024, moneyUnit: '元', annualGoal: '目标A',
      header: { projectName: '项目A', implementingUnit: { code: '820001', name: 'XX镇人民政府' }, competentDept: { code: '820', name: 'XX镇部门' } },
      funds: { midTerm: null, annual: { total: 3309840, fiscal: null, other: null } },
    })
    expect(a!.indicators.map(line)).toEqual(['产出指标|数量指标|新建道路|≥ 230 个|10|positive', '效益指标|社会效益指标|受益人口|≥ 95 %|10|positive'])
    expect(b!.indicators.map(line)).toEqual(['满意度指标|服务对象满意度指标|满意度|≥ 90 %|10|positive', '产出指标|时效指标|完成时间|≤ 2024-10-31 日期|5|'])
    expect(b!.funds.annual.total).toBe(2000000)
    expect(norms(tables[0]!.report)).toEqual([
      ['H4', 'indicators[0].comparator', '>=', '≥'],
      ['L5', 'indicators[1].direction', '正向', 'positive'],
      ['A4', 'header.implementingUnit', '820001-XX镇人民政府', { code: '820001', name: 'XX镇人民政府' }],
      ['A3', 'header.competentDept', '820-XX镇部门', { code: '820', name: 'XX镇部门' }],
      ['C4', 'funds.annual.total', '3,309,840.00', 3309840],
    ])
    expect(norms(tables[1]!.report)).toContainEqual(['I7', 'indicators[1].target', '2024年10月底前', '2024-10-31'])
    expect(report.problems).toEqual([]) // the subtotal equals its projects' sum
    expect(report.unplaced).toEqual([{ cell: 'A8', text: '注：本表由系统导出', reason: '表格下方的文字，不属于任何项目' }])
  })

  it('reads on across the heading printed again after a page break, and does not end at a project named like a note (总分馆建设)', () => {
    const g = gridFromRows('s', [
      HEAD,
      ['820001-XX镇', '总分馆建设', 60, '', '产出指标', '数量指标', 'a', '≥', '1', '个', '', ''],
      ['820001-XX镇', '项目资金绩效管理', 30, '', '产出指标', '数量指标', 'b', '≥', '1', '个', '', ''],
      HEAD,
      ['820001-XX镇', '项目资金绩效管理', 30, '', '产出指标', '质量指标', 'c', '≥', '95', '%', '', ''],
      ['审核意见', '同意'],
    ])
    const { tables, projects, report } = readFlat(g)
    expect(tables.map((t) => [t.title, t.range])).toEqual([['总分馆建设', 'A2:L2'], ['项目资金绩效管理', 'A3:L5']])
    expect(projects[1]!.indicators.map((r) => r.level3)).toEqual(['b', 'c'])
    expect(projects[1]!.header.reviewOpinion).toBe('同意')
    for (const t of tables) expect(t.report.unplaced).toEqual([])
    expect(report.unplaced).toEqual([])
  })

  it('reports a department subtotal that is not the sum of its projects, a title of another year, and a sheet without the heading', () => {
    const g = gridFromRows('s', [
      ['部门预算项目绩效目标申报表（2023年度）'],
      HEAD,
      ['820-XX镇部门', '', 100],
      ['820001-XX镇', '项目A', 60, '', '产出指标', '数量指标', 'a', '≥', '1', '个', '', ''],
      ['820001-XX镇', '项目B', 30, '', '产出指标', '数量指标', 'b', '≥', '1', '个', '', ''],
    ])
    const { report, tables } = readFlat(g)
    expect(tables).toHaveLength(2)
    expect(report.problems.map((p) => [p.code, p.severity, p.cell])).toEqual([
      ['money_unit_default', 'info', undefined], ['year_mismatch', 'warning', 'A1'], ['subtotal_mismatch', 'warning', 'A3'],
    ])
    expect(report.problems[1]!.message).toContain('2023')
    const none = new ReportBuilder('x')
    expect(readFlatSheet(gridFromRows('x', [['一级指标', '二级指标', '三级指标']]), none, { year: 2024 }).tables).toEqual([])
    expect(none.problems.map((p) => p.code)).toEqual(['no_table'])
  })

  it('keeps what fits nowhere: an unknown column, a project cell that differs on a later row, prose as a budget', () => {
    const g = gridFromRows('s', [
      ['项目代码', ...HEAD],
      ['P01', '820001-XX镇', '项目A', '854万（其中上级补助600万）', '目标', '产出指标', '数量指标', 'a', '≥', '1', '个', '', '越大越好'],
      ['P01', '820001-XX镇', '项目A', '854', '另一个目标', '产出指标', '数量指标', 'b', '≥', '2', '个', '', ''],
    ])
    const { tables, projects } = readFlat(g)
    expect(projects).toHaveLength(1)
    expect(projects[0]!.funds.annual.total).toBe('854万（其中上级补助600万）')
    expect(projects[0]!.moneyUnit).toBe('元')
    const rep = tables[0]!.report
    expect(rep.problems.map((p) => [p.code, p.cell])).toEqual([['amount_text', 'D2']])
    expect(rep.unplaced.map((u) => [u.cell, u.text])).toEqual([
      ['M2', '越大越好'], ['A2', 'P01'], ['A3', 'P01'], ['D3', '854'], ['E3', '另一个目标'],
    ])
    expect(rep.unplaced[3]!.reason).toContain('首行')
  })
})

describe('readFlatSheet on the hand-made xlsx fixtures', () => {
  it('flat-several-projects.xlsx: 万元 from the heading, two departments, three projects merged down, 合计 skipped', async () => {
    const { tables, projects, report } = readFlat(await sheetOf('flat-several-projects.xlsx'))
    expect(tables.map((t) => [t.title, t.range])).toEqual([['农村人居环境整治', 'A4:L6'], ['镇村道路养护', 'A7:L7'], ['社区服务', 'A9:L10']])
    expect(projects.map((p) => [p.moneyUnit, p.funds.annual.total, p.header.competentDept?.code, p.header.implementingUnit?.code, p.annualGoal])).toEqual([
      ['万元', 330.984, '820', '820001', '完成230户改厕，群众满意度不低于95%。'],
      ['万元', 119.016, '820', '820001', '养护道路45公里。'],
      ['万元', 80, '821', '821001', '服务居民1万人次。'],
    ])
    // rows kept in the sheet's order (not sorted by 一级)
    expect(projects[0]!.indicators.map(line)).toEqual([
      '效益指标|社会效益指标|群众满意度|≥ 95 %|10|positive',
      '产出指标|数量指标|改厕户数|≥ 230 户|20|positive',
      '产出指标|成本指标|户均改厕成本|≤ 0.3 万元/户|10|negative',
    ])
    expect(projects[2]!.indicators.map(line)).toEqual(['产出指标|数量指标|服务人次|≥ 1 万人次|50|positive', '满意度指标|服务对象满意度指标|居民满意度|≥ 90 %|10|positive'])
    expect(report.problems).toEqual([])
    expect(report.unplaced).toEqual([])
    for (const t of tables) expect(t.report.unplaced).toEqual([])
  })

  it('flat-yuan.xlsx: 元 from the note, columns in another order with aliases, repeated and written-once project cells, prose budget', async () => {
    const { tables, projects } = readFlat(await sheetOf('flat-yuan.xlsx'))
    expect(tables.map((t) => [t.title, t.range])).toEqual([['学校食堂改造', 'A3:L4'], ['学生资助', 'A5:L6'], ['教师培训', 'A7:L7']])
    expect(projects.map((p) => [p.moneyUnit, p.funds.annual.total, p.header.implementingUnit])).toEqual([
      ['元', 3309840, { code: '105001', name: '南江市第一中学' }],
      ['元', 1200000.5, { code: '105002', name: '南江市第二中学' }],
      ['元', '854万（其中上级补助600万）', { code: '105003', name: '南江市教师发展中心' }],
    ])
    expect(projects[0]!.indicators.map(line)).toEqual(['产出指标|数量指标|改造食堂数|≥ 2 处|10|positive', '效益指标|社会效益指标|就餐环境|定性 明显改善 |10|positive'])
    expect(projects[1]!.indicators.map(line)).toEqual(['产出指标|数量指标|资助人数|= 300 人|20|positive', '产出指标|成本指标|生均资助标准|≤ 4000 元/人|10|negative'])
    expect(norms(tables[0]!.report)).toEqual([
      ['H3', 'indicators[0].comparator', '大于等于', '≥'],
      ['L3', 'indicators[0].direction', '正向', 'positive'],
      ['B3', 'header.implementingUnit', '105001-南江市第一中学', { code: '105001', name: '南江市第一中学' }],
    ])
    expect(norms(tables[1]!.report).slice(0, 2)).toEqual([
      ['H5', 'indicators[0].comparator', '＝', '='],
      ['L6', 'indicators[1].direction', '反向', 'negative'],
    ])
    expect(tables[2]!.report.problems.map((p) => [p.code, p.cell])).toEqual([['amount_text', 'C7']])
  })
})

describe('what our exporter writes for yth-flat comes back', () => {
  it('S10 with its signature block: one table, the project cells, the indicators with weights and directions', async () => {
    const sample = parseTableOrThrow(loadSample('S10')) as ProjectTable
    const signed = { ...sample, header: { ...sample.header, preparer: '王小明', phone: '13800138000', unitLeader: '李主任', fillDate: '2024年1月5日', reviewOpinion: '同意申报' } } as TargetTable
    const doc = exportDoc({ tableId: 't', table: signed, title: '测试', departmentName: '民政局', status: 'draft', version: null, edition: 'internal' })
    const { sheets } = await readWorkbook(await tableXlsx(doc))
    const { tables, projects, report } = readFlat(sheets[0]!, sample.year)
    expect(tables).toHaveLength(1)
    const p = projects[0]!
    expect(p).toMatchObject({
      template: 'yth-flat', year: 2024, moneyUnit: '万元', annualGoal: sample.annualGoal,
      header: { projectName: sample.header.projectName, implementingUnit: sample.header.implementingUnit, preparer: '王小明', phone: '13800138000', unitLeader: '李主任', fillDate: '2024年1月5日', reviewOpinion: '同意申报' },
      funds: { annual: { total: 420 } },
    })
    const key = (r: IndicatorRow) => JSON.stringify([r.period, r.level1, r.level2, r.level3, r.comparator, r.target, r.unit, r.weight ?? null, r.direction ?? null, r.valueKind ?? null])
    expect(p.indicators.map(key).sort()).toEqual(sample.indicators.map(key).sort())
    expect(report.problems).toEqual([])
    expect(report.unplaced).toEqual([])
    expect(tables[0]!.report.unplaced).toEqual([])
  })
})
