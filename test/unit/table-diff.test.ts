// diffTables and changeLabel on the sample tables: each kind of change alone, blanks, key order, minimal
// moves, and properties (a table against itself, edits with known changes, before/after swapped).
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { changeLabel, diffTables, type TableChange } from '../../shared/diff/table-diff.ts'
import { parseTableOrThrow, type DepartmentTable, type IndicatorRow, type ProjectTable, type TargetTable } from '../../shared/model/index.ts'
import { loadSample, sampleFiles } from '../helpers/samples.ts'

const clone = <T>(v: T): T => structuredClone(v)

function sample(id: string): TargetTable {
  const raw = loadSample(id) as Record<string, unknown>
  // stable ids, so expectations can name rows
  for (const list of ['indicators', 'tasks']) {
    const rows = raw[list] as Record<string, unknown>[] | undefined
    rows?.forEach((r, i) => (r.id = `${list === 'tasks' ? 't' : 'r'}${i}`))
  }
  return parseTableOrThrow(raw)
}

const project = () => sample('S01') as ProjectTable
const department = () => sample('S06') as DepartmentTable

/** keys reversed at every level: what a jsonb round trip may do to key order */
function reverseKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reverseKeys)
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverseKeys(x)]))
  return v
}

describe('diffTables', () => {
  it.each(sampleFiles().map((f) => f.slice(0, 3)))('finds nothing between sample %s and itself, whatever the key order', (id) => {
    const t = sample(id)
    expect(diffTables(t, clone(t))).toEqual([])
    expect(diffTables(t, reverseKeys(t) as TargetTable)).toEqual([])
  })

  it('reports a header field and a nested header field by their paths', () => {
    const a = project()
    const b = clone(a)
    b.header.projectName = '新的项目名称'
    b.header.functionalClass = { code: '2050203', name: '小学教育' }
    expect(diffTables(a, b)).toEqual([
      { op: 'change', path: 'header.projectName', before: '南江市义务教育学校课后服务经费补助', after: '新的项目名称' },
      { op: 'change', path: 'header.functionalClass.code', before: '2050202', after: '2050203' },
    ])
  })

  it('reports funds leaf by leaf, including a split that appears where there was none', () => {
    const a = project()
    a.funds.midTerm = null
    const b = clone(a)
    b.funds.annual.total = 1300
    b.funds.midTerm = { total: 10, fiscal: 10, other: 0 }
    expect(diffTables(a, b)).toEqual([
      { op: 'change', path: 'funds.midTerm.total', after: 10 },
      { op: 'change', path: 'funds.midTerm.fiscal', after: 10 },
      { op: 'change', path: 'funds.midTerm.other', after: 0 },
      { op: 'change', path: 'funds.annual.total', before: 1260, after: 1300 },
    ])
  })

  it('reports a goal as one change holding the whole texts', () => {
    const a = project()
    const b = clone(a)
    b.annualGoal = a.annualGoal + '\n目标3：新增一条。'
    expect(diffTables(a, b)).toEqual([{ op: 'change', path: 'annualGoal', before: a.annualGoal, after: b.annualGoal }])
  })

  it('treats absent, null and empty text as the same blank', () => {
    const a = project()
    a.header.projectLeader = ''
    a.indicators[0]!.explanation = ''
    const b = clone(a)
    delete b.header.projectLeader
    delete b.indicators[0]!.explanation
    ;(b.header as Record<string, unknown>).fundSource = null
    expect(diffTables(a, b)).toEqual([])
  })

  it('reports a changed cell of a row by the row id, at its index in the new table', () => {
    const a = project()
    const b = clone(a)
    b.indicators[4]!.target = '99'
    b.indicators[4]!.remark = '新增备注'
    expect(diffTables(a, b)).toEqual([
      { op: 'change', path: 'indicators[4].target', rowId: 'r4', field: 'target', before: a.indicators[4]!.target, after: '99' },
      { op: 'change', path: 'indicators[4].remark', rowId: 'r4', field: 'remark', after: '新增备注' },
    ])
  })

  it('reports added and removed rows whole, at their own side’s index', () => {
    const a = department()
    const b = clone(a)
    const added: IndicatorRow = { id: 'new1', period: 'annual', level1: '产出指标', level2: '数量指标', level3: '培训人数', comparator: '≥', target: '100', unit: '人' }
    const removed = b.tasks.splice(1, 1)[0]!
    b.indicators.splice(2, 0, added)
    expect(diffTables(a, b)).toEqual([
      { op: 'remove', path: 'tasks[1]', rowId: 't1', before: removed },
      { op: 'add', path: 'indicators[2]', rowId: 'new1', after: added },
    ])
  })

  it('reports one move when one row is moved to the other end, not every row it passed', () => {
    const a = project()
    const b = clone(a)
    const [row] = b.indicators.splice(0, 1)
    b.indicators.push(row!)
    const last = b.indicators.length - 1
    expect(diffTables(a, b)).toEqual([{ op: 'move', path: `indicators[${last}]`, rowId: 'r0', before: 0, after: last }])
  })

  it('reports a moved row’s changed cells with it', () => {
    const a = project()
    const b = clone(a)
    const [row] = b.indicators.splice(3, 1)
    row!.unit = '个'
    b.indicators.splice(0, 0, row!)
    expect(diffTables(a, b)).toEqual([
      { op: 'move', path: 'indicators[0]', rowId: 'r3', before: 3, after: 0 },
      { op: 'change', path: 'indicators[0].unit', rowId: 'r3', field: 'unit', before: a.indicators[3]!.unit, after: '个' },
    ])
  })

  it('diffs two 300-row lists in well under 20 ms', () => {
    const a = project()
    const rows = Array.from({ length: 300 }, (_, i) => ({ ...a.indicators[i % a.indicators.length]!, id: `x${i}`, level3: `指标${i}` }))
    const before = { ...a, indicators: rows }
    const after = { ...a, indicators: rows.map((r, i) => (i % 10 === 0 ? { ...r, target: `${i}` } : r)).reverse() }
    for (let i = 0; i < 20; i++) diffTables(before, after) // warm: the first runs include compiling
    const times: number[] = []
    let changes: TableChange[] = []
    for (let i = 0; i < 11; i++) {
      const t0 = performance.now()
      changes = diffTables(before, after)
      times.push(performance.now() - t0)
    }
    expect(times.sort((x, y) => x - y)[5]).toBeLessThan(20) // the median: a loaded machine's slices are not the diff's
    expect(changes.filter((c) => c.op === 'move')).toHaveLength(299)
    expect(changes.filter((c) => c.op === 'change').length).toBeGreaterThan(0)
  })
})

describe('changeLabel', () => {
  it('names an indicator row by its levels and a row field after it', () => {
    const t = project()
    const row = t.indicators.find((r) => r.period === 'annual')!
    const at = t.indicators.indexOf(row)
    expect(changeLabel(t, { op: 'change', path: `indicators[${at}].target`, rowId: row.id, field: 'target' })).toBe(`${row.level1}/${row.level2}/${row.level3} · 指标值`)
    expect(changeLabel(t, { op: 'move', path: `indicators[${at}]`, rowId: row.id })).toBe(`${row.level1}/${row.level2}/${row.level3}`)
    const mid = t.indicators.find((r) => r.period === 'midTerm')!
    expect(changeLabel(t, { op: 'move', path: 'indicators[0]', rowId: mid.id })).toBe(`${mid.level1}/${mid.level2}/${mid.level3}（中期）`)
  })

  it('names a task by its name and a removed row from the change itself', () => {
    const t = department()
    expect(changeLabel(t, { op: 'change', path: 'tasks[0].content', rowId: 't0', field: 'content' })).toBe('机关运转保障 · 主要内容')
    const gone = { id: 'gone', period: 'annual', level1: '效益指标', level2: '社会效益指标', level3: '群众知晓率', comparator: '≥', target: '90', unit: '%' }
    expect(changeLabel(t, { op: 'remove', path: 'indicators[9]', rowId: 'gone', before: gone })).toBe('效益指标/社会效益指标/群众知晓率')
    expect(changeLabel(t, { op: 'change', path: 'indicators[9].target', rowId: 'gone', field: 'target' })).toBe('绩效指标 · 指标值')
  })

  it('names a field by its labels, leaving out the header level', () => {
    const t = project()
    expect(changeLabel(t, { op: 'change', path: 'header.functionalClass.code' })).toBe('功能分类科目/代码')
    expect(changeLabel(t, { op: 'change', path: 'funds.annual.total' })).toBe('项目资金/年度资金/总额')
    expect(changeLabel(t, { op: 'change', path: 'annualGoal' })).toBe('年度目标')
  })
})

// ---- properties

type Edit =
  | { kind: 'set'; row: number; field: 'target' | 'unit' | 'level3' | 'remark'; value: string }
  | { kind: 'remove'; row: number }
  | { kind: 'add'; at: number; n: number }

const editArb = (rows: number): fc.Arbitrary<Edit> =>
  fc.oneof(
    fc.record({ kind: fc.constant('set' as const), row: fc.nat(rows - 1), field: fc.constantFrom('target' as const, 'unit' as const, 'level3' as const, 'remark' as const), value: fc.string({ minLength: 1, maxLength: 6 }) }),
    fc.record({ kind: fc.constant('remove' as const), row: fc.nat(rows - 1) }),
    fc.record({ kind: fc.constant('add' as const), at: fc.nat(rows), n: fc.nat(1000) }),
  )

/** Applies edits to distinct original rows (no moves: relative order is kept) and says what changed. */
function applyEdits(base: ProjectTable, edits: Edit[]): { after: ProjectTable; expected: Set<string> } {
  const after = clone(base)
  const byRow = new Map<number, Edit>()
  const adds: Extract<Edit, { kind: 'add' }>[] = []
  for (const e of edits) {
    if (e.kind === 'add') adds.push(e)
    else if (!byRow.has(e.row)) byRow.set(e.row, e)
  }
  const expected = new Set<string>()
  const kept: IndicatorRow[] = []
  base.indicators.forEach((row, i) => {
    const e = byRow.get(i)
    if (e?.kind === 'remove') return void expected.add(`remove ${row.id}`)
    const copy = { ...row }
    if (e?.kind === 'set') {
      const value = `${e.value}!` // never equal to the old value
      if (copy[e.field] !== value) expected.add(`change ${row.id}.${e.field}`)
      copy[e.field] = value
    }
    kept.push(copy)
  })
  adds.forEach((e, k) => {
    const row: IndicatorRow = { id: `add${k}-${e.n}`, period: 'annual', level1: '产出指标', level2: '数量指标', level3: `新${e.n}`, comparator: '≥', target: '1', unit: '个' }
    kept.splice(Math.min(e.at, kept.length), 0, row)
    expected.add(`add ${row.id}`)
  })
  after.indicators = kept
  return { after, expected }
}

const summary = (changes: TableChange[]) => new Set(changes.map((c) => (c.op === 'change' ? `change ${c.rowId}.${c.field}` : `${c.op} ${c.rowId}`)))

describe('diffTables properties', () => {
  const base = project()

  it('reports exactly the edits made, and paths that point at the changed value', () => {
    fc.assert(
      fc.property(fc.array(editArb(base.indicators.length), { maxLength: 8 }), (edits) => {
        const { after, expected } = applyEdits(base, edits)
        const changes = diffTables(base, after)
        expect(summary(changes)).toEqual(expected)
        for (const c of changes) {
          const side = (c.op === 'remove' ? base : after).indicators
          const index = Number(/^indicators\[(\d+)\]/.exec(c.path)![1])
          expect(side[index]!.id).toBe(c.rowId)
        }
      }),
      { numRuns: 200 },
    )
  })

  it('reports one move for a row moved anywhere, and nothing when it stays', () => {
    fc.assert(
      fc.property(fc.nat(base.indicators.length - 1), fc.nat(base.indicators.length - 1), (from, to) => {
        const after = clone(base)
        const [row] = after.indicators.splice(from, 1)
        after.indicators.splice(to, 0, row!)
        const changes = diffTables(base, after)
        expect(changes).toHaveLength(from === to ? 0 : 1)
        if (from === to) return
        // two neighbours swapped: moving either one is as small an explanation
        if (Math.abs(from - to) === 1) expect(changes[0]).toMatchObject({ op: 'move', before: expect.toBeOneOf([from, to]), after: expect.toBeOneOf([from, to]) })
        else expect(changes[0]).toEqual({ op: 'move', path: `indicators[${to}]`, rowId: row!.id, before: from, after: to })
      }),
    )
  })

  it('swapping before and after swaps adds with removes and each change’s values', () => {
    fc.assert(
      fc.property(fc.array(editArb(base.indicators.length), { maxLength: 8 }), fc.nat(base.indicators.length - 1), (edits, moved) => {
        const { after } = applyEdits(base, edits)
        if (after.indicators.length > 1) after.indicators.push(after.indicators.splice(moved % after.indicators.length, 1)[0]!)
        const forward = diffTables(base, after)
        const backward = diffTables(after, base)
        const flip = { add: 'remove', remove: 'add', move: 'move', change: 'change' } as const
        const key = (c: TableChange) => `${c.op} ${c.rowId} ${c.field ?? ''}`
        // moves are compared by count: when neighbours trade places either one may be the one that moved
        const notMoves = (cs: TableChange[]) => cs.filter((c) => c.op !== 'move')
        expect(new Set(notMoves(backward).map(key))).toEqual(new Set(notMoves(forward).map((c) => key({ ...c, op: flip[c.op] }))))
        for (const c of forward.filter((x) => x.op === 'change')) {
          const back = backward.find((x) => x.op === 'change' && x.rowId === c.rowId && x.field === c.field)!
          expect([back.before, back.after]).toEqual([c.after, c.before])
        }
        expect(backward.filter((x) => x.op === 'move').length).toBe(forward.filter((x) => x.op === 'move').length)
      }),
      { numRuns: 200 },
    )
  })
})
