// The permission matrix end to end: role × own/other department × table status, over HTTP (read,
// findings) and over both live-document rooms (refused / read-only / writable), on the real server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TABLE_STATUSES, type Role, type TableStatus } from '../../shared/permissions.ts'
import { addThread, threadsRoot, setRowField, rowIds, yDocToJson } from '../../shared/ydoc/index.ts'
import { loadStoredDoc } from '../../server/tables/documents.ts'
import { connectClient, sleep, waitFor, type TestClient } from '../helpers/collab-clients.ts'
import { expectedAllowed, expectedRoomAccess, type ViewerScope } from '../helpers/policy.ts'
import { loadSample } from '../helpers/samples.ts'
import { DEMO_PASSWORD } from '../../server/bootstrap/demo-city.ts'
import { startServer, type RunningServer } from '../helpers/server.ts'

const USERS: { username: string; role: Role; viewer?: ViewerScope }[] = [
  { username: 'caizheng', role: 'finance' },
  { username: 'jiaoyu', role: 'department' },
  { username: 'zixun', role: 'consultant' },
  // a city-wide viewer (人大预算工委: no department) and a department's own read-only account (scoped)
  { username: 'renda', role: 'viewer', viewer: 'city' },
  { username: 'jiaoyu-readonly', role: 'viewer', viewer: 'scoped' },
]
const OWN = '105' // jiaoyu's department, assigned to the consultant
const OTHER = '601'

interface Case { user: (typeof USERS)[number]; own: boolean; status: TableStatus; tableId: string; row: string; marker: string }

describe('access matrix over HTTP and sockets', () => {
  let s: RunningServer
  const tokens: Record<string, string> = {}
  const userIds: Record<string, string> = {}
  const tables: { own: boolean; status: TableStatus; id: string; rows: string[] }[] = []

  beforeAll(async () => {
    s = await startServer('pglite')
    const own = (await s.storage.departments.getByCode(OWN))!.id
    await s.storage.users.create({ username: 'jiaoyu-readonly', password: DEMO_PASSWORD, displayName: '教育局（只读）', role: 'viewer', departmentIds: [own] })
    for (const u of USERS) {
      tokens[u.username] = await s.login(u.username)
      userIds[u.username] = (await s.storage.users.getByUsername(u.username))!.id
    }
    for (const own of [true, false]) {
      for (const status of TABLE_STATUSES) {
        const departmentId = (await s.storage.departments.getByCode(own ? OWN : OTHER))!.id
        const created = await s.api('POST', '/api/tables', tokens.caizheng, { kind: 'project', template: 'mof2021-core', year: 2024, departmentId, content: loadSample('S09') })
        expect(created.status).toBe(201)
        if (status !== 'draft') await s.storage.tables.updateState(created.body.id, { status: 'draft', round: 1, version: 0 }, { status })
        tables.push({ own, status, id: created.body.id, rows: created.body.content.indicators.map((r: { id: string }) => r.id) })
      }
    }
  })
  afterAll(async () => {
    await s?.close()
  })

  it('answers HTTP reads exactly where the policy lets the caller read', async () => {
    for (const u of USERS) for (const t of tables) {
      const expected = expectedRoomAccess(u.role, t.own, t.status, 'table', u.viewer) === 'none' ? 404 : 200
      const read = await s.api('GET', `/api/tables/${t.id}`, tokens[u.username])
      const findings = await s.api('GET', `/api/tables/${t.id}/findings`, tokens[u.username])
      expect([read.status, findings.status], `${u.username} ${t.own ? 'own' : 'other'} ${t.status}`).toEqual([expected, expected])
      if (expected === 200) {
        const edit = expectedRoomAccess(u.role, t.own, t.status, 'table', u.viewer) === 'write'
        expect(read.body.access).toEqual({
          edit,
          comment: expectedRoomAccess(u.role, t.own, t.status, 'comments', u.viewer) === 'write',
          ...(edit ? {} : { reason: expect.stringMatching(/[\u4e00-\u9fa5]/) }),
          // the lifecycle buttons the page shows: exactly the actions the written-out policy allows
          actions: (['submit', 'return', 'approve', 'reopen', 'delete', 'review'] as const).filter((a) => expectedAllowed(u.role, t.own, t.status, a, u.viewer)),
        })
      }
    }
  })

  it('lists for each caller exactly the tables the policy lets it read (a scoped viewer: its department only)', async () => {
    for (const u of USERS) {
      const listed = await s.api('GET', '/api/tables?year=2024&limit=200', tokens[u.username])
      expect(listed.status).toBe(200)
      const ids = new Set((listed.body.tables as { id: string }[]).map((t) => t.id))
      for (const t of tables) {
        const readable = expectedRoomAccess(u.role, t.own, t.status, 'table', u.viewer) !== 'none'
        expect(ids.has(t.id), `${u.username} lists ${t.own ? 'own' : 'other'} ${t.status}`).toBe(readable)
      }
    }
  })

  it('refuses, serves read-only or accepts edits on both rooms as the policy says', async () => {
    const clients: { c: Case; room: 'table' | 'comments'; client: TestClient; expected: 'write' | 'read' | 'none' }[] = []
    USERS.forEach((user, ui) => {
      for (const t of tables) {
        for (const room of ['table', 'comments'] as const) {
          const c: Case = { user, own: t.own, status: t.status, tableId: t.id, row: t.rows[ui]!, marker: `${user.username}-${t.status}-${room}` }
          const client = connectClient(s.wsUrl, room === 'table' ? t.id : `${t.id}/comments`, tokens[user.username])
          clients.push({ c, room, client, expected: expectedRoomAccess(user.role, t.own, t.status, room, user.viewer) })
        }
      }
    })

    for (const { c, room, client, expected } of clients) {
      const label = `${c.user.username} ${c.own ? 'own' : 'other'} ${c.status} ${room}`
      if (expected === 'none') {
        await waitFor(() => client.closes.length > 0, 10_000, label)
        expect(client.closes[0]!.code, label).toBe(4403)
        expect(client.denials.length, label).toBe(1)
        continue
      }
      await client.synced()
      if (room === 'table') {
        expect(rowIds(client.doc, 'indicators'), label).toContain(c.row)
        setRowField(client.doc, 'indicators', c.row, 'remark', c.marker)
      } else {
        addThread(client.doc, { id: c.marker, anchor: { rowId: c.row }, round: 1, authorId: userIds[c.user.username]!, text: '请补充数据来源' })
      }
    }

    const stored = async (tableId: string, room: 'table' | 'comments', marker: string, row: string) => {
      const doc = await loadStoredDoc(s.storage, tableId, room)
      if (room === 'comments') return threadsRoot(doc).has(marker)
      const r = (yDocToJson(doc).indicators as { id: string; remark?: string }[]).find((x) => x.id === row)
      return r?.remark === marker
    }
    // Every accepted edit reaches storage…
    for (const { c, room, expected } of clients.filter((x) => x.expected === 'write')) {
      const t0 = Date.now()
      while (!(await stored(c.tableId, room, c.marker, c.row))) {
        if (Date.now() - t0 > 10_000) throw new Error(`edit of ${c.marker} never stored`)
        await sleep(20)
      }
    }
    await sleep(300)
    // …and no refused one does, nor does it reach another reader.
    for (const { c, room, expected, client } of clients.filter((x) => x.expected === 'read')) {
      expect(await stored(c.tableId, room, c.marker, c.row), c.marker).toBe(false)
      expect(client.closes, c.marker).toEqual([])
    }
    const peer = clients.find((x) => x.c.user.role === 'finance' && x.room === 'table' && x.c.status === 'approved')!
    const viewerEdit = clients.find((x) => x.c.user.username === 'renda' && x.room === 'table' && x.c.tableId === peer.c.tableId)!
    const rows = yDocToJson(peer.client.doc).indicators as { id: string; remark?: string }[]
    expect(rows.find((r) => r.id === viewerEdit.c.row)?.remark).not.toBe(viewerEdit.c.marker)
    for (const x of clients) x.client.destroy()
    expect(clients.filter((x) => x.expected === 'write').length).toBeGreaterThan(10)
  })

  it('turns live write access to read-only when the table is approved', async () => {
    const departmentId = (await s.storage.departments.getByCode(OWN))!.id
    const created = await s.api('POST', '/api/tables', tokens.jiaoyu, { kind: 'project', template: 'mof2021-core', year: 2024, departmentId, content: loadSample('S09') })
    const t = { id: created.body.id as string, rows: created.body.content.indicators.map((r: { id: string }) => r.id) as string[] }
    expect((await s.api('POST', `/api/tables/${t.id}/transitions`, tokens.jiaoyu, { action: 'submit' })).body.status).toBe('submitted')
    const client = connectClient(s.wsUrl, t.id, tokens.caizheng)
    await client.synced()
    setRowField(client.doc, 'indicators', t.rows[5]!, 'remark', 'before approval')
    const approved = await s.api('POST', `/api/tables/${t.id}/transitions`, tokens.caizheng, { action: 'approve' })
    expect(approved.body.status).toBe('approved')
    await waitFor(() => client.denials.length > 0, 5_000, 'downgrade notice')
    setRowField(client.doc, 'indicators', t.rows[6]!, 'remark', 'after approval')
    await sleep(400)
    const doc = await loadStoredDoc(s.storage, t.id, 'table')
    const remarks = (yDocToJson(doc).indicators as { remark?: string }[]).map((r) => r.remark)
    expect(remarks).toContain('before approval')
    expect(remarks).not.toContain('after approval')
    const version = await s.api('GET', `/api/tables/${t.id}/versions`, tokens.renda)
    expect(version.body.versions[0].version).toBe(1)
    client.destroy()
  })

  it('cuts off an open socket with 4401 when its session is signed out', async () => {
    const token = await s.login('jiaoyu')
    const t = tables.find((x) => x.own && x.status === 'draft')!
    const client = connectClient(s.wsUrl, t.id, token)
    await client.synced()
    expect((await s.api('POST', '/api/auth/logout', token)).status).toBe(200)
    await waitFor(() => client.closes.length > 0, 5_000, 'close after logout')
    expect(client.closes[0]!.code).toBe(4401)
    const again = connectClient(s.wsUrl, t.id, token)
    await waitFor(() => again.closes.length > 0, 5_000, 'refusal of a revoked token')
    expect(again.closes[0]!.code).toBe(4401)
    client.destroy()
    again.destroy()
  })
})
