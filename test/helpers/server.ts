// The whole server as main.ts builds it (HTTP API + live documents), listening on port 0 over a
// real test database bootstrapped with the demo city. For end-to-end tests over HTTP and sockets.
import { serve, type ServerType } from '@hono/node-server'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import { createApp } from '../../server/app.ts'
import { loadConfig } from '../../server/config.ts'
import { createStorage, type Storage } from '../../server/storage/index.ts'
import { bootstrap } from '../../server/bootstrap/seed.ts'
import { DEMO_PASSWORD } from '../../server/bootstrap/demo-city.ts'
import { storedFindingsCache } from '../../server/tables/findings.ts'
import { createLive, liveAppHooks } from '../../server/live.ts'
import type { Collab } from '../../server/collab/ws-route.ts'
import { openTestDatabase, type OpenedTestDatabase, type TestDatabaseKind } from './database.ts'
import { ADMIN_PASSWORD } from './app.ts'
import { createJobRunner } from '../../server/jobs/runner.ts'
import { compilationHandler } from '../../server/jobs/compilation.ts'

export interface RunningServer {
  httpUrl: string
  /** the WebsocketProvider serverUrl */
  wsUrl: string
  storage: Storage
  live: Collab
  database: OpenedTestDatabase
  login(username: string): Promise<string>
  api(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: any }>
  close(): Promise<void>
}

export interface StartServerOptions {
  /** the built client (dist/client): the server then serves /login, /tables, /tables/<id> and the assets */
  clientDir?: string
  /** run background jobs (the compiled book) as main.ts does, with a private DATA_DIR removed on close */
  jobs?: boolean
}

export async function startServer(kind: TestDatabaseKind, options: StartServerOptions = {}): Promise<RunningServer> {
  // a copy of the run's demo template: the bootstrap below finds it seeded and does nothing
  const database = await openTestDatabase(kind, { demo: true })
  const storage = createStorage(database.db)
  await bootstrap(storage, { adminUsername: 'admin', adminPassword: ADMIN_PASSWORD, demo: true })
  const findings = storedFindingsCache(storage)
  const live = await createLive({ storage, findings, log: 'quiet' })
  const dataDir = options.jobs ? fs.mkdtempSync(path.join(os.tmpdir(), 'tt-server-')) : undefined
  const jobs = dataDir
    ? createJobRunner({ storage, pollMs: 200, log: () => {}, handlers: { compilation: compilationHandler({ storage, dataDir }) } })
    : undefined
  const app = createApp({
    config: loadConfig(dataDir ? { DATA_DIR: dataDir } : {}),
    ...(jobs ? { jobs } : {}),
    database,
    storage,
    findings,
    ...liveAppHooks(live),
    ...(options.clientDir ? { clientDir: options.clientDir } : {}),
  })
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
  })
  live.injectWebSocket(server)
  jobs?.start()
  const port = (server.address() as AddressInfo).port
  const httpUrl = `http://127.0.0.1:${port}`

  const api: RunningServer['api'] = async (method, path, token, body) => {
    const res = await fetch(httpUrl + path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    let parsed: unknown = text
    try {
      parsed = JSON.parse(text)
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed }
  }

  return {
    httpUrl,
    wsUrl: `ws://127.0.0.1:${port}/collab`,
    storage,
    live,
    database,
    api,
    async login(username) {
      const r = await api('POST', '/api/auth/login', undefined, { username, password: username === 'admin' ? ADMIN_PASSWORD : DEMO_PASSWORD })
      if (r.status !== 200) throw new Error(`login ${username}: ${r.status}`)
      return r.body.token
    },
    async close() {
      await jobs?.stop()
      await live.shutdown()
      await findings.flush() // counts of the last settles, before the database closes
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await database.dispose()
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
