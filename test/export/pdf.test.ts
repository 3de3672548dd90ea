// PDF export through Typst, read back with poppler (pdftotext, pdfinfo) and pdf-lib: every template's
// table (title, year, labels, each indicator's 三级 name and value), user text printed literally, page
// orientation, long tables with the heading repeated; the compiled book (cover, contents whose page
// numbers are right, a 未能生成 line for a skipped table, the outline, continuous footer numbers, parts
// joined) and its clean-up on abort.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PDFDict, PDFDocument, PDFHexString, PDFName, PDFRef, PDFString, type PDFArray } from 'pdf-lib'
import { afterAll, describe, expect, it } from 'vitest'
import { AppError } from '../../shared/errors.ts'
import { TEMPLATE_IDS, parseTableOrThrow, type TargetTable } from '../../shared/model/index.ts'
import type { BookPlan } from '../../server/export/book.ts'
import { pdfBookWriterFactory } from '../../server/export/book-pdf.ts'
import { exportDoc, type ExportDoc, type ExportSource } from '../../server/export/document.ts'
import { compileTypst, tablePdf } from '../../server/export/pdf.ts'
import { sheetData } from '../../server/export/typst.ts'
import { loadSample, sampleFiles } from '../helpers/samples.ts'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdf-test-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

let n = 0
function writeTemp(bytes: Uint8Array): string {
  const file = path.join(dir, `t${n++}.pdf`)
  fs.writeFileSync(file, bytes)
  return file
}

function pdftotext(file: string, args: string[] = []): string {
  return execFileSync('pdftotext', [...args, file, '-'], { encoding: 'utf8' })
}

function pdfinfo(file: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of execFileSync('pdfinfo', [file], { encoding: 'utf8' }).split('\n')) {
    const m = /^([^:]+):\s*(.*)$/.exec(line)
    if (m) out[m[1]!] = m[2]!
  }
  return out
}

/** pdftotext puts spaces between CJK and Latin runs and breaks wrapped cells: compare without whitespace */
const flat = (s: string) => s.replace(/\s+/g, '')

interface Word { page: number; text: string; x0: number; y0: number; x1: number; y1: number }
interface Box { page: number; x0: number; y0: number; x1: number; y1: number }

/** every word of a PDF with its box (pdftotext -bbox) */
function words(file: string): Word[] {
  const html = execFileSync('pdftotext', ['-bbox', file, '-'], { encoding: 'utf8' })
  const out: Word[] = []
  let page = 0
  const entity = (t: string) => t.replace(/&(amp|lt|gt|quot|apos|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'" })[e]!)
  for (const m of html.matchAll(/<page |<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)) {
    if (m[0] === '<page ') { page++; continue }
    out.push({ page, x0: Number(m[1]), y0: Number(m[2]), x1: Number(m[3]), y1: Number(m[4]), text: entity(m[5]!) })
  }
  return out
}

/**
 * Where a cell's text is printed: the text as a run of words, each following the last on its line or
 * wrapping onto the next line within the same column. Every placement found (a text may print twice).
 */
function placements(all: Word[], text: string): Box[] {
  const want = flat(text)
  const found: Box[] = []
  const grow = (box: Box, last: Word, rest: string): Box | null => {
    if (!rest) return box
    const h = last.y1 - last.y0
    for (const w of all) {
      if (w.page !== box.page || !w.text || !rest.startsWith(w.text)) continue
      const sameLine = Math.abs(w.y0 - last.y0) < 1 && w.x0 >= last.x1 - 0.5 && w.x0 - last.x1 < 12
      const nextLine = w.y0 > last.y0 + 0.5 * h && w.y0 - last.y0 < 2.2 * h && w.x1 > box.x0 - 40 && w.x0 < box.x1 + 40
      if (!sameLine && !nextLine) continue
      const next = grow({ page: box.page, x0: Math.min(box.x0, w.x0), y0: box.y0, x1: Math.max(box.x1, w.x1), y1: Math.max(box.y1, w.y1) }, w, rest.slice(w.text.length))
      if (next) return next
    }
    return null
  }
  for (const w of all) {
    if (!w.text || !want.startsWith(w.text)) continue
    const box = grow({ page: w.page, x0: w.x0, y0: w.y0, x1: w.x1, y1: w.y1 }, w, want.slice(w.text.length))
    if (box) found.push(box)
  }
  return found
}

/** a cell's text printed beside another on the same row: the boxes share a height band, the second to the right */
const sameRow = (a: Box, b: Box) => a.page === b.page && a.y0 < b.y1 && b.y0 < a.y1 && b.x0 >= a.x1

const INJECTION = '#sys.exit() *x* $y$ [z] \\ "q" <l> @r `c` // 注'

function source(table: TargetTable, over: Partial<ExportSource> = {}): ExportSource {
  return {
    tableId: `t-${n++}`, table, title: '测试表', departmentName: '测试部门',
    status: 'draft', version: null, edition: 'internal', ...over,
  }
}

/** one sample per template */
function templateSamples(): Map<string, TargetTable> {
  const byTemplate = new Map<string, TargetTable>()
  for (const f of sampleFiles()) {
    const t = parseTableOrThrow(loadSample(f))
    if (!byTemplate.has(t.template)) byTemplate.set(t.template, t)
  }
  return byTemplate
}

/** the table with `extra` more indicator rows (copies of its own, renamed) */
function longer(table: TargetTable, extra: number): TargetTable {
  const rows = table.indicators
  const more = Array.from({ length: extra }, (_, i) => ({ ...rows[i % rows.length]!, id: `extra-${i}`, level3: `扩展指标第${i}项` }))
  return { ...table, indicators: [...rows, ...more] } as TargetTable
}

describe('PDF of one table', () => {
  const samples = templateSamples()

  it('has a sample for every template', () => {
    expect([...samples.keys()].sort()).toEqual([...TEMPLATE_IDS].sort())
  })

  for (const templateId of TEMPLATE_IDS) {
    it(`${templateId}: title, year, labels and every indicator's 三级 name and value`, () => {
      const table = samples.get(templateId)!
      const doc = exportDoc(source(table))
      const file = writeTemp(tablePdf(doc))
      const text = flat(pdftotext(file, ['-layout']))
      const printed = words(file)
      const at = (v: string) => placements(printed, v)

      expect(at(doc.layout.cells[0]![0]!.v).length).toBe(1) // the title row
      expect(text).toContain(`${table.year}年度`)
      expect(text).toContain('草稿')
      const labels = doc.layout.cells.flat().filter((c) => (c.style === 'label' || c.style === 'head') && c.v && c.target.kind !== 'covered')
      expect(labels.length).toBeGreaterThan(5)
      for (const c of labels) expect(at(c.v).length, c.v).toBeGreaterThan(0)

      const indicators = table.indicators.filter((r) => r.level3)
      expect(indicators.length).toBeGreaterThan(3)
      for (const row of indicators) {
        const names = at(row.level3)
        expect(names.length, row.level3).toBeGreaterThan(0)
        // the printed value cells of that row (指标值, or 指标性质/指标值/度量单位) on the name's row
        const pos = doc.layout.anchors.get(`${row.id}|level3`)
        expect(pos, `${row.level3} in the layout`).toBeDefined()
        const values = doc.layout.cells[pos!.row]!
          .filter((c, col) => col > pos!.col && c.target.kind === 'row' && c.target.rowId === row.id && c.v)
        expect(values.length, `${row.level3} has printed values`).toBeGreaterThan(0)
        if (row.target) expect(values.some((v) => flat(v.v).includes(flat(row.target))), `${row.level3}: ${row.target}`).toBe(true)
        for (const v of values) {
          const ok = names.some((nb) => at(v.v).some((vb) => sameRow(nb, vb)))
          expect(ok, `${row.level3} → ${v.v} on the same row`).toBe(true)
        }
      }
      // the footer: the table's line and its page number
      const pages = Number(pdfinfo(file).Pages)
      expect(text).toContain(flat(doc.footer))
      expect(text).toContain(`第${pages}页/共${pages}页`)
    })
  }

  it('prints user text literally: nothing in a title or a cell is Typst markup', () => {
    const base = samples.get('mof2015-project')! as TargetTable & { header: Record<string, unknown> }
    const table = { ...base, header: { ...base.header, projectName: INJECTION } } as TargetTable
    const doc = exportDoc(source(table, { title: INJECTION, departmentName: `${INJECTION}部` }))
    const text = pdftotext(writeTemp(tablePdf(doc)), ['-layout'])
    // once in the 项目名称 cell, once in the footer line
    expect(text.split(INJECTION).length - 1).toBeGreaterThanOrEqual(2)
    expect(text).toContain(`${INJECTION}部`)
  })

  it('is A4 landscape or portrait as the template says', () => {
    const landscape = writeTemp(tablePdf(exportDoc(source(samples.get('mof2015-project')!))))
    const portrait = writeTemp(tablePdf(exportDoc(source(samples.get('mof2015-dept')!))))
    expect(pdfinfo(landscape)['Page size']).toMatch(/^841\.89 x 595\.2\d+ pts \(A4\)/)
    expect(pdfinfo(portrait)['Page size']).toMatch(/^595\.2\d+ x 841\.89 pts \(A4\)/)
  })

  it('breaks a long table across pages with the indicator heading on every page', () => {
    const doc = exportDoc(source(longer(samples.get('mof2015-dept')!, 80)))
    const file = writeTemp(tablePdf(doc))
    const pages = Number(pdfinfo(file).Pages)
    expect(pages).toBeGreaterThanOrEqual(2)
    const data = sheetData(doc)
    expect(data.head.length).toBeGreaterThan(0)
    const heading = data.head.filter((c) => c.v).map((c) => flat(c.v))
    for (let p = 1; p <= pages; p++) {
      const page = flat(pdftotext(file, ['-f', String(p), '-l', String(p)]))
      for (const h of heading) expect(page, `page ${p}: ${h}`).toContain(h)
      expect(page).toContain(`第${p}页/共${pages}页`)
    }
    expect(flat(pdftotext(file))).toContain('扩展指标第79项')
  })

  it('turns a Typst error into an AppError with its message', () => {
    let caught: unknown
    try { compileTypst({ mainFileContent: '#let x = (' }) } catch (e) { caught = e }
    expect(caught).toBeInstanceOf(AppError)
    expect((caught as AppError).message).toMatch(/^PDF 排版失败：.+/)
  })
})

// ---- the compiled book ----

interface OutlineEntry { title: string; page: number; children: OutlineEntry[] }

/** The /Outlines tree of a PDF, each entry with its destination page (1-based). */
async function readOutline(file: string): Promise<OutlineEntry[]> {
  const pdf = await PDFDocument.load(fs.readFileSync(file))
  const pageNo = new Map(pdf.getPages().map((p, i) => [p.ref.toString(), i + 1]))
  const get = <T>(d: PDFDict, k: string) => d.lookup(PDFName.of(k)) as T | undefined
  const walk = (first: PDFDict | undefined): OutlineEntry[] => {
    const out: OutlineEntry[] = []
    for (let item = first; item; item = get<PDFDict>(item, 'Next')) {
      const title = get<PDFHexString | PDFString>(item, 'Title')!.decodeText()
      const dest = get<PDFArray>(item, 'Dest')!
      const ref = dest.get(0) as PDFRef
      out.push({ title, page: pageNo.get(ref.toString()) ?? -1, children: walk(get<PDFDict>(item, 'First')) })
    }
    return out
  }
  const root = pdf.catalog.lookup(PDFName.of('Outlines')) as PDFDict | undefined
  return root ? walk(get<PDFDict>(root, 'First')) : []
}

describe('PDF compiled book', () => {
  const files = sampleFiles()
  // 3 departments × 2 tables; the 4th is skipped (未能生成); parts of 2 tables to exercise joining
  const entries = files.slice(0, 6).map((f, i) => ({
    tableId: `book-${i}`, departmentId: `d${Math.floor(i / 2)}`, departmentName: `第${Math.floor(i / 2) + 1}部门${INJECTION}`,
    title: `汇编表${i}号${i === 0 ? INJECTION : ''}`, file: f,
  }))
  const plan: BookPlan = {
    title: '2024年度预算绩效目标表汇编', year: 2024, edition: 'public', compiledAt: new Date(2026, 11, 3),
    entries: entries.map(({ file: _f, ...e }) => e),
  }
  const SKIPPED = 'book-3'

  async function build(target: string): Promise<ExportDoc[]> {
    const writer = await pdfBookWriterFactory({ partSize: 2 })(target, plan)
    const docs: ExportDoc[] = []
    for (const e of entries) {
      if (e.tableId === SKIPPED) { writer.skip(e.tableId, '模拟失败'); continue }
      const table = e.tableId === 'book-1' ? longer(parseTableOrThrow(loadSample(e.file)), 60) : parseTableOrThrow(loadSample(e.file))
      const doc = exportDoc({
        tableId: e.tableId, table, title: e.title, departmentName: e.departmentName, status: 'approved',
        version: 2, versionReason: 'approved', versionAt: new Date(2026, 10, 20), edition: 'public',
      })
      docs.push(doc)
      await writer.add(doc)
    }
    const { bytes } = await writer.finish()
    expect(bytes).toBe(fs.statSync(target).size)
    return docs
  }

  it('has a cover, contents with right page numbers, an outline and continuous footers', async () => {
    const target = path.join(dir, 'book.pdf')
    const docs = await build(target)
    expect(fs.existsSync(`${target}.part`)).toBe(false)
    expect(fs.existsSync(`${target}.parts`)).toBe(false)
    const pages = Number(pdfinfo(target).Pages)
    const page = (p: number) => flat(pdftotext(target, ['-f', String(p), '-l', String(p)]))

    const cover = page(1)
    for (const s of ['2024年度预算绩效目标表汇编', '2024年度', '公开版', '编制日期：2026年12月3日']) expect(cover).toContain(s)

    // the contents: every department, every table with its page (the skipped one says 未能生成)
    const contentsLines = pdftotext(target, ['-layout', '-f', '2', '-l', '2']).split('\n').map(flat)
    const startPage = new Map<string, number>()
    for (const e of entries) {
      expect(contentsLines.some((l) => l === flat(e.departmentName))).toBe(true)
      const line = contentsLines.find((l) => l.startsWith(flat(e.title)))
      expect(line, e.title).toBeDefined()
      if (e.tableId === SKIPPED) { expect(line).toMatch(/未能生成$/); continue }
      const m = /(\d+)$/.exec(line!)
      expect(m, line).not.toBeNull()
      startPage.set(e.tableId, Number(m![1]))
    }
    // each number is the page where that table starts: its footer there, not on the page before
    for (const doc of docs) {
      const p = startPage.get(doc.tableId)!
      expect(p).toBeGreaterThan(2)
      expect(page(p), `${doc.title} on page ${p}`).toContain(flat(doc.footer))
      expect(page(p - 1)).not.toContain(flat(doc.footer))
    }
    // the long table spans pages; the next table starts after it
    expect(startPage.get('book-2')! - startPage.get('book-1')!).toBeGreaterThanOrEqual(2)
    // footers: continuous numbers from the contents to the last page
    for (let p = 2; p <= pages; p++) expect(page(p), `page ${p}`).toMatch(new RegExp(`第${p}页$`))

    // outline: a bookmark per department, one per printed table at its first page
    const outline = await readOutline(target)
    expect(outline.map((o) => o.title)).toEqual(['d0', 'd1', 'd2'].map((d) => entries.find((e) => e.departmentId === d)!.departmentName))
    const tables = outline.flatMap((o) => o.children)
    expect(tables.map((t) => t.title)).toEqual(entries.filter((e) => e.tableId !== SKIPPED).map((e) => e.title))
    for (const t of tables) expect(t.page).toBe(startPage.get(entries.find((e) => e.title === t.title)!.tableId))
    for (const o of outline) expect(o.page).toBe(o.children[0]!.page)
  })

  it('lists a table Typst cannot typeset as 未能生成 and goes on with the others', async () => {
    const target = path.join(dir, 'faulty.pdf')
    const three = entries.slice(0, 3)
    const writer = await pdfBookWriterFactory({ partSize: 2 })(target, { ...plan, entries: three.map(({ file: _f, ...e }) => e) })
    const docs = three.map((e) => exportDoc({ tableId: e.tableId, table: parseTableOrThrow(loadSample(e.file)), title: e.title, departmentName: e.departmentName, status: 'draft', version: null, edition: 'public' }))
    // a value Typst refuses to print (not text): the part fails, the writer retries table by table
    const bad = docs[1]!
    bad.layout.cells[3]![1] = { ...bad.layout.cells[3]![1]!, v: { not: 'text' } as unknown as string }
    await writer.add(docs[0]!)
    await expect(writer.add(bad)).rejects.toThrow(/未能生成：PDF 排版失败/)
    await writer.add(docs[2]!)
    await writer.finish()
    const contents = pdftotext(target, ['-layout', '-f', '2', '-l', '2']).split('\n').map(flat)
    expect(contents.find((l) => l.startsWith(flat(three[1]!.title)))).toMatch(/未能生成$/)
    for (const i of [0, 2]) {
      const p = Number(/(\d+)$/.exec(contents.find((l) => l.startsWith(flat(three[i]!.title)))!)![1])
      expect(flat(pdftotext(target, ['-f', String(p), '-l', String(p)]))).toContain(flat(docs[i]!.footer))
    }
  })

  it('leaves nothing behind when aborted', async () => {
    const target = path.join(dir, 'aborted.pdf')
    const writer = await pdfBookWriterFactory({ partSize: 1 })(target, plan)
    const e = entries[0]!
    await writer.add(exportDoc({ tableId: e.tableId, table: parseTableOrThrow(loadSample(e.file)), title: e.title, departmentName: e.departmentName, status: 'draft', version: null, edition: 'public' }))
    expect(fs.readdirSync(`${target}.parts`).length).toBe(1)
    await writer.abort()
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('aborted'))).toEqual([])
  })
})
