// `npm run validate -- FILE... [--json]`: judges tables given as JSON files with the shared rule
// engine and prints the findings (Chinese), or `[{file, findings}]` with --json. Exit 1 on any error.
import fs from 'node:fs'
import { parseTable, type ParseProblem } from '../../shared/model/index.ts'
import { validateTable, type Finding } from '../../shared/rules/index.ts'

interface FileResult { file: string; findings: Finding[]; problems?: ParseProblem[] }

const SEVERITY_LABEL = { error: '错误', warning: '警告', info: '提示' } as const

export function validateFile(file: string): FileResult {
  let raw: unknown
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? '文件不存在' : `不是有效的 JSON：${(err as Error).message}`
    return { file, findings: [], problems: [{ path: '', code: 'unreadable', message: reason }] }
  }
  const parsed = parseTable(raw)
  if (!parsed.ok) return { file, findings: [], problems: parsed.problems }
  return { file, findings: validateTable(parsed.table) }
}

function printHuman(results: FileResult[]) {
  for (const r of results) {
    console.log(`\n${r.file}`)
    if (r.problems) {
      console.log('  无法识别为绩效目标表：')
      for (const p of r.problems) console.log(`    ✗ ${p.path || '(整体)'}  ${p.message}`)
      continue
    }
    const shown = r.findings.filter((f) => f.severity !== 'info')
    if (shown.length === 0) console.log('  ✓ 未发现问题')
    for (const f of shown) console.log(`  ${f.severity === 'error' ? '✗' : '!'} [${SEVERITY_LABEL[f.severity]}] ${f.ruleId}  ${f.path}  ${f.message}`)
    const errors = r.findings.filter((f) => f.severity === 'error').length
    const warnings = r.findings.filter((f) => f.severity === 'warning').length
    console.log(`  —— 错误 ${errors} 项，警告 ${warnings} 项`)
  }
}

export function main(argv: string[]): number {
  const json = argv.includes('--json')
  const files = argv.filter((a) => a !== '--json')
  if (files.length === 0) {
    console.error('用法：npm run validate -- 文件.json [更多文件…] [--json]')
    return 2
  }
  const results = files.map(validateFile)
  if (json) console.log(JSON.stringify(results, null, 2))
  else printHuman(results)
  const failed = results.some((r) => r.problems || r.findings.some((f) => f.severity === 'error'))
  return failed ? 1 : 0
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('server/cli/validate.ts')) {
  process.exitCode = main(process.argv.slice(2))
}
