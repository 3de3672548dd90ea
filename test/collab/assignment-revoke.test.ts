// An assignment change reaches open sockets at once (as a sign-out does): a consultant assigned to a
// department edits its table live over a real WebsocketProvider; finance removes the assignment over HTTP and
// the consultant's socket is closed (4403) without waiting for a reconnect; assigned again, a new socket writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rowIds, setRowField, yDocToJson } from '../../shared/ydoc/index.ts'
import { DEMO_PASSWORD } from '../../server/bootstrap/demo-city.ts'
import { loadStoredDoc } from '../../server/tables/documents.ts'
import { connectClient, sleep, waitFor } from '../helpers/collab-clients.ts'
import { loadSample } from '../helpers/samples.ts'
import { startServer, type RunningServer } from '../helpers/server.ts'

describe('assignments and open sockets', () => {
  let s: RunningServer
  let finance: string
  let firm: string
  let firmId: string
  let departmentId: string
  let tableId: string

  beforeAll(async () => {
    s = await startServer('pglite')
    finance = await s.login('caizheng')
    firmId = (await s.storage.users.create({ username: 'firm3', password: DEMO_PASSWORD, displayName: '第三咨询公司', role: 'consultant' })).id
    firm = await s.login('firm3')
    departmentId = (await s.storage.departments.getByCode('121'))!.id
    const created = await s.api('POST', '/api/tables', finance, { kind: 'project', template: 'mof2021-core', year: 2025, departmentId, content: { ...(loadSample('S09') as object), year: 2025 } })
    expect(created.status).toBe(201)
    tableId = created.body.id
  }, 60_000)
  afterAll(async () => {
    await s?.close()
  })

  const until = async (pred: () => Promise<boolean>, what: string) => {
    const t0 = Date.now()
    while (!(await pred())) {
      if (Date.now() - t0 > 10_000) throw new Error(`timed out waiting for ${what}`)
      await sleep(25)
    }
  }
  const remarkOf = async (row: string) => (yDocToJson(await loadStoredDoc(s.storage, tableId, 'table')).indicators as { id: string; remark?: string }[]).find((r) => r.id === row)?.remark

  it('closes the consultant’s socket when finance removes the assignment, and a new one writes after reassigning', async () => {
    expect((await s.api('POST', '/api/assignments', finance, { year: 2025, consultantId: firmId, departmentIds: [departmentId], difficulty: 'low' })).status).toBe(200)
    const client = connectClient(s.wsUrl, tableId, firm)
    await client.synced()
    const row = rowIds(client.doc, 'indicators')[0]!
    setRowField(client.doc, 'indicators', row, 'remark', 'assigned edit')
    await until(async () => (await remarkOf(row)) === 'assigned edit', 'assigned edit stored')

    expect((await s.api('DELETE', `/api/assignments?year=2025&departmentId=${departmentId}`, finance)).status).toBe(204)
    await waitFor(() => client.closes.length > 0, 5_000, 'socket closed after unassign')
    expect(client.closes[0]!.code).toBe(4403)
    setRowField(client.doc, 'indicators', row, 'remark', 'after unassign')
    await sleep(300)
    expect(await remarkOf(row)).toBe('assigned edit')
    client.destroy()

    expect((await s.api('POST', '/api/assignments', finance, { year: 2025, consultantId: firmId, departmentIds: [departmentId], difficulty: 'low' })).status).toBe(200)
    const again = connectClient(s.wsUrl, tableId, firm)
    await again.synced()
    setRowField(again.doc, 'indicators', row, 'remark', 'reassigned edit')
    await until(async () => (await remarkOf(row)) === 'reassigned edit', 'reassigned edit stored')
    again.destroy()
  })
})
