// The /tables page against the real server (HTTP API, demo city, built client) in Chromium: a
// department user sees only its tables, filters by 状态 and by name (kept in the URL over a reload),
// pages forward and back, sorts, creates a project table through the dialog and lands in the grid with
// the project name in the form, deletes a draft; a viewer sees no 新建 button. Screenshots in test-artifacts/.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { ARTIFACTS, clientCopy, collectErrors, releaseBrowser, sharedBrowser, signIn } from '../helpers/browser.ts'
import { startServer, type RunningServer } from '../helpers/server.ts'

const WAIT = { timeout: 20_000 }
const PAGING_NAMES = ['01', '02', '03', '04', '05', '06'].map((n) => `分页测试项目 ${n}`)

let server: RunningServer
let browser: Browser
let jiaoyu: string // token of 教育局's department user
let educationId: string
const contexts: BrowserContext[] = []
const errors = new Map<Page, string[]>()
/** responses a step provokes on purpose (a refused create), left out of the page's error list */
const expectedFailures = new Set<string>()

beforeAll(async () => {
  const clientDir = await clientCopy()
  server = await startServer('pglite', { clientDir })
  browser = await sharedBrowser()
  fs.mkdirSync(ARTIFACTS, { recursive: true })
  jiaoyu = await server.login('jiaoyu')
  educationId = (await server.storage.departments.getByCode('105'))!.id
  for (const projectName of PAGING_NAMES) {
    const r = await server.api('POST', '/api/tables', jiaoyu, { kind: 'project', template: 'mof2015-project', year: 2025, departmentId: educationId, projectName })
    expect(r.status, JSON.stringify(r.body)).toBe(201)
  }
  const health = (await server.storage.departments.getByCode('118'))!.id
  const other = await server.api('POST', '/api/tables', await server.login('weijian'), { kind: 'project', template: 'local-simple', year: 2025, departmentId: health, projectName: '卫健局的项目' })
  expect(other.status).toBe(201)
  // one of 教育局's tables leaves 草稿, so filtering by 状态 has something to tell apart; a blank form has
  // errors and could not be submitted, so the fixture moves it in storage
  const second = (await mine()).find((t) => t.title === '分页测试项目 02')!
  await server.storage.tables.updateState(second.id, { status: 'draft', round: second.round, version: second.version }, { status: 'submitted' })
}, 180_000)

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined)
  await releaseBrowser(browser)
  await server?.close()
})

/** Every table 教育局's user may read, through the API (all pages). */
async function mine(query = ''): Promise<any[]> {
  const out: any[] = []
  let cursor: string | null = null
  do {
    const r: { status: number; body: any } = await server.api('GET', `/api/tables?limit=500${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, jiaoyu)
    expect(r.status).toBe(200)
    out.push(...r.body.tables)
    cursor = r.body.nextCursor
  } while (cursor)
  return out
}

/** Opens /tables, signs in and waits for the list. */
async function signInToList(page: Page, username: string): Promise<void> {
  await page.goto(`${server.httpUrl}/tables`)
  await signIn(page, username)
  await page.waitForURL(/\/tables$/, WAIT)
  await page.waitForSelector('tr[data-table-id]', WAIT)
}

async function person(): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
  contexts.push(ctx)
  const page = await ctx.newPage()
  errors.set(page, collectErrors(page, { expected: (r) => expectedFailures.has(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`) }))
  return page
}

/** The rows on screen once the list has settled (no request in flight). */
async function rows(page: Page): Promise<{ id: string; title: string; department: string; status: string }[]> {
  await page.waitForSelector('.tt-card:not([aria-busy="true"]), [data-testid="empty"]', WAIT)
  return page.$$eval('tr[data-table-id]', (trs) => trs.map((tr) => ({
    id: tr.getAttribute('data-table-id')!,
    title: tr.querySelector('.tt-title-cell a')!.textContent!,
    department: tr.querySelector('.tt-dept-cell')!.textContent!,
    status: tr.querySelector('.tt-status')!.textContent!,
  })))
}

/** Waits until the list shows exactly these table ids, in this order. */
async function showsIds(page: Page, ids: string[]): Promise<void> {
  await page.waitForFunction((want) => {
    const busy = document.querySelector('.tt-card[aria-busy="true"]')
    const got = [...document.querySelectorAll('tr[data-table-id]')].map((tr) => tr.getAttribute('data-table-id'))
    return !busy && JSON.stringify(got) === JSON.stringify(want)
  }, ids, WAIT)
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `tables-${name}.png`) })

describe('/tables page: the list at city scale and new tables from the browser', () => {
  let D: Page // jiaoyu, 教育局

  it('shows a department user only its own tables, with the server\'s counts and 共 N 张', async () => {
    D = await person()
    await signInToList(D, 'jiaoyu')
    const expected = await mine()
    expect(expected.length).toBe(7) // S01 and the six paging tables
    await showsIds(D, expected.map((t) => t.id))
    const shown = await rows(D)
    expect(new Set(shown.map((r) => r.department))).toEqual(new Set(['南江市教育局']))
    expect(shown.map((r) => r.title)).not.toContain('卫健局的项目')
    expect(await D.textContent('[data-testid="total"]')).toBe('共 7 张')
    // the counts are the server's, cell for cell
    for (const t of expected) {
      const row = D.locator(`tr[data-table-id="${t.id}"]`)
      expect(await row.locator('[data-testid="errors"]').textContent()).toBe(String(t.findings.errors))
      expect(await row.locator('[data-testid="warnings"]').textContent()).toBe(String(t.findings.warnings))
      expect(await row.locator('[data-testid="open-threads"]').textContent()).toBe(String(t.openThreads))
    }
    expect(expected.some((t) => t.findings.errors > 0)).toBe(true) // blank forms have errors: the columns are not all zeros
    // the 部门 tree offers only 教育局 (it has no units)
    const options = await D.$$eval('select[name="departmentId"] option', (os) => os.map((o) => o.textContent!.trim()))
    expect(options).toEqual(['全部部门', '南江市教育局'])
    await shot(D, 'department')
  })

  it('filters by 状态 and by name; the filters live in the URL and survive a reload', async () => {
    await D.selectOption('select[name="status"]', 'submitted')
    await D.waitForURL(/\/tables\?status=submitted$/, WAIT)
    const submitted = await mine('&status=submitted')
    expect(submitted.map((t) => t.title)).toEqual(['分页测试项目 02'])
    await showsIds(D, submitted.map((t) => t.id))
    expect((await rows(D))[0]!.status).toBe('已报送')
    expect(await D.textContent('[data-testid="total"]')).toBe('共 1 张')

    await D.selectOption('select[name="status"]', '')
    await D.fill('input[name="q"]', '分页测试项目 05')
    await D.waitForURL(/\/tables\?q=/, WAIT)
    expect(new URL(D.url()).searchParams.get('q')).toBe('分页测试项目 05')
    const found = await mine(`&q=${encodeURIComponent('分页测试项目 05')}`)
    expect(found.length).toBe(1)
    await showsIds(D, [found[0].id])

    await D.check('input[name="hasErrors"]')
    await D.waitForURL(/hasErrors=true/, WAIT)
    await D.reload()
    await showsIds(D, [found[0].id])
    expect(await D.inputValue('input[name="q"]')).toBe('分页测试项目 05')
    expect(await D.isChecked('input[name="hasErrors"]')).toBe(true)
    await shot(D, 'filtered')

    // back and forward walk through the filter states
    await D.goBack()
    await D.waitForFunction(() => !new URL(location.href).searchParams.has('hasErrors'), null, WAIT)
    await showsIds(D, [found[0].id])

    // a search that matches nothing says so and offers the way back
    await D.fill('input[name="q"]', '没有这个项目')
    await D.waitForSelector('[data-testid="empty"]', WAIT)
    expect(await D.textContent('[data-testid="empty"]')).toContain('没有符合条件的绩效目标表')
    expect(await D.textContent('[data-testid="total"]')).toBe('共 0 张')
    await shot(D, 'empty')

    await D.click('[data-testid="empty"] button:has-text("清除筛选")')
    await D.waitForURL(/\/tables$/, WAIT)
    await showsIds(D, (await mine()).map((t) => t.id))
    expect(await D.inputValue('input[name="q"]')).toBe('')
  })

  it('pages forward and back with 下一页/上一页 over more tables than a page, each table exactly once', async () => {
    await D.goto(`${server.httpUrl}/tables?limit=3`)
    const all = (await mine()).map((t) => t.id)
    await showsIds(D, all.slice(0, 3))
    expect(await D.textContent('[data-testid="range"]')).toBe('第 1–3 张，共 7 张')
    expect(await D.isDisabled('button:has-text("上一页")')).toBe(true)

    await D.click('button:has-text("下一页")')
    await showsIds(D, all.slice(3, 6))
    expect(await D.textContent('[data-testid="page"]')).toBe('第 2 页')
    await D.click('button:has-text("下一页")')
    await showsIds(D, all.slice(6))
    expect(await D.textContent('[data-testid="range"]')).toBe('第 7–7 张，共 7 张')
    expect(await D.isDisabled('button:has-text("下一页")')).toBe(true)
    await shot(D, 'last-page')

    await D.click('button:has-text("上一页")')
    await showsIds(D, all.slice(3, 6))
    await D.click('button:has-text("上一页")')
    await showsIds(D, all.slice(0, 3))
    expect(await D.textContent('[data-testid="page"]')).toBe('第 1 页')
  })

  it('sorts by a column header in the server\'s order and says so in the URL', async () => {
    await D.goto(`${server.httpUrl}/tables`)
    await D.waitForSelector('tr[data-table-id]', WAIT)
    await D.click('button[data-sort="title"]')
    await D.waitForURL(/sort=title&order=asc/, WAIT)
    await showsIds(D, (await mine('&sort=title&order=asc')).map((t) => t.id))
    expect(await D.getAttribute('th:has(button[data-sort="title"])', 'aria-sort')).toBe('ascending')
    await D.click('button[data-sort="title"]')
    await D.waitForURL(/sort=title&order=desc/, WAIT)
    const desc = (await mine('&sort=title&order=desc')).map((t) => t.id)
    await showsIds(D, desc)
    expect(desc[0]).not.toBe((await mine('&sort=title&order=asc'))[0].id)
  })

  it('creates a project table through the dialog and lands in the grid with the project name in the form', async () => {
    await D.goto(`${server.httpUrl}/tables`)
    await D.click('button:has-text("新建绩效目标表")')
    const dialog = D.locator('[data-testid="create-dialog"]')
    await dialog.waitFor(WAIT)
    // project kind by default: its templates, each with a description
    const templates = await dialog.locator('input[name="template"]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))
    expect(templates).toEqual(['mof2015-project', 'mof2021-core', 'local-simple', 'yth-flat'])
    expect(await dialog.locator('.tt-choice-desc').count()).toBe(4)
    expect(await dialog.locator('input[name="year"]').inputValue()).toBe(String(new Date().getFullYear() + 1))
    expect(await dialog.locator('select[name="departmentId"]').inputValue()).toBe(educationId)
    // the department kind offers its own template
    await dialog.locator('label:has(input[value="department"])').click()
    expect(await dialog.locator('input[name="template"]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).toEqual(['mof2015-dept'])
    expect(await dialog.locator('input[name="projectName"]').count()).toBe(0)
    await dialog.locator('label:has(input[value="project"])').click()
    await dialog.locator('label:has(input[value="local-simple"])').click()
    await shot(D, 'create-dialog')

    // no project name: refused beside the field, nothing sent
    await D.click('button:has-text("创建并打开")')
    expect(await dialog.locator('[data-field="projectName"]').textContent()).toContain('项目名称（projectName）')

    // a year the server refuses: its message beside 年度
    await dialog.locator('input[name="projectName"]').fill('城乡学校少年宫建设项目')
    await dialog.locator('input[name="year"]').fill('2101')
    expectedFailures.add('400 POST /api/tables')
    await D.click('button:has-text("创建并打开")')
    await dialog.locator('[data-field="year"]').waitFor(WAIT)
    expect(await dialog.locator('[data-field="year"]').textContent()).toBe('年度（year）不能晚于 2100')
    await shot(D, 'create-refused')
    expectedFailures.delete('400 POST /api/tables')

    await dialog.locator('input[name="year"]').fill('2027')
    await D.click('button:has-text("创建并打开")')
    await D.waitForURL(/\/tables\/[^/?]+$/, WAIT)
    const id = decodeURIComponent(new URL(D.url()).pathname.split('/').pop()!)
    const created = (await server.api('GET', `/api/tables/${id}`, jiaoyu)).body
    expect({ kind: created.kind, template: created.template, year: created.year, departmentId: created.departmentId, status: created.status, title: created.title })
      .toEqual({ kind: 'project', template: 'local-simple', year: 2027, departmentId: educationId, status: 'draft', title: '城乡学校少年宫建设项目' })
    expect(created.content.header.projectName).toBe('城乡学校少年宫建设项目')
    // the grid shows the blank official form with the name in its 项目名称 cell
    await D.waitForFunction((name) => {
      const sheet = (window as any).univerAPI?.getActiveWorkbook()?.getActiveSheet()
      if (!sheet) return false
      const values: unknown[][] = sheet.getRange(0, 0, Math.min(12, sheet.getMaxRows()), sheet.getMaxColumns()).getValues()
      return values.some((row) => row.includes(name))
    }, '城乡学校少年宫建设项目', { timeout: 30_000 })
    await shot(D, 'created-grid')
    expect((await mine()).map((t) => t.id)).toContain(id)
  })

  it('deletes a draft after a confirmation with a reason; the row leaves the list and the audit log keeps the reason', async () => {
    await D.goto(`${server.httpUrl}/tables?q=${encodeURIComponent('分页测试项目')}`)
    const before = await mine(`&q=${encodeURIComponent('分页测试项目')}`)
    await showsIds(D, before.map((t) => t.id))
    const victim = before.find((t) => t.title === '分页测试项目 06')!
    const submitted = before.find((t) => t.title === '分页测试项目 02')!
    // a department deletes only its drafts
    expect(await D.locator(`tr[data-table-id="${submitted.id}"] button:has-text("删除")`).count()).toBe(0)
    await D.click(`tr[data-table-id="${victim.id}"] button:has-text("删除")`)
    const dialog = D.locator('[data-testid="delete-dialog"]')
    await dialog.waitFor(WAIT)
    expect(await dialog.textContent()).toContain('分页测试项目 06')
    await dialog.locator('textarea[name="reason"]').fill('重复创建')
    await shot(D, 'delete-dialog')
    await dialog.locator('button:has-text("删除")').click()
    await D.locator(`tr[data-table-id="${victim.id}"]`).waitFor({ state: 'detached', ...WAIT })
    expect(await dialog.count()).toBe(0)
    expect(await D.textContent('[data-testid="total"]')).toBe(`共 ${before.length - 1} 张`)

    expect((await mine()).map((t) => t.id)).not.toContain(victim.id)
    expect((await server.api('GET', `/api/tables/${victim.id}`, jiaoyu)).status).toBe(404)
    const audit = await server.storage.audit.list({ tableId: victim.id, action: 'table.delete' })
    expect(audit.map((a) => (a.details as { reason?: string }).reason)).toEqual(['重复创建'])
    // and after a reload it stays gone
    await D.reload()
    await showsIds(D, before.filter((t) => t.id !== victim.id).map((t) => t.id))
  })

  it('shows a viewer every readable table with no 新建 button and no 删除, and signs out', async () => {
    const V = await person()
    await signInToList(V, 'renda')
    expect(await V.locator('button:has-text("新建绩效目标表")').count()).toBe(0)
    expect(await V.locator('button:has-text("删除")').count()).toBe(0)
    const total = (await server.api('GET', '/api/tables?limit=1', await server.login('renda'))).body.total
    expect(await V.textContent('[data-testid="total"]')).toBe(`共 ${total} 张`)
    expect(await V.textContent('[data-testid="user-name"]')).toBe('孙伟（人大预算工委）')
    await shot(V, 'viewer')
    // 退出 ends the session: the list sends the next visit to /login
    await V.click('button:has-text("退出")')
    await V.waitForURL(/\/login$/, WAIT)
    await V.goto(`${server.httpUrl}/tables`)
    await V.waitForURL(/\/login\?next=%2Ftables$/, WAIT)
  })

  it('gives finance the whole department tree, towns apart, and 删除 on every row', async () => {
    const F = await person()
    await signInToList(F, 'caizheng')
    const groups = await F.$$eval('select[name="departmentId"] optgroup', (gs) => gs.map((g) => ({ label: g.getAttribute('label'), n: g.children.length })))
    expect(groups.map((g) => g.label)).toEqual(['部门', '镇街'])
    const unit = await F.$eval('select[name="departmentId"]', (s) => [...(s as HTMLSelectElement).options].map((o) => o.textContent).find((t) => t?.includes('南江市文化馆')))
    expect(unit).toMatch(/^\u3000└ 南江市文化馆$/) // a unit sits under its department
    const shown = (await rows(F)).length
    expect(await F.locator('tr[data-table-id] button:has-text("删除")').count()).toBe(shown)
    expect(await F.locator('button:has-text("审计记录")').count()).toBe(0) // a department's trail: choose one first
    // choosing a department lists it with its units
    const culture = (await server.storage.departments.getByCode('126'))!.id
    await F.selectOption('select[name="departmentId"]', culture)
    await F.waitForURL(new RegExp(`departmentId=${culture}`), WAIT)
    const caizheng = await server.login('caizheng')
    const expected = (await server.api('GET', `/api/tables?departmentId=${culture}`, caizheng)).body.tables.map((t: any) => t.id)
    await showsIds(F, expected)
    await shot(F, 'finance')
    // 教育局's audit trail names the deletion above with its reason
    await F.selectOption('select[name="departmentId"]', (await server.storage.departments.getByCode('105'))!.id)
    await F.click('button:has-text("审计记录")')
    const trail = F.locator('[data-testid="audit-dialog"]')
    await trail.locator('[data-testid="audit-entry"]').first().waitFor(WAIT)
    const deletion = trail.locator('[data-testid="audit-entry"]', { hasText: '重复创建' })
    expect(await deletion.count()).toBe(1)
    expect(await deletion.textContent()).toContain('删除')
    expect(await deletion.textContent()).toContain('分页测试项目 06')
    await shot(F, 'audit-trail')
  })

  it('kept every page free of errors', () => {
    for (const [, list] of errors) expect(list).toEqual([])
  })
})
