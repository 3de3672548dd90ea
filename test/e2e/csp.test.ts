// Security headers in real Chromium against the real server (built client, demo city): every page and
// answer carries the Content-Security-Policy and its companions (server/http/security-headers.ts), and
// /login, /tables, the grid page (rendered, an edit typed and stored) and /compilations raise no CSP
// violation (`securitypolicyviolation` events recorded from the first script, console errors, page errors).
// A control proves the recorder works: an inline script injected on purpose is blocked and recorded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { clientCopy, collectErrors, releaseBrowser, sharedBrowser, signIn } from '../helpers/browser.ts'
import { anchorPos, docJson, typeInto } from '../helpers/browser-grid.ts'
import { startServer, type RunningServer } from '../helpers/server.ts'

const WAIT = { timeout: 30_000 }

let server: RunningServer
let browser: Browser
let tableId: string
const contexts: BrowserContext[] = []

beforeAll(async () => {
  const clientDir = await clientCopy()
  server = await startServer('pglite', { clientDir })
  browser = await sharedBrowser()
  const list = await server.api('GET', '/api/tables', await server.login('jiaoyu'))
  tableId = list.body.tables.find((t: any) => t.template === 'mof2015-project' && t.departmentName === '南江市教育局' && t.status === 'draft').id
}, 180_000)

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined)
  await releaseBrowser(browser)
  await server?.close()
})

interface Watched { page: Page; errors: string[]; violations: () => Promise<string[]> }

/** A fresh browser context whose pages record every CSP violation from before the first script runs. */
async function person(): Promise<Watched> {
  const ctx = await browser.newContext({ viewport: { width: 1600, height: 1000 } })
  contexts.push(ctx)
  await ctx.addInitScript(() => {
    const w = window as any
    w.__cspViolations = []
    document.addEventListener('securitypolicyviolation', (e) => {
      w.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`)
    })
  })
  const page = await ctx.newPage()
  const errors = collectErrors(page)
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) errors.push(`console: ${m.text()}`)
  })
  return { page, errors, violations: () => page.evaluate(() => (window as any).__cspViolations as string[]) }
}

describe('security headers and the Content-Security-Policy', () => {
  it('every page and answer carries them: pages, assets, the API, errors, health', async () => {
    const index = await fetch(`${server.httpUrl}/tables`)
    const html = await index.text()
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!
    for (const path of ['/login', '/tables', `/tables/${tableId}`, '/compilations', asset, '/api/auth/me', '/api/nothing-here', '/healthz']) {
      const res = await fetch(server.httpUrl + path)
      const csp = res.headers.get('content-security-policy') ?? ''
      expect(csp, path).toContain("script-src 'self'")
      expect(csp, path).toContain("frame-ancestors 'none'")
      expect(csp, path).toContain("object-src 'none'")
      expect(csp, path).toContain(`ws://${new URL(server.httpUrl).host}`)
      expect(csp, path).not.toMatch(/unsafe-eval/)
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff')
      expect(res.headers.get('x-frame-options'), path).toBe('DENY')
      expect(res.headers.get('referrer-policy'), path).toBe('same-origin')
      await res.arrayBuffer()
    }
  })

  it('/login, /tables and the grid (rendered, an edit stored) raise no CSP violation', async () => {
    const { page, errors, violations } = await person()
    await page.goto(`${server.httpUrl}/tables/${tableId}`)
    await page.waitForURL(/\/login\?next=/, WAIT)
    await signIn(page, 'jiaoyu')
    await page.waitForURL(new RegExp(`/tables/${tableId}$`), WAIT)
    await page.waitForFunction(() => (window as any).__tt?.ready === true, null, WAIT)
    expect(await page.evaluate(() => (window as any).univerAPI.getActiveWorkbook().getActiveSheet().getRange(0, 0).getValue())).toBe('项目支出绩效目标申报表')

    const row = (await docJson(page)).indicators.find((r: any) => r.period === 'annual' && r.level3)
    await typeInto(page, 0, await anchorPos(page, `${row.id}|level3`), '安全策略下的修改')
    const reader = await server.login('renda')
    await expect.poll(async () => (await server.api('GET', `/api/tables/${tableId}`, reader)).body.content.indicators.find((r: any) => r.id === row.id)?.level3, WAIT).toBe('安全策略下的修改')
    await page.waitForTimeout(500) // late paints, findings, comments panel
    expect(await violations()).toEqual([])

    await page.goto(`${server.httpUrl}/tables`)
    await page.locator(`a[href="/tables/${tableId}"]`).waitFor(WAIT)
    expect(await violations()).toEqual([])
    expect(errors).toEqual([])
  })

  it('/compilations (finance) and /login raise no CSP violation', async () => {
    const { page, errors, violations } = await person()
    await page.goto(`${server.httpUrl}/login`)
    await page.waitForSelector('form.tt-login', WAIT)
    expect(await violations()).toEqual([])
    await signIn(page, 'caizheng')
    await page.waitForURL(/\/tables$/, WAIT)
    await page.goto(`${server.httpUrl}/compilations`)
    await page.waitForLoadState('networkidle')
    await page.waitForTimeout(300)
    expect(await page.locator('#app').innerText()).not.toBe('')
    expect(await violations()).toEqual([])
    expect(errors).toEqual([])
  })

  it('control: an inline script injected into the page is blocked and recorded', async () => {
    const { page, violations } = await person()
    await page.goto(`${server.httpUrl}/login`)
    await page.waitForSelector('form.tt-login', WAIT)
    const ran = await page.evaluate(() => {
      const s = document.createElement('script')
      s.textContent = 'window.__injected = true'
      document.body.appendChild(s)
      return (window as any).__injected === true
    })
    expect(ran).toBe(false)
    await expect.poll(violations).toEqual([expect.stringMatching(/^script-src/)])
  })
})
