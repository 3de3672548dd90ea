// The list page's pure parts: filters to and from the URL (the API's own keys), the department tree cut to
// the signed-in user's scope, as the filter offers it, and what the new-table dialogs offer for a year (the
// departments the shared permission function lets the caller create in, a consultant's assignments per year).
import { describe, expect, it } from 'vitest'
import type { DepartmentSummary, PublicUser } from '../../shared/api/directory.ts'
import { tableListQuery } from '../../shared/api/tables.ts'
import { can, type Actor } from '../../shared/permissions.ts'
import { actorOf, createChoices, departmentTree, mayCreate, noDepartments, scopeOf } from '../../client/pages/tables/departments.ts'
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

describe('new-table choices', () => {
  const firm = makeUser({ id: 'c1', username: 'firm', role: 'consultant', departmentIds: [] })
  const codes = (options: { code: string; depth: number }[]) => options.map((o) => `${'-'.repeat(o.depth)}${o.code}`)

  it('offers 新建 to finance, to members of a department, and to a consultant with an assignment of any year; never to a viewer', () => {
    expect(mayCreate(makeUser({ role: 'finance', departmentIds: [] }), [])).toBe(true)
    expect(mayCreate(makeUser(), [])).toBe(true)
    expect(mayCreate(makeUser({ departmentIds: [] }), [])).toBe(false)
    expect(mayCreate(firm, [])).toBe(false)
    expect(mayCreate(firm, ['town'])).toBe(true)
    expect(mayCreate(makeUser({ role: 'consultant', departmentIds: ['d105'] }), [])).toBe(true)
    expect(mayCreate(makeUser({ role: 'viewer', departmentIds: ['d126'] }), ['town'])).toBe(false)
    expect(mayCreate(makeUser({ role: 'viewer', departmentIds: [] }), [])).toBe(false)
  })

  it('offers a consultant with no memberships exactly the year\'s assigned departments with their units', () => {
    expect(codes(createChoices(firm, CITY, ['town']))).toEqual(['601', '-601001'])
    expect(codes(createChoices(firm, CITY, ['d126', 'u601']))).toEqual(['126', '-126001', '-126002', '601001'])
    // another year's answer: nothing assigned, nothing offered
    expect(createChoices(firm, CITY, [])).toEqual([])
  })

  it('adds a consultant\'s assignments to its memberships, and ignores "assignments" of other roles', () => {
    expect(codes(createChoices(makeUser({ role: 'consultant', departmentIds: ['d105'] }), CITY, ['town']))).toEqual(['105', '601', '-601001'])
    expect(codes(createChoices(makeUser(), CITY, ['town']))).toEqual(['126', '-126001', '-126002'])
    expect(codes(createChoices(makeUser({ role: 'finance', departmentIds: [] }), CITY, []))).toEqual(['105', '126', '-126001', '-126002', '601', '-601001'])
    expect(createChoices(makeUser({ role: 'viewer' }), CITY, ['town'])).toEqual([])
  })

  it('offers for each year exactly what the shared permission function lets the caller create as a draft of that year', () => {
    const users = [firm, makeUser({ role: 'consultant', departmentIds: ['d105'] }), makeUser(), makeUser({ role: 'viewer' }), makeUser({ role: 'finance', departmentIds: [] })]
    // as the server resolves a consultant: each year's assigned departments with their units
    const assignments: Record<number, string[]> = { 2026: ['town'], 2027: ['d126'] }
    for (const user of users) {
      const actor: Actor = {
        ...actorOf(user, CITY),
        ...(user.role === 'consultant' ? { assignedDepartmentIds: { 2026: [...scopeOf(makeUser({ departmentIds: [] }), CITY, assignments[2026])], 2027: [...scopeOf(makeUser({ departmentIds: [] }), CITY, assignments[2027])] } } : {}),
      }
      for (const year of [2026, 2027, 2028]) {
        const offered = new Set(createChoices(user, CITY, assignments[year] ?? []).map((o) => o.id))
        const allowed = new Set(CITY.filter((d) => can(actor, 'edit', { departmentId: d.id, status: 'draft', year }).allowed).map((d) => d.id))
        expect([...offered].sort(), `${user.role} ${user.departmentIds.join(',')} ${year}`).toEqual([...allowed].sort())
      }
    }
  })

  it('says why a consultant is offered nothing for a year', () => {
    expect(noDepartments(firm, 2027)).toBe('2027 年度没有分配给您的部门，请改选年度，或请财政局在第三方机构分工中分配')
    expect(noDepartments(makeUser(), 2027)).toBe('没有可选择的部门')
  })
})
