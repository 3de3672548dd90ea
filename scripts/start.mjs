// `npm start`: builds the browser client when its sources are newer than the build, then runs
// the server (migrations, bootstrap account and demo city happen inside it) under the supervisor
// (scripts/supervise.mjs: restarted with backoff when it crashes; SIGINT/SIGTERM stop it cleanly).
import { existsSync, readdirSync, statSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { serverNodeFlags } from './node-flags.mjs'
import { ensurePackages, RUNTIME_PACKAGES } from './ensure-packages.mjs'
import { runSupervised } from './supervise.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const viteConfig = path.join(root, 'client/vite.config.ts')
const builtIndex = path.join(root, 'dist/client/index.html')

function newestMtime(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs)
  }
  return newest
}

ensurePackages(RUNTIME_PACKAGES, 'start')

if (existsSync(viteConfig)) {
  const sources = Math.max(newestMtime(path.join(root, 'client')), newestMtime(path.join(root, 'shared')))
  if (!existsSync(builtIndex) || statSync(builtIndex).mtimeMs < sources) {
    console.log('[start] building the client…')
    const r = spawnSync('npx', ['vite', 'build', '--config', viteConfig, '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' })
    if (r.status !== 0) process.exit(r.status ?? 1)
  }
}

runSupervised({ command: process.execPath, args: [...serverNodeFlags(), '--import', 'tsx', path.join(root, 'server/main.ts')], cwd: root })
