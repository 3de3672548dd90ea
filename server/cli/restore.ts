// `npm run restore -- FILE`: restores a backup made by `npm run backup` into the database named by the
// environment (DATABASE_URL, else the embedded database in DATA_DIR), which must be empty: a new
// PostgreSQL database (createdb) or an absent or empty data directory. The file is verified whole before
// anything is written, and the restore is one transaction. Start the server afterwards as usual.
// Exit code 0 = restored; 1 = refused or failed, nothing written (message in Chinese and English).
import path from 'node:path'
import { loadConfig } from '../config.ts'
import { redact } from '../db/open.ts'
import { BackupError } from '../backup/format.ts'
import { restoreBackup, type RestoreTarget } from '../backup/restore.ts'

export async function main(argv: string[]): Promise<number> {
  const file = argv.find((a) => !a.startsWith('-'))
  if (!file) {
    console.error('用法 usage: npm run restore -- 备份文件.jsonl.gz')
    return 2
  }
  try {
    const config = loadConfig()
    const target: RestoreTarget = config.databaseUrl ? { kind: 'postgres', url: config.databaseUrl } : { kind: 'pglite', dataDir: config.dataDir }
    const r = await restoreBackup(path.resolve(file), target)
    console.log(`恢复完成 restored: ${path.resolve(file)}`)
    console.log(`  写入 into: ${target.kind === 'postgres' ? `PostgreSQL ${redact(target.url)}` : `embedded database in ${target.dataDir}`}`)
    console.log(`  ${Object.keys(r.tables).length} 张数据表 tables, ${r.rows} 行 rows, 数据库结构第 ${r.migrations} 版 schema migration ${r.migrations}; ${(r.ms / 1000).toFixed(1)} s`)
    return 0
  } catch (err) {
    console.error(err instanceof BackupError ? err.message : `恢复失败，未写入任何数据 restore failed, nothing was written: ${err instanceof Error ? err.message : String(err)}`)
    return 1
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('server/cli/restore.ts')) {
  process.exitCode = await main(process.argv.slice(2))
}
