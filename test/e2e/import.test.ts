// Imports in the /tables page (issue 14 items 2 and 5), against the real server and built client in Chromium:
// 教育局's editor drops a workbook on the page (written by our exporter from sample S01, its indicator values
// as one legacy string each), sees the preview — layout, rows, findings and the normalisations (原文 → 导入为)
// — confirms, finds the new table in the list and opens it in the grid; finance imports the department list
// (a list with bad rows is previewed with each problem, then the 一体化 listing imported) through its dialog and the department filter offers the new departments.
// Screenshots in test-artifacts/import-*.png.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { parseTable } from '../../shared/model/index.ts'
import { exportDoc } from '../../server/export/document.ts'
import { tableXlsx } from '../../server/export/xlsx.ts'
import { ARTIFACTS, clientCopy, collectErrors, releaseBrowser, sharedBrowser, signIn } from '../helpers/browser.ts'
import { loadSample } from '../helpers/samples.ts'
import { startServer, type RunningServer } from '../helpers/server.ts'

const WAIT = { timeout: 20_000 }
/** the table page loads Univer (≈ 6 MB of script): on a busy machine that alone can take half a minute */
const OPEN = { timeout: 90_000 }
const PROJECT = '导入测试：义务教育课后服务'
const UNPLACED = '附：项目实施方案另附'
const DEPARTMENTS = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/departments')

let server: RunningServer
let browser: Browser
const contexts: BrowserContext[] = []
let workbook: Buffer

beforeAll(async () => {
  const clientDir = await clientCopy()
  server = await startServer('pglite', { clientDir })
  browser = await sharedBrowser()
  fs.mkdirSync(ARTIFACTS, { recursive: true })
  const sample = structuredClone(loadSample('S01')) as { header: { projectName: string } }
  sample.header.projectName = PROJECT
  const parsed = parseTable(sample)
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems))
  const table = parsed.table
  const exported = await tableXlsx(exportDoc({ tableId: 't_import', table, title: PROJECT, departmentName: '南江市教育局', status: 'draft', version: null, edition: 'internal' }))
  // a note typed beside the form, as people do: the importer cannot place it and keeps it (导入遗留)
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(exported as unknown as ArrayBuffer)
  wb.worksheets[0]!.getCell('L4').value = UNPLACED
  workbook = Buffer.from(await wb.xlsx.writeBuffer())
}, 180_000)

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined)
  await releaseBrowser(browser)
  await server?.close()
})

async function person(username: string): Promise<{ page: Page; errors: string[] }> {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
  contexts.push(ctx)
  const page = await ctx.newPage()
  const errors = collectErrors(page)
  await page.goto(`${server.httpUrl}/tables`)
  await signIn(page, username)
  await page.waitForSelector('[data-testid="tables-page"]', WAIT)
  return { page, errors }
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `import-${name}.png`) })

describe('imports on /tables', () => {
  it('previews a workbook dropped on the page with its normalisations, stores it on 确认导入 and opens it in the grid', async () => {
    const { page, errors } = await person('jiaoyu')
    await page.waitForSelector('tr[data-table-id]', WAIT)
    // a file dragged over the page: the overlay says what dropping does; dropping opens the dialog with it
    const files = await page.evaluateHandle(({ b64, name }) => {
      const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0))
      const dt = new DataTransfer()
      dt.items.add(new File([bytes], name, { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }))
      return dt
    }, { b64: workbook.toString('base64'), name: '课后服务绩效目标表.xlsx' })
    await page.dispatchEvent('[data-testid="tables-page"]', 'dragover', { dataTransfer: files })
    await page.waitForSelector('[data-testid="drop-overlay"]', WAIT)
    await shot(page, '1-drag-over')
    await page.dispatchEvent('[data-testid="tables-page"]', 'drop', { dataTransfer: files })
    const dialog = page.locator('[data-testid="import-tables-dialog"]')
    await dialog.waitFor(WAIT)
    expect(await page.locator('[data-testid="drop-overlay"]').count()).toBe(0)
    // 教育局's editor files for 教育局 by default; the dry run runs at once
    const education = (await server.storage.departments.getByCode('105'))!
    expect(await dialog.locator('select[name="departmentId"]').inputValue()).toBe(education.id)
    const table = dialog.locator('[data-testid="import-table"]')
    await table.waitFor(WAIT)
    expect(await table.locator('.tt-import-title').textContent()).toContain(PROJECT)
    expect(await table.locator('[data-testid="layout"]').textContent()).toMatch(/[\u4e00-\u9fff]/)
    const rows = await table.locator('[data-testid="rows"]').textContent()
    expect(Number(/指标 (\d+) 行/.exec(rows ?? '')?.[1])).toBeGreaterThan(5)
    // the legacy one-string values (≥95% …) were split: each split is listed with its cell, 原文 and 导入为
    const normalisations = table.locator('[data-testid="normalisations"] tbody tr')
    expect(await normalisations.count()).toBeGreaterThan(0)
    const first = await normalisations.first().locator('td').allTextContents()
    expect(first[0]).toMatch(/^[A-Z]+\d+$/)
    expect(first[1]!.length).toBeGreaterThan(0)
    expect(first[2]!.length).toBeGreaterThan(0)
    expect(await dialog.locator('[data-testid="file-state"]').textContent()).toContain('预览')
    // nothing stored by the preview
    const before = await server.api('GET', `/api/tables?q=${encodeURIComponent(PROJECT)}`, await server.login('jiaoyu'))
    expect(before.body.total).toBe(0)
    await shot(page, '2-preview')

    await dialog.locator('[data-testid="import-confirm"]').click()
    const done = dialog.locator('[data-testid="import-done"]')
    await done.waitFor(WAIT)
    const link = done.locator('[data-testid="imported-table"]')
    expect(await link.count()).toBe(1)
    expect(await link.textContent()).toContain(PROJECT)
    const href = (await link.getAttribute('href'))!
    const id = decodeURIComponent(href.replace('/tables/', ''))
    await shot(page, '3-imported')
    // the list behind the dialog has the new table
    await page.waitForSelector(`tr[data-table-id="${id}"]`, { state: 'attached', ...WAIT })
    const stored = await server.api('GET', `/api/tables/${id}`, await server.login('jiaoyu'))
    expect(stored.body).toMatchObject({ departmentId: education.id, status: 'draft' })
    expect(stored.body.content.header.projectName).toBe(PROJECT)

    await link.click()
    await page.waitForURL(new RegExp(`/tables/${id}$`), WAIT)
    await page.waitForFunction(() => (window as any).__tt?.ready === true, null, OPEN)
    // the cell the importer could not place is kept with the table: the 导入遗留 tab lists it until an editor marks it 已处理
    await page.click('[data-tab="unplaced"]')
    const item = page.locator('#tp-pane-unplaced .tp-unplaced-item')
    expect(await item.count()).toBe(1)
    expect(await item.locator('.tp-unplaced-where').textContent()).toMatch(/!L4$/)
    expect(await item.locator('.tp-unplaced-text').textContent()).toBe(UNPLACED)
    await shot(page, '4-opened-unplaced')
    await item.locator('button', { hasText: '已处理' }).click()
    await page.waitForFunction(() => document.querySelectorAll('#tp-pane-unplaced .tp-unplaced-item').length === 0, null, WAIT)
    // the removal is an edit like any other: stored once the live room settles
    await expect.poll(async () => (await server.api('GET', `/api/tables/${id}`, await server.login('jiaoyu'))).body.content.unplaced ?? [], { timeout: 20_000 }).toEqual([])
    expect(errors).toEqual([])
  }, 180_000)

  it('lets finance import the department list: preview, 确认导入, and the department filter offers the new ones', async () => {
    const { page, errors } = await person('caizheng')
    await page.click('[data-testid="import-departments"]')
    const dialog = page.locator('[data-testid="import-departments-dialog"]')
    await dialog.waitFor(WAIT)
    // a list with bad rows first: each is listed with its cell, errors first; the good rows would still import
    await dialog.locator('input[type="file"]').setInputFiles(path.join(DEPARTMENTS, 'list-bad.xlsx'))
    const problems = dialog.locator('[data-testid="import-problems"] li[data-severity="error"]')
    await problems.first().waitFor(WAIT)
    expect(await problems.count()).toBe(6)
    expect(await problems.first().textContent()).toContain('A4')
    expect(await dialog.locator('[data-testid="department-summary"]').textContent()).toContain('6 行有错误，不会导入')
    await shot(page, '5-departments-bad-rows')
    // then the 一体化 listing
    await dialog.locator('input[type="file"]').setInputFiles(path.join(DEPARTMENTS, 'list-yth.xlsx'))
    const preview = dialog.locator('[data-testid="department-preview"]')
    await page.waitForFunction(() => document.querySelector('[data-testid="department-file-zone"]')?.textContent?.includes('list-yth.xlsx') && !!document.querySelector('[data-testid="department-preview"]'), null, WAIT)
    expect(await dialog.locator('[data-testid="department-summary"]').textContent()).toContain('新建 8 个')
    expect(await preview.locator('tbody tr[data-action="created"]').count()).toBe(8)
    expect(await preview.locator('tbody tr', { hasText: '820001' }).locator('td').allTextContents())
      .toEqual(['820001', '南江市公路事业发展中心', '单位', '820', '新建'])
    expect(await server.storage.departments.getByCode('820')).toBeNull() // a preview stores nothing
    await shot(page, '6-departments-preview')
    await dialog.locator('[data-testid="import-departments-confirm"]').click()
    await page.waitForFunction(() => document.querySelector('[data-testid="department-summary"]')?.textContent?.includes('已导入'), null, WAIT)
    await shot(page, '7-departments-imported')
    expect((await server.storage.departments.getByCode('820'))!.name).toBe('南江市交通运输局')
    await dialog.locator('.tt-dialog-foot .tt-button').first().click()
    await dialog.waitFor({ state: 'detached', ...WAIT })
    // the tree was read again: the filter offers the new department and its unit below it
    await page.waitForFunction(() => [...document.querySelectorAll('.tt-filters select[name="departmentId"] option')].some((o) => o.textContent?.includes('南江市公路事业发展中心')), null, WAIT)
    expect(errors).toEqual([])
  }, 120_000)
})
