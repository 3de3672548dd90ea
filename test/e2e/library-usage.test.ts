// 使用情况 in the /library entry panel, in Chromium against the real server (PGlite, demo city) and the built
// client: 教育局 files a table using 培训人次 and 参训人次, finance approves it through the API, and the entry
// 培训人次 (C-TRN-02) then shows 被 1 张已审核通过的表使用（1 个部门）, its values, range and the names the
// table wrote, and the table as a link that opens it. Screenshot in test-artifacts/library-usage.png.
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { ARTIFACTS, collectErrors, signIn } from '../helpers/browser.ts'
import { startBrowserApp, type BrowserApp } from '../helpers/browser-app.ts'
import { loadSample } from '../helpers/samples.ts'
import type { RunningServer } from '../helpers/server.ts'

const WAIT = { timeout: 20_000 }

let server: RunningServer
let browser: Browser
let app: BrowserApp | undefined

beforeAll(async () => {
  app = await startBrowserApp()
  server = app.server
  browser = app.browser
}, 240_000)

afterAll(async () => {
  await app?.close()
})

describe('where a library entry is used', () => {
  it('shows an approved table under 使用情况 of the entry its rows link to', async () => {
    const jiaoyu = await server.login('jiaoyu')
    const caizheng = await server.login('caizheng')
    const edu = (await server.storage.departments.getByCode('105'))!.id
    const content = loadSample('S09') as { title?: string; indicators: Record<string, string>[]; header: { projectName: string } }
    content.title = '2024年教师培训项目'
    content.header.projectName = '2024年教师培训项目'
    content.indicators.splice(4, 0,
      { period: 'annual', level1: '产出指标', level2: '数量指标', level3: '培训人次', comparator: '≥', target: '600', unit: '人次' },
      { period: 'annual', level1: '产出指标', level2: '数量指标', level3: '参训人次', comparator: '≥', target: '800', unit: '人次' })
    const made = await server.api('POST', '/api/tables', jiaoyu, { kind: 'project', template: 'mof2021-core', year: 2024, departmentId: edu, content })
    expect(made.status, JSON.stringify(made.body)).toBe(201)
    const tableId = made.body.id as string
    expect((await server.api('POST', `/api/tables/${tableId}/transitions`, jiaoyu, { action: 'submit' })).status).toBe(200)
    expect((await server.api('POST', `/api/tables/${tableId}/transitions`, caizheng, { action: 'approve' })).status).toBe(200)

    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
    const page = await ctx.newPage()
    const errors = collectErrors(page)
    await page.goto(`${server.httpUrl}/tables`)
    await signIn(page, 'jiaoyu')
    await page.waitForSelector('.tt-nav a[href="/library"]', WAIT)
    await page.goto(`${server.httpUrl}/library?id=C-TRN-02`)
    await page.waitForSelector('[data-testid="indicator-panel"] [data-testid="usage-summary"]', WAIT)
    const section = page.locator('[data-testid="indicator-usage"]')
    expect(await section.locator('h3').textContent()).toBe('使用情况')
    expect(await section.locator('[data-testid="usage-summary"]').textContent()).toBe('被 1 张已审核通过的表使用（1 个部门）')
    expect(await section.locator('[data-testid="usage-values"] dd').textContent()).toBe('≥600人次（1 张表）、≥800人次（1 张表）')
    expect(await section.locator('[data-testid="usage-range"] dd').textContent()).toBe('600 ~ 800人次')
    expect(await section.locator('[data-testid="usage-names"] dd').textContent()).toContain('参训人次（1）')
    const rows = section.locator('[data-testid="usage-table"]')
    expect(await rows.count()).toBe(2)
    expect(await rows.filter({ hasText: '参训人次' }).textContent()).toMatch(/参训人次（近似名称） ≥800人次/)
    expect(await rows.filter({ hasText: '培训人次' }).filter({ hasNotText: '近似' }).textContent()).toMatch(/南江市教育局 · 培训人次 ≥600人次/)
    const link = rows.first().locator('a')
    expect(await link.getAttribute('href')).toBe(`/tables/${tableId}`)
    expect(await link.textContent()).toBe('2024年教师培训项目')
    await page.screenshot({ path: path.join(ARTIFACTS, 'library-usage.png'), fullPage: false })

    // an entry no approved table uses says so
    await page.goto(`${server.httpUrl}/library?id=C-TRN-03`)
    await page.waitForSelector('[data-testid="usage-none"]', WAIT)

    // the link opens the table
    await page.goto(`${server.httpUrl}/library?id=C-TRN-02`)
    await page.click('[data-testid="usage-table"] a', WAIT)
    await page.waitForURL(new RegExp(`/tables/${tableId}$`), WAIT)
    expect(errors).toEqual([])
    await ctx.close()
  }, 90_000)
})
