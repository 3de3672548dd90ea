// One e2e file's world: the built client (the worker's private copy, clientCopy), a real server on PGlite with the
// demo city serving it, and the worker's Chromium (sharedBrowser) — closing it closes the server and the file's
// browser contexts (test-artifacts/ exists for screenshots).
import fs from 'node:fs'
import type { Browser } from 'playwright-core'
import { ARTIFACTS, clientCopy, releaseBrowser, sharedBrowser } from './browser.ts'
import { startServer, type RunningServer, type StartServerOptions } from './server.ts'

export interface BrowserApp {
  server: RunningServer
  browser: Browser
  close(): Promise<void>
}

export async function startBrowserApp(options: Omit<StartServerOptions, 'clientDir'> = {}): Promise<BrowserApp> {
  const clientDir = await clientCopy()
  const server = await startServer('pglite', { ...options, clientDir })
  const browser = await sharedBrowser()
  fs.mkdirSync(ARTIFACTS, { recursive: true })
  return {
    server,
    browser,
    async close() {
      await releaseBrowser(browser)
      await server.close()
    },
  }
}
