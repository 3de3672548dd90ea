// `npm run bench`: runs every benchmark script in bench/ in turn and prints their figures.
// Set BENCH_ONLY=validate,collab to run a subset.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const dir = import.meta.dirname
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim())
const scripts = ['validate.ts', 'collab.ts', 'grid.ts', 'diff.ts', 'history.ts', 'tables-list.ts', 'import.ts', 'export-xlsx.ts', 'export-pdf.ts', 'book.ts', 'supervise.ts', 'backup.ts', 'db-recovery.ts', 'registry.ts', 'recommend.ts', 'library-search.ts']
  .filter((f) => fs.existsSync(path.join(dir, f)))
  .filter((f) => !only || only.includes(f.replace(/\.ts$/, '')))

let failed = 0
for (const script of scripts) {
  console.log(`\n=== bench/${script} ===`)
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, script)], { stdio: 'inherit', cwd: path.resolve(dir, '..') })
  if (r.status !== 0) failed++
}
process.exit(failed ? 1 : 0)
