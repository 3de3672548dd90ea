// A book interrupted by a server restart finishes after it: the real server (server/main.ts) as its own
// process, killed with SIGKILL while a PDF book is being built, then started again on the same data.
// The new process takes the job once its lease ran out and builds the book again from the beginning;
// the old process's worker does not outlive it, and no part file is left.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { openDatabase, type Database } from '../../server/db/open.ts'
import { createStorage } from '../../server/storage/index.ts'
import { bootstrap } from '../../server/bootstrap/seed.ts'
import { DEMO_PASSWORD } from '../../server/bootstrap/demo-city.ts'
import { compilationsDir } from '../../server/jobs/book-files.ts'
import { ADMIN_PASSWORD } from '../helpers/app.ts'
import { seedApprovedTables, type ApprovedTable } from '../helpers/compilations.ts'
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from '../helpers/database.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const YEAR = 2026
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface ServerProcess {
  child: ChildProcess
  url: string
  exited: Promise<void>
}

async function startMain(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DEMO: '1', ADMIN_PASSWORD, JOB_LEASE_MS: '2000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000)
    const onData = (chunk: Buffer) => {
      out += chunk.toString()
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(m[1]!)
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()))
    child.once('exit', (code) => reject(new Error(`server exited (${code}):\n${out}`)))
  })
  return { child, url, exited }
}

function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
  } catch {
    return []
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function api(base: string, method: string, url: string, token?: string, body?: unknown) {
  const res = await fetch(base + url, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  const bytes = Buffer.from(await res.arrayBuffer())
  let parsed: any = null
  try {
    parsed = JSON.parse(bytes.toString('utf8'))
  } catch {
    /* a file */
  }
  return { status: res.status, body: parsed, bytes }
}

for (const kind of ['pglite', 'postgres'] as TestDatabaseKind[]) {
  describe(`a book across a server restart (${kind})`, () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-restart-'))
    let pg: TestDatabase | undefined
    const servers: ServerProcess[] = []
    afterAll(async () => {
      for (const s of servers) {
        if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL')
        await s.exited
      }
      await pg?.drop()
      fs.rmSync(dataDir, { recursive: true, force: true })
    })

    it('is taken up again by the next process and finishes', async () => {
      const env: Record<string, string> = { DATA_DIR: dataDir }
      let database: Database
      if (kind === 'postgres') {
        pg = await createTestDatabase()
        env.DATABASE_URL = pg.url
        database = await openDatabase({ url: pg.url, poolSize: 2 })
      } else {
        database = await openDatabase({ dataDir: path.join(dataDir, 'pglite') })
      }
      const storage = createStorage(database.db)
      await bootstrap(storage, { adminUsername: 'admin', adminPassword: ADMIN_PASSWORD, demo: true })
      const ids = await Promise.all(['105', '118', '126', '601'].map(async (c) => (await storage.departments.getByCode(c))!.id))
      const tables: ApprovedTable[] = await seedApprovedTables(storage, { year: YEAR, departmentIds: ids, perDepartment: 5 })
      await database.close() // PGlite: one process at a time on its data directory

      const first = await startMain(env)
      servers.push(first)
      const login = await api(first.url, 'POST', '/api/auth/login', undefined, { username: 'caizheng', password: DEMO_PASSWORD })
      const token = login.body.token as string
      const post = await api(first.url, 'POST', '/api/compilations', token, { year: YEAR, format: 'pdf', edition: 'internal' })
      expect(post.status).toBe(202)
      expect(post.body.total).toBe(tables.length)
      const jobId = post.body.jobId as string

      // mid-book: running, some tables through, the worker alive
      let workers: number[] = []
      for (let i = 0; ; i++) {
        const s = await api(first.url, 'GET', `/api/compilations/${jobId}`, token)
        workers = childrenOf(first.child.pid!)
        if (s.body.status === 'running' && s.body.done > 0 && workers.length > 0) break
        expect(s.body.status, 'the book finished before the kill').not.toBe('done')
        expect(i).toBeLessThan(3000)
        await sleep(10)
      }
      first.child.kill('SIGKILL')
      await first.exited
      // its worker notices the server is gone and leaves, dropping its half file
      for (let i = 0; workers.some(alive); i++) {
        expect(i, 'the old worker outlived its server').toBeLessThan(500)
        await sleep(20)
      }
      expect(fs.readdirSync(compilationsDir(dataDir)).filter((f) => f.startsWith(jobId) && !f.includes('.part'))).toEqual([])

      const second = await startMain(env)
      servers.push(second)
      const token2 = (await api(second.url, 'POST', '/api/auth/login', undefined, { username: 'caizheng', password: DEMO_PASSWORD })).body.token as string
      let job: any
      for (let i = 0; ; i++) {
        job = (await api(second.url, 'GET', `/api/compilations/${jobId}`, token2)).body
        if (['done', 'failed', 'cancelled'].includes(job.status)) break
        expect(i).toBeLessThan(1500)
        await sleep(100)
      }
      expect(job).toMatchObject({ status: 'done', done: tables.length, total: tables.length, failures: [] })
      const file = await api(second.url, 'GET', `/api/compilations/${jobId}/file`, token2)
      expect(file.status).toBe(200)
      const pdf = path.join(dataDir, 'book.pdf')
      fs.writeFileSync(pdf, file.bytes)
      const text = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, '')
      for (const x of tables) expect(text).toContain(x.title)
      expect(fs.readdirSync(compilationsDir(dataDir)).filter((f) => f.startsWith(jobId)).sort()).toEqual([`${jobId}.json`, `${jobId}.pdf`])

      second.child.kill('SIGTERM')
      await second.exited
      const after = await openDatabase(kind === 'postgres' ? { url: pg!.url, poolSize: 1 } : { dataDir: path.join(dataDir, 'pglite') })
      try {
        expect(await createStorage(after.db).jobs.get(jobId)).toMatchObject({ status: 'done', attempts: 2, leaseOwner: null })
      } finally {
        await after.close()
      }
    }, 240_000)
  })
}
