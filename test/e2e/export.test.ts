// Export and the compiled book in the pages (issue 13 item 6), against the real server (with its job
// runner) and built client in Chromium: 教育局 exports its table from the table page as xlsx (read back
// with ExcelJS: the project name, 草稿 in the title); an approved 涉密 table's dialog defaults to the
// approved version and offers no 公开版; two tables chosen on /tables come as one zip (read with jszip),
// and a 公开版 zip with a 涉密 table is refused naming it; a department user gets 无权限 on /compilations;
// finance starts a book there, watches its progress bar run to the end, downloads the PDF (pdftotext
// reads the title and the tables back) and deletes it. Screenshots in test-artifacts/export-*.png.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import ExcelJS from 'exceljs'
import JSZip from 'jszip'
import { ARTIFACTS, clientCopy, collectErrors, releaseBrowser, sharedBrowser, signIn } from '../helpers/browser.ts'
import { loadSample } from '../helpers/samples.ts'
import { startServer, type RunningServer } from '../helpers/server.ts'

const WAIT = { timeout: 20_000 }
/** the table page loads Univer (≈ 6 MB of script): on a busy machine that alone can take half a minute */
const OPEN = { timeout: 90_000 }
const BOOK_YEAR = 2031
const PER_DEPARTMENT = 20
const BOOK_TABLES = 2 * PER_DEPARTMENT
const S01 = loadSample('S01') as { header: { projectName: string } }
const PROJECT = S01.header.projectName

let server: RunningServer
let browser: Browser
const contexts: BrowserContext[] = []
const errors = new Map<Page, string[]>()
let s01Id: string // 教育局's demo table (a draft)
let otherId: string // another draft of 教育局
let secretId: string // an approved 涉密 table of 教育局
let secretTitle: string
const bookDepartments: { id: string; name: string }[] = []
const bookTitles: string[] = []
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-export-e2e-'))

/** A table filed by finance with S01's content, then approved straight through storage: its live content (as the
 * server answers it) frozen as the 'approved' version 1 and the row moved to approved. */
async function approvedTable(token: string, departmentId: string, year: number, title: string, classified: boolean): Promise<string> {
  const content = { ...(structuredClone(loadSample('S01')) as object), year }
  const r = await server.api('POST', '/api/tables', token, { kind: 'project', template: 'mof2015-project', year, departmentId, title, classified, content })
  expect(r.status, JSON.stringify(r.body)).toBe(201)
  const row = r.body as { id: string; status: 'draft'; round: number; version: number }
  const live = await server.api('GET', `/api/tables/${row.id}`, token)
  expect(live.status).toBe(200)
  await server.storage.versions.freeze({ tableId: row.id, version: 1, round: 1, reason: 'approved', content: live.body.content })
  await server.storage.tables.updateState(row.id, { status: row.status, round: row.round, version: row.version }, { status: 'approved', version: 1 })
  return row.id
}

beforeAll(async () => {
  const clientDir = await clientCopy()
  server = await startServer('pglite', { clientDir, jobs: true })
  browser = await sharedBrowser()
  fs.mkdirSync(ARTIFACTS, { recursive: true })
  const jiaoyu = await server.login('jiaoyu')
  const caizheng = await server.login('caizheng')
  const education = (await server.storage.departments.getByCode('105'))!
  const list = await server.api('GET', '/api/tables?limit=500', jiaoyu)
  expect(list.status).toBe(200)
  s01Id = list.body.tables.find((t: { title: string }) => t.title.includes(PROJECT) || t.title.includes('课后服务'))?.id
  expect(s01Id, JSON.stringify(list.body.tables.map((t: { title: string }) => t.title))).toBeTruthy()
  const other = await server.api('POST', '/api/tables', jiaoyu, { kind: 'project', template: 'mof2015-project', year: 2025, departmentId: education.id, projectName: '导出测试第二张表' })
  expect(other.status).toBe(201)
  otherId = other.body.id
  secretTitle = '涉密导出测试表'
  secretId = await approvedTable(caizheng, education.id, BOOK_YEAR - 1, secretTitle, true)
  // the book: three departments × 20 approved tables (enough for the progress bar to be seen moving); the
  // test picks two of them
  for (const code of ['105', '118', '121']) {
    const d = (await server.storage.departments.getByCode(code))!
    bookDepartments.push({ id: d.id, name: d.name })
    for (let i = 1; i <= PER_DEPARTMENT; i++) {
      const title = `${d.name}汇编测试项目${String(i).padStart(2, '0')}`
      await approvedTable(caizheng, d.id, BOOK_YEAR, title, false)
      bookTitles.push(title)
    }
  }
}, 180_000)

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined)
  await releaseBrowser(browser)
  await server?.close()
  fs.rmSync(tmp, { recursive: true, force: true })
})

async function person(expected?: (status: number, method: string, pathname: string) => boolean): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', acceptDownloads: true })
  contexts.push(ctx)
  const page = await ctx.newPage()
  errors.set(page, collectErrors(page, { expected: (r) => !!expected?.(r.status(), r.request().method(), new URL(r.url()).pathname) }))
  return page
}

async function openTable(page: Page, id: string, username?: string): Promise<void> {
  await page.goto(`${server.httpUrl}/tables/${id}`)
  if (username) {
    await signIn(page, username, OPEN.timeout)
    await page.waitForURL(new RegExp(`/tables/${id}$`), OPEN)
  }
  await page.waitForFunction(() => (window as any).__tt?.ready === true, null, OPEN)
  await page.waitForSelector('.tp-header [data-action="export"]', WAIT)
}

const shot = (page: Page, name: string, fullPage = false) => page.screenshot({ path: path.join(ARTIFACTS, `export-${name}.png`), fullPage })

/** Every cell's text of every sheet, row by row. */
async function xlsxText(file: string): Promise<string[]> {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.readFile(file)
  const lines: string[] = []
  wb.eachSheet((ws) => ws.eachRow((row) => {
    const cells: string[] = []
    // a merged range's text is its master's; the other cells of the range are skipped
    row.eachCell((c) => { if (c.type !== ExcelJS.ValueType.Merge) cells.push(c.text) })
    lines.push(cells.join('|'))
  }))
  return lines
}

describe('export and the compiled book in the pages', () => {
  let A: Page // jiaoyu, 教育局

  it('exports the table from its page as xlsx under the server\'s file name; the workbook holds the project, marked 草稿', async () => {
    A = await person()
    await openTable(A, s01Id, 'jiaoyu')
    await A.click('[data-action="export"]')
    const dialog = A.locator('[data-testid="export-dialog"]')
    await dialog.waitFor(WAIT)
    // a draft: the current content by default, Excel, 内部版
    expect(await A.inputValue('[data-testid="export-version"]')).toBe('live')
    expect(await dialog.locator('[data-format="xlsx"]').getAttribute('aria-checked')).toBe('true')
    expect(await dialog.locator('[data-edition="public"]').isDisabled()).toBe(false)
    await shot(A, '1-table-dialog')
    const [download] = await Promise.all([A.waitForEvent('download', WAIT), A.click('[data-testid="export-confirm"]')])
    const name = download.suggestedFilename()
    expect(name).toMatch(/\.xlsx$/)
    expect(name).toMatch(/[\u4e00-\u9fff]/) // the UTF-8 name of Content-Disposition, not a fallback
    const file = path.join(tmp, 'one.xlsx')
    await download.saveAs(file)
    const lines = await xlsxText(file)
    expect(lines.some((l) => l.includes(PROJECT))).toBe(true)
    expect(lines.some((l) => l.includes('草稿'))).toBe(true)
    await A.waitForSelector('[data-testid="export-saved"]', WAIT)
    expect(await A.textContent('[data-testid="export-saved"]')).toContain(name)
    expect(errors.get(A)).toEqual([])
  }, 180_000)

  it('defaults an approved table to its approved version and offers a 涉密 table no 公开版', async () => {
    await openTable(A, secretId)
    await A.click('[data-action="export"]')
    await A.waitForSelector('[data-testid="export-dialog"]', WAIT)
    await A.waitForFunction(() => (document.querySelector('[data-testid="export-version"]') as HTMLSelectElement | null)?.value === '1', null, WAIT)
    expect(await A.locator('[data-testid="export-dialog"] [data-edition="public"]').isDisabled()).toBe(true)
    expect(await A.textContent('[data-testid="edition-hint"]')).toContain('涉密')
    await shot(A, '2-approved-secret-dialog')
    const [download] = await Promise.all([A.waitForEvent('download', WAIT), A.click('[data-testid="export-confirm"]')])
    const file = path.join(tmp, 'approved.xlsx')
    await download.saveAs(file)
    const lines = await xlsxText(file)
    expect(lines.some((l) => l.includes(PROJECT))).toBe(true)
    expect(lines.some((l) => l.includes('草稿'))).toBe(false) // the approved version, not a draft
    expect(errors.get(A)).toEqual([])
  }, 180_000)

  it('exports two tables chosen on /tables as one zip; a 公开版 with a 涉密 table is refused, naming it', async () => {
    const D = await person((status, method, p) => status === 403 && method === 'POST' && p === '/api/tables/export')
    await D.goto(`${server.httpUrl}/tables`)
    await signIn(D, 'jiaoyu')
    await D.waitForSelector(`tr[data-table-id="${s01Id}"]`, WAIT)
    expect(await D.isDisabled('[data-testid="export-selected"]')).toBe(true)
    // the page's checkbox takes every row on the page, and gives them back
    const onPage = await D.locator('tr[data-table-id]').count()
    await D.check('[data-testid="select-page"]')
    expect(await D.textContent('[data-testid="selection"]')).toContain(`已选 ${onPage} 张`)
    expect(await D.locator('[data-testid="select-row"]:checked').count()).toBe(onPage)
    await D.uncheck('[data-testid="select-page"]')
    expect(await D.locator('[data-testid="selection"]').count()).toBe(0)
    await D.check(`tr[data-table-id="${s01Id}"] [data-testid="select-row"]`)
    await D.check(`tr[data-table-id="${otherId}"] [data-testid="select-row"]`)
    expect(await D.textContent('[data-testid="selection"]')).toContain('已选 2 张')
    await D.click('[data-testid="export-selected"]')
    const dialog = D.locator('[data-testid="export-selected-dialog"]')
    await dialog.waitFor(WAIT)
    await shot(D, '3-zip-dialog')
    const [download] = await Promise.all([D.waitForEvent('download', WAIT), D.click('[data-testid="export-selected-confirm"]')])
    expect(download.suggestedFilename()).toMatch(/\.zip$/)
    const file = path.join(tmp, 'two.zip')
    await download.saveAs(file)
    const zip = await JSZip.loadAsync(fs.readFileSync(file))
    const names = Object.keys(zip.files).filter((n) => !zip.files[n]!.dir)
    expect(names.length).toBe(2)
    expect(names.every((n) => n.endsWith('.xlsx'))).toBe(true)
    // each entry is a workbook; one of them is S01
    const texts = await Promise.all(names.map(async (n) => {
      const p = path.join(tmp, `entry-${names.indexOf(n)}.xlsx`)
      fs.writeFileSync(p, await zip.file(n)!.async('nodebuffer'))
      return (await xlsxText(p)).join('\n')
    }))
    expect(texts.filter((t) => t.includes(PROJECT)).length).toBe(1)
    await D.click('[data-testid="export-selected-dialog"] .tt-dialog-foot .tt-button:not(.tt-button-primary)')
    await D.waitForSelector('[data-testid="export-selected-dialog"]', { state: 'detached', ...WAIT })
    // the selection was used: it is cleared
    expect(await D.locator('[data-testid="selection"]').count()).toBe(0)

    // the 涉密 table in a 公开版: the dialog warns, the server refuses and the refusal names the table
    await D.check(`tr[data-table-id="${s01Id}"] [data-testid="select-row"]`)
    await D.check(`tr[data-table-id="${secretId}"] [data-testid="select-row"]`)
    await D.click('[data-testid="export-selected"]')
    await dialog.waitFor(WAIT)
    await dialog.locator('label:has(input[name="edition"][value="public"])').click()
    await D.waitForSelector('[data-testid="classified-hint"]', WAIT)
    await D.click('[data-testid="export-selected-confirm"]')
    const refusal = D.locator('[data-testid="export-refusal"]')
    await refusal.waitFor(WAIT)
    expect(await refusal.locator(`li[data-table-id="${secretId}"]`).textContent()).toContain(secretTitle)
    await shot(D, '4-zip-refused')
    expect(errors.get(D)).toEqual([])
  }, 120_000)

  it('tells a department user that 汇编成册 is finance\'s, with no link to it', async () => {
    const E = await person()
    await E.goto(`${server.httpUrl}/compilations`)
    await signIn(E, 'jiaoyu')
    await E.waitForSelector('[data-testid="forbidden"]', WAIT)
    expect(await E.textContent('[data-testid="forbidden"]')).toContain('无权限')
    expect(await E.locator('[data-testid="compilation-form"]').count()).toBe(0)
    expect(await E.locator('.tt-nav a[href="/compilations"]').count()).toBe(0)
    await shot(E, '5-compilations-forbidden')
    expect(errors.get(E)).toEqual([])
  }, 60_000)

  it('lets finance start a book on /compilations, follow its progress bar to the end, download the PDF and delete it', async () => {
    const C = await person()
    await C.goto(`${server.httpUrl}/tables`)
    await signIn(C, 'caizheng')
    await C.waitForSelector('.tt-nav a[href="/compilations"]', WAIT)
    await C.click('.tt-nav a[href="/compilations"]')
    await C.waitForURL(/\/compilations$/, WAIT)
    await C.waitForSelector('[data-testid="compilation-form"]', WAIT)
    await C.waitForSelector('[data-testid="no-books"]', WAIT)
    await C.fill('input[name="year"]', String(BOOK_YEAR))
    await C.fill('input[name="title"]', '汇编页面测试')
    await C.click('label:has(input[name="scope"][value="some"])')
    // nothing picked: refused in the page before anything is sent
    await C.click('[data-testid="start-compilation"]')
    await C.waitForSelector('[data-field="departmentIds"]', WAIT)
    const picked = bookDepartments.slice(0, 2)
    for (const d of picked) await C.check(`input[name="departmentIds"][value="${d.id}"]`)
    await C.click('label:has(input[name="format"][value="pdf"])')
    await shot(C, '6-compilation-form', true)

    // every state the list shows from now on, as the page draws it
    await C.evaluate(() => {
      const seen: { status: string; done: number | null; total: number | null }[] = []
      ;(window as any).__seen = seen
      const look = () => {
        const book = document.querySelector('[data-testid="book"]')
        if (!book) return
        const bar = book.querySelector('[data-testid="progress"]')
        const last = seen[seen.length - 1]
        const now = { status: book.getAttribute('data-status')!, done: bar ? Number(bar.getAttribute('aria-valuenow')) : null, total: bar ? Number(bar.getAttribute('aria-valuemax')) : null }
        if (!last || last.status !== now.status || last.done !== now.done) seen.push(now)
      }
      new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true })
    })
    await C.click('[data-testid="start-compilation"]')
    await C.waitForSelector('[data-testid="started"]', WAIT)
    expect(await C.textContent('[data-testid="started"]')).toContain(`共 ${BOOK_TABLES} 张表`)
    await C.waitForSelector('[data-testid="book"]', WAIT)
    await shot(C, '7-compilation-running', true)
    await C.waitForSelector('[data-testid="book"][data-status="done"]', { timeout: 120_000 })
    await shot(C, '8-compilation-done', true)

    const seen: { status: string; done: number | null; total: number | null }[] = await C.evaluate(() => (window as any).__seen)
    // the bar was on screen while the job was queued or running (starting short of its total), never past its
    // total, never going back; how many steps the 1 s polls catch depends on the machine
    const active = seen.filter((s) => s.status === 'queued' || s.status === 'running')
    expect(active.length, JSON.stringify(seen)).toBeGreaterThan(0)
    for (const s of active) {
      expect(s.total).toBe(BOOK_TABLES)
      expect(s.done).toBeLessThanOrEqual(BOOK_TABLES)
    }
    const dones = active.map((s) => s.done!)
    expect(dones).toEqual([...dones].sort((a, b) => a - b))
    expect(dones[0]).toBeLessThan(BOOK_TABLES)
    expect(seen[seen.length - 1]!.status).toBe('done')
    expect(await C.textContent('[data-testid="book-status"]')).toBe('已完成')
    expect(await C.textContent('[data-testid="file-info"]')).toContain(`共 ${BOOK_TABLES} 张表`)
    expect(await C.locator('[data-testid="progress"]').count()).toBe(0)

    const [download] = await Promise.all([C.waitForEvent('download', WAIT), C.click('[data-testid="download"]')])
    expect(download.suggestedFilename()).toMatch(/\.pdf$/)
    const file = path.join(tmp, 'book.pdf')
    await download.saveAs(file)
    expect(fs.readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-')
    // without white space: pdftotext puts a space between Chinese and digits, and a long title may wrap
    const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8', maxBuffer: 64 << 20 }).replace(/\s+/g, '')
    expect(text).toContain('汇编页面测试')
    const wanted = bookTitles.filter((t) => picked.some((d) => t.startsWith(d.name)))
    const left = bookTitles.filter((t) => !wanted.includes(t))
    for (const t of wanted) expect(text, t).toContain(t)
    for (const t of left) expect(text, t).not.toContain(t)

    // 删除 after a confirmation: the book leaves the list
    await C.click('[data-testid="delete"]')
    await C.waitForSelector('[data-testid="remove-dialog"]', WAIT)
    await C.click('[data-testid="remove-confirm"]')
    await C.waitForSelector('[data-testid="no-books"]', WAIT)
    expect(errors.get(C)).toEqual([])
  }, 240_000)
})
