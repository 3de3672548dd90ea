// Templates (表样) as data: which kind of table, which framework, which columns, in which order.
// Renderers (grid, xlsx, PDF) read these; nothing about a template is hard-coded elsewhere.
import type { FrameworkId, TableKind, TemplateId } from './schema.ts'
import { FRAMEWORKS } from './framework.ts'

/** A column of the indicator grid. `field` is an indicator-row key, or `value` for the legacy one-string 指标值. */
export interface GridColumn {
  field: 'level1' | 'level2' | 'level3' | 'comparator' | 'target' | 'unit' | 'value' | 'weight' | 'direction'
    | 'explanation' | 'basis' | 'dataSource' | 'scoringRule' | 'remark' | 'formula' | 'taskRef'
  label: string
  /** character width for the printed form */
  width: number
}

export interface TemplateDef {
  id: TemplateId
  name: string
  issuedBy: string
  kind: TableKind
  framework: FrameworkId
  /** 一级 rendering order */
  level1Order: string[]
  /** the project form has a 中期 half beside the annual one */
  hasMidTerm: boolean
  /** comparator held in its own 指标性质 column (R-VALUE-COMPARATOR is an error there) */
  separateComparator: boolean
  /** print 二级 labels that have no 三级 rows (tables.md §9.2) */
  keepEmptyLevel2: boolean
  /** indicator grid columns for one period, left to right */
  columns: GridColumn[]
  moneyUnit: '万元' | '元'
  /** decimals printed for amounts */
  moneyDecimals: number
  title: string
  /** one line shown where a user picks a template (新建绩效目标表), from tables.md §0 */
  description: string
}

const L1: GridColumn = { field: 'level1', label: '一级指标', width: 10 }
const L2: GridColumn = { field: 'level2', label: '二级指标', width: 14 }
const L3: GridColumn = { field: 'level3', label: '三级指标', width: 28 }
const VALUE: GridColumn = { field: 'value', label: '指标值', width: 16 }

export const TEMPLATES: Readonly<Record<TemplateId, TemplateDef>> = Object.freeze({
  'mof2015-project': {
    id: 'mof2015-project',
    name: '项目支出绩效目标申报表',
    issuedBy: '财预〔2015〕88号',
    kind: 'project',
    framework: 'mof2015',
    level1Order: FRAMEWORKS.mof2015.order,
    hasMidTerm: true,
    separateComparator: false,
    keepEmptyLevel2: true,
    columns: [L1, L2, L3, VALUE],
    moneyUnit: '万元',
    moneyDecimals: 2,
    title: '项目支出绩效目标申报表',
    description: '财政部通用表样：中期目标与年度目标并列，适合跨年度实施的项目。',
  },
  'mof2015-dept': {
    id: 'mof2015-dept',
    name: '部门（单位）整体支出绩效目标申报表',
    issuedBy: '财预〔2015〕88号',
    kind: 'department',
    framework: 'mof2015',
    level1Order: FRAMEWORKS.mof2015.order,
    hasMidTerm: false,
    separateComparator: false,
    keepEmptyLevel2: true,
    columns: [L1, L2, L3, VALUE],
    moneyUnit: '万元',
    moneyDecimals: 2,
    title: '部门（单位）整体支出绩效目标申报表',
    description: '部门、单位或镇街的整体支出：年度主要任务、金额与对应的绩效指标。',
  },
  'mof2021-core': {
    id: 'mof2021-core',
    name: '项目支出核心绩效指标表',
    issuedBy: '财预〔2021〕101号 附件2',
    kind: 'project',
    framework: 'mof2021',
    level1Order: FRAMEWORKS.mof2021.order,
    hasMidTerm: false,
    separateComparator: true,
    keepEmptyLevel2: false,
    columns: [
      L1, L2, L3,
      { field: 'comparator', label: '指标性质', width: 8 },
      { field: 'target', label: '指标值', width: 10 },
      { field: 'unit', label: '度量单位', width: 8 },
      { field: 'explanation', label: '指标解释', width: 24 },
      { field: 'basis', label: '指标值设定依据及数据来源', width: 20 },
      { field: 'scoringRule', label: '评（扣）分标准', width: 18 },
      { field: 'dataSource', label: '数据来源', width: 14 },
    ],
    moneyUnit: '万元',
    moneyDecimals: 2,
    title: '项目支出核心绩效指标表',
    description: '2021 年核心指标模板：成本指标单列一级，逐项写明指标性质、解释、设定依据与评分标准。',
  },
  'local-simple': {
    id: 'local-simple',
    name: '项目支出绩效目标申报表（县市级，年度）',
    issuedBy: '县市级财政局',
    kind: 'project',
    framework: 'mof2015',
    level1Order: FRAMEWORKS.mof2015.order,
    hasMidTerm: false,
    separateComparator: false,
    keepEmptyLevel2: true,
    columns: [L1, L2, L3, VALUE, { field: 'remark', label: '备注', width: 14 }],
    moneyUnit: '万元',
    moneyDecimals: 2,
    title: '绩效目标申报表',
    description: '县市级常用简表：只填年度目标和指标，不含中期目标。',
  },
  'yth-flat': {
    id: 'yth-flat',
    name: '部门预算项目绩效目标申报表（一体化导出）',
    issuedBy: '省级预算管理一体化系统',
    kind: 'project',
    framework: 'mof2015',
    level1Order: FRAMEWORKS.mof2015.order,
    hasMidTerm: false,
    separateComparator: true,
    keepEmptyLevel2: false,
    columns: [
      L1, L2, L3,
      { field: 'comparator', label: '指标性质', width: 8 },
      { field: 'target', label: '指标值', width: 10 },
      { field: 'unit', label: '度量单位', width: 8 },
      { field: 'weight', label: '权重', width: 6 },
      { field: 'direction', label: '指标方向性', width: 10 },
    ],
    moneyUnit: '元',
    moneyDecimals: 2,
    title: '部门预算项目绩效目标申报表',
    description: '预算管理一体化系统的平铺格式：金额以元计，每项指标带权重与指标方向。',
  },
})

export function getTemplate(id: TemplateId): TemplateDef {
  return TEMPLATES[id]
}

/** The framework a table is judged against: its own `framework`, else its template's. */
export function frameworkOf(table: { template: TemplateId; framework?: FrameworkId }): FrameworkId {
  return table.framework ?? TEMPLATES[table.template].framework
}
