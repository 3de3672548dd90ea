// Cell codecs: legacy 指标值 strings, amounts, 项目期 and codes round-trip between cell text and the model.
import { describe, expect, it } from 'vitest'
import {
  formatAmount, formatCodeName, formatIndicatorValue, formatPeriod, parseAmountInput, parseCodeName,
  normaliseBreaks, parseComparator, parseDirection, parseIndicatorValue, parsePeriod, singleLine, textBody,
} from '../../shared/layout/codecs.ts'

describe('line breaks', () => {
  it('stores \\n whatever the editor or a paste gave, and makes one line of a single-line value', () => {
    expect(normaliseBreaks('a\rb\r\nc\nd')).toBe('a\nb\nc\nd')
    expect(singleLine('a \r\n b\n\nc')).toBe('a b c')
  })

  it('shapes text as a Univer body with one paragraph per line', () => {
    expect(textBody('目标1\n目标2')).toEqual({ dataStream: '目标1\r目标2\r\n', paragraphs: [{ startIndex: 3 }, { startIndex: 7 }] })
    expect(textBody('')).toEqual({ dataStream: '\r\n', paragraphs: [{ startIndex: 0 }] })
  })
})

describe('legacy 指标值 (tables.md §9.3)', () => {
  it('prints comparator + target + unit, = without its sign, 定性 as the grade word only', () => {
    expect(formatIndicatorValue({ comparator: '≥', target: '95', unit: '%' })).toBe('≥95%')
    expect(formatIndicatorValue({ comparator: '=', target: '100', unit: '%' })).toBe('100%')
    expect(formatIndicatorValue({ comparator: '定性', target: '达到预期', unit: '' })).toBe('达到预期')
    expect(formatIndicatorValue({ comparator: '≤', target: '2024-12-20', unit: '日期' })).toBe('≤2024-12-20')
    expect(formatIndicatorValue({ comparator: '', target: '', unit: '' })).toBe('')
  })

  it('parses typed values back into the three stored fields', () => {
    expect(parseIndicatorValue('≥95%')).toEqual({ comparator: '≥', target: '95', unit: '%' })
    expect(parseIndicatorValue('≤120万元')).toEqual({ comparator: '≤', target: '120', unit: '万元' })
    expect(parseIndicatorValue('100%')).toEqual({ comparator: '=', target: '100', unit: '%' })
    expect(parseIndicatorValue('>= 1,500 人次')).toEqual({ comparator: '≥', target: '1,500', unit: '人次' })
    expect(parseIndicatorValue('不低于90%')).toEqual({ comparator: '≥', target: '90', unit: '%' })
    expect(parseIndicatorValue('90%以上')).toEqual({ comparator: '≥', target: '90', unit: '%' })
    expect(parseIndicatorValue('≤2024-12-20')).toEqual({ comparator: '≤', target: '2024-12-20', unit: '日期' })
    expect(parseIndicatorValue('≤2024年11月30日')).toEqual({ comparator: '≤', target: '2024-11-30', unit: '日期' })
    expect(parseIndicatorValue('≥**人')).toEqual({ comparator: '≥', target: '**', unit: '人' })
    expect(parseIndicatorValue('达到预期')).toEqual({ comparator: '定性', target: '达到预期', unit: '' })
    expect(parseIndicatorValue('2024年10月底前')).toEqual({ comparator: '定性', target: '2024年10月底前', unit: '' })
    expect(parseIndicatorValue('')).toEqual({ comparator: '', target: '', unit: '' })
    expect(parseIndicatorValue(95)).toEqual({ comparator: '=', target: '95', unit: '' })
  })

  it('round-trips every indicator value of the samples it prints', () => {
    const rows = [
      { comparator: '≥', target: '21000', unit: '人' }, { comparator: '≤', target: '600', unit: '元/人·年' },
      { comparator: '=', target: '0', unit: '起' }, { comparator: '≤', target: '0.75', unit: '万元/场次' },
      { comparator: '定性', target: '按学期及时开课', unit: '' }, { comparator: '≥', target: '4', unit: '万人次' },
    ]
    for (const r of rows) expect(parseIndicatorValue(formatIndicatorValue(r))).toEqual(r)
  })
})

describe('amount cells', () => {
  it('stores typed amounts exactly and accepts grouping and the table unit', () => {
    expect(parseAmountInput('1,234.5', '万元')).toBe(1234.5)
    expect(parseAmountInput('1234.5万元', '万元')).toBe(1234.5)
    expect(parseAmountInput('0.1', '万元')).toBe(0.1)
    expect(parseAmountInput(' ', '万元')).toBeNull()
    expect(parseAmountInput('约100', '万元')).toBe('约100')
    expect(parseAmountInput('12345678901234567.89', '万元')).toBe('12345678901234567.89')
  })

  it('prints at least the template decimals and never rounds away typed digits', () => {
    expect(formatAmount(1260, '万元', 2)).toBe('1260.00')
    expect(formatAmount(1234.567, '万元', 2)).toBe('1234.567')
    expect(formatAmount('约100', '万元', 2)).toBe('约100')
    expect(formatAmount(null, '万元', 2)).toBe('')
  })
})

describe('header codecs', () => {
  it('reads code + name and 项目期 in the ways people type them', () => {
    expect(parseCodeName('105 南江市教育局')).toEqual({ code: '105', name: '南江市教育局' })
    expect(parseCodeName('南江市教育局')).toEqual({ name: '南江市教育局' })
    expect(formatCodeName({ code: '105', name: '南江市教育局' })).toBe('105 南江市教育局')
    expect(parsePeriod('2024-01至2026-12（3年）')).toEqual({ start: '2024-01', end: '2026-12', years: 3 })
    expect(parsePeriod('2024年—2026年')).toEqual({ start: '2024', end: '2026', years: 3 })
    expect(parsePeriod('3年')).toEqual({ years: 3 })
    expect(parsePeriod('—')).toEqual({ start: '—' })
    expect(formatPeriod({ start: '2024-01', end: '2026-12', years: 3 })).toBe('2024-01至2026-12（3年）')
    expect(parsePeriod(formatPeriod({ start: '2024-03', end: '2024-12', years: 1 }))).toEqual({ start: '2024-03', end: '2024-12', years: 1 })
  })

  it('normalises comparators and directions', () => {
    expect(parseComparator('>=')).toBe('≥')
    expect(parseComparator('定性')).toBe('定性')
    expect(parseComparator('约')).toBe('约')
    expect(parseDirection('正向指标')).toBe('positive')
    expect(parseDirection('反向')).toBe('negative')
    expect(parseDirection('')).toBeUndefined()
    expect(parseDirection('随便')).toBeNull()
  })
})
