// Which tables a compiled book (汇编成册) holds and in what order: the year's approved tables of the chosen
// departments (with their units) and kinds, the 涉密 ones only in the internal edition. Order: departments
// and towns by code, each followed by its units (by code); within one, the 部门整体 table first, then
// project tables by title. Checked when the book is requested (POST) and again when it starts building.
import { MAX_BOOK_TABLES, type CompilationBody } from '../../shared/api/export.ts'
import { AppError } from '../../shared/errors.ts'
import type { BookPlan } from '../export/book.ts'
import { inEdition } from '../export/edition.ts'
import type { BookCandidate, BookFilter, Storage } from '../storage/index.ts'

export interface PlannedBook {
  plan: BookPlan
  /** the plan's tables with what is needed to fetch them (same order as plan.entries) */
  tables: BookCandidate[]
}

export function defaultBookTitle(year: number): string {
  return `${year}年度预算绩效目标表汇编`
}

/** The filter a request names; unknown departments are refused, naming them. */
export async function bookFilter(storage: Storage, params: CompilationBody): Promise<BookFilter> {
  let departmentIds: string[] | undefined
  if (params.departmentIds) {
    const wanted = [...new Set(params.departmentIds)]
    const known = new Set((await storage.departments.list()).map((d) => d.id))
    const unknown = wanted.filter((id) => !known.has(id))
    if (unknown.length) throw new AppError('invalid_input', `部门不存在：${unknown.join('、')}`, { field: 'departmentIds', unknown })
    departmentIds = await storage.departments.withDescendants(wanted)
  }
  return { year: params.year, departmentIds, kinds: params.kinds, includeClassified: params.edition === 'internal' }
}

/** How many tables the book would hold; refuses an empty book and one over MAX_BOOK_TABLES, naming the count. */
export async function countBook(storage: Storage, params: CompilationBody): Promise<number> {
  const n = await storage.book.count(await bookFilter(storage, params))
  assertSize(n, params)
  return n
}

function assertSize(n: number, params: CompilationBody): void {
  if (n === 0) {
    throw new AppError('invalid_input', `${params.year}年度所选部门和表类型中没有审核通过的表，无法汇编`, { field: 'year', count: 0 })
  }
  if (n > MAX_BOOK_TABLES) {
    throw new AppError(
      'invalid_input',
      `所选范围共有 ${n} 张审核通过的表，超过一本汇编的上限 ${MAX_BOOK_TABLES} 张；请按部门或表类型分册汇编`,
      { field: 'departmentIds', count: n, max: MAX_BOOK_TABLES },
    )
  }
}

const collator = new Intl.Collator('zh-CN')

function compareCandidates(a: BookCandidate, b: BookCandidate): number {
  const topA = a.parentCode ?? a.departmentCode
  const topB = b.parentCode ?? b.departmentCode
  if (topA !== topB) return topA < topB ? -1 : 1
  const unitA = a.parentCode === null ? 0 : 1
  const unitB = b.parentCode === null ? 0 : 1
  if (unitA !== unitB) return unitA - unitB
  if (a.departmentCode !== b.departmentCode) return a.departmentCode < b.departmentCode ? -1 : 1
  const kindA = a.kind === 'department' ? 0 : 1
  const kindB = b.kind === 'department' ? 0 : 1
  if (kindA !== kindB) return kindA - kindB
  return collator.compare(a.title, b.title) || (a.tableId < b.tableId ? -1 : a.tableId > b.tableId ? 1 : 0)
}

export async function planBook(storage: Storage, params: CompilationBody, compiledAt = new Date()): Promise<PlannedBook> {
  const filter = await bookFilter(storage, params)
  const tables = (await storage.book.candidates(filter)).filter((t) => inEdition(t.classified, params.edition)).sort(compareCandidates)
  assertSize(tables.length, params)
  return {
    plan: {
      title: params.title?.trim() || defaultBookTitle(params.year),
      year: params.year,
      edition: params.edition,
      entries: tables.map((t) => ({ tableId: t.tableId, departmentId: t.departmentId, departmentName: t.departmentName, title: t.title || '未命名' })),
      compiledAt,
    },
    tables,
  }
}
