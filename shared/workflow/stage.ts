// 工作阶段 (tables.md §12; glossary `stage`): each department moves 资料收集 → 初稿 → 征求意见 → 正式稿 → 汇编.
// One definition of where a department stands, used by the ledger, the overview and their pages:
// derived from its tables where they say it, raised by the consultant (or finance) where they cannot.
export const STAGES = ['materials', 'draft', 'consultation', 'final', 'compiled'] as const
export type Stage = (typeof STAGES)[number]
export const STAGE_LABELS: Readonly<Record<Stage, string>> = {
  materials: '资料收集',
  draft: '初稿',
  consultation: '征求意见',
  final: '正式稿',
  compiled: '汇编',
}

export function stageOrder(s: Stage): number {
  return STAGES.indexOf(s)
}

/** What a department's tables of one year say, as counted by storage. */
export interface StageEvidence {
  /** tables of the year (not deleted) by status */
  draft: number
  submitted: number
  returned: number
  approved: number
  /** every approved table of the year is in a finished book (汇编) of that year */
  compiled: boolean
}

/**
 * The stage the tables prove:
 * - no table yet → 资料收集;
 * - any table still a draft (never submitted) → 初稿;
 * - every table submitted at least once, some not yet approved (报送 or 退回修改) → 征求意见;
 * - every table approved → 正式稿, or 汇编 once a finished book of the year holds them all.
 */
export function derivedStage(e: StageEvidence): Stage {
  const total = e.draft + e.submitted + e.returned + e.approved
  if (total === 0) return 'materials'
  if (e.draft > 0) return 'draft'
  if (e.approved < total) return 'consultation'
  return e.compiled ? 'compiled' : 'final'
}

export type StageSource = 'derived' | 'manual'

/**
 * The stage shown: the later of the derived one and the one a consultant set (a set stage never holds a
 * department behind what its tables prove; it moves it on where the tables cannot say, e.g. 资料收集 done).
 */
export function effectiveStage(derived: Stage, manual: Stage | null): { stage: Stage; source: StageSource } {
  if (manual && stageOrder(manual) > stageOrder(derived)) return { stage: manual, source: 'manual' }
  return { stage: derived, source: 'derived' }
}

/** A deadline per year and stage: by `dueDate` (inclusive, local date YYYY-MM-DD) every department should have reached `stage`. */
export interface StageDeadline {
  stage: Stage
  dueDate: string
}

/**
 * The deadline a department at `stage` is measured against on `today` (YYYY-MM-DD): the earliest deadline
 * of a later stage it has not reached. Overdue when that date is before today; `days` is how many days late
 * (0 when not overdue). null when no deadline is set for a stage it has yet to reach.
 */
export function deadlineFor(stage: Stage, deadlines: readonly StageDeadline[], today: string): { stage: Stage; dueDate: string; overdue: boolean; days: number } | null {
  const pending = deadlines.filter((d) => stageOrder(d.stage) > stageOrder(stage)).sort((a, b) => (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : stageOrder(a.stage) - stageOrder(b.stage)))
  const next = pending[0]
  if (!next) return null
  const overdue = next.dueDate < today
  return { stage: next.stage, dueDate: next.dueDate, overdue, days: overdue ? daysBetween(next.dueDate, today) : 0 }
}

/** whole days from a to b (both YYYY-MM-DD) */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000)
}

/** The bureau's calendar date (China Standard Time, UTC+8, no daylight saving) at `now`, as YYYY-MM-DD. */
export function bureauDate(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10)
}
