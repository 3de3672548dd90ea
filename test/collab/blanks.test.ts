// Blank is not broken in the live document (issue 14 item 1): over real sockets (the official
// WebsocketProvider, the whole server as main.ts builds it), a client that writes null or "" into a field
// or deletes an optional key is accepted; the edit reaches the other client as written, is stored, and
// the findings (the socket's and GET /api/tables/:id/findings) report the blanks. A value that is not a
// blank but the wrong type is still refused. On PGlite and (when configured) PostgreSQL.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { setField, setRowField, tableRoot } from '../../shared/ydoc/index.ts'
import { connectClient, waitFor, type TestClient } from '../helpers/collab-clients.ts'
import { TEST_DATABASE_URL, type TestDatabaseKind } from '../helpers/database.ts'
import { loadSample } from '../helpers/samples.ts'
import { startServer, type RunningServer } from '../helpers/server.ts'

const kinds: TestDatabaseKind[] = TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']

type Finding = { ruleId: string; path: string; rowId?: string }
const key = (f: Finding) => `${f.ruleId}@${f.path}${f.rowId ? `#${f.rowId}` : ''}`

describe.each(kinds)('blank fields in the live document on %s', (kind) => {
  let server: RunningServer
  const tokens: Record<string, string> = {}
  const clients: TestClient[] = []

  beforeAll(async () => {
    server = await startServer(kind)
    for (const u of ['jiaoyu', 'zixun']) tokens[u] = await server.login(u)
  }, 60_000)

  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy()
  })

  afterAll(async () => {
    await server?.close()
  })

  async function newTable(): Promise<string> {
    const content = structuredClone(loadSample('S01')) as Record<string, any>
    content.indicators.forEach((r: Record<string, unknown>, i: number) => (r.id = `r${i}`))
    content.header.functionalClass = { code: '2050204', name: '高中教育' }
    const departmentId = (await server.storage.departments.getByCode('105'))!.id
    const res = await server.api('POST', '/api/tables', tokens.jiaoyu, { kind: 'project', template: content.template, year: content.year, departmentId, content })
    expect(res.status).toBe(201)
    return res.body.id
  }

  async function open(tableId: string, user: string, params?: Record<string, string>): Promise<TestClient> {
    const c = connectClient(server.wsUrl, tableId, tokens[user], { params })
    clients.push(c)
    await c.synced()
    return c
  }

  const header = (c: TestClient) => tableRoot(c.doc).get('header') as Y.Map<unknown>
  const row = (c: TestClient, id: string) => (tableRoot(c.doc).get('indicators') as Y.Array<Y.Map<unknown>>).toArray().find((r) => r.get('id') === id)!

  /** The stored findings once they hold every one of `want`. */
  async function findingsWith(tableId: string, want: string[]): Promise<string[]> {
    let got: string[] = []
    const t0 = Date.now()
    while (Date.now() - t0 < 15_000) {
      const res = await server.api('GET', `/api/tables/${tableId}/findings`, tokens.jiaoyu)
      got = (res.body.findings as Finding[]).map(key)
      if (want.every((w) => got.includes(w))) break
      await new Promise((r) => setTimeout(r, 50))
    }
    return got
  }

  it('accepts null, "" and deleted keys from a client, passes them on as written, and reports them', async () => {
    const tableId = await newTable()
    const a = await open(tableId, 'jiaoyu')
    const b = await open(tableId, 'zixun', { findings: '1' })
    const before = (await findingsWith(tableId, [])).filter((k) => /R-HEADER-REQUIRED|R-VALUE-REQUIRED@indicators\[0\]|R-GOAL-ANNUAL/.test(k))
    expect(before).toEqual([])

    a.doc.transact(() => {
      header(a).set('functionalClass', null)
      header(a).delete('implementingUnit')
      header(a).set('projectPeriod', '')
      tableRoot(a.doc).delete('annualGoal')
    })
    setRowField(a.doc, 'indicators', 'r0', 'target', '')
    setRowField(a.doc, 'indicators', 'r1', 'unit', null)
    setField(a.doc, ['funds', 'annual', 'total'], '')

    // the other client gets exactly what was written
    await waitFor(() => header(b).get('functionalClass') === null && row(b, 'r0').get('target') === '' && row(b, 'r1').get('unit') === null
      && !header(b).has('implementingUnit') && !tableRoot(b.doc).has('annualGoal') && (tableRoot(b.doc).get('funds') as Y.Map<Y.Map<unknown>>).get('annual')!.get('total') === '')
    expect(header(b).get('projectPeriod')).toBe('')
    expect(a.denials).toEqual([])
    expect(a.closes).toEqual([])

    // stored and judged: the findings name each blank, and a blank amount is not text
    const want = [
      'R-HEADER-REQUIRED@header.implementingUnit',
      'R-HEADER-REQUIRED@header.projectPeriod',
      'R-HEADER-REQUIRED@funds.annual',
      'R-GOAL-ANNUAL-REQUIRED@annualGoal',
      'R-VALUE-REQUIRED@indicators[0]#r0',
    ]
    const got = await findingsWith(tableId, want)
    expect(got).toEqual(expect.arrayContaining(want))
    expect(got.filter((k) => k.startsWith('R-FUND-FORMAT'))).toEqual([])
    // the subscribed client hears the same findings
    await waitFor(() => b.findings.some((m) => want.every((w) => ((m as { findings: Finding[] }).findings ?? []).map(key).includes(w))))

    // the API reads the live content in its canonical form
    const content = (await server.api('GET', `/api/tables/${tableId}`, tokens.jiaoyu)).body.content
    expect(content.header).not.toHaveProperty('functionalClass')
    expect(content.header).not.toHaveProperty('implementingUnit')
    expect(content.annualGoal).toBe('')
    expect(content.funds.annual.total).toBeNull()
    expect(content.indicators[0].target).toBe('')
    expect(content.indicators[1].unit).toBe('')
  })

  it('still refuses a value that is not a blank but of the wrong type, keeping it from the others', async () => {
    const tableId = await newTable()
    const a = await open(tableId, 'jiaoyu')
    const b = await open(tableId, 'zixun')
    header(a).set('functionalClass', 2050204)
    await waitFor(() => a.denials.length > 0)
    expect(a.denials[0]).toMatch(/^E_INVALID_UPDATE/)
    // a later, valid blank from b arrives at a fresh client; the refused number never does
    header(b).set('functionalClass', null)
    const c = await open(tableId, 'jiaoyu')
    await waitFor(() => header(c).has('functionalClass') && header(c).get('functionalClass') === null)
    expect(b.denials).toEqual([])
  })
})
