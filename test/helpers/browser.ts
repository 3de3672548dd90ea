// Browser test helpers: build the client once (Vite JS API, shared by test files through a lock and a
// source stamp), serve dist/client with a tiny static server on port 0 (SPA fallback), launch Chromium.
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { AddressInfo } from 'node:net'
import { chromium, type Browser, type Page, type Response } from 'playwright-core'
import { templateRun } from './templates.ts'

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const DIST = path.join(repo, 'dist/client')
const STAMP = path.join(DIST, '.build-stamp')
const LOCK = path.join(repo, 'dist/.client-build.lock')

function newestSource(): number {
  let newest = 0
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name)
      if (e.isDirectory()) walk(p)
      else newest = Math.max(newest, fs.statSync(p).mtimeMs)
    }
  }
  for (const d of ['client', 'shared']) walk(path.join(repo, d))
  return newest
}

function fresh(): boolean {
  try {
    return Number(fs.readFileSync(STAMP, 'utf8')) >= newestSource()
  } catch {
    return false
  }
}

/**
 * Builds dist/client unless it is newer than every file under client/ and shared/. With `privateCopy`
 * it returns a copy taken under the lock (in `into`, else the temporary directory; the caller removes it): a
 * later rebuild by another test file empties dist/client, which would pull the files from under a server
 * still serving them.
 */
export async function buildClient(options: { privateCopy?: boolean; into?: string } = {}): Promise<string> {
  fs.mkdirSync(path.dirname(LOCK), { recursive: true })
  const deadline = Date.now() + 120_000
  // WATCH OUT: vitest runs test files in parallel processes; only one may write dist/client at a time
  for (;;) {
    try {
      fs.mkdirSync(LOCK)
      break
    } catch {
      if (Date.now() > deadline) throw new Error('client build lock held too long')
      try { if (Date.now() - fs.statSync(LOCK).mtimeMs > 120_000) fs.rmSync(LOCK, { recursive: true, force: true }) } catch { /* gone */ }
      await new Promise((r) => setTimeout(r, 250))
    }
  }
  try {
    if (!fresh()) {
      const started = newestSource()
      const { build } = await import('vite')
      await build({ configFile: path.join(repo, 'client/vite.config.ts'), logLevel: 'error' })
      fs.writeFileSync(STAMP, String(started))
    }
    if (options.privateCopy) {
      const copy = fs.mkdtempSync(path.join(options.into ?? os.tmpdir(), 'tt-client-'))
      fs.cpSync(DIST, copy, { recursive: true })
      return copy
    }
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true })
  }
  return DIST
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.wasm': 'application/wasm',
}

export interface StaticServer { url: string; close(): Promise<void> }

/** Serves `dir`; unknown paths get index.html (client-side routes); /api answers 404 JSON. */
export async function serveStatic(dir: string = DIST): Promise<StaticServer> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname.startsWith('/api/')) {
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: { code: 'not_found', message: 'no server in this test' } }))
      return
    }
    let file = path.join(dir, decodeURIComponent(url.pathname))
    if (!file.startsWith(dir) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) file = path.join(dir, 'index.html')
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' })
    fs.createReadStream(file).pipe(res)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()) }),
  }
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

// The browser project runs its files one after another in one worker process without module isolation
// (vitest.config.ts: isolate false, TT_SHARE_BROWSER=1), so the Chromium and the client copy below are made
// once per worker instead of once per file, and the server's modules are imported once: a short file's setup
// went from 6–9 s to 3–4 s and its imports from ≈ 3 s to none (bench/README.md, test suite duration). Every
// file still has its own server and database, and its own browser contexts, which releaseBrowser closes.
// Without TT_SHARE_BROWSER each file launches and closes its own Chromium as before.
const SHARE = process.env.TT_SHARE_BROWSER === '1'
let shared: Promise<Browser> | undefined

/** This worker's Chromium (launched on first use, again if it went away); give it back with releaseBrowser. */
export async function sharedBrowser(): Promise<Browser> {
  if (!SHARE) return launchBrowser()
  if (shared) {
    const b = await shared.catch(() => undefined)
    if (b?.isConnected()) return b
  }
  // playwright-core kills the browsers it launched when the process exits
  shared = launchBrowser()
  return shared
}

/** The end of a file's use of sharedBrowser(): closes every context it left open (the next file starts with none). */
export async function releaseBrowser(browser: Browser | undefined): Promise<void> {
  if (!browser) return
  if (!SHARE) return browser.close()
  for (const c of browser.contexts()) await c.close().catch(() => undefined)
}

let copy: Promise<string> | undefined

/**
 * The built client as a private copy (buildClient({ privateCopy: true })), made once per worker process;
 * without TT_SHARE_BROWSER one per call. Callers do not remove it: it lies in the run's directory, which
 * global-setup.ts removes when the run ends (outside a vitest run: removed when the process exits).
 */
export async function clientCopy(): Promise<string> {
  if (SHARE && copy) return copy
  const run = templateRun()
  const made = buildClient({ privateCopy: true, ...(run ? { into: run.dir } : {}) })
  if (SHARE) copy = made
  const dir = await made
  if (!run) process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Collects page errors and console errors, so a test can assert the page stayed clean. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(String(e)))
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()) })
  return errors
}

export const ARTIFACTS = path.join(repo, 'test-artifacts')

/**
 * Collects what went wrong on a page: uncaught exceptions, console errors and failed requests. A test
 * asserts the list stays empty; `expected` names the failures the test provokes on purpose (the
 * signed-out GET /api/auth/me 401 is always expected). `requests: false` watches exceptions only.
 */
export function collectErrors(page: Page, options: { expected?: (r: Response) => boolean; requests?: boolean } = {}): string[] {
  const list: string[] = []
  page.on('pageerror', (e) => list.push(String(e)))
  if (options.requests === false) return list
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) list.push(m.text()) })
  page.on('response', (r) => {
    if (r.status() < 400 || (r.status() === 401 && r.url().endsWith('/api/auth/me')) || options.expected?.(r)) return
    list.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`)
  })
  return list
}

/** Signs in through the /login form the page is on (demo password). */
export async function signIn(page: Page, username: string, timeout = 20_000): Promise<void> {
  await page.waitForSelector('form.tt-login', { timeout })
  await page.fill('input[name="username"]', username)
  await page.fill('input[name="password"]', 'demo-2024')
  await page.click('form.tt-login button[type="submit"]')
}
