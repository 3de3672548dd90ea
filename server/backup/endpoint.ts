// How `npm run backup` reaches a running server that holds an embedded (PGlite) database: PGlite lives
// inside the server process and its data directory must not be opened by a second process, so the CLI
// asks the server. At start-up the server writes DATA_DIR/backup-endpoint.json (mode 0600: its URL, pid
// and a random token, new each start); the CLI reads it and calls GET /api/admin/backup with the token.
// Whoever can read that file can read the database files beside it anyway, so the token grants nothing
// the file system does not; it is not a user session and works for nothing else.
import { randomBytes, timingSafeEqual } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { Hono } from 'hono'
import { AppError } from '../../shared/errors.ts'
import type { AppDeps, AppEnv } from '../http/context.ts'
import { writeBackup } from './write.ts'

export const BACKUP_TOKEN_HEADER = 'x-backup-token'

export interface BackupEndpointFile {
  url: string
  pid: number
  token: string
}

export const backupEndpointPath = (dataDir: string) => path.join(dataDir, 'backup-endpoint.json')

/** A new random token for this process's backup endpoint. */
export const newBackupToken = () => randomBytes(32).toString('base64url')

/**
 * Writes the endpoint file for this process (host 0.0.0.0 / :: is written as the loopback address);
 * answers a remover for shutdown, which leaves a file written by another process alone.
 */
export function publishBackupEndpoint(dataDir: string, host: string, port: number, token: string): { remove(): void } {
  const local = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host
  const file = backupEndpointPath(dataDir)
  fs.mkdirSync(dataDir, { recursive: true })
  const tmp = `${file}.${process.pid}.tmp`
  fs.writeFileSync(tmp, JSON.stringify({ url: `http://${local}:${port}`, pid: process.pid, token } satisfies BackupEndpointFile) + '\n', { mode: 0o600 })
  fs.renameSync(tmp, file)
  return {
    remove() {
      try {
        const now = JSON.parse(fs.readFileSync(file, 'utf8')) as BackupEndpointFile
        if (now.pid === process.pid) fs.rmSync(file, { force: true })
      } catch {
        /* gone already */
      }
    },
  }
}

/** The endpoint file of a server that is still running, or null (no file, or its process is gone). */
export function readBackupEndpoint(dataDir: string): BackupEndpointFile | null {
  let parsed: BackupEndpointFile
  try {
    parsed = JSON.parse(fs.readFileSync(backupEndpointPath(dataDir), 'utf8'))
  } catch {
    return null
  }
  try {
    process.kill(parsed.pid, 0)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return null // left by a server that died
  }
  return parsed
}

function tokenMatches(expected: string | undefined, given: string | undefined): boolean {
  if (!expected || !given) return false
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** GET /api/admin/backup: the whole database as a backup file, for the holder of the endpoint token. */
export function backupRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.get('/admin/backup', async (c) => {
    if (!tokenMatches(deps.backupToken, c.req.header(BACKUP_TOKEN_HEADER))) {
      throw new AppError('forbidden', '需要本机备份令牌（由 npm run backup 从数据目录读取）')
    }
    // Written to a local file first: on PGlite the snapshot holds the database while it is read, which
    // must not wait on the network. The file is unlinked once open, so it goes when the answer is sent.
    const dir = deps.config.dataDir ?? os.tmpdir()
    fs.mkdirSync(dir, { recursive: true })
    const file = path.join(dir, `.backup-${process.pid}-${randomBytes(6).toString('hex')}.gz`)
    const summary = await writeBackup(deps.database.db, deps.database.kind, file)
    const fd = fs.openSync(file, 'r')
    fs.rmSync(file, { force: true })
    const body = Readable.toWeb(fs.createReadStream('', { fd })) as ReadableStream
    return new Response(body, {
      headers: {
        'content-type': 'application/gzip',
        'content-length': String(summary.bytes),
        'content-disposition': 'attachment; filename="target-tables-backup.jsonl.gz"',
        'cache-control': 'no-store',
      },
    })
  })
  return app
}
