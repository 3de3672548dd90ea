// The /admin page in Chromium against the real server (PGlite, demo city) and the built client: finance
// reaches it from the app bar, assigns 南江市农业农村局 for 2025 to a second consultant firm with the
// dropdown, raises its 难度分类, sees both kept after a reload; the firm's user then finds that department's
// 2025 table in its list, and loses it when finance sets the row back to 未分配. Screenshot in
// test-artifacts/admin-assignments.png.
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { DEMO_PASSWORD } from '../../server/bootstrap/demo-city.ts'
import { ARTIFACTS, collectErrors, signIn } from '../helpers/browser.ts'
import { startBrowserApp, type BrowserApp } from '../helpers/browser-app.ts'
import { loadSample } from '../helpers/samples.ts'
import type { RunningServer } from '../helpers/server.ts'

const WAIT = { timeout: 30_000 }

let server: RunningServer
let browser: Browser
let app: BrowserApp | undefined
let tableId: string

beforeAll(async () => {
  app = await startBrowserApp()
  server = app.server
  browser = app.browser
  await server.storage.users.create({ username: 'firm4', password: DEMO_PASSWORD, displayName: '南江绩效咨询公司', role: 'consultant' })
  const finance = await server.login('caizheng')
  const departmentId = (await server.storage.departments.getByCode('121'))!.id
  const created = await server.api('POST', '/api/tables', finance, { kind: 'project', template: 'mof2021-core', year: 2025, departmentId, projectName: '高标准农田建设', content: { ...(loadSample('S09') as object), year: 2025 } })
  expect(created.status).toBe(201)
  tableId = created.body.id
}, 240_000)

afterAll(async () => {
  await app?.close()
})

describe('the admin page', () => {
  it('assigns a department to a consultant for a year, and the consultant’s list follows', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
    const page = await ctx.newPage()
    const errors = collectErrors(page)
    await page.goto(`${server.httpUrl}/tables`)
    await signIn(page, 'caizheng')
    await page.waitForSelector('.tt-nav a[href="/admin"]', WAIT)
    await page.click('.tt-nav a[href="/admin"]')
    await page.waitForURL(/\/admin$/, WAIT)
    await page.fill('[data-testid="admin-year"]', '2025')
    const consultant = page.locator('select[aria-label="南江市农业农村局的第三方机构"]')
    await consultant.waitFor(WAIT)
    await page.waitForFunction(() => document.querySelectorAll('select[aria-label="南江市农业农村局的第三方机构"] option').length >= 3, null, WAIT)
    await consultant.selectOption({ label: '南江绩效咨询公司' })
    await page.waitForSelector('text=已将南江市农业农村局分配给南江绩效咨询公司', WAIT)
    await page.locator('select[aria-label="南江市农业农村局的难度分类"]').selectOption({ label: '难度较高' })
    await page.waitForSelector('text=已将南江市农业农村局分配给南江绩效咨询公司（难度较高）', WAIT)
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-assignments.png'), fullPage: true })

    await page.reload()
    await page.fill('[data-testid="admin-year"]', '2025')
    await page.waitForFunction(() => {
      const s = document.querySelector<HTMLSelectElement>('select[aria-label="南江市农业农村局的第三方机构"]')
      return !!s && s.selectedOptions[0]?.textContent === '南江绩效咨询公司'
    }, null, WAIT)
    expect(await page.locator('select[aria-label="南江市农业农村局的难度分类"]').inputValue()).toBe('high')
    expect(await page.textContent('[data-testid="assignment-summary"]')).toContain('南江绩效咨询公司：1 个（难度较高 1）')

    // the firm's user sees the department's 2025 table
    const firmCtx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
    const firmPage = await firmCtx.newPage()
    await firmPage.goto(`${server.httpUrl}/tables?year=2025`)
    await signIn(firmPage, 'firm4')
    await firmPage.waitForSelector(`tr[data-table-id="${tableId}"]`, WAIT)
    expect(await firmPage.isVisible('.tt-nav a[href="/admin"]')).toBe(false)

    // back to 未分配: the firm's list no longer holds it
    await consultant.selectOption({ label: '未分配' })
    await page.waitForSelector('text=已取消南江市农业农村局的分工', WAIT)
    await firmPage.reload()
    await firmPage.waitForSelector('[data-testid="no-tables"], .tt-empty', WAIT)
    expect(await firmPage.locator(`tr[data-table-id="${tableId}"]`).count()).toBe(0)
    expect(errors).toEqual([])
    await firmCtx.close()
    await ctx.close()
  })
})
