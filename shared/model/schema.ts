// The target-table model as a runtime schema (zod): the one definition of what a table is.
// Two modes: `lenient` strips unknown keys (files, API input may carry extras such as
// `expectedFindings`); `strict` refuses them (the live document must hold nothing else).
import { z } from 'zod'
import { LIMITS } from './limits.ts'

export const TABLE_KINDS = ['project', 'department'] as const
export const TEMPLATE_IDS = ['mof2015-project', 'mof2015-dept', 'mof2021-core', 'local-simple', 'yth-flat'] as const
export const FRAMEWORK_IDS = ['mof2015', 'mof2021'] as const
export const PERIODS = ['annual', 'midTerm'] as const
export const COMPARATORS = ['≥', '≤', '=', '>', '<', '定性'] as const
export const VALUE_KINDS = ['quantitative', 'qualitative'] as const
export const DIRECTIONS = ['positive', 'negative'] as const
export const MONEY_UNITS = ['万元', '元'] as const

export type TableKind = (typeof TABLE_KINDS)[number]
export type TemplateId = (typeof TEMPLATE_IDS)[number]
export type FrameworkId = (typeof FRAMEWORK_IDS)[number]
export type Period = (typeof PERIODS)[number]
export type Comparator = (typeof COMPARATORS)[number]

export type SchemaMode = 'lenient' | 'strict'

function build(mode: SchemaMode) {
  const obj = <T extends z.ZodRawShape>(shape: T) => (mode === 'strict' ? z.strictObject(shape) : z.object(shape))
  const short = () => z.string().max(LIMITS.shortText, { error: `文字过长（最多 ${LIMITS.shortText} 字）` })
  const long = () => z.string().max(LIMITS.longText, { error: `文字过长（最多 ${LIMITS.longText} 字）` })
  /** An amount as typed: a number, text (kept and reported by R-FUND-FORMAT) or empty. */
  const amount = () => z.union([z.number(), short(), z.null()])
  const codeName = () => obj({ code: short().optional(), name: short() })

  const fundSplit = obj({
    total: amount(),
    fiscal: amount(),
    other: amount(),
    carryOver: amount().optional(),
  })

  const indicator = obj({
    id: short().min(1),
    period: z.enum(PERIODS),
    level1: short(),
    level2: short(),
    level3: short(),
    /** One of COMPARATORS when well-formed; kept as typed otherwise and judged by the rules. */
    comparator: short(),
    target: short(),
    unit: short(),
    valueKind: z.enum(VALUE_KINDS).optional(),
    direction: z.enum(DIRECTIONS).optional(),
    weight: amount().optional(),
    explanation: long().optional(),
    formula: long().optional(),
    basis: short().optional(),
    dataSource: short().optional(),
    scoringRule: long().optional(),
    remark: long().optional(),
    taskRef: short().optional(),
    core: z.boolean().optional(),
  })

  const task = obj({
    id: short().min(1),
    name: short(),
    content: long(),
    total: amount(),
    fiscal: amount(),
    other: amount(),
  })

  const signature = {
    preparer: short().optional(),
    phone: short().optional(),
    unitLeader: short().optional(),
    fillDate: short().optional(),
    reviewOpinion: long().optional(),
  }

  const projectHeader = obj({
    projectName: short(),
    competentDept: codeName().optional(),
    implementingUnit: codeName().optional(),
    projectAttribute: short().optional(),
    projectCategory: short().optional(),
    /** 项目类别（预算管理）: 部门预算项目、专项资金项目 … (项目统计表, tables.md §10) */
    fundingType: short().optional(),
    oneOff: z.boolean().optional(),
    crossYear: z.boolean().optional(),
    projectPeriod: obj({
      start: short().optional(),
      end: short().optional(),
      years: z.union([z.number().int().min(0).max(100), z.null()]).optional(),
    }).optional(),
    functionalClass: codeName().optional(),
    fundSource: short().optional(),
    projectLeader: short().optional(),
    ...signature,
  })

  const departmentHeader = obj({
    deptName: short(),
    deptCode: short().optional(),
    deptType: short().optional(),
    functionalClass: codeName().optional(),
    deptBudgetTotal: amount().optional(),
    deptFunctions: long().optional(),
    ...signature,
  })

  const waivers = obj({ noServiceObject: z.boolean(), reason: long() })

  /** Budget figures the table is linked to (项目库 / 预算编制数), for R-FUND-MATCH-BUDGET. */
  const budgetLink = obj({ total: amount(), fiscal: amount().optional(), source: short().optional() })

  /** Core (★) indicators required by a library template, for R-CORE-REQUIRED. */
  const coreIndicator = obj({
    id: short().min(1),
    level1: short().optional(),
    level2: short().optional(),
    level3: short(),
  })

  /** Last year's targets and actuals, for R-CONTINUING-BASELINE. */
  const priorIndicator = obj({
    id: short().min(1),
    period: z.enum(PERIODS).optional(),
    level3: short(),
    comparator: short().optional(),
    target: short().optional(),
    unit: short().optional(),
    actual: short().optional(),
  })

  /** A cell an import could not place in the form: kept here as read, never dropped. */
  const unplacedCell = obj({
    id: short().min(1),
    /** where it was, e.g. `D14` */
    cell: short(),
    text: long(),
    sheet: short().optional(),
    /** why it could not be placed */
    reason: short().optional(),
  })

  const common = {
    id: short().optional(),
    title: short().optional(),
    template: z.enum(TEMPLATE_IDS, { error: '未知的表样版本（template）' }),
    framework: z.enum(FRAMEWORK_IDS, { error: '未知的指标框架版本（framework）' }).optional(),
    year: z.number().int().min(1990).max(2200),
    moneyUnit: z.enum(MONEY_UNITS).optional(),
    annualGoal: long(),
    indicators: z.array(indicator).max(LIMITS.indicators, { error: `指标行过多（最多 ${LIMITS.indicators} 行）` }),
    waivers: waivers.optional(),
    budgetLink: budgetLink.optional(),
    coreIndicators: z.array(coreIndicator).max(LIMITS.auxRows).optional(),
    priorYear: z.array(priorIndicator).max(LIMITS.auxRows).optional(),
    unplaced: z.array(unplacedCell).max(LIMITS.auxRows).optional(),
  }

  const projectTable = obj({
    kind: z.literal('project'),
    header: projectHeader,
    funds: obj({ midTerm: z.union([fundSplit, z.null()]).optional(), annual: fundSplit }),
    midTermGoal: long().optional(),
    ...common,
  })

  const departmentTable = obj({
    kind: z.literal('department'),
    header: departmentHeader,
    tasks: z.array(task).max(LIMITS.tasks, { error: `年度主要任务过多（最多 ${LIMITS.tasks} 项）` }),
    taskTotals: obj({ total: amount(), fiscal: amount(), other: amount() }),
    ...common,
  })

  const table = z.discriminatedUnion('kind', [projectTable, departmentTable], {
    error: '未知的表类型（kind 应为 project 或 department）',
  })

  return { table, projectTable, departmentTable, indicator, task, fundSplit, unplacedCell, amount: amount() }
}

export const lenientSchemas = build('lenient')
export const strictSchemas = build('strict')

export type TargetTable = z.infer<typeof strictSchemas.table>
export type ProjectTable = z.infer<typeof strictSchemas.projectTable>
export type DepartmentTable = z.infer<typeof strictSchemas.departmentTable>
export type IndicatorRow = z.infer<typeof strictSchemas.indicator>
export type TaskRow = z.infer<typeof strictSchemas.task>
export type FundSplit = z.infer<typeof strictSchemas.fundSplit>
export type UnplacedCell = z.infer<typeof strictSchemas.unplacedCell>
export type Amount = z.infer<typeof strictSchemas.amount>

/** JSON Schema of the table content (published by the server at /api/schema/table). */
export function tableJsonSchema(): unknown {
  return z.toJSONSchema(strictSchemas.table, { io: 'input' })
}
