// `npm run validate -- FILE... [--json]`: judges tables given as JSON files or as xlsx workbooks (in an
// official or common local layout, read by server/import) with the shared rule engine, and prints the
// findings (Chinese), or with --json `[{file, findings}]` per JSON file and `[{file, tables:[{title,
// sheet, findings}], notes}]` per workbook (as POST /api/validate answers), `problems` when unreadable.
// Exit 1 on any error finding or unreadable file, 2 on wrong usage.
import fs from 'node:fs'
import path from 'node:path'
import { isAppError } from '../../shared/errors.ts'
import { parseTable, type ParseProblem } from '../../shared/model/index.ts'
import { validateTable, type Finding } from '../../shared/rules/index.ts'
import type { ImportProblem } from '../../shared/api/imports.ts'
import { importWorkbook } from '../import/index.ts'

interface TableResult { title: string; sheet?: string; findings: Finding[] }
interface Problem { path: string; code: string; message: string }
interface FileResult { file: string; findings?: Finding[]; tables?: TableResult[]; problems?: Problem[]; notes?: ImportProblem[] }

const SEVERITY_LABEL = { error: '错误', warning: '警告', info: '提示' } as const

function isWorkbook(file: string, bytes: Buffer): boolean {
  return /\.xls[xm]?$/i.test(file) || (bytes[0] === 0x50 && bytes[1] === 0x4b)
}

export async function validateFile(file: string, year?: number): Promise<FileResult> {
  let bytes: Buffer
  try {
    bytes = fs.readFileSync(file)
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? '文件不存在' : `无法读取：${(err as Error).message}`
    return { file, findings: [], problems: [{ path: '', code: 'unreadable', message: reason }] }
  }
  if (isWorkbook(file, bytes)) {
    try {
      const { tables, report } = await importWorkbook(new Uint8Array(bytes), { fileName: path.basename(file), ...(year ? { year } : {}) })
      const notes = report.problems.filter((p) => p.severity !== 'info')
      if (tables.length === 0) return { file, tables: [], problems: [{ path: '', code: 'no_table', message: '文件中没有可识别的绩效目标表' }], notes }
      return { file, tables: tables.map((t) => ({ title: t.title, sheet: t.sheet, findings: validateTable(t.content) })), notes }
    } catch (err) {
      if (isAppError(err)) return { file, tables: [], problems: [{ path: '', code: String((err.details as { reason?: string } | undefined)?.reason ?? err.code), message: err.message }] }
      throw err
    }
  }
  let raw: unknown
  try {
    raw = JSON.parse(bytes.toString('utf8'))
  } catch (err) {
    return { file, findings: [], problems: [{ path: '', code: 'unreadable', message: `不是有效的 JSON：${(err as Error).message}` }] }
  }
  const parsed = parseTable(raw)
  if (!parsed.ok) return { file, findings: [], problems: parsed.problems as ParseProblem[] }
  return { file, findings: validateTable(parsed.table) }
}

function printHuman(results: FileResult[]) {
  for (const r of results) {
    console.log(`\n${r.file}`)
    if (r.problems) {
      console.log('  无法识别为绩效目标表：')
      for (const p of r.problems) console.log(`    ✗ ${p.path || '(整体)'}  ${p.message}`)
    }
    for (const n of r.notes ?? []) console.log(`  ! ${n.sheet ?? ''}${n.cell ? `!${n.cell}` : ''}  ${n.message}`)
    const tables: TableResult[] = r.tables ?? (r.problems ? [] : [{ title: '', findings: r.findings ?? [] }])
    for (const t of tables) {
      if (t.sheet) console.log(`  【${t.title || '（无标题）'}】${t.sheet ? `（工作表 ${t.sheet}）` : ''}`)
      const shown = t.findings.filter((f) => f.severity !== 'info')
      if (shown.length === 0) console.log('  ✓ 未发现问题')
      for (const f of shown) console.log(`  ${f.severity === 'error' ? '✗' : '!'} [${SEVERITY_LABEL[f.severity]}] ${f.ruleId}  ${f.path}  ${f.message}`)
      const errors = t.findings.filter((f) => f.severity === 'error').length
      const warnings = t.findings.filter((f) => f.severity === 'warning').length
      console.log(`  —— 错误 ${errors} 项，警告 ${warnings} 项`)
    }
  }
}

export async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json')
  const files = argv.filter((a) => a !== '--json')
  if (files.length === 0) {
    console.error('用法：npm run validate -- 文件.json|文件.xlsx [更多文件…] [--json]')
    return 2
  }
  const results: FileResult[] = []
  for (const f of files) results.push(await validateFile(f))
  if (json) console.log(JSON.stringify(results, null, 2))
  else printHuman(results)
  const hasError = (findings: readonly Finding[] | undefined) => (findings ?? []).some((f) => f.severity === 'error')
  const failed = results.some((r) => r.problems || hasError(r.findings) || (r.tables ?? []).some((t) => hasError(t.findings)))
  return failed ? 1 : 0
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('server/cli/validate.ts')) {
  process.exitCode = await main(process.argv.slice(2))
}
