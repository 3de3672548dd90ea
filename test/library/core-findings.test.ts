// R-CORE-REQUIRED in the server's authoritative findings (server/tables/findings.ts with server/library/core.ts):
// a table of a class with a ★ core library entry it lacks has the finding in GET …/findings, in the list's and the
// table's counts, in the submit gate and in the live room's findings push; inserting the indicator clears it; a new
// ★ entry of the class changes an unchanged table's findings at the next read (the cache keys on the library's
// core). Over the whole server (HTTP and sockets), on PGlite and (when configured) PostgreSQL.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { insertRow } from '../../shared/ydoc/index.ts'
import { connectClient, waitFor, type TestClient } from '../helpers/collab-clients.ts'
import { TEST_DATABASE_URL, type TestDatabaseKind } from '../helpers/database.ts'
import { loadSample } from '../helpers/samples.ts'
import { startServer, type RunningServer } from '../helpers/server.ts'

const kinds: TestDatabaseKind[] = TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']

type Finding = { ruleId: string; path: string; severity: string; message: string }
const core = (findings: Finding[]) => findings.filter((f) => f.ruleId === 'R-CORE-REQUIRED').map((f) => `${f.path}:${f.severity}`).sort()

describe.each(kinds)('R-CORE-REQUIRED in the authoritative findings on %s', (kind) => {
  let server: RunningServer
  const tokens: Record<string, string> = {}
  const clients: TestClient[] = []
  let departmentId = ''

  beforeAll(async () => {
    server = await startServer(kind)
    for (const u of ['jiaoyu', 'caizheng']) tokens[u] = await server.login(u)
    departmentId = (await server.storage.departments.getByCode('105'))!.id
  }, 60_000)

  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy()
  })

  afterAll(async () => {
    await server?.close()
  })

  async function addEntry(body: Record<string, unknown>): Promise<string> {
    const res = await server.api('POST', '/api/indicators', tokens.caizheng, { level1: '产出指标', level2: '数量指标', comparator: '≥', scope: 'specific', reason: '测试核心指标', ...body })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    return res.body.indicator.id
  }

  async function newTable(classCode: string, title: string): Promise<string> {
    const content = structuredClone(loadSample('S01')) as Record<string, any>
    content.indicators.forEach((r: Record<string, unknown>, i: number) => (r.id = `r${i}`))
    content.header.functionalClass = { code: classCode, name: '测试分类' }
    content.title = title
    const res = await server.api('POST', '/api/tables', tokens.jiaoyu, { kind: 'project', template: content.template, year: content.year, departmentId, title, content })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    return res.body.id
  }

  const findings = async (id: string): Promise<{ findings: Finding[]; counts: { errors: number } }> => {
    const res = await server.api('GET', `/api/tables/${id}/findings`, tokens.jiaoyu)
    expect(res.status).toBe(200)
    return res.body
  }

  async function listed(id: string, title: string): Promise<{ errors: number }> {
    const res = await server.api('GET', `/api/tables?q=${encodeURIComponent(title)}&limit=50`, tokens.jiaoyu)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    const row = (res.body.tables as { id: string; findings: { errors: number } }[]).find((t) => t.id === id)
    expect(row, `${id} listed`).toBeDefined()
    return row!.findings
  }

  it('reports a missing ★ entry of the table’s class everywhere, blocks submit, and clears when the indicator is inserted live', async () => {
    const k1 = await addEntry({ level3: '课后服务教师参与人数', unit: '人', typicalValue: '800', functionalClasses: ['20502'], core: true })
    // a ★ entry of another class and one of another department do not apply
    await addEntry({ level3: '家庭医生签约服务人数', unit: '人', functionalClasses: ['21004'], core: true })
    await addEntry({ level3: '课后服务巡查次数', unit: '次', functionalClasses: ['20502'], core: true, departmentId: (await server.storage.departments.list()).find((d) => d.id !== departmentId && d.parentId === null)!.id })
    const id = await newTable('2050204', '核心指标测试一')

    const first = await findings(id)
    expect(core(first.findings)).toEqual([`indicators.core.${k1}:error`])
    expect(first.findings.find((f) => f.ruleId === 'R-CORE-REQUIRED')!.message).toContain('课后服务教师参与人数')
    expect(await listed(id, '核心指标测试一')).toMatchObject({ errors: first.counts.errors })
    const one = await server.api('GET', `/api/tables/${id}`, tokens.jiaoyu)
    expect(one.body.findings.errors).toBe(first.counts.errors)

    // an error: submit is held, naming the finding
    const submit = await server.api('POST', `/api/tables/${id}/transitions`, tokens.jiaoyu, { action: 'submit' })
    expect(submit.status).toBe(409)
    expect((submit.body.error.details.findings as Finding[]).map((f) => f.ruleId)).toContain('R-CORE-REQUIRED')

    // the live room pushes the same finding, and drops it once the indicator is there
    const c = connectClient(server.wsUrl, id, tokens.jiaoyu, { params: { findings: '1' } })
    clients.push(c)
    await c.synced()
    insertRow(c.doc, 'indicators', 0, { id: 'core1', period: 'annual', level1: '产出指标', level2: '数量指标', level3: '课后服务教师参与人数', comparator: '≥', target: '800', unit: '人' })
    await waitFor(() => c.findings.length > 0 && core((c.findings.at(-1) as { findings: Finding[] }).findings).length === 0, 15_000, 'findings without R-CORE-REQUIRED')
    const after = await findings(id)
    expect(core(after.findings)).toEqual([])
    expect(after.counts.errors).toBe(first.counts.errors - 1)
    expect(await listed(id, '核心指标测试一')).toMatchObject({ errors: after.counts.errors })
  })

  it('pushes R-CORE-REQUIRED to the live room when the document settles', async () => {
    const id = await newTable('2050201', '核心指标测试二')
    const c = connectClient(server.wsUrl, id, tokens.jiaoyu, { params: { findings: '1' } })
    clients.push(c)
    await c.synced()
    insertRow(c.doc, 'indicators', 0, { id: 'other', period: 'annual', level1: '产出指标', level2: '数量指标', level3: '课后服务覆盖学生人数', comparator: '≥', target: '100', unit: '人' })
    await waitFor(() => c.findings.length > 0, 15_000, 'a findings push')
    const pushed = core((c.findings.at(-1) as { findings: Finding[] }).findings)
    expect(pushed.length).toBeGreaterThan(0)
    expect(pushed.every((p) => p.endsWith(':error'))).toBe(true)
  })

  it('changes an unchanged table’s findings at the next read when a ★ entry of its class is added or stops being core', async () => {
    const id = await newTable('2130101', '核心指标测试三')
    const before = await findings(id)
    expect(core(before.findings)).toEqual([])
    const listedBefore = await listed(id, '核心指标测试三')

    const k2 = await addEntry({ level3: '农田灌溉水有效利用系数', unit: '', typicalValue: '0.6', functionalClasses: ['213'], core: true })
    const added = await findings(id)
    expect(core(added.findings)).toEqual([`indicators.core.${k2}:error`])
    expect(added.counts.errors).toBe(before.counts.errors + 1)
    expect(await listed(id, '核心指标测试三')).toMatchObject({ errors: listedBefore.errors + 1 })

    const current = await server.api('GET', `/api/indicators/${k2}`, tokens.caizheng)
    const patched = await server.api('PATCH', `/api/indicators/${k2}`, tokens.caizheng, { core: false, reason: '不再作为核心指标', version: current.body.indicator?.version ?? current.body.version })
    expect(patched.status, JSON.stringify(patched.body)).toBe(200)
    const removed = await findings(id)
    expect(core(removed.findings)).toEqual([])
    expect(await listed(id, '核心指标测试三')).toMatchObject({ errors: listedBefore.errors })
  })
})
