// PDF of one table: the Typst source of typst.ts compiled by one long-lived compiler (made on first use,
// fonts from Debian fonts-noto-cjk). Typst reports problems as diagnostics; they become an AppError here,
// never a crash of the server.
import fs from 'node:fs'
import { NodeCompiler, type CompileDocArgs, type NodeTypstDocument } from '@myriaddreamin/typst-ts-node-compiler'
import { AppError } from '../../shared/errors.ts'
import type { ExportDoc } from './document.ts'
import { TABLE_SOURCE, tableInputs } from './typst.ts'

/** Debian fonts-noto-cjk (installed by npm start and npm test: scripts/ensure-packages.mjs) */
export const FONT_DIR = '/usr/share/fonts/opentype/noto'
const FONT_FILE = /^NotoSansCJK-Regular\.(ttc|otf)$/

let compiler: NodeCompiler | null = null

/** The process's Typst compiler (fonts loaded once). */
export function typstCompiler(): NodeCompiler {
  if (compiler) return compiler
  let files: string[] = []
  try { files = fs.readdirSync(FONT_DIR) } catch { /* reported below */ }
  if (!files.some((f) => FONT_FILE.test(f))) {
    throw new AppError('internal', `PDF 无法生成：服务器缺少中文字体 Noto Sans CJK SC（${FONT_DIR}，请安装 fonts-noto-cjk）`, { fontDir: FONT_DIR })
  }
  compiler = NodeCompiler.create({ fontArgs: [{ fontPaths: [FONT_DIR] }] })
  return compiler
}

interface Diagnostic { message?: string; severity?: string; path?: string; range?: string }

function diagnosticsText(list: unknown): string {
  const items = Array.isArray(list) ? (list as Diagnostic[]) : []
  const errors = items.filter((d) => d.severity === undefined || /error/i.test(String(d.severity)))
  return (errors.length ? errors : items).map((d) => d.message ?? JSON.stringify(d)).slice(0, 3).join('；') || '未知错误'
}

/** Compiles a document; Typst errors become AppError('internal'). */
export function compileTypst(args: CompileDocArgs): NodeTypstDocument {
  const c = typstCompiler()
  let res
  try {
    res = c.compile(args)
  } catch (e) {
    throw new AppError('internal', `PDF 排版失败：${e instanceof Error ? e.message : String(e)}`)
  }
  if (res.hasError() || !res.result) {
    const err = res.takeError() ?? res.takeDiagnostics()
    const text = diagnosticsText(err?.shortDiagnostics)
    throw new AppError('internal', `PDF 排版失败：${text}`, { diagnostics: err?.shortDiagnostics ?? [] })
  }
  return res.result
}

/** The PDF bytes of a compiled document (untagged: smaller, and book parts are joined page by page). */
export function typstPdf(doc: NodeTypstDocument): Buffer {
  try {
    return typstCompiler().pdf(doc, { pdfTags: false })
  } catch (e) {
    throw new AppError('internal', `PDF 输出失败：${e instanceof Error ? e.message : String(e)}`)
  }
}

/** One table as a PDF (A4 in the template's orientation, footer with page numbers). */
export function tablePdf(doc: ExportDoc): Buffer {
  return typstPdf(compileTypst({ mainFileContent: TABLE_SOURCE, inputs: tableInputs(doc) }))
}
