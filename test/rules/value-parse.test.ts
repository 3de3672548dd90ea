// The value parser: legacy value strings, comparators, numbers, dates, units, name keys, placeholders, vague terms.
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_PARSE_TABLES, classifyUnit, containsNumber, effectiveValue, extractNumbers, findPlaceholder, findVagueTerm,
  nearNameKey, normaliseComparator, normaliseName, parseDate, parseDateRange, parseLegacyValue, parseYearMonth,
} from '../../shared/rules/index.ts'
import { defaultRuleConfig } from '../../shared/rules/index.ts'

const units = DEFAULT_PARSE_TABLES.units
const unit = (u: string) => classifyUnit(u, units)

describe('parseLegacyValue', () => {
  it.each([
    ['≥95%', '≥', '95', '%'],
    ['>=95%', '≥', '95', '%'],
    ['＞＝95％', '≥', '95', '%'],
    ['不少于30场', '≥', '30', '场'],
    ['30场以上', '≥', '30', '场'],
    ['≤120万元', '≤', '120', '万元'],
    ['不超过10个工作日', '≤', '10', '个工作日'],
    ['2025年10月底前', '≤', '2025-10-31', '日期'],
    ['2024-10-31', '', '2024-10-31', '日期'],
    ['2024.10.31', '', '2024-10-31', '日期'],
    ['>=**', '≥', '**', ''],
    ['100%', '', '100', '%'],
    ['95', '', '95', ''],
    ['=0起', '=', '0', '起'],
    ['1,500人次', '', '1500', '人次'],
  ])('splits %s into comparator, target and unit', (text, comparator, target, u) => {
    expect(parseLegacyValue(text)).toEqual({ comparator, target, unit: u })
  })

  it('keeps prose after a number in the target instead of calling it a unit', () => {
    expect(parseLegacyValue('≥95%，确保全部完成')).toEqual({ comparator: '≥', target: '95%,确保全部完成', unit: '' })
  })

  it('reads “为” as “=” only in front of a number', () => {
    expect(parseLegacyValue('为100%').comparator).toBe('=')
    expect(parseLegacyValue('为群众提供服务').comparator).toBe('')
  })

  it('uses the budget year for dates typed without one', () => {
    expect(parseLegacyValue('10月底前', DEFAULT_PARSE_TABLES.lexicon, 2024)).toEqual({ comparator: '≤', target: '2024-10-31', unit: '日期' })
  })
})

describe('normaliseComparator', () => {
  it('maps symbols, ASCII and words of a 指标性质 cell to one comparator', () => {
    expect(normaliseComparator('>=')).toBe('≥')
    expect(normaliseComparator('≧')).toBe('≥')
    expect(normaliseComparator('大于等于')).toBe('≥')
    expect(normaliseComparator('不超过')).toBe('≤')
    expect(normaliseComparator('＝')).toBe('=')
    expect(normaliseComparator('定性')).toBe('定性')
  })

  it('returns empty for an empty cell and null for text that is no comparator', () => {
    expect(normaliseComparator('  ')).toBe('')
    expect(normaliseComparator('大约')).toBeNull()
  })
})

describe('extractNumbers', () => {
  it('tells one number, a range, several numbers and a number inside prose apart', () => {
    expect(extractNumbers('95').kind).toBe('one')
    expect(extractNumbers('95%').kind).toBe('one')
    expect(extractNumbers('90%-95%')).toEqual({ kind: 'range', numbers: ['90', '95'] })
    expect(extractNumbers('90～95').kind).toBe('range')
    expect(extractNumbers('≥20个，≥300人')).toEqual({ kind: 'multi', numbers: ['20', '300'] })
    expect(extractNumbers('提高5个百分点左右，力争更高').kind).toBe('prose')
    expect(extractNumbers('较高').kind).toBe('none')
  })
})

describe('parseDate', () => {
  it.each([
    ['2024-10-31', '2024-10-31'],
    ['2024.10.31', '2024-10-31'],
    ['2024/1/5', '2024-01-05'],
    ['2024年10月31日', '2024-10-31'],
    ['2025年10月底前', '2025-10-31'],
    ['2024年2月', '2024-02-29'],
    ['2024年底', '2024-12-31'],
  ])('reads %s as %s', (text, iso) => {
    const d = parseDate(text)!.date
    expect(`${d.y}-${String(d.m).padStart(2, '0')}-${String(d.d).padStart(2, '0')}`).toBe(iso)
  })

  it('marks “前” as a deadline', () => {
    expect(parseDate('2024年10月底前')!.before).toBe(true)
    expect(parseDate('2024-10-31')!.before).toBe(false)
  })

  it('refuses a bare year, impossible dates and words', () => {
    expect(parseDate('2024年')).toBeNull()
    expect(parseDate('2024-02-30')).toBeNull()
    expect(parseDate('2024-13-01')).toBeNull()
    expect(parseDate('及时')).toBeNull()
  })

  it('reads date ranges that restate a period', () => {
    expect(parseDateRange('2024.01–2024.12')).toEqual({ from: { y: 2024, m: 1, d: 31 }, to: { y: 2024, m: 12, d: 31 } })
    expect(parseDateRange('2024年1月至12月')?.to).toEqual({ y: 2024, m: 12, d: 31 })
    expect(parseDateRange('2024-10-31')).toBeNull()
  })

  it('reads project period bounds', () => {
    expect(parseYearMonth('2024-03')).toEqual({ y: 2024, m: 3 })
    expect(parseYearMonth('2026年12月')).toEqual({ y: 2026, m: 12 })
    expect(parseYearMonth('2026')).toEqual({ y: 2026 })
    expect(parseYearMonth('—')).toBeNull()
  })
})

describe('classifyUnit', () => {
  it('classifies money, money rates, percent, date, time and counts', () => {
    expect(unit('万元')).toMatchObject({ kind: 'money', yuan: 10000n, recognised: true })
    expect(unit('元/人·年')).toMatchObject({ kind: 'moneyRate', yuan: 1n, per: '人', perScale: 1 })
    expect(unit('万元/场次')).toMatchObject({ kind: 'moneyRate', yuan: 10000n, per: '场次' })
    expect(unit('元/平方米·年')).toMatchObject({ kind: 'moneyRate', per: '平方米' })
    expect(unit('%').kind).toBe('percent')
    expect(unit('％').kind).toBe('percent')
    expect(unit('日期').kind).toBe('date')
    expect(unit('工作日').kind).toBe('time')
    expect(unit('个工作日').kind).toBe('time')
    expect(unit('人次').kind).toBe('count')
    expect(unit('').kind).toBe('empty')
  })

  it('decomposes 万 prefixes so quantities can be compared in base units', () => {
    expect(unit('万人')).toMatchObject({ kind: 'count', base: '人', scale: 10000 })
    expect(unit('万平方米')).toMatchObject({ kind: 'measure', base: '平方米', scale: 10000 })
  })

  it('recognises composed and configured local units and refuses unknown ones', () => {
    expect(unit('台（套）').recognised).toBe(true)
    expect(unit('家次').recognised).toBe(true)
    expect(unit('起').recognised).toBe(true)
    expect(unit('人/千人').recognised).toBe(true)
    expect(unit('箩筐').recognised).toBe(false)
  })
})

describe('name keys', () => {
  it('normalises width, spaces, punctuation and “指标1：” numbering', () => {
    expect(normaliseName(' 指标1：受益 人口（户）')).toBe('受益人口户')
    expect(normaliseName('ＡＢＣ合格率')).toBe('abc合格率')
  })

  it('drops a trailing 率/数/量 for near duplicates', () => {
    expect(nearNameKey('验收合格率')).toBe(nearNameKey('验收合格'))
    expect(nearNameKey('培训人数')).toBe('培训人')
    expect(nearNameKey('率')).toBe('率')
  })
})

describe('placeholder and vague-wording detection', () => {
  const { placeholders, vague } = defaultRuleConfig.terms

  it('finds template placeholders but not slashes inside units or words', () => {
    expect(findPlaceholder('≥**', placeholders)).toBe('**')
    expect(findPlaceholder('受益人口数（≥**人）', placeholders)).toBe('**')
    expect(findPlaceholder('XX村', placeholders)).toBe('XX')
    expect(findPlaceholder('待定', placeholders)).toBe('待定')
    expect(findPlaceholder('/', placeholders)).toBe('/')
    expect(findPlaceholder('及时/准确', placeholders)).toBeUndefined()
    expect(findPlaceholder('95', placeholders)).toBeUndefined()
  })

  it('flags vague terms only when no number accompanies them', () => {
    expect(findVagueTerm('进一步提高', vague)).toBe('进一步')
    expect(findVagueTerm('有效保障', vague)).toBeDefined()
    expect(findVagueTerm('提高5个百分点', vague)).toBeUndefined()
    expect(findVagueTerm('提高五个百分点', vague)).toBeUndefined()
    expect(findVagueTerm('明显增强', vague)).toBeUndefined()
  })

  it('counts Chinese numerals with a measure as numbers but not 进一步', () => {
    expect(containsNumber('三个月')).toBe(true)
    expect(containsNumber('进一步')).toBe(false)
  })
})

describe('effectiveValue', () => {
  const legacy = { separateComparator: false, year: 2024 }
  const separate = { separateComparator: true, year: 2024 }

  it('prefers the separate fields when filled', () => {
    const v = effectiveValue({ comparator: '≤', target: '600', unit: '元/人·年' }, legacy)
    expect(v).toMatchObject({ comparator: '≤', comparatorSource: 'field', shape: 'number', number: 600, unit: '元/人·年', quantitative: true })
  })

  it('parses the legacy string when the fields are empty', () => {
    expect(effectiveValue({ comparator: '', target: '不少于30场', unit: '' }, legacy)).toMatchObject({ comparator: '≥', comparatorSource: 'text', number: 30, unit: '场' })
    expect(effectiveValue({ comparator: '', target: '2024年10月底前', unit: '' }, legacy)).toMatchObject({ comparator: '≤', shape: 'date', date: { y: 2024, m: 10, d: 31 } })
  })

  it('reads a bare number as “=” in legacy forms but leaves it empty in forms with a 指标性质 column', () => {
    expect(effectiveValue({ comparator: '', target: '95', unit: '%' }, legacy)).toMatchObject({ comparator: '=', comparatorSource: 'implied' })
    expect(effectiveValue({ comparator: '', target: '90', unit: '%', valueKind: 'quantitative' }, separate)).toMatchObject({ comparator: '', comparatorSource: 'none', quantitative: true })
  })

  it('classifies targets by shape', () => {
    const shape = (target: string, comparator = '≥') => effectiveValue({ comparator, target, unit: '%' }, legacy).shape
    expect(shape('')).toBe('empty')
    expect(shape('**')).toBe('placeholder')
    expect(shape('90%-95%')).toBe('range')
    expect(shape('≥20个，≥300人')).toBe('multi')
    expect(shape('较高')).toBe('text')
    expect(shape('2024.01–2024.12', '定性')).toBe('dateRange')
  })

  it('treats 定性 rows and text without a comparator as qualitative', () => {
    expect(effectiveValue({ comparator: '定性', target: '好', unit: '' }, legacy).quantitative).toBe(false)
    expect(effectiveValue({ comparator: '', target: '达到预期', unit: '' }, legacy).quantitative).toBe(false)
  })

  it('keeps an unknown comparator for the rules to report', () => {
    expect(effectiveValue({ comparator: '大约', target: '95', unit: '%' }, separate).comparatorUnknown).toBe('大约')
  })
})
