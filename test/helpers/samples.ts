// Loads the reference sample tables (kept in shared/domain/samples: tests and the demo city use them).
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../shared/domain/samples')

export function sampleFiles(): string[] {
  return fs.readdirSync(dir).filter((f) => /^S\d+.*\.json$/.test(f)).sort()
}

export function loadSample(idOrFile: string): unknown {
  const file = sampleFiles().find((f) => f === idOrFile || f.startsWith(idOrFile + '-'))
  if (!file) throw new Error(`no sample ${idOrFile}`)
  return JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))
}
