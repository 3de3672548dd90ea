// Issue 16 "Done when", the browser half, against the real server (PGlite, demo city) and the built client in
// Chromium: finance assigns two departments to a new consultant firm on /admin for 2024 (the demo tables'
// year) and sets a deadline (a past date is refused with the server's message under the field); the firm's
// user sees exactly those two departments in /ledger and in /tables (its department filter and its rows) and
// raises one to 正式稿 by hand; finance's /overview shows the other one overdue (a past 征求意见 deadline is
// written through storage: the server refuses past dates over HTTP) and not the raised one, sorts, expands a
// department's units, opens the overdue department's tables from its name, and exports an xlsx that ExcelJS
// reads back. Screenshots: test-artifacts/workflow-{admin,ledger,overview}.png.
import path from 'node:path'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { DEMO_PASSWORD, DEMO_YEAR } from '../../server/bootstrap/demo-city.ts'
import { bureauDate } from '../../shared/workflow/stage.ts'
import { ARTIFACTS, collectErrors, signIn } from '../helpers/browser.ts'
import { startBrowserApp, type BrowserApp } from '../helpers/browser-app.ts'
import type { RunningServer } from '../helpers/server.ts'

const WAIT = { timeout: 30_000 }
const YEAR = DEMO_YEAR
const FIRM = '南江预算绩效评价中心'
const AGRI = '南江市农业农村局'
const CIVIL = '南江市民政局'

let app: BrowserApp | undefined
let server: RunningServer
let browser: Browser
const contexts: BrowserContext[] = []
let agriId: string
let civilId: string
/** the demo tables of the two departments in YEAR, as finance lists them over the API */
let theirTables: string[]

beforeAll(async () => {
  app = await startBrowserApp()
  server = app.server
  browser = app.browser
  await server.storage.users.create({ username: 'firm5', password: DEMO_PASSWORD, displayName: FIRM, role: 'consultant' })
  agriId = (await server.storage.departments.getByCode('121'))!.id
  civilId = (await server.storage.departments.getByCode('120'))!.id
  const finance = await server.login('caizheng')
  theirTables = []
  for (const id of [agriId, civilId]) {
    const r = await server.api('GET', `/api/tables?year=${YEAR}&departmentId=${id}&limit=100`, finance)
    expect(r.status).toBe(200)
    theirTables.push(...r.body.tables.map((t: { id: string }) => t.id))
  }
  expect(theirTables.length).toBeGreaterThanOrEqual(2)
}, 240_000)

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined)
  await app?.close()
})

async function person(): Promise<{ page: Page; errors: string[] }> {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', acceptDownloads: true })
  contexts.push(ctx)
  const page = await ctx.newPage()
  // the past deadline the test types on purpose is refused with 400
  const errors = collectErrors(page, { expected: (r) => r.status() === 400 && r.url().endsWith('/api/deadlines') })
  return { page, errors }
}

const rowOf = (page: Page, name: string) => page.locator(`[data-testid="overview"] tr[data-department="${name}"]`)

describe('the work ledger and the bureau overview', () => {
  it('finance assigns and sets deadlines, the consultant sees exactly its departments, finance sees who is late', async () => {
    // ---- finance: /admin ---------------------------------------------------------------------------
    const { page: fin, errors: finErrors } = await person()
    await fin.goto(`${server.httpUrl}/tables`)
    await signIn(fin, 'caizheng')
    await fin.waitForSelector('.tt-nav a[href="/overview"]', WAIT)
    expect(await fin.isVisible('.tt-nav a[href="/ledger"]')).toBe(true)
    await fin.click('.tt-nav a[href="/admin"]')
    await fin.waitForURL(/\/admin$/, WAIT)
    await fin.fill('[data-testid="admin-year"]', String(YEAR))
    await fin.waitForSelector('[data-testid="deadlines"] .ta-deadline[data-stage="draft"]', WAIT)
    // 资料收集 has no deadline: the rows are the four stages after it
    expect(await fin.locator('[data-testid="deadlines"] .ta-deadline').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-stage')))).toEqual(['draft', 'consultation', 'final', 'compiled'])
    for (const name of [AGRI, CIVIL]) {
      const select = fin.locator(`select[aria-label="${name}的第三方机构"]`)
      await select.waitFor(WAIT)
      await fin.waitForFunction((n) => [...document.querySelectorAll(`select[aria-label="${n}的第三方机构"] option`)].some((o) => o.textContent === '南江预算绩效评价中心'), name, WAIT)
      await select.selectOption({ label: FIRM })
      await fin.waitForSelector(`text=已将${name}分配给${FIRM}`, WAIT)
    }
    await fin.locator(`select[aria-label="${AGRI}的难度分类"]`).selectOption({ label: '难度较高' })
    await fin.waitForSelector(`text=已将${AGRI}分配给${FIRM}（难度较高）`, WAIT)

    // 截止日期: a past date is refused and the server's message shows under the field; a later one is kept
    const compiled = fin.locator('[data-testid="deadlines"] .ta-deadline[data-stage="compiled"]')
    await compiled.locator('input[type="date"]').fill('2020-01-01')
    await compiled.getByRole('button', { name: '保存' }).click()
    await compiled.locator('.tt-form-error').waitFor(WAIT)
    expect(await compiled.locator('.tt-form-error').textContent()).toContain(`截止日期不能早于今天（${bureauDate()}）`)
    expect(await server.storage.workflow.deadlines(YEAR)).toEqual([])
    const later = `${Number(bureauDate().slice(0, 4)) + 1}-06-30`
    await compiled.locator('input[type="date"]').fill(later)
    await compiled.getByRole('button', { name: '保存' }).click()
    await compiled.locator('text=已保存').waitFor(WAIT)
    expect(await compiled.locator('.tt-form-error').count()).toBe(0)
    expect((await server.storage.workflow.deadlines(YEAR)).map((d) => [d.stage, d.dueDate])).toEqual([['compiled', later]])
    await fin.evaluate(() => scrollTo(0, 0))
    await fin.screenshot({ path: path.join(ARTIFACTS, 'workflow-admin.png'), fullPage: true })
    // the 征求意见 deadline of YEAR is long past: written through storage, as the bureau's HTTP refuses it
    await server.storage.workflow.setDeadline({ year: YEAR, stage: 'consultation', dueDate: `${YEAR}-06-30`, setBy: null })

    // ---- the consultant: /ledger and /tables ---------------------------------------------------------
    const { page: firm, errors: firmErrors } = await person()
    await firm.goto(`${server.httpUrl}/ledger?year=${YEAR}`)
    await signIn(firm, 'firm5')
    await firm.waitForSelector('[data-testid="ledger"]', WAIT)
    expect(await firm.isVisible('.tt-nav a[href="/overview"]')).toBe(false)
    expect(await firm.isVisible('.tt-nav a[href="/ledger"][aria-current="page"]')).toBe(true)
    const ledgerNames = await firm.locator('[data-testid="ledger"] tbody tr[data-department]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-department')))
    expect(ledgerNames.sort()).toEqual([AGRI, CIVIL].sort())
    // a consultant's ledger has no 第三方机构 column; the difficulty finance chose shows
    expect(await firm.locator('[data-testid="ledger"] thead th').allTextContents()).not.toContain('第三方机构↕')
    expect(await firm.locator(`[data-testid="ledger"] tr[data-department="${AGRI}"] td`).nth(1).textContent()).toBe('难度较高')
    // both are behind the past 征求意见 deadline
    expect(await firm.locator(`[data-testid="ledger"] tr[data-department="${CIVIL}"] [data-testid="overdue"]`).textContent()).toMatch(/^逾期 \d+ 天$/)

    // 调整: 民政局 raised to 正式稿 by hand, with a note
    await firm.click(`button[aria-label="调整${CIVIL}的工作阶段"]`)
    await firm.locator('[data-testid="stage-select"]').selectOption({ label: '正式稿' })
    await firm.fill('[data-testid="stage-note"]', '部门已确认正式稿')
    await firm.screenshot({ path: path.join(ARTIFACTS, 'workflow-ledger-stage.png'), fullPage: true })
    await firm.click('[data-testid="stage-save"]')
    await firm.waitForSelector(`text=已将${CIVIL}的工作阶段设为正式稿`, WAIT)
    const civilStage = firm.locator(`[data-testid="ledger"] tr[data-department="${CIVIL}"] [data-testid="stage"]`)
    await firm.waitForFunction((n) => document.querySelector(`[data-testid="ledger"] tr[data-department="${n}"] [data-testid="stage"]`)?.textContent === '正式稿手动', CIVIL, WAIT)
    expect(await civilStage.getAttribute('title')).toContain('部门已确认正式稿')
    // 正式稿 is past 征求意见: no longer late (汇编's deadline is next year)
    expect(await firm.locator(`[data-testid="ledger"] tr[data-department="${CIVIL}"] [data-testid="overdue"]`).count()).toBe(0)
    expect(await firm.locator(`[data-testid="ledger"] tr[data-department="${AGRI}"] [data-testid="overdue"]`).count()).toBe(1)
    const stored = await server.storage.workflow.getStage(YEAR, civilId)
    expect({ stage: stored?.stage, note: stored?.note }).toEqual({ stage: 'final', note: '部门已确认正式稿' })
    await firm.screenshot({ path: path.join(ARTIFACTS, 'workflow-ledger.png'), fullPage: true })

    // /tables: the department filter offers exactly the two, and the rows are exactly their tables
    await firm.click('.tt-nav a[href="/tables"]')
    await firm.waitForURL(/\/tables$/, WAIT)
    await firm.waitForSelector('tr[data-table-id]', WAIT)
    await firm.waitForFunction(() => document.querySelectorAll('select[name="departmentId"] option[value]:not([value=""])').length >= 2, null, WAIT)
    const offered = await firm.locator('select[name="departmentId"] option:not([value=""])').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))
    expect(offered.sort()).toEqual([agriId, civilId].sort())
    const rows = await firm.locator('tr[data-table-id]').evaluateAll((trs) => trs.map((t) => t.getAttribute('data-table-id')))
    expect(rows.sort()).toEqual([...theirTables].sort())
    // a year the firm holds nothing in: nothing to choose, nothing listed
    await firm.locator('select[name="year"]').selectOption(String(YEAR + 1))
    await firm.waitForSelector('[data-testid="empty"]', WAIT)
    await firm.waitForFunction(() => document.querySelectorAll('select[name="departmentId"] option:not([value=""])').length === 0, null, WAIT)

    // ---- finance: /overview -------------------------------------------------------------------------
    await fin.click('.tt-nav a[href="/overview"]')
    await fin.waitForURL(/\/overview/, WAIT)
    await fin.locator('[data-testid="overview-year"]').selectOption(String(YEAR))
    await fin.waitForSelector(`[data-testid="overview"] tr[data-department="${AGRI}"][data-overdue]`, WAIT)
    const agri = rowOf(fin, AGRI)
    expect(await agri.getAttribute('class')).toContain('tw-row-overdue')
    expect(await agri.evaluate((tr) => getComputedStyle(tr.querySelector('td')!).backgroundColor)).toBe('rgb(253, 240, 239)')
    expect(await agri.locator('[data-testid="overdue"]').textContent()).toMatch(/^逾期 \d+ 天$/)
    expect(await agri.textContent()).toContain(FIRM)
    expect(await agri.textContent()).toContain('难度较高')
    // the raised department is on time, marked 手动
    const civil = rowOf(fin, CIVIL)
    expect(await civil.getAttribute('data-overdue')).toBeNull()
    expect(await civil.locator('[data-testid="stage"]').textContent()).toBe('正式稿手动')
    const overdueTotal = Number(await fin.textContent('[data-testid="overdue-total"]'))
    // the strip counts departments and towns (a unit shares its department's mark)
    expect(overdueTotal).toBe(await fin.locator('[data-testid="overview"] tr.tw-top[data-overdue]').count())
    expect(overdueTotal).toBeGreaterThan(0)

    // a department's units are folded under it until opened
    const office = '南江市人民政府办公室'
    expect(await rowOf(fin, '南江市政务服务数据管理局').count()).toBe(0)
    await fin.click(`button[aria-label="展开${office}的下属单位"]`)
    await rowOf(fin, '南江市政务服务数据管理局').waitFor(WAIT)
    expect(await rowOf(fin, '南江市政务服务数据管理局').getAttribute('class')).toContain('tw-unit')

    // headings sort: 部门 descending puts the highest code first among departments
    const firstDepartment = () => fin.locator('[data-testid="overview"] tbody').first().locator('tr.tw-top').first().getAttribute('data-department')
    expect(await firstDepartment()).toBe(office)
    await fin.click('[data-testid="overview"] button[data-sort="name"]')
    await fin.waitForFunction(() => document.querySelector('[data-testid="overview"] button[data-sort="name"]')?.closest('th')?.getAttribute('aria-sort') === 'descending', null, WAIT)
    expect(await firstDepartment()).toBe('中国民主促进会南江市委员会')

    // filters: overdue only drops the raised department; the search finds one by name
    await fin.check('[data-testid="overview-overdue"]')
    expect(await rowOf(fin, CIVIL).count()).toBe(0)
    expect(await rowOf(fin, AGRI).count()).toBe(1)
    await fin.fill('[data-testid="overview-search"]', '农业')
    expect(await fin.locator('[data-testid="overview"] tr[data-department]').evaluateAll((trs) => trs.map((t) => t.getAttribute('data-department')))).toEqual([AGRI])
    await fin.getByRole('button', { name: '清除筛选' }).first().click()
    await rowOf(fin, CIVIL).waitFor(WAIT)
    await fin.click('[data-testid="overview"] button[data-sort="name"]') // back to code order for the picture
    await fin.screenshot({ path: path.join(ARTIFACTS, 'workflow-overview.png'), fullPage: true })

    // 导出 Excel: the workbook holds the overdue department
    const [download] = await Promise.all([fin.waitForEvent('download'), fin.click('[data-testid="overview-export"]')])
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/)
    const book = new ExcelJS.Workbook()
    await book.xlsx.readFile(await download.path())
    const cells: string[] = []
    book.eachSheet((sheet) => sheet.eachRow((row) => row.eachCell((c) => { cells.push(String(c.text ?? '')) })))
    expect(cells).toContain(AGRI)
    expect(cells).toContain(FIRM)

    // finance's ledger: every firm's rows with the firm named, narrowed to one firm, exported
    await fin.click('.tt-nav a[href="/ledger"]')
    await fin.waitForURL(/\/ledger/, WAIT)
    // the year chosen on the overview carries over (this tab)
    expect(await fin.inputValue('[data-testid="ledger-year"]')).toBe(String(YEAR))
    await fin.waitForSelector(`[data-testid="ledger"] tr[data-department="${CIVIL}"]`, WAIT)
    expect(await fin.locator(`[data-testid="ledger"] tr[data-department="${CIVIL}"] td`).first().textContent()).toBe(FIRM)
    expect(await fin.locator(`[data-testid="ledger"] tr[data-department="${AGRI}"] [data-testid="materials"]`).getAttribute('href')).toBe(`/departments/${agriId}?year=${YEAR}`)
    await fin.locator('[data-testid="ledger-consultant"]').selectOption({ label: '周婷（第三方评价机构）' })
    await fin.waitForSelector('[data-testid="ledger-empty"]', WAIT)
    await fin.locator('[data-testid="ledger-consultant"]').selectOption({ label: FIRM })
    await fin.waitForSelector(`[data-testid="ledger"] tr[data-department="${AGRI}"]`, WAIT)
    expect(await fin.locator('[data-testid="ledger"] tbody tr[data-department]').count()).toBe(2)
    await fin.screenshot({ path: path.join(ARTIFACTS, 'workflow-ledger-finance.png'), fullPage: true })
    const [ledgerFile] = await Promise.all([fin.waitForEvent('download'), fin.click('[data-testid="ledger-export"]')])
    const ledgerBook = new ExcelJS.Workbook()
    await ledgerBook.xlsx.readFile(await ledgerFile.path())
    const ledgerCells: string[] = []
    ledgerBook.eachSheet((sheet) => sheet.eachRow((row) => row.eachCell((c) => { ledgerCells.push(String(c.text ?? '')) })))
    expect(ledgerCells).toEqual(expect.arrayContaining([AGRI, CIVIL, FIRM]))

    // the overview's name opens the department's tables of that year
    await fin.click('.tt-nav a[href="/overview"]')
    await fin.waitForSelector(`[data-testid="overview"] tr[data-department="${AGRI}"][data-overdue]`, WAIT)
    expect(await fin.inputValue('[data-testid="overview-year"]')).toBe(String(YEAR))
    await rowOf(fin, AGRI).locator('.tw-name a').click()
    await fin.waitForURL((u) => u.pathname === '/tables' && u.searchParams.get('departmentId') === agriId && u.searchParams.get('year') === String(YEAR), WAIT)
    await fin.waitForSelector('tr[data-table-id]', WAIT)
    const finRows = await fin.locator('tr[data-table-id]').evaluateAll((trs) => trs.map((t) => t.getAttribute('data-table-id')))
    const agriTables = (await server.api('GET', `/api/tables?year=${YEAR}&departmentId=${agriId}`, await server.login('caizheng'))).body.tables.map((t: { id: string }) => t.id)
    expect(finRows.sort()).toEqual([...agriTables].sort())
    expect(await fin.inputValue('select[name="departmentId"]')).toBe(agriId)

    expect(finErrors).toEqual([])
    expect(firmErrors).toEqual([])
  }, 240_000)
})
