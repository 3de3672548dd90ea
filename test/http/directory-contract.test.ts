// The directory answers as shared/api/directory.ts says (the list page infers its types from it):
// GET /api/departments and GET /api/auth/me parse with the shared schemas, field for field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { departmentListAnswer, meAnswer } from '../../shared/api/directory.ts'
import { makeTestApp, type TestApp } from '../helpers/app.ts'

let t: TestApp
beforeAll(async () => { t = await makeTestApp('pglite') })
afterAll(async () => { await t?.dispose() })

describe('directory answers', () => {
  it('answers GET /api/departments in the shape of departmentListAnswer, units pointing at their department', async () => {
    const r = await t.request('GET', '/api/departments', { token: await t.login('jiaoyu') })
    expect(r.status).toBe(200)
    const parsed = departmentListAnswer.strict().safeParse(r.body)
    expect(parsed.error?.issues ?? []).toEqual([])
    const byCode = new Map(parsed.data!.departments.map((d) => [d.code, d]))
    expect(byCode.get('126001')).toMatchObject({ name: '南江市文化馆', kind: 'unit', parentId: byCode.get('126')!.id })
    expect(byCode.get('601')).toMatchObject({ kind: 'town', parentId: null })
  })

  it('answers GET /api/auth/me in the shape of meAnswer', async () => {
    const r = await t.request('GET', '/api/auth/me', { token: await t.login('wenlv') })
    expect(r.status).toBe(200)
    const parsed = meAnswer.safeParse(r.body)
    expect(parsed.error?.issues ?? []).toEqual([])
    expect(parsed.data!.user).toMatchObject({ username: 'wenlv', displayName: '陈静（文广旅体局）', role: 'department', departmentIds: [await t.departmentId('126')] })
  })
})
