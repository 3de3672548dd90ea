// A consultant (第三方机构) with no department of its own creates a table in Chromium against the real server
// (PGlite, demo city, built client): finance assigns 城市管理局 to it for the budget year Y and 人民政府办公室
// for Y+1 only (POST /api/assignments); on /tables the consultant gets 新建, the dialog offers for Y exactly
// 城市管理局 with its unit and for Y+1 exactly the other (a choice not offered for the year is dropped, and
// comes back with the year), nothing for Y+2 with a hint; 导入 Excel offers the same; it creates a project
// table in the unit for Y and lands in the grid. The server stays the authority: it refuses the consultant a
// table of Y+1 in 城市管理局. Screenshots in test-artifacts/consultant-create-*.png.
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Locator, Page } from 'playwright-core'
import { DEMO_PASSWORD } from '../../server/bootstrap/demo-city.ts'
import { ARTIFACTS, collectErrors, signIn } from '../helpers/browser.ts'
import { startBrowserApp, type BrowserApp } from '../helpers/browser-app.ts'
import type { RunningServer } from '../helpers/server.ts'

const WAIT = { timeout: 30_000 }
/** the dialog's default year (FilterBar budgetYear: next calendar year) */
const Y = new Date().getFullYear() + 1
const PROJECT = '城市道路绿化养护项目'

let app: BrowserApp | undefined
let server: RunningServer
let finance: string
let firm: string
const dept: Record<string, string> = {}

beforeAll(async () => {
  app = await startBrowserApp()
  server = app.server
  finance = await server.login('caizheng')
  for (const code of ['135', '135001', '103', '103001']) dept[code] = (await server.storage.departments.getByCode(code))!.id
  const firmId = (await server.storage.users.create({ username: 'firm-e2e', password: DEMO_PASSWORD, displayName: '南江绩效评价咨询公司', role: 'consultant' })).id
  for (const [year, code] of [[Y, '135'], [Y + 1, '103']] as const) {
    const r = await server.api('POST', '/api/assignments', finance, { year, consultantId: firmId, departmentIds: [dept[code]], difficulty: 'low' })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
  }
  firm = await server.login('firm-e2e')
}, 240_000)

afterAll(async () => {
  await app?.close()
})

/** The department choices a dialog's select offers, as [value, label] (the placeholder left out). */
const choices = (select: Locator) => select.locator('option').evaluateAll((els) =>
  els.map((e) => [(e as HTMLOptionElement).value, e.textContent!.replace(/[\u3000└ ]/g, '')]).filter(([v]) => v))

/** Types a year into a dialog and waits until its select offers `want` (the assignments of that year are read). */
async function yearOffers(page: Page, dialog: Locator, year: number, want: string[][]): Promise<void> {
  await dialog.locator('input[name="year"]').fill(String(year))
  const select = dialog.locator('select[name="departmentId"]')
  await page.waitForFunction(({ sel, want }) => {
    const el = document.querySelector(sel) as HTMLSelectElement | null
    const got = el ? [...el.options].filter((o) => o.value).map((o) => [o.value, o.textContent!.replace(/[\u3000└ ]/g, '')]) : []
    return JSON.stringify(got) === JSON.stringify(want)
  }, { sel: `[data-testid="${await dialog.getAttribute('data-testid')}"] select[name="departmentId"]`, want }, WAIT)
  expect(await choices(select)).toEqual(want)
}

describe('a consultant with assignments but no memberships on /tables', () => {
  it('is offered exactly the year’s assigned departments, creates a table in one and lands in its grid', async () => {
    const ctx = await app!.browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
    const page = await ctx.newPage()
    // the one refusal expected: the year 1999 typed below, which the server's assignment list refuses
    const errors = collectErrors(page, { expected: (r) => r.status() === 400 && r.url().includes('/api/assignments?year=1999') })
    await page.goto(`${server.httpUrl}/tables`)
    await signIn(page, 'firm-e2e')
    await page.waitForURL(/\/tables$/, WAIT)
    const ofY = [[dept['135']!, '南江市城市管理局'], [dept['135001']!, '南江市园林绿化服务中心']]
    const ofNext = [[dept['103']!, '南江市人民政府办公室'], [dept['103001']!, '南江市政务服务数据管理局']]

    // 导入 Excel asks the same question
    await page.click('[data-testid="import-tables"]', WAIT)
    const imp = page.locator('[data-testid="import-tables-dialog"]')
    await imp.waitFor(WAIT)
    await yearOffers(page, imp, Y + 1, ofNext)
    await yearOffers(page, imp, Y, ofY)
    await imp.locator('button:has-text("取消")').click()
    await imp.waitFor({ state: 'detached', ...WAIT })

    await page.click('button:has-text("新建绩效目标表")', WAIT)
    const dialog = page.locator('[data-testid="create-dialog"]')
    await dialog.waitFor(WAIT)
    expect(await dialog.locator('input[name="year"]').inputValue()).toBe(String(Y))
    await yearOffers(page, dialog, Y, ofY)
    const select = dialog.locator('select[name="departmentId"]')
    await select.selectOption(dept['135001']!)
    await shot(page, 'dialog')

    // Y+1: only that year's department; the choice made for Y is not carried over
    await yearOffers(page, dialog, Y + 1, ofNext)
    expect(await select.inputValue()).toBe('')
    // a year with no assignment: nothing, and why
    await yearOffers(page, dialog, Y + 2, [])
    expect(await dialog.locator('[data-testid="no-departments"]').textContent()).toBe(`${Y + 2} 年度没有分配给您的部门，请改选年度，或请财政局在第三方机构分工中分配`)
    await shot(page, 'no-departments')
    // a year the server refuses: the dialog says why instead of reading for ever
    await dialog.locator('input[name="year"]').fill('1999')
    const failed = dialog.locator('[data-testid="assignments-failed"]')
    await failed.waitFor(WAIT)
    expect(await failed.textContent()).toBe('读取分配给您的部门失败：预算年度（year）应在 2000–2100 之间')
    await shot(page, 'assignments-failed')
    expect(await choices(select)).toEqual([])
    await yearOffers(page, dialog, Y + 2, [])
    expect(await failed.count()).toBe(0)
    await dialog.locator('input[name="projectName"]').fill(PROJECT)
    await page.click('button:has-text("创建并打开")')
    expect(await dialog.locator('[data-field="departmentId"]').textContent()).toBe('请选择部门（departmentId）')

    // back to Y: the unit chosen before is offered and chosen again
    await yearOffers(page, dialog, Y, ofY)
    expect(await select.inputValue()).toBe(dept['135001'])
    expect(await dialog.locator('[data-testid="no-departments"]').count()).toBe(0)
    await page.click('button:has-text("创建并打开")')
    await page.waitForURL(/\/tables\/[^/?]+$/, WAIT)
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!)
    const created = (await server.api('GET', `/api/tables/${id}`, firm)).body
    expect({ kind: created.kind, year: created.year, departmentId: created.departmentId, status: created.status, title: created.title, edit: created.access.edit })
      .toEqual({ kind: 'project', year: Y, departmentId: dept['135001'], status: 'draft', title: PROJECT, edit: true })
    await page.waitForFunction((name) => {
      const sheet = (window as any).univerAPI?.getActiveWorkbook()?.getActiveSheet()
      if (!sheet) return false
      const values: unknown[][] = sheet.getRange(0, 0, Math.min(12, sheet.getMaxRows()), sheet.getMaxColumns()).getValues()
      return values.some((row) => row.includes(name))
    }, PROJECT, WAIT)
    await shot(page, 'grid')
    expect(errors).toEqual([])
    await ctx.close()
  })

  it('is refused by the server a table of a year its department is not assigned in, and nothing is stored', async () => {
    const before = (await server.api('GET', `/api/tables?limit=500`, finance)).body.total
    for (const [year, code] of [[Y + 1, '135'], [Y + 1, '135001'], [Y, '103'], [Y + 2, '135']] as const) {
      const r = await server.api('POST', '/api/tables', firm, { kind: 'project', template: 'local-simple', year, departmentId: dept[code], projectName: PROJECT })
      expect({ year, code, status: r.status, error: r.body.error?.code }).toEqual({ year, code, status: 403, error: 'forbidden' })
    }
    expect((await server.api('GET', `/api/tables?limit=500`, finance)).body.total).toBe(before)
    // and the year it is assigned is allowed (the refusals above are about the year, not the firm)
    const ok = await server.api('POST', '/api/tables', firm, { kind: 'project', template: 'local-simple', year: Y + 1, departmentId: dept['103'], projectName: PROJECT })
    expect(ok.status, JSON.stringify(ok.body)).toBe(201)
  })
})

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `consultant-create-${name}.png`) })
