// Builds the real HTTP app over a real test database (PGlite or a private PostgreSQL database),
// bootstrapped with the demo city, plus small request helpers for tests.
import { createApp } from '../../server/app.ts'
import { loadConfig } from '../../server/config.ts'
import { createStorage, type Storage } from '../../server/storage/index.ts'
import { bootstrap } from '../../server/bootstrap/seed.ts'
import { DEMO_PASSWORD } from '../../server/bootstrap/demo-city.ts'
import { storedFindingsCache } from '../../server/tables/findings.ts'
import { openTestDatabase, type OpenedTestDatabase, type TestDatabaseKind } from './database.ts'

import { ADMIN_PASSWORD } from './templates.ts'

export { ADMIN_PASSWORD }

export interface TestApp {
  app: ReturnType<typeof createApp>
  storage: Storage
  database: OpenedTestDatabase
  stateChanges: string[]
  /** signs in a demo user (or admin) and returns the bearer token */
  login(username: string): Promise<string>
  request(method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>
  departmentId(code: string): Promise<string>
  dispose(): Promise<void>
}

export async function makeTestApp(kind: TestDatabaseKind): Promise<TestApp> {
  // a copy of the run's demo template: the bootstrap below finds it seeded and does nothing
  const database = await openTestDatabase(kind, { demo: true })
  const storage = createStorage(database.db)
  await bootstrap(storage, { adminUsername: 'admin', adminPassword: ADMIN_PASSWORD, demo: true })
  const stateChanges: string[] = []
  const app = createApp({
    config: loadConfig({}),
    database,
    storage,
    findings: storedFindingsCache(storage),
    onTableStateChanged: (id) => stateChanges.push(id),
  })

  const request: TestApp['request'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers }
    if (options.token) headers.authorization = `Bearer ${options.token}`
    let body: string | undefined
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json'
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body)
    }
    const res = await app.request(path, { method, headers, body })
    const text = await res.text()
    let parsed: unknown = text
    try {
      parsed = JSON.parse(text)
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed, headers: res.headers }
  }

  return {
    app,
    storage,
    database,
    stateChanges,
    request,
    async login(username) {
      const res = await request('POST', '/api/auth/login', { body: { username, password: username === 'admin' ? ADMIN_PASSWORD : DEMO_PASSWORD } })
      if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`)
      return res.body.token as string
    },
    async departmentId(code) {
      const d = await storage.departments.getByCode(code)
      if (!d) throw new Error(`no department ${code}`)
      return d.id
    },
    dispose: () => database.dispose(),
  }
}
