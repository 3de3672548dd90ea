// The built client as the server hands it out: assets (named by their content's hash) may be kept by the
// browser for a year, so a second page load reads the 6 MB grid chunk from its cache; the pages' HTML is
// revalidated on every load, so a rebuild's new asset names reach everyone at once; a missing asset is a
// plain 404 that no cache keeps.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from '../helpers/server.ts'

const ASSET = 'app-Ab12Cd34.js'
let server: RunningServer
let dir: string

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-static-'))
  fs.mkdirSync(path.join(dir, 'assets'))
  fs.writeFileSync(path.join(dir, 'index.html'), `<!doctype html><html><body><script type="module" src="/assets/${ASSET}"></script></body></html>`)
  fs.writeFileSync(path.join(dir, 'assets', ASSET), 'export const built = 1\n')
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

  it('answers a missing asset 404 without a cache header', async () => {
    const res = await fetch(`${server.httpUrl}/assets/gone-Qq11Ww22.js`)
    expect(res.status).toBe(404)
    expect(res.headers.get('cache-control')).toBeNull()
    await res.arrayBuffer()
  })
})
