// The 意见汇总表's pure parts: where an opinion sits, its 处理状态, its author, and the text and file name
// rules that keep the xlsx one Excel opens without repair.
import { describe, expect, it } from 'vitest'
import { blankTable, parseTableOrThrow, type TargetTable } from '../../shared/model/index.ts'
import type { CommentThread } from '../../shared/ydoc/index.ts'
import { attachmentHeader } from '../../server/http/routes/opinions.ts'
import { buildOpinions, opinionPosition, opinionState } from '../../server/review/opinions.ts'
import { cellText, estimateHeight } from '../../server/review/opinions-xlsx.ts'
import { loadSample } from '../helpers/samples.ts'

function makeThread(overrides: Partial<CommentThread> = {}): CommentThread {
  return {
    id: 'c1', anchor: {}, round: 1, status: 'open', authorId: 'u-reviewer', createdAt: '2024-03-01T02:00:00.000Z',
    messages: [{ id: 'm1', authorId: 'u-reviewer', text: '意见', createdAt: '2024-03-01T02:00:00.000Z' }],
    ...overrides,
  }
}
const reply = (authorId: string, text = '回复') => ({ id: `m-${text}`, authorId, text, createdAt: '2024-03-02T02:00:00.000Z' })

describe('opinionPosition', () => {
  const project = parseTableOrThrow(loadSample('S01')) as TargetTable
  const department = parseTableOrThrow(loadSample('S06')) as TargetTable
  const row = project.indicators.find((r) => r.period === 'annual')!
  const mid = project.indicators.find((r) => r.period === 'midTerm')!

  it('names an indicator row by its three levels, a mid-term one marked, and the cell when it is not a level', () => {
    expect(opinionPosition(project, { rowId: row.id })).toBe(`${row.level1}/${row.level2}/${row.level3}`)
    expect(opinionPosition(project, { rowId: row.id, field: 'level2' })).toBe(`${row.level1}/${row.level2}/${row.level3}`)
    expect(opinionPosition(project, { rowId: row.id, field: 'unit' })).toBe(`${row.level1}/${row.level2}/${row.level3}（度量单位）`)
    expect(opinionPosition(project, { rowId: row.id, field: 'value' })).toBe(`${row.level1}/${row.level2}/${row.level3}（指标值）`)
    expect(opinionPosition(project, { rowId: mid.id })).toBe(`中期：${mid.level1}/${mid.level2}/${mid.level3}`)
  })

  it('marks blank levels instead of leaving empty slashes', () => {
    const blank = { ...blankTable('mof2015-project', 2024) }
    blank.indicators = [{ id: 'r1', period: 'annual', level1: '产出指标', level2: '', level3: ' ', comparator: '', target: '', unit: '' }]
    expect(opinionPosition(blank, { rowId: 'r1' })).toBe('产出指标/（未填）/（未填）')
  })

  it('names a task of a department table, and its cell', () => {
    if (department.kind !== 'department') throw new Error('S06 is a department table')
    const task = department.tasks[1]!
    expect(opinionPosition(department, { rowId: task.id, field: 'name' })).toBe(`年度主要任务：${task.name}`)
    expect(opinionPosition(department, { rowId: task.id, field: 'fiscal' })).toBe(`年度主要任务：${task.name}（财政拨款）`)
  })

  it('names header and computed fields by their labels, never by their paths', () => {
    expect(opinionPosition(project, { field: 'header.projectName' })).toBe('项目名称')
    expect(opinionPosition(project, { field: 'header.competentDept' })).toBe('主管部门及代码')
    expect(opinionPosition(project, { field: 'annualGoal' })).toBe('年度目标')
    expect(opinionPosition(project, { field: 'funds.midTerm.fiscal' })).toBe('项目资金·中期资金·财政拨款')
    expect(opinionPosition(department, { field: 'taskTotals.total' })).toBe('金额合计·总额')
  })

  it('names the grid\'s label cells and blank new-row cells readably', () => {
    expect(opinionPosition(project, { field: 'label:l1:产出指标' })).toBe('产出指标')
    expect(opinionPosition(project, { field: 'label:l2:midTerm:产出指标:数量指标' })).toBe('中期：产出指标/数量指标')
    expect(opinionPosition(project, { field: 'label:title' })).toBe('表名')
    expect(opinionPosition(project, { field: 'new:annual|产出指标|数量指标.level3' })).toBe('产出指标/数量指标（新增行）·三级指标')
    expect(opinionPosition(project, { field: 'new:annual|效益指标|pad0.level2' })).toBe('效益指标（新增行）·二级指标')
    expect(opinionPosition(department, { field: 'new:tasks|pad.name' })).toBe('年度主要任务（新增行）·任务名称')
  })

  it('calls no anchor the whole table and a missing row deleted', () => {
    expect(opinionPosition(project, {})).toBe('整表')
    expect(opinionPosition(project, { rowId: 'r-gone', field: 'target' })).toBe('已删除的行（r-gone）')
    expect(opinionPosition(null, { rowId: 'r-any' })).toBe('已删除的行（r-any）')
  })
})

describe('opinionState', () => {
  it('puts resolved before the disposition, the disposition before replies', () => {
    expect(opinionState(makeThread({ status: 'resolved', disposition: 'declined', dispositionReason: '理由' }))).toBe('已解决')
    expect(opinionState(makeThread({ disposition: 'revised', messages: [makeThread().messages[0]!, reply('u-dept')] }))).toBe('已修改')
    expect(opinionState(makeThread({ disposition: 'declined', dispositionReason: '理由' }))).toBe('不采纳')
    expect(opinionState(makeThread({ messages: [makeThread().messages[0]!, reply('u-dept')] }))).toBe('已回复')
    expect(opinionState(makeThread())).toBe('待回复')
  })

  it('does not count the reviewer adding to their own opinion as an answer', () => {
    expect(opinionState(makeThread({ messages: [makeThread().messages[0]!, reply('u-reviewer', '补充')] }))).toBe('待回复')
  })
})

describe('buildOpinions', () => {
  it('orders by creation, numbers from the given start, and names unknown users by id', () => {
    const people = new Map([['u-reviewer', { name: '周婷', unit: '第三方机构' }], ['u-viewer', { name: '孙伟', unit: '' }]])
    const rows = buildOpinions({
      table: { id: 'tb1', title: '表一' },
      content: null,
      threads: [
        makeThread({ id: 'late', createdAt: '2024-03-05T00:00:00.000Z', messages: [makeThread().messages[0]!, reply('u-ghost', '谁')] }),
        makeThread({ id: 'early', createdAt: '2024-03-01T00:00:00.000Z', authorId: 'u-viewer', dispositionReason: '  ' }),
      ],
      people,
      firstIndex: 7,
    })
    expect(rows.map((r) => [r.index, r.threadId, r.author, r.replies, r.dispositionReason])).toEqual([
      [7, 'early', '孙伟', [], null],
      [8, 'late', '周婷，第三方机构', ['未知用户（u-ghost）：谁'], null],
    ])
  })
})

describe('cellText', () => {
  it('drops characters XML 1.0 forbids and keeps tabs, newlines and astral characters', () => {
    expect(cellText('a\u0000b\u0007c\uFFFEd\uFFFFe\tf\ng\uD800h\uDC00i𠀀j')).toBe('abcde\tf\nghi𠀀j')
  })

  it('cuts text past Excel\'s 32 767 characters with a notice, never between a surrogate pair', () => {
    expect(cellText('字'.repeat(32_767))).toBe('字'.repeat(32_767))
    const cut = cellText('字'.repeat(40_000))
    expect(cut.length).toBe(32_767)
    expect(cut.endsWith('…（内容过长，已截断，全文请在系统中查看）')).toBe(true)
    // one BMP character first puts a high surrogate exactly where the cut would fall
    const astral = cellText('x' + '𠀀'.repeat(20_000))
    expect(astral.length).toBe(32_766)
    expect(cellText(astral)).toBe(astral) // nothing left half of a pair
  })
})

describe('estimateHeight', () => {
  it('grows with wrapped and broken lines, counting CJK characters double, up to Excel\'s 409 points', () => {
    const one = estimateHeight([{ width: 20, text: '短' }])
    expect(estimateHeight([{ width: 20, text: '字'.repeat(9) }])).toBe(one) // 18 units fit a width of 20
    expect(estimateHeight([{ width: 20, text: '字'.repeat(10) }])).toBeGreaterThan(one)
    expect(estimateHeight([{ width: 20, text: 'a'.repeat(17) }])).toBe(one)
    expect(estimateHeight([{ width: 20, text: '一\n二\n三' }])).toBe(estimateHeight([{ width: 20, text: '字'.repeat(27) }]))
    expect(estimateHeight([{ width: 20, text: '短' }, { width: 10, text: '字'.repeat(40) }])).toBeGreaterThan(estimateHeight([{ width: 20, text: '字'.repeat(20) }]))
    expect(estimateHeight([{ width: 20, text: '字'.repeat(100_000) }])).toBe(409)
  })
})

describe('attachmentHeader', () => {
  it('gives an RFC 5987 UTF-8 name that decodes to the Chinese name, and an ASCII fallback', () => {
    const name = "意见汇总表-“文化惠民”(试点)*'v1'-第1轮.xlsx"
    const header = attachmentHeader(name, 'opinions-t1-round-1.xlsx')
    expect(header).toMatch(/^attachment; filename="opinions-t1-round-1\.xlsx"; filename\*=UTF-8''[A-Za-z0-9%!#$&+\-.^_`|~]+$/)
    expect(decodeURIComponent(header.split("UTF-8''")[1]!)).toBe(name)
  })
})
