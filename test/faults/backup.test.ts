// Backup and restore (npm run backup / restore, server/backup/): a live embedded-database server is backed
// up through its endpoint while an editor keeps typing, the file is restored into a fresh data directory
// and into a fresh PostgreSQL database, and every row of every table (versions, threads, comments, audit)
// and every live document's content are compared; PostgreSQL is backed up directly and restored back into
// PGlite. Truncated, corrupted and foreign files and non-empty targets are refused with nothing written.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { is } from 'drizzle-orm'
import { PgTable } from 'drizzle-orm/pg-core'
import postgres from 'postgres'
import * as Y from 'yjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addThread, readThreads, rowIds, setRowField, tableRoot, threadsRoot } from '../../shared/ydoc/index.ts'
import { openDatabase, type Database } from '../../server/db/open.ts'
import * as schema from '../../server/db/schema.ts'
import { createStorage } from '../../server/storage/index.ts'
import { restoreBackup } from '../../server/backup/restore.ts'
import { BackupError } from '../../server/backup/format.ts'
import { DEMO_PASSWORD } from '../../server/bootstrap/demo-city.ts'
import { ADMIN_PASSWORD } from '../helpers/app.ts'
import { loadSample } from '../helpers/samples.ts'
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts'
import { connectClient, sleep, waitFor, type TestClient } from '../helpers/collab-clients.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const run = promisify(execFile)

/** Runs `server/cli/<name>.ts` as `npm run <name>` does; answers exit code and output. */
async function cli(name: 'backup' | 'restore', file: string, env: Record<string, string>) {
  const clean = { ...process.env, DATABASE_URL: '', DATA_DIR: '', ...env }
  try {
    const r = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, `server/cli/${name}.ts`), file], { cwd: ROOT, env: clean })
    return { code: 0, out: r.stdout + r.stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, out: e.stdout + e.stderr }
  }
}

async function startMain(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '', PORT: '0', HOST: '127.0.0.1', DEMO: '1', ADMIN_PASSWORD, DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000)
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString()
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(m[1]!)
      }
    })
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()))
    child.once('exit', (code) => reject(new Error(`server exited (${code}):\n${out}`)))
  })
  return { child, url }
}

async function api(base: string, method: string, url: string, token?: string, body?: unknown) {
  const res = await fetch(base + url, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json', origin: base } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await res.text()
  let parsed: any = text
  try {
    parsed = JSON.parse(text)
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed }
}

const TABLES = Object.entries(schema).filter(([, v]) => is(v, PgTable)) as [string, PgTable][]

const normalize = (v: unknown): unknown =>
  v instanceof Uint8Array ? `bytes:${Buffer.from(v).toString('hex')}` : v instanceof Date ? v.toISOString() : v

/** Every row of every table of the schema, read through Drizzle (not the backup's own reader), sorted. */
async function everyRow(db: Database['db']): Promise<Record<string, string[]>> {
  const all: Record<string, string[]> = {}
  for (const [name, table] of TABLES) {
    const rows = (await db.select().from(table as never)) as Record<string, unknown>[]
    all[name] = rows.map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, normalize(v)])))).sort()
  }
  return all
}

async function loadYDoc(database: Database, tableId: string, room: 'table' | 'comments'): Promise<Y.Doc> {
  const loaded = await createStorage(database.db).docLog.loadDoc(tableId, room)
  const doc = new Y.Doc()
  if (loaded.snapshot) Y.applyUpdate(doc, loaded.snapshot.state)
  for (const u of loaded.updates) Y.applyUpdate(doc, u.update)
  return doc
}

/** Each table's two live documents (content and state vector), rebuilt from the stored snapshot and update log. */
async function documents(database: Database): Promise<Record<string, unknown>> {
  const ids = (await database.db.select({ id: schema.targetTables.id }).from(schema.targetTables)).map((r) => r.id).sort()
  const out: Record<string, unknown> = {}
  for (const id of ids) {
    for (const room of ['table', 'comments'] as const) {
      const doc = await loadYDoc(database, id, room)
      out[`${id}/${room}`] = { json: (room === 'table' ? tableRoot(doc) : threadsRoot(doc)).toJSON(), stateVector: Buffer.from(Y.encodeStateVector(doc)).toString('hex') }
    }
  }
  return out
}

const openPglite = (dataDir: string) => openDatabase({ dataDir: path.join(dataDir, 'pglite') })

async function relations(url: string): Promise<string[]> {
  const c = postgres(url, { max: 1, onnotice: () => {} })
  try {
    const rows = await c<{ n: string }[]>`select n.nspname || '.' || c.relname as n from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%' and n.nspname not like 'pg_temp%'`
    return rows.map((r) => r.n).sort()
  } finally {
    await c.end({ timeout: 5 })
  }
}

describe('backup and restore', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-backup-'))
  const source = path.join(tmp, 'source')
  const midFile = path.join(tmp, 'mid-session.jsonl.gz')
  const quietFile = path.join(tmp, 'quiet.jsonl.gz')
  const pgDatabases: TestDatabase[] = []
  let server: { child: ChildProcess; url: string } | undefined
  let editor: TestClient | undefined
  let commenter: TestClient | undefined
  let edits = 0
  let editsAtBackupStart = 0
  let editsAtBackupEnd = 0
  let sourceRows: Record<string, string[]>
  let sourceDocs: Record<string, unknown>
  let editorJson: unknown
  let sourceFinalUpdate: Uint8Array
  let tableId = ''
  let commentedId = ''

  const newPg = async () => {
    const d = await createTestDatabase()
    pgDatabases.push(d)
    return d
  }

  beforeAll(async () => {
    server = await startMain(source)
    const base = server.url
    const login = async (username: string) => (await api(base, 'POST', '/api/auth/login', undefined, { username, password: DEMO_PASSWORD })).body.token as string
    const jiaoyu = await login('jiaoyu')
    const list = (await api(base, 'GET', '/api/tables?limit=100', jiaoyu)).body.tables as { id: string; status: string }[]
    const drafts = list.filter((t) => t.status === 'draft')
    expect(drafts.length).toBeGreaterThan(0)
    tableId = drafts[0]!.id
    // frozen versions, a review round and audit rows: a clean table submitted and approved
    const deps = (await api(base, 'GET', '/api/departments', jiaoyu)).body
    const edu = (Array.isArray(deps) ? deps : deps.departments).find((d: { code: string }) => d.code === '105').id
    const content = loadSample('S09') as { year: number }
    const made = await api(base, 'POST', '/api/tables', jiaoyu, { kind: 'project', template: 'mof2021-core', year: content.year, departmentId: edu, content })
    expect(made.status).toBe(201)
    expect((await api(base, 'POST', `/api/tables/${made.body.id}/transitions`, jiaoyu, { action: 'submit' })).status).toBe(200)
    const caizheng = await login('caizheng')
    const me = (await api(base, 'GET', '/api/auth/me', caizheng)).body
    expect((await api(base, 'POST', `/api/tables/${made.body.id}/transitions`, caizheng, { action: 'approve' })).status).toBe(200)
    expect((await api(base, 'POST', `/api/tables/${made.body.id}/transitions`, caizheng, { action: 'reopen', reason: '备份测试：调整' })).status).toBe(200)
    expect((await api(base, 'POST', `/api/tables/${made.body.id}/transitions`, jiaoyu, { action: 'submit' })).status).toBe(200)
    // 资料清单 files (bytea, 4 MB each): the backup reads such rows a few at a time
    for (let i = 0; i < 3; i++) {
      const form = new FormData()
      form.set('file', new File([crypto.getRandomValues(new Uint8Array(65_536)).slice(), new Uint8Array(4 * 1024 * 1024 - 65_536).fill(i)], `三定方案-${i}.pdf`, { type: 'application/pdf' }))
      const res = await fetch(`${base}/api/departments/${edu}/materials/5/files?year=${content.year}`, { method: 'POST', body: form, headers: { authorization: `Bearer ${jiaoyu}` } })
      expect(res.status, await res.clone().text()).toBe(201)
    }

    const wsUrl = base.replace(/^http/, 'ws') + '/collab'
    editor = connectClient(wsUrl, tableId, jiaoyu)
    commenter = connectClient(wsUrl, `${made.body.id}/comments`, caizheng)
    await Promise.all([editor.synced(), commenter.synced()])
    commentedId = made.body.id
    const round = (await api(base, 'GET', `/api/tables/${made.body.id}`, caizheng)).body.round as number
    addThread(commenter.doc, { anchor: {}, round, authorId: me.user?.id ?? me.id, text: '请补充测算依据（备份测试）' })

    // the editor types without pause while the mid-session backup is taken through the running server
    const rows = rowIds(editor.doc, 'indicators')
    let typing = true
    const typist = (async () => {
      while (typing) {
        setRowField(editor!.doc, 'indicators', rows[edits % rows.length]!, 'target', String(1000 + edits))
        edits++
        await sleep(15)
      }
    })()
    await sleep(1500)
    editsAtBackupStart = edits
    const mid = await cli('backup', midFile, { DATA_DIR: source })
    editsAtBackupEnd = edits
    expect(mid.out).toContain('backup written')
    expect(mid.out).toContain('running server')
    expect(mid.code).toBe(0)
    await sleep(500)
    typing = false
    await typist
    editorJson = tableRoot(editor.doc).toJSON()
    expect(commenter.denials).toEqual([])
    expect(editor.denials).toEqual([])
    editor.destroy()
    commenter.destroy()
    editor = commenter = undefined
    await sleep(500)
    server.child.kill('SIGTERM')
    await new Promise((r) => server!.child.once('exit', r))
    server = undefined
    expect(fs.existsSync(path.join(source, 'backup-endpoint.json'))).toBe(false) // removed at shutdown

    // the threads' queryable projection (comment_threads/comment_messages), written from the comments document
    let db = await openPglite(source)
    try {
      const threads = readThreads(await loadYDoc(db, commentedId, 'comments'))
      expect(threads.length).toBe(1)
      await createStorage(db.db).comments.replaceForTable(commentedId, threads.map((t) => ({ ...t, anchorRowId: t.anchor.rowId ?? null, anchorField: t.anchor.field ?? null })))
    } finally {
      await db.close()
    }
    // a quiet backup with no server running: the data directory is opened directly
    const quiet = await cli('backup', quietFile, { DATA_DIR: source })
    expect(quiet.out).toContain('no server running')
    expect(quiet.code).toBe(0)

    db = await openPglite(source)
    try {
      sourceRows = await everyRow(db.db)
      sourceDocs = await documents(db)
      sourceFinalUpdate = Y.encodeStateAsUpdate(await loadYDoc(db, tableId, 'table'))
    } finally {
      await db.close()
    }
  }, 240_000)

  afterAll(async () => {
    editor?.destroy()
    commenter?.destroy()
    server?.child.kill('SIGKILL')
    for (const d of pgDatabases) await d.drop().catch(() => {})
    fs.rmSync(tmp, { recursive: true, force: true })
  })

  it('took the mid-session backup while the editor was writing, and the source has versions, threads, comments, audit rows and 资料清单 files', () => {
    expect(sourceRows.materialFiles?.length).toBe(3)
    expect(editsAtBackupEnd).toBeGreaterThan(editsAtBackupStart)
    expect(sourceRows.tableVersions!.length).toBeGreaterThan(0)
    expect(sourceRows.reviewRounds!.length).toBeGreaterThan(0)
    expect(sourceRows.commentThreads!.length).toBe(1)
    expect(sourceRows.commentMessages!.length).toBe(1)
    expect(JSON.stringify(sourceDocs[`${commentedId}/comments`])).toContain('请补充测算依据（备份测试）')
    expect(sourceRows.auditLog!.length).toBeGreaterThan(0)
    expect(sourceRows.docUpdates!.length + sourceRows.docSnapshots!.length).toBeGreaterThan(0)
    expect((sourceDocs[`${tableId}/table`] as { json: unknown }).json).toEqual(editorJson)
  })

  it('restores the quiet backup into a fresh data directory: every row of every table and every document equal', async () => {
    const target = path.join(tmp, 'restored-quiet')
    const r = await cli('restore', quietFile, { DATA_DIR: target })
    expect(r.out).toContain('restored')
    expect(r.code).toBe(0)
    const db = await openPglite(target)
    try {
      expect(await everyRow(db.db)).toEqual(sourceRows)
      expect(await documents(db)).toEqual(sourceDocs)
    } finally {
      await db.close()
    }
  }, 120_000)

  it('restores the mid-session backup into PGlite and PostgreSQL alike; it is a state the source passed through; ids continue after restore', async () => {
    const target = path.join(tmp, 'restored-mid')
    await restoreBackup(midFile, { kind: 'pglite', dataDir: target })
    const pg = await newPg()
    await restoreBackup(midFile, { kind: 'postgres', url: pg.url })

    const lite = await openPglite(target)
    const server = await openDatabase({ url: pg.url, poolSize: 2 })
    try {
      const liteRows = await everyRow(lite.db)
      expect(await everyRow(server.db)).toEqual(liteRows)
      const liteDocs = await documents(lite)
      expect(await documents(server)).toEqual(liteDocs)
      // every frozen version, thread, message, review round and audit row of the snapshot is in the source as it was
      for (const name of ['tableVersions', 'reviewRounds', 'commentThreads', 'commentMessages', 'auditLog', 'users', 'departments', 'userDepartments', 'indicators']) {
        for (const row of liteRows[name]!) expect(sourceRows[name], name).toContain(row)
      }
      // the snapshot's document is one the source passed through: merging it into the final one changes nothing
      const midDoc = await loadYDoc(lite, tableId, 'table')
      const merged = new Y.Doc()
      Y.applyUpdate(merged, sourceFinalUpdate)
      const finalVector = Buffer.from(Y.encodeStateVector(merged)).toString('hex')
      Y.applyUpdate(merged, Y.encodeStateAsUpdate(midDoc))
      expect(Buffer.from(Y.encodeStateVector(merged)).toString('hex')).toBe(finalVector)
      expect(tableRoot(merged).toJSON()).toEqual(editorJson)
      // and it holds edits made before the backup but not those made after it
      expect(Buffer.from(Y.encodeStateVector(midDoc)).toString('hex')).not.toBe(finalVector)
      expect(JSON.stringify(tableRoot(midDoc).toJSON())).toMatch(/"target":"1\d{3,}"/) // an edit of the editor's

      // identity columns continue past the restored ids on both
      for (const db of [lite, server]) {
        const before = Math.max(0, ...liteRows.docUpdates!.map((r) => JSON.parse(r).id as number))
        const [id] = await createStorage(db.db).docLog.appendUpdates(tableId, 'table', [{ update: Y.encodeStateAsUpdate(new Y.Doc()), userId: null }])
        expect(id).toBeGreaterThan(before)
        const auditMax = Math.max(0, ...liteRows.auditLog!.map((r) => JSON.parse(r).id as number))
        const [a] = await db.db.insert(schema.auditLog).values({ action: 'backup-test' }).returning({ id: schema.auditLog.id })
        expect(a!.id).toBeGreaterThan(auditMax)
      }
    } finally {
      await lite.close()
      await server.close()
    }
  }, 120_000)

  it('backs PostgreSQL up directly (npm run backup with DATABASE_URL) and restores it back into PGlite, row for row', async () => {
    const pg = await newPg()
    await restoreBackup(quietFile, { kind: 'postgres', url: pg.url })
    const fromPg = path.join(tmp, 'from-postgres.jsonl.gz')
    const b = await cli('backup', fromPg, { DATABASE_URL: pg.url })
    expect(b.out).toContain('PostgreSQL')
    expect(b.code).toBe(0)
    const target = path.join(tmp, 'restored-from-postgres')
    await restoreBackup(fromPg, { kind: 'pglite', dataDir: target })
    const db = await openPglite(target)
    try {
      expect(await everyRow(db.db)).toEqual(sourceRows)
      expect(await documents(db)).toEqual(sourceDocs)
    } finally {
      await db.close()
    }
  }, 120_000)

  describe('refusals, with nothing written', () => {
    const bytes = () => fs.readFileSync(quietFile)
    const expectRefused = async (file: string, zh: RegExp, en: RegExp) => {
      const dataDir = path.join(tmp, `refused-${Math.random().toString(36).slice(2)}`)
      const err = await restoreBackup(file, { kind: 'pglite', dataDir }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(BackupError)
      expect((err as BackupError).zh).toMatch(zh)
      expect((err as BackupError).en).toMatch(en)
      expect(fs.existsSync(dataDir)).toBe(false)
      return err as BackupError
    }

    it('refuses a truncated file (npm run restore: exit 1, Chinese and English), into PGlite and PostgreSQL', async () => {
      const cut = path.join(tmp, 'truncated.jsonl.gz')
      fs.writeFileSync(cut, bytes().subarray(0, Math.floor(bytes().length * 0.6)))
      const dataDir = path.join(tmp, 'restored-truncated')
      const r = await cli('restore', cut, { DATA_DIR: dataDir })
      expect(r.code).toBe(1)
      expect(r.out).toContain('备份文件不完整或已损坏')
      expect(r.out).toContain('truncated or corrupted')
      expect(fs.existsSync(dataDir)).toBe(false)
      const pg = await newPg()
      await expect(restoreBackup(cut, { kind: 'postgres', url: pg.url })).rejects.toThrow(/不完整或已损坏/)
      expect(await relations(pg.url)).toEqual([])
      // cut at a line boundary inside the uncompressed text, then gzipped whole: the trailer is missing
      const text = zlib.gunzipSync(bytes()).toString('utf8')
      const lines = text.split('\n')
      const early = path.join(tmp, 'cut-lines.jsonl.gz')
      fs.writeFileSync(early, zlib.gzipSync(lines.slice(0, Math.floor(lines.length / 2)).join('\n') + '\n'))
      await expectRefused(early, /缺少结束标记|行数/, /trailer|rows/)
    }, 120_000)

    it('refuses a corrupted file: one changed character fails the SHA-256', async () => {
      const text = zlib.gunzipSync(bytes()).toString('utf8')
      const at = text.indexOf('"password_hash":"') + 20
      const changed = text.slice(0, at) + (text[at] === 'a' ? 'b' : 'a') + text.slice(at + 1)
      const file = path.join(tmp, 'corrupted.jsonl.gz')
      fs.writeFileSync(file, zlib.gzipSync(changed))
      await expectRefused(file, /SHA-256/, /SHA-256 checksum mismatch/)
    })

    it('refuses foreign files: not gzip, another gzip, an empty file', async () => {
      const text = path.join(tmp, 'foreign.txt')
      fs.writeFileSync(text, 'id,name\n1,教育局\n')
      await expectRefused(text, /不是本系统的备份文件/, /Not a target-tables backup/)
      const otherGzip = path.join(tmp, 'foreign.json.gz')
      fs.writeFileSync(otherGzip, zlib.gzipSync(JSON.stringify({ format: 'something-else', rows: [] }) + '\n'))
      await expectRefused(otherGzip, /不是本系统的备份文件/, /Not a target-tables backup/)
      const empty = path.join(tmp, 'empty.gz')
      fs.writeFileSync(empty, '')
      await expectRefused(empty, /不是本系统的备份文件/, /Not a target-tables backup/)
    })

    it('refuses a non-empty target: a data directory holding anything, a database holding any table', async () => {
      const dataDir = path.join(tmp, 'occupied')
      fs.mkdirSync(dataDir)
      fs.writeFileSync(path.join(dataDir, 'notes.txt'), 'keep me')
      const r = await cli('restore', quietFile, { DATA_DIR: dataDir })
      expect(r.code).toBe(1)
      expect(r.out).toContain('不是空的')
      expect(r.out).toContain('not empty')
      expect(fs.readdirSync(dataDir)).toEqual(['notes.txt'])
      expect(fs.readFileSync(path.join(dataDir, 'notes.txt'), 'utf8')).toBe('keep me')

      const pg = await newPg()
      const c = postgres(pg.url, { max: 1, onnotice: () => {} })
      await c.unsafe(`create table keep_me (id int primary key); insert into keep_me values (42)`)
      await c.end({ timeout: 5 })
      const err = await restoreBackup(quietFile, { kind: 'postgres', url: pg.url }).catch((e: unknown) => e)
      expect((err as BackupError).zh).toContain('目标数据库不是空的（已有 public.keep_me')
      expect(await relations(pg.url)).toEqual(['public.keep_me', 'public.keep_me_pkey'])
      // a database the server has already migrated and seeded counts as not empty too
      const restored = await newPg()
      await restoreBackup(quietFile, { kind: 'postgres', url: restored.url })
      await expect(restoreBackup(quietFile, { kind: 'postgres', url: restored.url })).rejects.toThrow(/不是空的/)
    }, 120_000)
  })
})
