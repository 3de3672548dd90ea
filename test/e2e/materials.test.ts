// The department page's 资料清单 in Chromium against the real server (PGlite, demo city) and the built client:
// a department user (教育局) opens its department page from the department name in a row of /tables, marks
// item 5 (三定方案) 已收到 with a note, uploads a file to it, sees it listed with its size and the count go
// up, downloads the same bytes through the link, and finds everything kept after a reload. Screenshot in
// test-artifacts/department-materials.png.
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { ARTIFACTS, collectErrors, signIn } from '../helpers/browser.ts'
import { startBrowserApp, type BrowserApp } from '../helpers/browser-app.ts'
import { loadSample } from '../helpers/samples.ts'
import type { RunningServer } from '../helpers/server.ts'

const WAIT = { timeout: 30_000 }

let server: RunningServer
let browser: Browser
let app: BrowserApp | undefined
let departmentId: string
let tableId: string

beforeAll(async () => {
  app = await startBrowserApp()
  server = app.server
  browser = app.browser
  const finance = await server.login('caizheng')
  departmentId = (await server.storage.departments.getByCode('105'))!.id
  const created = await server.api('POST', '/api/tables', finance, { kind: 'project', template: 'mof2021-core', year: 2025, departmentId, projectName: '学生资助', content: { ...(loadSample('S09') as object), year: 2025 } })
  expect(created.status).toBe(201)
  tableId = created.body.id
}, 240_000)

afterAll(async () => {
  await app?.close()
})

describe('the department page’s 资料清单', () => {
  it('a department user marks an item received and uploads a file to it', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'zh-CN' })
    const page = await ctx.newPage()
    const errors = collectErrors(page)
    await page.goto(`${server.httpUrl}/tables?year=2025`)
    await signIn(page, 'jiaoyu')
    const link = page.locator(`tr[data-table-id="${tableId}"] a.tt-dept-link`)
    await link.waitFor(WAIT)
    await link.click()
    await page.waitForURL(new RegExp(`/departments/${departmentId}\\?year=2025$`), WAIT)
    await page.waitForSelector('[data-testid="department-name"]:has-text("南江市教育局")', WAIT)
    await page.waitForSelector('[data-testid="materials"] tbody tr >> nth=11', WAIT)
    expect(await page.locator('[data-testid="materials"] tbody tr').count()).toBe(12)
    expect(await page.textContent('[data-testid="materials-count"]')).toContain('已收到 0 / 12 项')

    await page.locator('select[aria-label="第 5 项的状态"]').selectOption({ label: '已收到' })
    await page.waitForSelector('[data-testid="materials-count"]:has-text("已收到 1 / 12 项")', WAIT)
    await page.fill('input[aria-label="第 5 项的说明"]', '2019 年编办批复')
    await page.press('input[aria-label="第 5 项的说明"]', 'Enter')
    await page.waitForSelector('tr[data-item="5"] .td-updated:has-text("王芳")', WAIT)

    const bytes = Buffer.from('%PDF-1.4\n三定方案 测试文件\n%%EOF\n', 'utf8')
    await page.setInputFiles('input[aria-label="为第 5 项上传文件"]', { name: '教育局三定方案.pdf', mimeType: 'application/pdf', buffer: bytes })
    const fileLink = page.locator('tr[data-item="5"] .td-files a', { hasText: '教育局三定方案.pdf' })
    await fileLink.waitFor(WAIT)
    expect(await page.textContent('tr[data-item="5"] .td-files')).toContain(`${bytes.length} B`)
    await page.screenshot({ path: path.join(ARTIFACTS, 'department-materials.png'), fullPage: true })

    // the link downloads the same bytes
    const href = await fileLink.getAttribute('href')
    const downloaded = await page.evaluate(async (url) => Array.from(new Uint8Array(await (await fetch(url!)).arrayBuffer())), href)
    expect(Buffer.from(downloaded)).toEqual(bytes)

    await page.reload()
    await page.waitForSelector('tr[data-item="5"] .td-files a:has-text("教育局三定方案.pdf")', WAIT)
    expect(await page.locator('select[aria-label="第 5 项的状态"]').inputValue()).toBe('received')
    expect(await page.locator('input[aria-label="第 5 项的说明"]').inputValue()).toBe('2019 年编办批复')
    expect(errors).toEqual([])
    await ctx.close()
  }, 120_000)
})
