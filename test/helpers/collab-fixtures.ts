// Database fixtures for collaboration tests and the bench: two departments, a user of each kind with a
// live session token, and tables whose documents are seeded into the update log.
import { parseTableOrThrow, type TargetTable } from '../../shared/model/index.ts'
import type { Actor } from '../../shared/permissions.ts'
import { encodeTable } from '../../shared/ydoc/index.ts'
import type { Storage } from '../../server/storage/index.ts'
import { loadSample } from './samples.ts'

export const FIXTURE_USERS = ['finance', 'alice', 'bob', 'viewer', 'outsider'] as const
export type FixtureUser = (typeof FIXTURE_USERS)[number]

export interface CollabFixtures {
  departments: { d1: string; d2: string }
  users: Record<FixtureUser, { id: string; token: string }>
  /** a project table of d1 seeded from sample S01 */
  tableId: string
}

/** The sample S01 table, optionally with `indicators` rows (cycling the sample's rows). */
export function sampleTable(indicators?: number): TargetTable {
  const raw = loadSample('S01') as Record<string, unknown>
  const table = parseTableOrThrow(raw) as TargetTable & { indicators: TargetTable['indicators'] }
  if (indicators === undefined) return table
  const base = table.indicators
  return {
    ...table,
    indicators: Array.from({ length: indicators }, (_, i) => ({ ...base[i % base.length]!, id: `ind-${i}`, level3: `${base[i % base.length]!.level3}${i}` })),
  }
}

export async function seedCollabFixtures(storage: Storage, opts: { tag?: string } = {}): Promise<CollabFixtures> {
  const tag = opts.tag ?? Math.random().toString(36).slice(2, 8)
  const d1 = await storage.departments.create({ code: `D1-${tag}`, name: '教育局', kind: 'department' })
  const d2 = await storage.departments.create({ code: `D2-${tag}`, name: '卫健委', kind: 'department' })
  const spec: Record<FixtureUser, { role: Actor['role']; departmentIds: string[] }> = {
    finance: { role: 'finance', departmentIds: [] },
    alice: { role: 'department', departmentIds: [d1.id] },
    bob: { role: 'department', departmentIds: [d1.id] },
    viewer: { role: 'viewer', departmentIds: [] },
    outsider: { role: 'department', departmentIds: [d2.id] },
  }
  const users = {} as CollabFixtures['users']
  for (const name of FIXTURE_USERS) {
    const u = await storage.users.create({ username: `${name}-${tag}`, password: 'collab-test-pw', role: spec[name].role, departmentIds: spec[name].departmentIds })
    const { token } = await storage.sessions.create(u.id)
    users[name] = { id: u.id, token }
  }
  const tableId = await createSeededTable(storage, d1.id, sampleTable())
  return { departments: { d1: d1.id, d2: d2.id }, users, tableId }
}

/** A table row plus its document's first update (what creating a table through the API does). */
export async function createSeededTable(storage: Storage, departmentId: string, content: TargetTable): Promise<string> {
  const row = await storage.tables.create({ kind: content.kind, template: content.template, year: content.year, departmentId, title: content.title ?? '' })
  await storage.docLog.appendUpdates(row.id, 'table', [{ update: encodeTable(content), userId: null }])
  return row.id
}
