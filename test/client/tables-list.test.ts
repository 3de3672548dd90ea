// The list page's pure parts: filters to and from the URL (the API's own keys), and the department tree
// cut to the signed-in user's scope, as the filter and the new-table dialog offer it.
import { describe, expect, it } from 'vitest'
import type { DepartmentSummary, PublicUser } from '../../shared/api/directory.ts'
import { tableListQuery } from '../../shared/api/tables.ts'
import { can } from '../../shared/permissions.ts'
import { actorOf, departmentTree, scopeOf } from '../../client/pages/tables/departments.ts'
import { narrows, readFilters, writeFilters } from '../../client/pages/tables/list-query.ts'

const dept = (id: string, code: string, kind: DepartmentSummary['kind'], parentId: string | null = null): DepartmentSummary =>
  ({ id, code, name: `部门${code}`, kind, parentId, createdAt: '2024-01-01T00:00:00.000Z' })

const CITY: DepartmentSummary[] = [
  dept('d126', '126', 'department'),
  dept('town', '601', 'town'),
  dept('u126b', '126002', 'unit', 'd126'),
  dept('d105', '105', 'department'),
  dept('u126a', '126001', 'unit', 'd126'),
  dept('u601', '601001', 'unit', 'town'),
]

const makeUser = (overrides: Partial<PublicUser> = {}): PublicUser =>
  ({ id: 'u1', username: 'wenlv', displayName: '陈静', role: 'department', departmentIds: ['d126'], ...overrides })

describe('list-query', () => {
  it('reads every filter from the URL and writes it back in one stable order', () => {
    const search = '?q=%E8%AF%BE%E5%90%8E&status=returned&year=2025&departmentId=d126&kind=project&hasErrors=true&hasOpenThreads=false&sort=title&order=desc&limit=20'
    const f = readFilters(search)
    expect(f).toEqual({ year: 2025, departmentId: 'd126', kind: 'project', status: 'returned', q: '课后', hasErrors: true, hasOpenThreads: false, sort: 'title', order: 'desc', limit: 20 })
    expect(writeFilters(f)).toBe('?year=2025&departmentId=d126&kind=project&status=returned&hasErrors=true&hasOpenThreads=false&q=%E8%AF%BE%E5%90%8E&sort=title&order=desc&limit=20')
    expect(readFilters(writeFilters(f))).toEqual(f)
  })

  it('writes what the server accepts: the page URL query is a valid GET /api/tables query', () => {
    const f = readFilters('?year=2026&status=draft&hasErrors=1&sort=errors&limit=500')
    const parsed = tableListQuery.safeParse(Object.fromEntries(new URLSearchParams(writeFilters(f))))
    expect(parsed.success && parsed.data).toMatchObject({ year: 2026, status: 'draft', hasErrors: true, sort: 'errors', limit: 500 })
  })

  it('drops malformed values instead of sending them on', () => {
    expect(readFilters('?year=20x5&status=reviewing&kind=other&sort=name&order=up&limit=100000&hasErrors=maybe&q=%20%20')).toEqual({})
    expect(readFilters('?limit=0')).toEqual({})
    expect(writeFilters({})).toBe('')
  })

  it('counts only narrowing filters as filters (sort and page size do not hide tables)', () => {
    expect(narrows({ sort: 'title', order: 'asc', limit: 10 })).toBe(false)
    expect(narrows({ hasOpenThreads: false })).toBe(true)
    expect(narrows({ q: '项目' })).toBe(true)
  })
})

describe('department tree', () => {
  it('lists departments, then towns, each followed by its units in code order', () => {
    expect(departmentTree(CITY).map((o) => `${'-'.repeat(o.depth)}${o.code}`)).toEqual(['105', '126', '-126001', '-126002', '601', '-601001'])
  })

  it('cuts the tree to a department user\'s scope: its departments and their units', () => {
    const user = makeUser()
    expect([...scopeOf(user, CITY)].sort()).toEqual(['d126', 'u126a', 'u126b'])
    expect(departmentTree(CITY, scopeOf(user, CITY)).map((o) => o.code)).toEqual(['126', '126001', '126002'])
  })

  it('lets a unit the user holds alone stand as a root', () => {
    const user = makeUser({ departmentIds: ['u601'] })
    expect(departmentTree(CITY, scopeOf(user, CITY)).map((o) => ({ code: o.code, depth: o.depth }))).toEqual([{ code: '601001', depth: 0 }])
  })

  it('adds a consultant\'s assigned departments (with their units) to its memberships, as departmentsFor does', () => {
    const firm = makeUser({ role: 'consultant', departmentIds: [] })
    expect(departmentTree(CITY, scopeOf(firm, CITY)).map((o) => o.code)).toEqual([])
    expect(departmentTree(CITY, scopeOf(firm, CITY, ['d126', 'town'])).map((o) => o.code)).toEqual(['126', '126001', '126002', '601', '601001'])
    expect([...scopeOf(makeUser({ role: 'consultant', departmentIds: ['d105'] }), CITY, ['town'])].sort()).toEqual(['d105', 'town', 'u601'])
  })

  it('gives the shared permission function the same scope the server resolves (a unit\'s draft is deletable)', () => {
    const actor = actorOf(makeUser(), CITY)
    expect(can(actor, 'delete', { departmentId: 'u126a', status: 'draft' }).allowed).toBe(true)
    expect(can(actor, 'delete', { departmentId: 'u126a', status: 'submitted' }).allowed).toBe(false)
    expect(can(actor, 'delete', { departmentId: 'd105', status: 'draft' }).allowed).toBe(false)
  })
})
