// Reads a backup file (server/backup/format.ts) line by line, and verifies one whole before anything is
// restored from it: gzip intact to its end (gzip's own CRC and length), our header, every table's row
// count, and the trailer's SHA-256 over everything before it. A truncated, corrupted or foreign file is
// refused here with a message in Chinese and English.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import zlib from 'node:zlib'
import { BACKUP_FORMAT, BACKUP_VERSION, BackupError, GZIP_MAGIC, type BackupHeader, type BackupTrailer } from './format.ts'

const FOREIGN = (why: string) =>
  new BackupError(`不是本系统的备份文件（${why}），未写入任何数据。`, `Not a target-tables backup file (${why}); nothing was written.`)
const DAMAGED = (why: string) =>
  new BackupError(`备份文件不完整或已损坏（${why}），未写入任何数据。`, `The backup file is truncated or corrupted (${why}); nothing was written.`)

/** The file's uncompressed lines as Buffers (without the newline); gzip errors become refusals. */
export async function* backupLines(file: string): AsyncGenerator<Buffer> {
  let fd: number
  try {
    fd = fs.openSync(file, 'r')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new BackupError(`无法打开备份文件 ${file}（${code ?? String(err)}）。`, `Cannot open the backup file ${file} (${code ?? String(err)}).`)
  }
  const magic = Buffer.alloc(2)
  const got = fs.readSync(fd, magic, 0, 2, 0)
  fs.closeSync(fd)
  if (got < 2 || !magic.equals(GZIP_MAGIC)) throw FOREIGN('不是 gzip 文件 / not gzip')

  const gunzip = fs.createReadStream(file).pipe(zlib.createGunzip())
  let rest: Buffer = Buffer.alloc(0)
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      let data = rest.length ? Buffer.concat([rest, chunk]) : chunk
      let start = 0
      for (let i = data.indexOf(10, start); i !== -1; i = data.indexOf(10, start)) {
        yield data.subarray(start, i)
        start = i + 1
      }
      rest = data.subarray(start)
      data = Buffer.alloc(0)
    }
  } catch (err) {
    if (err instanceof BackupError) throw err
    const code = (err as NodeJS.ErrnoException).code
    throw DAMAGED(`gzip: ${code ?? (err as Error).message}`)
  } finally {
    gunzip.destroy()
  }
  if (rest.length) throw DAMAGED('最后一行不完整 / last line incomplete')
}

export function parseHeader(line: Buffer | undefined): BackupHeader {
  if (!line) throw FOREIGN('文件为空 / empty')
  let header: BackupHeader
  try {
    header = JSON.parse(line.toString('utf8'))
  } catch {
    throw FOREIGN('首行不是备份文件头 / the first line is not a backup header')
  }
  if (header?.format !== BACKUP_FORMAT) throw FOREIGN('首行不是备份文件头 / the first line is not a backup header')
  if (header.version !== BACKUP_VERSION) {
    throw new BackupError(
      `备份文件格式版本 ${String(header.version)} 不受本版本支持（支持 ${BACKUP_VERSION}），未写入任何数据。`,
      `Backup format version ${String(header.version)} is not supported by this release (supports ${BACKUP_VERSION}); nothing was written.`,
    )
  }
  if (!Array.isArray(header.tables) || !Array.isArray(header.migrations)) throw FOREIGN('文件头缺少表清单 / the header lists no tables')
  return header
}

/**
 * Reads the whole file once and checks it; answers the header. Throws BackupError when the file is
 * not a backup, is cut short, or any byte differs from what was written.
 */
export async function verifyBackup(file: string): Promise<{ header: BackupHeader; trailer: BackupTrailer }> {
  const hash = createHash('sha256')
  let header: BackupHeader | undefined
  let trailer: BackupTrailer | undefined
  let table = 0
  let inTable = 0
  let total = 0
  for await (const line of backupLines(file)) {
    if (trailer) throw DAMAGED('结束标记之后还有内容 / data after the trailer')
    if (!header) {
      header = parseHeader(line)
      hash.update(line).update('\n')
      continue
    }
    while (table < header.tables.length && inTable === header.tables[table]!.rows) {
      table++
      inTable = 0
    }
    if (table >= header.tables.length) {
      try {
        trailer = JSON.parse(line.toString('utf8'))
      } catch {
        throw DAMAGED('行数多于文件头所记 / more rows than the header counts')
      }
      if (trailer?.end !== BACKUP_FORMAT) throw DAMAGED('行数多于文件头所记 / more rows than the header counts')
      continue
    }
    if (line[0] !== 0x7b /* { */) throw DAMAGED(`表 ${header.tables[table]!.name} 的第 ${inTable + 1} 行不是 JSON 对象 / row ${inTable + 1} of ${header.tables[table]!.name} is not a JSON object`)
    hash.update(line).update('\n')
    inTable++
    total++
  }
  if (!header) throw FOREIGN('文件为空 / empty')
  if (!trailer) throw DAMAGED('缺少结束标记，文件被截断 / no trailer: the file was cut short')
  if (trailer.rows !== total) throw DAMAGED(`结束标记记有 ${trailer.rows} 行，实有 ${total} 行 / the trailer counts ${trailer.rows} rows, the file holds ${total}`)
  const digest = hash.digest('hex')
  if (trailer.sha256 !== digest) throw DAMAGED('SHA-256 校验值不符 / SHA-256 checksum mismatch')
  return { header, trailer }
}
