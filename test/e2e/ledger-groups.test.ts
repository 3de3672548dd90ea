// 同质化部门组 on /ledger, by a consultant, in Chromium against the real server (PGlite, demo city) and the built
// client: finance assigns three departments to a new consultant firm for 2033 on /admin (民进, whose table holds
// the set; 城市管理局, which has no table yet; 机关事务管理局); the firm's user opens /ledger and its groups section
// offers exactly those three departments as members and sources (民政局 and the units are not offered). Finance
// then takes 机关事务管理局 back while the page is open: the firm's group with it is refused and the server's
// message shows under 成员. Without it the group is created, previewed (城市管理局: a new table with the set),
// confirmed, and 城市管理局's new table shows the indicator in its grid. A group of finance's (民政局, 教育局) is not
// listed to the firm; the firm edits (renames) its own group, offered its own departments only.
// Screenshots: test-artifacts/ledger-groups{-form,}.png.
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page, Response } from 'playwright-core'
import { DEMO_PASSWORD } from '../../server/bootstrap/demo-city.ts'
import { ARTIFACTS, collectErrors, signIn } from '../helpers/browser.ts'
import { cellValue, findCell } from '../helpers/browser-grid.ts'
import { startBrowserApp, type BrowserApp } from '../helpers/browser-app.ts'
import { loadSample } from '../helpers/samples.ts'
import type { RunningServer } from '../helpers/server.ts'

const WAIT = { timeout: 30_000 }
const YEAR = 2033
const FIRM = '南江同质化评价中心'
const MINJIN = '中国民主促进会南江市委员会'
const CITY = '南江市城市管理局'
const AFFAIRS = '南江市机关事务管理局'

let app: BrowserApp | undefined
let server: RunningServer
let browser: Browser
const contexts: BrowserContext[] = []
let cityId: string
let affairsId: string

beforeAll(async () => {
  app = await startBrowserApp()
  server = app.server
  browser = app.browser
  await server.storage.users.create({ username: 'firm8', password: DEMO_PASSWORD, displayName: FIRM, role: 'consultant' })
  cityId = (await server.storage.departments.getByCode('135'))!.id
  affairsId = (await server.storage.departments.getByCode('131'))!.id
  const finance = await server.login('caizheng')
  const minjinId = (await server.storage.departments.getByCode('152'))!.id
  const content = { ...(loadSample('S06') as Record<string, unknown>), year: YEAR }
  const created = await server.api('POST', '/api/tables', finance, { kind: 'department', template: 'mof2015-dept', year: YEAR, departmentId: minjinId, content })
  expect(created.status).toBe(201)
}, 240_000)

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined)
  await app?.close()
})

async function person(expected?: (r: Response) => boolean): Promise<{ page: Page; errors: string[] }> {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'zh-CN' })
  contexts.push(ctx)
  const page = await ctx.newPage()
  return { page, errors: collectErrors(page, { expected }) }
}

describe('groups on the work ledger', () => {
  it('a consultant groups its own departments on /ledger, previews and propagates the set into a member’s new table', async () => {
    // ---- finance: /admin, three departments for the firm ---------------------------------------------
    const { page: fin, errors: finErrors } = await person()
    await fin.goto(`${server.httpUrl}/admin`)
    await signIn(fin, 'caizheng')
    await fin.waitForURL(/\/admin$/, WAIT)
    await fin.fill('[data-testid="admin-year"]', String(YEAR))
    for (const name of [MINJIN, CITY, AFFAIRS]) {
      const select = fin.locator(`select[aria-label="${name}的第三方机构"]`)
      await select.waitFor(WAIT)
      await fin.waitForFunction((n) => [...document.querySelectorAll(`select[aria-label="${n}的第三方机构"] option`)].some((o) => o.textContent === '南江同质化评价中心'), name, WAIT)
      await select.selectOption({ label: FIRM })
      await fin.waitForSelector(`text=已将${name}分配给${FIRM}`, WAIT)
    }

    // ---- the consultant: /ledger ---------------------------------------------------------------------
    // the group with a department taken back is refused on purpose (403)
    const { page, errors } = await person((r) => r.status() === 403 && r.url().endsWith('/api/groups'))
    await page.goto(`${server.httpUrl}/ledger?year=${YEAR}`)
    await signIn(page, 'firm8')
    await page.waitForSelector('[data-testid="ledger"]', WAIT)
    const section = page.locator('section[aria-label="同质化部门组与示范点"]')
    await section.waitFor(WAIT)
    expect(await section.locator('h2').textContent()).toBe(`${YEAR} 年同质化部门组与示范点`)
    expect(await section.textContent()).toContain(`成员只能选择本机构 ${YEAR} 年负责的部门。`)
    expect(await section.textContent()).toContain('本年度还没有组。')
    const form = section.locator('form[aria-label="新建组"]')
    await form.waitFor(WAIT)
    const members = form.locator('[data-testid="group-members"]')
    // exactly the firm's departments: not 民政局, not the other departments, units or towns of the city
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="group-members"] input[type="checkbox"]').length > 0, null, WAIT)
    expect((await members.locator('label').allTextContents()).map((t) => t.trim()).sort()).toEqual([MINJIN, CITY, AFFAIRS].sort())
    expect(await members.getByLabel('南江市民政局').count()).toBe(0)
    const sourceNames = await form.locator('[data-testid="group-source-department"] option').allTextContents()
    expect(sourceNames.sort()).toEqual(['请选择', MINJIN, CITY, AFFAIRS].sort())
    await page.screenshot({ path: path.join(ARTIFACTS, 'ledger-groups-form.png'), fullPage: true })

    // finance takes 机关事务管理局 back while the page is open: the server refuses the group and says why
    const finance = await server.login('caizheng')
    expect((await server.api('DELETE', `/api/assignments?year=${YEAR}&departmentId=${affairsId}`, finance)).status).toBe(204)
    await page.fill('[data-testid="group-name"]', '党派与城管')
    await members.getByLabel(MINJIN).check()
    await members.getByLabel(AFFAIRS).check()
    await form.getByRole('button', { name: '新建' }).click()
    const refused = form.locator('[data-testid="group-error-departmentIds"]')
    await refused.waitFor(WAIT)
    expect(await refused.textContent()).toBe(`第三方机构只能管理本机构 ${YEAR} 年负责的部门：${AFFAIRS}不由本机构负责`)
    expect(await server.storage.groups.list({ year: YEAR })).toEqual([])

    // without it: 民进 (the source) and 城市管理局
    await members.getByLabel(AFFAIRS).uncheck()
    await members.getByLabel(CITY).check()
    await page.selectOption('[data-testid="group-source-department"]', { label: MINJIN })
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="group-source-table"] option').length >= 2, null, WAIT)
    await page.selectOption('[data-testid="group-source-table"]', { index: 1 })
    await form.getByRole('button', { name: '新建' }).click()
    await page.waitForSelector('text=已新建“党派与城管”（2 个成员）', WAIT)
    expect(await refused.count()).toBe(0)
    const row = section.locator('[data-testid="groups"] tr[data-group="党派与城管"]')
    expect(await row.locator('td').nth(2).textContent()).toBe(`${CITY}、${MINJIN}`)

    // 预览 writes nothing
    await row.getByRole('button', { name: '预览' }).click()
    const report = section.locator('[data-testid="propagation-report"]')
    await report.waitFor(WAIT)
    expect(await report.locator('h3').textContent()).toBe('预览：“党派与城管”下发 13 项指标')
    const target = report.locator(`tr[data-member="${CITY}"]`)
    expect(await target.getAttribute('data-outcome')).toBe('created')
    expect(await target.textContent()).toContain('将新建表')
    expect(await report.locator(`tr[data-member="${MINJIN}"]`).textContent()).toContain('来源表所在部门，无需下发')
    await target.getByRole('button', { name: /明细/ }).click()
    expect(await report.locator('tr.ta-item[data-op="add"]').count()).toBe(13)
    expect(await server.storage.tables.list({ year: YEAR, departmentId: cityId })).toHaveLength(0)
    await page.screenshot({ path: path.join(ARTIFACTS, 'ledger-groups.png'), fullPage: true })

    // 确认下发
    await report.getByRole('button', { name: '确认下发' }).click()
    await page.waitForSelector('text=已下发：“党派与城管”的 13 项指标', WAIT)
    expect(await report.locator(`tr[data-member="${CITY}"]`).textContent()).toContain('已新建表')
    await page.waitForFunction(() => !document.querySelector('[data-testid="groups"] tr[data-group="党派与城管"]')?.textContent?.includes('尚未下发'), null, WAIT)

    // the member's new table, opened by the consultant, holds the set
    const [made] = await server.storage.tables.list({ year: YEAR, departmentId: cityId })
    expect(made).toBeTruthy()
    await page.goto(`${server.httpUrl}/tables/${made!.id}`)
    await page.waitForFunction(() => (window as any).__tt?.ready === true, null, WAIT)
    const at = await findCell(page, '提交集体提案数量')
    const value = await cellValue(page, 0, at)
    expect(value).toBe('提交集体提案数量')
    expect(await page.evaluate(() => (window as any).__tt.json().header.deptName)).toBe(CITY)
    expect(errors).toEqual([])
    expect(finErrors).toEqual([])
  })

  it('lists only the firm’s groups on /ledger and edits one with the firm’s departments only', async () => {
    // finance's group of 民政局 and 教育局 (not the firm's) is not the firm's to see
    const finance = await server.login('caizheng')
    const [civilId, educationId] = [(await server.storage.departments.getByCode('120'))!.id, (await server.storage.departments.getByCode('105'))!.id]
    expect((await server.api('POST', '/api/groups', finance, { name: '民政与教育', kind: 'homogeneous', year: YEAR, departmentIds: [civilId, educationId] })).status).toBe(201)

    const { page, errors } = await person()
    await page.goto(`${server.httpUrl}/ledger?year=${YEAR}`)
    await signIn(page, 'firm8')
    const rows = page.locator('[data-testid="groups"] tbody tr')
    await page.locator('[data-testid="groups"] tr[data-group="党派与城管"]').waitFor(WAIT)
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-group')))).toEqual(['党派与城管'])

    await page.locator('[data-testid="groups"] tr[data-group="党派与城管"]').getByRole('button', { name: '编辑' }).click()
    const form = page.locator('form[data-testid="group-edit"]')
    await form.waitFor(WAIT)
    // 机关事务管理局 was taken back: the firm's two departments, both members
    const members = form.locator('[data-testid="group-members"]')
    expect((await members.locator('label').allTextContents()).map((t) => t.trim()).sort()).toEqual([MINJIN, CITY].sort())
    expect(await members.getByLabel(MINJIN).isChecked()).toBe(true)
    expect(await members.getByLabel(CITY).isChecked()).toBe(true)
    expect(await form.locator('[data-testid="group-source-department"]').evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.textContent)).toBe(MINJIN)
    await form.locator('[data-testid="group-name"]').fill('党派与城管（二）')
    await form.getByRole('button', { name: '保存' }).click()
    await form.waitFor({ state: 'detached', ...WAIT })
    await page.locator('[data-testid="groups"] tr[data-group="党派与城管（二）"]').waitFor(WAIT)
    const stored = (await server.storage.groups.list({ year: YEAR })).map((g) => g.name).sort()
    expect(stored).toEqual(['党派与城管（二）', '民政与教育'].sort())
    expect(errors).toEqual([])
  })
})
