// For the compiled book's tests and bench: approved tables written straight through storage (a table row,
// its frozen 'approved' version, the row moved to approved), and the real app with a job runner and a
// private DATA_DIR.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createApp } from '../../server/app.ts'
import { loadConfig } from '../../server/config.ts'
import { createStorage, type Storage } from '../../server/storage/index.ts'
import { bootstrap } from '../../server/bootstrap/seed.ts'
import { DEMO_PASSWORD } from '../../server/bootstrap/demo-city.ts'
import { storedFindingsCache } from '../../server/tables/findings.ts'
import { createJobRunner, type JobRunner } from '../../server/jobs/runner.ts'
import { compilationHandler, type CompilationDeps } from '../../server/jobs/compilation.ts'
import { openTestDatabase, type OpenedTestDatabase, type TestDatabaseKind } from './database.ts'
import { ADMIN_PASSWORD } from './app.ts'
import { loadSample, sampleFiles } from './samples.ts'

export interface ApprovedTable {
  tableId: string
  title: string
  departmentId: string
  classified: boolean
}

export interface SeedOptions {
  year: number
  departmentIds: readonly string[]
  perDepartment: number
  /** which tables (by overall index) are 涉密 */
  classified?: (i: number) => boolean
  /** the frozen content of table i; default: the reference samples in turn, set to `year` */
  content?: (i: number) => unknown
  /** the title of table i in department d (default `<sample project name> 第 i 张`) */
  title?: (i: number, departmentIndex: number) => string
}

const SAMPLES = sampleFiles().map((f) => loadSample(f) as { kind: 'project' | 'department'; template: string; header: Record<string, unknown> })

export function sampleContent(i: number, year: number): { kind: 'project' | 'department'; template: string; [k: string]: unknown } {
  const s = structuredClone(SAMPLES[i % SAMPLES.length]!)
  return { ...s, year }
}

/** Creates approved tables, department by department; answers them in creation order. */
export async function seedApprovedTables(storage: Storage, o: SeedOptions): Promise<ApprovedTable[]> {
  const out: ApprovedTable[] = []
  let i = 0
  for (const [d, departmentId] of o.departmentIds.entries()) {
    for (let k = 0; k < o.perDepartment; k++, i++) {
      const content = (o.content?.(i) ?? sampleContent(i, o.year)) as { kind?: 'project' | 'department'; template?: string }
      const sample = sampleContent(i, o.year)
      const title = o.title?.(i, d) ?? `汇编测试表${String(i + 1).padStart(4, '0')}`
      const classified = o.classified?.(i) ?? false
      const row = await storage.tables.create({
        kind: content.kind ?? sample.kind, template: content.template ?? sample.template, year: o.year, departmentId, title, classified,
      })
      await storage.versions.freeze({ tableId: row.id, version: 1, round: 1, reason: 'approved', content })
      await storage.tables.updateState(row.id, { status: row.status, round: row.round, version: row.version }, { status: 'approved', version: 1 })
      out.push({ tableId: row.id, title, departmentId, classified })
    }
  }
  return out
}

export interface JobsApp {
  app: ReturnType<typeof createApp>
  storage: Storage
  database: OpenedTestDatabase
  runner: JobRunner
  dataDir: string
  /** pids of the book workers started, by job */
  workers: Map<string, number>
  login(username: string): Promise<string>
  request(method: string, path: string, options?: { token?: string; body?: unknown }): Promise<{ status: number; body: any; headers: Headers; bytes: Buffer }>
  dispose(): Promise<void>
}

/** The real app over a fresh test database with the demo city, a job runner and a private DATA_DIR. */
export async function makeJobsApp(kind: TestDatabaseKind, options: Partial<Pick<CompilationDeps, 'batchSize' | 'window'>> & { leaseMs?: number } = {}): Promise<JobsApp> {
  // a copy of the run's demo template: the bootstrap below finds it seeded and does nothing
  const database = await openTestDatabase(kind, { demo: true })
  const storage = createStorage(database.db)
  await bootstrap(storage, { adminUsername: 'admin', adminPassword: ADMIN_PASSWORD, demo: true })
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-book-'))
  const workers = new Map<string, number>()
  const runner = createJobRunner({
    storage,
    leaseMs: options.leaseMs ?? 10_000,
    pollMs: 200,
    progressMs: 0,
    log: () => {},
    handlers: { compilation: compilationHandler({ storage, dataDir, batchSize: options.batchSize, window: options.window, onWorker: (jobId, pid) => workers.set(jobId, pid) }) },
  })
  const app = createApp({
    config: loadConfig({ DATA_DIR: dataDir }),
    database,
    storage,
    findings: storedFindingsCache(storage),
    jobs: runner,
  })
  runner.start()

  const request: JobsApp['request'] = async (method, url, o = {}) => {
    const headers: Record<string, string> = {}
    if (o.token) headers.authorization = `Bearer ${o.token}`
    let body: string | undefined
    if (o.body !== undefined) {
      headers['content-type'] = 'application/json'
      body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body)
    }
    const res = await app.request(url, { method, headers, body })
    const bytes = Buffer.from(await res.arrayBuffer())
    let parsed: unknown = bytes.toString('utf8')
    try {
      parsed = JSON.parse(parsed as string)
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed, headers: res.headers, bytes }
  }

  return {
    app, storage, database, runner, dataDir, workers, request,
    async login(username) {
      const res = await request('POST', '/api/auth/login', { body: { username, password: username === 'admin' ? ADMIN_PASSWORD : DEMO_PASSWORD } })
      if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status}`)
      return res.body.token as string
    },
    async dispose() {
      await runner.stop()
      await database.dispose()
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
