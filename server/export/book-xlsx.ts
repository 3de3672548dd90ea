// The compiled book (汇编成册) as one xlsx workbook, written with ExcelJS's streaming WorkbookWriter:
// a 目录 (contents) sheet first — every planned table with a link to its sheet, or 未能生成 and why —
// then one sheet per table in plan order, each committed and zipped as it is added, so memory stays
// flat however long the book. Written to `<path>.part`, renamed on finish, removed on abort.
import fs from 'node:fs'
import { rename, rm, stat } from 'node:fs/promises'
import ExcelJS from 'exceljs'
import { EDITION_LABELS } from '../../shared/api/export.ts'
import type { BookPlan, BookWriter, BookWriterFactory } from './book.ts'
import type { ExportDoc } from './document.ts'
import { XLSX_FONT, fillTableSheet, safeSheetName, sheetRef, tableSheetContent, type TableSheetContent } from './xlsx.ts'

export const CONTENTS_SHEET = '目录'

/**
 * The parts of ExcelJS's streaming writer this file needs beyond its typed API (ExcelJS 4.4.0).
 * WATCH OUT: the streaming writer opens a sheet's zip entry when the sheet is created and archiver
 * writes entries one after the other, so a contents sheet created first and filled last would hold
 * every table sheet in memory until the end. The contents sheet is therefore created last and moved to
 * the front of `_worksheets` (the order of workbook.xml, which is the order Excel shows), and each
 * table sheet waits for archiver's `entry` event so the writer never runs ahead of the zip. A committed
 * sheet's writer keeps its stream buffers, merges and rows' bookkeeping (≈ 30 kB a table) until the
 * workbook is committed, which only reads a sheet's id, name, state, rId and print titles then: it is
 * swapped for a stub holding just those (`slim`), so memory stays flat over thousands of tables.
 * test/export/xlsx-book.test.ts reads the book back: contents first, every sheet, its print titles.
 */
interface WriterInternals {
  _worksheets: (SheetEntry | undefined)[]
  zip: NodeJS.EventEmitter & { abort(): void }
}

/** what WorkbookWriter.commit reads of a committed sheet (workbook.xml, its rels, content types, app.xml) */
interface SheetEntry {
  id: number
  name: string
  state: ExcelJS.WorksheetState
  committed: boolean
  pageSetup: Partial<ExcelJS.PageSetup>
}

function slim(ws: ExcelJS.Worksheet): SheetEntry {
  const { printTitlesRow, printTitlesColumn, printArea } = ws.pageSetup
  return { id: ws.id, name: ws.name, state: ws.state, committed: true, pageSetup: { printTitlesRow, printTitlesColumn, printArea } }
}

type EntryState = { kind: 'pending' } | { kind: 'added' } | { kind: 'skipped'; reason: string }

const THIN: Partial<ExcelJS.Border> = { style: 'thin', color: { argb: 'FF000000' } }
const BOX: Partial<ExcelJS.Borders> = { top: THIN, left: THIN, bottom: THIN, right: THIN }
const font = (size: number, extra: Partial<ExcelJS.Font> = {}): Partial<ExcelJS.Font> => ({ name: XLSX_FONT, size, ...extra })
const STYLE = {
  title: { font: font(16, { bold: true }), alignment: { horizontal: 'center', vertical: 'middle' } },
  subtitle: { font: font(10), alignment: { horizontal: 'center', vertical: 'middle' } },
  head: {
    font: font(10, { bold: true }), border: BOX, alignment: { horizontal: 'center', vertical: 'middle' },
    fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE6E6E6' } },
  },
  index: { font: font(10), border: BOX, alignment: { horizontal: 'center', vertical: 'middle' } },
  text: { font: font(10), border: BOX, alignment: { horizontal: 'left', vertical: 'middle', wrapText: true } },
  link: { font: font(10, { color: { argb: 'FF0563C1' }, underline: true }), border: BOX, alignment: { horizontal: 'left', vertical: 'middle' } },
  missing: { font: font(10, { color: { argb: 'FFC00000' } }), border: BOX, alignment: { horizontal: 'left', vertical: 'middle', wrapText: true } },
} satisfies Record<string, Partial<ExcelJS.Style>>

function dateText(d: Date): string {
  return `${d.getFullYear()}年${d.getMonth() + 1}月${d.getDate()}日`
}

/** A string inside an Excel formula: quotes doubled. */
function formulaString(s: string): string {
  return `"${s.replace(/"/g, '""')}"`
}

export const createXlsxBookWriter: BookWriterFactory = async (path, plan) => {
  const part = `${path}.part`
  const file = fs.createWriteStream(part)
  await new Promise<void>((resolve, reject) => { file.once('open', () => resolve()); file.once('error', reject) })
  return new XlsxBookWriter(path, part, file, plan)
}

class XlsxBookWriter implements BookWriter {
  private readonly wb: ExcelJS.stream.xlsx.WorkbookWriter
  private readonly internals: WriterInternals
  /** sheet name of each planned entry, reserved up front in plan order */
  private readonly names: string[]
  private readonly states: EntryState[]
  /** tableId → indexes of its planned entries not yet added or skipped */
  private readonly open = new Map<string, number[]>()
  private error: Error | null = null
  private closed = false

  constructor(private readonly path: string, private readonly part: string, private readonly file: fs.WriteStream, private readonly plan: BookPlan) {
    // inline strings (no shared-strings table growing with the book), styles on
    this.wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: file, useStyles: true, useSharedStrings: false })
    this.wb.creator = '绩效目标表'
    this.wb.created = plan.compiledAt
    this.wb.title = plan.title
    this.internals = this.wb as unknown as WriterInternals
    const fail = (err: Error) => { this.error ??= err }
    file.on('error', fail)
    this.internals.zip.on('error', fail)
    this.internals.zip.on('warning', fail)
    const taken = new Set<string>([CONTENTS_SHEET.toLowerCase()])
    this.names = plan.entries.map((e) => safeSheetName(`${e.departmentName}-${e.title || '未命名'}`, taken))
    this.states = plan.entries.map(() => ({ kind: 'pending' }))
    plan.entries.forEach((e, i) => {
      const list = this.open.get(e.tableId)
      if (list) list.push(i)
      else this.open.set(e.tableId, [i])
    })
  }

  private check(): void {
    if (this.error) throw this.error
    if (this.closed) throw new Error('汇编文件已完成或已放弃，不能再写入')
  }

  /** the next open plan entry of this table */
  private entryOf(tableId: string): number {
    const i = this.open.get(tableId)?.shift()
    if (i === undefined) throw new Error(`表 ${tableId} 不在汇编计划中（或已写入）`)
    return i
  }

  async add(doc: ExportDoc): Promise<void> {
    this.check()
    const i = this.entryOf(doc.tableId)
    let content: TableSheetContent
    try {
      content = tableSheetContent(doc)
    } catch (err) {
      this.open.get(doc.tableId)!.unshift(i) // nothing written: the caller may still skip it
      throw err
    }
    const ws = this.wb.addWorksheet(this.names[i], content.options)
    const zipped = this.zipped(ws.id)
    try {
      fillTableSheet(ws, content)
    } catch (err) {
      // WATCH OUT: an uncommitted sheet holds up the zip for every later sheet: commit it even half
      // written; the entry stays open so the caller's skip lists it as 未能生成 with its reason
      ws.commit()
      this.open.get(doc.tableId)!.unshift(i)
      throw err
    }
    ws.commit()
    this.states[i] = { kind: 'added' }
    await zipped
    this.internals._worksheets[ws.id] = slim(ws)
    this.check()
  }

  /** resolves once archiver has written sheet `id` into the zip (or the book failed) */
  private zipped(id: number): Promise<void> {
    const name = `worksheets/sheet${id}.xml`
    const zip = this.internals.zip
    return new Promise((resolve) => {
      const onEntry = (entry: { name?: string }) => { if (entry.name?.endsWith(name)) done() }
      const onError = () => done()
      const done = () => {
        zip.off('entry', onEntry)
        zip.off('error', onError)
        this.file.off('error', onError)
        resolve()
      }
      zip.on('entry', onEntry)
      zip.on('error', onError)
      this.file.on('error', onError)
    })
  }

  skip(tableId: string, reason: string): void {
    if (this.closed) return
    const i = this.open.get(tableId)?.shift()
    if (i !== undefined) this.states[i] = { kind: 'skipped', reason }
  }

  async finish(): Promise<{ bytes: number }> {
    this.check()
    this.writeContents()
    this.closed = true
    try {
      await this.wb.commit()
      if (this.error) throw this.error
      await rename(this.part, this.path)
    } catch (err) {
      await this.discard()
      throw err
    }
    return { bytes: (await stat(this.path)).size }
  }

  async abort(): Promise<void> {
    this.closed = true
    await this.discard()
  }

  private async discard(): Promise<void> {
    try { this.internals.zip.abort() } catch { /* already finished */ }
    if (!this.file.closed) {
      await new Promise<void>((resolve) => { this.file.once('close', () => resolve()); this.file.destroy() })
    }
    await rm(this.part, { force: true })
  }

  /** The 目录 sheet, created last and moved to the front (see WriterInternals). */
  private writeContents(): void {
    const { plan } = this
    const ws = this.wb.addWorksheet(CONTENTS_SHEET, {
      pageSetup: {
        paperSize: 9, orientation: 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0, horizontalCentered: true,
        margins: { left: 0.5, right: 0.5, top: 0.6, bottom: 0.7, header: 0.3, footer: 0.3 }, printTitlesRow: '3:3',
      },
      headerFooter: { oddFooter: `&C&"${XLSX_FONT},Regular"&9目录 第 &P 页 / 共 &N 页` },
      views: [{ showGridLines: false, state: 'frozen', ySplit: 3 }],
    })
    ws.columns = [{ width: 7 }, { width: 22 }, { width: 40 }, { width: 40 }]
    const added = this.states.filter((s) => s.kind === 'added').length
    const title = ws.getRow(1)
    title.height = 30
    title.getCell(1).value = plan.title
    for (let c = 1; c <= 4; c++) title.getCell(c).style = STYLE.title
    const sub = ws.getRow(2)
    sub.getCell(1).value = `${plan.year}年度 · ${EDITION_LABELS[plan.edition]} · 计划 ${plan.entries.length} 张，已生成 ${added} 张 · ${dateText(plan.compiledAt)}汇编`
    for (let c = 1; c <= 4; c++) sub.getCell(c).style = STYLE.subtitle
    const head = ws.getRow(3)
    head.height = 22
    ;['序号', '部门', '表名', '工作表'].forEach((h, c) => {
      head.getCell(c + 1).value = h
      head.getCell(c + 1).style = STYLE.head
    })
    plan.entries.forEach((e, i) => {
      const row = ws.getRow(i + 4)
      const state = this.states[i]!
      row.getCell(1).value = i + 1
      row.getCell(1).style = STYLE.index
      row.getCell(2).value = e.departmentName
      row.getCell(2).style = STYLE.text
      row.getCell(3).value = e.title || '未命名'
      row.getCell(3).style = STYLE.text
      const link = row.getCell(4)
      if (state.kind === 'added') {
        // a HYPERLINK formula rather than a cell hyperlink: ExcelJS's streaming writer stores `#'…'!A1`
        // hyperlinks as external relationships, which WPS does not follow; the formula works everywhere
        const name = this.names[i]!
        link.value = { formula: `HYPERLINK(${formulaString(`#${sheetRef(name)}`)},${formulaString(name)})`, result: name }
        link.style = STYLE.link
      } else {
        link.value = `未能生成：${state.kind === 'skipped' ? state.reason : '未处理'}`
        link.style = STYLE.missing
      }
    })
    ws.mergeCells(1, 1, 1, 4)
    ws.mergeCells(2, 1, 2, 4)
    ws.commit()
    // move the contents to the front: workbook.xml lists sheets in this array's order
    const sheets = this.internals._worksheets
    // (index 0 stays a hole, as ExcelJS keeps it: its loops skip holes, not undefined)
    const next: WriterInternals['_worksheets'] = new Array(1)
    next.push(slim(ws), ...sheets.filter((s, k) => s && k !== ws.id))
    this.internals._worksheets = next
  }
}
