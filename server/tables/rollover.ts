// 年度结转 (POST /api/rollover; contract and the rules of what is carried: shared/api/rollover.ts): next
// year's tables from this year's approved ones, through createTables (documents, audit, library version),
// each new row naming its source (target_tables.rolled_from_id, unique among live tables: a second rollover
// of the same table fails even when two run at once). One transaction, under a per-target-year advisory lock
// so two rollovers into the same year queue instead of both finding nothing there yet.
import { sql } from 'drizzle-orm'
import { AppError } from '../../shared/errors.ts'
import { can, departmentsFor, type Actor } from '../../shared/permissions.ts'
import { parseTable, type DepartmentTable, type IndicatorRow, type ProjectTable, type TargetTable } from '../../shared/model/index.ts'
import { STATUS_LABELS } from '../../shared/api/constants.ts'
import { ROLLOVER_REVIEW_MARK, type RolloverAnswer, type RolloverCarried, type RolloverLeftOut, type RolloverRefused } from '../../shared/api/rollover.ts'
import { executeRows } from '../db/execute.ts'
import type { Storage, TableRow } from '../storage/index.ts'
import { createTables, type TableToCreate } from './create.ts'

/** first key of pg_advisory_xact_lock(int, int) for “a rollover into year N is running” */
const ROLLOVER_LOCK_NAMESPACE = 7_316_016

export interface RolloverRequest {
  fromYear: number
  toYear: number
  /** as asked (units are added here); omitted → every department the caller may roll over */
  departmentIds?: readonly string[]
  dryRun: boolean
}

/** The departments (with units) the caller rolls over: refused with 400/403 naming the department. */
async function scopeOf(storage: Storage, actor: Actor, req: RolloverRequest): Promise<string[] | undefined> {
  const editable = (departmentId: string) => can(actor, 'edit', { departmentId, status: 'draft', year: req.toYear }).allowed
  if (req.departmentIds) {
    for (const id of req.departmentIds) {
      const d = await storage.departments.get(id)
      if (!d) throw new AppError('invalid_input', `部门（departmentIds）不存在：${id}`, { field: 'departmentIds' })
      if (!editable(id)) throw new AppError('forbidden', `无权结转“${d.name}”的绩效目标表`, { field: 'departmentIds' })
    }
    return (await storage.departments.withDescendants(req.departmentIds)).filter(editable)
  }
  if (actor.role === 'finance') return undefined
  return departmentsFor(actor, req.toYear).filter(editable)
}

/** every live table of a year in the scope (list pages at most 1000 rows) */
async function tablesOf(storage: Storage, year: number, scope: readonly string[] | undefined): Promise<TableRow[]> {
  const out: TableRow[] = []
  for (let offset = 0; ; offset += 1000) {
    const page = await storage.tables.list({ year, ...(scope ? { allowedDepartmentIds: scope } : {}), limit: 1000, offset })
    out.push(...page)
    if (page.length < 1000) return out
  }
}

/** the year a 项目期 end names (2025-12, 2025年, 2025) or null when unreadable */
function endYear(end: string | undefined): number | null {
  const m = /(\d{4})/.exec(end ?? '')
  return m ? Number(m[1]) : null
}

const blankSplit = { total: null, fiscal: null, other: null }

function markRow(row: IndicatorRow): IndicatorRow {
  const remark = row.remark?.trim()
  return { ...row, remark: remark ? (remark.includes(ROLLOVER_REVIEW_MARK) ? remark : `${remark}；${ROLLOVER_REVIEW_MARK}`) : ROLLOVER_REVIEW_MARK }
}

/**
 * Next year's content: year → toYear, indicators kept with their targets and marked for review (备注), last
 * year's rows as priorYear; last year's review, fill date, budget link and import leftovers dropped; the
 * year's amounts blanked. A project becomes 延续.
 */
export function carriedContent(source: TargetTable, toYear: number): TargetTable {
  const copy = structuredClone(source) as TargetTable & { id?: string; title?: string }
  delete copy.id
  delete copy.title
  delete copy.unplaced
  delete copy.budgetLink
  copy.year = toYear
  copy.priorYear = source.indicators.slice(0, 200).map((r) => ({
    id: r.id, period: r.period, level3: r.level3, comparator: r.comparator, target: r.target, unit: r.unit,
  }))
  copy.indicators = source.indicators.map(markRow)
  const header = copy.header as { reviewOpinion?: string; fillDate?: string }
  delete header.reviewOpinion
  delete header.fillDate
  if (copy.kind === 'project') {
    const p = copy as ProjectTable
    p.header.projectAttribute = '延续'
    p.funds = { ...p.funds, annual: { ...blankSplit } }
  } else {
    const d = copy as DepartmentTable
    d.tasks = d.tasks.map((t) => ({ ...t, ...blankSplit }))
    d.taskTotals = { ...blankSplit }
    delete d.header.deptBudgetTotal
  }
  return copy
}

type Decision = { carry: true } | { carry: false; reason: RolloverLeftOut['reason']; message: string }

function decide(content: TargetTable, fromYear: number, toYear: number): Decision {
  if (content.kind !== 'project') return { carry: true }
  const h = content.header
  if (h.oneOff === true) return { carry: false, reason: 'one_off', message: '一次性项目，不结转到下一年度' }
  const end = endYear(h.projectPeriod?.end)
  if (h.projectAttribute?.trim() !== '延续' && end !== null && end < toYear) {
    return { carry: false, reason: 'ended', message: `项目期至 ${h.projectPeriod?.end} 已结束（${fromYear} 年度为${h.projectAttribute?.trim() || '未填项目属性'}项目），不结转` }
  }
  return { carry: true }
}

export async function rollover(storage: Storage, actor: Actor, userId: string, req: RolloverRequest): Promise<RolloverAnswer> {
  if (actor.role === 'viewer') throw new AppError('forbidden', '只读账号不能进行年度结转')
  const scope = await scopeOf(storage, actor, req)
  const names = new Map((await storage.departments.list()).map((d) => [d.id, d.name]))
  const nameOf = (id: string) => names.get(id) ?? id

  return storage.transaction(async (tx) => {
    if (!req.dryRun) await executeRows(tx.db, sql`select pg_advisory_xact_lock(${sql.raw(String(ROLLOVER_LOCK_NAMESPACE))}, ${req.toYear})`)
    const carried: RolloverCarried[] = []
    const leftOut: RolloverLeftOut[] = []
    const refused: RolloverRefused[] = []

    const sources = (await tablesOf(tx, req.fromYear, scope))
      .filter((t) => can(actor, 'read', { departmentId: t.departmentId, status: t.status, classified: t.classified, year: t.year }).allowed)
    const targets = await tablesOf(tx, req.toYear, scope)
    const foreign = new Map<string, number>()
    for (const t of targets) if (!t.rolledFromId) foreign.set(t.departmentId, (foreign.get(t.departmentId) ?? 0) + 1)

    const byDept = new Map<string, TableRow[]>()
    for (const t of sources) byDept.set(t.departmentId, [...(byDept.get(t.departmentId) ?? []), t])
    const open: TableRow[] = []
    for (const [departmentId, tables] of byDept) {
      const n = foreign.get(departmentId)
      if (n) {
        refused.push({
          departmentId, departmentName: nameOf(departmentId),
          message: `${nameOf(departmentId)} ${req.toYear} 年度已有 ${n} 张不是结转生成的绩效目标表，为避免重复，本部门的 ${tables.length} 张表均未结转；请先核对或删除这些表后再结转`,
        })
      } else open.push(...tables)
    }

    const rolled = new Map((await tx.tables.rolledFrom(open.map((t) => t.id))).map((r) => [r.rolledFromId!, r]))
    const approved: TableRow[] = []
    for (const t of open) {
      const base = { sourceTableId: t.id, title: t.title, departmentName: nameOf(t.departmentId) }
      const done = rolled.get(t.id)
      if (done) leftOut.push({ ...base, reason: 'already_rolled', message: `已结转到 ${done.year} 年度，不重复结转` })
      else if (t.status !== 'approved' || t.version === 0) {
        leftOut.push({ ...base, reason: 'not_approved', message: `未批复（当前状态：${STATUS_LABELS[t.status as keyof typeof STATUS_LABELS] ?? t.status}），只结转已批复的表` })
      } else approved.push(t)
    }

    const items: (TableToCreate & { source: TableRow })[] = []
    for (let i = 0; i < approved.length; i += 200) {
      const batch = approved.slice(i, i + 200)
      const frozen = new Map((await tx.book.contents(batch.map((t) => ({ tableId: t.id, version: t.version })))).map((f) => [f.tableId, f.content]))
      for (const t of batch) {
        const base = { sourceTableId: t.id, title: t.title, departmentName: nameOf(t.departmentId) }
        const source = parseTable(frozen.get(t.id))
        if (!source.ok) { leftOut.push({ ...base, reason: 'invalid', message: '已批复版本的内容无法读取，不能结转' }); continue }
        const decision = decide(source.table, req.fromYear, req.toYear)
        if (!decision.carry) { leftOut.push({ ...base, reason: decision.reason, message: decision.message }); continue }
        const next = parseTable(carriedContent(source.table, req.toYear))
        if (!next.ok) { leftOut.push({ ...base, reason: 'invalid', message: `无法生成新表：${next.problems[0]?.message ?? '内容不符合表样'}` }); continue }
        items.push({
          source: t, content: next.table, departmentId: t.departmentId, title: t.title, classified: t.classified,
          rolledFromId: t.id, origin: { source: 'rollover', fromTableId: t.id, fromYear: req.fromYear },
        })
      }
    }

    const rows = req.dryRun ? [] : await createTables(tx, userId, items)
    items.forEach((item, i) => carried.push({
      sourceTableId: item.source.id, tableId: rows[i]?.id ?? null, title: item.title, kind: item.content.kind,
      departmentId: item.departmentId, departmentName: nameOf(item.departmentId),
    }))
    if (!req.dryRun) {
      await tx.audit.record({
        userId, action: 'tables.rollover',
        details: {
          fromYear: req.fromYear, toYear: req.toYear, departmentIds: req.departmentIds ?? null,
          carried: carried.length, leftOut: leftOut.length, refused: refused.map((r) => r.departmentName),
        },
      })
    }
    return { fromYear: req.fromYear, toYear: req.toYear, dryRun: req.dryRun, carried, leftOut, refused }
  })
}
