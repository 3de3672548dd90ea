// The list's filters as they live in the page URL (/tables?status=draft&q=…): the same keys as the
// GET /api/tables query, so a shared link and the API call say the same thing. Pure; no DOM.
import { MAX_PAGE, TABLE_KINDS, TABLE_SORTS, type TableSort } from '../../../shared/api/constants.ts'
import { TABLE_STATUSES } from '../../../shared/permissions.ts'
import type { TableListParams } from '../../lib/tables-api.ts'

export type ListFilters = Omit<TableListParams, 'cursor'>
type Order = NonNullable<ListFilters['order']>

/** the server's order when a sort is given without one: newest and most errors first, names A→Z */
export function defaultOrder(sort: TableSort): Order {
  return sort === 'updated' || sort === 'errors' ? 'desc' : 'asc'
}

const oneOf = <T extends string>(list: readonly T[], v: string | null): T | undefined =>
  v !== null && (list as readonly string[]).includes(v) ? (v as T) : undefined

const int = (v: string | null, min: number, max: number): number | undefined => {
  if (v === null || !/^\d+$/.test(v)) return undefined
  const n = Number(v)
  return n >= min && n <= max ? n : undefined
}

const bool = (v: string | null): boolean | undefined => (v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : undefined)

/** Reads the filters from a query string; anything malformed is dropped rather than sent on. */
export function readFilters(search: string): ListFilters {
  const p = new URLSearchParams(search)
  const q = p.get('q')?.trim()
  const f: ListFilters = {
    year: int(p.get('year'), 2000, 2100),
    departmentId: p.get('departmentId') || undefined,
    kind: oneOf(TABLE_KINDS, p.get('kind')),
    status: oneOf(TABLE_STATUSES, p.get('status')),
    q: q ? q.slice(0, 200) : undefined,
    hasErrors: bool(p.get('hasErrors')),
    hasOpenThreads: bool(p.get('hasOpenThreads')),
    sort: oneOf(TABLE_SORTS, p.get('sort')),
    order: oneOf(['asc', 'desc'] as const, p.get('order')),
    limit: int(p.get('limit'), 1, MAX_PAGE),
  }
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as ListFilters
}

const ORDER: readonly (keyof ListFilters)[] = ['year', 'departmentId', 'kind', 'status', 'hasErrors', 'hasOpenThreads', 'q', 'sort', 'order', 'limit']

/** The query string for the filters, in a stable key order; empty when nothing is set (plain /tables). */
export function writeFilters(f: ListFilters): string {
  const p = new URLSearchParams()
  for (const k of ORDER) {
    const v = f[k]
    if (v === undefined || v === '') continue
    p.set(k, String(v))
  }
  const s = p.toString()
  return s ? `?${s}` : ''
}

/** Whether any filter narrows the list (sort, order and page size do not). */
export function narrows(f: ListFilters): boolean {
  return f.year !== undefined || !!f.departmentId || !!f.kind || !!f.status || !!f.q || f.hasErrors !== undefined || f.hasOpenThreads !== undefined
}
