// The indicator block of any form: heading found and columns mapped by their words, rows read with
// 一级/二级 merged, repeated or carried down, aliases, 中期/年度 halves, one-cell or separate values,
// extra columns, blank and placeholder rows — from hand-made grids, the hand-made .xlsx fixtures
// (test/fixtures/import, read through readWorkbook) and what our own exporter writes for every template.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { gridFromRows, type SheetGrid } from '../../server/import/grid.ts'
import { ReportBuilder } from '../../server/import/report.ts'
import { readWorkbook } from '../../server/import/workbook.ts'
import { findIndicatorHeading, readIndicators, type IndicatorHeading } from '../../server/import/indicator-grid.ts'
import { exportDoc } from '../../server/export/document.ts'
import { tableXlsx } from '../../server/export/xlsx.ts'
import {
  frameworkOf, parseTableOrThrow, TEMPLATES, type FrameworkId, type IndicatorRow, type TargetTable,
} from '../../shared/model/index.ts'
import { loadSample, sampleFiles } from '../helpers/samples.ts'

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/import')

async function sheetOf(file: string, name?: string): Promise<SheetGrid> {
  const { sheets } = await readWorkbook(fs.readFileSync(path.join(fixtures, file)))
  const s = name ? sheets.find((x) => x.name === name) : sheets[0]
  if (!s) throw new Error(`no sheet ${name} in ${file}`)
  return s
}

function read(grid: SheetGrid, opts: { framework?: FrameworkId; year?: number; from?: number } = {}) {
  const heading = findIndicatorHeading(grid, opts.from ?? 0)
  expect(heading).not.toBeNull()
  const report = new ReportBuilder(grid.name)
  const result = readIndicators(grid, heading!, report, { framework: opts.framework ?? 'mof2015', year: opts.year ?? 2024 })
  return { heading: heading!, report, ...result }
}

/** level1 | level2 | level3 | comparator target unit (period) — one line per row, easy to read in a failure */
const line = (r: IndicatorRow) => `${r.period === 'midTerm' ? '中期 ' : ''}${r.level1}|${r.level2}|${r.level3}|${r.comparator} ${r.target} ${r.unit}`.trimEnd()
const norms = (report: ReportBuilder) => report.normalisations.map((n) => [n.cell, n.field, n.from, n.to])

/** gridFromRows with merged ranges (A1 like `C2:C3`): covered cells emptied and pointed at their top-left */
function merged(rows: (string | number | null)[][], ranges: string[]): SheetGrid {
  const g = gridFromRows('s', rows)
  const pos = (a1: string) => {
    const m = /^([A-Z]+)(\d+)$/.exec(a1)!
    return { row: Number(m[2]) - 1, col: [...m[1]!].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1 }
  }
  for (const r of ranges) {
    const [a, b] = r.split(':').map(pos)
    g.merges.push({ startRow: a!.row, endRow: b!.row, startColumn: a!.col, endColumn: b!.col })
    for (let i = a!.row; i <= b!.row; i++) for (let j = a!.col; j <= b!.col; j++) {
      if (i === a!.row && j === a!.col) continue
      const cell = g.rows[i]![j]!
      g.rows[i]![j] = { ...cell, text: '', value: null, master: { row: a!.row, col: a!.col } }
    }
  }
  return g
}

function columnsOf(h: IndicatorHeading, i = 0): Record<string, number[]> {
  return Object.fromEntries(Object.entries(h.halves[i]!.columns).map(([k, v]) => [k, v!.cols]))
}

describe('findIndicatorHeading', () => {
  it('finds a one-row heading under title rows and maps columns by their words', () => {
    const g = gridFromRows('s', [
      ['绩效目标表'], ['项目名称', '某项目'],
      ['一级指标', '二级指标', '三级指标', '指标值', '权重（%）', '指标方向性', '计算方法', '对应任务', '实际完成值'],
    ])
    const h = findIndicatorHeading(g, 0)!
    expect([h.firstRow, h.lastRow, h.dataRow, h.labelCol, h.level1Col]).toEqual([2, 2, 3, null, 0])
    expect(h.halves).toHaveLength(1)
    expect(h.halves[0]!.period).toBe('annual')
    expect(columnsOf(h)).toEqual({ level1: [0], level2: [1], level3: [2], value: [3], weight: [4], direction: [5], formula: [6], taskRef: [7] })
    expect(h.unknown).toEqual([{ cols: [8], label: '实际完成值', ref: 'I3' }])
  })

  it('knows the heading aliases (指标值及单位, 计量单位, 分值, 评分标准, 指标说明 …) and a ★ or spaces in a heading', () => {
    const g = gridFromRows('s', [['一级', '二级', '三级 指标★', '指标性质', '目标值', '计量单位', '分值', '评分标准', '指标说明', '数据来源', '备注']])
    expect(columnsOf(findIndicatorHeading(g, 0)!)).toEqual({
      level1: [0], level2: [1], level3: [2], comparator: [3], target: [4], unit: [5], weight: [6], scoringRule: [7],
      explanation: [8], dataSource: [9], remark: [10],
    })
  })

  it('finds nothing without a 三级 heading, and looks only between fromRow and toRow', () => {
    expect(findIndicatorHeading(gridFromRows('s', [['一级指标', '二级指标', '指标值']]), 0)).toBeNull()
    const g = gridFromRows('s', [['x'], ['一级指标', '二级指标', '三级指标', '指标值']])
    expect(findIndicatorHeading(g, 0, 1)).toBeNull()
    expect(findIndicatorHeading(g, 1, 2)!.firstRow).toBe(1)
  })

  it('takes a 中期指标/年度指标 row above the heading and splits the halves (no merges)', () => {
    const g = gridFromRows('s', [
      ['绩效指标', '一级指标', '中期指标', '', '', '年度指标'],
      ['', '', '二级指标', '三级指标', '指标值', '二级指标', '三级指标', '指标值'],
    ])
    const h = findIndicatorHeading(g, 0)!
    expect([h.firstRow, h.lastRow, h.labelCol, h.level1Col]).toEqual([0, 1, 0, 1])
    expect(h.halves.map((x) => x.period)).toEqual(['midTerm', 'annual'])
    expect(columnsOf(h, 1)).toEqual({ level2: [5], level3: [6], value: [7], level1: [1] })
  })

  it('reads the period from the headings themselves: 二级指标（长期）/（年度）, 中期指标值, and two unnamed halves as 中期 | 年度', () => {
    const named = findIndicatorHeading(gridFromRows('s', [['一级指标', '二级指标（年度）', '三级指标', '指标值', '二级指标（长期）', '三级指标', '指标值']]), 0)!
    expect(named.halves.map((x) => x.period)).toEqual(['annual', 'midTerm'])
    const values = findIndicatorHeading(gridFromRows('s', [['一级指标', '二级指标', '三级指标', '中期指标值', '年度指标值']]), 0)!
    expect(values.halves.map((x) => [x.period, Object.keys(x.columns).sort().join()])).toEqual([
      ['midTerm', 'level1,level2,level3,value'], ['annual', 'level1,value'],
    ])
    const unnamed = findIndicatorHeading(gridFromRows('s', [['一级指标', '二级指标', '三级指标', '指标值', '二级指标', '三级指标', '指标值']]), 0)!
    expect(unnamed.halves.map((x) => x.period)).toEqual(['midTerm', 'annual'])
  })

  it('takes a sub-heading row below a merged 指标值 (指标性质 | 指标值 | 度量单位)', async () => {
    const h = findIndicatorHeading(await sheetOf('separate-columns.xlsx'), 0)!
    expect([h.firstRow, h.lastRow, h.dataRow]).toEqual([1, 2, 3])
    expect(columnsOf(h)).toEqual({
      level1: [0], level2: [1], level3: [2], comparator: [3], target: [4], unit: [5], explanation: [6], basis: [7], scoringRule: [8], dataSource: [9],
    })
  })

  it('maps a heading merged over two columns to both (mof2015-dept 三级指标 over D:E)', async () => {
    const h = findIndicatorHeading(await sheetOf('merged-level1.xlsx'), 0)!
    expect([h.firstRow, h.labelCol, h.level1Col]).toEqual([2, 0, 1])
    expect(columnsOf(h)).toEqual({ level1: [1], level2: [2], level3: [3, 4], value: [5] })
  })
})

describe('readIndicators on hand-made grids', () => {
  it('carries 一级 and 二级 down, starts 二级 afresh under a new 一级, and stops at a form label', () => {
    const g = gridFromRows('s', [
      ['一级指标', '二级指标', '三级指标', '指标值'],
      ['产出指标', '数量指标', 'a', '≥1个'],
      ['', '', 'b', '≥2个'],
      ['效益指标', '', 'c', '达到预期'],
      ['', '社会效益指标', 'd', '≥90%'],
      ['填报人：', '张三'],
      ['产出指标', '数量指标', 'after', '1'],
    ])
    const { indicators, endRow, report } = read(g)
    expect(indicators.map(line)).toEqual([
      '产出指标|数量指标|a|≥ 1 个', '产出指标|数量指标|b|≥ 2 个', '效益指标||c|定性 达到预期', '效益指标|社会效益指标|d|≥ 90 %',
    ])
    expect(endRow).toBe(5)
    expect(report.unplaced).toEqual([])
  })

  it('ends the block at 备注：, 注：, 审核意见, another heading, endRow or the end of the sheet', () => {
    for (const label of ['备注：本表金额单位为万元', '注：1.指标值须量化', '主管部门审核意见', '三级指标']) {
      const g = gridFromRows('s', [['一级指标', '二级指标', '三级指标', '指标值'], ['产出指标', '数量指标', 'a', '1'], label === '三级指标' ? ['一级指标', '二级指标', '三级指标'] : [label], ['产出指标', '数量指标', 'b', '2']])
      expect(read(g).endRow).toBe(2)
      expect(read(g).indicators).toHaveLength(1)
    }
    const g = gridFromRows('s', [['一级指标', '二级指标', '三级指标', '指标值'], ['产出指标', '数量指标', 'a', '1'], ['产出指标', '数量指标', 'b', '2']])
    expect(read(g).endRow).toBe(3)
    const h = findIndicatorHeading(g, 0)!
    expect(readIndicators(g, h, new ReportBuilder('s'), { framework: 'mof2015', endRow: 2 })).toMatchObject({ endRow: 2, indicators: [{ level3: 'a' }] })
  })

  it('skips blank rows, padding, …… and 指标1： lines, but keeps a row with only a value', () => {
    const g = gridFromRows('s', [
      ['一级指标', '二级指标', '三级指标', '指标值'],
      ['产出指标', '数量指标', '指标1：', ''],
      ['', '', '……', ''],
      ['', '……', '', ''],
      ['', '', '', ''],
      ['', '质量指标', '', '≥95%'],
      ['', '时效指标', '指标2：按时完成率', '100%'],
    ])
    const { indicators, report } = read(g)
    expect(indicators.map(line)).toEqual(['产出指标|质量指标||≥ 95 %', '产出指标|时效指标|按时完成率|= 100 %'])
    expect(norms(report)).toContainEqual(['C7', 'indicators[1].level3', '指标2：按时完成率', '按时完成率'])
  })

  it('keeps what fits nowhere: unknown and untitled columns, cells of rows without 三级 and value, 合计 rows, bad directions', () => {
    const g = gridFromRows('s', [
      ['一级指标', '二级指标', '三级指标', '指标值', '实际完成值', '', '指标方向性', '权重'],
      ['产出指标', '数量指标', 'a', '≥1个', '1个', '旁注', '越大越好', '10'],
      ['产出指标', '数量指标', '', '', '', '', '', '5'],
      ['合计', '', '', '', '', '', '', '100'],
    ])
    const { indicators, report } = read(g)
    expect(indicators).toHaveLength(1)
    expect(indicators[0]).toMatchObject({ weight: 10 })
    expect(indicators[0]!.direction).toBeUndefined()
    expect(report.unplaced.map((u) => [u.cell, u.text])).toEqual([
      ['G2', '越大越好'], ['E2', '1个'], ['F2', '旁注'], ['H3', '5'], ['H4', '100'],
    ])
    expect(report.unplaced[1]!.reason).toContain('实际完成值')
    expect(report.unplaced[2]!.reason).toContain('没有列标题')
    expect(report.unplaced[4]!.reason).toContain('合计')
  })

  it('reads separate 指标性质/指标值/度量单位 cells, the extra columns, weights and directions', () => {
    const g = gridFromRows('s', [
      ['一级指标', '二级指标', '三级指标', '指标性质', '指标值', '度量单位', '权重', '指标方向性', '指标解释', '指标值设定依据', '数据来源', '评（扣）分标准', '备注'],
      ['产出指标', '数量指标', 'a', '>=', '30', '场', '10', '正向', '解释', '计划标准', '台账', '每少1场扣1分', '无'],
      ['产出指标', '成本指标', 'b', '≤', '120万元', '', '', '反向指标', '', '', '', '', ''],
      ['满意度指标', '服务对象满意度指标', 'c', '', '90', '%', '十分', '', '', '', '', '', ''],
    ])
    const { indicators, report } = read(g)
    const [a, b, c] = indicators
    expect(a).toMatchObject({ comparator: '≥', target: '30', unit: '场', weight: 10, direction: 'positive', explanation: '解释', basis: '计划标准', dataSource: '台账', scoringRule: '每少1场扣1分', remark: '无', valueKind: 'quantitative' })
    expect(b).toMatchObject({ comparator: '≤', target: '120', unit: '万元', direction: 'negative' })
    expect(b!.weight).toBeUndefined()
    expect(c).toMatchObject({ comparator: '', target: '90', unit: '%', weight: '十分', valueKind: 'quantitative' })
    expect(norms(report)).toEqual([
      ['D2', 'indicators[0].comparator', '>=', '≥'],
      ['H2', 'indicators[0].direction', '正向', 'positive'],
      ['E3', 'indicators[1].unit', '', '万元'],
      ['E3', 'indicators[1].target', '120万元', '120'],
    ])
  })

  it('treats a 序号 column as furniture, reads ★ as a core indicator and a weight written as 10分', () => {
    const g = gridFromRows('s', [
      ['序号', '一级指标', '二级指标', '三级指标', '指标值', '分值'],
      ['1', '产出指标', '数量指标', '★受益人数', '≥**人', '10分'],
      ['2', '产出指标', '质量指标', '达标率★★★', '100%', '20'],
      ['3', '产出指标', '质量指标', '合格率', '≥95%', ''],
    ])
    const { heading, indicators, report } = read(g)
    expect(heading.numberCols).toEqual([0])
    expect(indicators.map((r) => [r.level3, r.core, r.weight])).toEqual([['受益人数', true, 10], ['达标率', true, 20], ['合格率', undefined, undefined]])
    expect(norms(report).filter(([, f]) => !String(f).endsWith('.target'))).toEqual([
      ['D2', 'indicators[0].level3', '★受益人数', '受益人数'],
      ['F2', 'indicators[0].weight', '10分', 10],
      ['D3', 'indicators[1].level3', '达标率★★★', '达标率'],
    ])
    expect(report.unplaced).toEqual([])
  })

  it('reads an indicator whose cells are merged over two rows once, and a value merged over two indicators for both', () => {
    const g = merged([
      ['一级指标', '二级指标', '三级指标', '指标值'],
      ['产出指标', '数量指标', '培训人次', '≥300人次'],
      ['', '', '', ''],
      ['', '质量指标', '合格率', '100%'],
      ['', '', '达标率', ''],
    ], ['A2:A5', 'B2:B3', 'C2:C3', 'D2:D3', 'B4:B5', 'D4:D5'])
    const { indicators, report } = read(g)
    expect(indicators.map(line)).toEqual(['产出指标|数量指标|培训人次|≥ 300 人次', '产出指标|质量指标|合格率|= 100 %', '产出指标|质量指标|达标率|= 100 %'])
    expect(report.normalisations.map((n) => n.cell)).toEqual(['D2', 'D4', 'D4'])
  })

  it('reads 中期绩效指标 / 年度绩效指标 above the heading as the halves’ periods', () => {
    const g = gridFromRows('s', [
      ['', '', '年度绩效指标', '', '', '中期绩效指标'],
      ['', '一级指标', '二级指标', '三级指标', '指标值', '二级指标', '三级指标', '指标值'],
    ])
    const h = findIndicatorHeading(g, 0)!
    expect(h.firstRow).toBe(0)
    expect(h.halves.map((x) => x.period)).toEqual(['annual', 'midTerm'])
  })

  it('counts field paths from firstIndex and gives every row its own id', () => {
    const g = gridFromRows('s', [['一级指标', '二级指标', '三级指标', '指标值'], ['产出指标', '数量指标', 'a', '≥1个'], ['产出指标', '数量指标', 'b', '≥2个']])
    const report = new ReportBuilder('s')
    const { indicators } = readIndicators(g, findIndicatorHeading(g, 0)!, report, { framework: 'mof2015', firstIndex: 5 })
    expect(report.normalisations.map((n) => n.field)).toEqual(['indicators[5].target', 'indicators[6].target'])
    expect(new Set(indicators.map((r) => r.id)).size).toBe(2)
    for (const r of indicators) expect(r.id).toMatch(/^r_/)
  })
})

describe('readIndicators on the hand-made xlsx fixtures', () => {
  it('merged-level1.xlsx: label column merged down, 一级/二级 merged, 三级 over two columns, empty 二级 and …… lines', async () => {
    const { indicators, endRow, report } = read(await sheetOf('merged-level1.xlsx'))
    expect(indicators.map(line)).toEqual([
      '产出指标|数量指标|提交集体提案数量|≥ 12 件',
      '产出指标|数量指标|报送社情民意信息数量|≥ 50 篇',
      '产出指标|质量指标|集体提案立案率|≥ 90 %',
      '产出指标|时效指标|调研课题结题时间|≤ 2024-11-30 日期',
      '效益指标|社会效益指标|参政议政水平|定性 进一步提升',
      '效益指标|社会效益指标|社情民意信息被上级采用篇数|≥ 8 篇',
      '满意度指标|服务对象满意度指标|满意度|≥ 90 %',
    ])
    expect(endRow).toBe(14) // 财政部门审核意见
    expect(norms(report)).toContainEqual(['F7', 'indicators[3].target', '2024年11月底前', { comparator: '≤', target: '2024-11-30', unit: '日期' }])
    expect(report.normalisations).toHaveLength(7)
    expect(report.unplaced).toEqual([])
  })

  it('repeated-level1.xlsx 重复: 一级/二级 on every row, 备注 kept, 实际完成值 and a lone remark unplaced', async () => {
    const { indicators, endRow, report } = read(await sheetOf('repeated-level1.xlsx', '重复'))
    expect(indicators.map(line)).toEqual([
      '产出指标|数量指标|新建茶叶初制加工车间面积|≥ 600 平方米',
      '产出指标|数量指标|购置揉捻烘干设备|≥ 6 台（套）',
      '产出指标|质量指标|工程竣工验收合格率|= 100 %',
      '效益指标|经济效益指标|带动脱贫户人均增收|≥ 1200 元/人',
      '满意度指标|服务对象满意度指标|受益脱贫户满意度|≥ 95 %',
    ])
    expect(indicators[0]!.remark).toBe('按设计图纸')
    expect(endRow).toBe(10)
    expect(report.unplaced.map((u) => [u.cell, u.text])).toEqual([['F5', '5'], ['E9', '待补充']])
  })

  it('repeated-level1.xlsx 首行: 一级/二级 written on a group’s first row only are carried down', async () => {
    const { indicators, endRow, report } = read(await sheetOf('repeated-level1.xlsx', '首行'))
    expect(indicators.map(line)).toEqual([
      '产出指标|数量指标|送戏下乡演出场次|≥ 80 场次',
      '产出指标|数量指标|覆盖行政村（社区）数|≥ 80 个',
      '产出指标|时效指标|全年演出任务完成时间|≤ 2024-11-30 日期',
      '效益指标|社会效益指标|现场观看群众人次|≥ 4 万人次',
      '效益指标|社会效益指标|群众文化生活|定性 有所丰富',
      '满意度指标||群众满意度|≥ 90 %',
    ])
    expect(endRow).toBe(7) // 注：
    expect(norms(report)[0]).toEqual(['E2', 'indicators[0].target', '不少于80场次', { comparator: '≥', target: '80', unit: '场次' }])
  })

  it('aliases.xlsx: 产出值, 数量值, 环境效益指标, 社会公众或服务对象满意度指标, score bands — each a normalisation', async () => {
    const { indicators, report } = read(await sheetOf('aliases.xlsx'))
    expect(indicators.map((r) => `${r.level1}|${r.level2}|${r.level3}`)).toEqual([
      '产出指标|数量指标|培训人次', '产出指标|质量指标|培训合格率', '产出指标|时效指标|按时完成培训', '效益指标|生态效益指标|垃圾减量',
      '效益指标|社会效益指标|政策知晓率', '满意度指标|服务对象满意度指标|群众满意度', '满意度指标|服务对象满意度指标|学员满意度',
    ])
    expect(indicators.map((r) => r.basis)).toEqual(['计划标准', '行业标准', undefined, '历史标准', undefined, undefined, undefined])
    const aliasNorms = norms(report).filter(([, field]) => !String(field).endsWith('.target'))
    expect(aliasNorms).toEqual([
      ['B2', 'indicators[0].level1', '产出值', '产出指标'],
      ['C2', 'indicators[0].level2', '数量值', '数量指标'],
      ['D2', 'indicators[0].level3', '指标1：培训人次', '培训人次'],
      ['B3', 'indicators[1].level1', '产出', '产出指标'],
      ['C3', 'indicators[1].level2', '质量', '质量指标'],
      ['B4', 'indicators[2].level1', '产出指标（40-50分）', '产出指标'],
      ['B5', 'indicators[3].level1', '效益值', '效益指标'],
      ['C5', 'indicators[3].level2', '环境效益指标', '生态效益指标'],
      ['B6', 'indicators[4].level1', '效益', '效益指标'],
      ['C6', 'indicators[4].level2', '社会效益', '社会效益指标'],
      ['B7', 'indicators[5].level1', '满意度', '满意度指标'],
      ['C7', 'indicators[5].level2', '社会公众或服务对象满意度指标', '服务对象满意度指标'],
      ['C8', 'indicators[6].level2', '满意度指标', '服务对象满意度指标'],
    ])
  })

  it('values-in-cell.xlsx: every kind of one-cell value, numbers, percent formats and dates', async () => {
    const { indicators, report } = read(await sheetOf('values-in-cell.xlsx'))
    expect(indicators.map((r) => [r.comparator, r.target, r.unit])).toEqual([
      ['≥', '95', '%'], ['≥', '30', '场'], ['≥', '**', ''], ['≤', '600', '元/人·年'], ['=', '100', '%'], ['≤', '2024-10-31', '日期'],
      ['定性', '达到预期', ''], ['定性', '良好', ''], ['定性', '有所提升', ''], ['', '完成30场，覆盖20个村', ''], ['≥', '90', '%'],
      ['=', '150', ''], ['=', '98', '%'], ['=', '2024-12-20', '日期'],
    ])
    const byCell = new Map(report.normalisations.map((n) => [n.cell, n]))
    expect(byCell.get('D2')).toMatchObject({ field: 'indicators[0].target', from: '≥95%', to: { comparator: '≥', target: '95', unit: '%' } })
    expect(byCell.get('D3')).toMatchObject({ from: '不少于30场', to: { comparator: '≥', target: '30', unit: '场' } })
    expect(byCell.get('D4')).toMatchObject({ from: '>=**', to: { comparator: '≥', target: '**', unit: '' } })
    expect(byCell.get('D7')).toMatchObject({ from: '2024年10月底前', to: { comparator: '≤', target: '2024-10-31', unit: '日期' } })
    expect(byCell.get('D12')).toMatchObject({ from: '＞＝９０％', to: { comparator: '≥', target: '90', unit: '%' } })
    expect(byCell.has('D11')).toBe(false) // prose is kept as typed: nothing changed
    expect(indicators[9]!.valueKind).toBeUndefined()
    expect(report.normalisations).toHaveLength(13)
  })

  it('halves.xlsx 中期年度: the official two-row heading with merges; halves of different lengths, padding skipped', async () => {
    const { indicators, heading, report } = read(await sheetOf('halves.xlsx', '中期年度'))
    expect([heading.firstRow, heading.lastRow]).toEqual([1, 2])
    expect(indicators.map(line)).toEqual([
      '中期 产出指标|数量指标|参加学生人数|≥ 21000 人',
      '中期 产出指标|数量指标|新建功能室|≥ 30 间',
      '中期 产出指标|质量指标|覆盖率|= 100 %',
      '中期 效益指标|社会效益指标|参加比例|≥ 80 %',
      '中期 满意度指标|服务对象满意度指标|家长满意度|≥ 90 %',
      '产出指标|数量指标|参加学生人数|≥ 21000 人',
      '产出指标|质量指标|覆盖率|= 100 %',
      '产出指标|时效指标|开课时效|定性 按学期及时开课',
      '产出指标|成本指标|生均补助标准|≤ 600 元/人·年',
      '效益指标|社会效益指标|参加比例|≥ 78 %',
      '满意度指标|服务对象满意度指标|家长满意度|≥ 92 %',
    ])
    // paths count 中期 rows first, as stored
    expect(norms(report)).toContainEqual(['H5', 'indicators[6].target', '100%', { comparator: '=', target: '100', unit: '%' }])
  })

  it('halves.xlsx 长期年度: 二级指标（长期）/（年度） in one row, 一级 on every row, a blank 年度 half', async () => {
    const { indicators } = read(await sheetOf('halves.xlsx', '长期年度'))
    expect(indicators.map(line)).toEqual([
      '中期 产出指标|数量指标|改造道路长度|≥ 12 公里',
      '中期 产出指标|质量指标|验收合格率|= 100 %',
      '中期 效益指标|社会效益指标|通行时间缩短|≥ 20 %',
      '中期 满意度指标|服务对象满意度指标|沿线群众满意度|≥ 90 %',
      '产出指标|数量指标|改造道路长度|≥ 5 公里',
      '产出指标|质量指标|验收合格率|= 100 %',
      '满意度指标|服务对象满意度指标|沿线群众满意度|≥ 90 %',
    ])
  })

  it('separate-columns.xlsx: 指标性质 words, a unit inside 指标值, ％, and the 2021 metadata columns', async () => {
    const { indicators, report } = read(await sheetOf('separate-columns.xlsx'), { framework: 'mof2021' })
    expect(indicators.map(line)).toEqual([
      '成本指标|经济成本指标|绿化养护单位成本|≤ 9 元/平方米·年',
      '产出指标|数量指标|养护绿地面积|= 150 万平方米',
      '产出指标|质量指标|月度考核合格率|≥ 95 %',
      '效益指标|社会效益指标|景观效果|定性 达到预期',
      '满意度指标|服务对象满意度指标|居民满意度|≥ 88 %',
    ])
    expect(indicators[0]).toMatchObject({ explanation: '养护合同年费用按面积平均', basis: '行业标准', scoringRule: '超出扣2分', dataSource: '养护合同' })
    expect(indicators[3]!.valueKind).toBe('qualitative')
    expect(norms(report)).toEqual([
      ['D4', 'indicators[0].comparator', '<=', '≤'],
      ['D5', 'indicators[1].comparator', '等于', '='],
      ['E6', 'indicators[2].unit', '', '%'],
      ['E6', 'indicators[2].target', '95%', '95'],
      ['F8', 'indicators[4].unit', '％', '%'],
    ])
  })

  it('hidden-and-formulas.xlsx: hidden row and column left out, formulas as cached results, #REF! read as blank, a date serial', async () => {
    const { sheets, problems } = await readWorkbook(fs.readFileSync(path.join(fixtures, 'hidden-and-formulas.xlsx')))
    expect(problems.map((p) => p.code).sort()).toEqual(['formula_error', 'hidden_skipped'])
    const { indicators, report } = read(sheets[0]!)
    expect(indicators.map((r) => [r.level3, r.comparator, r.target, r.unit, r.weight])).toEqual([
      ['改造户数', '≥', '120', '户', 10],
      ['', '=', '100', '%', 20],
      ['完工时间', '=', '2024-10-31', '日期', 10],
      ['住户满意度', '≥', '90', '%', 10],
    ])
    expect(report.unplaced).toEqual([]) // the hidden 内部备注 column is not in the grid
  })
})

describe('what our exporter writes comes back (indicator block, every template)', () => {
  const files = sampleFiles()
  it.each(files)('%s', async (file) => {
    const table = parseTableOrThrow(loadSample(file)) as TargetTable
    const doc = exportDoc({ tableId: 't', table, title: '测试', departmentName: '某局', status: 'draft', version: null, edition: 'internal' })
    const { sheets } = await readWorkbook(await tableXlsx(doc))
    const grid = sheets[0]!
    const heading = findIndicatorHeading(grid, 0)!
    expect(heading.firstRow).toBe(doc.layout.indicatorHeaderRow)
    const report = new ReportBuilder(grid.name)
    const { indicators, endRow } = readIndicators(grid, heading, report, { framework: frameworkOf(table), year: table.year })
    expect(grid.rows[endRow]![0]!.text).toMatch(/审核意见$/)
    // the fields the template prints; rows compared as sets (the form groups them by 一级/二级)
    const printed = new Set<string>(TEMPLATES[table.template].columns.map((c) => c.field))
    const extras = ['explanation', 'basis', 'dataSource', 'scoringRule', 'remark', 'weight', 'direction'].filter((f) => printed.has(f))
    const key = (r: IndicatorRow) => JSON.stringify([r.period, r.level1, r.level2, r.level3, r.comparator, r.target, r.unit, ...extras.map((f) => (r as unknown as Record<string, unknown>)[f] ?? null)])
    expect(indicators.map(key).sort()).toEqual(table.indicators.map(key).sort())
    // valueKind is not printed: it is inferred, and agrees with the sample
    expect(indicators.map((r) => `${r.level3}:${r.valueKind}`).sort()).toEqual(table.indicators.map((r) => `${r.level3}:${r.valueKind}`).sort())
    // the flat sheet's project columns are flat.ts's business; every other template leaves nothing unplaced
    if (table.template !== 'yth-flat') expect(report.unplaced).toEqual([])
  })
})
