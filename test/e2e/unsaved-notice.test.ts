// The grid page tells a writer its edits are not saved while the database is away, on the real path: the
// real server (server/main.ts, a child process) over a PostgreSQL of the test's own with a small hold bound
// (COLLAB_HOLD_ROOM_UPDATES=20: the notice at 10 unstored edits, refusal at 20), the built client in
// Chromium. PostgreSQL is paused (SIGSTOP) while the page edits its table through its own provider: the
// server's E_UNSAVED shows as a banner, then its E_STORE_FULL (close 1013); once PostgreSQL continues the
// held edits are stored and the banner goes away by itself, with every edit in the page's document. The
// server sends no "all stored" message: without a reconnect the banner stays while the server repeats the
// notice (every 5 s as the writer edits) and goes once an edit past that interval brings none.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { buildClient, collectErrors, releaseBrowser, sharedBrowser, signIn } from '../helpers/browser.ts'
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.ts'
import { startAppProcess, type AppProcess } from '../helpers/app-process.ts'
import { sleep } from '../helpers/collab-clients.ts'

const WAIT = { timeout: 30_000 }
const ROOM_UPDATES = 20

let pg: PrivatePostgres | undefined
let app: AppProcess | undefined
let browser: Browser | undefined

beforeAll(async () => {
  await buildClient() // server/main.ts serves dist/client
  pg = await startPrivatePostgres()
  app = await startAppProcess({ DATABASE_URL: pg.url, LOG_LEVEL: 'warn', COLLAB_HOLD_ROOM_UPDATES: String(ROOM_UPDATES) })
  browser = await sharedBrowser()
}, 240_000)

afterAll(async () => {
  pg?.resume()
  await releaseBrowser(browser)
  await app?.stop()
  await pg?.dispose()
})

/** One edit through the page's own document and provider: a numbered token at the end of the annual goal. */
function edit(page: Page, n: number): Promise<void> {
  return page.evaluate((n) => {
    const tt = (window as any).__tt
    const goal = tt.doc.getMap('table').get('annualGoal')
    goal.insert(goal.length, `‹u${n}›`)
  }, n)
}

const banner = (page: Page) => page.evaluate(() => {
  const el = document.querySelector<HTMLElement>('[data-testid="unsaved"]')
  return el ? { hidden: el.hidden, code: el.dataset.code ?? null, text: el.textContent ?? '' } : null
})

describe('the grid page while the database does not answer', () => {
  it('shows E_UNSAVED, then E_STORE_FULL, and clears once the held edits are stored', async () => {
    const token = await app!.login('jiaoyu')
    const list = await app!.api('GET', '/api/tables?limit=500', token)
    const tableId: string = list.body.tables.find((t: any) => t.template === 'mof2015-project' && t.status === 'draft').id

    const ctx = await browser!.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'zh-CN' })
    const page = await ctx.newPage()
    const errors = collectErrors(page, { requests: false })
    await page.goto(`${app!.httpUrl}/tables/${tableId}`)
    await signIn(page, 'jiaoyu')
    await page.waitForFunction(() => (window as any).__tt?.ready === true, null, WAIT)
    expect(await banner(page)).toEqual({ hidden: true, code: null, text: '' })

    let n = 0
    await edit(page, n++) // stored: nothing to say
    await sleep(1000)
    expect((await banner(page))?.hidden).toBe(true)

    pg!.pause()
    // up to half the bound the server says nothing; past it the writer is told
    for (let i = 0; i < ROOM_UPDATES / 2 - 1; i++) {
      await edit(page, n++)
      await sleep(100)
    }
    await sleep(500)
    expect((await banner(page))?.hidden).toBe(true)
    await edit(page, n++)
    await edit(page, n++)
    await page.waitForFunction(() => (document.querySelector('[data-testid="unsaved"]') as HTMLElement | null)?.hidden === false, null, WAIT)
    const told = await banner(page)
    expect(told).toEqual({ hidden: false, code: 'E_UNSAVED', text: '数据库暂时不可用，最近的修改尚未保存；待保存的修改接近上限，达到上限后将暂停接收新的修改，数据库恢复后自动保存' })
    expect(await page.locator('[data-testid="unsaved"]').isVisible()).toBe(true)

    // at the bound the edit is refused (1013) and the banner says so
    for (let i = 0; i < ROOM_UPDATES; i++) {
      await edit(page, n++)
      await sleep(50)
    }
    await page.waitForFunction(() => (document.querySelector('[data-testid="unsaved"]') as HTMLElement | null)?.dataset.code === 'E_STORE_FULL', null, WAIT)
    expect((await banner(page))?.text).toBe('数据库暂时不可用，待保存的修改已达上限，本次修改未被接收；连接恢复后将自动重新发送')
    expect((await banner(page))?.hidden).toBe(false)

    // PostgreSQL continues: the held edits are stored, the refused ones re-sent and stored, the banner goes
    pg!.resume()
    await page.waitForFunction(() => (document.querySelector('[data-testid="unsaved"]') as HTMLElement | null)?.hidden === true, null, { timeout: 60_000 })
    expect(await banner(page)).toEqual({ hidden: true, code: null, text: '' })
    // and stays away while the page edits on
    await edit(page, n++)
    await sleep(1500)
    expect((await banner(page))?.hidden).toBe(true)

    // every edit is in the server's document: a fresh page of the same table shows them all
    const typed = Array.from({ length: n }, (_, i) => `‹u${i}›`)
    const fresh = await ctx.newPage()
    await fresh.goto(`${app!.httpUrl}/tables/${tableId}`)
    await fresh.waitForFunction(() => (window as any).__tt?.ready === true, null, WAIT)
    await fresh.waitForFunction((all) => {
      const goal = String((window as any).__tt.doc.getMap('table').get('annualGoal') ?? '')
      return all.every((t: string) => goal.includes(t))
    }, typed, WAIT)
    expect(errors).toEqual([])
    await ctx.close()
  })

  it('keeps E_UNSAVED while the server repeats it and clears it, without a reconnect, once an edit brings none', async () => {
    const token = await app!.login('weijian')
    const list = await app!.api('GET', '/api/tables?limit=500', token)
    const tableId: string = list.body.tables.find((t: any) => t.template === 'mof2015-project' && t.status === 'draft').id
    const ctx = await browser!.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'zh-CN' })
    const page = await ctx.newPage()
    const errors = collectErrors(page, { requests: false })
    await page.goto(`${app!.httpUrl}/tables/${tableId}`)
    await signIn(page, 'weijian')
    await page.waitForFunction(() => (window as any).__tt?.ready === true, null, WAIT)
    const opened = await page.evaluate(() => { (window as any).__opens = 0; (window as any).__tt.provider.on('status', (e: any) => { if (e.status === 'connected') (window as any).__opens++ }); return true })
    expect(opened).toBe(true)

    let n = 100
    pg!.pause()
    for (let i = 0; i < ROOM_UPDATES / 2 + 1; i++) {
      await edit(page, n++)
      await sleep(100)
    }
    await page.waitForFunction(() => (document.querySelector('[data-testid="unsaved"]') as HTMLElement | null)?.dataset.code === 'E_UNSAVED', null, WAIT)
    // still away: an edit past the server's interval is told again, the banner stays
    await sleep(6000)
    await edit(page, n++)
    await sleep(4000)
    expect(await banner(page)).toMatchObject({ hidden: false, code: 'E_UNSAVED' })

    pg!.resume()
    const t0 = Date.now()
    while ((await banner(page))?.hidden === false && Date.now() - t0 < 30_000) {
      await edit(page, n++)
      await sleep(1000)
    }
    expect(await banner(page)).toEqual({ hidden: true, code: null, text: '' })
    // the same connection throughout: it was the silence after an edit, not a reconnect, that cleared it
    expect(await page.evaluate(() => (window as any).__opens)).toBe(0)
    expect(errors).toEqual([])
    await ctx.close()
  })
})
