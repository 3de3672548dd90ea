// Grid benchmark: time from navigation to an editable grid for a 100-indicator table (dev route,
// local Y.Doc), cost of one re-layout after a row insert, and gzip sizes of the initial route
// (/login, /tables) and of the editor route (/tables/<id>) from Vite's chunk manifest.
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { buildClient, launchBrowser, serveStatic } from '../test/helpers/browser.ts'

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
const tables = new Set([...initial, ...closure([route('pages/tables.ts')])])
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
await browser.close()
await srv.close()
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
console.log(`navigation → editable grid (100 indicators, dev route, local doc): median ${med(runs)} ms  [${runs.join(', ')}]`)
console.log(`re-layout after inserting one row (read doc + layout + diff + mutations): median ${med(relayout).toFixed(1)} ms  [${relayout.map((x) => x.toFixed(1)).join(', ')}]`)
console.log(`toolbar click → next painted frame: median ${med(total).toFixed(1)} ms`)
