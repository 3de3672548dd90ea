// 同质化部门组 on /admin in Chromium against the real server (PGlite, demo city) and the built client: finance
// creates a 民主党派 group for 2032 (民进, whose table holds the set, and 民建, which has no table yet), previews
// (民建: a new table with the set; 民进: the source, skipped), confirms, opens 民建's new table and reads the
// indicator in its grid through univerAPI. Then finance edits a group (编辑): a name another group has is refused
// under 组名 with the server's message, a new name and an added member are saved and the list shows them.
// Screenshot in test-artifacts/admin-groups.png.
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { ARTIFACTS, collectErrors, signIn } from '../helpers/browser.ts'
import { cellValue, findCell } from '../helpers/browser-grid.ts'
import { startBrowserApp, type BrowserApp } from '../helpers/browser-app.ts'
import { loadSample } from '../helpers/samples.ts'
import type { RunningServer } from '../helpers/server.ts'

const WAIT = { timeout: 30_000 }
const YEAR = 2032

let server: RunningServer
let browser: Browser
let app: BrowserApp | undefined
let minjian: string

beforeAll(async () => {
  app = await startBrowserApp()
  server = app.server
  browser = app.browser
  minjian = (await server.storage.departments.create({ code: '153', name: '中国民主建国会南江市委员会', kind: 'department' })).id
  const finance = await server.login('caizheng')
  const departmentId = (await server.storage.departments.getByCode('152'))!.id
  const content = { ...(loadSample('S06') as Record<string, unknown>), year: YEAR }
  const created = await server.api('POST', '/api/tables', finance, { kind: 'department', template: 'mof2015-dept', year: YEAR, departmentId, content })
  expect(created.status).toBe(201)
}, 240_000)

afterAll(async () => {
  await app?.close()
})

describe('groups on the admin page', () => {
  it('creates a group, previews, propagates, and the member’s new table shows the indicator in the grid', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'zh-CN' })
    const page = await ctx.newPage()
    const errors = collectErrors(page)
    await page.goto(`${server.httpUrl}/admin`)
    await signIn(page, 'caizheng')
    await page.waitForURL(/\/admin$/, WAIT)
    await page.fill('[data-testid="admin-year"]', String(YEAR))
    const form = page.locator('form[aria-label="新建组"]')
    await form.waitFor(WAIT)
    await page.fill('[data-testid="group-name"]', '民主党派')
    const members = page.locator('[data-testid="group-members"]')
    await members.getByLabel('中国民主促进会南江市委员会').check(WAIT)
    await members.getByLabel('中国民主建国会南江市委员会').check()
    await page.selectOption('[data-testid="group-source-department"]', { label: '中国民主促进会南江市委员会' })
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="group-source-table"] option').length >= 2, null, WAIT)
    await page.selectOption('[data-testid="group-source-table"]', { index: 1 })
    await form.getByRole('button', { name: '新建' }).click()
    await page.waitForSelector('text=已新建“民主党派”（2 个成员）', WAIT)
    const row = page.locator('[data-testid="groups"] tr[data-group="民主党派"]')
    expect(await row.textContent()).toContain('中国民主促进会南江市委员会、中国民主建国会南江市委员会')

    await row.getByRole('button', { name: '预览' }).click()
    const report = page.locator('[data-testid="propagation-report"]')
    await report.waitFor(WAIT)
    expect(await report.locator('h3').textContent()).toBe('预览：“民主党派”下发 13 项指标')
    const target = report.locator('tr[data-member="中国民主建国会南江市委员会"]')
    expect(await target.getAttribute('data-outcome')).toBe('created')
    expect(await target.textContent()).toContain('将新建表')
    expect(await report.locator('tr[data-member="中国民主促进会南江市委员会"]').textContent()).toContain('来源表所在部门，无需下发')
    await target.getByRole('button', { name: /明细/ }).click()
    expect(await report.locator('tr.ta-item[data-op="add"]').count()).toBe(13)
    expect(await report.textContent()).toContain('提交集体提案数量')
    // a preview writes nothing
    expect(await server.storage.tables.list({ year: YEAR, departmentId: minjian })).toHaveLength(0)
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-groups.png'), fullPage: true })

    await report.getByRole('button', { name: '确认下发' }).click()
    await page.waitForSelector('text=已下发：“民主党派”的 13 项指标', WAIT)
    expect(await report.locator('tr[data-member="中国民主建国会南江市委员会"]').textContent()).toContain('已新建表')
    await page.waitForFunction(() => !document.querySelector('[data-testid="groups"] tr[data-group="民主党派"]')?.textContent?.includes('尚未下发'), null, WAIT)

    const [made] = await server.storage.tables.list({ year: YEAR, departmentId: minjian })
    expect(made).toBeTruthy()
    await page.goto(`${server.httpUrl}/tables/${made!.id}`)
    await page.waitForFunction(() => (window as any).__tt?.ready === true, null, WAIT)
    const at = await findCell(page, '提交集体提案数量')
    const value = await cellValue(page, 0, at)
    expect(value).toBe('提交集体提案数量')
    expect(await page.evaluate(() => (window as any).__tt.json().header.deptName)).toBe('中国民主建国会南江市委员会')
    expect(errors).toEqual([])
    await ctx.close()
  })

  it('edits a group: a taken name is refused under 组名, a new name and an added member show in the list', async () => {
    const finance = await server.login('caizheng')
    const made = async (code: string, name: string) => (await server.storage.departments.create({ code, name, kind: 'department' })).id
    const [a, b, c, d] = [await made('154', '编辑测试甲局'), await made('155', '编辑测试乙局'), await made('156', '编辑测试丙局'), await made('157', '编辑测试丁局')]
    const first = await server.api('POST', '/api/groups', finance, { name: '编辑组一', kind: 'homogeneous', year: YEAR, departmentIds: [a, b] })
    expect(first.status).toBe(201)
    expect((await server.api('POST', '/api/groups', finance, { name: '编辑组二', kind: 'homogeneous', year: YEAR, departmentIds: [c] })).status).toBe(201)

    const ctx = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'zh-CN' })
    const page = await ctx.newPage()
    const errors = collectErrors(page, { expected: (r) => r.status() === 409 && r.url().includes('/api/groups/') })
    await page.goto(`${server.httpUrl}/admin`)
    await signIn(page, 'caizheng')
    await page.waitForURL(/\/admin$/, WAIT)
    await page.fill('[data-testid="admin-year"]', String(YEAR))
    const row = page.locator('[data-testid="groups"] tr[data-group="编辑组一"]')
    await row.getByRole('button', { name: '编辑' }).click(WAIT)
    const form = page.locator('form[data-testid="group-edit"]')
    await form.waitFor(WAIT)
    expect(await form.locator('h3').textContent()).toBe('编辑“编辑组一”')
    const name = form.locator('[data-testid="group-name"]')
    expect(await name.inputValue()).toBe('编辑组一')
    const members = form.locator('[data-testid="group-members"]')
    expect(await members.getByLabel('编辑测试甲局').isChecked()).toBe(true)
    expect(await members.getByLabel('编辑测试乙局').isChecked()).toBe(true)
    expect(await members.getByLabel('编辑测试丁局').isChecked()).toBe(false)

    // another group's name: the server's message under 组名, nothing saved
    await name.fill('编辑组二')
    await form.getByRole('button', { name: '保存' }).click()
    const nameError = form.locator('[data-testid="group-error-name"]')
    await nameError.waitFor(WAIT)
    expect(await nameError.textContent()).toBe('本年度已有同名的组，请换一个组名')
    expect((await server.storage.groups.get(first.body.id))?.name).toBe('编辑组一')

    await name.fill('编辑组三')
    await members.getByLabel('编辑测试丁局').check()
    await form.getByRole('button', { name: '保存' }).click()
    await form.waitFor({ state: 'detached', ...WAIT })
    const renamed = page.locator('[data-testid="groups"] tr[data-group="编辑组三"]')
    await renamed.waitFor(WAIT)
    expect(await renamed.locator('td').nth(2).textContent()).toBe('编辑测试甲局、编辑测试乙局、编辑测试丁局')
    expect(await page.locator('[data-testid="groups"] tr[data-group="编辑组一"]').count()).toBe(0)
    // stored, not only shown: a fresh list answers the same
    await page.reload()
    await page.fill('[data-testid="admin-year"]', String(YEAR))
    const reloaded = page.locator('[data-testid="groups"] tr[data-group="编辑组三"]')
    await reloaded.waitFor(WAIT)
    expect(await reloaded.locator('td').nth(2).textContent()).toBe('编辑测试甲局、编辑测试乙局、编辑测试丁局')
    expect(errors).toEqual([])
    await ctx.close()
  })
})
