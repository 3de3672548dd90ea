// 工作阶段 and 截止日期 (department_stages, stage_deadlines) and the one aggregate read per year the ledger and
// the overview are built from: per department, its own tables' counts, findings, threads, round, last activity,
// whether its approved tables are in a finished book, and its 资料清单 — a handful of GROUP BY queries, never
// one query per department (120 departments and 2 000 tables answer in tens of milliseconds).
import { and, asc, eq, sql } from 'drizzle-orm'
import { STAGES, type Stage } from '../../shared/workflow/stage.ts'
import type { Db } from '../db/open.ts'
import { executeRows } from '../db/execute.ts'
import { departmentStages, stageDeadlines, users } from '../db/schema.ts'

export interface StageOverride {
  year: number
  departmentId: string
  stage: Stage
  note: string
  setBy: string | null
  setAt: Date
}

export interface DeadlineRow {
  year: number
  stage: Stage
  dueDate: string
  setBy: string | null
  setByName: string | null
  setAt: Date
}

/** What one department's (or unit's, or town's) own tables and checklist of a year say. */
export interface DepartmentActivity {
  departmentId: string
  tables: { draft: number; submitted: number; returned: number; approved: number }
  errorCount: number
  warningCount: number
  openThreads: number
  /** highest round among tables in review (报送 or 退回修改); null when none */
  currentRound: number | null
  /** latest of: a table's updated_at (edits, transitions), a comment message, a thread resolved, a round reviewed */
  lastActivityAt: Date | null
  /** approved tables no finished book of the year (done after their approval) holds */
  approvedNotCompiled: number
  materials: { received: number; notApplicable: number; files: number }
}

export interface WorkflowRepository {
  /** every stage set by hand for the year */
  stages(year: number): Promise<StageOverride[]>
  getStage(year: number, departmentId: string): Promise<StageOverride | null>
  setStage(input: { year: number; departmentId: string; stage: Stage; note: string; setBy: string | null }): Promise<StageOverride>
  /** true when there was one */
  clearStage(year: number, departmentId: string): Promise<boolean>
  /** the year's deadlines, in stage order */
  deadlines(year: number): Promise<DeadlineRow[]>
  /** no check of the date here: the route refuses a past one (tests write past ones directly) */
  setDeadline(input: { year: number; stage: Stage; dueDate: string; setBy: string | null }): Promise<void>
  clearDeadline(year: number, stage: Stage): Promise<boolean>
  /** per department id with anything to say (tables, checklist items or files of the year) */
  activity(year: number): Promise<Map<string, DepartmentActivity>>
}

/** a deadline's stage by its place in STAGES (the stage names are constants of the code, never user input) */
const STAGE_ORDER_SQL = sql`array_position(array[${sql.raw(STAGES.map((x) => `'${x}'`).join(','))}]::text[], ${stageDeadlines.stage})`

/** a department with nothing yet: no tables, threads, materials */
export function emptyActivity(departmentId: string): DepartmentActivity {
  return {
    departmentId,
    tables: { draft: 0, submitted: 0, returned: 0, approved: 0 },
    errorCount: 0,
    warningCount: 0,
    openThreads: 0,
    currentRound: null,
    lastActivityAt: null,
    approvedNotCompiled: 0,
    materials: { received: 0, notApplicable: 0, files: 0 },
  }
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v))
const msOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v))

export function createWorkflowRepository(db: Db): WorkflowRepository {
  return {
    async stages(year) {
      return db.select().from(departmentStages).where(eq(departmentStages.year, year))
    },

    async getStage(year, departmentId) {
      const [row] = await db.select().from(departmentStages).where(and(eq(departmentStages.year, year), eq(departmentStages.departmentId, departmentId)))
      return row ?? null
    },

    async setStage(input) {
      const [row] = await db
        .insert(departmentStages)
        .values({ ...input, setAt: new Date() })
        .onConflictDoUpdate({ target: [departmentStages.year, departmentStages.departmentId], set: { stage: input.stage, note: input.note, setBy: input.setBy, setAt: new Date() } })
        .returning()
      return row!
    },

    async clearStage(year, departmentId) {
      const rows = await db.delete(departmentStages).where(and(eq(departmentStages.year, year), eq(departmentStages.departmentId, departmentId))).returning({ year: departmentStages.year })
      return rows.length > 0
    },

    async deadlines(year) {
      return db
        .select({ year: stageDeadlines.year, stage: stageDeadlines.stage, dueDate: stageDeadlines.dueDate, setBy: stageDeadlines.setBy, setByName: users.displayName, setAt: stageDeadlines.setAt })
        .from(stageDeadlines)
        .leftJoin(users, eq(users.id, stageDeadlines.setBy))
        .where(eq(stageDeadlines.year, year))
        .orderBy(asc(STAGE_ORDER_SQL))
    },

    async setDeadline(input) {
      await db
        .insert(stageDeadlines)
        .values({ ...input, setAt: new Date() })
        .onConflictDoUpdate({ target: [stageDeadlines.year, stageDeadlines.stage], set: { dueDate: input.dueDate, setBy: input.setBy, setAt: new Date() } })
    },

    async clearDeadline(year, stage) {
      const rows = await db.delete(stageDeadlines).where(and(eq(stageDeadlines.year, year), eq(stageDeadlines.stage, stage))).returning({ year: stageDeadlines.year })
      return rows.length > 0
    },

    async activity(year) {
      // WATCH OUT: timestamps come back as epoch milliseconds (float8): raw rows on postgres.js and PGlite
      // would otherwise differ (string vs Date).
      const tablesQuery = executeRows<Record<string, unknown>>(
        db,
        sql`
        with books as (
          select params, finished_at from jobs
          where kind = 'compilation' and status = 'done' and finished_at is not null and params->>'year' = ${String(year)}
        )
        select t.department_id as "departmentId",
          count(*) filter (where t.status = 'draft')::int as draft,
          count(*) filter (where t.status = 'submitted')::int as submitted,
          count(*) filter (where t.status = 'returned')::int as returned,
          count(*) filter (where t.status = 'approved')::int as approved,
          coalesce(sum(t.error_count), 0)::int as "errorCount",
          coalesce(sum(t.warning_count), 0)::int as "warningCount",
          coalesce(sum(t.open_threads), 0)::int as "openThreads",
          max(t.round) filter (where t.status in ('submitted', 'returned'))::int as "currentRound",
          (extract(epoch from max(t.updated_at)) * 1000)::float8 as "updatedMs",
          count(*) filter (where t.status = 'approved' and not exists (
            select 1 from books b
            where b.finished_at >= coalesce(v.created_at, t.updated_at)
              and (b.params->'departmentIds' is null
                or b.params->'departmentIds' @> jsonb_build_array(t.department_id)
                or (d.parent_id is not null and b.params->'departmentIds' @> jsonb_build_array(d.parent_id)))
              and (b.params->'kinds' is null or b.params->'kinds' @> jsonb_build_array(t.kind))
              and (not t.classified or coalesce(b.params->>'edition', 'internal') = 'internal')
          ))::int as "approvedNotCompiled"
        from target_tables t
        join departments d on d.id = t.department_id
        left join table_versions v on t.status = 'approved' and v.table_id = t.id and v.version = t.version
        where t.year = ${year} and t.deleted_at is null
        group by t.department_id`,
      )
      // comments and reviews do not move target_tables.updated_at: their latest time per department. Messages
      // are grouped per thread before the join (half the time of joining every message), and only the year's.
      const talkQuery = executeRows<Record<string, unknown>>(
        db,
        sql`
        with th as (
          select th.id, th.resolved_at, t.department_id
          from target_tables t join comment_threads th on th.table_id = t.id
          where t.year = ${year} and t.deleted_at is null
        )
        select x.department_id as "departmentId", (extract(epoch from max(x.at)) * 1000)::float8 as "ms" from (
          select th.department_id, greatest(th.resolved_at, mm.at) as at
            from th left join (
              select thread_id, max(created_at) as at from comment_messages where thread_id in (select id from th) group by thread_id
            ) mm on mm.thread_id = th.id
          union all
          select t.department_id, r.reviewed_at
            from target_tables t join review_rounds r on r.table_id = t.id
            where t.year = ${year} and t.deleted_at is null and r.reviewed_at is not null
        ) x group by x.department_id`,
      )
      const materialsQuery = executeRows<Record<string, unknown>>(
        db,
        sql`
        select department_id as "departmentId", sum(received)::int as received, sum(na)::int as "notApplicable", sum(files)::int as files from (
          select department_id, count(*) filter (where status = 'received') as received, count(*) filter (where status = 'not_applicable') as na, 0 as files
            from department_materials where year = ${year} group by department_id
          union all
          select department_id, 0, 0, count(*) from material_files where year = ${year} group by department_id
        ) x group by department_id`,
      )
      const [tableRows, talkRows, materialRows] = await Promise.all([tablesQuery, talkQuery, materialsQuery])

      const out = new Map<string, DepartmentActivity>()
      const entry = (id: string) => {
        let e = out.get(id)
        if (!e) out.set(id, (e = emptyActivity(id)))
        return e
      }
      for (const r of tableRows) {
        const e = entry(String(r.departmentId))
        e.tables = { draft: num(r.draft), submitted: num(r.submitted), returned: num(r.returned), approved: num(r.approved) }
        e.errorCount = num(r.errorCount)
        e.warningCount = num(r.warningCount)
        e.openThreads = num(r.openThreads)
        e.currentRound = r.currentRound === null || r.currentRound === undefined ? null : Number(r.currentRound)
        const ms = msOrNull(r.updatedMs)
        e.lastActivityAt = ms === null ? null : new Date(ms)
        e.approvedNotCompiled = num(r.approvedNotCompiled)
      }
      for (const r of talkRows) {
        const e = entry(String(r.departmentId))
        const ms = msOrNull(r.ms)
        if (ms !== null && (e.lastActivityAt === null || ms > e.lastActivityAt.getTime())) e.lastActivityAt = new Date(ms)
      }
      for (const r of materialRows) {
        entry(String(r.departmentId)).materials = { received: num(r.received), notApplicable: num(r.notApplicable), files: num(r.files) }
      }
      return out
    },
  }
}
