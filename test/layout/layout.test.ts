// Sheet layout of each template from the reference samples: title, 年度, header block, merges of
// 一级/二级 groups, cell targets keyed by row id, computed 金额合计, protection and dropdowns; the paper's stamp and signature rows.
import { describe, expect, it } from 'vitest'
import { parseTableOrThrow, type TargetTable } from '../../shared/model/index.ts'
import { buildLayout, coveringTarget, dropdowns, protectedRanges, type CellTarget, type PaperOptions, type Range, type SheetLayout } from '../../shared/layout/layout.ts'
import { loadSample } from '../helpers/samples.ts'

function sample(id: string): TargetTable {
  return parseTableOrThrow(loadSample(id))
}

function find(layout: SheetLayout, text: string, from = 0): { row: number; col: number } {
  for (let r = from; r < layout.rowCount; r++) {
    const c = layout.cells[r]!.findIndex((cell) => cell.v === text && cell.target.kind !== 'covered')
    if (c >= 0) return { row: r, col: c }
  }
  throw new Error(`no cell "${text}"`)
}

function mergeAt(layout: SheetLayout, row: number, col: number): Range | undefined {
  return layout.merges.find((m) => m.startRow === row && m.startColumn === col)
}

function span(layout: SheetLayout, row: number, col: number): [number, number] {
  const m = mergeAt(layout, row, col)
  return m ? [m.endRow - m.startRow + 1, m.endColumn - m.startColumn + 1] : [1, 1]
}

const rowTarget = (t: CellTarget) => (t.kind === 'row' ? `${t.list}:${t.field}` : t.kind)

describe('layout: mof2015-project (S01, 3-year project)', () => {
  const table = sample('S01')
  const L = buildLayout(table)

  it('prints title, 年度 sub-title and the header block with its merges', () => {
    expect(L.columnCount).toBe(8)
    expect(L.cells[0]![0]!.v).toBe('项目支出绩效目标申报表')
    expect(mergeAt(L, 0, 0)).toEqual({ startRow: 0, endRow: 0, startColumn: 0, endColumn: 7 })
    expect(L.cells[1]![0]!.v).toBe('（2024年度）')
    const name = find(L, '项目名称')
    expect(span(L, name.row, name.col + 1)).toEqual([1, 7])
    expect(L.cells[name.row]![1]!.target).toEqual({ kind: 'field', path: ['header', 'projectName'], codec: 'text' })
    const funds = find(L, '项目资金（万元）')
    expect(span(L, funds.row, 0)).toEqual([3, 1])
    expect(L.cells[funds.row]![2]!.v).toBe('3780.00')
    expect(L.cells[funds.row]![5]!.v).toBe('1260.00')
    expect(find(L, '中期目标（2024年—2026年）').col).toBe(1)
  })

  it('puts 中期 and 年度 halves side by side with 一级 merged over the block and 二级 over its rows', () => {
    const head = L.indicatorHeaderRow
    expect(L.cells[head]![0]!.v).toBe('绩效指标')
    expect(mergeAt(L, head, 0)!.endRow).toBe(L.rowCount - 1) // 绩效指标 spans the whole grid
    const output = find(L, '产出指标', head)
    // annual 产出: 数量×2, 质量, 时效, 成本 = 5 lines; 中期: 数量, 质量, 时效, 成本 = 4 → padded to 5
    expect(span(L, output.row, 1)).toEqual([5, 1])
    expect(L.cells[output.row]![5]!.v).toBe('数量指标')
    expect(span(L, output.row, 5)).toEqual([2, 1]) // annual 数量指标 over its two rows
    expect(L.cells[output.row + 4]![3]!.target.kind).toBe('new') // padding line of the shorter 中期 half
    const t = L.cells[output.row]![7]!.target
    expect(t.kind === 'row' && t.field === 'value' && t.rowId === table.indicators[6]!.id).toBe(true)
    expect(L.cells[output.row]![7]!.v).toBe('≥21000人')
  })

  it('keeps empty 二级 rows as printed labels with blank, writable cells (keepEmptyLevel2)', () => {
    const econ = find(L, '经济效益指标', L.indicatorHeaderRow)
    expect(L.cells[econ.row]![econ.col]!.target.kind).toBe('label')
    const blank = L.cells[econ.row]![econ.col + 1]!.target
    expect(blank.kind === 'new' && blank.seed.level2 === '经济效益指标' && blank.seed.period === 'midTerm').toBe(true)
  })

  it('protects labels and computed cells and nothing editable', () => {
    const ranges = protectedRanges(L)
    const inside = (r: number, c: number) => ranges.some((x) => r >= x.startRow && r <= x.endRow && c >= x.startColumn && c <= x.endColumn)
    for (let r = 0; r < L.rowCount; r++) {
      for (let c = 0; c < L.columnCount; c++) {
        const k = coveringTarget(L, r, c).kind
        expect(inside(r, c), `${r},${c} ${k}`).toBe(k === 'label' || k === 'computed')
      }
    }
  })
})

describe('layout: mof2015-dept (S06)', () => {
  const table = sample('S06')
  const L = buildLayout(table)

  it('prints the task block with computed 金额合计 (exact sums, not the filled-in totals)', () => {
    expect(L.columnCount).toBe(6)
    const tasks = find(L, '年度主要任务')
    const total = find(L, '金额合计')
    expect(span(L, tasks.row, 0)).toEqual([total.row - tasks.row + 1, 1])
    expect(span(L, total.row, total.col)).toEqual([1, 2])
    expect(L.cells[total.row]!.slice(3).map((c) => c.v)).toEqual(['344.90', '344.90', '0.00'])
    expect(L.cells[total.row]![3]!.target).toEqual({ kind: 'computed', path: 'taskTotals.total' })
    const first = L.cells[tasks.row + 2]![1]!
    expect(first.v).toBe('机关运转保障')
    expect(first.target).toEqual({ kind: 'row', list: 'tasks', rowId: table.kind === 'department' ? table.tasks[0]!.id : '', field: 'name', codec: 'text' })
  })

  it('merges 年度绩效指标 over the grid and 三级 over two columns', () => {
    const head = find(L, '年度绩效指标')
    expect(mergeAt(L, head.row, 0)!.endRow).toBe(L.rowCount - 1)
    const output = find(L, '产出指标', head.row)
    expect(span(L, output.row, 1)).toEqual([9, 1]) // 数量×5, 质量×2, 时效, 成本
    expect(span(L, output.row, 2)).toEqual([5, 1])
    expect(span(L, output.row, 3)).toEqual([1, 2])
  })
})

describe('layout: mof2021-core (S09)', () => {
  const table = sample('S09')
  const L = buildLayout(table)

  it('orders 成本 first and holds 指标性质/指标值/度量单位 in their own columns', () => {
    const head = L.indicatorHeaderRow
    expect(L.cells[head]!.map((c) => c.v)).toEqual(['一级指标', '二级指标', '三级指标', '指标性质', '指标值', '度量单位', '指标解释', '指标值设定依据及数据来源', '评（扣）分标准', '数据来源'])
    expect(L.cells[head + 1]![0]!.v).toBe('成本指标')
    expect(span(L, head + 1, 0)).toEqual([4, 1])
    expect(span(L, head + 1, 1)).toEqual([2, 1])
    expect(L.cells[head + 1]!.slice(3, 6).map((c) => c.v)).toEqual(['≤', '9', '元/平方米·年'])
    expect(L.cells[head + 1]!.slice(3, 7).map((c) => rowTarget(c.target))).toEqual(['indicators:comparator', 'indicators:target', 'indicators:unit', 'indicators:explanation'])
  })

  it('offers the comparator and framework dropdowns', () => {
    const lists = dropdowns(L).map((d) => d.list.join(' '))
    expect(lists).toContain('≥ ≤ = > < 定性')
    expect(lists).toContain('成本指标 产出指标 效益指标 满意度指标')
    expect(lists).toContain('经济成本指标 社会成本指标 生态环境成本指标')
  })

  it('drops empty 二级 rows (keepEmptyLevel2 = false)', () => {
    const quality = find(L, '质量指标', L.indicatorHeaderRow)
    expect(span(L, quality.row, quality.col)).toEqual([2, 1])
    expect(L.cells.some((row) => row.some((c) => c.v === '经济效益指标'))).toBe(false)
  })
})

describe('layout: local-simple (S03)', () => {
  const L = buildLayout(sample('S03'))

  it('prints the county form with 备注 and the 财政部门审核意见 row', () => {
    expect(L.cells[0]![0]!.v).toBe('绩效目标申报表')
    expect(L.cells[L.indicatorHeaderRow]!.map((c) => c.v)).toEqual(['绩效指标', '一级指标', '二级指标', '三级指标', '指标值', '备注'])
    expect(L.cells[L.rowCount - 1]![0]!.v).toBe('财政部门审核意见')
    expect(span(L, L.rowCount - 1, 1)).toEqual([1, 5])
    const v = find(L, '≥**人', L.indicatorHeaderRow)
    expect(v.col).toBe(4)
  })
})

describe('layout: yth-flat (S10)', () => {
  const table = sample('S10')
  const L = buildLayout(table)

  it('lists one row per indicator with the project cells merged down and 一级 in its own column', () => {
    expect(L.cells[0]![0]!.v).toBe('部门预算项目绩效目标申报表（2024年度）')
    const head = L.indicatorHeaderRow
    expect(L.cells[head]!.map((c) => c.v).slice(0, 6)).toEqual(['单位名称', '项目名称', '预算数（万元）', '年度目标', '一级指标', '二级指标'])
    const n = table.indicators.length
    expect(span(L, head + 1, 1)).toEqual([n, 1])
    expect(L.rowCount).toBe(head + 1 + n)
    expect(L.cells[head + 1]!.slice(4, 10).map((c) => c.v)).toEqual(['产出指标', '数量指标', '救助困难群众1500人次', '≥', '1500', '人次'])
    expect(L.cells[head + 2]![11]!.v).toBe('正向指标')
    expect(mergeAt(L, head + 1, 4)).toBeUndefined() // flat: no 一级 merges
  })

  it('sorts rows 产出 → 效益 → 满意度 but keeps stored order inside a 二级', () => {
    const rows = { ...table, indicators: [table.indicators[7]!, table.indicators[0]!, table.indicators[6]!] }
    const L2 = buildLayout(rows as TargetTable)
    expect(L2.cells.slice(L2.indicatorHeaderRow + 1).map((r) => r[4]!.v)).toEqual(['产出指标', '效益指标', '满意度指标'])
  })
})

describe('layout: rendering a sample in another template of its kind', () => {
  it('shows a mof2015-project table as local-simple (annual half only)', () => {
    const L = buildLayout(sample('S01'), 'local-simple')
    expect(L.templateId).toBe('local-simple')
    expect(L.cells.some((row) => row.some((c) => c.v === '≥21000人'))).toBe(true)
    expect(L.cells.some((row) => row.some((c) => c.v === '课后服务按学期开课率'))).toBe(false) // a 中期-only row
  })

  it('refuses a template of the other kind and falls back to the table’s own', () => {
    expect(buildLayout(sample('S06'), 'yth-flat').templateId).toBe('mof2015-dept')
  })
})

describe('layout: a half-typed live document', () => {
  it('survives missing header objects, null funds and rows without 一级', () => {
    const t = sample('S01') as TargetTable & { kind: 'project' }
    const broken = {
      ...t, header: { projectName: '' }, funds: { midTerm: null, annual: { total: null, fiscal: '约100', other: null } },
      indicators: [{ ...t.indicators[0]!, level1: '', level2: '' }],
    } as unknown as TargetTable
    const L = buildLayout(broken)
    expect(L.rowCount).toBeGreaterThan(20)
    expect(L.cells.some((row) => row.some((c) => c.v === '约100'))).toBe(true)
  })

  it('lays out an empty document in the template it is opened with (blank form, one writable line per group)', () => {
    const L = buildLayout({} as TargetTable, 'local-simple')
    expect(L.templateId).toBe('local-simple')
    expect(L.cells[0]![0]!.v).toBe('绩效目标申报表')
    const blank = L.cells.flat().filter((c) => c.target.kind === 'new')
    expect(blank.length).toBeGreaterThan(10)
  })
})

describe('layout: paper (export) furniture', () => {
  const signed = (id: string) => {
    const t = sample(id) as TargetTable & { header: Record<string, unknown> }
    return { ...t, header: { ...t.header, preparer: '王小明', phone: '0755-1234567', unitLeader: '李主任', fillDate: '2024年1月5日', reviewOpinion: '同意申报' } } as TargetTable
  }
  const texts = (L: SheetLayout) => L.cells.flat().filter((c) => c.target.kind !== 'covered').map((c) => c.v)
  const samples: [string, string][] = [['S01', 'mof2015-project'], ['S06', 'mof2015-dept'], ['S09', 'mof2021-core'], ['S03', 'local-simple'], ['S10', 'yth-flat']]

  it.each(samples)('without paper options the layout is the screen’s (%s, %s)', (id) => {
    const t = signed(id)
    const screen = buildLayout(t)
    expect(texts(screen)).not.toContain('填报人')
    expect(texts(screen)).not.toContain('王小明')
    expect(screen.cells.map((r) => r.map((c) => c.v))).toEqual(buildLayout(t, t.template, undefined).cells.map((r) => r.map((c) => c.v)))
  })

  it.each(samples)('a draft’s title ends in （草稿） and keeps its 年度 (%s, %s)', (id) => {
    const t = signed(id)
    const screen = buildLayout(t)
    const L = buildLayout(t, t.template, { signatures: false, stamp: '草稿' })
    expect(L.cells[0]![0]!.v).toBe(`${screen.cells[0]![0]!.v}（草稿）`)
    expect(texts(L).some((v) => v.includes('2024年度'))).toBe(true)
    // nothing else moves: same rows, same merges
    expect(L.rowCount).toBe(screen.rowCount)
    expect(L.merges).toEqual(screen.merges)
  })

  it.each(samples)('a version stamp is printed left of 金额单位 on the line under the title (%s, %s)', (id) => {
    const t = signed(id)
    const stamp = '第 2 版（2026年11月20日审核通过）'
    const screen = buildLayout(t)
    const L = buildLayout(t, t.template, { signatures: false, stamp })
    const row = L.cells.findIndex((r) => r.some((c) => c.v === stamp))
    expect(row).toBeGreaterThan(0)
    expect(row).toBeLessThan(L.indicatorHeaderRow)
    expect(L.cells[row]![0]!.v).toBe(stamp)
    expect(L.cells[row]!.some((c) => c.v === '金额单位：万元' || c.v === '金额单位：元')).toBe(true)
    // the two cells tile the line: one merge left, one right, none overlapping
    const onRow = L.merges.filter((m) => m.startRow === row)
    expect(onRow.map((m) => [m.startColumn, m.endColumn])).toEqual([[0, Math.floor(L.columnCount / 2) - 1], [Math.floor(L.columnCount / 2), L.columnCount - 1]])
    expect(L.cells[0]![0]!.v).toBe(screen.cells[0]![0]!.v)
  })

  it.each(samples)('signatures add 填报人、联系电话、单位负责人、填报日期 and 审核意见 under the form (%s, %s)', (id, template) => {
    const t = signed(id)
    const screen = buildLayout(t)
    const paper: PaperOptions = { signatures: true, stamp: '' }
    const L = buildLayout(t, t.template, paper)
    expect(L.rowCount).toBeGreaterThan(screen.rowCount)
    // the form itself is unchanged above the new rows
    expect(L.cells.slice(0, screen.rowCount).map((r) => r.map((c) => c.v))).toEqual(screen.cells.map((r) => r.map((c) => c.v)))
    const below = L.cells.slice(screen.rowCount).flat().filter((c) => c.target.kind !== 'covered').map((c) => c.v)
    for (const [label, value] of [['填报人', '王小明'], ['联系电话', '0755-1234567'], ['单位负责人', '李主任'], ['填报日期', '2024年1月5日']]) {
      expect(below).toContain(label)
      expect(below).toContain(value)
      // the value follows its label on the same row
      const pos = L.cells.findIndex((r, i) => i >= screen.rowCount && r.some((c) => c.v === label))
      const row = L.cells[pos]!
      expect(row.findIndex((c) => c.v === value)).toBe(row.findIndex((c) => c.v === label) + 1)
    }
    if (template === 'local-simple') {
      // the form's own 财政部门审核意见 row carries the opinion; no second 审核意见 row
      expect(below).not.toContain('审核意见')
      expect(texts(L).filter((v) => v === '同意申报')).toHaveLength(1)
    } else {
      expect(below).toContain('审核意见')
      expect(below).toContain('同意申报')
    }
    // every appended cell stays inside the form's width, merges never overlap
    for (const [i, a] of L.merges.entries()) {
      expect(a.endColumn).toBeLessThan(L.columnCount)
      for (const b of L.merges.slice(i + 1)) {
        const overlap = a.startRow <= b.endRow && b.startRow <= a.endRow && a.startColumn <= b.endColumn && b.startColumn <= a.endColumn
        expect(overlap).toBe(false)
      }
    }
    expect(L.rowHeights).toHaveLength(L.rowCount)
  })

  it('the public edition (signatures false) has no signature rows at all', () => {
    for (const [id] of samples) {
      const t = signed(id)
      const L = buildLayout(t, t.template, { signatures: false, stamp: '草稿' })
      expect(L.rowCount).toBe(buildLayout(t).rowCount)
      for (const word of ['填报人', '单位负责人', '填报日期', '王小明', '李主任']) expect(texts(L)).not.toContain(word)
    }
  })
})
