// 指标建议 in Chromium against the real server (PGlite, demo city) and the built client: 教育局's user proposes
// a new indicator on /library (建议新增指标, a reason required) and sees it pending under 我的建议; finance
// signs in, sees 指标建议（1 条待处理）, reads the proposal (kind, department, proposer, proposed values,
// reason) and accepts it; the entry is then found by search (and deleted by finance with a reason), and the
// proposer reads 已采纳. A change proposed from the entry panel shows only the changed field, current beside
// proposed; 不采纳 needs a reason.
// Screenshots in test-artifacts/library-proposals-*.png.
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { ARTIFACTS, collectErrors, signIn } from '../helpers/browser.ts'
import { startBrowserApp, type BrowserApp } from '../helpers/browser-app.ts'
import type { RunningServer } from '../helpers/server.ts'

const WAIT = { timeout: 20_000 }
const NAME = '校园午餐供餐天数'

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

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `library-proposals-${name}.png`), fullPage: false })

async function openLibrary(username: string) {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
  const page = await ctx.newPage()
  const errors = collectErrors(page)
  await page.goto(`${server.httpUrl}/library`)
  await signIn(page, username)
  await page.waitForSelector('[data-testid="indicator-row"]', WAIT)
  return { ctx, page, errors }
}

describe('指标建议 on the library page', () => {
  it('a department proposes a new indicator, finance accepts it, search finds the entry and the proposer reads 已采纳', async () => {
    // 教育局 proposes
    const dept = await openLibrary('jiaoyu')
    expect(await dept.page.locator('[data-testid="new-indicator"]').count()).toBe(0)
    await dept.page.click('[data-testid="propose-new"]')
    const dialog = dept.page.locator('[data-testid="propose-new-dialog"]')
    await dialog.waitFor(WAIT)
    // the reason is required before anything is sent
    await dialog.locator('input[name="level3"]').fill(NAME)
    await dialog.locator('input[name="typicalValue"]').fill('180')
    await dialog.locator('input[name="unit"]').fill('天')
    await dept.page.click('[data-testid="propose-new-dialog"] [data-testid="submit-proposal"]')
    await dialog.locator('[data-testid="error-reason"]').waitFor(WAIT)
    expect(await dialog.locator('[data-testid="error-reason"]').textContent()).toContain('建议理由必填')
    await dialog.locator('textarea[name="reason"]').fill('营养改善计划要求按供餐天数考核')
    await shot(dept.page, '1-propose')
    await dept.page.click('[data-testid="propose-new-dialog"] [data-testid="submit-proposal"]')
    await dept.page.locator('[data-testid="proposal-sent"]').waitFor(WAIT)
    expect(await dialog.count()).toBe(0)

    await dept.page.click('[data-testid="my-proposals"]')
    const mine = dept.page.locator('[data-testid="proposals-dialog"] [data-testid="proposal"]')
    await mine.first().waitFor(WAIT)
    expect(await mine.count()).toBe(1)
    expect(await mine.first().locator('[data-testid="proposal-name"]').textContent()).toBe(NAME)
    expect(await mine.first().locator('[data-testid="proposal-status"]').textContent()).toBe('待处理')
    expect(await mine.first().locator('[data-testid="accept-proposal"]').count()).toBe(0)

    // finance sees one pending proposal and accepts it
    const fin = await openLibrary('caizheng')
    await fin.page.waitForFunction(() => document.querySelector('[data-testid="proposals-button"]')?.textContent?.includes('（1 条待处理）'), null, WAIT)
    await fin.page.click('[data-testid="proposals-button"]')
    const card = fin.page.locator('[data-testid="proposals-dialog"] [data-testid="proposal"]').first()
    await card.waitFor(WAIT)
    const text = (await card.textContent())!
    for (const part of ['新增指标', NAME, '南江市教育局', '王芳（教育局财务科）', '建议理由：营养改善计划要求按供餐天数考核', '180', '天']) expect(text).toContain(part)
    await shot(fin.page, '2-finance-list')
    await card.locator('[data-testid="accept-proposal"]').click()
    await fin.page.waitForFunction(() => document.querySelector('[data-testid="proposals-dialog"] [data-testid="proposal-status"]')?.textContent === '已采纳', null, WAIT)
    expect(await card.locator('[data-testid="proposal-outcome"]').textContent()).toContain('李敏（财政局绩效科）')
    await shot(fin.page, '3-accepted')
    await fin.page.click('[data-testid="proposals-dialog"] button[aria-label="关闭"]')
    await fin.page.waitForFunction(() => document.querySelector('[data-testid="proposals-button"]')?.textContent?.includes('（0 条待处理）'), null, WAIT)

    // the entry is in the library now
    await fin.page.fill('input[name="q"]', NAME)
    await fin.page.waitForFunction((n) => [...document.querySelectorAll('[data-testid="indicator-row"] .tl-hit-name')].some((e) => e.textContent?.includes(n)), NAME, WAIT)
    await fin.page.locator('[data-testid="indicator-row"]', { hasText: NAME }).first().click()
    const panel = fin.page.locator('[data-testid="indicator-panel"]')
    await panel.locator('[data-testid="history-line"]').first().waitFor(WAIT)
    expect(await panel.locator('[data-testid="history-line"]').first().textContent()).toContain('采纳部门建议：营养改善计划要求按供餐天数考核')

    // finance deletes it again, with a required reason; search no longer finds it
    await panel.locator('[data-testid="delete-indicator"]').click()
    const del = fin.page.locator('[data-testid="delete-indicator-dialog"]')
    await del.locator('[data-testid="confirm-delete"]').click(WAIT)
    expect(await del.locator('[data-testid="delete-error"]').textContent()).toContain('删除原因必填')
    await del.locator('textarea[name="deleteReason"]').fill('与营养改善计划指标合并')
    await del.locator('[data-testid="confirm-delete"]').click()
    await fin.page.waitForSelector('[data-testid="indicator-panel"]', { state: 'detached', ...WAIT })
    await fin.page.waitForSelector('[data-testid="no-indicators"]', WAIT)

    // the proposer reads the outcome
    await dept.page.click('[data-testid="proposals-dialog"] button[aria-label="关闭"]')
    await dept.page.click('[data-testid="my-proposals"]')
    await dept.page.waitForFunction(() => document.querySelector('[data-testid="proposals-dialog"] [data-testid="proposal-status"]')?.textContent === '已采纳', null, WAIT)
    await shot(dept.page, '4-outcome')

    expect(dept.errors).toEqual([])
    expect(fin.errors).toEqual([])
    await dept.ctx.close()
    await fin.ctx.close()
  }, 90_000)

  it('a department proposes a change from the entry panel; finance sees current vs proposed values and declines only with a reason', async () => {
    const dept = await openLibrary('jiaoyu')
    await dept.page.goto(`${server.httpUrl}/library?id=C-MTG-01`)
    const panel = dept.page.locator('[data-testid="indicator-panel"]')
    await panel.locator('[data-testid="propose-change"]').click(WAIT)
    const dialog = dept.page.locator('[data-testid="propose-change-dialog"]')
    await dialog.waitFor(WAIT)
    expect(await dialog.locator('[data-testid="submit-proposal"]').isDisabled()).toBe(true) // nothing changed yet
    await dialog.locator('input[name="typicalValue"]').fill('6')
    await dialog.locator('textarea[name="reason"]').fill('每季度至少召开一次，另加年中、年末总结会')
    await dialog.locator('[data-testid="submit-proposal"]').click()
    await panel.locator('[data-testid="proposal-sent"]').waitFor(WAIT)

    const fin = await openLibrary('caizheng')
    await fin.page.click('[data-testid="proposals-button"]')
    const card = fin.page.locator('[data-testid="proposals-dialog"] [data-testid="proposal"][data-kind="change"]').first()
    await card.waitFor(WAIT)
    expect(await card.locator('[data-testid="proposal-name"]').textContent()).toBe('召开会议场次')
    const row = card.locator('tr[data-field="typicalValue"]')
    expect(await row.locator('.tp-current').textContent()).toBe('4')
    expect(await row.locator('.tp-proposed').textContent()).toBe('6')
    expect(await card.locator('tbody tr').count()).toBe(1) // only the changed field
    await card.locator('[data-testid="reject-proposal"]').click()
    expect(await card.locator('[data-testid="decide-error"]').textContent()).toContain('不采纳须填写处理意见')
    await card.locator('textarea[name="decisionReason"]').fill('会议场次以精简为原则，维持 4 场')
    await card.locator('[data-testid="reject-proposal"]').click()
    await fin.page.waitForFunction(() => document.querySelector('[data-testid="proposals-dialog"] [data-kind="change"] [data-testid="proposal-status"]')?.textContent === '未采纳', null, WAIT)

    await dept.page.click('[data-testid="my-proposals"]')
    const mine = dept.page.locator('[data-testid="proposals-dialog"] [data-testid="proposal"][data-kind="change"]').first()
    await mine.locator('[data-testid="proposal-outcome"]').waitFor(WAIT)
    expect(await mine.locator('[data-testid="proposal-outcome"]').textContent()).toContain('处理意见：会议场次以精简为原则，维持 4 场')
    await shot(dept.page, '5-declined')
    expect(dept.errors).toEqual([])
    expect(fin.errors).toEqual([])
    await dept.ctx.close()
    await fin.ctx.close()
  }, 60_000)
})
