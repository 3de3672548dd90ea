// The published API description: /api/openapi.json names exactly the routes the app serves (so it
// cannot drift from the code), its schemas come from the shared contract, and /api/docs shows them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OPERATIONS } from '../../server/http/openapi.ts'
import { makeTestApp, type TestApp } from '../helpers/app.ts'

describe('OpenAPI document', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await makeTestApp('pglite')
  })
  afterAll(async () => {
    await t?.dispose()
  })

  it('documents exactly the routes the app serves under /api', async () => {
    const served = new Set(
      t.app.routes
        .filter((r) => r.path.startsWith('/api/') && r.method !== 'ALL' && !r.path.includes('*'))
        .map((r) => `${r.method.toLowerCase()} ${r.path}`),
    )
    const documented = new Set(OPERATIONS.map((o) => `${o.method} ${o.path}`))
    expect([...served].filter((r) => !documented.has(r)), 'served but not documented').toEqual([])
    expect([...documented].filter((r) => !served.has(r)), 'documented but not served').toEqual([])
  })

  it('publishes OpenAPI 3.1 with the shared schemas, readable without signing in', async () => {
    const res = await t.request('GET', '/api/openapi.json')
    expect(res.status).toBe(200)
    expect(res.body.openapi).toBe('3.1.0')
    const list = res.body.paths['/api/tables'].get
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['year', 'departmentId', 'status', 'kind', 'q', 'hasErrors', 'hasOpenThreads', 'sort', 'limit', 'cursor']))
    expect(list.responses['200'].content['application/json'].schema.required).toEqual(expect.arrayContaining(['tables', 'total', 'nextCursor']))
    const review = res.body.paths['/api/tables/{id}/rounds/{n}/review'].put
    expect(review.requestBody.content['application/json'].schema.properties.grades.properties.completeness.enum).toEqual(['优', '良', '中', '差'])
    expect(res.body.paths['/api/tables/{id}/transitions'].post.requestBody.content['application/json'].schema.properties.action.enum).toEqual(['submit', 'return', 'approve', 'reopen'])
    expect(res.body.paths['/api/tables/{id}/rounds/{n}/opinions'].get.responses['200'].content).toHaveProperty(['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'])
  })

  it('serves a Chinese reference page listing every operation', async () => {
    const res = await t.app.request('/api/docs')
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('接口参考')
    for (const op of OPERATIONS) expect(html).toContain(`<code>${op.path}</code>`)
  })
})
