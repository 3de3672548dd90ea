// The bureau's view of an indicator-system project (issue 16 items 2–3; tables.md §12): 工作阶段 per
// department, 截止日期 per year and stage, the consultants' 工作台账 (ledger) and the bureau overview.
// CONTRACT.md → `/api/ledger`, `/api/overview`; this product adds `/api/deadlines` (set on /admin) and
// `PUT /api/departments/:id/stage` (a consultant moves a department on where its tables cannot say).
// Stage rules: shared/workflow/stage.ts. Pages import the types only.
import { z } from 'zod'
import { DIFFICULTIES } from './assignments.ts'
import { isoTime } from './common.ts'
import { STAGES } from '../workflow/stage.ts'

const year = z.coerce
  .number({ error: '预算年度（year）必须是数字' })
  .int({ error: '预算年度（year）必须是整数' })
  .min(2000, { error: '预算年度（year）应在 2000–2100 之间' })
  .max(2100, { error: '预算年度（year）应在 2000–2100 之间' })
const stage = z.enum(STAGES, { error: '工作阶段（stage）应为 materials、draft、consultation、final 或 compiled' })
const dateText = z.string({ error: '截止日期（dueDate）必填，格式 YYYY-MM-DD' }).regex(/^\d{4}-\d{2}-\d{2}$/, { error: '截止日期（dueDate）格式应为 YYYY-MM-DD' })
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s, { error: '截止日期（dueDate）不是有效日期' })
const format = z.enum(['json', 'xlsx'], { error: '格式（format）应为 json 或 xlsx' }).default('json')

// ---- deadlines -------------------------------------------------------------------------------------

/** GET /api/deadlines?year= (finance and consultants read; finance sets) */
export const deadlineListQuery = z.object({ year })
export const deadline = z.object({
  year: z.number().int(),
  stage,
  /** by this date (inclusive, the bureau's calendar, UTC+8) every department should have reached `stage` */
  dueDate: z.string(),
  setBy: z.string().nullable(),
  setByName: z.string().nullable(),
  setAt: isoTime,
})
export type Deadline = z.infer<typeof deadline>
export const deadlineListAnswer = z.object({ year: z.number().int(), deadlines: z.array(deadline) })
export type DeadlineListAnswer = z.infer<typeof deadlineListAnswer>

/**
 * PUT /api/deadlines (finance): sets or clears (dueDate null) one stage's deadline for a year. A date before
 * today (the bureau's calendar) is refused (`invalid_input`, field dueDate); so is 资料收集 (the first stage
 * has nothing before it to be late for). Answers the year's deadlines.
 */
export const deadlineBody = z.object({ year, stage, dueDate: dateText.nullable() })
export type DeadlineBody = z.infer<typeof deadlineBody>

// ---- stage set by hand ---------------------------------------------------------------------------

/**
 * PUT /api/departments/:id/stage (finance; the consultant assigned that year): the stage the consultant
 * records where the tables cannot say (e.g. 资料收集 finished → 初稿). null clears it. The shown stage is the
 * later of this and the derived one (shared/workflow/stage.ts effectiveStage). Only departments (and towns)
 * have stages; a unit answers `invalid_input` naming its department.
 */
export const stageBody = z.object({ year, stage: stage.nullable(), note: z.string().max(500, { error: '说明（note）最多 500 字' }).optional() })
export type StageBody = z.infer<typeof stageBody>

// ---- shared row pieces ---------------------------------------------------------------------------

export const tableCounts = z.object({ total: z.number().int(), draft: z.number().int(), submitted: z.number().int(), returned: z.number().int(), approved: z.number().int() })
export type TableCounts = z.infer<typeof tableCounts>

export const stageInfo = z.object({
  stage,
  source: z.enum(['derived', 'manual']),
  derived: stage,
  /** the stage a consultant set, if any */
  manual: stage.nullable(),
  manualNote: z.string().nullable(),
})
export type StageInfo = z.infer<typeof stageInfo>

export const deadlineState = z.object({ stage, dueDate: z.string(), overdue: z.boolean(), days: z.number().int() })
export type DeadlineState = z.infer<typeof deadlineState>

// ---- ledger ---------------------------------------------------------------------------------------

/** GET /api/ledger?year=&consultantId=&format=json|xlsx — finance: every assignment (or one consultant's); a consultant: its own */
export const ledgerQuery = z.object({ year, consultantId: z.string().min(1).max(100).optional(), format })
export type LedgerQuery = z.input<typeof ledgerQuery>

export const ledgerRow = z.object({
  consultantId: z.string(),
  consultantName: z.string(),
  departmentId: z.string(),
  departmentCode: z.string(),
  departmentName: z.string(),
  difficulty: z.enum(DIFFICULTIES),
  stage: stageInfo,
  /** the department's and its units' tables of the year */
  tables: tableCounts,
  /** the highest 征求意见轮次 among its tables not yet approved (null: none in review) */
  currentRound: z.number().int().nullable(),
  openThreads: z.number().int(),
  errorCount: z.number().int(),
  /** latest edit, comment, submission or review on its tables (null: nothing yet) */
  lastActivityAt: isoTime.nullable(),
  /** 资料清单: items received / not applicable / missing out of twelve, and files uploaded */
  materials: z.object({ received: z.number().int(), notApplicable: z.number().int(), missing: z.number().int(), files: z.number().int() }),
  deadline: deadlineState.nullable(),
})
export type LedgerRow = z.infer<typeof ledgerRow>
export const ledgerAnswer = z.object({ year: z.number().int(), today: z.string(), rows: z.array(ledgerRow) })
export type LedgerAnswer = z.infer<typeof ledgerAnswer>

// ---- overview -------------------------------------------------------------------------------------

/** GET /api/overview?year=&format=json|xlsx (finance) */
export const overviewQuery = z.object({ year, format })
export type OverviewQuery = z.input<typeof overviewQuery>

export const overviewRow = z.object({
  departmentId: z.string(),
  code: z.string(),
  name: z.string(),
  kind: z.enum(['department', 'unit', 'town']),
  /** a unit's department; null for departments and towns (the tree: department → units; towns) */
  parentId: z.string().nullable(),
  /** this row's own tables */
  tables: tableCounts,
  errorCount: z.number().int(),
  warningCount: z.number().int(),
  openThreads: z.number().int(),
  /** a department's or town's stage (its units' tables included); a unit: its department's */
  stage: stageInfo,
  consultant: z.object({ id: z.string(), name: z.string() }).nullable(),
  difficulty: z.enum(DIFFICULTIES).nullable(),
  deadline: deadlineState.nullable(),
  lastActivityAt: isoTime.nullable(),
})
export type OverviewRow = z.infer<typeof overviewRow>
export const overviewAnswer = z.object({
  year: z.number().int(),
  /** the bureau's date the overdue marks were judged on */
  today: z.string(),
  deadlines: z.array(deadline),
  /** departments in code order, each followed by its units; towns after departments */
  rows: z.array(overviewRow),
  totals: z.object({ departments: z.number().int(), tables: tableCounts, overdue: z.number().int(), errorCount: z.number().int(), openThreads: z.number().int() }),
})
export type OverviewAnswer = z.infer<typeof overviewAnswer>
