#!/usr/bin/env node
// `npm test` after the environment check and the type check: vitest's three projects (vitest.config.ts),
// arranged so that both cores work.
//
//   1. the timing files (collaboration and faults: windows, restarts and pacing measured in wall time; one
//      file at a time, about one core busy) and, beside them at a lower CPU priority (nice 10), the node
//      files (two at a time) in what the timing files leave — two vitest processes at once;
//   2. then the browser files, alone (one Chromium, one file at a time: they keep both cores busy).
// Why this arrangement, and what else was measured and not kept: bench/README.md → test suite duration.
//
// Each vitest process prints as it goes, its lines prefixed with its project's name; a summary at the end
// names every project's result and time. Exit status 1 if any project failed.
// With arguments (`npm test -- test/foo.test.ts`, `npm test -- --project node`, reporters…) it is one plain
// `vitest run <arguments>` with the terminal as is: every selected file, one process, projects in
// vitest.config.ts's order (what bench/README.md's per-group figures are measured with).
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import readline from 'node:readline'

const require = createRequire(import.meta.url)
const VITEST = path.join(path.dirname(require.resolve('vitest/package.json')), 'vitest.mjs')
/** niceness of the node files beside the timing files (0 = same priority, 19 = lowest) */
const BESIDE_NICENESS = 10

/** Resolves with `{ name, code, signal, seconds }` when `child` ends (code 1 if it was killed or never started). */
function ended(child, name, started) {
  const seconds = () => (Date.now() - started) / 1000
  return new Promise((resolve) => {
    child.on('error', (err) => {
      process.stderr.write(`[${name}] could not start: ${err.message}\n`)
      resolve({ name, code: 1, seconds: seconds() })
    })
    child.on('exit', (code, signal) => resolve({ name, code: code ?? (signal ? 1 : 0), signal, seconds: seconds() }))
  })
}

/**
 * One `vitest run --project <name>`.
 * `prefix`: its output lines are prefixed (it runs beside another); else it has the terminal.
 */
function runProject(name, { prefix = false, niceness = 0 } = {}) {
  const started = Date.now()
  const argv = [VITEST, 'run', '--project', name]
  const [cmd, args] = niceness > 0 ? ['nice', ['-n', String(niceness), process.execPath, ...argv]] : [process.execPath, argv]
  const env = { ...process.env }
  if (prefix && process.stdout.isTTY && !env.NO_COLOR) env.FORCE_COLOR = '1'
  const child = spawn(cmd, args, { stdio: prefix ? ['ignore', 'pipe', 'pipe'] : 'inherit', env })
  if (prefix) {
    const tag = `[${name}] `
    readline.createInterface({ input: child.stdout }).on('line', (l) => process.stdout.write(tag + l + '\n'))
    readline.createInterface({ input: child.stderr }).on('line', (l) => process.stderr.write(tag + l + '\n'))
  }
  return ended(child, name, started)
}

const args = process.argv.slice(2)
if (args.length > 0) {
  const child = spawn(process.execPath, [VITEST, 'run', ...args], { stdio: 'inherit' })
  process.exit((await ended(child, 'vitest', Date.now())).code)
} else {
  const t0 = Date.now()
  const results = await Promise.all([
    runProject('timing', { prefix: true }),
    runProject('node', { prefix: true, niceness: BESIDE_NICENESS }),
  ])
  results.push(await runProject('browser'))
  const line = (r) => `  ${r.name.padEnd(8)} ${r.code === 0 ? 'passed' : `FAILED (exit ${r.code}${r.signal ? `, ${r.signal}` : ''})`}  ${r.seconds.toFixed(0)} s`
  process.stdout.write(`\nnpm test: ${((Date.now() - t0) / 1000).toFixed(0)} s for the three projects\n${results.map(line).join('\n')}\n`)
  process.exit(results.some((r) => r.code !== 0) ? 1 : 0)
}
