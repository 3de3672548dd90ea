// Odd input: text, negative and null amounts, placeholders, wrong framework pairs, fuzzed tables — findings, never throws.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseTable, type TargetTable } from '../../shared/model/index.ts'
import { validateTable } from '../../shared/rules/index.ts'
import { makeDepartment, makeProject, patchRows, projectRows } from '../helpers/factories.ts'
import { loadSample } from '../helpers/samples.ts'
import { tableArb } from '../helpers/arbitraries.ts'
import { pathsOf } from './helpers.ts'

describe('validateTable on odd input', () => {
  it('reports text such as “854万（其中…）” in an amount as R-FUND-FORMAT', () => {
    const raw = loadSample('S03') as Record<string, any>
    raw.funds.annual.total = '854万（其中上级资金600万）'
    const r = parseTable(raw)
    expect(r.ok).toBe(true)
    if (r.ok) expect(pathsOf(r.table, 'R-FUND-FORMAT')).toEqual(['funds.annual'])
  })

  it('reports negative amounts as R-FUND-FORMAT', () => {
    expect(pathsOf(makeProject({ funds: { annual: { total: -120, fiscal: -100, other: -20 } } }), 'R-FUND-FORMAT')).toEqual(['funds.annual'])
  })

  it('survives null amounts everywhere', () => {
    const p = makeProject({ funds: { annual: { total: null, fiscal: null, other: null }, midTerm: { total: null, fiscal: null, other: null } } })
    expect(pathsOf(p, 'R-HEADER-REQUIRED')).toEqual(['funds.annual'])
    const d = makeDepartment({ taskTotals: { total: null, fiscal: null, other: null }, header: { deptBudgetTotal: null } })
    d.tasks = d.tasks.map((t) => ({ ...t, total: null, fiscal: null, other: null }))
    expect(() => validateTable(d)).not.toThrow()
    expect(pathsOf(d, 'R-DEPT-TASK-REQUIRED')).toEqual(['tasks[0]', 'tasks[1]', 'tasks[2]'])
  })

  it('reports “>=**” as R-VALUE-PLACEHOLDER', () => {
    const t = makeProject({ indicators: patchRows(projectRows(), { 1: { comparator: '', target: '>=**', unit: '' } }) })
    expect(pathsOf(t, 'R-VALUE-PLACEHOLDER')).toEqual(['indicators[1]'])
  })

  it('reports an empty comparator in a 指标性质 template as R-VALUE-COMPARATOR', () => {
    const t = makeProject({ template: 'yth-flat', indicators: patchRows(projectRows(), { 2: { comparator: '' } }) })
    expect(pathsOf(t, 'R-VALUE-COMPARATOR')).toEqual(['indicators[2]'])
  })

  it('reports a 三级 name with its value inside as R-NAME-CONTAINS-VALUE', () => {
    const t = makeProject({ indicators: patchRows(projectRows(), { 1: { level3: '培训农户1200人次' } }) })
    expect(pathsOf(t, 'R-NAME-CONTAINS-VALUE')).toEqual(['indicators[1]'])
  })

  it('reports a 二级 under the wrong 一级, and 一级 成本指标 in a mof2015 table, as R-FRAMEWORK-TREE', () => {
    const wrong = makeProject({ indicators: patchRows(projectRows(), { 7: { level2: '数量指标' }, 4: { level1: '成本指标', level2: '经济成本指标' } }) })
    expect(pathsOf(wrong, 'R-FRAMEWORK-TREE')).toEqual(['indicators[4]', 'indicators[7]'])
  })

  it('survives empty names, empty tables and strange characters', () => {
    const weird = makeProject({
      annualGoal: '',
      indicators: patchRows(projectRows(), {
        0: { level1: '', level2: '', level3: '', comparator: '', target: '', unit: '' },
        1: { level3: '\u0000\u200b', comparator: '≧≦', target: '１２３４５６７８９０１２３４５６７８９０', unit: '／' },
        2: { target: '-0', unit: '%' },
        3: { target: '9999-99-99' },
        4: { target: '1e309', unit: '万元' },
      }),
    })
    expect(() => validateTable(weird)).not.toThrow()
    expect(() => validateTable(makeProject({ indicators: [] }))).not.toThrow()
    expect(() => validateTable(makeDepartment({ tasks: [], indicators: [] }))).not.toThrow()
  })

  it('never throws on generated tables, returns each (rule, location) once and names the row of row findings', () => {
    fc.assert(
      fc.property(tableArb, (table: TargetTable) => {
        const found = validateTable(table)
        const keys = found.map((f) => `${f.ruleId}@${f.path}`)
        expect(new Set(keys).size).toBe(keys.length)
        for (const f of found) {
          const m = /^(indicators|tasks)\[(\d+)\]$/.exec(f.path)
          if (!m) continue
          const rows: { id: string }[] = m[1] === 'tasks' && table.kind === 'department' ? table.tasks : table.indicators
          expect(f.rowId).toBe(rows[Number(m[2])]!.id)
        }
      }),
      { numRuns: 300 },
    )
  })

  it('never throws on generated value strings', () => {
    const piece = fc.constantFrom('≥', '<=', '＞＝', '不少于', '以上', '前', '年', '月', '底', '日', '-', '–', '至', '.', ',', '，', '%', '％', '万', '元', '/', '人', '·',
      '**', 'XX', '…', '待定', '进一步', '提高', '0', '1', '9', '12', '2024', '100', '(', '）', ' ')
    const str = fc.array(piece, { maxLength: 8 }).map((a) => a.join(''))
    fc.assert(
      fc.property(str, str, str, str, (comparator, target, unit, level3) => {
        const t = makeProject({ template: 'yth-flat', indicators: patchRows(projectRows(), { 2: { comparator, target, unit, level3 } }) })
        expect(Array.isArray(validateTable(t))).toBe(true)
      }),
      { numRuns: 500 },
    )
  })
})
