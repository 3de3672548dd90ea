// Small, clean target tables for rule tests: makeProject()/makeDepartment() validate without errors or warnings,
// so a test changes one thing and watches one rule.
import type { DepartmentTable, IndicatorRow, ProjectTable, TaskRow } from '../../shared/model/index.ts'

type RowInput = Omit<IndicatorRow, 'id' | 'period'> & { id?: string; period?: IndicatorRow['period'] }

let counter = 0

/** One indicator row; `extra` sets any other field (period, direction, taskRef, core …). */
export function row(
  level1: string, level2: string, level3: string, comparator: string, target: string, unit: string,
  extra: Partial<IndicatorRow> = {},
): IndicatorRow {
  const valueKind = comparator === '定性' ? 'qualitative' : 'quantitative'
  return { id: `r${++counter}`, period: 'annual', level1, level2, level3, comparator, target, unit, valueKind, ...extra }
}

/** The rows of the clean project: a 120 万元 training project, 1 200 人次 × 1 000 元/人次. */
export function projectRows(): IndicatorRow[] {
  return [
    row('产出指标', '数量指标', '培训班期数', '≥', '40', '期'),
    row('产出指标', '数量指标', '培训农户人次', '≥', '1200', '人次'),
    row('产出指标', '质量指标', '培训考核合格率', '≥', '90', '%'),
    row('产出指标', '时效指标', '培训任务完成时间', '≤', '2024-11-30', '日期'),
    row('产出指标', '成本指标', '人均培训成本', '≤', '1000', '元/人次'),
    row('效益指标', '社会效益指标', '参训农户技术掌握率', '≥', '85', '%'),
    row('效益指标', '可持续影响指标', '农技服务长效机制建立', '定性', '是', ''),
    row('满意度指标', '服务对象满意度指标', '参训农户满意度', '≥', '90', '%'),
  ]
}

export type ProjectOverrides = Partial<Omit<ProjectTable, 'header' | 'funds'>> & {
  header?: Partial<ProjectTable['header']>
  funds?: Partial<ProjectTable['funds']>
}

export function makeProject(overrides: ProjectOverrides = {}): ProjectTable {
  const base: ProjectTable = {
    kind: 'project',
    template: 'mof2015-project',
    framework: 'mof2015',
    year: 2024,
    moneyUnit: '万元',
    header: {
      projectName: '2024年农村实用技术培训',
      competentDept: { code: '121', name: '南江市农业农村局' },
      implementingUnit: { name: '南江市农业技术推广中心' },
      projectAttribute: '新增',
      projectCategory: '特定目标类',
      oneOff: false,
      projectPeriod: { start: '2024-01', end: '2024-12', years: 1 },
    },
    funds: { midTerm: null, annual: { total: 120, fiscal: 100, other: 20 } },
    annualGoal: '2024年举办农村实用技术培训班40期，培训基层农户1200人次，参训农户技术掌握率达到85%以上。',
    indicators: projectRows(),
  }
  const { header, funds, ...rest } = overrides
  return { ...base, ...rest, header: { ...base.header, ...header }, funds: { ...base.funds, ...funds } }
}

/** The clean project's rows with some rows patched (by index) or appended. */
export function patchRows(rows: IndicatorRow[], patches: Record<number, Partial<IndicatorRow>>, append: RowInput[] = []): IndicatorRow[] {
  const out = rows.map((r, i) => (patches[i] ? { ...r, ...patches[i] } : r))
  for (const a of append) out.push({ id: a.id ?? `r${++counter}`, period: a.period ?? 'annual', ...a })
  return out
}

function task(name: string, content: string, total: number, fiscal: number, other: number): TaskRow {
  return { id: `t${++counter}`, name, content, total, fiscal, other }
}

export function departmentRows(): IndicatorRow[] {
  return [
    row('产出指标', '数量指标', '公益演出场次', '≥', '80', '场次', { taskRef: '公益演出' }),
    row('产出指标', '数量指标', '非遗项目记录数量', '≥', '12', '项', { taskRef: '非遗保护' }),
    row('产出指标', '质量指标', '演出安全责任事故数', '=', '0', '起'),
    row('产出指标', '时效指标', '非遗记录完成时间', '≤', '2024-11-30', '日期'),
    row('产出指标', '成本指标', '单场演出成本', '≤', '1.8', '万元/场次'),
    row('产出指标', '质量指标', '在编人员工资按时足额发放率', '=', '100', '%', { taskRef: '机关运转保障' }),
    row('效益指标', '社会效益指标', '现场观看群众人次', '≥', '4', '万人次'),
    row('满意度指标', '服务对象满意度指标', '观演群众满意度', '≥', '90', '%'),
  ]
}

export type DepartmentOverrides = Partial<Omit<DepartmentTable, 'header'>> & { header?: Partial<DepartmentTable['header']> }

export function makeDepartment(overrides: DepartmentOverrides = {}): DepartmentTable {
  const base: DepartmentTable = {
    kind: 'department',
    template: 'mof2015-dept',
    framework: 'mof2015',
    year: 2024,
    moneyUnit: '万元',
    header: { deptName: '南江市文化馆', deptCode: '126001', deptType: '部门', deptBudgetTotal: 500 },
    tasks: [
      task('机关运转保障', '保障在编人员工资福利和日常办公运转', 300, 300, 0),
      task('公益演出', '组织送戏下乡等公益演出', 150, 150, 0),
      task('非遗保护', '非物质文化遗产项目记录和传承', 50, 40, 10),
    ],
    taskTotals: { total: 500, fiscal: 490, other: 10 },
    annualGoal: '目标1：保障馆内人员和日常运转。目标2：全年开展公益演出80场，观众不少于4万人次。目标3：完成非遗项目记录12项。',
    indicators: departmentRows(),
  }
  const { header, ...rest } = overrides
  return { ...base, ...rest, header: { ...base.header, ...header } }
}

/** A clean 3-year project (2024–2026) with both halves filled; `midRows` replaces the 中期 rows. */
export function makeMultiYearProject(midRows?: IndicatorRow[], overrides: ProjectOverrides = {}): ProjectTable {
  const mid = midRows ?? projectRows().map((r) => {
    const target = r.level3 === '培训班期数' ? '120' : r.level3 === '培训农户人次' ? '3600' : r.target
    return { ...r, id: `m-${r.id}`, period: 'midTerm' as const, target }
  })
  return makeProject({
    header: { projectPeriod: { start: '2024-01', end: '2026-12', years: 3 } },
    funds: { midTerm: { total: 360, fiscal: 300, other: 60 } },
    midTermGoal: '2024—2026年举办农村实用技术培训班120期，培训基层农户3600人次，参训农户技术掌握率达到85%以上。',
    indicators: [...projectRows(), ...mid],
    ...overrides,
  })
}
