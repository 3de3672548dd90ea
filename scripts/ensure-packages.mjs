// Installs Debian packages the project needs beyond npm: `ensurePackages([[file, package], …])` installs
// each package whose file is missing (with sudo unless root), and exits with a clear message when it cannot.
import { existsSync } from 'node:fs'
import { execSync } from 'node:child_process'

export function ensurePackages(wanted, who) {
  const needs = wanted.filter(([file]) => !existsSync(file)).map(([, pkg]) => pkg)
  if (needs.length === 0) return
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
  const sudo = isRoot ? '' : 'sudo '
  console.log(`[${who}] installing Debian packages: ${needs.join(' ')}`)
  try {
    execSync(`${sudo}apt-get update -qq`, { stdio: 'inherit' })
    execSync(`${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${needs.join(' ')}`, { stdio: 'inherit' })
  } catch {
    console.error(`[${who}] could not install ${needs.join(' ')} with apt-get; install them and run again`)
    process.exit(1)
  }
}

/** what the running app needs: CJK fonts for PDF export (Typst reads them from here) */
export const RUNTIME_PACKAGES = [['/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', 'fonts-noto-cjk']]
