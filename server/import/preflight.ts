// The checks an uploaded file passes before ExcelJS touches it: size, format by its bytes (not its
// name), old .xls and password-protected workbooks, a zip that is no workbook, a zip bomb (the bytes
// really inflated are bounded), too many cells. What passes is handed on as a small, clean, uncompressed
// zip holding only the parts ExcelJS needs, each sheet cut down to its cell data.
import { AppError } from '../../shared/errors.ts'
import {
  MAX_IMPORT_BYTES,
  MAX_IMPORT_CELLS,
  MAX_IMPORT_UNCOMPRESSED_BYTES,
  type ImportProblem,
} from '../../shared/api/imports.ts'
import { inflateEntry, readZipEntries, writeStoredZip, ZipError, type ZipEntry } from './zip.ts'

/** Stable codes in `details.reason` of the AppError('invalid_input') an unusable file gets. */
export type FileRefusal =
  | 'empty'
  | 'too_large'
  | 'not_xlsx'
  | 'xls'
  | 'encrypted'
  | 'not_workbook'
  | 'corrupt'
  | 'too_large_uncompressed'
  | 'too_many_cells'

export interface PreparedSheet {
  name: string
  state: 'visible' | 'hidden' | 'veryHidden'
  /** the ExcelJS worksheet id (1-based); only visible worksheets are handed to ExcelJS */
  id?: number
  /** merged ranges as written (`A1:D1`), read here because ExcelJS is not given them */
  merges: string[]
}

export interface PreparedWorkbook {
  /** an uncompressed zip with the verified parts, for ExcelJS */
  zip: Buffer
  sheets: PreparedSheet[]
  problems: ImportProblem[]
  /** figures for tests and benchmarks */
  stats: { inflatedBytes: number; cells: number }
}

export interface PreflightOptions {
  fileName?: string
  /** limits (tests lower them); default to the shared ones */
  maxBytes?: number
  maxUncompressedBytes?: number
  maxCells?: number
}

export function fileRefusal(reason: FileRefusal, message: string): AppError {
  return new AppError('invalid_input', message, { field: 'file', reason })
}

const mb = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MB`

function fileLabel(options: PreflightOptions): string {
  return options.fileName ? `文件“${options.fileName}”` : '文件'
}

// ---- format by signature ----------------------------------------------------

const CFB_SIGNATURE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])

/**
 * Whether a compound file (OLE2/CFB) holds a stream or storage of this name. Directory entries are
 * 128 bytes, sector-aligned (sectors are 512 or 4096 bytes), with the UTF-16LE name first and its byte
 * length (terminator included) at +64, so an aligned match with the right length is a directory entry.
 */
export function cfbHasEntry(b: Buffer, name: string): boolean {
  const needle = Buffer.from(`${name}\0`, 'utf16le')
  let at = b.indexOf(needle, 512)
  while (at >= 0) {
    if (at % 128 === 0 && at + 66 <= b.length && b.readUInt16LE(at + 64) === needle.length) return true
    at = b.indexOf(needle, at + 1)
  }
  return false
}

function refuseCompoundFile(b: Buffer, options: PreflightOptions): never {
  if (cfbHasEntry(b, 'EncryptionInfo') || cfbHasEntry(b, 'EncryptedPackage')) {
    throw fileRefusal('encrypted', `${fileLabel(options)}：工作簿设有打开密码，请取消密码后再导入`)
  }
  if (cfbHasEntry(b, 'Workbook') || cfbHasEntry(b, 'Book')) {
    throw fileRefusal('xls', `${fileLabel(options)}：这是旧版 Excel（.xls）文件，请在 Excel/WPS 中“另存为” .xlsx 后再导入`)
  }
  throw fileRefusal(
    'not_xlsx',
    `${fileLabel(options)}不是 Excel 工作簿（.xlsx），而是其他旧版 Office 文件，无法导入；请选择 .xlsx 文件`,
  )
}

function refuseNonZip(b: Buffer, options: PreflightOptions): never {
  const head = b.subarray(0, 512).toString('utf8').replace(/^\uFEFF/, '').trimStart().toLowerCase()
  if (head.startsWith('<')) {
    throw fileRefusal(
      'not_xlsx',
      `${fileLabel(options)}不是 Excel 工作簿（.xlsx），而是网页或 XML 格式（常见于系统导出的“.xls”）；请在 Excel/WPS 中打开并“另存为” .xlsx 后再导入`,
    )
  }
  if (head.startsWith('%pdf')) {
    throw fileRefusal('not_xlsx', `${fileLabel(options)}不是 Excel 工作簿（.xlsx），而是 PDF 文件；请导入 .xlsx 文件`)
  }
  throw fileRefusal(
    'not_xlsx',
    `${fileLabel(options)}不是 Excel 工作簿（.xlsx），无法读取；请在 Excel/WPS 中打开并“另存为” .xlsx 后再导入`,
  )
}

// ---- small XML helpers (attribute soup only: the parts they read are tiny) ---------

function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) => {
    if (e === 'amp') return '&'
    if (e === 'lt') return '<'
    if (e === 'gt') return '>'
    if (e === 'quot') return '"'
    if (e === 'apos') return "'"
    const code = e.startsWith('#x') ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10)
    return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : ''
  })
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'))
}

/** Attributes by local name (`r:id` → `id`). */
function attributes(tag: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const m of tag.matchAll(/([\w.-]+:)?([\w.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    const local = m[2]!
    if (!out.has(local)) out.set(local, unescapeXml(m[3] ?? m[4] ?? ''))
  }
  return out
}

interface Relationship { id: string; type: string; target: string }

function relationships(xml: string, base: string): Relationship[] {
  const out: Relationship[] = []
  for (const m of xml.matchAll(/<(?:[\w.-]+:)?Relationship\b([^>]*)>/g)) {
    const a = attributes(m[1]!)
    if (a.get('TargetMode') === 'External') continue
    out.push({ id: a.get('Id') ?? '', type: a.get('Type') ?? '', target: resolvePart(base, a.get('Target') ?? '') })
  }
  return out
}

/** A relationship target as a part name (lower case, no leading slash), relative to `base` (`xl/`). */
function resolvePart(base: string, target: string): string {
  const path = target.startsWith('/') ? target.slice(1) : base + target
  const parts: string[] = []
  for (const p of path.split('/')) {
    if (p === '..') parts.pop()
    else if (p !== '.' && p !== '') parts.push(p)
  }
  return parts.join('/').toLowerCase()
}

// ---- sheet XML: cut to cell data, count cells ---------------------------------------

const LT = 0x3c
const GT = 0x3e
const SLASH = 0x2f

function isDelimiter(c: number | undefined): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === GT || c === SLASH
}

/** Index of `<name` followed by a delimiter, from `from`; -1 if none before `end`. */
function findTag(b: Buffer, name: Buffer, from: number, end: number): number {
  let at = b.indexOf(name, from)
  while (at >= 0 && at < end) {
    if (isDelimiter(b[at + name.length])) return at
    at = b.indexOf(name, at + 1)
  }
  return -1
}

const B_ROW = Buffer.from('<row')
const B_ROW_END = Buffer.from('</row>')
const B_C = Buffer.from('<c')
const B_SHEETDATA = Buffer.from('<sheetData')
const B_SHEETDATA_END = Buffer.from('</sheetData>')

export interface SanitizedSheet {
  xml: Buffer
  merges: string[]
  /** cells with a value or formula (empty styled cells are dropped) */
  cells: number
}

/**
 * Keeps what ExcelJS needs of a worksheet: everything up to the end of `<sheetData>` (cells, rows,
 * columns, views), with self-closing (empty, styled) cells and empty visible rows left out; merged
 * ranges are returned. Everything after the cell data (merges, data validations, conditional formats,
 * hyperlinks, drawings, tables, extensions) is dropped: ExcelJS expands some of them cell by cell
 * (a merge or validation over A:XFD would never finish) and crashes on others with broken relations.
 * Stops with `too_many_cells` once `cellBudget` is exceeded.
 */
export function sanitizeSheet(b: Buffer, cellBudget: number, sheetName: string): SanitizedSheet {
  const start = findTag(b, B_SHEETDATA, 0, b.length)
  if (start < 0) return { xml: b, merges: [], cells: 0 }
  const startTagEnd = b.indexOf(GT, start)
  if (startTagEnd < 0) throw new ZipError('corrupt', 'bad sheetData')
  const selfClosing = b[startTagEnd - 1] === SLASH
  const end = selfClosing ? startTagEnd + 1 : b.lastIndexOf(B_SHEETDATA_END)
  if (end < startTagEnd) throw new ZipError('corrupt', 'unterminated sheetData')
  const tail = b.subarray(selfClosing ? end : end + B_SHEETDATA_END.length)
  const rootEnd = tail.lastIndexOf(Buffer.from('</'))
  const closing = rootEnd >= 0 ? tail.subarray(rootEnd) : Buffer.from('</worksheet>')
  const merges = [...tail.toString('latin1').matchAll(/<(?:[\w.-]+:)?mergeCell\b[^>]*?\bref\s*=\s*["']([A-Za-z]{1,3}\d{1,7}(?::[A-Za-z]{1,3}\d{1,7})?)["']/g)].map((m) => m[1]!.toUpperCase())
  if (selfClosing) return { xml: Buffer.concat([b.subarray(0, end), closing]), merges, cells: 0 }

  const body = b.subarray(startTagEnd + 1, end)
  const tooMany = () =>
    fileRefusal('too_many_cells', `工作表“${sheetName}”：工作簿的单元格过多（超过 ${MAX_IMPORT_CELLS.toLocaleString('en-US')} 个），请拆分后再导入`)
  // CDATA or comments could hide '<c' or '</row>' inside text: count conservatively, keep as is
  if (body.includes('<![CDATA[') || body.includes('<!--')) {
    let cells = 0
    for (let at = findTag(body, B_C, 0, body.length); at >= 0; at = findTag(body, B_C, at + 2, body.length)) {
      if (++cells > cellBudget) throw tooMany()
    }
    return { xml: Buffer.concat([b.subarray(0, end + B_SHEETDATA_END.length), closing]), merges, cells }
  }

  const out: Buffer[] = [b.subarray(0, startTagEnd + 1)]
  let cells = 0
  let rows = 0
  /** hidden rows without cells are kept only when a row with cells follows (they may sit inside the grid) */
  let pendingHidden: Buffer[] = []
  let at = findTag(body, B_ROW, 0, body.length)
  while (at >= 0) {
    const tagEnd = body.indexOf(GT, at)
    if (tagEnd < 0) throw new ZipError('corrupt', 'bad row')
    const rowTag = body.subarray(at, tagEnd + 1)
    const hidden = /\shidden\s*=\s*["'](1|true)["']/.test(rowTag.toString('latin1'))
    if (body[tagEnd - 1] === SLASH) {
      if (hidden) pendingHidden.push(rowTag)
      at = findTag(body, B_ROW, tagEnd + 1, body.length)
      continue
    }
    const rowEnd = body.indexOf(B_ROW_END, tagEnd)
    if (rowEnd < 0) throw new ZipError('corrupt', 'unterminated row')
    // one pass over the row's bytes: count cells, note self-closing (empty, styled) ones to leave out
    let kept = 0
    let dropFrom = -1
    const keptParts: Buffer[] = []
    let copyFrom = tagEnd + 1
    for (let j = tagEnd + 1; j < rowEnd; j++) {
      if (body[j] !== LT || body[j + 1] !== 0x63 || !isDelimiter(body[j + 2])) continue
      let k = j + 2
      while (k < rowEnd && body[k] !== GT) k++
      if (k >= rowEnd) throw new ZipError('corrupt', 'bad cell')
      if (body[k - 1] === SLASH) {
        if (dropFrom < 0) dropFrom = j
        keptParts.push(body.subarray(copyFrom, j))
        copyFrom = k + 1
      } else if (++cells > cellBudget) throw tooMany()
      else kept++
      j = k
    }
    const dropped = dropFrom >= 0
    if (kept > 0) {
      if (pendingHidden.length) { out.push(...pendingHidden); rows += pendingHidden.length; pendingHidden = [] }
      if (dropped) out.push(rowTag, ...keptParts, body.subarray(copyFrom, rowEnd), B_ROW_END)
      else out.push(body.subarray(at, rowEnd + B_ROW_END.length))
      rows++
    } else if (hidden) {
      pendingHidden.push(Buffer.concat([rowTag.subarray(0, rowTag.length - 1), Buffer.from('/>')]))
    }
    // ExcelJS builds one object per row: rows count against the same budget as cells
    if (rows + pendingHidden.length > cellBudget) throw tooMany()
    at = findTag(body, B_ROW, rowEnd + B_ROW_END.length, body.length)
  }
  out.push(B_SHEETDATA_END, closing)
  return { xml: Buffer.concat(out), merges, cells }
}

function countTags(b: Buffer, name: Buffer, limit: number): number {
  let n = 0
  for (let at = findTag(b, name, 0, b.length); at >= 0; at = findTag(b, name, at + name.length, b.length)) {
    if (++n > limit) return n
  }
  return n
}

// ---- XML some writers produce that ExcelJS misreads ------------------------------------

/**
 * Writers built on the OpenXML SDK may prefix every element (`<x:row>`); ExcelJS matches bare names
 * and would read nothing. The root's prefix is dropped from every tag.
 */
export function dropRootPrefix(b: Buffer, root: string): Buffer {
  const head = b.subarray(0, 2048).toString('utf8')
  const m = new RegExp(`<([A-Za-z_][\\w.-]*):${root}\\b`).exec(head)
  if (!m) return b
  const p = m[1]!
  const xml = b.toString('utf8')
  return Buffer.from(
    xml.replace(new RegExp(`<(/?)${p}:`, 'g'), '<$1').replace(new RegExp(`\\sxmlns:${p}\\s*=`), ' xmlns='),
    'utf8',
  )
}

/**
 * A formula whose result is the empty string is written `<c t="str"><f>…</f><v></v></c>`; ExcelJS
 * takes the empty `<v>` for no result at all. A single space reads as the same blank.
 */
export function keepEmptyResults(b: Buffer): Buffer {
  if (!b.includes('<v></v>') && !b.includes('<v/>')) return b
  const xml = b.toString('utf8')
  return Buffer.from(
    xml.replace(/<v><\/v>|<v\/>/g, (m: string, at: number) => {
      const start = xml.lastIndexOf('<c', at)
      const tag = start >= 0 ? xml.slice(start, xml.indexOf('>', start) + 1) : ''
      return /\st\s*=\s*["']str["']/.test(tag) ? '<v> </v>' : m
    }),
    'utf8',
  )
}

// ---- styles: the zh-CN built-in date formats ExcelJS does not know -------------------

/** Built-in number formats whose code depends on the locale (zh-CN codes); ExcelJS only knows en-US ones. */
const ZH_CN_BUILTIN_FORMATS: Record<number, string> = {
  27: 'yyyy"年"m"月"', 28: 'm"月"d"日"', 29: 'm"月"d"日"', 30: 'm-d-yy', 31: 'yyyy"年"m"月"d"日"',
  32: 'h"时"mm"分"', 33: 'h"时"mm"分"ss"秒"', 34: '上午/下午h"时"mm"分"', 35: '上午/下午h"时"mm"分"ss"秒"',
  36: 'yyyy"年"m"月"', 50: 'yyyy"年"m"月"', 51: 'm"月"d"日"', 52: 'yyyy"年"m"月"', 53: 'm"月"d"日"',
  54: 'm"月"d"日"', 55: '上午/下午h"时"mm"分"', 56: '上午/下午h"时"mm"分"ss"秒"', 57: 'yyyy"年"m"月"',
  58: 'm"月"d"日"',
}

/** Declares the zh-CN built-in formats the styles use but do not define, so dates in them read as dates. */
export function addBuiltinFormats(styles: Buffer): Buffer {
  const xml = styles.toString('utf8')
  const used = new Set<number>()
  for (const m of xml.matchAll(/\bnumFmtId\s*=\s*["'](\d+)["']/g)) used.add(Number(m[1]))
  const defined = new Set<number>()
  for (const m of xml.matchAll(/<(?:[\w.-]+:)?numFmt\b[^>]*\bnumFmtId\s*=\s*["'](\d+)["']/g)) defined.add(Number(m[1]))
  const missing = [...used].filter((id) => ZH_CN_BUILTIN_FORMATS[id] !== undefined && !defined.has(id))
  if (missing.length === 0) return styles
  const defs = missing.map((id) => `<numFmt numFmtId="${id}" formatCode="${escapeXml(ZH_CN_BUILTIN_FORMATS[id]!)}"/>`).join('')
  const open = /<numFmts\b[^>]*?(\/?)>/.exec(xml)
  let out: string
  if (open && open[1] === '') out = xml.slice(0, open.index + open[0].length) + defs + xml.slice(open.index + open[0].length)
  else if (open) out = xml.slice(0, open.index) + `<numFmts>${defs}</numFmts>` + xml.slice(open.index + open[0].length)
  else {
    const root = /<styleSheet\b[^>]*>/.exec(xml)
    if (!root) return styles
    out = xml.slice(0, root.index + root[0].length) + `<numFmts>${defs}</numFmts>` + xml.slice(root.index + root[0].length)
  }
  return Buffer.from(out, 'utf8')
}

// ---- the preflight ---------------------------------------------------------------

const REL_WORKSHEET = /\/worksheet$/
const REL_SHARED_STRINGS = /\/sharedStrings$/
const REL_STYLES = /\/styles$/

function notWorkbook(byName: Map<string, ZipEntry>, options: PreflightOptions): AppError {
  const label = fileLabel(options)
  if (byName.has('xl/workbook.bin')) {
    return fileRefusal('not_workbook', `${label}是二进制工作簿（.xlsb），请在 Excel 中“另存为” .xlsx 后再导入`)
  }
  if (byName.has('mimetype') || byName.has('content.xml')) {
    return fileRefusal('not_workbook', `${label}是 OpenDocument 表格（.ods）或其他文档，请在 Excel/WPS 中“另存为” .xlsx 后再导入`)
  }
  if (byName.has('word/document.xml')) return fileRefusal('not_workbook', `${label}是 Word 文档（.docx），不是 Excel 工作簿（.xlsx）`)
  if (byName.has('ppt/presentation.xml')) return fileRefusal('not_workbook', `${label}是 PowerPoint 演示文稿（.pptx），不是 Excel 工作簿（.xlsx）`)
  return fileRefusal('not_workbook', `${label}是压缩包，但其中没有 Excel 工作簿（缺少 xl/workbook.xml），不是 .xlsx 文件`)
}

/**
 * Checks an uploaded file and prepares it for ExcelJS. Throws AppError('invalid_input', …,
 * { field: 'file', reason }) for every file that cannot be a workbook or is too big to read safely.
 */
export async function preflightWorkbook(data: Uint8Array, options: PreflightOptions = {}): Promise<PreparedWorkbook> {
  const maxBytes = options.maxBytes ?? MAX_IMPORT_BYTES
  const maxInflated = options.maxUncompressedBytes ?? MAX_IMPORT_UNCOMPRESSED_BYTES
  const maxCells = options.maxCells ?? MAX_IMPORT_CELLS
  const label = fileLabel(options)
  if (data.byteLength === 0) throw fileRefusal('empty', `${label}是空的（0 字节），请选择要导入的 Excel 工作簿（.xlsx）`)
  if (data.byteLength > maxBytes) {
    throw fileRefusal('too_large', `${label}过大（${mb(data.byteLength)}），导入的工作簿不能超过 ${mb(maxBytes)}`)
  }
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  if (b.length >= 8 && b.subarray(0, 8).equals(CFB_SIGNATURE)) refuseCompoundFile(b, options)
  const isZip = b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && ((b[2] === 3 && b[3] === 4) || (b[2] === 5 && b[3] === 6))
  if (!isZip) refuseNonZip(b, options)

  const corrupt = () => fileRefusal('corrupt', `${label}已损坏，无法读取；请在 Excel/WPS 中打开并重新保存为 .xlsx 后再导入`)
  const bomb = () =>
    fileRefusal('too_large_uncompressed', `${label}解压后超过 ${mb(maxInflated)}，无法导入（可能是异常的压缩文件）；请检查文件或拆分后再导入`)
  const encrypted = () => fileRefusal('encrypted', `${label}：工作簿设有打开密码，请取消密码后再导入`)

  try {
    let entries: ZipEntry[]
    try {
      entries = readZipEntries(b)
    } catch (e) {
      if (e instanceof ZipError) throw corrupt()
      throw e
    }
    const byName = new Map<string, ZipEntry>()
    for (const e of entries) if (!byName.has(e.name.toLowerCase())) byName.set(e.name.toLowerCase(), e)
    if (!byName.has('[content_types].xml') || !byName.has('xl/workbook.xml')) throw notWorkbook(byName, options)

    let inflated = 0
    const read = async (name: string): Promise<Buffer | undefined> => {
      const e = byName.get(name)
      if (!e) return undefined
      const out = await inflateEntry(b, e, maxInflated - inflated)
      inflated += out.length
      return out
    }
    const workbookXml = (await read('xl/workbook.xml'))!.toString('utf8')
    if (/<!(DOCTYPE|ENTITY)/i.test(workbookXml)) throw corrupt()
    const rels = relationships((await read('xl/_rels/workbook.xml.rels'))?.toString('utf8') ?? '', 'xl/')
    const relById = new Map(rels.map((r) => [r.id, r]))
    const date1904 = /<(?:[\w.-]+:)?workbookPr\b[^>]*\bdate1904\s*=\s*["'](1|true)["']/.test(workbookXml)

    const problems: ImportProblem[] = []
    const sheets: PreparedSheet[] = []
    const parts = new Map<string, Buffer>()
    let cells = 0
    const visible: { sheet: PreparedSheet; part: string }[] = []
    for (const m of workbookXml.matchAll(/<(?:[\w.-]+:)?sheet\b([^>]*)>/g)) {
      const a = attributes(m[1]!)
      const name = a.get('name') ?? ''
      const stateRaw = a.get('state')
      const state = stateRaw === 'hidden' || stateRaw === 'veryHidden' ? stateRaw : 'visible'
      const sheet: PreparedSheet = { name, state, merges: [] }
      const rel = relById.get(a.get('id') ?? '')
      // no relation at all: the part name Excel would have used
      const part = rel ? (REL_WORKSHEET.test(rel.type) ? rel.target : undefined) : `xl/worksheets/sheet${sheets.length + 1}.xml`
      if (!part) {
        problems.push({ sheet: name, code: 'unsupported_sheet', severity: 'info', message: `工作表“${name}”是图表、对话框或宏表，不含单元格数据，未导入` })
        continue
      }
      if (!byName.has(part)) {
        problems.push({ sheet: name, code: 'missing_sheet', severity: 'warning', message: `工作表“${name}”的数据在文件中缺失（文件不完整），未导入` })
        continue
      }
      sheets.push(sheet)
      if (state === 'visible') visible.push({ sheet, part })
    }

    const sharedPart = rels.find((r) => REL_SHARED_STRINGS.test(r.type))?.target ?? 'xl/sharedstrings.xml'
    const stylesPart = rels.find((r) => REL_STYLES.test(r.type))?.target ?? 'xl/styles.xml'

    // a zip that says it is small but is not: refuse before inflating when the declared sizes already exceed the bound
    const wanted = [sharedPart, stylesPart, ...visible.map((v) => v.part)]
    const declared = wanted.reduce((n, p) => n + (byName.get(p)?.declaredSize ?? 0), inflated)
    if (declared > maxInflated) throw bomb()

    const sharedRaw = await read(sharedPart)
    if (sharedRaw) {
      const shared = dropRootPrefix(sharedRaw, 'sst')
      if (countTags(shared, Buffer.from('<si'), maxCells) > maxCells) {
        throw fileRefusal('too_many_cells', `${label}的共享文本超过 ${maxCells.toLocaleString('en-US')} 条，单元格过多，请拆分后再导入`)
      }
      parts.set('xl/sharedStrings.xml', shared)
    }
    const styles = await read(stylesPart)
    if (styles) parts.set('xl/styles.xml', addBuiltinFormats(dropRootPrefix(styles, 'styleSheet')))

    let id = 0
    const sheetXml: string[] = []
    for (const { sheet, part } of visible) {
      const raw = (await read(part))!
      if (raw.includes('<!DOCTYPE') || raw.includes('<!ENTITY')) throw corrupt()
      const clean = sanitizeSheet(dropRootPrefix(raw, 'worksheet'), maxCells - cells, sheet.name)
      clean.xml = keepEmptyResults(clean.xml)
      cells += clean.cells
      sheet.merges = clean.merges
      sheet.id = ++id
      parts.set(`xl/worksheets/sheet${id}.xml`, clean.xml)
      sheetXml.push(`<sheet name="${escapeXml(sheet.name)}" sheetId="${id}" r:id="rId${id}"/>`)
    }
    for (const s of sheets) {
      if (s.state !== 'visible') {
        problems.push({ sheet: s.name, code: 'hidden_sheet', severity: 'info', message: `工作表“${s.name}”是隐藏的，未导入` })
      }
    }

    parts.set(
      'xl/workbook.xml',
      Buffer.from(
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
          '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
          (date1904 ? '<workbookPr date1904="1"/>' : '<workbookPr/>') +
          `<sheets>${sheetXml.join('')}</sheets></workbook>`,
      ),
    )
    parts.set(
      'xl/_rels/workbook.xml.rels',
      Buffer.from(
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
          sheetXml.map((_, i) => `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('') +
          '</Relationships>',
      ),
    )
    return { zip: writeStoredZip(parts), sheets, problems, stats: { inflatedBytes: inflated, cells } }
  } catch (e) {
    if (e instanceof ZipError) {
      if (e.kind === 'budget') throw bomb()
      if (e.kind === 'encrypted') throw encrypted()
      throw corrupt()
    }
    throw e
  }
}
