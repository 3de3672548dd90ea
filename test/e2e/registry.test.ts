// The /registry page in Chromium against the real server (PGlite, demo city) and the built client: finance
// reaches it from the app bar, imports the merged-heading fixture through the file picker, reads the report
// (counts, the row without a project name by its cell, the code under another name), maps the unknown
// 退役军人事务局 to a department with the dropdown, creates the tables of every project and sees each row
// link to its table, which opens with the project's name. Screenshots in test-artifacts/registry-*.png.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { ARTIFACTS, clientCopy, collectErrors, releaseBrowser, sharedBrowser, signIn } from '../helpers/browser.ts'
import { startServer, type RunningServer } from '../helpers/server.ts'
import { fixturePath } from '../fixtures/registry/build.ts'

const WAIT = { timeout: 30_000 }
const YEAR = '2025'

let server: RunningServer
let browser: Browser
let clientDir: string
let page: Page
let errors: string[]

beforeAll(async () => {
  clientDir = await clientCopy()
  server = await startServer('pglite', { clientDir })
  browser = await sharedBrowser()
  fs.mkdirSync(ARTIFACTS, { recursive: true })
}, 240_000)

afterAll(async () => {
  await releaseBrowser(browser)
  await server?.close()
})

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `registry-${name}.png`), fullPage: true })

describe('the project registry page', () => {
  it('imports a registry xlsx, maps the unknown department, creates the tables and links them', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
    page = await ctx.newPage()
    errors = collectErrors(page)
    await page.goto(`${server.httpUrl}/tables`)
    await signIn(page, 'caizheng')
    await page.waitForSelector('.tt-nav a[href="/registry"]', WAIT)
    await page.click('.tt-nav a[href="/registry"]')
    await page.waitForURL(/\/registry$/, WAIT)
    await page.fill('input[name="year"]', YEAR)
    await page.waitForSelector('[data-testid="no-projects"]', WAIT)

    // import through the file picker
    await page.setInputFiles('[data-testid="registry-file"]', fixturePath('registry-merged-heading.xlsx'))
    const report = page.locator('[data-testid="import-report"]')
    await report.waitFor(WAIT)
    expect(await page.textContent('[data-testid="import-counts"]')).toContain('新登记 6 个')
    const problems = await page.textContent('[data-testid="import-problems"]')
    expect(problems).toContain('F11')
    expect(problems).toContain('没有项目名称')
    expect(problems).toContain('南江市民政事务局')
    await page.waitForSelector('[data-testid="registry-row"]', WAIT)
    expect(await page.locator('[data-testid="registry-row"]').count()).toBe(6)
    expect(await page.textContent('[data-testid="registry-total"]')).toContain('共 6 个项目')

    // the unknown department: map 199 退役军人事务局 to 南江市民政局
    const unknown = page.locator('[data-testid="unknown-department"][data-code="199"]')
    await unknown.waitFor(WAIT)
    await shot('1-imported')
    const civil = (await server.storage.departments.getByCode('120'))!
    await unknown.locator('select').selectOption(civil.id)
    await unknown.locator('button', { hasText: '对应' }).click()
    await page.waitForSelector('[data-testid="unknown-departments"]', { state: 'detached', timeout: WAIT.timeout })
    expect(await page.locator('[data-testid="registry-row"]', { hasText: '待对应部门' }).count()).toBe(0)
    expect(await page.locator('[data-testid="registry-row"]', { hasText: '退役军人帮扶援助' }).textContent()).toContain('南江市民政局')

    // create the tables
    await page.click('[data-testid="create-tables"]')
    const result = page.locator('[data-testid="create-result"]')
    await result.waitFor(WAIT)
    expect(await result.textContent()).toContain('已创建 6 张绩效目标表')
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="table-link"]').length === 6, null, WAIT)
    expect(await page.locator('[data-testid="create-tables"]').isDisabled()).toBe(true)
    await shot('2-tables-created')

    // each link opens its table; the table's header carries the registry's project
    const link = page.locator('[data-testid="registry-row"]', { hasText: '群众文化活动' }).locator('[data-testid="table-link"]')
    const href = await link.getAttribute('href')
    const tableId = decodeURIComponent(href!.replace('/tables/', ''))
    const token = await server.login('caizheng')
    const table = await server.api('GET', `/api/tables/${tableId}`, token)
    expect(table.status).toBe(200)
    expect(table.body.content.header).toMatchObject({ projectName: '群众文化活动', functionalClass: { code: '2070109', name: '群众文化' }, projectLeader: '陈静' })
    expect(table.body.content.funds.annual.total).toBe(60)
    expect(errors).toEqual([])
    await ctx.close()
  }, 180_000)
})
