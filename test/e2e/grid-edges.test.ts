// The table page's edges, in real Chromium against the real server (two people in two browser contexts):
// multi-line goals and task content (Alt+Enter) reaching the document and the other browser, one-line
// fields staying one line, the prompt when another user changed the cell being typed in, and a comment
// added through the grid's own context menu. Screenshots land in test-artifacts/.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { ARTIFACTS, clientCopy, collectErrors, releaseBrowser, sharedBrowser, signIn } from '../helpers/browser.ts'
import { anchorPos, cellCenter, cellValue, clickCell, docJson, editorText, startTyping, typeInto, type Pos } from '../helpers/browser-grid.ts'
import { startServer, type RunningServer } from '../helpers/server.ts'

const WAIT = { timeout: 20_000 }
/** a test that opens browsers: signing in and loading two grids takes most of a minute on a loaded machine */
const OPENS = 180_000

let server: RunningServer
let browser: Browser
let project: string // 教育局's mof2015-project table (S01)
let department: string // 安平镇's mof2015-dept table (S07), with tasks
let finance: string
let clientDir: string
const contexts: BrowserContext[] = []
const pageErrors = new Map<Page, string[]>()

beforeAll(async () => {
  clientDir = await clientCopy()
  server = await startServer('pglite', { clientDir })
  browser = await sharedBrowser()
  fs.mkdirSync(ARTIFACTS, { recursive: true })
  finance = await server.login('caizheng')
  const tables = (await server.api('GET', '/api/tables', finance)).body.tables as any[]
  project = tables.find((t) => t.template === 'mof2015-project' && t.departmentName === '南江市教育局').id
  department = tables.find((t) => t.template === 'mof2015-dept' && String(t.departmentName).includes('安平')).id
}, 180_000)

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined)
  await releaseBrowser(browser)
  await server?.close()
})

/** Someone at another computer (own cookies), signed in as `username`, with table `tableId` open. */
async function person(username: string, tableId: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1600, height: 1000 } })
  contexts.push(ctx)
  const page = await ctx.newPage()
  pageErrors.set(page, collectErrors(page, { requests: false }))
  await page.goto(`${server.httpUrl}/tables/${tableId}`)
  await signIn(page, username, 30_000)
  await page.waitForFunction(() => (window as any).__tt?.ready === true, null, { timeout: 30_000 })
  return page
}

const grid = (p: Page, f: string) => p.evaluate(f)
const isEditing = (p: Page) => grid(p, 'window.univerAPI.getActiveWorkbook().isCellEditing()') as Promise<boolean>
const userId = (p: Page) => grid(p, 'window.__tt.provider.awareness.getLocalState().user.id') as Promise<string>

async function rowIdOf(p: Page, level3: string, period = 'annual'): Promise<string> {
  const row = (await docJson(p)).indicators.find((r: any) => r.level3 === level3 && r.period === period)
  if (!row) throw new Error(`no indicator ${level3} (${period})`)
  return row.id
}

/** A field of the table document: by path from the root, or one field of one row. */
type Where = { path: string[] } | { list: 'indicators' | 'tasks'; rowId: string; field: string }

/** Waits until the page's table document holds `value` at `where`. */
async function docHas(p: Page, where: Where, value: unknown): Promise<void> {
  await p.waitForFunction(([w, v]) => {
    const json = (window as any).__tt.json()
    const got = 'path' in w ? w.path.reduce((o: any, k: string) => o?.[k], json) : json[w.list]?.find((r: any) => r.id === w.rowId)?.[w.field]
    return got === v
  }, [where, value] as const, WAIT)
}

const level3 = (rowId: string): Where => ({ list: 'indicators', rowId, field: 'level3' })

/** Closes the browsers opened so far (each describe starts with its own people). */
async function leave(): Promise<void> {
  for (const c of contexts.splice(0)) await c.close().catch(() => undefined)
}

/** The Univer document body of a cell (a multi-line value is held as paragraphs), or null. */
async function cellStream(p: Page, at: Pos): Promise<string | null> {
  return p.evaluate(([r, c]) => (window as any).univerAPI.getActiveWorkbook().getActiveSheet().getRange(r, c).getCellData()?.p?.body?.dataStream ?? null, [at.row, at.col] as const)
}

async function waitEditorClosed(p: Page): Promise<void> {
  await p.waitForFunction(() => (window as any).univerAPI.getActiveWorkbook().isCellEditing() === false, null, WAIT)
}

describe('grid edges: multi-line goals and task content (Alt+Enter)', () => {
  let A: Page // jiaoyu, 教育局
  let B: Page // zixun, consultant of 教育局

  it('Alt+Enter breaks a line in 年度目标; Enter commits; the line break reaches the document, the server and the other browser, shown on two lines', async () => {
    A = await person('jiaoyu', project)
    B = await person('zixun', project)
    const first = '目标1：保障21000名学生参加课后服务'
    const second = '目标2：家长满意度不低于90%'
    const at = await anchorPos(A, '|annualGoal')
    await startTyping(A, 0, at, first)
    await A.keyboard.press('Alt+Enter')
    await A.keyboard.insertText(second)
    await expect.poll(() => editorText(A, 0), WAIT).toBe(`${first}\r${second}`)
    await A.keyboard.press('Enter')
    await waitEditorClosed(A)
    const goal = `${first}\n${second}`
    await docHas(A, { path: ['annualGoal'] }, goal)
    await docHas(B, { path: ['annualGoal'] }, goal)
    await expect.poll(async () => (await server.api('GET', `/api/tables/${project}`, finance)).body.content.annualGoal, WAIT).toBe(goal)
    // B's cell holds it as two paragraphs (drawn as two lines) and its row grew for them
    const atB = await anchorPos(B, '|annualGoal')
    await expect.poll(() => cellStream(B, atB), WAIT).toBe(`${first}\r${second}\r\n`)
    expect(await cellValue(B, 0, atB)).toBe(goal)
    await B.screenshot({ path: path.join(ARTIFACTS, 'grid-edges-multiline.png') })
  }, OPENS)

  it('a multi-line goal opens in the cell editor with its line breaks, so editing it keeps them', async () => {
    const atB = await anchorPos(B, '|annualGoal')
    const goal = (await docJson(B)).annualGoal as string
    await clickCell(B, 0, atB)
    await B.keyboard.press('F2')
    await B.waitForFunction(() => (window as any).univerAPI.getActiveWorkbook().isCellEditing() === true, null, WAIT)
    await expect.poll(() => editorText(B, 0), WAIT).toBe(goal.replace('\n', '\r'))
    await B.keyboard.press('Control+End')
    await B.keyboard.insertText('。')
    await B.keyboard.press('Enter')
    await waitEditorClosed(B)
    await docHas(A, { path: ['annualGoal'] }, `${goal}。`)
    // and 中期目标 takes line breaks the same way, from the other browser
    const mid = await anchorPos(B, '|midTermGoal')
    await startTyping(B, 0, mid, '三年内覆盖全部义务教育学校')
    await B.keyboard.press('Alt+Enter')
    await B.keyboard.insertText('参加学生占比稳定在80%以上')
    await B.keyboard.press('Enter')
    await docHas(A, { path: ['midTermGoal'] }, '三年内覆盖全部义务教育学校\n参加学生占比稳定在80%以上')
  })

  it('keeps other fields to one line: Alt+Enter in 三级指标 adds no line break and says why', async () => {
    const id = await rowIdOf(A, '课后服务开课时效')
    const at = await anchorPos(A, `${id}|level3`)
    await startTyping(A, 0, at, 'abc')
    await A.keyboard.press('Alt+Enter')
    await A.keyboard.type('def')
    await expect.poll(() => editorText(A, 0), WAIT).toBe('abcdef')
    await expect.poll(() => A.textContent('.tt-editor .tt-toast'), WAIT).toContain('只能填一行')
    expect(await isEditing(A)).toBe(true) // Alt+Enter neither broke the line nor committed
    await A.keyboard.press('Enter')
    await docHas(B, level3(id), 'abcdef')
    for (const p of [A, B]) expect(pageErrors.get(p)).toEqual([])
  })

  afterAll(leave)
})

describe('grid edges: multi-line task content (部门整体支出表)', () => {
  it('a task’s content takes several lines too', async () => {
    const D = await person('anping', department) // 安平镇财政所
    const F = await person('caizheng', department) // 财政局
    const task = (await docJson(D)).tasks[0]
    const at = await anchorPos(D, `${task.id}|content`)
    await startTyping(D, 0, at, '组织镇村两级安全生产检查')
    await D.keyboard.press('Alt+Enter')
    await D.keyboard.insertText('全年不少于12次')
    await D.keyboard.press('Enter')
    const content = '组织镇村两级安全生产检查\n全年不少于12次'
    await docHas(F, { list: 'tasks', rowId: task.id, field: 'content' }, content)
    const atF = await anchorPos(F, `${task.id}|content`)
    await expect.poll(() => cellStream(F, atF), WAIT).toBe('组织镇村两级安全生产检查\r全年不少于12次\r\n')
    await F.screenshot({ path: path.join(ARTIFACTS, 'grid-edges-task-content.png') })
    for (const p of [D, F]) expect(pageErrors.get(p)).toEqual([])
  }, OPENS)

  afterAll(leave)
})

describe('grid edges: another user changes the cell being typed in', () => {
  let A: Page // jiaoyu
  let B: Page // zixun
  const prompt = '[data-testid="edit-conflict"]'
  const cellOf = async (p: Page, id: string) => (await docJson(p)).indicators.find((r: any) => r.id === id).level3

  /** A types `mine` into the 三级指标 of row `id` while B commits `theirs` there, then A presses Enter. */
  async function race(id: string, mine: string, theirs: string): Promise<Pos> {
    const at = await anchorPos(A, `${id}|level3`)
    await startTyping(A, 0, at, mine.slice(0, 3))
    await typeInto(B, 0, await anchorPos(B, `${id}|level3`), theirs)
    await docHas(A, level3(id), theirs)
    await A.keyboard.type(mine.slice(3))
    await expect.poll(() => editorText(A, 0), WAIT).toBe(mine) // what A typed survived B's change
    await A.keyboard.press('Enter')
    return at
  }

  it('asks on commit only when another user changed that very cell meanwhile, naming who and what; 保留我的修改 writes what was typed, everywhere', async () => {
    A = await person('jiaoyu', project)
    B = await person('zixun', project)
    // another cell changing meanwhile asks nothing: the commit is written as typed
    const mine = await rowIdOf(A, '参加课后服务学生人数')
    const other = await rowIdOf(A, '课后服务学校覆盖率')
    await startTyping(A, 0, await anchorPos(A, `${mine}|level3`), 'abc')
    await typeInto(B, 0, await anchorPos(B, `${other}|level3`), '别处的改动')
    await docHas(A, level3(other), '别处的改动')
    await A.keyboard.type('ghi')
    await A.keyboard.press('Enter')
    await docHas(B, level3(mine), 'abcghi')
    expect(await A.locator(prompt).count()).toBe(0)

    // the same cell changed by B while A types: A is asked
    const id = await rowIdOf(A, '参加课后服务学生占在校生比例')
    const at = await race(id, 'abcdef', 'B的改动')
    const box = A.locator(prompt)
    await box.waitFor(WAIT)
    expect(await box.textContent()).toContain('另一位用户（周婷（第三方评价机构））已将此单元格改为「B的改动」')
    expect(await box.textContent()).toContain('您输入的是「abcdef」')
    expect(await box.getAttribute('data-anchor')).toBe(`${id}|level3`)
    // nothing is written while the question is open; the cell keeps showing what was typed
    expect(await cellOf(A, id)).toBe('B的改动')
    expect(await cellValue(A, 0, at)).toBe('abcdef')
    await A.screenshot({ path: path.join(ARTIFACTS, 'grid-edges-conflict.png') })
    await A.click('[data-testid="conflict-keep-mine"]')
    await docHas(B, level3(id), 'abcdef')
    expect(await cellOf(A, id)).toBe('abcdef')
    await B.waitForFunction(([r, c]) => (window as any).univerAPI.getActiveWorkbook().getActiveSheet().getRange(r, c).getValue() === 'abcdef', [at.row, at.col] as const, WAIT)
    expect(await A.locator(prompt).count()).toBe(0)
    expect(await B.locator(prompt).count()).toBe(0) // B committed over nothing new: no question there
  }, OPENS)

  it('采用对方的修改 drops what was typed and shows the other value', async () => {
    const id = await rowIdOf(A, '课后服务按学期开课率', 'midTerm')
    const at = await race(id, 'xyz123', '周婷改的')
    await A.locator(prompt).waitFor(WAIT)
    await A.click('[data-testid="conflict-take-theirs"]')
    await A.waitForFunction(([r, c]) => (window as any).univerAPI.getActiveWorkbook().getActiveSheet().getRange(r, c).getValue() === '周婷改的', [at.row, at.col] as const, WAIT)
    expect(await A.locator(prompt).count()).toBe(0)
    // a barrier edit by A, seen by B, proves nothing of 'xyz123' was sent before it
    const marker = await rowIdOf(A, '课后服务长效保障机制建立')
    await typeInto(A, 0, await anchorPos(A, `${marker}|level3`), '长效保障机制（抽查）')
    await docHas(B, level3(marker), '长效保障机制（抽查）')
    expect(await cellOf(B, id)).toBe('周婷改的')
    expect(await cellOf(A, id)).toBe('周婷改的')
    for (const p of [A, B]) expect(pageErrors.get(p)).toEqual([])
  })

  afterAll(leave)
})

describe('grid edges: a comment through the grid’s context menu', () => {
  it('right click → 添加评论 → type → 回复: the thread is stored on (row id, field) by its author and shows in the other browser', async () => {
    const A = await person('zixun', project) // the consultant comments
    const B = await person('jiaoyu', project)
    const id = await rowIdOf(A, '学生家长满意度')
    const at = await anchorPos(A, `${id}|value`)
    await clickCell(A, 0, at)
    const { x, y } = await cellCenter(A, 0, at)
    await A.mouse.click(x, y, { button: 'right' })
    await A.getByText('添加评论', { exact: true }).last().click()
    const text = '满意度目标值请说明依据'
    const popup = A.locator('[data-u-comp="cell-popup"]')
    await popup.waitFor(WAIT)
    await A.waitForTimeout(200) // the comment editor takes the focus a frame after it shows
    await A.keyboard.insertText(text)
    await popup.locator('button', { hasText: '回复' }).click()

    await A.waitForFunction((t) => (window as any).__tt.threads().some((x: any) => x.messages[0]?.text === t), text, WAIT)
    const thread = (await A.evaluate(() => (window as any).__tt.threads())).find((x: any) => x.messages[0].text === text)
    expect(thread).toMatchObject({ anchor: { rowId: id, field: 'value' }, status: 'open', authorId: await userId(A) })
    expect(thread.messages).toHaveLength(1)
    expect(thread.messages[0]).toMatchObject({ text: '满意度目标值请说明依据', authorId: await userId(A) })
    // the other browser has the same thread and shows it on the same row's cell
    await B.waitForFunction((tid) => (window as any).__tt.threads().some((x: any) => x.id === tid), thread.id, WAIT)
    expect((await B.evaluate(() => (window as any).__tt.threads())).find((x: any) => x.id === thread.id))
      .toMatchObject({ anchor: { rowId: id, field: 'value' }, authorId: thread.authorId, messages: [{ text }] })
    const atB = await anchorPos(B, `${id}|value`)
    await B.waitForFunction(([r, c, who]) => (window as any).univerAPI.getActiveWorkbook().getActiveSheet().getRange(r, c).getComments()
      .some((x: any) => x.getCommentData().personId === who), [atB.row, atB.col, thread.authorId] as const, WAIT)
    // and the server stored it
    await expect.poll(async () => (await server.api('GET', `/api/tables/${project}/comments`, finance)).body.threads
      .filter((t: any) => t.id === thread.id).map((t: any) => [t.anchor.rowId, t.anchor.field, t.authorId, t.messages[0].text]), WAIT)
      .toEqual([[id, 'value', thread.authorId, text]])
    await A.screenshot({ path: path.join(ARTIFACTS, 'grid-edges-context-comment.png') })
    for (const p of [A, B]) expect(pageErrors.get(p)).toEqual([])
  }, OPENS)

  afterAll(leave)
})
