// Blank is not broken, through the API and storage (issue 14 item 1): a table whose header objects,
// amounts, goals and row fields are blank (absent, null or "") is created by POST /api/tables with its
// content, stored on PGlite and PostgreSQL, read back with its blanks kept (in their canonical form) and
// judged: GET /api/tables/:id/findings reports each blank. Only what cannot be a table is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTestApp, type TestApp } from '../helpers/app.ts'
import { TEST_DATABASE_URL, type TestDatabaseKind } from '../helpers/database.ts'
import { loadSample } from '../helpers/samples.ts'

const kinds: TestDatabaseKind[] = TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']

type Finding = { ruleId: string; path: string; rowId?: string; message: string }

function blankProject(): Record<string, any> {
  const s = structuredClone(loadSample('S01')) as Record<string, any>
  s.indicators.forEach((r: Record<string, unknown>, i: number) => (r.id = `r${i}`))
  Object.assign(s.header, {
    functionalClass: null,
    projectPeriod: null,
    implementingUnit: { code: '105001', name: null },
    competentDept: '',
    projectAttribute: null,
    preparer: null,
    fillDate: '',
  })
  s.funds = { annual: { total: '', fiscal: '  ', other: null }, midTerm: null }
  s.annualGoal = null
  delete s.midTermGoal
  s.indicators[0].target = null
  s.indicators[0].unit = null
  s.indicators[0].remark = null
  delete s.indicators[1].level3
  s.indicators[2].comparator = ''
  s.coreIndicators = null
  return s
}

function blankDepartment(): Record<string, any> {
  const s = structuredClone(loadSample('S06')) as Record<string, any>
  s.header = null
  s.taskTotals = null
  s.tasks[0] = { id: 't0', name: null, content: null, total: null, fiscal: '', other: undefined }
  s.indicators[0].level3 = null
  return s
}

/** Paths of every null in `v`: in a stored table only amounts may be null (canonical blanks). */
function nullPaths(v: unknown, path = ''): string[] {
  if (v === null) return [path]
  if (Array.isArray(v)) return v.flatMap((x, i) => nullPaths(x, `${path}[${i}]`))
  if (typeof v === 'object' && v !== undefined) return Object.entries(v as object).flatMap(([k, x]) => nullPaths(x, path ? `${path}.${k}` : k))
  return []
}

describe.each(kinds)('blank fields through the API on %s', (kind) => {
  let t: TestApp
  let token: string
  let departmentId: string

  beforeAll(async () => {
    t = await makeTestApp(kind)
    token = await t.login('jiaoyu')
    departmentId = await t.departmentId('105')
  }, 60_000)

  afterAll(async () => {
    await t?.dispose()
  })

  async function create(content: Record<string, any>): Promise<{ id: string; content: Record<string, any>; findings: Finding[] }> {
    const res = await t.request('POST', '/api/tables', { token, body: { kind: content.kind, template: content.template, year: content.year, departmentId, content } })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    const got = await t.request('GET', `/api/tables/${res.body.id}`, { token })
    expect(got.status).toBe(200)
    const findings = await t.request('GET', `/api/tables/${res.body.id}/findings`, { token })
    expect(findings.status).toBe(200)
    return { id: res.body.id, content: got.body.content, findings: findings.body.findings }
  }

  const at = (findings: Finding[], ruleId: string) => findings.filter((f) => f.ruleId === ruleId).map((f) => f.path)

  it('stores a project with blank header objects, amounts, goals and row fields, and reports the blanks', async () => {
    const { content, findings } = await create(blankProject())
    // kept as blanks, in one form: objects absent, required text "", amounts null
    expect(content.header).not.toHaveProperty('functionalClass')
    expect(content.header).not.toHaveProperty('projectPeriod')
    expect(content.header).not.toHaveProperty('competentDept')
    expect(content.header.implementingUnit).toEqual({ code: '105001', name: '' })
    expect(content.header.fillDate).toBe('')
    expect(content.funds.annual).toEqual({ total: null, fiscal: null, other: null })
    expect(content.annualGoal).toBe('')
    expect(content.indicators[0]).toMatchObject({ id: 'r0', target: '', unit: '' })
    expect(content.indicators[1]).toMatchObject({ id: 'r1', level3: '' })
    expect(nullPaths(content)).toEqual(['funds.midTerm', 'funds.annual.total', 'funds.annual.fiscal', 'funds.annual.other'])
    // and judged
    expect(at(findings, 'R-HEADER-REQUIRED')).toEqual(expect.arrayContaining(
      ['header.competentDept', 'header.implementingUnit', 'header.projectAttribute', 'header.projectPeriod', 'funds.annual']))
    expect(at(findings, 'R-GOAL-ANNUAL-REQUIRED')).toEqual(['annualGoal'])
    expect(at(findings, 'R-FUND-FORMAT')).toEqual([])
    expect(findings.some((f) => f.rowId === 'r0' && f.ruleId === 'R-VALUE-REQUIRED')).toBe(true)
    expect(findings.every((f) => /[\u4e00-\u9fa5]/.test(f.message))).toBe(true)
  })

  it('stores a department table with a null header, null 金额合计 and blank task fields, and reports them', async () => {
    const { content, findings } = await create(blankDepartment())
    expect(content.header).toEqual({ deptName: '' })
    expect(content.taskTotals).toEqual({ total: null, fiscal: null, other: null })
    expect(content.tasks[0]).toEqual({ id: 't0', name: '', content: '', total: null, fiscal: null, other: null })
    expect(at(findings, 'R-HEADER-DEPT-REQUIRED')).toEqual(['header.deptName'])
    expect(findings.some((f) => f.ruleId.startsWith('R-DEPT-TASK') && f.rowId === 't0')).toBe(true)
    expect(at(findings, 'R-FUND-FORMAT')).toEqual([])
  })

  it('judges blank content without storing it (POST /api/validate)', async () => {
    const res = await t.request('POST', '/api/validate', { token, body: { content: blankProject() } })
    expect(res.status).toBe(200)
    expect(res.body.findings.map((f: Finding) => `${f.ruleId}@${f.path}`)).toContain('R-HEADER-REQUIRED@header.projectPeriod')
  })

  it('still refuses what cannot be a table, naming the path', async () => {
    for (const [mutate, path] of [
      [(s: Record<string, any>) => { s.indicators = 'rows' }, 'indicators'],
      [(s: Record<string, any>) => { s.indicators[0] = null }, 'indicators[0]'],
      [(s: Record<string, any>) => { s.header = 42 }, 'header'],
    ] as const) {
      const content = blankProject()
      mutate(content)
      const res = await t.request('POST', '/api/tables', { token, body: { kind: 'project', template: content.template, year: content.year, departmentId, content } })
      expect(res.status).toBe(422)
      expect(res.body.error).toMatchObject({ code: 'invalid_table' })
      expect(res.body.error.details.problems[0].path).toBe(path)
    }
  })
})
