// 共性指标候选 on /library in Chromium against the real server (PGlite, demo city) and the built client: finance
// opens the panel, picks the year, starts the analysis (a real job runner takes the run; the panel polls its
// progress), sees the 资金支付及时率 cluster with its variants, departments and value range, promotes it into the
// library and sees it marked 已在指标库; the entry exists as a 共性 indicator. Screenshot in
// test-artifacts/library-candidates.png.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { commonCandidatesHandler } from '../../server/jobs/common-candidates.ts'
import { createJobRunner, type JobRunner } from '../../server/jobs/runner.ts'
import { ARTIFACTS, clientCopy, collectErrors, releaseBrowser, sharedBrowser, signIn } from '../helpers/browser.ts'
import { sampleContent, seedApprovedTables } from '../helpers/compilations.ts'
import { startServer, type RunningServer } from '../helpers/server.ts'
import { contentIndicators, generateCorpus } from '../fixtures/mining/corpus.ts'

const WAIT = { timeout: 30_000 }
const YEAR = new Date().getFullYear() - 1
const DEPARTMENTS = 6
const PER_DEPARTMENT = 2

let server: RunningServer
let browser: Browser
let clientDir: string
let runner: JobRunner

beforeAll(async () => {
  clientDir = await clientCopy()
  server = await startServer('pglite', { clientDir })
  // the mining job, as main.ts registers it (the test server's own runner has only the book)
  runner = createJobRunner({ storage: server.storage, pollMs: 100, log: () => {}, handlers: { 'common-candidates': commonCandidatesHandler({ storage: server.storage, batchSize: 3 }) } })
  runner.start()
  const corpus = generateCorpus({ seed: 5, departments: DEPARTMENTS, tablesPerDepartment: PER_DEPARTMENT })
  const departments = (await server.storage.departments.list()).slice(0, DEPARTMENTS)
  await seedApprovedTables(server.storage, {
    year: YEAR,
    departmentIds: departments.map((d) => d.id),
    perDepartment: PER_DEPARTMENT,
    content: (i) => ({ ...sampleContent(i, YEAR), indicators: contentIndicators(corpus.tables[i]!.rows) }),
  })
  browser = await sharedBrowser()
  fs.mkdirSync(ARTIFACTS, { recursive: true })
}, 240_000)

afterAll(async () => {
  await releaseBrowser(browser)
  await runner?.stop()
  await server?.close()
})

describe('共性指标候选 on /library', () => {
  it('finance runs the analysis, sees a cluster and promotes it into the library', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
    const page = await ctx.newPage()
    const errors = collectErrors(page)
    await page.goto(`${server.httpUrl}/library`)
    await signIn(page, 'caizheng')
    await page.waitForSelector('[data-testid="indicator-row"]', WAIT)
    await page.click('[data-testid="open-candidates"]')
    await page.waitForSelector('[data-testid="candidates-panel"]', WAIT)
    await page.selectOption('[data-testid="candidates-year"]', String(YEAR))
    await page.selectOption('[data-testid="candidates-min"]', '2')
    await page.waitForFunction(() => document.querySelector('[data-testid="candidates-status"]')?.textContent?.includes('尚未分析'), null, WAIT)

    await page.click('[data-testid="candidates-run"]')
    await page.waitForSelector('[data-testid="candidate"]', WAIT)
    const status = await page.textContent('[data-testid="candidates-status"]')
    expect(status).toContain('已完成')
    expect(status).toContain(`${DEPARTMENTS * PER_DEPARTMENT} 张表`)
    expect(await page.textContent('[data-testid="candidates-run"]')).toBe('重新分析')

    const item = page.locator('[data-testid="candidate"]', { hasText: '资金拨付及时率' }).filter({ hasText: '资金支付及时率' })
    await expect(item.count()).resolves.toBe(1)
    const text = await item.textContent()
    expect(text).toMatch(/\d+ 个部门/)
    expect(text).toContain('100%')
    expect(await item.locator('[data-testid="candidate-in-library"]').count()).toBe(0)
    // the seeded library already holds 培训人次: marked, no button
    const training = page.locator('[data-testid="candidate"]', { hasText: '培训人次' })
    expect(await training.locator('[data-testid="candidate-in-library"]').textContent()).toContain('已在指标库')
    await page.screenshot({ path: path.join(ARTIFACTS, 'library-candidates.png') })

    await item.locator('[data-testid="candidate-promote"]').click()
    await item.locator('[data-testid="candidate-in-library"]').waitFor(WAIT)
    expect(await item.locator('[role="status"]').textContent()).toContain('已加入指标库')
    const name = (await item.locator('[data-testid="candidate-name"]').textContent())!
    const entries = (await server.storage.library.all()).filter((e) => e.level3 === name)
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ scope: 'common', level2: '时效指标', unit: '%' })
    expect(errors).toEqual([])
    await ctx.close()
  }, 120_000)
})
