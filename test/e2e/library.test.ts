// The /library page in Chromium against the real server (PGlite, demo city, the seeded library) and the
// built client: finance reaches it from the app bar, types `myd` and sees 满意度 entries with why they
// matched (and the URL keeping q), narrows to 一级 满意度指标 from the tree, opens an entry, is refused by
// the server when blanking 三级指标 (the message beside that field), saves a change with a reason and
// reads it in the history (who, why, before → after); 教育局's department user opens the same entry
// read-only (no 编辑, no 新增指标). Screenshots in test-artifacts/library-*.png.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { ARTIFACTS, clientCopy, collectErrors, releaseBrowser, sharedBrowser, signIn } from '../helpers/browser.ts'
import { startServer, type RunningServer } from '../helpers/server.ts'

const WAIT = { timeout: 20_000 }

let server: RunningServer
let browser: Browser
let clientDir: string

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

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `library-${name}.png`), fullPage: false })
const rowNames = (page: Page) => page.locator('[data-testid="indicator-row"] .tl-hit-name').allTextContents()

describe('the indicator library page', () => {
  let openedId = ''

  it('finance searches by pinyin initials, filters by 一级, edits an entry with a reason and reads the history', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
    const page = await ctx.newPage()
    // the blanked 三级指标 is refused on purpose
    const errors = collectErrors(page, { expected: (r) => r.status() === 400 && r.request().method() === 'PATCH' })
    await page.goto(`${server.httpUrl}/tables`)
    await signIn(page, 'caizheng')
    await page.click('.tt-nav a[href="/library"]', WAIT)
    await page.waitForURL(/\/library$/, WAIT)
    await page.waitForSelector('[data-testid="indicator-row"]', WAIT)
    const everything = Number((await page.textContent('[data-testid="indicator-total"]'))!.replace(/\D/g, ''))
    expect(everything).toBeGreaterThanOrEqual(218)
    // the tree counts: 全部指标 carries the same total
    await page.waitForFunction((n) => document.querySelector('[data-testid="level-tree"] .tl-node .tl-count')?.textContent === n.toLocaleString('zh-CN'), everything, WAIT)
    await shot(page, '1-browse')

    // paging: 加载更多 appends the next page under the same total
    expect(await page.locator('[data-testid="indicator-row"]').count()).toBe(30)
    await page.click('[data-testid="load-more"]')
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="indicator-row"]').length === 60, null, WAIT)
    expect(new Set(await page.locator('[data-testid="indicator-row"]').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-id')))).size).toBe(60)

    // the 功能分类 tree: 205 教育支出 keeps the entries for every class and those for education
    await page.click('[data-testid="class-tree"] [data-class="205"]')
    await page.waitForURL(/functionalClass=205/, WAIT)
    await page.waitForFunction((n) => {
      const t = Number((document.querySelector('[data-testid="indicator-total"]')?.textContent ?? '').replace(/\D/g, ''))
      return !document.querySelector('.tl-list[aria-busy]') && t > 0 && t < n
    }, everything, WAIT)
    await page.click('[data-testid="class-tree"] .tl-unset')
    await page.waitForURL(/\/library$/, WAIT)

    // search as you type: myd → 满意度, each hit saying why
    await page.fill('input[name="q"]', 'myd')
    await page.waitForURL(/[?&]q=myd/, WAIT)
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid="indicator-row"]')]
      return !document.querySelector('.tl-list[aria-busy]') && rows.length > 0 && rows.every((r) => r.querySelector('[data-testid="matched"]'))
    }, null, WAIT)
    const names = await rowNames(page)
    expect(names.length).toBeGreaterThan(0)
    expect(names[0]).toContain('满意度')
    expect(names.filter((n) => n.includes('满意')).length).toBeGreaterThanOrEqual(Math.min(names.length, 5))
    const reasons = await page.locator('[data-testid="indicator-row"]').first().locator('.tl-reason').allTextContents()
    expect(reasons.join(' ')).toMatch(/myd|拼音/)
    const searched = Number((await page.textContent('[data-testid="indicator-total"]'))!.replace(/\D/g, ''))
    expect(searched).toBeLessThan(everything)
    await shot(page, '2-search-myd')

    // narrow by 一级 from the tree: the URL keeps both, every row is under 满意度指标
    await page.click('[data-testid="level-tree"] [data-level1="满意度指标"]')
    await page.waitForURL(/level1=/, WAIT)
    expect(new URL(page.url()).searchParams.get('q')).toBe('myd')
    await page.waitForFunction(() => !document.querySelector('.tl-list[aria-busy]') &&
      [...document.querySelectorAll('[data-testid="indicator-row"] .tl-hit-meta')].every((m) => m.textContent!.startsWith('满意度指标')), null, WAIT)
    expect(await page.locator('[data-testid="indicator-row"]').count()).toBeGreaterThan(0)

    // open the first entry in the side panel
    const first = page.locator('[data-testid="indicator-row"]').first()
    openedId = (await first.getAttribute('data-id'))!
    const name = (await first.locator('.tl-hit-name').textContent())!.replace('★', '')
    await first.click()
    const panel = page.locator('[data-testid="indicator-panel"]')
    await panel.locator('[data-testid="indicator-fields"]').waitFor(WAIT)
    expect(await panel.locator('[data-testid="panel-title"]').textContent()).toContain(name)
    expect(new URL(page.url()).searchParams.get('id')).toBe(openedId)
    const oldValue = (await panel.locator('[data-field="typicalValue"] dd').textContent())!.trim()
    await shot(page, '3-entry')

    // edit: a blank 三级指标 is refused by the server, its message beside the field
    await panel.locator('[data-testid="edit-indicator"]').click()
    const form = panel.locator('[data-testid="edit-form"]')
    await form.locator('input[name="level3"]').fill('')
    await form.locator('textarea[name="reason"]').fill('依据 2026 年满意度调查标准调整目标值')
    await form.locator('[data-testid="save-indicator"]').click()
    await form.locator('[data-testid="error-level3"]').waitFor(WAIT)
    expect(await form.locator('[data-testid="error-level3"]').textContent()).toContain('三级指标')
    await shot(page, '4-refused')

    // then a real change with its reason
    const newValue = oldValue === '92' ? '93' : '92'
    await form.locator('input[name="level3"]').fill(name)
    await form.locator('input[name="typicalValue"]').fill(newValue)
    await form.locator('[data-testid="save-indicator"]').click()
    await panel.locator('[data-testid="saved"]').waitFor(WAIT)
    expect((await panel.locator('[data-field="typicalValue"] dd').textContent())!.trim()).toBe(newValue)
    const line = panel.locator('[data-testid="history-line"]').first()
    const text = (await line.textContent())!
    expect(text).toContain('李敏')
    expect(text).toContain('依据 2026 年满意度调查标准调整目标值')
    expect(text).toContain('指标值')
    expect(await line.locator('del').first().textContent()).toBe(oldValue || '（空）')
    expect(await line.locator('ins').first().textContent()).toBe(newValue)
    // the list row follows
    expect(await page.locator(`[data-testid="indicator-row"][data-id="${openedId}"] .tl-hit-value`).textContent()).toContain(newValue)
    await shot(page, '5-history')

    // and the server kept it
    const token = await server.login('caizheng')
    const stored = await server.api('GET', `/api/indicators/${encodeURIComponent(openedId)}`, token)
    expect(stored.body.indicator.typicalValue).toBe(newValue)
    expect(stored.body.history[0].reason).toBe('依据 2026 年满意度调查标准调整目标值')

    // 新增指标: the new entry opens in the panel with its creation in the history
    await page.click('[data-testid="new-indicator"]')
    const dialog = page.locator('[data-testid="new-indicator-dialog"]')
    await dialog.locator('select[name="level2"]').selectOption('质量指标')
    await dialog.locator('input[name="level3"]').fill('课后服务学生参与率')
    await dialog.locator('input[name="typicalValue"]').fill('80')
    await dialog.locator('input[name="unit"]').fill('%')
    await dialog.locator('input[name="functionalClasses"]').fill('20502')
    await dialog.locator('button[type="submit"]').click()
    await dialog.waitFor({ state: 'detached', ...WAIT })
    await page.waitForFunction(() => document.querySelector('[data-testid="panel-title"]')?.textContent === '课后服务学生参与率', null, WAIT)
    expect(await panel.locator('[data-field="functionalClasses"] dd').textContent()).toBe('20502 普通教育')
    expect(await panel.locator('[data-testid="history-line"]').first().textContent()).toMatch(/李敏.*新增指标/)
    const createdId = new URL(page.url()).searchParams.get('id')!
    expect((await server.api('GET', `/api/indicators/${encodeURIComponent(createdId)}`, token)).body.indicator).toMatchObject({ level1: '产出指标', level2: '质量指标', typicalValue: '80', scope: 'common' })
    await shot(page, '7-created')
    expect(errors).toEqual([])
    await ctx.close()
  }, 60_000)

  it('a department user reads an entry without an edit button', async () => {
    expect(openedId).not.toBe('')
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
    const page = await ctx.newPage()
    const errors = collectErrors(page)
    await page.goto(`${server.httpUrl}/library?q=${encodeURIComponent('满意度')}&id=${encodeURIComponent(openedId)}`)
    await signIn(page, 'jiaoyu')
    await page.waitForURL(/\/library\?/, WAIT)
    const panel = page.locator('[data-testid="indicator-panel"]')
    await panel.locator('[data-testid="indicator-fields"]').waitFor(WAIT)
    await page.waitForSelector('[data-testid="indicator-row"] [data-testid="matched"]', WAIT)
    expect(await page.inputValue('input[name="q"]')).toBe('满意度')
    await panel.locator('[data-testid="read-only"]').waitFor(WAIT)
    expect(await panel.locator('[data-testid="edit-indicator"]').count()).toBe(0)
    expect(await page.locator('[data-testid="new-indicator"]').count()).toBe(0)
    expect(await panel.locator('[data-testid="history-line"]').count()).toBeGreaterThan(0)
    await shot(page, '6-department')

    // a search of punctuation only finds nothing and says so
    await page.click('[data-testid="indicator-panel"] button[aria-label="关闭"]')
    await page.fill('input[name="q"]', '？？！')
    await page.waitForSelector('[data-testid="no-indicators"]', WAIT)
    expect(await page.textContent('[data-testid="no-indicators"]')).toContain('没有找到与“？？！”相关的指标')
    expect(new URL(page.url()).searchParams.has('id')).toBe(false)
    expect(errors).toEqual([])
    await ctx.close()
  }, 40_000)
})
