// The 推荐指标 tab of the table page against the real server and built client in Chromium: 教育局's editor opens
// the tab, sees the library's core ★ entry first with its reasons, clicks 「插入」, and the row lands in the grid
// in the annual 产出指标/数量指标 group (after its last row, inside the group's merge) with comparator, value and
// unit; the consultant's browser on the same table receives it. Screenshot in test-artifacts/recommend-tab.png.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { ARTIFACTS, clientCopy, collectErrors, releaseBrowser, sharedBrowser, signIn } from '../helpers/browser.ts'
import { anchorPos, docJson, mergeAt } from '../helpers/browser-grid.ts'
import { startServer, type RunningServer } from '../helpers/server.ts'

const WAIT = { timeout: 20_000 }
const NAME = '课后服务教师参与人数'

let server: RunningServer
let browser: Browser
let tableId: string
const contexts: BrowserContext[] = []

beforeAll(async () => {
  const clientDir = await clientCopy()
  server = await startServer('pglite', { clientDir })
  browser = await sharedBrowser()
  fs.mkdirSync(ARTIFACTS, { recursive: true })
  await server.storage.library.create({
    id: 'K-E2E-1', level1: '产出指标', level2: '数量指标', level3: NAME, comparator: '≥', typicalValue: '800', unit: '人',
    explanation: '参与课后服务的在编教师人数', basis: '计划标准', scope: 'specific', functionalClasses: ['*'], core: true,
  })
  const list = await server.api('GET', '/api/tables', await server.login('jiaoyu'))
  tableId = list.body.tables.find((t: any) => t.template === 'mof2015-project' && t.departmentName === '南江市教育局').id
}, 180_000)

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined)
  await releaseBrowser(browser)
  await server?.close()
})

async function open(username: string): Promise<{ page: Page; errors: string[] }> {
  const ctx = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: 'zh-CN' })
  contexts.push(ctx)
  const page = await ctx.newPage()
  const errors = collectErrors(page)
  await page.goto(`${server.httpUrl}/tables/${tableId}`)
  await signIn(page, username)
  await page.waitForURL(new RegExp(`/tables/${tableId}$`), WAIT)
  await page.waitForFunction(() => (window as any).__tt?.ready === true, null, { timeout: 60_000 })
  return { page, errors }
}

/** index of the last annual row of a group in the document */
const lastOf = (rows: any[], l1: string, l2: string) => rows.findLastIndex((r) => r.period === 'annual' && r.level1 === l1 && r.level2 === l2)

describe('推荐指标 tab', () => {
  it('inserts the core ★ suggestion into its 一级/二级 group with comparator and unit, and a second browser sees it', async () => {
    const A = await open('jiaoyu')
    const B = await open('zixun')
    await A.page.click('[data-tab="recommend"]')
    const item = A.page.locator(`[data-recommend="K-E2E-1"]`)
    await item.waitFor(WAIT)
    expect(await A.page.locator('.tp-recommend-item').first().getAttribute('data-recommend')).toBe('K-E2E-1')
    expect(await item.textContent()).toContain('★ 本类核心指标')
    expect(await item.textContent()).toContain('≥800 人')
    await A.page.screenshot({ path: path.join(ARTIFACTS, 'recommend-tab.png') })

    const before = (await docJson(A.page)).indicators
    const expectedAt = lastOf(before, '产出指标', '数量指标') + 1
    await item.getByRole('button', { name: '插入' }).click()
    await item.waitFor({ state: 'detached', ...WAIT })

    for (const p of [A.page, B.page]) {
      await p.waitForFunction((n) => (window as any).__tt.json().indicators.some((r: any) => r.level3 === n), NAME, WAIT)
      const rows = (await docJson(p)).indicators
      const at = rows.findIndex((r: any) => r.level3 === NAME)
      expect(at).toBe(expectedAt)
      expect(rows[at]).toMatchObject({ period: 'annual', level1: '产出指标', level2: '数量指标', comparator: '≥', target: '800', unit: '人', basis: '计划标准', core: true })
      // on the sheet: the row's 三级 cell right below the group's former last row, inside the 数量指标 merge
      const id = rows[at].id
      await p.waitForFunction((a) => !!(window as any).__tt.layout().anchors.get(a), `${id}|level3`, WAIT)
      const pos = await anchorPos(p, `${id}|level3`)
      expect((await anchorPos(p, `${rows[at - 1].id}|level3`)).row).toBe(pos.row - 1)
      const sheet = (r: number, c: number) => p.evaluate(([r, c]) => (window as any).univerAPI.getActiveWorkbook().getActiveSheet().getRange(r, c).getValue(), [r, c] as const)
      expect(await sheet(pos.row, pos.col)).toBe(NAME)
      const value = await anchorPos(p, `${id}|value`)
      const groupTop = await anchorPos(p, `${rows.find((r: any) => r.period === 'annual' && r.level2 === '数量指标').id}|level3`)
      const merge = await mergeAt(p, 0, { row: groupTop.row, col: 5 })
      expect(groupTop.row + (merge?.rows ?? 1) - 1).toBeGreaterThanOrEqual(pos.row)
      // this form prints comparator, value and unit in one 指标值 cell
      expect(await sheet(value.row, value.col)).toBe('≥800人')
    }
    expect(A.errors).toEqual([])
    expect(B.errors).toEqual([])
  }, 120_000)
})
