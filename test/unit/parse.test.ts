import { describe, expect, it } from 'vitest'
import { parseTable, LIMITS } from '../../shared/model/index.ts'
import { loadSample } from '../helpers/samples.ts'

describe('parseTable', () => {
  it('parses every sample and assigns a string id to every row', () => {
    const table = parseTable(loadSample('S06')).ok ? (parseTable(loadSample('S06')) as { ok: true; table: any }).table : null
    expect(table).not.toBeNull()
    for (const row of [...table.indicators, ...table.tasks]) expect(typeof row.id).toBe('string')
    expect(new Set(table.indicators.map((r: { id: string }) => r.id)).size).toBe(table.indicators.length)
  })

  it('keeps row ids that are given', () => {
    const raw = loadSample('S01') as any
    raw.indicators[0].id = 'keep-me'
    const r = parseTable(raw)
    expect(r.ok && r.table.indicators[0]!.id).toBe('keep-me')
  })

  it('drops extra keys such as expectedFindings in lenient mode and refuses them in strict mode', () => {
    const raw = loadSample('S01') as any
    const lenient = parseTable(raw)
    expect(lenient.ok && 'expectedFindings' in lenient.table).toBe(false)
    const strict = parseTable(raw, { mode: 'strict', assignIds: true })
    expect(strict.ok).toBe(false)
    expect(!strict.ok && strict.problems[0]).toMatchObject({ path: '', code: 'unknown_key' })
  })

  it('keeps bad values as typed: text amounts, negative amounts, placeholders, empty comparators', () => {
    const raw = loadSample('S03') as any
    raw.funds.annual.total = '854万（其中上级资金600万）'
    raw.funds.annual.fiscal = -5
    raw.funds.annual.other = null
    raw.indicators[0].comparator = ''
    raw.indicators[0].target = '>=**'
    const r = parseTable(raw)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.table.kind === 'project' && r.table.funds.annual).toEqual({ total: '854万（其中上级资金600万）', fiscal: -5, other: null })
    expect(r.table.indicators[0]).toMatchObject({ comparator: '', target: '>=**' })
  })

  it('refuses what cannot be a table, naming the path', () => {
    const cases: [unknown, string, string][] = [
      [[], '', 'not_object'],
      [{ ...(loadSample('S01') as object), indicators: 'rows' }, 'indicators', 'type'],
      [{ ...(loadSample('S01') as object), indicators: [1] }, 'indicators[0]', 'not_object'],
      [{ ...(loadSample('S01') as object), kind: 'budget' }, 'kind', 'invalid_value'],
      [{ ...(loadSample('S01') as object), template: 'mof1999' }, 'template', 'invalid_value'],
      [{ ...(loadSample('S01') as object), indicators: Array.from({ length: 20_000 }, () => ({})) }, 'indicators', 'too_many'],
    ]
    for (const [raw, path, code] of cases) {
      const r = parseTable(raw)
      expect(r.ok, path).toBe(false)
      if (r.ok) continue
      expect(r.problems[0], JSON.stringify(r.problems)).toMatchObject({ path, code })
      expect(r.problems[0]!.message).toMatch(/[\u4e00-\u9fa5]/)
    }
  })

  it('refuses a 100 000-character string with the field named', () => {
    const raw = loadSample('S01') as any
    raw.indicators[2].level3 = '长'.repeat(100_000)
    const r = parseTable(raw)
    expect(r.ok).toBe(false)
    expect(!r.ok && r.problems).toEqual([
      { path: 'indicators[2].level3', code: 'too_long', message: `三级指标（indicators[2].level3）文字过长（最多 ${LIMITS.shortText} 字）` },
    ])
  })

  it('turns a number typed into a text field into its exact text', () => {
    const raw = loadSample('S01') as any
    raw.indicators[0].target = 21000
    const r = parseTable(raw)
    expect(r.ok && r.table.indicators[0]!.target).toBe('21000')
  })

  it('refuses duplicate row ids', () => {
    const raw = loadSample('S01') as any
    raw.indicators[0].id = 'same'
    raw.indicators[1].id = 'same'
    const r = parseTable(raw)
    expect(!r.ok && r.problems[0]).toMatchObject({ path: 'indicators[1].id', code: 'duplicate_id' })
  })
})
