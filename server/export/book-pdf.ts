// The compiled book (汇编成册) as one PDF: a cover, contents with page numbers (departments, then their
// tables; a table that could not be printed says 未能生成), every table in plan order, one running footer
// with continuous page numbers, and a bookmark per department and per table.
// Typst's memory grows with the document, so tables are typeset in parts of at most PART_SIZE (each part
// a PDF in a scratch folder beside the target, the cache evicted between parts); each table's first page
// is learnt by query. The front matter's page count is learnt before the first part (its contents have a
// fixed-width page-number column, so real numbers do not change it), then it is typeset with the real
// numbers at the end, and pdf-lib joins the pieces and adds the outline.
import fs from 'node:fs/promises'
import path from 'node:path'
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNull, PDFNumber, type PDFRef } from 'pdf-lib'
import { AppError } from '../../shared/errors.ts'
import type { BookPlan, BookWriter, BookWriterFactory } from './book.ts'
import type { ExportDoc } from './document.ts'
import { compileTypst, typstCompiler, typstPdf } from './pdf.ts'
import { PART_SOURCE, SHEET_LIB, sheetData, type SheetData } from './typst.ts'

/** tables per Typst document (memory grows with the document: ≈ 3 GB for 500 tables) */
export const PART_SIZE = 100

export const MISSING = '未能生成'

/** Cover and contents: reads `sys.inputs.data` = FrontData. */
const FRONT_SOURCE = SHEET_LIB + String.raw`
#let d = json(bytes(sys.inputs.data))
#set document(title: d.title)
#page(paper: "a4", margin: (x: 25mm, y: 30mm), footer: none)[
  #set align(center)
  #v(28%)
  #text(size: 26pt, weight: "bold", d.title)
  #v(1.2em)
  #text(size: 16pt, d.year)
  #v(0.6em)
  #text(size: 14pt, d.edition)
  #v(1fr)
  #text(size: 12pt, d.compiled)
  #v(8%)
]
#page(paper: "a4", margin: (x: 22mm, top: 22mm, bottom: 22mm),
  footer: context [#set text(size: 8pt); #d.footer #h(1fr) 第 #counter(page).display() 页])[
  #align(center, text(size: 18pt, weight: "bold", "目　录"))
  #v(1em)
  #grid(
    columns: (1fr, 5em),
    row-gutter: 0.65em,
    ..d.items.map(it => if it.at("d", default: none) != none {
      (grid.cell(colspan: 2, inset: (top: 0.5em), text(weight: "bold", it.d)),)
    } else {
      (
        pad(left: 1.5em, [#it.t #box(width: 1fr, repeat(gap: 0.15em)[.])]),
        align(right + bottom, it.p),
      )
    }).flatten(),
  )
]
`

interface FrontItem { d?: string; t?: string; p?: string }
interface FrontData { title: string; year: string; edition: string; compiled: string; footer: string; items: FrontItem[] }

interface TablePlace { tableId: string; part: number; page: number | null }

function dateText(d: Date): string {
  return `${d.getFullYear()}年${d.getMonth() + 1}月${d.getDate()}日`
}

/** A page-count placeholder as wide as any real number. */
const PLACEHOLDER = '00000'

function frontData(plan: BookPlan, pageOf: (tableId: string) => string): FrontData {
  const items: FrontItem[] = []
  let dept: string | null = null
  for (const e of plan.entries) {
    if (e.departmentId !== dept) { dept = e.departmentId; items.push({ d: e.departmentName }) }
    items.push({ t: e.title || '未命名', p: pageOf(e.tableId) })
  }
  const edition = plan.edition === 'public' ? '公开版' : '内部版'
  return {
    title: plan.title,
    year: `${plan.year}年度`,
    edition,
    compiled: `编制日期：${dateText(plan.compiledAt)}`,
    footer: `${plan.title}（${edition}）`,
    items,
  }
}

function compileFront(data: FrontData) {
  return compileTypst({ mainFileContent: FRONT_SOURCE, inputs: { data: JSON.stringify(data) } })
}

// ---- the outline (pdf-lib has no API for it: /Outlines built by hand, PDF 32000 §12.3.3) ----

interface OutlineNode { title: string; page: number; children: OutlineNode[] }

function addOutline(pdf: PDFDocument, nodes: OutlineNode[]): void {
  const ctx = pdf.context
  const pages = pdf.getPages()
  const rootRef = ctx.nextRef()
  const build = (list: OutlineNode[], parent: PDFRef): { first: PDFRef; last: PDFRef; count: number } => {
    const refs = list.map(() => ctx.nextRef())
    let count = 0
    list.forEach((node, i) => {
      const page = pages[Math.min(Math.max(node.page, 1), pages.length) - 1]!
      const dict = ctx.obj({}) as PDFDict
      dict.set(PDFName.of('Title'), PDFHexString.fromText(node.title))
      dict.set(PDFName.of('Parent'), parent)
      dict.set(PDFName.of('Dest'), ctx.obj([page.ref, PDFName.of('XYZ'), PDFNull, PDFNull, PDFNull]) as PDFArray)
      if (i > 0) dict.set(PDFName.of('Prev'), refs[i - 1]!)
      if (i < list.length - 1) dict.set(PDFName.of('Next'), refs[i + 1]!)
      count++
      if (node.children.length) {
        const sub = build(node.children, refs[i]!)
        dict.set(PDFName.of('First'), sub.first)
        dict.set(PDFName.of('Last'), sub.last)
        // negative: the department is shown closed; its tables are one click away
        dict.set(PDFName.of('Count'), PDFNumber.of(-sub.count))
      }
      ctx.assign(refs[i]!, dict)
    })
    return { first: refs[0]!, last: refs[refs.length - 1]!, count }
  }
  const root = ctx.obj({ Type: 'Outlines' }) as PDFDict
  if (nodes.length) {
    const top = build(nodes, rootRef)
    root.set(PDFName.of('First'), top.first)
    root.set(PDFName.of('Last'), top.last)
    root.set(PDFName.of('Count'), PDFNumber.of(top.count))
  }
  ctx.assign(rootRef, root)
  pdf.catalog.set(PDFName.of('Outlines'), rootRef)
  pdf.catalog.set(PDFName.of('PageMode'), PDFName.of('UseOutlines'))
}

// ---- the writer ----

/** A PDF book writer factory; `partSize` tables are typeset per Typst document. */
export function pdfBookWriterFactory(opts: { partSize?: number } = {}): BookWriterFactory {
  const partSize = Math.max(1, Math.floor(opts.partSize ?? PART_SIZE))
  return (target, plan) => openPdfBook(target, plan, partSize)
}

export const createPdfBookWriter: BookWriterFactory = pdfBookWriterFactory()

async function openPdfBook(target: string, plan: BookPlan, partSize: number): Promise<BookWriter> {
  const partial = `${target}.part`
  const scratch = `${target}.parts`
  await fs.rm(scratch, { recursive: true, force: true })
  await fs.mkdir(scratch, { recursive: true })

  // the front matter's length, with every page number a placeholder of the widest kind
  const frontPages = compileFront(frontData(plan, () => PLACEHOLDER)).numOfPages

  const skipped = new Map<string, string>()
  const places = new Map<string, TablePlace>()
  const partFiles: string[] = []
  let pending: { tableId: string; data: SheetData }[] = []
  /** pages typeset so far after the front matter */
  let bodyPages = 0
  let closed = false

  const typesetPart = (tables: { tableId: string; data: SheetData }[], start: number) => {
    const doc = compileTypst({ mainFileContent: PART_SOURCE, inputs: { data: JSON.stringify({ start, tables: tables.map((t) => t.data) }) } })
    const marks = typstCompiler().query(doc, { selector: '<tb>', field: 'value' }) as { i: number; page: number }[]
    return { doc, marks }
  }

  /** Typesets the waiting tables as one part; a part Typst refuses is retried table by table. */
  const flush = async (): Promise<void> => {
    if (!pending.length) return
    let tables = pending
    pending = []
    let result
    try {
      result = typesetPart(tables, frontPages + bodyPages + 1)
    } catch (err) {
      if (!(err instanceof AppError)) throw err
      const good: typeof tables = []
      for (const t of tables) {
        try { typesetPart([t], 1); good.push(t) } catch (e) {
          skipped.set(t.tableId, e instanceof Error ? e.message : String(e))
        }
      }
      tables = good
      if (!tables.length) return
      result = typesetPart(tables, frontPages + bodyPages + 1)
    }
    const bytes = typstPdf(result.doc)
    const pages = result.doc.numOfPages
    const part = partFiles.length
    const file = path.join(scratch, `part-${String(part).padStart(4, '0')}.pdf`)
    await fs.writeFile(file, bytes)
    partFiles.push(file)
    for (const m of result.marks) {
      const t = tables[m.i]
      if (t) places.set(t.tableId, { tableId: t.tableId, part, page: frontPages + bodyPages + m.page })
    }
    bodyPages += pages
    typstCompiler().evictCache(0)
  }

  const cleanup = async () => {
    await fs.rm(scratch, { recursive: true, force: true })
  }

  return {
    async add(doc: ExportDoc) {
      if (closed) throw new AppError('internal', '汇编文件已结束，不能再添加表')
      pending.push({ tableId: doc.tableId, data: sheetData(doc) })
      if (pending.length >= partSize) await flush()
      const failed = skipped.get(doc.tableId)
      if (failed) throw new AppError('internal', `表“${doc.title}”未能生成：${failed}`)
    },

    skip(tableId: string, reason: string) {
      skipped.set(tableId, reason)
      pending = pending.filter((t) => t.tableId !== tableId)
    },

    async finish() {
      if (closed) throw new AppError('internal', '汇编文件已结束')
      try {
        await flush()
        const pageOf = (id: string) => {
          const p = places.get(id)?.page
          return p ? String(p) : MISSING
        }
        const frontDoc = compileFront(frontData(plan, pageOf))
        if (frontDoc.numOfPages !== frontPages) {
          throw new AppError('internal', `目录页数与预排不一致（${frontDoc.numOfPages} ≠ ${frontPages}），页码会错位`)
        }
        const out = await PDFDocument.create()
        out.setTitle(plan.title)
        out.setCreator('target-tables')
        out.setProducer('Typst + pdf-lib')
        out.setCreationDate(plan.compiledAt)
        for (const bytes of [typstPdf(frontDoc)]) {
          const src = await PDFDocument.load(bytes)
          for (const p of await out.copyPages(src, src.getPageIndices())) out.addPage(p)
        }
        typstCompiler().evictCache(0)
        for (const file of partFiles) {
          const src = await PDFDocument.load(await fs.readFile(file))
          for (const p of await out.copyPages(src, src.getPageIndices())) out.addPage(p)
        }
        // the outline: each department opens at its first printed table, each table at its first page
        const nodes: OutlineNode[] = []
        let dept: { id: string; node: OutlineNode } | null = null
        for (const e of plan.entries) {
          if (!dept || dept.id !== e.departmentId) {
            dept = { id: e.departmentId, node: { title: e.departmentName, page: 0, children: [] } }
            nodes.push(dept.node)
          }
          const page = places.get(e.tableId)?.page
          if (!page) continue
          dept.node.children.push({ title: e.title || '未命名', page, children: [] })
          if (!dept.node.page) dept.node.page = page
        }
        for (const n of nodes) if (!n.page) n.page = 2 // nothing printed: the contents
        addOutline(out, nodes)
        const bytes = await out.save({ useObjectStreams: false })
        await fs.writeFile(partial, bytes)
        await fs.rename(partial, target)
        closed = true
        await cleanup()
        return { bytes: bytes.length }
      } catch (err) {
        await fs.rm(partial, { force: true }).catch(() => {})
        throw err
      }
    },

    async abort() {
      closed = true
      pending = []
      await fs.rm(partial, { force: true }).catch(() => {})
      await cleanup().catch(() => {})
    },
  }
}
