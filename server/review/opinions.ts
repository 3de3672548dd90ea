// The 意见汇总表 (opinions summary, issue 12 item 5): one row per review thread with a readable position,
// author and unit, replies and 处理状态. buildOpinions is pure; loadOpinions gathers what it needs from storage.
import type { OpinionRow } from '../../shared/api/review.ts'
import { fieldLabel, type TargetTable } from '../../shared/model/index.ts'
import type { Role } from '../../shared/permissions.ts'
import { readThreads, type CommentAnchor, type CommentThread } from '../../shared/ydoc/index.ts'
import type { Storage } from '../storage/index.ts'
import { contentOf, readTableDocs, type LiveDocs } from '../tables/documents.ts'

export type OpinionState = OpinionRow['state']

/** How an author shows: display name and unit (财政局, 第三方机构, or their departments' names). */
export interface Person { name: string; unit: string }
export type People = ReadonlyMap<string, Person>

export interface OpinionTable { id: string; title: string }

const ROLE_UNITS: Partial<Record<Role, string>> = { finance: '财政局', consultant: '第三方机构' }
/** row fields the grid anchors to that FIELD_LABELS does not name */
const ROW_FIELD_LABELS: Readonly<Record<string, string>> = { value: '指标值', name: '任务名称' }
const LEVEL_FIELDS = new Set(['level1', 'level2', 'level3'])
const BLANK = '（未填）'

const rowFieldLabel = (field: string) => ROW_FIELD_LABELS[field] ?? fieldLabel(field)
const periodPrefix = (period: string | undefined) => (period === 'midTerm' ? '中期：' : '')
const orBlank = (s: string | undefined) => (s && s.trim() ? s.trim() : BLANK)

/** A header or computed field path (`header.projectName`, `funds.annual.total`) as its labels, `表头` left out. */
function pathPosition(path: string): string {
  const parts = path.split('.').filter((p) => p !== '' && p !== 'header')
  return parts.length ? parts.map((p) => fieldLabel(p)).join('·') : '表头'
}

/**
 * Anchors of cells that are not fields (shared/layout/layout.ts): `label:<key>` for printed labels and
 * group cells (`l1:<level1>`, `l2:<period>:<level1>:<level2>`), `new:<padKey>.<field>` for the blank
 * rows where a new indicator or task is typed.
 */
function specialPosition(field: string): string | undefined {
  if (field.startsWith('label:')) {
    const key = field.slice('label:'.length)
    const [kind, ...rest] = key.split(':')
    if (kind === 'l1') return rest.join(':') || BLANK
    if (kind === 'l2' && rest.length >= 3) return `${periodPrefix(rest[0])}${rest.slice(1).join('/')}`
    if (key === 'title') return '表名'
    return fieldLabel(key)
  }
  if (field.startsWith('new:')) {
    const rest = field.slice('new:'.length)
    const dot = rest.lastIndexOf('.')
    const pad = dot < 0 ? rest : rest.slice(0, dot)
    const cell = dot < 0 ? '' : rowFieldLabel(rest.slice(dot + 1))
    const [list, level1, level2] = pad.split('|')
    const where = list === 'tasks'
      ? '年度主要任务'
      : `${periodPrefix(list)}${[level1, level2 && !/^pad\d+$/.test(level2) ? level2 : undefined].filter(Boolean).join('/')}`
    return `${where || '绩效指标'}（新增行）${cell ? `·${cell}` : ''}`
  }
  return undefined
}

/**
 * 位置 of an opinion: an indicator row as 一级/二级/三级 (`中期：` before a mid-term row), a task as
 * `年度主要任务：<name>`, with the cell's field in brackets when it is not one of the levels; a header
 * field by its label; no anchor → 整表; a row no longer in the table → 已删除的行（id）.
 */
export function opinionPosition(content: TargetTable | null, anchor: CommentAnchor): string {
  const { rowId, field } = anchor
  if (!rowId) {
    if (!field) return '整表'
    return specialPosition(field) ?? pathPosition(field)
  }
  const cell = field && !LEVEL_FIELDS.has(field) ? `（${rowFieldLabel(field)}）` : ''
  const indicator = content?.indicators.find((r) => r.id === rowId)
  if (indicator) return `${periodPrefix(indicator.period)}${[indicator.level1, indicator.level2, indicator.level3].map(orBlank).join('/')}${cell}`
  const task = content?.kind === 'department' ? content.tasks.find((r) => r.id === rowId) : undefined
  if (task) return `年度主要任务：${orBlank(task.name)}${field === 'name' ? '' : cell}`
  return `已删除的行（${rowId}）`
}

/** 处理状态: resolved first, then the department's disposition, then whether anyone else answered. */
export function opinionState(thread: CommentThread): OpinionState {
  if (thread.status === 'resolved') return '已解决'
  if (thread.disposition === 'revised') return '已修改'
  if (thread.disposition === 'declined') return '不采纳'
  // The reviewer adding to their own opinion is not an answer to it: it still awaits the department.
  return thread.messages.slice(1).some((m) => m.authorId !== thread.authorId) ? '已回复' : '待回复'
}

function personOf(people: People, userId: string): Person {
  return people.get(userId) ?? { name: `未知用户（${userId}）`, unit: '' }
}

/** 提出人及单位 as one text: `姓名，单位`. */
export function authorLabel(people: People, userId: string): string {
  const p = personOf(people, userId)
  return p.unit ? `${p.name}，${p.unit}` : p.name
}

/** One table's opinions in order of creation, numbered from `firstIndex` (1 unless continuing another table's list). */
export function buildOpinions(input: {
  table: OpinionTable
  content: TargetTable | null
  threads: readonly CommentThread[]
  people: People
  firstIndex?: number
}): OpinionRow[] {
  const { table, content, people } = input
  const first = input.firstIndex ?? 1
  const threads = [...input.threads].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
  return threads.map((t, i) => {
    const [opinion, ...replies] = t.messages
    return {
      index: first + i,
      tableId: table.id,
      tableTitle: table.title,
      round: t.round,
      threadId: t.id,
      position: opinionPosition(content, t.anchor ?? {}),
      opinion: opinion?.text ?? '',
      author: authorLabel(people, t.authorId),
      createdAt: t.createdAt,
      replies: replies.map((m) => `${personOf(people, m.authorId).name}：${m.text}`),
      state: opinionState(t),
      dispositionReason: t.dispositionReason?.trim() ? t.dispositionReason : null,
    }
  })
}

/** Every author and replier named, each user and department looked up once. */
export async function loadPeople(storage: Storage, userIds: Iterable<string>): Promise<Map<string, Person>> {
  const ids = [...new Set(userIds)]
  const users = await Promise.all(ids.map((id) => storage.users.get(id)))
  const departmentIds = [...new Set(users.flatMap((u) => (u?.role === 'department' ? u.departmentIds : [])))]
  const departments = new Map((await Promise.all(departmentIds.map((id) => storage.departments.get(id)))).filter((d) => d !== null).map((d) => [d.id, d]))
  const people = new Map<string, Person>()
  for (const user of users) {
    if (!user) continue
    let unit = ROLE_UNITS[user.role] ?? ''
    if (user.role === 'department') {
      unit = user.departmentIds
        .map((id) => departments.get(id))
        .filter((d) => d !== undefined)
        .sort((a, b) => a.code.localeCompare(b.code))
        .map((d) => d.name)
        .join('、')
    }
    people.set(user.id, { name: user.displayName, unit })
  }
  return people
}

// Tables read together: two queries per room per chunk, and no more than a chunk's documents in memory at once.
const LOAD_CHUNK = 100

export interface LoadOpinionsOptions {
  storage: Storage
  live?: LiveDocs
  /** only threads of this round; all rounds when absent */
  round?: number
}

/**
 * The opinions of `tables`, in the order given and then by creation, numbered 1..n across all of them.
 * The caller has checked that each table may be read.
 */
export async function loadOpinions(tables: readonly OpinionTable[], options: LoadOpinionsOptions): Promise<OpinionRow[]> {
  const { storage, live, round } = options
  const rows: OpinionRow[] = []
  const people = new Map<string, Person>()
  for (let i = 0; i < tables.length; i += LOAD_CHUNK) {
    const chunk = tables.slice(i, i + LOAD_CHUNK)
    const ids = chunk.map((t) => t.id)
    const docs = await readTableDocs(storage, live, ids, 'comments')
    const threadsOf = new Map(ids.map((id) => [id, readThreads(docs.get(id)!).filter((t) => round === undefined || t.round === round)]))
    // The content only names rows: a table whose opinions sit on header fields or the whole table needs none.
    const contents = await readTableDocs(storage, live, ids.filter((id) => threadsOf.get(id)!.some((t) => t.anchor?.rowId)), 'table')
    const authors = [...threadsOf.values()].flatMap((threads) => threads.flatMap((t) => [t.authorId, ...t.messages.map((m) => m.authorId)]))
    for (const [id, person] of await loadPeople(storage, authors.filter((id) => !people.has(id)))) people.set(id, person)
    for (const table of chunk) {
      const doc = contents.get(table.id)
      rows.push(...buildOpinions({ table, content: doc ? contentOf(doc) : null, threads: threadsOf.get(table.id)!, people, firstIndex: rows.length + 1 }))
    }
  }
  return rows
}
