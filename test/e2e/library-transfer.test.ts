// /library's Excel import in Chromium against the real server (PGlite, demo city, the seeded library) and
// the built client: finance opens 导入 Excel, chooses a small xlsx (two new entries and one bad row), reads
// the dry-run report (counts and the rejected row with its row, column and reason), confirms, and finds the
// new entry by searching for it; the library was untouched until 确认导入. Screenshot:
// test-artifacts/library-transfer-*.png.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { LIBRARY_COLUMNS } from '../../shared/api/library-transfer.ts'
import { ARTIFACTS, collectErrors, signIn } from '../helpers/browser.ts'
import { startBrowserApp, type BrowserApp } from '../helpers/browser-app.ts'
import type { RunningServer } from '../helpers/server.ts'
import { LABELS, writeRows } from '../library/transfer-helpers.ts'

const WAIT = { timeout: 30_000 }

let server: RunningServer
let browser: Browser
let app: BrowserApp | undefined
let file: string

beforeAll(async () => {
  app = await startBrowserApp()
  server = app.server
  browser = app.browser
  const row = (over: Record<string, string>) => {
    const v: Record<string, string> = { level1: '产出指标', level2: '数量指标', comparator: '≥', typicalValue: '12', unit: '场', scope: '个性指标', functionalClasses: '20701', ...over }
    return LIBRARY_COLUMNS.map((c) => v[c.key] ?? '')
  }
  file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tt-library-')), '新增指标.xlsx')
  fs.writeFileSync(file, await writeRows([LABELS, row({ level3: '非遗展演场次' }), row({ level3: '流动博物馆巡展站点数' }), row({ level3: '坏行', functionalClasses: '99999' })]))
}, 240_000)

afterAll(async () => {
  await app?.close()
  if (file) fs.rmSync(path.dirname(file), { recursive: true, force: true })
})

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `library-transfer-${name}.png`), fullPage: false })

describe('importing the library from Excel', () => {
  it('finance previews a small xlsx, confirms and finds the new entry', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
    const page = await ctx.newPage()
    const errors = collectErrors(page)
    await page.goto(`${server.httpUrl}/tables`)
    await signIn(page, 'caizheng')
    await page.click('.tt-nav a[href="/library"]', WAIT)
    await page.waitForURL(/\/library$/, WAIT)
    await page.waitForSelector('[data-testid="indicator-row"]', WAIT)
    const total = () => page.evaluate(() => Number(/[\d,]+/.exec(document.querySelector('[data-testid="indicator-total"]')?.textContent ?? '')?.[0]?.replace(/,/g, '') ?? NaN))
    const before = await total()
    expect(before).toBeGreaterThanOrEqual(218)
    await expect(page.getAttribute('[data-testid="library-export"]', 'href')).resolves.toContain('/api/indicators/export?format=xlsx')

    await page.click('[data-testid="library-import"]')
    await page.setInputFiles('[data-testid="library-import-file"]', file)
    await page.waitForSelector('[data-testid="library-import-report"]', WAIT)
    const summary = await page.textContent('[data-testid="library-import-report"] .lt-summary')
    expect(summary).toContain('预览')
    expect(summary).toContain('新增 2')
    expect(summary).toContain('未导入 1')
    const rejected = await page.locator('[data-testid="library-import-rejected"] tbody tr td').allTextContents()
    expect(rejected[0]).toBe('4')
    expect(rejected[1]).toBe('适用功能分类')
    expect(rejected[2]).toContain('“99999”不在功能分类科目中')
    await shot(page, '1-preview')
    // nothing stored by the preview
    const probe = await page.evaluate(async () => (await fetch('/api/indicators?q=' + encodeURIComponent('非遗展演场次'))).json())
    expect(probe.indicators.filter((i: { level3: string }) => i.level3 === '非遗展演场次')).toEqual([])

    await page.click('[data-testid="library-import-confirm"]')
    await page.waitForFunction(() => document.querySelector('[data-testid="library-import-report"] .lt-summary')?.textContent?.startsWith('已导入'), null, WAIT)
    await shot(page, '2-imported')
    // the search sees the import at once (no wait for the index's revision to expire)
    const stored = await page.evaluate(async () => (await (await fetch('/api/indicators?limit=1')).json()).total)
    expect(stored).toBe(before + 2)
    await page.click('[data-testid="library-import-dialog"] .tt-dialog-foot .tt-button-primary')
    await page.waitForFunction((n) => Number(/[\d,]+/.exec(document.querySelector('[data-testid="indicator-total"]')?.textContent ?? '')?.[0]?.replace(/,/g, '')) === n + 2, before, WAIT)
    expect(await total()).toBe(before + 2)

    await page.fill('input[name="q"]', '非遗展演场次')
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid="indicator-row"] .tl-hit-name')]
      return !document.querySelector('.tl-list[aria-busy]') && rows.some((r) => r.textContent?.includes('非遗展演场次'))
    }, null, WAIT)
    await shot(page, '3-found')
    expect(errors).toEqual([])
    await ctx.close()
  }, 120_000)
})
