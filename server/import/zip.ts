// A small zip reader and writer for the import preflight: reads the central directory without
// inflating anything, inflates one entry at a time under a byte budget (the sizes a zip declares can
// lie), and writes the verified parts back as an uncompressed zip for ExcelJS.
import { crc32, inflateRaw } from 'node:zlib'
import { promisify } from 'node:util'

const inflateRawAsync = promisify(inflateRaw)

export interface ZipEntry {
  /** the name as stored, without a leading slash */
  name: string
  method: number
  flags: number
  crc: number
  compressedSize: number
  /** what the zip says; never trusted for limits */
  declaredSize: number
  localHeaderOffset: number
}

/** Why a zip could not be read: `corrupt` (structure), `budget` (inflates past the byte budget). */
export class ZipError extends Error {
  constructor(readonly kind: 'corrupt' | 'budget' | 'encrypted', message: string) {
    super(message)
    this.name = 'ZipError'
  }
}

const SIG_EOCD = 0x06054b50
const SIG_EOCD64 = 0x06064b50
const SIG_EOCD64_LOCATOR = 0x07064b50
const SIG_CENTRAL = 0x02014b50
const SIG_LOCAL = 0x04034b50
/** no real workbook has more parts; bounds the work on a crafted central directory */
const MAX_ENTRIES = 50_000

function u16(b: Buffer, at: number): number {
  if (at + 2 > b.length) throw new ZipError('corrupt', 'truncated')
  return b.readUInt16LE(at)
}
function u32(b: Buffer, at: number): number {
  if (at + 4 > b.length) throw new ZipError('corrupt', 'truncated')
  return b.readUInt32LE(at)
}
function u64(b: Buffer, at: number): number {
  if (at + 8 > b.length) throw new ZipError('corrupt', 'truncated')
  const v = b.readBigUInt64LE(at)
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipError('corrupt', 'size out of range')
  return Number(v)
}

function findEndOfCentralDirectory(b: Buffer): number {
  const min = Math.max(0, b.length - 22 - 0xffff)
  for (let at = b.length - 22; at >= min; at--) {
    if (b[at] === 0x50 && b[at + 1] === 0x4b && b.readUInt32LE(at) === SIG_EOCD) return at
  }
  throw new ZipError('corrupt', 'no end of central directory')
}

/** The entries of the central directory (nothing is inflated). */
export function readZipEntries(b: Buffer): ZipEntry[] {
  const eocd = findEndOfCentralDirectory(b)
  let count = u16(b, eocd + 10)
  let cdSize = u32(b, eocd + 12)
  let cdOffset = u32(b, eocd + 16)
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locator = eocd - 20
    if (locator >= 0 && u32(b, locator) === SIG_EOCD64_LOCATOR) {
      const at = u64(b, locator + 8)
      if (u32(b, at) !== SIG_EOCD64) throw new ZipError('corrupt', 'bad zip64 end record')
      count = u64(b, at + 32)
      cdSize = u64(b, at + 40)
      cdOffset = u64(b, at + 48)
    }
  }
  if (count > MAX_ENTRIES) throw new ZipError('corrupt', 'too many entries')
  if (cdOffset + cdSize > b.length) throw new ZipError('corrupt', 'central directory out of range')
  const entries: ZipEntry[] = []
  let at = cdOffset
  for (let i = 0; i < count; i++) {
    if (u32(b, at) !== SIG_CENTRAL) throw new ZipError('corrupt', 'bad central directory entry')
    const flags = u16(b, at + 8)
    const method = u16(b, at + 10)
    const crc = u32(b, at + 16)
    let compressedSize = u32(b, at + 20)
    let declaredSize = u32(b, at + 24)
    const nameLength = u16(b, at + 28)
    const extraLength = u16(b, at + 30)
    const commentLength = u16(b, at + 32)
    let localHeaderOffset = u32(b, at + 42)
    const nameEnd = at + 46 + nameLength
    if (nameEnd + extraLength > b.length) throw new ZipError('corrupt', 'truncated entry')
    const name = b.toString('utf8', at + 46, nameEnd).replace(/\\/g, '/').replace(/^\/+/, '')
    // zip64: the real sizes and offset sit in extra field 0x0001, in this order, when the 32-bit ones are saturated
    let x = nameEnd
    const extraEnd = nameEnd + extraLength
    while (x + 4 <= extraEnd) {
      const id = u16(b, x)
      const size = u16(b, x + 2)
      if (id === 0x0001) {
        let y = x + 4
        if (declaredSize === 0xffffffff) { declaredSize = u64(b, y); y += 8 }
        if (compressedSize === 0xffffffff) { compressedSize = u64(b, y); y += 8 }
        if (localHeaderOffset === 0xffffffff) { localHeaderOffset = u64(b, y) }
      }
      x += 4 + size
    }
    entries.push({ name, method, flags, crc, compressedSize, declaredSize, localHeaderOffset })
    at = extraEnd + commentLength
  }
  return entries
}

/** The compressed bytes of an entry (a view into `b`). */
function rawData(b: Buffer, e: ZipEntry): Buffer {
  const at = e.localHeaderOffset
  if (u32(b, at) !== SIG_LOCAL) throw new ZipError('corrupt', `bad local header for ${e.name}`)
  const start = at + 30 + u16(b, at + 26) + u16(b, at + 28)
  const end = start + e.compressedSize
  if (end > b.length) throw new ZipError('corrupt', `entry ${e.name} out of range`)
  return b.subarray(start, end)
}

/**
 * Inflates one entry, refusing to produce more than `budget` bytes (checked on the real output, so a
 * lying size field does not help a zip bomb), and checks its CRC.
 */
export async function inflateEntry(b: Buffer, e: ZipEntry, budget: number): Promise<Buffer> {
  if (e.flags & 0x1) throw new ZipError('encrypted', `entry ${e.name} is encrypted`)
  const raw = rawData(b, e)
  let out: Buffer
  if (e.method === 0) {
    if (raw.length > budget) throw new ZipError('budget', `entry ${e.name} too large`)
    out = raw
  } else if (e.method === 8) {
    try {
      out = await inflateRawAsync(raw, { maxOutputLength: Math.max(1, budget) })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
        throw new ZipError('budget', `entry ${e.name} too large`)
      }
      throw new ZipError('corrupt', `entry ${e.name}: ${(err as Error).message}`)
    }
    if (out.length > budget) throw new ZipError('budget', `entry ${e.name} too large`)
  } else {
    throw new ZipError('corrupt', `entry ${e.name}: unsupported compression method ${e.method}`)
  }
  if (crc32(out) !== e.crc) throw new ZipError('corrupt', `entry ${e.name}: CRC mismatch`)
  return out
}

/** An uncompressed zip of the given parts (what ExcelJS reads once the preflight has verified them). */
export function writeStoredZip(parts: ReadonlyMap<string, Buffer>): Buffer {
  const chunks: Buffer[] = []
  const central: Buffer[] = []
  let offset = 0
  for (const [name, data] of parts) {
    const nameBytes = Buffer.from(name, 'utf8')
    const crc = crc32(data)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(SIG_LOCAL, 0)
    local.writeUInt16LE(20, 4) // version needed
    local.writeUInt16LE(0x0800, 6) // UTF-8 names
    local.writeUInt16LE(0, 8) // stored
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(data.length, 18)
    local.writeUInt32LE(data.length, 22)
    local.writeUInt16LE(nameBytes.length, 26)
    const entry = Buffer.alloc(46)
    entry.writeUInt32LE(SIG_CENTRAL, 0)
    entry.writeUInt16LE(20, 4)
    entry.writeUInt16LE(20, 6)
    entry.writeUInt16LE(0x0800, 8)
    entry.writeUInt32LE(crc, 16)
    entry.writeUInt32LE(data.length, 20)
    entry.writeUInt32LE(data.length, 24)
    entry.writeUInt16LE(nameBytes.length, 28)
    entry.writeUInt32LE(offset, 42)
    chunks.push(local, nameBytes, data)
    central.push(entry, nameBytes)
    offset += 30 + nameBytes.length + data.length
  }
  const cdSize = central.reduce((n, c) => n + c.length, 0)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(SIG_EOCD, 0)
  end.writeUInt16LE(parts.size, 8)
  end.writeUInt16LE(parts.size, 10)
  end.writeUInt32LE(cdSize, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...chunks, ...central, end])
}
