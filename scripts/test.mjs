#!/usr/bin/env node
// `npm test` after the environment check and the type check: vitest's three projects (vitest.config.ts),
// arranged so that both cores work.
//
//   1. the timing files (collaboration and faults: windows, restarts and pacing measured in wall time; one
//      file at a time, about one core busy) and, beside them at a lower CPU priority (nice 10), the node
//      files (two at a time) in what the timing files leave — two vitest processes at once;
//   2. then the browser files, alone (one Chromium, one file at a time: they keep both cores busy).
// Measured (bench/README.md → test suite duration): node then timing one after another 188 + 285 s, side by
// side 368–373 s (the timing files 1.3× their time alone); the browser files beside the timing files instead
// saved as much but stretched the timing files 1.7–1.8×, beside the node files nothing (both keep the cores
// busy); the type check beside them too made the whole slower (tsc 147 s, node 454 s).
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

/**
 * One `vitest run --project <name>`; resolves with its exit status and seconds taken.
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
  return new Promise((resolve) => {
    child.on('error', (err) => {
      process.stderr.write(`[${name}] could not start vitest: ${err.message}\n`)
      resolve({ name, code: 1, seconds: (Date.now() - started) / 1000 })
    })
    child.on('exit', (code, signal) => resolve({ name, code: code ?? (signal ? 1 : 0), signal, seconds: (Date.now() - started) / 1000 }))
  })
}

const args = process.argv.slice(2)
if (args.length > 0) {
  const child = spawn(process.execPath, [VITEST, 'run', ...args], { stdio: 'inherit' })
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
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
