// Installs what the test suite needs beyond npm packages: Debian's chromium (UI tests) and CJK fonts
// (so screenshots show Chinese). Runs before `npm test`; does nothing when they are present.
import { existsSync } from 'node:fs'
import { execSync } from 'node:child_process'

const needs = []
if (!existsSync('/usr/bin/chromium')) needs.push('chromium')
if (!existsSync('/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc')) needs.push('fonts-noto-cjk')

if (needs.length === 0) process.exit(0)

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
const sudo = isRoot ? '' : 'sudo '
console.log(`[test setup] installing Debian packages: ${needs.join(' ')}`)
try {
  execSync(`${sudo}apt-get update -qq`, { stdio: 'inherit' })
  execSync(`${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${needs.join(' ')}`, { stdio: 'inherit' })
} catch (err) {
  console.error(`[test setup] could not install ${needs.join(' ')} with apt-get; install them and run npm test again`)
  process.exit(1)
}
