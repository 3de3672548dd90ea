// The review cycle over HTTP: rounds opened by submits, frozen versions, reasons, the gates (errors;
// open opinions of any round), grades, races between transitions, deletion — both databases.
import * as Y from 'yjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addThread, setDisposition, setThreadStatus } from '../../shared/ydoc/index.ts'
import { loadStoredDoc } from '../../server/tables/documents.ts'
import { makeTestApp, type TestApp } from '../helpers/app.ts'
import type { TestDatabaseKind } from '../helpers/database.ts'
import { loadSample } from '../helpers/samples.ts'

export function defineReviewCycleSuite(kind: TestDatabaseKind) {
  describe(`review cycle over HTTP on ${kind}`, () => {
    let t: TestApp
    const tok: Record<string, string> = {}
    let edu: string
    beforeAll(async () => {
      t = await makeTestApp(kind)
      for (const u of ['caizheng', 'jiaoyu', 'weijian', 'zixun', 'renda']) tok[u] = await t.login(u)
      edu = await t.departmentId('105')
    })
    afterAll(async () => {
      await t?.dispose()
    })

    const post = (id: string, who: string, body: unknown) => t.request('POST', `/api/tables/${id}/transitions`, { token: tok[who], body })
    const createClean = async () => {
      const content = loadSample('S09') as { year: number }
      const r = await t.request('POST', '/api/tables', { token: tok.jiaoyu, body: { kind: 'project', template: 'mof2021-core', year: content.year, departmentId: edu, content } })
      expect(r.status).toBe(201)
      return r.body.id as string
    }
    /** writes to the stored comments document as the live room would, attributed to `userId` */
    const editComments = async (tableId: string, userId: string, fn: (doc: Y.Doc) => void) => {
      const doc = await loadStoredDoc(t.storage, tableId, 'comments')
      const before = Y.encodeStateVector(doc)
      fn(doc)
      await t.storage.docLog.appendUpdates(tableId, 'comments', [{ update: Y.encodeStateAsUpdate(doc, before), userId }])
    }
    const userId = async (username: string) => (await t.storage.users.getByUsername(username))!.id

    it('creates a blank form with the project name from the dialog; a blank name is kept for the rules to report', async () => {
      const made = await t.request('POST', '/api/tables', { token: tok.jiaoyu, body: { kind: 'project', template: 'mof2015-project', year: 2026, departmentId: edu, projectName: '  课后服务补助  ' } })
      expect(made.status).toBe(201)
      const got = await t.request('GET', `/api/tables/${made.body.id}`, { token: tok.jiaoyu })
      expect(got.body).toMatchObject({ title: '课后服务补助', status: 'draft', round: 1, version: 0, openThreads: 0, departmentName: '南江市教育局', content: { header: { projectName: '课后服务补助' } } })
      expect(got.body.findings.errors).toBeGreaterThan(0) // a blank form is judged like any table
      expect(got.body.access).toEqual({ edit: true, comment: true, actions: ['submit', 'delete'] })
      const nameless = await t.request('POST', '/api/tables', { token: tok.jiaoyu, body: { kind: 'project', template: 'mof2015-project', year: 2026, departmentId: edu, projectName: ' ' } })
      expect(nameless.status).toBe(201)
      const judged = await t.request('GET', `/api/tables/${nameless.body.id}/findings`, { token: tok.jiaoyu })
      expect(judged.body.findings).toContainEqual(expect.objectContaining({ ruleId: 'R-HEADER-REQUIRED', path: 'header.projectName' }))
      const dept = await t.request('POST', '/api/tables', { token: tok.jiaoyu, body: { kind: 'department', template: 'mof2015-dept', year: 2026, departmentId: edu } })
      expect((await t.request('GET', `/api/tables/${dept.body.id}`, { token: tok.jiaoyu })).body.content.header.deptName).toBe('南江市教育局')
    })

    it('opens round n with the n-th submit, freezes a version each submit and approval, and keeps the round on return', async () => {
      const id = await createClean()
      expect((await post(id, 'jiaoyu', { action: 'submit' })).body).toEqual({ status: 'submitted', round: 1, version: 1 })
      const zixun = await userId('zixun')
      await editComments(id, zixun, (d) => addThread(d, { id: 'th1', anchor: {}, round: 1, authorId: zixun, text: '请补充绩效指标的数据来源' }))

      const noReason = await post(id, 'caizheng', { action: 'return' })
      expect(noReason.status).toBe(400)
      expect(noReason.body.error).toEqual({ code: 'invalid_input', message: '退回修改必须填写原因（reason）', details: { field: 'reason' } })
      const long = await post(id, 'caizheng', { action: 'return', reason: '长'.repeat(5000) })
      expect(long.body.error).toEqual({ code: 'invalid_input', message: '原因（reason）不能超过 2000 个字符', details: { field: 'reason' } })
      expect((await t.request('GET', `/api/tables/${id}`, { token: tok.jiaoyu })).body.status).toBe('submitted') // nothing changed

      expect((await post(id, 'caizheng', { action: 'return', reason: '指标不够细化' })).body).toEqual({ status: 'returned', round: 1, version: 1 })
      expect((await post(id, 'jiaoyu', { action: 'submit' })).body).toEqual({ status: 'submitted', round: 2, version: 2 })

      const rounds = (await t.request('GET', `/api/tables/${id}/rounds`, { token: tok.renda })).body.rounds
      expect(rounds).toEqual([
        expect.objectContaining({ round: 1, version: 1, submittedByName: '王芳（教育局财务科）', review: null, threads: { open: 1, resolved: 0 } }),
        expect.objectContaining({ round: 2, version: 2, threads: { open: 0, resolved: 0 } }),
      ])
      const versions = (await t.request('GET', `/api/tables/${id}/versions`, { token: tok.renda })).body.versions
      expect(versions.map((v: any) => [v.version, v.round, v.reason, v.createdByName])).toEqual([[1, 1, 'submitted', '王芳（教育局财务科）'], [2, 2, 'submitted', '王芳（教育局财务科）']])

      // an open opinion of round 1 still blocks approval in round 2
      const blocked = await post(id, 'caizheng', { action: 'approve' })
      expect(blocked.status).toBe(409)
      expect(blocked.body.error.code).toBe('blocked')
      expect(blocked.body.error.message).toBe('不能审核通过：1 条审核意见未解决')
      expect(blocked.body.error.details.openThreads).toEqual([expect.objectContaining({ id: 'th1', round: 1, text: '请补充绩效指标的数据来源' })])
      expect((await t.request('GET', `/api/tables/${id}`, { token: tok.caizheng })).body.openThreads).toBe(1)

      const jiaoyu = await userId('jiaoyu')
      await editComments(id, jiaoyu, (d) => setDisposition(d, 'th1', { disposition: 'revised', userId: jiaoyu }))
      expect((await post(id, 'caizheng', { action: 'approve' })).status).toBe(409) // answered is not resolved
      await editComments(id, zixun, (d) => setThreadStatus(d, 'th1', 'resolved', null, { userId: zixun }))
      expect((await post(id, 'caizheng', { action: 'approve' })).body).toEqual({ status: 'approved', round: 2, version: 3 })

      const v3 = await t.request('GET', `/api/tables/${id}/versions/3`, { token: tok.jiaoyu })
      expect(v3.body).toMatchObject({ version: 3, round: 2, reason: 'approved', hash: expect.stringMatching(/^[0-9a-f]{64}$/), content: { kind: 'project', template: 'mof2021-core' } })
      expect((await t.request('GET', `/api/tables/${id}/versions/9`, { token: tok.jiaoyu })).body.error).toEqual({ code: 'not_found', message: '版本 9 不存在（该表共 3 个版本）', details: { version: 9 } })
      expect((await t.request('GET', `/api/tables/${id}/versions/abc`, { token: tok.jiaoyu })).body.error).toMatchObject({ code: 'invalid_input', details: { field: 'version' } })

      // 调整 needs a reason too, and only finance may
      const reopenBare = await post(id, 'caizheng', { action: 'reopen', reason: '   ' })
      expect(reopenBare.body.error).toEqual({ code: 'invalid_input', message: '调整必须填写原因（reason）', details: { field: 'reason' } })
      expect((await post(id, 'jiaoyu', { action: 'reopen', reason: '想改' })).status).toBe(403)
      expect((await post(id, 'caizheng', { action: 'reopen', reason: '预算调整，补充指标' })).body).toEqual({ status: 'draft', round: 2, version: 3 })
      const audit = await t.storage.audit.list({ tableId: id })
      expect(audit.filter((a) => a.action === 'table.reopen')[0]?.details).toMatchObject({ reason: '预算调整，补充指标', to: { status: 'draft' } })
    })

    it('lets a reviewer grade a round on the four dimensions, and refuses bad grades, rounds and reviewers', async () => {
      const id = await createClean()
      const grades = { completeness: '优', relevance: '良', appropriateness: '良', feasibility: '中' }
      const early = await t.request('PUT', `/api/tables/${id}/rounds/1/review`, { token: tok.zixun, body: { grades, verdict: '良' } })
      expect(early.body.error).toEqual({ code: 'conflict', message: '第 1 轮尚未报送，报送后才能评审', details: { field: 'round', round: 1 } })
      await post(id, 'jiaoyu', { action: 'submit' })
      const ok = await t.request('PUT', `/api/tables/${id}/rounds/1/review`, { token: tok.zixun, body: { grades, verdict: '良', comment: '目标较明确，部分指标需细化' } })
      expect(ok.status).toBe(200)
      const rounds = (await t.request('GET', `/api/tables/${id}/rounds`, { token: tok.jiaoyu })).body.rounds
      expect(rounds[0].review).toMatchObject({ grades, verdict: '良', comment: '目标较明确，部分指标需细化', byName: '周婷（第三方评价机构）' })

      const bad = await t.request('PUT', `/api/tables/${id}/rounds/1/review`, { token: tok.zixun, body: { grades: { ...grades, feasibility: '很好' }, verdict: '良' } })
      expect(bad.body.error).toEqual({ code: 'invalid_input', message: '可行性（grades.feasibility）应为 优、良、中、差 之一', details: { field: 'grades.feasibility' } })
      expect((await t.request('PUT', `/api/tables/${id}/rounds/7/review`, { token: tok.zixun, body: { grades, verdict: '良' } })).body.error).toEqual({ code: 'not_found', message: '第 7 轮不存在（该表当前为第 1 轮）', details: { field: 'round', currentRound: 1 } })
      expect((await t.request('PUT', `/api/tables/${id}/rounds/x/review`, { token: tok.zixun, body: { grades, verdict: '良' } })).body.error).toMatchObject({ code: 'invalid_input', details: { field: 'round' } })
      expect((await t.request('PUT', `/api/tables/${id}/rounds/1/review`, { token: tok.jiaoyu, body: { grades, verdict: '良' } })).status).toBe(403)
      expect((await t.request('PUT', `/api/tables/${id}/rounds/1/review`, { token: tok.renda, body: { grades, verdict: '良' } })).status).toBe(403)
      expect((await t.request('GET', `/api/tables/${id}`, { token: tok.zixun })).body.access.actions).toEqual(['review'])
      expect((await t.request('GET', `/api/tables/${id}`, { token: tok.caizheng })).body.access.actions).toEqual(['return', 'approve', 'delete', 'review'])
    })

    it('lets exactly one of two racing transitions win; the other gets 409 conflict in Chinese', async () => {
      for (const pair of [['approve', 'approve'], ['approve', 'return']] as const) {
        const id = await createClean()
        await post(id, 'jiaoyu', { action: 'submit' })
        const results = await Promise.all(pair.map((action) => post(id, 'caizheng', { action, reason: '并发测试' })))
        const statuses = results.map((r) => r.status).sort()
        expect(statuses, JSON.stringify(results.map((r) => r.body))).toEqual([200, 409])
        const loser = results.find((r) => r.status === 409)!
        expect(loser.body.error.code).toBe('conflict')
        expect(loser.body.error.message).toMatch(/请刷新后重试/)
        const versions = (await t.request('GET', `/api/tables/${id}/versions`, { token: tok.caizheng })).body.versions
        const approveWon = results.some((r, i) => pair[i] === 'approve' && r.status === 200)
        expect(versions.length).toBe(approveWon ? 2 : 1) // the loser froze nothing
      }
    })

    it('deletes a department’s own draft or, for finance, any table; a deleted table leaves lists and refuses transitions', async () => {
      const draft = await createClean()
      const submitted = await createClean()
      await post(submitted, 'jiaoyu', { action: 'submit' })
      expect((await t.request('DELETE', `/api/tables/${submitted}`, { token: tok.jiaoyu })).body.error).toEqual({ code: 'forbidden', message: '部门只能删除尚未报送的草稿；其他状态的表请联系财政局', details: { action: 'delete' } })
      expect((await t.request('DELETE', `/api/tables/${draft}`, { token: tok.zixun })).status).toBe(403)
      // a draft again after 调整 is part of the record: not the department's to delete
      const reopened = await createClean()
      await post(reopened, 'jiaoyu', { action: 'submit' })
      await post(reopened, 'caizheng', { action: 'approve' })
      await post(reopened, 'caizheng', { action: 'reopen', reason: '补充指标' })
      expect((await t.request('GET', `/api/tables/${reopened}`, { token: tok.jiaoyu })).body.access.actions).toEqual(['submit'])
      expect((await t.request('DELETE', `/api/tables/${reopened}`, { token: tok.jiaoyu })).body.error).toEqual({ code: 'forbidden', message: '该表已有报送记录（冻结版本），部门不能删除；如需删除请联系财政局', details: { action: 'delete' } })
      expect((await t.request('DELETE', `/api/tables/${draft}`, { token: tok.jiaoyu, body: { reason: '重复创建' } })).body).toEqual({ id: draft, deleted: true })
      expect((await t.request('DELETE', `/api/tables/${submitted}`, { token: tok.caizheng })).status).toBe(200)
      for (const id of [draft, submitted]) {
        expect((await t.request('GET', `/api/tables/${id}`, { token: tok.caizheng })).status).toBe(404)
        const tr = await post(id, 'caizheng', { action: 'approve' })
        expect(tr.body.error).toMatchObject({ code: 'not_found', message: '表格不存在' })
      }
      const list = await t.request('GET', '/api/tables?limit=500', { token: tok.caizheng })
      expect(list.body.tables.map((x: { id: string }) => x.id)).not.toContain(draft)
      const audit = await t.storage.audit.list({ tableId: draft })
      expect(audit[0]).toMatchObject({ action: 'table.delete', details: { reason: '重复创建', status: 'draft' } })
    })

    it('gives finance a department’s audit trail: its tables (deleted ones by title) and its people, paged', async () => {
      const id = await createClean()
      await post(id, 'jiaoyu', { action: 'submit' })
      await post(id, 'caizheng', { action: 'return', reason: '请细化指标' })
      const other = await t.request('POST', '/api/tables', { token: tok.weijian, body: { kind: 'project', template: 'mof2015-project', year: 2026, departmentId: await t.departmentId('118'), projectName: '卫健项目' } })
      const gone = await createClean()
      await t.request('DELETE', `/api/tables/${gone}`, { token: tok.jiaoyu, body: { reason: '重复' } })

      const all: any[] = []
      let cursor: string | null = null
      do {
        const page: any = await t.request('GET', `/api/audit?departmentId=${edu}&limit=3${cursor ? `&before=${cursor}` : ''}`, { token: tok.caizheng })
        expect(page.status).toBe(200)
        expect(page.body.entries.length).toBeLessThanOrEqual(3)
        all.push(...page.body.entries)
        cursor = page.body.nextCursor
      } while (cursor)
      const ids = all.map((e) => e.id)
      expect(new Set(ids).size).toBe(ids.length) // every entry once
      expect(ids).toEqual([...ids].sort((a, b) => b - a)) // newest first
      expect(all).toContainEqual(expect.objectContaining({ action: 'table.return', tableId: id, userName: '李敏（财政局绩效科）', details: expect.objectContaining({ reason: '请细化指标' }) }))
      expect(all).toContainEqual(expect.objectContaining({ action: 'table.delete', tableId: gone, tableTitle: expect.any(String), userName: '王芳（教育局财务科）' }))
      expect(all).toContainEqual(expect.objectContaining({ action: 'login', userName: '王芳（教育局财务科）' }))
      expect(all.some((e) => e.tableId === other.body.id)).toBe(false) // another department's table
      expect((await t.request('GET', `/api/audit?departmentId=${edu}`, { token: tok.jiaoyu })).status).toBe(403)
      expect((await t.request('GET', `/api/audit?departmentId=${edu}&before=abc`, { token: tok.caizheng })).body.error).toEqual({ code: 'invalid_input', message: '翻页位置（before）格式不正确', details: { field: 'before' } })
      expect((await t.request('GET', '/api/audit?departmentId=nope', { token: tok.caizheng })).body.error.code).toBe('not_found')
    })
  })
}
