// The built client as the server hands it out: assets (named by their content's hash) may be kept by the
// browser for a year, so a second page load reads the 6 MB grid chunk from its cache; the pages' HTML is
// revalidated on every load, so a rebuild's new asset names reach everyone at once; a missing asset is a
// plain 404 that no cache keeps; the build's brotli and gzip copies (client/precompress.ts) go to a browser
// that accepts them.
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { precompressDir } from '../../client/precompress.ts'
import { startServer, type RunningServer } from '../helpers/server.ts'

const ASSET = 'app-Ab12Cd34.js'
/** a chunk big enough to be compressed (client/precompress.ts skips files under 1 KiB) */
const CHUNK = 'grid-Ef56Gh78.js'
const CHUNK_TEXT = Array.from({ length: 400 }, (_, i) => `export const cell${i} = '三级指标 ${i}'\n`).join('')
let compressed: Awaited<ReturnType<typeof precompressDir>>
let server: RunningServer
let dir: string

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-static-'))
  fs.mkdirSync(path.join(dir, 'assets'))
  fs.writeFileSync(path.join(dir, 'index.html'), `<!doctype html><html><body><script type="module" src="/assets/${ASSET}"></script></body></html>`)
  fs.writeFileSync(path.join(dir, 'assets', ASSET), 'export const built = 1\n')
  fs.writeFileSync(path.join(dir, 'assets', CHUNK), CHUNK_TEXT)
  compressed = await precompressDir(path.join(dir, 'assets'))
  server = await startServer('pglite', { clientDir: dir })
}, 120_000)

afterAll(async () => {
  await server?.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('the built client', () => {
  it('serves an asset to be kept for a year, unchanged', async () => {
    const res = await fetch(`${server.httpUrl}/assets/${ASSET}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(res.headers.get('content-type')).toMatch(/javascript/)
    expect(await res.text()).toBe('export const built = 1\n')
  })

  it('asks for every page to be revalidated, and a rebuild shows at once', async () => {
    for (const page of ['/login', '/tables', '/tables/some-id', '/library']) {
      const res = await fetch(server.httpUrl + page)
      expect(res.status, page).toBe(200)
      expect(res.headers.get('cache-control'), page).toBe('no-cache')
      expect(await res.text(), page).toContain(`/assets/${ASSET}`)
    }
    const rebuilt = 'app-Zz98Yy76.js'
    fs.writeFileSync(path.join(dir, 'assets', rebuilt), 'export const built = 2\n')
    fs.writeFileSync(path.join(dir, 'index.html'), `<!doctype html><html><body><script type="module" src="/assets/${rebuilt}"></script></body></html>`)
    expect(await (await fetch(`${server.httpUrl}/tables`)).text()).toContain(`/assets/${rebuilt}`)
  })

  it('sends the build’s brotli or gzip copy to a browser that accepts it, the file itself to one that does not', async () => {
    expect(compressed.files).toBe(1) // the chunk; the small asset is below 1 KiB
    expect(fs.existsSync(path.join(dir, 'assets', `${ASSET}.br`))).toBe(false)
    expect(compressed.brotliBytes).toBeLessThan(CHUNK_TEXT.length / 5)
    const br = await rawGet(`/assets/${CHUNK}`, 'gzip, deflate, br')
    expect(br.headers['content-encoding']).toBe('br')
    expect(br.headers['vary']).toMatch(/accept-encoding/i)
    expect(br.headers['content-type']).toMatch(/javascript/)
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(Number(br.headers['content-length'])).toBe(br.body.byteLength)
    expect(zlib.brotliDecompressSync(br.body).toString()).toBe(CHUNK_TEXT)
    const gz = await rawGet(`/assets/${CHUNK}`, 'gzip')
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(zlib.gunzipSync(gz.body).toString()).toBe(CHUNK_TEXT)
    const plain = await rawGet(`/assets/${CHUNK}`, null)
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.body.toString()).toBe(CHUNK_TEXT)
  })

  it('answers a missing asset 404 without a cache header', async () => {
    const res = await fetch(`${server.httpUrl}/assets/gone-Qq11Ww22.js`)
    expect(res.status).toBe(404)
    expect(res.headers.get('cache-control')).toBeNull()
    await res.arrayBuffer()
  })
})

/** A GET that shows the bytes as sent (fetch would decompress them). */
function rawGet(urlPath: string, acceptEncoding: string | null): Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}
    http.get(server.httpUrl + urlPath, { headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }))
      res.on('error', reject)
    }).on('error', reject)
  })
}
