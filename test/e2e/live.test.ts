// The browser grid against the REAL server (HTTP API, live y-websocket rooms, built client, demo city)
// in real Chromium: two users in two browser contexts sign in through /login and edit one table
// (教育局's mof2015-project form); typing, a row inserted in a group (merged), a comment and a
// vague value's finding reach the other browser through the server, which confirms it with its own check; a viewer's typing changes
// nothing anywhere; after a reload everything is still there. Screenshots land in test-artifacts/.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { ARTIFACTS, clientCopy, collectErrors, releaseBrowser, sharedBrowser, signIn } from '../helpers/browser.ts'
import { anchorPos, cellValue, clickCell, docJson, mergeAt, sheetMerges, typeInto } from '../helpers/browser-grid.ts'
import { startServer, type RunningServer } from '../helpers/server.ts'

const WAIT = { timeout: 20_000 }

let server: RunningServer
let browser: Browser
let tableId: string
let renda: string
const contexts: BrowserContext[] = []
const errors = new Map<Page, string[]>()
let A: Page // jiaoyu, 教育局 (department)
let B: Page // zixun, consultant of 教育局
let V: Page // renda, viewer

beforeAll(async () => {
  const clientDir = await clientCopy()
  server = await startServer('pglite', { clientDir })
  browser = await sharedBrowser()
  fs.mkdirSync(ARTIFACTS, { recursive: true })
  renda = await server.login('renda')
  const list = await server.api('GET', '/api/tables', await server.login('jiaoyu'))
  const table = list.body.tables.find((t: any) => t.template === 'mof2015-project' && t.departmentName === '南江市教育局')
  tableId = table.id
}, 180_000)

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined)
  await releaseBrowser(browser)
  await server?.close()
})

/** A fresh browser context (own cookies and session storage): a second person at another computer. */
async function person(): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1600, height: 1000 } })
  contexts.push(ctx)
  const page = await ctx.newPage()
  errors.set(page, collectErrors(page))
  return page
}

async function ready(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as any).__tt?.ready === true, null, { timeout: 30_000 })
}

async function rowIdOf(p: Page, level3: string, period = 'annual'): Promise<string> {
  const row = (await docJson(p)).indicators.find((r: any) => r.level3 === level3 && r.period === period)
  if (!row) throw new Error(`no indicator ${level3} (${period})`)
  return row.id
}

/** Waits until cell `anchor` of the page's grid shows `value`. */
async function shows(p: Page, anchor: string, value: string): Promise<void> {
  await p.waitForFunction(([a, v]) => {
    const tt = (window as any).__tt
    const pos = tt.layout().anchors.get(a)
    return !!pos && tt.editors[0].univerAPI.getActiveWorkbook().getActiveSheet().getRange(pos.row, pos.col).getValue() === v
  }, [anchor, value] as const, WAIT)
}

/** JSON with sorted keys: the server's and the browser's objects list their keys in different orders. */
const canon = (v: unknown): string => JSON.stringify(v, (_k, x) => x && typeof x === 'object' && !Array.isArray(x)
  ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x)
const mergeSet = async (p: Page) => new Set((await sheetMerges(p)).map((m) => JSON.stringify(m)))
const content = async () => (await server.api('GET', `/api/tables/${tableId}`, renda)).body.content

describe('live grid: two browsers, one table, the real server', () => {
  let renamed: string // row whose 三级 A retyped
  let inserted: string // row B inserted
  let commented: string // row A commented on
  let vague: string // row whose 指标值 A made vague

  it('signs in through /login: from the list (department names shown) and from a deep link (?next=)', async () => {
    A = await person()
    const assets: Promise<{ url: string; encoding: string; bytes: number }>[] = []
    A.on('response', (r) => {
      if (/\/assets\/[^/]+\.(?:js|css)$/.test(r.url())) {
        assets.push(r.body().then((b) => ({ url: r.url(), encoding: r.headers()['content-encoding'] ?? '', bytes: b.byteLength })))
      }
    })
    await A.goto(`${server.httpUrl}/tables`)
    await A.waitForURL(/\/login\?next=%2Ftables$/, WAIT)
    await signIn(A, 'jiaoyu')
    await A.waitForURL(/\/tables$/, WAIT)
    const link = A.locator(`a[href="/tables/${tableId}"]`)
    await link.waitFor(WAIT)
    expect(await A.locator('tr', { has: link }).textContent()).toContain('南江市教育局')
    await link.click()
    await A.waitForURL(new RegExp(`/tables/${tableId}$`), WAIT)
    await ready(A)
    // the client's scripts and styles came compressed (the build's .br/.gz copies, client/precompress.ts),
    // the grid's 6 MB chunk among them
    const sent = await Promise.all(assets)
    expect(sent.some((a) => a.bytes > 1_000_000)).toBe(true)
    for (const a of sent.filter((x) => x.bytes >= 1024)) expect(['br', 'gzip'], a.url).toContain(a.encoding)

    B = await person()
    await B.goto(`${server.httpUrl}/tables/${tableId}`)
    await B.waitForURL(new RegExp(`/login\\?next=%2Ftables%2F${tableId}$`), WAIT)
    await signIn(B, 'zixun')
    await B.waitForURL(new RegExp(`/tables/${tableId}$`), WAIT)
    await ready(B)
    for (const p of [A, B]) {
      expect(await p.textContent('[data-testid="department"]')).toBe('南江市教育局')
      expect(await p.isHidden('[data-testid="readonly-banner"]')).toBe(true)
      expect(await p.evaluate(() => (window as any).univerAPI.getActiveWorkbook().getActiveSheet().getRange(0, 0).getValue())).toBe('项目支出绩效目标申报表')
    }
    // each sees the other in the presence bar
    const me = async (p: Page) => p.evaluate(() => (window as any).__tt.provider.awareness.getLocalState().user.id)
    await A.waitForSelector(`.tt-peer[data-user="${await me(B)}"]`, WAIT)
    await B.waitForSelector(`.tt-peer[data-user="${await me(A)}"]`, WAIT)
  })

  it('typing in one browser shows up in the other', async () => {
    renamed = await rowIdOf(A, '课后服务学校覆盖率')
    await typeInto(A, 0, await anchorPos(A, `${renamed}|level3`), '义务教育学校课后服务覆盖率')
    await shows(B, `${renamed}|level3`, '义务教育学校课后服务覆盖率')
    expect((await docJson(B)).indicators.find((r: any) => r.id === renamed).level3).toBe('义务教育学校课后服务覆盖率')
  })

  it('a row inserted in a group in one browser appears, merged correctly, in the other', async () => {
    const below = await rowIdOf(B, '参加课后服务学生人数')
    const before = (await docJson(B)).indicators.length
    await clickCell(B, 0, await anchorPos(B, `${below}|level3`))
    await B.click('.tt-editor button[data-action="insert-below"]')
    await A.waitForFunction((n) => (window as any).__tt.json().indicators.length === n + 1, before, WAIT)
    const json = await docJson(A)
    const i = json.indicators.findIndex((r: any) => r.id === below)
    inserted = json.indicators[i + 1].id
    expect(json.indicators[i + 1]).toMatchObject({ period: 'annual', level1: '产出指标', level2: '数量指标', level3: '' })
    await typeInto(B, 0, await anchorPos(B, `${inserted}|level3`), '参与课后服务教师人数')
    await shows(A, `${inserted}|level3`, '参与课后服务教师人数')
    // A's sheet carries the same merges as B's: annual 产出 over 6 lines, annual 数量指标 over 3
    await A.waitForFunction(() => JSON.stringify((window as any).__tt.layout().merges).length > 0)
    expect(await mergeSet(A)).toEqual(await mergeSet(B))
    const pos = await anchorPos(A, `${below}|level3`)
    const quantity = await mergeAt(A, 0, { row: pos.row, col: 5 })
    expect(quantity).toEqual({ rows: 3, cols: 1 })
    expect((await anchorPos(A, `${inserted}|level3`)).row).toBe(pos.row + 1)
  })

  it('a comment added in one browser appears in the other, its author shown by name', async () => {
    commented = await rowIdOf(A, '参加课后服务学生人数')
    const at = await anchorPos(A, `${commented}|value`)
    await A.evaluate(([r, c]) => (window as any).univerAPI.getActiveWorkbook().getActiveSheet().getRange(r, c)
      .addComment({ dataStream: '请说明21000人的测算依据\r\n', paragraphs: [{ startIndex: 14 }] }), [at.row, at.col] as const)
    await B.waitForFunction(() => (window as any).__tt.threads().length === 1, null, WAIT)
    const [thread] = await B.evaluate(() => (window as any).__tt.threads())
    const aId = await A.evaluate(() => (window as any).__tt.provider.awareness.getLocalState().user.id)
    expect(thread).toMatchObject({ anchor: { rowId: commented, field: 'value' }, status: 'open', authorId: aId })
    expect(thread.messages[0].text).toBe('请说明21000人的测算依据')
    const atB = await anchorPos(B, `${commented}|value`)
    await B.waitForFunction(([r, c]) => (window as any).univerAPI.getActiveWorkbook().getActiveSheet().getRange(r, c).getComments().length === 1, [atB.row, atB.col] as const, WAIT)
    // B opens the comment panel: the thread shows A's display name, not an id
    await B.click('.tt-editor button[data-action="comments"]')
    await B.getByText('请说明21000人的测算依据').first().waitFor(WAIT)
    await B.getByText('王芳（教育局财务科）').first().waitFor(WAIT)
    await B.screenshot({ path: path.join(ARTIFACTS, 'live-comment-b.png') })
    await B.click('.tt-editor button[data-action="comments"]')
  })

  it('a vague value shows its finding in both browsers', async () => {
    vague = await rowIdOf(A, '学生家长满意度')
    for (const p of [A, B]) expect(await p.locator('.tt-finding[data-rule="R-VAGUE-WORDING"]').count()).toBe(0)
    const at = await anchorPos(A, `${vague}|value`)
    await typeInto(A, 0, at, '进一步提高')
    for (const p of [A, B]) {
      await p.waitForSelector('.tt-finding[data-rule="R-VAGUE-WORDING"]', WAIT)
      const pos = await anchorPos(p, `${vague}|value`)
      await p.waitForFunction(([r, c]) => (window as any).univerAPI.getActiveWorkbook().getActiveSheet().getRange(r, c).getBackground()?.toUpperCase() === '#FDE2E1', [pos.row, pos.col] as const, WAIT)
    }
    expect(await B.textContent('.tt-finding[data-rule="R-VAGUE-WORDING"]')).toContain('R-VAGUE-WORDING')
    // the server's own check (pushed once the document settled) confirms it in both panels
    for (const p of [A, B]) {
      await p.waitForSelector('.tt-finding[data-rule="R-VAGUE-WORDING"][data-server="confirmed"]', WAIT)
      expect(Number(await p.getAttribute('[data-testid="server-findings"]', 'data-warnings'))).toBeGreaterThanOrEqual(1)
      expect(await p.textContent('[data-testid="server-findings"]')).toMatch(/^服务器核对（\d{2}:\d{2}:\d{2}）：错误 \d+ · 警告 \d+ · 提示 \d+$/)
    }
    await A.screenshot({ path: path.join(ARTIFACTS, 'live-a.png') })
    await B.screenshot({ path: path.join(ARTIFACTS, 'live-b.png') })
  })

  it('a viewer’s typing changes nothing anywhere', async () => {
    // what the server holds now = what A's grid holds (the group commit has caught up)
    const inA = canon((await docJson(A)).indicators)
    await expect.poll(async () => canon((await content()).indicators) === inA, { timeout: 20_000 }).toBe(true)
    const before = await content()

    V = await person()
    await V.goto(`${server.httpUrl}/tables/${tableId}`)
    await V.waitForURL(/\/login\?next=/, WAIT)
    await signIn(V, 'renda')
    await ready(V)
    await expect.poll(() => V.textContent('[data-testid="readonly-banner"]')).toContain('只读')
    expect(await V.isDisabled('.tt-editor button[data-action="insert-below"]')).toBe(true)
    const target = await rowIdOf(V, '参加课后服务学生人数')
    const at = await anchorPos(V, `${target}|value`)
    expect(await cellValue(V, 0, at)).toBe('≥21000人')
    await typeInto(V, 0, at, '≥1人')
    await V.waitForFunction(([r, c]) => {
      const wb = (window as any).univerAPI.getActiveWorkbook()
      return !wb.isCellEditing?.() && wb.getActiveSheet().getRange(r, c).getValue() === '≥21000人'
    }, [at.row, at.col] as const, WAIT)
    expect((await docJson(V)).indicators.find((r: any) => r.id === target).target).toBe('21000')
    await V.screenshot({ path: path.join(ARTIFACTS, 'live-viewer.png') })
    // a write forged past the grid (straight into the viewer's Y.Doc) is refused by the server
    await V.evaluate((id) => {
      const tt = (window as any).__tt
      const rows = tt.doc.getMap('table').get('indicators')
      const row = rows.toArray().find((m: any) => m.get('id') === id)
      const v = row.get('target')
      if (v && typeof v.insert === 'function') { v.delete(0, v.length); v.insert(0, '1') } else row.set('target', '1')
    }, target)
    await V.waitForFunction(() => { const ws = (window as any).__tt.provider.ws; return !ws || ws.bufferedAmount === 0 }, null, WAIT)
    // barrier: an edit A makes after the viewer's attempts reaches B and the database…
    const marker = await rowIdOf(A, '课后服务按学期开课率', 'midTerm')
    await typeInto(A, 0, await anchorPos(A, `${marker}|value`), '≥99%')
    await shows(B, `${marker}|value`, '≥99%')
    await expect.poll(async () => (await content()).indicators.find((r: any) => r.id === marker).target, { timeout: 20_000 }).toBe('99')
    // …and the viewer's value is nowhere: not in A's or B's grid, not on the server
    for (const p of [A, B]) {
      expect((await docJson(p)).indicators.find((r: any) => r.id === target).target).toBe('21000')
      expect(await cellValue(p, 0, await anchorPos(p, `${target}|value`))).toBe('≥21000人')
    }
    const after = await content()
    const i = after.indicators.findIndex((r: any) => r.id === marker)
    after.indicators[i] = before.indicators[i]
    expect(after).toEqual(before)
  })

  it('after a reload everything is still there', async () => {
    await B.reload()
    await ready(B)
    await shows(B, `${renamed}|level3`, '义务教育学校课后服务覆盖率')
    await shows(B, `${inserted}|level3`, '参与课后服务教师人数')
    await shows(B, `${vague}|value`, '进一步提高')
    expect(await mergeSet(B)).toEqual(await mergeSet(A))
    const pos = await anchorPos(B, `${inserted}|level3`)
    expect(await mergeAt(B, 0, { row: pos.row - 1, col: 5 })).toEqual({ rows: 3, cols: 1 })
    const threads = await B.evaluate(() => (window as any).__tt.threads())
    expect(threads.map((t: any) => [t.anchor.rowId, t.messages[0].text])).toEqual([[commented, '请说明21000人的测算依据']])
    const at = await anchorPos(B, `${commented}|value`)
    await B.waitForFunction(([r, c]) => (window as any).univerAPI.getActiveWorkbook().getActiveSheet().getRange(r, c).getComments().length === 1, [at.row, at.col] as const, WAIT)
    await B.waitForSelector('.tt-finding[data-rule="R-VAGUE-WORDING"]', WAIT)
    // the reloaded grid is live again: typing still reaches the other browser
    await typeInto(B, 0, await anchorPos(B, `${inserted}|value`), '≥1500人')
    await shows(A, `${inserted}|value`, '≥1500人')
    await B.screenshot({ path: path.join(ARTIFACTS, 'live-b-reloaded.png') })
  })

  it('an edit the server refuses: the page starts over from the server’s table, says why, and stays live', async () => {
    const targetOf = async (p: Page) => (await docJson(p)).indicators.find((r: any) => r.id === inserted).target
    const before = await targetOf(B)
    const shown = await cellValue(B, 0, await anchorPos(B, `${inserted}|value`))
    // a broken client: a number where the table holds text, written straight into A's document
    await A.evaluate((id) => {
      const rows = (window as any).__tt.doc.getMap('table').get('indicators')
      for (let i = 0; i < rows.length; i++) if (rows.get(i).get('id') === id) rows.get(i).set('target', 42)
    }, inserted)
    const notice = await A.waitForSelector('[data-testid="refused"]', WAIT)
    expect(await notice.textContent()).toContain('E_INVALID_UPDATE')
    // a new document, the server's: the refused value is gone, here and (never having arrived) in B
    await A.waitForFunction((id) => (window as any).__tt.json().indicators.find((r: any) => r.id === id)?.target !== 42, inserted, WAIT)
    expect(await targetOf(A)).toBe(before)
    await shows(A, `${inserted}|value`, shown as string)
    expect(await targetOf(B)).toBe(before)
    // the new page is live: A's next edit reaches B
    await typeInto(A, 0, await anchorPos(A, `${inserted}|value`), '≥1600人')
    await shows(B, `${inserted}|value`, '≥1600人')
    await A.screenshot({ path: path.join(ARTIFACTS, 'live-a-refused.png') })
  })

  it('every template opens from the server like its official form (screenshots)', async () => {
    const list = (await server.api('GET', '/api/tables', renda)).body.tables as any[]
    const templates = ['mof2015-project', 'mof2015-dept', 'mof2021-core', 'local-simple', 'yth-flat']
    const titles: Record<string, string> = {
      'mof2015-project': '项目支出绩效目标申报表',
      'mof2015-dept': '部门（单位）整体支出绩效目标申报表',
      'mof2021-core': '项目支出核心绩效指标表',
      'local-simple': '绩效目标申报表',
      'yth-flat': '部门预算项目绩效目标申报表',
    }
    for (const template of templates) {
      const t = list.find((x) => x.template === template)
      expect(t, template).toBeTruthy()
      await V.goto(`${server.httpUrl}/tables/${t.id}`)
      await ready(V)
      const a1 = await V.evaluate(() => (window as any).univerAPI.getActiveWorkbook().getActiveSheet().getRange(0, 0).getValue())
      expect(String(a1)).toContain(titles[template])
      await V.waitForSelector('.tt-findings-summary .tt-count', WAIT)
      await V.screenshot({ path: path.join(ARTIFACTS, `live-${template}.png`) })
    }
  })

  it('kept every page free of errors', () => {
    for (const [, list] of errors) expect(list).toEqual([])
  })
})
