// The review cycle end to end (issue 12, "Done when"), against the real server and built client in
// Chromium, three people at three computers: 教育局 (jiaoyu) creates a table from /tables, fills it and
// submits it; the consultant (zixun) comments on a row and grades the round; finance (caizheng) returns
// it with a reason; the department sees its changes highlighted, answers the opinion and resubmits;
// approval is blocked by the open opinion until the consultant resolves it; finance approves and every
// open grid locks at once; 调整 without a reason is refused in the page and over the API. Every step
// goes through the page's own buttons. Screenshots of each step land in test-artifacts/review-*.png.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import ExcelJS from 'exceljs'
import { parseTable, type TargetTable } from '../../shared/model/index.ts'
import { toYDoc } from '../../shared/ydoc/index.ts'
import { TINTS } from '../../client/grid/findings-map.ts'
import { ARTIFACTS, clientCopy, collectErrors, releaseBrowser, sharedBrowser, signIn } from '../helpers/browser.ts'
import { anchorPos, clickCell, docJson, typeInto } from '../helpers/browser-grid.ts'
import { startServer, type RunningServer } from '../helpers/server.ts'

const WAIT = { timeout: 20_000 }
/** opening a page loads Univer (≈ 6 MB of script): on a busy machine that alone can take half a minute */
const OPEN = { timeout: 90_000 }
const S01 = new URL('../../shared/domain/samples/S01-education-after-school.json', import.meta.url)
const PROJECT = '义务教育学校课后服务经费补助（2027）'

let server: RunningServer
let browser: Browser
const contexts: BrowserContext[] = []
const errors = new Map<Page, string[]>()
let A: Page // jiaoyu, 教育局 (department)
let B: Page // zixun, consultant of 教育局
let C: Page // caizheng, finance
let tableId: string
let shot = 0

beforeAll(async () => {
  const clientDir = await clientCopy()
  server = await startServer('pglite', { clientDir })
  browser = await sharedBrowser()
  fs.mkdirSync(ARTIFACTS, { recursive: true })
  for (const f of fs.readdirSync(ARTIFACTS)) if (/^review-\d+-.*\.png$/.test(f)) fs.rmSync(path.join(ARTIFACTS, f))
}, 180_000)

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined)
  await releaseBrowser(browser)
  await server?.close()
})

/** A fresh browser context (own cookies and session storage): a person at another computer. */
async function person(): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1600, height: 960 }, locale: 'zh-CN' })
  contexts.push(ctx)
  const page = await ctx.newPage()
  // refusals the test provokes on purpose: 409 blocked
  errors.set(page, collectErrors(page, { expected: (r) => r.status() === 409 && r.url().endsWith('/transitions') }))
  return page
}

async function ready(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as any).__tt?.ready === true, null, OPEN)
  await page.waitForSelector('.tp-tabs', WAIT)
}

async function openAs(username: string): Promise<Page> {
  const p = await person()
  await p.goto(`${server.httpUrl}/tables/${tableId}`)
  await signIn(p, username, OPEN.timeout)
  await p.waitForURL(new RegExp(`/tables/${tableId}$`), OPEN)
  await ready(p)
  return p
}

async function snap(page: Page, name: string): Promise<void> {
  shot++
  await page.screenshot({ path: path.join(ARTIFACTS, `review-${String(shot).padStart(2, '0')}-${name}.png`) })
}

const statusOf = (p: Page) => p.textContent('[data-testid="status"]')
const waitStatus = (p: Page, label: string) => p.waitForFunction((l) => document.querySelector('[data-testid="status"]')?.textContent === l, label, WAIT)
const tab = (p: Page, id: string) => p.click(`.tp-tab[data-tab="${id}"]`)

async function rowId(p: Page, level3: string): Promise<string> {
  const row = (await docJson(p)).indicators.find((r: any) => r.level3 === level3 && r.period === 'annual')
  if (!row) throw new Error(`no indicator ${level3}`)
  return row.id
}

/** Clicks a lifecycle button of the header and confirms its dialog (with a reason when it asks for one). */
async function transition(p: Page, action: string, reason?: string): Promise<void> {
  await p.click(`.tp-actions button[data-action="${action}"]`)
  const dialog = p.locator(`[data-testid="${action}-dialog"]`)
  await dialog.waitFor(WAIT)
  if (reason !== undefined) {
    await dialog.locator('[data-testid="reason-input"]').fill(reason)
    await dialog.locator('[data-testid="reason-confirm"]').click()
  } else {
    await dialog.locator('[data-testid="confirm"]').click()
  }
}

/** Waits until the grid's selection is on `p` (a click on the canvas lands a moment later on a busy machine). */
async function selected(page: Page, p: { row: number; col: number }): Promise<void> {
  await page.waitForFunction(([r, c]) => {
    const range = (window as any).univerAPI.getActiveWorkbook().getActiveSheet().getActiveRange()
    return range?.getRow() === r && range?.getColumn() === c
  }, [p.row, p.col] as const, WAIT)
}

/** The cell's background in the page's grid, upper case. */
async function background(p: Page, anchor: string): Promise<string | undefined> {
  const pos = await anchorPos(p, anchor)
  return p.evaluate(([r, c]) => (window as any).univerAPI.getActiveWorkbook().getActiveSheet().getRange(r, c).getBackground()?.toUpperCase(), [pos.row, pos.col] as const)
}

// a step that opens pages waits for Univer to load in them (see OPEN)
describe('review cycle in the browser: three people, one table, the real server', { timeout: 150_000 }, () => {
  let satisfaction: string // row the consultant comments on: 学生家长满意度 (=100%)
  let money: string // row whose 金额 as 产出 blocks the first submit: 安排课后服务补助资金

  it('a department user creates a table from /tables and it opens as a blank official form', async () => {
    A = await person()
    await A.goto(`${server.httpUrl}/tables`)
    await signIn(A, 'jiaoyu', OPEN.timeout)
    await A.waitForURL(/\/tables$/, WAIT)
    await A.getByRole('button', { name: '＋ 新建绩效目标表' }).click()
    const dialog = A.locator('[data-testid="create-dialog"]')
    await dialog.waitFor(WAIT)
    await dialog.locator('input[name="template"][value="mof2015-project"]').check()
    await dialog.locator('input[name="projectName"]').fill(PROJECT)
    await snap(A, 'create-dialog')
    await dialog.getByRole('button', { name: '创建并打开' }).click()
    await A.waitForURL(/\/tables\/[^/]+$/, WAIT)
    tableId = decodeURIComponent(new URL(A.url()).pathname.split('/').pop()!)
    await ready(A)
    expect(await statusOf(A)).toBe('草稿')
    expect(await A.textContent('[data-testid="department"]')).toBe('南江市教育局')
    expect(await A.textContent('.tp-title-block h1')).toBe(PROJECT)
    expect((await docJson(A)).indicators).toEqual([])
  })

  it('the department fills it; 报送 is refused while an error stands, listing it with a link to its cell', async () => {
    // most of the form from a prepared table (the 教育局 sample), written into the live document as
    // the department user; the rest is typed through the grid below
    const jiaoyu = (await server.api('GET', '/api/auth/me', await server.login('jiaoyu'))).body
    const sample = JSON.parse(fs.readFileSync(S01, 'utf8'))
    const parsed = parseTable({ ...sample, year: new Date().getFullYear() + 1, header: { ...sample.header, projectName: PROJECT } }, { assignIds: true })
    if (!parsed.ok) throw new Error('sample does not parse')
    await server.live.change(tableId, 'table', (doc) => void toYDoc(parsed.table as TargetTable, doc), jiaoyu.user?.id ?? jiaoyu.id)
    await A.waitForFunction(() => (window as any).__tt.json().indicators?.length === 14, null, WAIT)
    money = await rowId(A, '安排课后服务补助资金')
    satisfaction = await rowId(A, '学生家长满意度')

    await transition(A, 'submit')
    const blocked = A.locator('[data-testid="blocked"]')
    await blocked.waitFor(WAIT)
    expect(await blocked.textContent()).toContain('不能')
    const finding = blocked.locator('[data-rule="R-INPUT-AS-OUTPUT"] [data-testid="blocked-finding"]')
    expect(await finding.textContent()).toContain('安排课后服务补助资金')
    await finding.click()
    const at = await anchorPos(A, `${money}|level3`)
    await selected(A, at)
    expect(await statusOf(A)).toBe('草稿')
    await snap(A, 'submit-blocked')

    // the department corrects it by typing: money is an input, not an output
    await typeInto(A, 0, at, '覆盖义务教育学校数')
    await typeInto(A, 0, await anchorPos(A, `${money}|value`), '≥56所')
    await A.waitForFunction(() => (window as any).__tt.findings().filter((f: any) => f.severity === 'error').length === 0, null, WAIT)
    expect((await docJson(A)).indicators.find((r: any) => r.id === money)).toMatchObject({ level3: '覆盖义务教育学校数', comparator: '≥', target: '56', unit: '所' })
    await A.click('[data-testid="blocked"] button[aria-label="关闭"]')
  })

  it('submits with the page’s button: round 1 opens and the department’s grid turns read-only', async () => {
    await transition(A, 'submit')
    await waitStatus(A, '已报送')
    expect(await A.textContent('[data-testid="round"]')).toBe('第 1 轮')
    await A.waitForSelector('[data-testid="readonly-banner"]:not([hidden])', WAIT)
    expect(await A.isVisible('.tp-actions button[data-action="submit"]')).toBe(false)
    expect(await A.textContent('[data-testid="status-banner"]')).toContain('第 1 轮征求意见中')
    await snap(A, 'submitted')
  })

  it('the consultant comments on a row and grades the round', async () => {
    // the consultant and finance open the table at the same time; both keep it open to the end
    ;[B, C] = await Promise.all([openAs('zixun'), openAs('caizheng')])
    expect(await statusOf(B)).toBe('已报送')
    await tab(B, 'threads')
    const cell = await anchorPos(B, `${satisfaction}|value`)
    await clickCell(B, 0, cell)
    await selected(B, cell)
    await B.fill('[data-testid="new-thread-text"]', '满意度设为=100%不现实，请改为≥90%')
    await B.waitForFunction(() => document.querySelector('[data-testid="new-thread-target"]')?.textContent?.includes('学生家长满意度 · 指标值'), null, WAIT)
    await B.click('[data-testid="new-thread-submit"]')
    await B.waitForSelector('[data-testid="thread"][data-status="open"]', WAIT)
    // the department's page shows it live, in its 意见 tab
    await A.waitForFunction(() => (window as any).__tt.threads().length === 1, null, WAIT)
    const [thread] = await A.evaluate(() => (window as any).__tt.threads())
    expect(thread).toMatchObject({ anchor: { rowId: satisfaction, field: 'value' }, round: 1, status: 'open' })
    await snap(B, 'consultant-comment')

    await tab(B, 'rounds')
    const form = B.locator('[data-testid="round"][data-round="1"] [data-testid="review-form"]')
    await form.waitFor(WAIT)
    for (const [dimension, grade] of [['completeness', '良'], ['relevance', '优'], ['appropriateness', '良'], ['feasibility', '中']]) {
      await form.locator(`[data-dimension="${dimension}"] [data-grade="${grade}"]`).click()
    }
    await form.locator('[data-dimension="verdict"] [data-grade="良"]').click()
    await form.locator('textarea').fill('指标较完整，满意度指标值需调整。')
    await form.locator('[data-testid="review-save"]').click()
    const review = B.locator('[data-testid="round"][data-round="1"] [data-testid="review"]')
    await review.waitFor(WAIT)
    expect(await review.locator('[data-testid="verdict"]').textContent()).toBe('审核结论：良 修改后通过')
    const rounds = (await server.api('GET', `/api/tables/${tableId}/rounds`, await server.login('renda'))).body.rounds
    expect(rounds).toHaveLength(1)
    expect(rounds[0].review).toMatchObject({ grades: { completeness: '良', relevance: '优', appropriateness: '良', feasibility: '中' }, verdict: '良', comment: '指标较完整，满意度指标值需调整。' })
    await snap(B, 'consultant-graded')

    // the round's 意见汇总表 downloads from the card (the session cookie authenticates the link)
    const [download] = await Promise.all([B.waitForEvent('download'), B.click('[data-testid="round"][data-round="1"] [data-testid="opinions-xlsx"]')])
    const book = new ExcelJS.Workbook()
    await book.xlsx.readFile(await download.path())
    const text = (v: unknown): string => (v && typeof v === 'object' && 'richText' in v ? (v as ExcelJS.CellRichTextValue).richText.map((t) => t.text).join('') : String(v ?? ''))
    const cells = book.worksheets.flatMap((ws) => ws.getSheetValues().flat().map(text))
    expect(cells.some((v) => v.includes('满意度设为=100%不现实，请改为≥90%'))).toBe(true)
  })

  it('finance returns it with a reason; every open page follows at once', async () => {
    expect(await C.isVisible('.tp-actions button[data-action="approve"]')).toBe(true)
    // the page refuses an empty reason before anything is sent
    await C.click('.tp-actions button[data-action="return"]')
    await C.click('[data-testid="return-dialog"] [data-testid="reason-confirm"]')
    expect(await C.textContent('[data-testid="return-dialog"] [data-testid="reason-error"]')).toContain('退回原因')
    expect(await statusOf(C)).toBe('已报送')
    await C.click('[data-testid="return-dialog"] button[aria-label="关闭"]')
    await transition(C, 'return', '满意度指标请按第三方意见修改后重报')
    for (const p of [C, A, B]) await waitStatus(p, '退回修改')
    // the department may edit again, without reloading its page
    await A.waitForSelector('[data-testid="readonly-banner"][hidden]', { state: 'attached', ...WAIT })
    await A.waitForFunction(() => document.querySelector('[data-testid="status-banner"]')?.textContent?.includes('满意度指标请按第三方意见修改后重报'), null, WAIT)
    expect(await A.isVisible('.tp-actions button[data-action="submit"]')).toBe(true)
    await snap(C, 'finance-returned')
    await snap(A, 'department-returned')
  })

  it('the department revises: its changes since the last round are tinted and listed; it answers 已修改 and resubmits', async () => {
    await typeInto(A, 0, await anchorPos(A, `${satisfaction}|value`), '≥90%')
    await tab(A, 'changes')
    const change = A.locator(`[data-testid="change"][data-row="${satisfaction}"]`).first()
    await change.waitFor(WAIT)
    expect(await change.textContent()).toContain('学生家长满意度')
    await A.waitForFunction(([a, tint]) => {
      const tt = (window as any).__tt
      const pos = tt.layout().anchors.get(a)
      return pos && (window as any).univerAPI.getActiveWorkbook().getActiveSheet().getRange(pos.row, pos.col).getBackground()?.toUpperCase() === tint
    }, [`${satisfaction}|value`, TINTS.changed.toUpperCase()] as const, WAIT)
    // an unchanged cell keeps its own colour
    expect(await background(A, `${satisfaction}|level3`)).not.toBe(TINTS.changed.toUpperCase())
    await snap(A, 'changes-highlighted')

    await tab(A, 'threads')
    const card = A.locator('[data-testid="thread"]').first()
    // 不采纳 without a reason is refused in the page
    await card.locator('[data-testid="mark-declined"]').click()
    await card.locator('[data-testid="decline-confirm"]').click()
    expect(await card.locator('[data-testid="thread-error"]').textContent()).toContain('理由')
    await card.getByRole('button', { name: '取消' }).click()
    await card.locator('[data-testid="reply-text"]').fill('已改为≥90%')
    await card.locator('[data-testid="mark-revised"]').click()
    await card.locator('[data-testid="thread-disposition"]').waitFor(WAIT)
    expect(await card.locator('[data-testid="thread-disposition"]').textContent()).toBe('已修改')
    await B.waitForFunction(() => (window as any).__tt.threads()[0]?.disposition === 'revised', null, WAIT)
    const [thread] = await B.evaluate(() => (window as any).__tt.threads())
    expect(thread.messages.map((m: any) => m.text)).toEqual(['满意度设为=100%不现实，请改为≥90%', '已改为≥90%'])
    await snap(A, 'department-answered')

    await transition(A, 'submit')
    for (const p of [A, B, C]) await waitStatus(p, '已报送')
    expect(await A.textContent('[data-testid="round"]')).toBe('第 2 轮')
  })

  it('approval is blocked while an opinion is open, the link opens it; the consultant resolves it; finance approves and every grid locks', async () => {
    await transition(C, 'approve')
    const blocked = C.locator('[data-testid="blocked"]')
    await blocked.waitFor(WAIT)
    await blocked.locator('[data-testid="blocked-thread"]').click()
    await C.waitForSelector('.tp-pane[data-pane="threads"]:not([hidden]) [data-testid="thread"].tp-focus', WAIT)
    expect(await statusOf(C)).toBe('已报送')
    await snap(C, 'approve-blocked')

    await tab(B, 'threads')
    await B.locator('[data-testid="thread"] [data-testid="resolve"]').click()
    await C.waitForFunction(() => (window as any).__tt.threads()[0]?.status === 'resolved', null, WAIT)
    await snap(B, 'consultant-resolved')

    await C.click('[data-testid="blocked"] button[aria-label="关闭"]')
    await transition(C, 'approve')
    for (const p of [C, A, B]) {
      await waitStatus(p, '已批复')
      await p.waitForFunction(() => document.querySelector('[data-testid="status-banner"]')?.textContent?.startsWith('已批复'), null, WAIT)
      await p.waitForSelector('[data-testid="readonly-banner"]:not([hidden])', WAIT)
      expect(await p.textContent('[data-testid="readonly-banner"]')).toContain('已批复')
      expect(await p.evaluate(() => (window as any).__tt.editor.binding.isReadOnly())).toBe(true)
    }
    expect(await A.isVisible('.tp-actions button[data-action="submit"]')).toBe(false)
    await snap(A, 'approved-department')
    await snap(B, 'approved-consultant')
    await snap(C, 'approved-finance')
  })

  it('the history shows who changed what and each transition with its reason; a frozen version opens read-only', async () => {
    await tab(A, 'history')
    const returned = A.locator('[data-testid="history"] li[data-action="table.return"]')
    await returned.waitFor(WAIT)
    expect(await returned.textContent()).toContain('满意度指标请按第三方意见修改后重报')
    const edit = A.locator('[data-testid="history"] li[data-type="change"]', { hasText: '学生家长满意度' }).first()
    await edit.waitFor(WAIT)
    expect(await edit.textContent()).toContain('王芳（教育局财务科）')
    await snap(A, 'history')

    // against the approval itself nothing has changed; against the first submit, what round 2 revised
    await tab(A, 'changes')
    await A.waitForSelector('[data-testid="no-changes"]', WAIT)
    await A.selectOption('[data-testid="base-version"]', '1')
    // one line for the 指标值 cell (its comparator and target changed), as the form printed it then and now
    await A.waitForFunction((row) => {
      const lines = document.querySelectorAll(`[data-testid="change"][data-row="${row}"]`)
      return lines.length === 1 && lines[0]!.textContent!.includes('100% → ≥90%')
    }, satisfaction, WAIT)
    await A.click('[data-testid="open-version"]')
    const view = A.locator('[data-testid="version-view"]')
    await view.waitFor(WAIT)
    await view.locator('[data-testid="version-form"]').waitFor(WAIT)
    expect(await view.locator(`td[data-anchor="${satisfaction}|value"]`).textContent()).toBe('100%')
    expect(await view.locator(`td[data-anchor="${money}|level3"]`).textContent()).toBe('覆盖义务教育学校数')
    await snap(A, 'version-1-read-only')
    await view.locator('button[aria-label="关闭"]').click()
  })

  it('调整 without a reason is refused in the page and over the API; with one, every page returns to 草稿', async () => {
    await C.click('.tp-actions button[data-action="reopen"]')
    const dialog = C.locator('[data-testid="reopen-dialog"]')
    await dialog.locator('[data-testid="reason-input"]').fill('   ')
    await dialog.locator('[data-testid="reason-confirm"]').click()
    expect(await dialog.locator('[data-testid="reason-error"]').textContent()).toContain('调整原因')
    await snap(C, 'reopen-refused')
    await C.click('[data-testid="reopen-dialog"] button[aria-label="关闭"]')
    const caizheng = await server.login('caizheng')
    for (const body of [{ action: 'reopen' }, { action: 'reopen', reason: '' }, { action: 'reopen', reason: '   ' }]) {
      const r = await server.api('POST', `/api/tables/${tableId}/transitions`, caizheng, body)
      expect(r.status).toBe(400)
      expect(r.body.error.code).toBe('invalid_input')
      expect(r.body.error.message).toMatch(/原因/)
    }
    expect((await server.api('GET', `/api/tables/${tableId}`, caizheng)).body.status).toBe('approved')
    expect(await statusOf(A)).toBe('已批复')

    // with a reason it goes through, and the department's grid is editable again at once
    await transition(C, 'reopen', '预算调整：补充课后服务师资指标')
    for (const p of [C, A, B]) await waitStatus(p, '草稿')
    await A.waitForSelector('[data-testid="readonly-banner"][hidden]', { state: 'attached', ...WAIT })
    await A.waitForFunction(() => document.querySelector('[data-testid="status-banner"]')?.textContent?.includes('预算调整：补充课后服务师资指标'), null, WAIT)
    expect(await A.evaluate(() => (window as any).__tt.editor.binding.isReadOnly())).toBe(false)
    await snap(A, 'reopened-department')
  })

  it('kept every page free of errors', () => {
    for (const [, list] of errors) expect(list).toEqual([])
  })
})
