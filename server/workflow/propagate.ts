// Propagating a group's shared indicator set into its members' tables (POST /api/groups/:id/propagate;
// contract: shared/api/groups.ts). The set is every indicator row of the source table, 年度 and 中期 alike
// (each row keeps its period). Per member: its table of the same year and kind (a project: the one with the
// same normalised 项目名称), created from the source when missing; approved or submitted tables are skipped
// and never written. Each member is written in one server transaction of its live document (stored,
// broadcast to open sockets, recorded in field history), planned from that document's state at that
// moment, so it is written whole or not at all; group_propagations.base then records what was written.
// Overrides: a member row that still equals its base takes the source's new values; one the member changed
// is kept (op keep), rows the member deleted stay deleted, rows removed from the source leave the member
// only when unchanged there. A dry run plans from the stored documents and writes nothing.
import * as Y from 'yjs'
import { sql } from 'drizzle-orm'
import { executeRows } from '../db/execute.ts'
import type { PropagationItem, PropagationMember, PropagationReport } from '../../shared/api/groups.ts'
import { AppError } from '../../shared/errors.ts'
import { LIMITS, newId, parseTable, type DepartmentTable, type IndicatorRow, type ProjectTable, type TargetTable } from '../../shared/model/index.ts'
import { fromYDoc } from '../../shared/ydoc/index.ts'
import { deleteRow, findRowIndex, getRow, insertRow } from '../../shared/ydoc/edits.ts'
import type { Storage, TableRow } from '../storage/index.ts'
import type { BaseRow, PropagationBase, StoredGroup, StoredGroupMember } from '../storage/groups.ts'
import { createTables, titleOf } from '../tables/create.ts'
import { contentOf, readTableDocs } from '../tables/documents.ts'
import { classifiedSource } from './groups.ts'

/** The indicator fields a propagation writes and compares (the row id and its 任务 link stay the member's own). */
export const PROPAGATED_FIELDS = [
  'period', 'level1', 'level2', 'level3', 'comparator', 'target', 'unit', 'valueKind', 'direction', 'weight',
  'explanation', 'formula', 'basis', 'dataSource', 'scoringRule', 'remark', 'core',
] as const

/** A server-side edit of a table's live document (server/collab Collab.change). */
export interface DocWriter {
  change(tableId: string, room: 'table', fn: (doc: Y.Doc) => void, userId?: string | null): Promise<void>
}

type Values = Record<string, unknown>

/** the propagated fields of a row, blanks ('' / null / absent) left out so they compare equal */
export function valuesOf(row: Partial<IndicatorRow>): Values {
  const out: Values = {}
  for (const f of PROPAGATED_FIELDS) {
    const v = (row as Record<string, unknown>)[f]
    if (v !== undefined && v !== null && v !== '') out[f] = v
  }
  return out
}

/** the fields whose values differ */
function diffFields(a: Values, b: Values): string[] {
  return PROPAGATED_FIELDS.filter((f) => a[f] !== b[f])
}

const same = (a: Values, b: Values) => diffFields(a, b).length === 0

/** the propagated fields of a row as written there (what a member row is given) */
function rawOf(row: IndicatorRow): Values {
  const out: Values = {}
  for (const f of PROPAGATED_FIELDS) if (row[f] !== undefined) out[f] = row[f]
  return out
}

const isBlank = (v: unknown) => v === undefined || v === null || v === ''

/** 指标值 as one line: ≥95%, or the text of a 定性 target */
export function valueText(row: Values | undefined): string | null {
  if (!row) return null
  const comparator = String(row.comparator ?? '')
  const target = String(row.target ?? '')
  if (comparator === '定性') return target
  return `${comparator}${target}${String(row.unit ?? '')}`
}

/** a row's identity for adopting, on a first propagation, a row the member already had under the same name */
function rowKey(v: Values): string {
  return `${String(v.period ?? '')}|${normaliseName(String(v.level3 ?? ''))}`
}

/** 项目名称 / indicator names compared without width, case or whitespace differences */
export function normaliseName(s: string): string {
  return s.normalize('NFKC').replace(/\s+/g, '').toLowerCase()
}

export type PlanOp =
  | { op: 'add'; row: IndicatorRow; after: string | null }
  | { op: 'update'; memberRowId: string; values: Values }
  | { op: 'remove'; memberRowId: string }

export interface MemberPlan {
  ops: PlanOp[]
  items: PropagationItem[]
  counts: PropagationMember['counts']
  /** what the member will hold as last propagated, per source row id */
  nextBase: PropagationBase
}

function item(op: PropagationItem['op'], names: Values, fields: string[], before: Values | undefined, after: Values | undefined): PropagationItem {
  return {
    op, level1: String(names.level1 ?? ''), level2: String(names.level2 ?? ''), name: String(names.level3 ?? ''),
    fields, before: valueText(before), after: valueText(after),
  }
}

/**
 * What a propagation does to one member's indicator rows (pure): `sourceRows` the shared set,
 * `memberRows` the member table's rows now, `base` what the group last wrote there (undefined: never).
 */
export function planMember(sourceRows: readonly IndicatorRow[], memberRows: readonly IndicatorRow[], base: PropagationBase | undefined): MemberPlan {
  const ops: PlanOp[] = []
  const items: PropagationItem[] = []
  const counts = { added: 0, updated: 0, removed: 0, kept: 0 }
  const nextBase: PropagationBase = {}
  const prior = base ?? {}
  const members = new Map(memberRows.map((r) => [r.id, r]))
  const mapped = new Set(Object.values(prior).map((b) => b.memberRowId))
  // rows the member had before the group ever wrote there, adoptable by name on a first contact
  const adoptable = new Map<string, IndicatorRow>()
  for (const r of memberRows) {
    const k = rowKey(valuesOf(r))
    if (!mapped.has(r.id) && !adoptable.has(k)) adoptable.set(k, r)
  }
  const sourceIds = new Set(sourceRows.map((r) => r.id))
  // the member row the last placed source row lives in: the next added row goes after it
  let lastPlaced: string | null = null

  const update = (m: IndicatorRow, s: IndicatorRow, sv: Values) => {
    const mv = valuesOf(m)
    const fields = diffFields(mv, sv)
    ops.push({ op: 'update', memberRowId: m.id, values: rawOf(s) })
    items.push(item('update', sv, fields, mv, sv))
    counts.updated++
  }

  for (const s of sourceRows) {
    const sv = valuesOf(s)
    const b: BaseRow | undefined = prior[s.id]
    if (b) {
      const m = members.get(b.memberRowId)
      if (!m) {
        // the member deleted it: it stays deleted; listed when the source changed it meanwhile
        nextBase[s.id] = b
        if (!same(sv, b.values)) {
          items.push(item('keep', sv, [], undefined, undefined))
          counts.kept++
        }
        continue
      }
      const mv = valuesOf(m)
      lastPlaced = m.id
      if (same(mv, b.values)) {
        nextBase[s.id] = { memberRowId: m.id, values: sv }
        if (!same(sv, mv)) update(m, s, sv)
      } else if (same(sv, mv)) {
        nextBase[s.id] = { memberRowId: m.id, values: sv } // both arrived at the same values
      } else {
        nextBase[s.id] = b // an override: it stays one
        if (!same(sv, b.values)) {
          items.push(item('keep', mv, diffFields(b.values, mv), mv, mv))
          counts.kept++
        }
      }
      continue
    }
    const k = rowKey(sv)
    const adopt = adoptable.get(k)
    if (adopt) {
      adoptable.delete(k)
      lastPlaced = adopt.id
      nextBase[s.id] = { memberRowId: adopt.id, values: sv }
      if (!same(valuesOf(adopt), sv)) update(adopt, s, sv)
      continue
    }
    const row = { ...rawOf(s), id: newId('r') } as IndicatorRow
    ops.push({ op: 'add', row, after: lastPlaced })
    items.push(item('add', sv, diffFields({}, sv), undefined, sv))
    counts.added++
    nextBase[s.id] = { memberRowId: row.id, values: sv }
    lastPlaced = row.id
  }

  // source rows gone since the last propagation
  for (const [sourceRowId, b] of Object.entries(prior)) {
    if (sourceIds.has(sourceRowId)) continue
    const m = members.get(b.memberRowId)
    if (!m) continue
    const mv = valuesOf(m)
    if (same(mv, b.values)) {
      ops.push({ op: 'remove', memberRowId: m.id })
      items.push(item('remove', mv, [], mv, undefined))
      counts.removed++
    } else {
      // changed by the member: it becomes the member's own row
      items.push(item('keep', mv, diffFields(b.values, mv), mv, mv))
      counts.kept++
    }
  }
  return { ops, items, counts, nextBase }
}

/** The plan applied to plain rows (a table about to be created). */
export function applyToRows(rows: readonly IndicatorRow[], ops: readonly PlanOp[]): IndicatorRow[] {
  const out = rows.map((r) => ({ ...r }))
  for (const op of ops) {
    if (op.op === 'add') {
      const at = op.after === null ? 0 : out.findIndex((r) => r.id === op.after) + 1
      out.splice(at < 0 ? out.length : at, 0, { ...op.row })
    } else if (op.op === 'update') {
      const i = out.findIndex((r) => r.id === op.memberRowId)
      if (i >= 0) {
        const kept = Object.fromEntries(Object.entries(out[i]!).filter(([k]) => !(PROPAGATED_FIELDS as readonly string[]).includes(k)))
        out[i] = { ...kept, ...op.values } as IndicatorRow
      }
    } else {
      const i = out.findIndex((r) => r.id === op.memberRowId)
      if (i >= 0) out.splice(i, 1)
    }
  }
  return out
}

/** The plan applied to a live table document; call inside one transaction. */
export function applyToDoc(doc: Y.Doc, ops: readonly PlanOp[]): void {
  for (const op of ops) {
    if (op.op === 'add') {
      const at = op.after === null ? 0 : findRowIndex(doc, 'indicators', op.after) + 1
      // findRowIndex answers -1 for a row that is gone: -1 + 1 = 0 would put it first; the end is kinder
      const index = op.after !== null && at === 0 ? Number.MAX_SAFE_INTEGER : at
      insertRow(doc, 'indicators', index, op.row as unknown as Record<string, unknown>, 'server')
    } else if (op.op === 'update') {
      const row = getRow(doc, 'indicators', op.memberRowId)
      if (!row) continue
      for (const f of PROPAGATED_FIELDS) {
        const v = op.values[f]
        const current = row.get(f)
        if (isBlank(v) && isBlank(current)) continue
        if (v === undefined) row.delete(f)
        else if (current !== v) row.set(f, v)
      }
    } else {
      deleteRow(doc, 'indicators', op.memberRowId, 'server')
    }
  }
}

const blankSplit = { total: null, fiscal: null, other: null }

/**
 * A member's new table from the source: the header reset to the member (its name and code; the source's
 * 填报人, 审核意见, 职能 and budget figures dropped), amounts blank, the indicator rows of the plan.
 */
export function startingContent(source: TargetTable, member: Pick<StoredGroupMember, 'name' | 'code'>, rows: IndicatorRow[]): TargetTable {
  const copy = structuredClone(source) as TargetTable & { id?: string; title?: string }
  delete copy.id
  delete copy.title
  delete copy.unplaced
  delete copy.budgetLink
  delete copy.priorYear
  copy.indicators = rows
  if (copy.kind === 'project') {
    const p = copy as ProjectTable
    const { projectName, projectAttribute, projectCategory, fundingType, oneOff, crossYear, projectPeriod, fundSource } = p.header
    p.header = {
      projectName, competentDept: { code: member.code, name: member.name }, implementingUnit: { code: member.code, name: member.name },
      ...(projectAttribute !== undefined ? { projectAttribute } : {}), ...(projectCategory !== undefined ? { projectCategory } : {}),
      ...(fundingType !== undefined ? { fundingType } : {}), ...(oneOff !== undefined ? { oneOff } : {}), ...(crossYear !== undefined ? { crossYear } : {}),
      ...(projectPeriod !== undefined ? { projectPeriod } : {}), ...(fundSource !== undefined ? { fundSource } : {}),
    }
    p.funds = { annual: { ...blankSplit }, ...(p.funds.midTerm ? { midTerm: { ...blankSplit } } : {}) }
  } else {
    const d = copy as DepartmentTable
    d.header = { deptName: member.name, deptCode: member.code, ...(d.header.deptType !== undefined ? { deptType: d.header.deptType } : {}) }
    d.tasks = d.tasks.map((t) => ({ ...t, ...blankSplit }))
    d.taskTotals = { ...blankSplit }
  }
  return copy
}

/** Without a live layer in this process (tools, some tests): the stored document, changed and appended. */
export function storedDocWriter(storage: Storage): DocWriter {
  return {
    async change(tableId, _room, fn, userId = null) {
      const doc = (await readTableDocs(storage, undefined, [tableId])).get(tableId)
      if (!doc) throw new AppError('not_found', '表格不存在')
      const before = Y.encodeStateVector(doc)
      doc.transact(() => fn(doc), 'server')
      const update = Y.encodeStateAsUpdate(doc, before)
      if (update.length > 2) await storage.docLog.appendUpdates(tableId, 'table', [{ update, userId }])
    },
  }
}

export interface PropagateOptions {
  storage: Storage
  writer: DocWriter
  userId: string
  dryRun: boolean
  /**
   * PostgreSQL shared by several server processes: a propagation also holds a database lock on its group,
   * so one in another process waits for it (PGlite belongs to one process: the in-process queue is enough)
   */
  acrossProcesses?: boolean
  /** this process's queue of propagations per group (default: the module's; a test stands in for a second process) */
  queue?: Map<string, Promise<unknown>>
}

const SKIP_MESSAGES = {
  approved: '该部门的表已批复，未写入',
  submitted: '该部门的表已报送、正在审核，未写入',
  source_member: '来源表所在部门，无需下发',
  no_table: '该部门没有同年度同类的表，且无法由来源表生成',
} as const

/** every live table of a year and kind among the members (list pages at most 1000 rows) */
async function memberTables(storage: Storage, year: number, kind: TableRow['kind'], departmentIds: string[]): Promise<TableRow[]> {
  const out: TableRow[] = []
  for (let offset = 0; ; offset += 1000) {
    const page = await storage.tables.list({ year, kind, allowedDepartmentIds: departmentIds, limit: 1000, offset })
    out.push(...page)
    if (page.length < 1000) return out
  }
}

/**
 * Propagations of one group run one after another: a second one started meanwhile would have read the
 * members' tables and bases before the first wrote them (and created a missing table twice). In this
 * process they queue here; across processes sharing a PostgreSQL (`acrossProcesses`) each also holds a
 * transaction-scoped advisory lock on the group while it runs (its writes go over other connections).
 */
const runningHere = new Map<string, Promise<unknown>>()

/** namespace (first key) of the per-group propagation lock */
const PROPAGATION_LOCK_NAMESPACE = 0x54_54_47_50 // 'TTGP'

export async function propagate(group: StoredGroup, opts: PropagateOptions): Promise<PropagationReport> {
  if (opts.dryRun) return propagateNow(group, opts)
  const running = opts.queue ?? runningHere
  const before = running.get(group.id) ?? Promise.resolve()
  const run = opts.acrossProcesses ? () => underGroupLock(opts.storage, group.id, () => propagateNow(group, opts)) : () => propagateNow(group, opts)
  const mine = before.catch(() => {}).then(run)
  running.set(group.id, mine)
  try {
    return await mine
  } finally {
    if (running.get(group.id) === mine) running.delete(group.id)
  }
}

/**
 * Runs `fn` while this connection's transaction holds the group's advisory lock (PostgreSQL only: on PGlite
 * the one connection would be taken by the transaction and `fn`'s own queries would wait for it forever).
 * The wait counts against the statement timeout (30 s by default): far longer than a propagation takes.
 */
async function underGroupLock<T>(storage: Storage, groupId: string, fn: () => Promise<T>): Promise<T> {
  return storage.transaction(async (tx) => {
    await executeRows(tx.db, sql`select pg_advisory_xact_lock(${sql.raw(String(PROPAGATION_LOCK_NAMESPACE))}, hashtext(${groupId}))`)
    return fn()
  })
}

async function propagateNow(asked: StoredGroup, opts: PropagateOptions): Promise<PropagationReport> {
  const { storage, writer, userId, dryRun } = opts
  // as it is now (a propagation queued behind another may find the group changed or gone)
  const group = await storage.groups.get(asked.id)
  if (!group) throw new AppError('not_found', '组不存在或已删除')
  if (!group.sourceTableId) throw new AppError('invalid_input', '请先为组选择来源表（sourceTableId）再下发', { field: 'sourceTableId' })
  const source = await storage.tables.get(group.sourceTableId)
  if (!source) throw new AppError('invalid_input', '来源表已删除，请重新选择来源表（sourceTableId）', { field: 'sourceTableId' })
  if (source.year !== group.year) throw new AppError('invalid_input', `来源表“${source.title}”不是 ${group.year} 年度的表`, { field: 'sourceTableId' })
  if (source.classified) throw classifiedSource(source.title)
  if (group.kind === 'demo-towns' && source.status !== 'approved') {
    throw new AppError('invalid_input', `示范点的来源表“${source.title}”当前未批复，只能下发已批复的指标`, { field: 'sourceTableId' })
  }
  const sourceContent = contentOf((await readTableDocs(storage, undefined, [source.id])).get(source.id)!)
  const sourceRows = sourceContent.indicators
  const bases = await storage.groups.bases(group.id)

  // each member's table: the one this group wrote before, else the first created (a project: same name)
  const others = group.members.filter((m) => m.departmentId !== source.departmentId).map((m) => m.departmentId)
  let candidates = others.length ? await memberTables(storage, group.year, source.kind, others) : []
  candidates = candidates.filter((t) => t.id !== source.id)
  const docs = await readTableDocs(storage, undefined, candidates.map((t) => t.id))
  if (source.kind === 'project') {
    const name = normaliseName((sourceContent as ProjectTable).header.projectName ?? '')
    candidates = candidates.filter((t) => {
      const doc = docs.get(t.id)
      const r = doc ? fromYDoc(doc) : null
      return r?.ok === true && r.table.kind === 'project' && normaliseName(r.table.header.projectName ?? '') === name
    })
  }
  candidates.sort((a, b) => Number(bases.has(b.id)) - Number(bases.has(a.id)) || new Date(a.createdAt).getTime() - new Date(b.createdAt).getTime())
  const tableOf = new Map<string, TableRow>()
  for (const t of candidates) if (!tableOf.has(t.departmentId)) tableOf.set(t.departmentId, t)

  // plan every member from its stored document first: the report of a dry run, and a refusal before any
  // write when a member would pass the row limit
  const planned = new Map<string, MemberPlan>()
  for (const m of group.members) {
    if (m.departmentId === source.departmentId) continue
    const t = tableOf.get(m.departmentId)
    const stored = t ? fromYDoc(docs.get(t.id)!) : null
    const rows = stored?.ok ? stored.table.indicators : []
    const plan = planMember(sourceRows, rows, t ? bases.get(t.id) : undefined)
    planned.set(m.departmentId, plan)
    if (t && t.status !== 'approved' && t.status !== 'submitted' && rows.length + plan.counts.added > LIMITS.indicators) {
      throw new AppError('invalid_input', `下发后“${m.name}”的表将超过 ${LIMITS.indicators} 行指标，未下发任何成员`, { field: 'departmentIds', departmentId: m.departmentId })
    }
  }

  const members: PropagationMember[] = []
  for (const m of group.members) {
    const base = { departmentId: m.departmentId, departmentName: m.name }
    const none = { added: 0, updated: 0, removed: 0, kept: 0 }
    if (m.departmentId === source.departmentId) {
      members.push({ ...base, tableId: source.id, tableTitle: source.title, outcome: 'skipped', skip: 'source_member', message: SKIP_MESSAGES.source_member, counts: none, items: [] })
      continue
    }
    const t = tableOf.get(m.departmentId)
    const plan = planned.get(m.departmentId)!
    if (!t) {
      const content = parseTable(startingContent(sourceContent, m, applyToRows([], plan.ops)))
      if (!content.ok) {
        members.push({ ...base, tableId: null, tableTitle: null, outcome: 'skipped', skip: 'no_table', message: SKIP_MESSAGES.no_table, counts: none, items: [] })
        continue
      }
      const title = titleOf(content.table) || m.name
      let tableId: string | null = null
      if (!dryRun) {
        tableId = await storage.transaction(async (tx) => {
          const [row] = await createTables(tx, userId, [{ content: content.table, departmentId: m.departmentId, title, origin: { source: 'group', groupId: group.id, fromTableId: source.id } }])
          await tx.groups.saveBase(group.id, row!.id, plan.nextBase, userId)
          return row!.id
        })
      }
      members.push({ ...base, tableId, tableTitle: title, outcome: 'created', skip: null, message: null, counts: plan.counts, items: plan.items })
      continue
    }
    const status = dryRun ? t.status : ((await storage.tables.get(t.id))?.status ?? t.status)
    if (status === 'approved' || status === 'submitted') {
      members.push({ ...base, tableId: t.id, tableTitle: t.title, outcome: 'skipped', skip: status, message: SKIP_MESSAGES[status], counts: none, items: [] })
      continue
    }
    let done = plan
    if (!dryRun) {
      // planned again from the live document at the moment of writing: edits made since the read count
      const live: { plan: MemberPlan | null } = { plan: null }
      await writer.change(t.id, 'table', (doc) => {
        const now = fromYDoc(doc)
        if (!now.ok) throw new AppError('conflict', `“${m.name}”的表当前内容无法读取，未写入`)
        const p = (live.plan = planMember(sourceRows, now.table.indicators, bases.get(t.id)))
        if (p.ops.length === 0) return
        applyToDoc(doc, p.ops)
        const after = fromYDoc(doc)
        if (!after.ok) throw new AppError('invalid_input', `下发后“${m.name}”的表不符合表样（${after.problems[0]?.message ?? ''}），未写入`)
      }, userId)
      done = live.plan ?? plan
      await storage.groups.saveBase(group.id, t.id, done.nextBase, userId)
    }
    members.push({ ...base, tableId: t.id, tableTitle: t.title, outcome: done.ops.length ? 'written' : 'unchanged', skip: null, message: null, counts: done.counts, items: done.items })
  }

  if (!dryRun) {
    const tally = (o: string) => members.filter((x) => x.outcome === o).length
    await storage.audit.record({
      userId, action: 'group.propagate',
      details: {
        groupId: group.id, name: group.name, sourceTableId: source.id, setSize: sourceRows.length,
        written: tally('written'), created: tally('created'), unchanged: tally('unchanged'),
        skipped: members.filter((x) => x.outcome === 'skipped').map((x) => ({ departmentId: x.departmentId, skip: x.skip })),
      },
    })
  }
  return { groupId: group.id, dryRun, setSize: sourceRows.length, members, at: new Date().toISOString() }
}
