// Where 「插入」 of the 推荐指标 tab puts a suggestion: after the last annual row of its 一级/二级 group, else after
// its 一级's last annual row, else after the last annual row; and what the inserted row carries.
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { insertIndex, insertRecommended } from '../../client/pages/table/RecommendTab.tsx'
import { toYDoc, yDocToJson } from '../../shared/ydoc/index.ts'
import { makeProject } from '../helpers/factories.ts'

const r = (period: string, level1: string, level2: string) => ({ period, level1, level2 })
const rows = [
  r('midTerm', '产出指标', '数量指标'),
  r('annual', '产出指标', '数量指标'),
  r('annual', '产出指标', '数量指标'),
  r('annual', '产出指标', '质量指标'),
  r('annual', '效益指标', '社会效益指标'),
  r('midTerm', '满意度指标', '服务对象满意度指标'),
]

describe('insertIndex', () => {
  it('places after the group, else after the 一级, else after the annual rows (aliases folded)', () => {
    expect(insertIndex(rows, '产出指标', '数量指标')).toBe(3)
    expect(insertIndex(rows, ' 产出指标', '数量')).toBe(3)
    expect(insertIndex(rows, '产出指标', '时效指标')).toBe(4)
    expect(insertIndex(rows, '满意度指标', '服务对象满意度指标')).toBe(5)
    expect(insertIndex([], '产出指标', '数量指标')).toBe(0)
  })
})

describe('insertRecommended', () => {
  it('adds an annual row with comparator, value, unit, explanation, basis and ★', () => {
    const doc = toYDoc(makeProject(), new Y.Doc())
    const id = insertRecommended(doc, { id: 'K-1', level1: '产出指标', level2: '数量指标', level3: '示范基地个数', comparator: '≥', target: '3', unit: '个', explanation: '建成的示范基地', basis: '计划标准', core: true })
    const json = yDocToJson(doc) as { indicators: Record<string, unknown>[] }
    const at = json.indicators.findIndex((x) => x.id === id)
    expect(json.indicators[at - 1]).toMatchObject({ level2: '数量指标' })
    expect(json.indicators[at]).toMatchObject({ period: 'annual', level3: '示范基地个数', comparator: '≥', target: '3', unit: '个', explanation: '建成的示范基地', basis: '计划标准', core: true })
  })
})
