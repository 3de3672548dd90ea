// The library page's filters as they live in its URL (/library?q=myd&level1=…&id=…): the same keys as the
// GET /api/indicators query, plus `id`, the entry open in the side panel. Pure; no DOM.
import type { LibraryScope } from '../../../shared/api/library.ts'

export interface LibraryFilters {
  q?: string
  level1?: string
  level2?: string
  functionalClass?: string
  scope?: LibraryScope
  departmentId?: string
  core?: boolean
}

export interface LibraryLocation extends LibraryFilters {
  /** the entry shown in the side panel */
  id?: string
}

const MAX_Q = 200
const KEYS: readonly (keyof LibraryLocation)[] = ['q', 'level1', 'level2', 'functionalClass', 'scope', 'departmentId', 'core', 'id']

/** Reads the page state from a query string; anything malformed is dropped rather than sent on. */
export function readLocation(search: string): LibraryLocation {
  const p = new URLSearchParams(search)
  const text = (k: string, max = 100) => {
    const v = p.get(k)?.trim()
    return v ? v.slice(0, max) : undefined
  }
  const scope = p.get('scope')
  const fc = p.get('functionalClass')
  const core = p.get('core')
  const out: LibraryLocation = {
    q: text('q', MAX_Q),
    level1: text('level1', 50),
    level2: text('level2', 50),
    functionalClass: fc && /^\d{3,7}$/.test(fc) ? fc : undefined,
    scope: scope === 'common' || scope === 'specific' ? scope : undefined,
    departmentId: text('departmentId'),
    core: core === 'true' || core === '1' ? true : undefined,
    id: text('id', 64),
  }
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as LibraryLocation
}

/** The query string for the page state, in a stable key order; empty when nothing is set (plain /library). */
export function writeLocation(l: LibraryLocation): string {
  const p = new URLSearchParams()
  for (const k of KEYS) {
    const v = l[k]
    if (v === undefined || v === '' || v === false) continue
    p.set(k, String(v))
  }
  const s = p.toString()
  return s ? `?${s}` : ''
}

/** The filters part (what the list depends on), without the open entry. */
export function filtersOf(l: LibraryLocation): LibraryFilters {
  const { id: _id, ...f } = l
  return f
}

/** Whether any filter narrows the list. */
export function narrows(f: LibraryFilters): boolean {
  return !!(f.q || f.level1 || f.level2 || f.functionalClass || f.scope || f.departmentId || f.core)
}
