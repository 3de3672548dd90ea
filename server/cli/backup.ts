// `npm run backup -- FILE`: a consistent backup of the database the server uses (same DATABASE_URL /
// DATA_DIR environment as `npm start`), written to FILE and read back to check it before it is kept.
//   PostgreSQL: read directly in one REPEATABLE READ READ ONLY transaction (the server may be running).
//   Embedded:   a running server is asked for the snapshot (server/backup/endpoint.ts); with no server
//               running, the data directory is opened directly.
// Exit code 0 = written and verified; 1 = refused or failed (message in Chinese and English).
import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { loadConfig } from '../config.ts'
import { redact, type Db } from '../db/open.ts'
import { BACKUP_TOKEN_HEADER, readBackupEndpoint } from '../backup/endpoint.ts'
import { BackupError } from '../backup/format.ts'
import { verifyBackup } from '../backup/read.ts'
import { pgliteDir } from '../backup/restore.ts'
import { writeBackup } from '../backup/write.ts'

async function fromPostgres(url: string, file: string): Promise<string> {
  const { default: postgres } = await import('postgres')
  const { drizzle } = await import('drizzle-orm/postgres-js')
  const client = postgres(url, { max: 1, onnotice: () => {} })
  try {
    await writeBackup(drizzle(client) as unknown as Db, 'postgres', file)
    return `PostgreSQL ${redact(url)}`
  } finally {
    await client.end({ timeout: 5 })
  }
}

async function fromServer(endpoint: { url: string; token: string; pid: number }, file: string): Promise<string> {
  let res: Response
  try {
    res = await fetch(`${endpoint.url}/api/admin/backup`, { headers: { [BACKUP_TOKEN_HEADER]: endpoint.token } })
  } catch (err) {
    throw new BackupError(
      `数据目录记录的服务器（进程 ${endpoint.pid}，${endpoint.url}）没有应答：${(err as Error).message}。若服务器确已停止，请删除数据目录中的 backup-endpoint.json 后重试。`,
      `The server recorded in the data directory (pid ${endpoint.pid}, ${endpoint.url}) does not answer: ${(err as Error).message}. If it has stopped, delete backup-endpoint.json in the data directory and retry.`,
    )
  }
  if (!res.ok || !res.body) {
    const text = await res.text().catch(() => '')
    throw new BackupError(`服务器拒绝备份（HTTP ${res.status}）：${text}`, `The server refused the backup (HTTP ${res.status}): ${text}`)
  }
  const part = `${file}.part`
  try {
    await pipeline(Readable.fromWeb(res.body as never), fs.createWriteStream(part, { mode: 0o600 }))
    fs.renameSync(part, file)
  } catch (err) {
    fs.rmSync(part, { force: true })
    throw err
  }
  return `running server ${endpoint.url} (pid ${endpoint.pid})`
}

async function fromDataDir(dataDir: string, file: string): Promise<string> {
  const dir = pgliteDir(dataDir)
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) {
    throw new BackupError(`数据目录 ${dataDir} 中没有数据库（${dir}）。`, `There is no database in the data directory ${dataDir} (${dir}).`)
  }
  const { PGlite } = await import('@electric-sql/pglite')
  const { drizzle } = await import('drizzle-orm/pglite')
  const client = new PGlite(dir)
  try {
    await client.waitReady
    await writeBackup(drizzle(client) as unknown as Db, 'pglite', file)
    return `embedded database ${dir} (no server running)`
  } finally {
    await client.close()
  }
}

export async function main(argv: string[]): Promise<number> {
  const file = argv.find((a) => !a.startsWith('-'))
  if (!file) {
    console.error('用法 usage: npm run backup -- 备份文件.jsonl.gz')
    return 2
  }
  const target = path.resolve(file)
  try {
    if (fs.existsSync(target)) {
      throw new BackupError(`文件 ${target} 已存在，不覆盖。`, `The file ${target} exists; it is not overwritten.`)
    }
    const config = loadConfig()
    const t0 = performance.now()
    let from: string
    if (config.databaseUrl) from = await fromPostgres(config.databaseUrl, target)
    else {
      const endpoint = readBackupEndpoint(config.dataDir)
      from = endpoint ? await fromServer(endpoint, target) : await fromDataDir(config.dataDir, target)
    }
    const took = performance.now() - t0
    try {
      const { header } = await verifyBackup(target)
      const rows = header.tables.reduce((n, t) => n + t.rows, 0)
      const size = fs.statSync(target).size
      console.log(`备份完成 backup written: ${target}`)
      console.log(`  来源 from: ${from}`)
      console.log(`  快照时间 snapshot: ${header.createdAt}; ${header.tables.length} 张数据表 tables, ${rows} 行 rows; ${(size / 1024 / 1024).toFixed(2)} MB; ${(took / 1000).toFixed(1)} s; 已校验 verified`)
    } catch (err) {
      fs.rmSync(target, { force: true })
      throw err
    }
    return 0
  } catch (err) {
    console.error(err instanceof BackupError ? err.message : `备份失败 backup failed: ${err instanceof Error ? err.message : String(err)}`)
    return 1
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('server/cli/backup.ts')) {
  process.exitCode = await main(process.argv.slice(2))
}
