// Indicator values on their way in: one legacy 指标值 cell → comparator, target, unit; the separate
// 指标性质 / 度量单位 / 指标方向性 cells of the 一体化 layouts. Every variant of issue 14 and tables.md §9.3.
import { describe, expect, it } from 'vitest'
import { formatIndicatorValue } from '../../shared/layout/codecs.ts'
import {
  normaliseComparatorCell, normaliseDirectionCell, normaliseSeparateValue, normaliseUnitCell, splitIndicatorValue,
} from '../../server/import/values.ts'

const triple = (t: string, year?: number) => {
  const s = splitIndicatorValue(t, { year })
  return [s.comparator, s.target, s.unit, s.shape]
}

describe('one 指标值 cell → comparator, target, unit', () => {
  it('splits sign, number and unit', () => {
    expect(triple('≥95%')).toEqual(['≥', '95', '%', 'number'])
    expect(triple('≤600元/人·年')).toEqual(['≤', '600', '元/人·年', 'number'])
    expect(triple('≥ 95 %')).toEqual(['≥', '95', '%', 'number'])
    expect(triple('＞＝９５％')).toEqual(['≥', '95', '%', 'number'])
    expect(triple('<3个')).toEqual(['<', '3', '个', 'number'])
  })

  it('reads comparator words before and after the number', () => {
    expect(triple('不少于30场')).toEqual(['≥', '30', '场', 'number'])
    expect(triple('不超过120万元')).toEqual(['≤', '120', '万元', 'number'])
    expect(triple('30场以上')).toEqual(['≥', '30', '场', 'number'])
    expect(triple('大于等于90%')).toEqual(['≥', '90', '%', 'number'])
  })

  it('implies “=” for a bare number on the legacy forms (100%, 150)', () => {
    expect(triple('100%')).toEqual(['=', '100', '%', 'number'])
    expect(triple('150')).toEqual(['=', '150', '', 'number'])
    expect(triple('0.75')).toEqual(['=', '0.75', '', 'number'])
  })

  it('drops thousands separators and says so', () => {
    const s = splitIndicatorValue('1,500人')
    expect([s.comparator, s.target, s.unit]).toEqual(['=', '1500', '人'])
    expect(s.note).toContain('千位分隔符')
  })

  it('keeps a placeholder as typed (the rules report it)', () => {
    expect(triple('>=**')).toEqual(['≥', '**', '', 'placeholder'])
    expect(triple('≥**人')).toEqual(['≥', '**', '人', 'placeholder'])
    expect(triple('≥XX%')).toEqual(['≥', 'XX', '%', 'placeholder'])
    const dots = splitIndicatorValue('……')
    expect(dots).toMatchObject({ comparator: '', target: '……', unit: '', shape: 'placeholder', changed: false })
  })

  it('reads deadlines as dates: ≤ and 日期 for “前”, “=” otherwise; the budget year fills a missing year', () => {
    expect(triple('2024年10月底前')).toEqual(['≤', '2024-10-31', '日期', 'date'])
    expect(triple('10月底前', 2025)).toEqual(['≤', '2025-10-31', '日期', 'date'])
    expect(triple('≤2024-12-20')).toEqual(['≤', '2024-12-20', '日期', 'date'])
    expect(triple('2024-12-31')).toEqual(['=', '2024-12-31', '日期', 'date'])
    expect(triple('2024年12月20日')).toEqual(['=', '2024-12-20', '日期', 'date'])
  })

  it('without a year, “10月底前” is not a number with the unit 月底前', () => {
    const s = splitIndicatorValue('10月底前')
    expect(s.unit).not.toBe('月底前')
    expect(s).toMatchObject({ comparator: '', target: '10月底前', shape: 'prose', changed: false })
  })

  it('makes words without a number qualitative (定性, the words kept)', () => {
    for (const w of ['达到预期', '良好', '有所提升', '是', '按学期及时开课', '控制在预算内']) {
      expect(splitIndicatorValue(w)).toMatchObject({ comparator: '定性', target: w, unit: '', shape: 'qualitative', changed: true })
    }
  })

  it('keeps prose with numbers as typed, comparator blank, unchanged', () => {
    for (const p of ['完成30场，覆盖20个村', '854万（其中上级补助600万）', '95%-98%']) {
      expect(splitIndicatorValue(p)).toEqual({ comparator: '', target: p, unit: '', changed: false, shape: 'prose' })
    }
  })

  it('says what it did in the note and leaves empty cells alone', () => {
    expect(splitIndicatorValue('≥95%').note).toBe('拆分为比较符“≥”、指标值“95”、单位“%”')
    expect(splitIndicatorValue('达到预期').note).toContain('定性')
    expect(splitIndicatorValue('')).toEqual({ comparator: '', target: '', unit: '', changed: false, shape: 'empty' })
  })

  it('reads back every value the legacy forms print (formatIndicatorValue)', () => {
    const stored = [
      { comparator: '≥', target: '21000', unit: '人' }, { comparator: '=', target: '100', unit: '%' },
      { comparator: '≤', target: '600', unit: '元/人·年' }, { comparator: '定性', target: '按学期及时开课', unit: '' },
      { comparator: '≤', target: '2024-12-20', unit: '日期' }, { comparator: '≥', target: '**', unit: '人' },
      { comparator: '=', target: '0', unit: '起' }, { comparator: '≤', target: '0.75', unit: '万元/场次' },
      { comparator: '≥', target: '6', unit: '台（套）' }, { comparator: '定性', target: '是', unit: '' },
      { comparator: '定性', target: '控制在预算内', unit: '' },
    ]
    for (const v of stored) {
      const s = splitIndicatorValue(formatIndicatorValue(v))
      expect({ comparator: s.comparator, target: s.target, unit: s.unit }).toEqual(v)
    }
  })
})

describe('指标性质 cells', () => {
  it('turns signs and words into the stored comparator and reports only real changes', () => {
    expect(normaliseComparatorCell('≥')).toMatchObject({ comparator: '≥', changed: false, unknown: false })
    expect(normaliseComparatorCell('>=')).toMatchObject({ comparator: '≥', changed: true, note: '指标性质“>=”记为“≥”' })
    expect(normaliseComparatorCell('＜＝')).toMatchObject({ comparator: '≤', changed: true })
    expect(normaliseComparatorCell('大于等于')).toMatchObject({ comparator: '≥', changed: true })
    expect(normaliseComparatorCell('不超过')).toMatchObject({ comparator: '≤', changed: true })
    expect(normaliseComparatorCell('等于')).toMatchObject({ comparator: '=', changed: true })
    expect(normaliseComparatorCell('＝')).toMatchObject({ comparator: '=', changed: true })
  })

  it('reads 定性/定量 as the kind and 正向/反向 as the direction', () => {
    expect(normaliseComparatorCell('定性')).toMatchObject({ comparator: '定性', valueKind: 'qualitative', changed: false })
    expect(normaliseComparatorCell('定性指标')).toMatchObject({ comparator: '定性', valueKind: 'qualitative', changed: true })
    expect(normaliseComparatorCell('定量')).toMatchObject({ comparator: '', valueKind: 'quantitative', changed: true })
    expect(normaliseComparatorCell('正向')).toMatchObject({ comparator: '', direction: 'positive', changed: true })
    expect(normaliseComparatorCell('反向指标')).toMatchObject({ comparator: '', direction: 'negative', changed: true })
  })

  it('keeps unknown text as typed for the rules', () => {
    expect(normaliseComparatorCell('约')).toEqual({ comparator: '约', unknown: true, changed: false })
    expect(normaliseComparatorCell('')).toEqual({ comparator: '', unknown: false, changed: false })
  })
})

describe('度量单位 and 指标方向性 cells', () => {
  it('folds ％, drops brackets and blanks written as / or 无', () => {
    expect(normaliseUnitCell('％')).toEqual({ unit: '%', changed: true, note: '度量单位“％”记为“%”' })
    expect(normaliseUnitCell('（%）')).toMatchObject({ unit: '%', changed: true })
    expect(normaliseUnitCell('百分比')).toMatchObject({ unit: '%', changed: true })
    expect(normaliseUnitCell('/')).toMatchObject({ unit: '', changed: true })
    expect(normaliseUnitCell('元/人·年')).toEqual({ unit: '元/人·年', changed: false })
    expect(normaliseUnitCell('台（套）')).toEqual({ unit: '台（套）', changed: false })
  })

  it('reads 正向指标/反向指标 and their short forms; other text is not known', () => {
    expect(normaliseDirectionCell('正向指标')).toEqual({ direction: 'positive', known: true, changed: false })
    expect(normaliseDirectionCell('反向')).toMatchObject({ direction: 'negative', known: true, changed: true, note: '指标方向性“反向”记为“反向指标”' })
    expect(normaliseDirectionCell('负向')).toMatchObject({ direction: 'negative', known: true })
    expect(normaliseDirectionCell('')).toEqual({ direction: undefined, known: true, changed: false })
    expect(normaliseDirectionCell('越大越好')).toEqual({ direction: undefined, known: false, changed: false })
  })
})

describe('separate 指标性质 | 指标值 | 度量单位 cells', () => {
  it('keeps well-formed cells as they are (no implied “=”)', () => {
    expect(normaliseSeparateValue({ comparator: '≥', target: '95', unit: '%' })).toMatchObject({ comparator: '≥', target: '95', unit: '%', changes: [] })
    expect(normaliseSeparateValue({ comparator: '', target: '90', unit: '%' })).toMatchObject({ comparator: '', target: '90', unit: '%', changes: [] })
    expect(normaliseSeparateValue({ comparator: '定性', target: '达到预期', unit: '' })).toMatchObject({ comparator: '定性', target: '达到预期', valueKind: 'qualitative', changes: [] })
  })

  it('splits a 指标值 that carries its own sign and unit beside empty cells', () => {
    const v = normaliseSeparateValue({ comparator: '', target: '≥95%', unit: '' })
    expect([v.comparator, v.target, v.unit]).toEqual(['≥', '95', '%'])
    expect(v.changes.map((c) => [c.field, c.cell, c.from, c.to])).toEqual([
      ['comparator', 'target', '', '≥'], ['unit', 'target', '', '%'], ['target', 'target', '≥95%', '95'],
    ])
  })

  it('drops a unit repeated in the 指标值 and normalises the words of the other cells', () => {
    const v = normaliseSeparateValue({ comparator: '大于等于', target: '95%', unit: '％' })
    expect([v.comparator, v.target, v.unit]).toEqual(['≥', '95', '%'])
    expect(v.changes.map((c) => c.field).sort()).toEqual(['comparator', 'target', 'unit'])
  })

  it('leaves a 指标值 alone when its sign or unit disagrees with the separate cells', () => {
    const v = normaliseSeparateValue({ comparator: '≤', target: '≥95%', unit: '' })
    expect([v.comparator, v.target, v.unit]).toEqual(['≤', '≥95%', ''])
    const w = normaliseSeparateValue({ comparator: '', target: '95%', unit: '个' })
    expect([w.comparator, w.target, w.unit]).toEqual(['', '95%', '个'])
  })

  it('reads a deadline typed as words into ≤ / date / 日期', () => {
    const v = normaliseSeparateValue({ comparator: '', target: '2024年10月底前', unit: '' })
    expect([v.comparator, v.target, v.unit]).toEqual(['≤', '2024-10-31', '日期'])
  })

  it('passes on the direction and flags unknown 指标性质 text', () => {
    expect(normaliseSeparateValue({ comparator: '正向', target: '90', unit: '%' })).toMatchObject({ comparator: '', direction: 'positive' })
    expect(normaliseSeparateValue({ comparator: '约', target: '90', unit: '%' })).toMatchObject({ comparator: '约', unknownComparator: true })
  })
})
