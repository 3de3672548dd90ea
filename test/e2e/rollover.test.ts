// 年度结转 from the /tables page in Chromium against the real server (PGlite, demo city) and the built client:
// finance opens 年度结转, picks 2030 → 2031 and 南江市农业农村局, 预览 lists the approved 延续 project as to be
// carried and the draft as left out, 确认结转 reports the new table, which the 2031 list then shows.
// Screenshot in test-artifacts/rollover.png.
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
let approvedId: string

beforeAll(async () => {
  app = await startBrowserApp()
  server = app.server
  browser = app.browser
  const finance = await server.login('caizheng')
  departmentId = (await server.storage.departments.getByCode('121'))!.id
  const make = async (projectName: string) => {
    const content: Record<string, any> = { ...(loadSample('S09') as Record<string, any>), year: 2030 }
    content.header = { ...content.header, projectName }
    const r = await server.api('POST', '/api/tables', finance, { kind: 'project', template: 'mof2021-core', year: 2030, departmentId, content })
    expect(r.status).toBe(201)
    return r.body.id as string
  }
  approvedId = await make('高标准农田管护')
  for (const action of ['submit', 'approve']) expect((await server.api('POST', `/api/tables/${approvedId}/transitions`, finance, { action })).status).toBe(200)
  await make('农机补贴（草稿）')
}, 240_000)

afterAll(async () => {
  await app?.close()
})

describe('年度结转 on /tables', () => {
  it('finance previews and confirms a rollover and finds the new table in the next year’s list', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
    const page = await ctx.newPage()
    const errors = collectErrors(page)
    await page.goto(`${server.httpUrl}/tables`)
    await signIn(page, 'caizheng')
    await page.click('[data-testid="rollover"]', WAIT)
    const dialog = page.locator('[data-testid="rollover-dialog"]')
    await dialog.locator('input[name="fromYear"]').fill('2030')
    await dialog.locator('input[name="toYear"]').fill('2031')
    await dialog.locator('select[name="departmentId"]').selectOption(departmentId)
    expect(await page.isDisabled('[data-testid="rollover-confirm"]')).toBe(true)
    await page.click('[data-testid="rollover-preview"]')
    await page.waitForSelector('[data-testid="rollover-report"]', WAIT)
    expect(await page.textContent('[data-testid="rollover-summary"]')).toContain('预览：将结转 1 张，未结转 1 张')
    expect(await page.textContent('[data-testid="rollover-carried"]')).toContain('高标准农田管护')
    expect(await page.textContent('[data-testid="rollover-left-out"]')).toMatch(/农机补贴（草稿）.*未批复（当前状态：草稿）/)
    await page.screenshot({ path: path.join(ARTIFACTS, 'rollover.png'), fullPage: true })

    await page.click('[data-testid="rollover-confirm"]')
    await page.waitForSelector('text=已结转 1 张到 2031 年度', WAIT)
    const href = await page.locator('[data-testid="rollover-carried"] a').getAttribute('href')
    expect(href).toMatch(/^\/tables\/t_/)
    const newId = decodeURIComponent(href!.slice('/tables/'.length))
    expect(newId).not.toBe(approvedId)

    await page.goto(`${server.httpUrl}/tables?year=2031`)
    await page.waitForSelector(`tr[data-table-id="${newId}"]`, WAIT)
    expect(await page.textContent(`tr[data-table-id="${newId}"]`)).toContain('高标准农田管护')
    expect(errors).toEqual([])
    await ctx.close()
  })
})
