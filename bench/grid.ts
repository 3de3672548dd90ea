// Grid benchmark: time from navigation to an editable grid for a 100-indicator table (dev route,
// local Y.Doc, and through the real server), cost of one re-layout after a row insert, gzip sizes of
// the initial route (/login, /tables) and of the editor route (/tables/<id>) from Vite's chunk
// manifest, and keystroke → remote render latency between two browser contexts through the live server.
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import type { Browser, Page } from 'playwright-core'
import { buildClient, launchBrowser, serveStatic } from '../test/helpers/browser.ts'
import { startServer } from '../test/helpers/server.ts'

interface ManifestChunk { file: string; isEntry?: boolean; isDynamicEntry?: boolean; imports?: string[]; dynamicImports?: string[]; css?: string[] }

const dist = await buildClient()
const manifest = JSON.parse(fs.readFileSync(path.join(dist, '.vite/manifest.json'), 'utf8')) as Record<string, ManifestChunk>

function closure(keys: string[]): Set<string> {
  const files = new Set<string>()
  const seen = new Set<string>()
  const walk = (k: string) => {
    if (seen.has(k)) return
    seen.add(k)
    const c = manifest[k]
    if (!c) return
    files.add(c.file)
    for (const css of c.css ?? []) files.add(css)
    for (const i of c.imports ?? []) walk(i) // static imports only: what the route must load before it runs
  }
  keys.forEach(walk)
  return files
}

function size(files: Iterable<string>): { raw: number; gzip: number } {
  let raw = 0
  let gzip = 0
  for (const f of files) {
    const buf = fs.readFileSync(path.join(dist, f))
    raw += buf.length
    gzip += zlib.gzipSync(buf, { level: 9 }).length
  }
  return { raw, gzip }
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`
const entry = Object.keys(manifest).find((k) => manifest[k]!.isEntry)!
const route = (page: string) => Object.keys(manifest).find((k) => k.endsWith(page))!
const initial = closure([entry])
const login = new Set([...initial, ...closure([route('pages/login.ts')])])
const tables = new Set([...initial, ...closure([route('pages/tables/index.tsx')])])
const editor = new Set([...initial, ...closure([route('pages/editor-page.ts')])])
const html = fs.readFileSync(path.join(dist, 'index.html'))
const rulesChunk = Object.keys(manifest).find((k) => k.includes('shared/rules/index.ts'))
if (rulesChunk) console.log(`rule engine chunk (lazy, fetched when the editor mounts): ${kb(size([manifest[rulesChunk]!.file]).gzip)} gzip`)
console.log('bundle (gzip -9; static imports of the route, lazy chunks such as hyphenation dictionaries excluded):')
for (const [name, files] of [['/login', login], ['/tables', tables], ['/tables/<id> (editor)', editor]] as const) {
  const s = size(files)
  console.log(`  ${name.padEnd(24)} ${kb(s.gzip + zlib.gzipSync(html).length).padStart(10)} gzip  ${kb(s.raw).padStart(10)} raw  (${files.size} files)`)
}

const srv = await serveStatic(dist)
const browser = await launchBrowser()
const runs: number[] = []
const relayout: number[] = []
const total: number[] = []
for (let i = 0; i < 5; i++) {
  const page = await browser.newPage({ viewport: { width: 1800, height: 1000 } })
  const t0 = Date.now()
  await page.goto(`${srv.url}/dev/grid?sample=S05&rows=100`)
  await page.waitForFunction(() => (window as any).__tt?.ready === true, null, { timeout: 60_000 })
  runs.push(Date.now() - t0)
  const r = await page.evaluate(async () => {
    const tt = (window as any).__tt
    const b = tt.editors[0].binding
    const id = tt.rowIds(0)[10]
    const pos = b.layout.anchors.get(`${id}|level3`)
    b.select(pos)
    await new Promise((res) => setTimeout(res, 50))
    const t = performance.now()
    document.querySelector<HTMLButtonElement>('button[data-action="insert-below"]')!.click()
    // the render runs in the microtask after the Y transaction; two frames later the canvas shows it
    await new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res)))
    return { total: performance.now() - t, render: b.stats.lastStructuralMs, rows: tt.json(0).indicators.length, sheetRows: b.layout.rowCount }
  })
  relayout.push(r.render)
  total.push(r.total)
  if (i === 0) console.log(`table: ${r.rows} indicators after insert, ${r.sheetRows} sheet rows`)
  await page.close()
}
await srv.close()
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
console.log(`navigation → editable grid (100 indicators, dev route, local doc): median ${med(runs)} ms  [${runs.join(', ')}]`)
console.log(`re-layout after inserting one row (read doc + layout + diff + mutations): median ${med(relayout).toFixed(1)} ms  [${relayout.map((x) => x.toFixed(1)).join(', ')}]`)
console.log(`toolbar click → next painted frame: median ${med(total).toFixed(1)} ms`)

await live(browser)
await browser.close()

/**
 * Through the real server (HTTP API + live rooms, PGlite in memory, the built client): a 100-indicator
 * mof2015-project table is created over the API, user A (jiaoyu) and user B (zixun) sign in through
 * /login in two browser contexts and open it. Figures: navigation → editable grid on the live route, and
 * Enter in A's cell editor (the commit that writes the Y.Doc) → the animation frame in which B's sheet
 * first shows the value. Both pages stamp `performance.timeOrigin + performance.now()` (one machine clock).
 */
async function live(b: Browser): Promise<void> {
  const server = await startServer('pglite', { clientDir: dist })
  try {
    const token = await server.login('jiaoyu')
    const list = (await server.api('GET', '/api/tables', token)).body.tables as { id: string; template: string; departmentId: string }[]
    const base = list.find((t) => t.template === 'mof2015-project')!
    const content = (await server.api('GET', `/api/tables/${base.id}`, token)).body.content
    growIndicators(content, 100)
    const created = await server.api('POST', '/api/tables', token, { kind: 'project', template: 'mof2015-project', year: content.year ?? 2024, departmentId: base.departmentId, title: '基准测试：100 个指标', content })
    if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`)
    const url = `${server.httpUrl}/tables/${created.body.id}`
    const open = async (username: string): Promise<Page> => {
      const ctx = await b.newContext({ viewport: { width: 1600, height: 1000 } })
      // WATCH OUT: tsx (esbuild keepNames) wraps named local functions in __name(), which the page lacks
      await ctx.addInitScript('window.__name = (f) => f')
      const page = await ctx.newPage()
      await page.goto(url)
      await page.waitForSelector('form.tt-login')
      await page.fill('input[name="username"]', username)
      await page.fill('input[name="password"]', 'demo-2024')
      await page.click('form.tt-login button[type="submit"]')
      await page.waitForFunction(() => (window as any).__tt?.ready === true, null, { timeout: 60_000 })
      return page
    }
    const A = await open('jiaoyu')
    const B = await open('zixun')
    const rows = await A.evaluate(() => (window as any).__tt.json().indicators.length)

    const nav: number[] = []
    for (let i = 0; i < 5; i++) {
      const t0 = Date.now()
      await A.goto(url)
      await A.waitForFunction(() => (window as any).__tt?.ready === true, null, { timeout: 60_000 })
      nav.push(Date.now() - t0)
    }

    // keystroke → remote render: A types into 三级 cells of rows spread over the table, B watches
    const ids: string[] = await A.evaluate(() => (window as any).__tt.json().indicators.filter((r: any) => r.period === 'annual').map((r: any) => r.id))
    const lat: number[] = []
    const N = 45
    const WARMUP = 5
    for (let i = 0; i < N; i++) {
      const id = ids[(i * 7) % ids.length]!
      const text = `bench ${i}`
      const anchor = `${id}|level3`
      // B: resolve with the time of the first animation frame in which its sheet shows the text
      await B.evaluate(([a, t]) => {
        const w = window as any
        w.__seen = new Promise<number>((resolve, reject) => {
          setTimeout(() => reject(new Error(`B never showed ${t}`)), 15_000)
          const ws = w.__tt.editors[0].univerAPI.getActiveWorkbook().getActiveSheet()
          const frame = () => {
            const pos = w.__tt.layout().anchors.get(a)
            if (pos && ws.getRange(pos.row, pos.col).getValue() === t) resolve(performance.timeOrigin + performance.now())
            else requestAnimationFrame(frame)
          }
          requestAnimationFrame(frame)
        })
      }, [anchor, text] as const)
      // A: select the cell, type, and stamp the Enter that commits it
      await A.evaluate((a) => {
        const w = window as any
        w.__tt.editor.binding.select(w.__tt.layout().anchors.get(a))
        w.__enter = new Promise<number>((resolve) => {
          const on = (e: KeyboardEvent) => { if (e.key === 'Enter') { document.removeEventListener('keydown', on, true); resolve(performance.timeOrigin + performance.now()) } }
          document.addEventListener('keydown', on, true)
        })
      }, anchor)
      await A.waitForTimeout(30)
      await A.keyboard.type(text)
      await A.keyboard.press('Enter')
      const t0 = await A.evaluate(() => (window as any).__enter as Promise<number>)
      const t1 = await B.evaluate(() => (window as any).__seen as Promise<number>)
      if (i >= WARMUP) lat.push(t1 - t0)
    }
    const sorted = [...lat].sort((x, y) => x - y)
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
    console.log(`live: ${rows} indicators, two browser contexts (jiaoyu, zixun) through the server (PGlite in memory)`)
    console.log(`navigation → editable grid (live route /tables/<id>): median ${med(nav)} ms  [${nav.join(', ')}]`)
    console.log(`Enter in A → B's sheet shows it (${lat.length} edits after ${WARMUP} warm-up): p50 ${pct(50).toFixed(0)} ms, p95 ${pct(95).toFixed(0)} ms, max ${sorted[sorted.length - 1]!.toFixed(0)} ms`)
  } finally {
    await server.close()
  }
}

/** Repeats the table's annual rows up to `n` indicators (new rows get their ids from the server). */
function growIndicators(raw: Record<string, unknown>, n: number): void {
  const rows = (raw.indicators ?? []) as Record<string, unknown>[]
  const annual = rows.filter((r) => (r.period ?? 'annual') === 'annual')
  let i = 0
  while (rows.length < n && annual.length) {
    const src = annual[i % annual.length]!
    rows.push({ ...src, id: undefined, level3: `${String(src.level3)}（${Math.floor(i / annual.length) + 2}）` })
    i++
  }
  raw.indicators = rows
}
