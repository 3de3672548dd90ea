// The library entry's fields as the page names them (glossary.md), and how a value reads in Chinese.
import type { IndicatorEntry, LibraryScope } from '../../../shared/api/library.ts'
import { className } from './catalog.ts'

export const SCOPE_TEXT: Readonly<Record<LibraryScope | '', string>> = { '': '全部', common: '共性指标', specific: '个性指标' }

export const FIELD_LABELS: Readonly<Record<string, string>> = {
  level1: '一级指标', level2: '二级指标', level3: '三级指标', explanation: '指标解释', formula: '计算方法',
  comparator: '比较符', typicalValue: '指标值', unit: '度量单位', basis: '指标值设定依据', dataSource: '数据来源',
  scope: '指标范围', functionalClasses: '适用功能分类', projectTypes: '适用项目类型', alt2021: '2021 版归类',
  departmentId: '所属部门', core: '核心指标', reason: '修改原因', id: '指标编号',
}

/** A field's value as a line of text; blanks read as （空）. */
export function showValue(field: string, v: unknown, departmentName: (id: string | null) => string | null): string {
  if (v === null || v === undefined || v === '') return field === 'departmentId' ? '全局（不限部门）' : '（空）'
  if (field === 'scope' && (v === 'common' || v === 'specific')) return SCOPE_TEXT[v]
  if (field === 'core' && typeof v === 'boolean') return v ? '★ 是' : '否'
  if (field === 'departmentId' && typeof v === 'string') return departmentName(v) ?? v
  if (field === 'functionalClasses' && Array.isArray(v)) return v.length ? v.map((c) => className(String(c))).join('；') : '（空）'
  if (Array.isArray(v)) return v.length ? v.join('、') : '（空）'
  if (field === 'alt2021' && typeof v === 'object') { const a = v as { level1?: string; level2?: string }; return `${a.level1 ?? ''} › ${a.level2 ?? ''}` }
  return String(v)
}

export type Entry = IndicatorEntry
