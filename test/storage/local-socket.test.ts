// PostgreSQL on this machine is reached over its unix socket when it has one that accepts us (issue 17 item 2):
// the path is found from the URL, the open falls back to TCP when the socket is not there or refuses, and
// DATABASE_UNIX_SOCKET=off keeps TCP. Runs against the local PostgreSQL of TEST_DATABASE_URL.
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { openDatabase, type Database } from '../../server/db/open.ts'
import { localSocketPath, SOCKET_DIRS } from '../../server/db/local-socket.ts'
import { executeRows } from '../../server/db/execute.ts'
import { loadConfig } from '../../server/config.ts'
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-sock-'))
const servers: net.Server[] = []

/** a unix socket at dir/.s.PGSQL.<port> whose server hangs up on every connection (not a PostgreSQL) */
async function refusingSocket(port: number, under: string): Promise<string> {
  fs.mkdirSync(under, { recursive: true })
  const p = path.join(under, `.s.PGSQL.${port}`)
  const server = net.createServer((s) => s.destroy())
  servers.push(server)
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(p, resolve))
  return p
}

/** true when the connection that runs it came over a unix socket (PostgreSQL has no client address then) */
async function overUnixSocket(database: Database): Promise<boolean> {
  const [row] = await executeRows<{ unix: boolean }>(database.db, sql`select inet_client_addr() is null as unix`)
  return row!.unix
}

afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.close(r))
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('localSocketPath', () => {
  it('names the socket file of a local URL, and nothing for another host, another port, a plain file or a bad URL', async () => {
    const sock = await refusingSocket(6543, dir)
    expect(localSocketPath('postgres://u@127.0.0.1:6543/db', [dir])).toBe(sock)
    expect(localSocketPath('postgres://u@localhost:6543/db', ['/nonexistent', dir])).toBe(sock)
    expect(localSocketPath('postgres://u@[::1]:6543/db', [dir])).toBe(sock)
    expect(localSocketPath('postgres://u@db.example.org:6543/db', [dir])).toBeNull()
    expect(localSocketPath('postgres://u@10.0.0.5:6543/db', [dir])).toBeNull()
    expect(localSocketPath('postgres://u@127.0.0.1:6544/db', [dir])).toBeNull()
    fs.writeFileSync(path.join(dir, '.s.PGSQL.5432'), 'not a socket')
    expect(localSocketPath('postgres://u@127.0.0.1/db', [dir])).toBeNull() // default port 5432, a plain file
    expect(localSocketPath('not a url', [dir])).toBeNull()
  })
})

describe('openDatabase over the local socket', () => {
  let testDb: TestDatabase
  beforeAll(async () => {
    testDb = await createTestDatabase()
  })
  afterAll(async () => {
    await testDb?.drop()
  })

  it('uses the unix socket when the local PostgreSQL has one, and TCP when told not to', async () => {
    const expected = localSocketPath(testDb.url, SOCKET_DIRS)
    const auto = await openDatabase({ url: testDb.url, poolSize: 2 })
    try {
      expect(auto.socketPath).toBe(expected ?? undefined)
      expect(await overUnixSocket(auto)).toBe(expected !== null)
    } finally {
      await auto.close()
    }
    const tcp = await openDatabase({ url: testDb.url, poolSize: 2, unixSocket: false })
    try {
      expect(tcp.socketPath).toBeUndefined()
      expect(await overUnixSocket(tcp)).toBe(false)
    } finally {
      await tcp.close()
    }
  })

  it('falls back to TCP when the socket found does not accept the connection', async () => {
    const port = new URL(testDb.url).port || '5432'
    const refusing = path.join(dir, 'refusing')
    await refusingSocket(Number(port), refusing)
    const database = await openDatabase({ url: testDb.url, poolSize: 2, socketDirs: [refusing], connectTimeoutS: 2 })
    try {
      expect(database.socketPath).toBeUndefined()
      expect(await overUnixSocket(database)).toBe(false)
      await database.ping()
    } finally {
      await database.close()
    }
  })

  it('DATABASE_UNIX_SOCKET is auto by default, off keeps TCP, anything else is refused naming it', () => {
    expect(loadConfig({}).dbUnixSocket).toBe(true)
    expect(loadConfig({ DATABASE_UNIX_SOCKET: 'off' }).dbUnixSocket).toBe(false)
    expect(() => loadConfig({ DATABASE_UNIX_SOCKET: 'yes' })).toThrow(/DATABASE_UNIX_SOCKET: must be 'auto' or 'off'/)
  })
})
