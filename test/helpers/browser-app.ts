// One e2e file's world: the built client (a private copy), a real server on PGlite with the demo city serving it,
// and a Chromium — started together and closed together (test-artifacts/ exists for screenshots).
import fs from 'node:fs'
import type { Browser } from 'playwright-core'
import { ARTIFACTS, buildClient, launchBrowser } from './browser.ts'
import { startServer, type RunningServer, type StartServerOptions } from './server.ts'

export interface BrowserApp {
  server: RunningServer
  browser: Browser
  close(): Promise<void>
}

export async function startBrowserApp(options: Omit<StartServerOptions, 'clientDir'> = {}): Promise<BrowserApp> {
  const clientDir = await buildClient({ privateCopy: true })
  const server = await startServer('pglite', { ...options, clientDir })
  const browser = await launchBrowser()
  fs.mkdirSync(ARTIFACTS, { recursive: true })
  return {
    server,
    browser,
    async close() {
      await browser.close()
      await server.close()
      fs.rmSync(clientDir, { recursive: true, force: true })
    },
  }
}
