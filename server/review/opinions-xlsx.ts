// The 意见汇总表 as an xlsx workbook (ExcelJS): title, subtitle, header repeated on every printed page,
// one row per opinion, A4 landscape fitted to one page wide, page numbers in the footer. Bytes only, no files.
import ExcelJS from 'exceljs'
import type { OpinionRow } from '../../shared/api/review.ts'

export interface OpinionsWorkbookInput {
  opinions: readonly OpinionRow[]
  /** what the export covers: a table's title, or a department's name */
  scope: string
  year: number
  /** the round exported; null for every round (a 轮次 column is added) */
  round: number | null
  /** a department's export spans tables: a 表名 column is added */
  withTableColumn: boolean
  /** how many tables the export covers, shown in the subtitle of a department's export */
  tableCount?: number
  exportedAt: Date
}

// WATCH OUT: the product's users read times on Beijing time; a server in UTC would otherwise print
// 提出时间 eight hours off. Excel has no time zone, so the wall-clock time is what gets written.
const TIME_ZONE = 'Asia/Shanghai'
const FONT = '宋体'
// Excel refuses (and offers to "repair") a cell holding more than 32 767 characters.
const MAX_CELL_CHARS = 32_767
const TRUNCATED = '…（内容过长，已截断，全文请在系统中查看）'
// Characters XML 1.0 cannot carry. ExcelJS drops C0 controls itself but writes U+FFFE/U+FFFF and lone
// surrogates as they are, and then Excel reports the file damaged (ExcelJS cannot even read it back).
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/** Text safe for a cell: no characters XML refuses, at most Excel's cell length. */
export function cellText(s: string): string {
  const clean = s.replace(INVALID_XML, '')
  if (clean.length <= MAX_CELL_CHARS) return clean
  let cut = MAX_CELL_CHARS - TRUNCATED.length
  // never split a surrogate pair: half of one is itself invalid XML
  if (/[\uD800-\uDBFF]/.test(clean[cut - 1]!)) cut--
  return clean.slice(0, cut) + TRUNCATED
}

function wallClock(iso: string | Date): { y: string; mo: string; d: string; h: string; mi: string } | null {
  const date = typeof iso === 'string' ? new Date(iso) : iso
  if (Number.isNaN(date.getTime())) return null
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(date)
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00'
  return { y: get('year'), mo: get('month'), d: get('day'), h: get('hour'), mi: get('minute') }
}

/** `2024-03-05 10:12`, Beijing time */
export function beijingTime(iso: string | Date): string {
  const t = wallClock(iso)
  return t ? `${t.y}-${t.mo}-${t.d} ${t.h}:${t.mi}` : String(iso)
}

/** A Date whose UTC fields are the Beijing wall-clock time: what ExcelJS turns into an Excel date serial. */
function excelDate(iso: string): Date | null {
  const t = wallClock(iso)
  return t ? new Date(Date.UTC(+t.y, +t.mo - 1, +t.d, +t.h, +t.mi)) : null
}

interface Column {
  header: string
  width: number
  align: 'left' | 'center'
  value: (o: OpinionRow) => string | number | Date | null
}

function stateText(o: OpinionRow): string {
  if (!o.dispositionReason) return o.state
  return `${o.state}\n${o.state === '不采纳' ? '理由' : '说明'}：${o.dispositionReason}`
}

function columns(input: OpinionsWorkbookInput): Column[] {
  return [
    { header: '序号', width: 6, align: 'center', value: (o) => o.index },
    ...(input.withTableColumn ? [{ header: '表名', width: 24, align: 'left', value: (o) => o.tableTitle } satisfies Column] : []),
    ...(input.round === null ? [{ header: '轮次', width: 8, align: 'center', value: (o) => `第 ${o.round} 轮` } satisfies Column] : []),
    { header: '位置', width: 26, align: 'left', value: (o) => o.position },
    { header: '意见', width: input.withTableColumn ? 40 : 46, align: 'left', value: (o) => o.opinion },
    { header: '提出人及单位', width: 20, align: 'left', value: (o) => o.author },
    { header: '提出时间', width: 17, align: 'center', value: (o) => excelDate(o.createdAt) },
    { header: '回复', width: input.withTableColumn ? 38 : 44, align: 'left', value: (o) => o.replies.join('\n') },
    { header: '处理状态', width: 16, align: 'center', value: stateText },
  ]
}

const THIN = { style: 'thin' } as const
const BORDER: Partial<ExcelJS.Borders> = { top: THIN, left: THIN, bottom: THIN, right: THIN }
const TITLE_ROW = 1
const SUBTITLE_ROW = 2
const HEADER_ROW = 3

function subtitle(input: OpinionsWorkbookInput): string {
  return [
    input.scope,
    input.tableCount !== undefined ? `共 ${input.tableCount} 张表` : '',
    `${input.year} 年度`,
    input.round === null ? '全部轮次' : `第 ${input.round} 轮`,
    `共 ${input.opinions.length} 条意见`,
    `导出时间：${beijingTime(input.exportedAt)}`,
  ].filter(Boolean).join('　')
}

// WATCH OUT: only Excel fits a row without a stored height to its wrapped text when it opens a file;
// LibreOffice (and WPS, depending on version) keep such rows one line high and hide the rest. So rows get a
// height estimated from the text: a CJK character is about two width units of 宋体 10 pt, other characters one.
const LINE_POINTS = 14
const MAX_ROW_POINTS = 409 // Excel's largest row height

function textUnits(line: string): number {
  let units = 0
  for (const ch of line) units += /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]|[\u{20000}-\u{3FFFD}]/u.test(ch) ? 2 : 1.05
  return units
}

export function estimateHeight(cells: readonly { width: number; text: string }[]): number {
  let lines = 1
  for (const { width, text } of cells) {
    const usable = Math.max(1, width - 1.5)
    const n = text.split('\n').reduce((sum, line) => sum + Math.max(1, Math.ceil(textUnits(line) / usable)), 0)
    lines = Math.max(lines, n)
  }
  return Math.min(MAX_ROW_POINTS, lines * LINE_POINTS + 4)
}

export async function opinionsWorkbook(input: OpinionsWorkbookInput): Promise<Buffer> {
  const cols = columns(input)
  const wb = new ExcelJS.Workbook()
  wb.creator = 'target-tables'
  wb.created = input.exportedAt
  const ws = wb.addWorksheet('意见汇总表', {
    pageSetup: {
      paperSize: 9, // A4
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0, // as many pages down as the opinions need
      horizontalCentered: true,
      margins: { left: 0.4, right: 0.4, top: 0.6, bottom: 0.7, header: 0.3, footer: 0.3 },
      printTitlesRow: `${HEADER_ROW}:${HEADER_ROW}`,
    },
    headerFooter: { oddFooter: `&C&"${FONT},常规"&10第 &P 页 共 &N 页` },
    views: [{ state: 'frozen', ySplit: HEADER_ROW }],
  })
  ws.columns = cols.map((c) => ({ width: c.width }))
  const last = cols.length

  const title = ws.getCell(TITLE_ROW, 1)
  title.value = '意见汇总表'
  title.font = { name: FONT, size: 18, bold: true }
  title.alignment = { horizontal: 'center', vertical: 'middle' }
  ws.getRow(TITLE_ROW).height = 32
  ws.mergeCells(TITLE_ROW, 1, TITLE_ROW, last)

  const sub = ws.getCell(SUBTITLE_ROW, 1)
  sub.value = cellText(subtitle(input))
  sub.font = { name: FONT, size: 11 }
  sub.alignment = { horizontal: 'left', vertical: 'middle', wrapText: true }
  ws.getRow(SUBTITLE_ROW).height = 22
  ws.mergeCells(SUBTITLE_ROW, 1, SUBTITLE_ROW, last)

  const header = ws.getRow(HEADER_ROW)
  cols.forEach((c, i) => {
    const cell = header.getCell(i + 1)
    cell.value = c.header
    cell.font = { name: FONT, size: 11, bold: true }
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true }
    cell.border = BORDER
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE7E6E6' } }
  })
  header.height = 22

  input.opinions.forEach((o, r) => {
    const row = ws.getRow(HEADER_ROW + 1 + r)
    const values = cols.map((c) => {
      const v = c.value(o)
      // an empty text stays a blank (styled) cell rather than an empty shared string
      return typeof v === 'string' ? cellText(v) || null : v
    })
    cols.forEach((c, i) => {
      const cell = row.getCell(i + 1)
      const v = values[i]!
      cell.value = v
      if (v instanceof Date) cell.numFmt = 'yyyy-mm-dd hh:mm'
      cell.font = { name: FONT, size: 10 }
      cell.alignment = { horizontal: c.align, vertical: 'top', wrapText: true }
      cell.border = BORDER
    })
    row.height = estimateHeight(cols.map((c, i) => ({ width: c.width, text: typeof values[i] === 'string' ? values[i] : '' })))
  })

  return Buffer.from(await wb.xlsx.writeBuffer())
}
