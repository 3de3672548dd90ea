// 指标建议 and deleting library entries over HTTP (server/http/routes/indicator-proposals.ts), run on
// PGlite and PostgreSQL by the two files beside it: a department proposes a new entry and a change;
// finance accepts (the entry is created or changed, its history naming the proposal) or rejects with a
// reason; who may do what; a proposal whose entry was deleted meanwhile; a second decision; bad bodies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { indicatorAnswer, indicatorListAnswer } from '../../shared/api/library.ts'
import { proposalAnswer, proposalListAnswer } from '../../shared/api/library-proposals.ts'
import type { TestDatabaseKind } from '../helpers/database.ts'
import { makeTestApp, type TestApp } from '../helpers/app.ts'

export function defineProposalSuite(kind: TestDatabaseKind) {
  describe(`indicator proposals over HTTP on ${kind}`, () => {
    let t: TestApp
    let finance: string
    let consultant: string
    let jiaoyu: string
    let weijian: string
    let viewer: string
    let jiaoyuId: string

    beforeAll(async () => {
      t = await makeTestApp(kind)
      finance = await t.login('caizheng')
      consultant = await t.login('zixun')
      jiaoyu = await t.login('jiaoyu')
      weijian = await t.login('weijian')
      viewer = await t.login('renda')
      jiaoyuId = await t.departmentId('105')
    }, 60_000)
    afterAll(async () => {
      await t?.dispose()
    })

    const newEntry = { level1: '产出指标', level2: '数量指标', level3: '课后服务覆盖学校数', comparator: '≥', typicalValue: '30', unit: '所', scope: 'specific', functionalClasses: ['20502'] }
    const propose = (token: string, body: unknown) => t.request('POST', '/api/indicators/proposals', { token, body })
    const list = async (token: string, query = '') => {
      const r = await t.request('GET', `/api/indicators/proposals${query}`, { token })
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      return proposalListAnswer.parse(r.body)
    }
    const entry = async (id: string) => {
      const r = await t.request('GET', `/api/indicators/${id}`, { token: finance })
      return { status: r.status, answer: r.status === 200 ? indicatorAnswer.parse(r.body) : null }
    }

    it('a department proposes a new indicator; finance accepts it: the entry exists with history naming the proposal, and search finds it', async () => {
      const r = await propose(jiaoyu, { kind: 'add', fields: newEntry, reason: '落实“双减”课后服务要求' })
      expect(r.status, JSON.stringify(r.body)).toBe(201)
      const p = proposalAnswer.parse(r.body).proposal
      expect(p).toMatchObject({ kind: 'add', status: 'pending', indicatorId: null, departmentId: jiaoyuId, departmentName: '南江市教育局', proposedByName: '王芳（教育局财务科）', current: null })
      expect(p.fields).toMatchObject({ level3: '课后服务覆盖学校数', unit: '所' })

      // the proposer sees it; another department does not; finance sees it with the pending count
      expect((await list(jiaoyu)).proposals.map((x) => x.id)).toContain(p.id)
      expect((await list(weijian)).proposals.map((x) => x.id)).not.toContain(p.id)
      const pending = await list(finance, '?status=pending')
      expect(pending.proposals.map((x) => x.id)).toContain(p.id)
      expect(pending.total).toBe(pending.proposals.length)

      // nothing in the library yet
      const before = await t.request('GET', `/api/indicators?q=${encodeURIComponent('课后服务覆盖学校数')}`, { token: jiaoyu })
      expect(indicatorListAnswer.parse(before.body).indicators.some((i) => i.level3 === '课后服务覆盖学校数')).toBe(false)

      const accepted = await t.request('POST', `/api/indicators/proposals/${p.id}/accept`, { token: finance })
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(200)
      const a = proposalAnswer.parse(accepted.body).proposal
      expect(a).toMatchObject({ status: 'accepted', decidedByName: '李敏（财政局绩效科）', indicatorId: expect.any(String) })
      expect(a.current).toMatchObject({ level3: '课后服务覆盖学校数', version: 1 })
      const e = await entry(a.indicatorId!)
      expect(e.answer!.indicator).toMatchObject({ level3: '课后服务覆盖学校数', typicalValue: '30', unit: '所', scope: 'specific' })
      expect(e.answer!.history).toEqual([expect.objectContaining({ version: 1, reason: '采纳部门建议：落实“双减”课后服务要求', changedByName: '李敏（财政局绩效科）', before: null })])
      const found = await t.request('GET', `/api/indicators?q=${encodeURIComponent('课后服务覆盖')}`, { token: jiaoyu })
      expect(indicatorListAnswer.parse(found.body).indicators.map((i) => i.id)).toContain(a.indicatorId)

      // the proposer reads the outcome
      const mine = await list(jiaoyu, '?status=accepted')
      expect(mine.proposals.find((x) => x.id === p.id)).toMatchObject({ status: 'accepted', indicatorId: a.indicatorId })

      // a second decision is refused and changes nothing
      for (const verb of ['accept', 'reject']) {
        const again = await t.request('POST', `/api/indicators/proposals/${p.id}/${verb}`, { token: finance, body: { reason: '再处理一次' } })
        expect(again.status).toBe(409)
        expect(again.body.error).toMatchObject({ code: 'conflict', message: expect.stringContaining('已采纳') })
      }
      expect((await entry(a.indicatorId!)).answer!.history).toHaveLength(1)

      const audit = await t.storage.audit.list({ action: 'library.proposal.accept' })
      expect(audit.some((x) => (x.details as { proposalId?: string }).proposalId === p.id)).toBe(true)
    })

    it('a change proposal: accepted over a later edit it applies to the entry as it is now; finance sees the current entry beside it', async () => {
      const r = await propose(jiaoyu, { kind: 'change', indicatorId: 'C-MTG-01', baseVersion: 1, fields: { unit: '场', typicalValue: '12' }, reason: '按年度会议计划' })
      expect(r.status, JSON.stringify(r.body)).toBe(201)
      const p = proposalAnswer.parse(r.body).proposal
      expect(p).toMatchObject({ kind: 'change', indicatorId: 'C-MTG-01', baseVersion: 1, current: { id: 'C-MTG-01', version: 1 } })

      // finance edits the entry meanwhile: the list shows the entry's newer version beside the proposal
      const edit = await t.request('PATCH', '/api/indicators/C-MTG-01', { token: finance, body: { explanation: '全年召开的工作会议场次', reason: '补充解释' } })
      expect(edit.status).toBe(200)
      const shown = (await list(finance, '?status=pending')).proposals.find((x) => x.id === p.id)!
      expect(shown.current).toMatchObject({ version: 2, explanation: '全年召开的工作会议场次' })
      expect(shown.baseVersion).toBe(1)

      const accepted = await t.request('POST', `/api/indicators/proposals/${p.id}/accept`, { token: finance, body: { reason: '同意' } })
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(200)
      const e = (await entry('C-MTG-01')).answer!
      expect(e.indicator).toMatchObject({ unit: '场', typicalValue: '12', explanation: '全年召开的工作会议场次', version: 3 })
      expect(e.history[0]).toMatchObject({ version: 3, reason: '采纳部门建议：按年度会议计划（处理意见：同意）', before: { unit: '场次', typicalValue: '4' }, after: { unit: '场', typicalValue: '12' } })
      expect(Object.keys(e.history[0]!.after).sort()).toEqual(['typicalValue', 'unit'])
    })

    it('finance rejects with a required reason; the proposer reads why', async () => {
      const r = await propose(weijian, { kind: 'change', indicatorId: 'C-MTG-01', baseVersion: 3, fields: { core: true }, reason: '建议设为核心指标' })
      expect(r.status, JSON.stringify(r.body)).toBe(201)
      const id = r.body.proposal.id as string
      for (const body of [undefined, {}, { reason: '   ' }]) {
        const bad = await t.request('POST', `/api/indicators/proposals/${id}/reject`, { token: finance, ...(body ? { body } : {}) })
        expect(bad.status).toBe(400)
        expect(bad.body.error).toMatchObject({ code: 'invalid_input', details: { field: 'reason' } })
        expect(bad.body.error.message).toContain('处理意见（reason）')
      }
      const ok = await t.request('POST', `/api/indicators/proposals/${id}/reject`, { token: finance, body: { reason: '会议类指标不宜作为核心指标' } })
      expect(ok.status, JSON.stringify(ok.body)).toBe(200)
      expect(ok.body.proposal).toMatchObject({ status: 'rejected', decisionReason: '会议类指标不宜作为核心指标' })
      expect((await entry('C-MTG-01')).answer!.indicator.core).toBe(false)
      const mine = (await list(weijian)).proposals.find((x) => x.id === id)
      expect(mine).toMatchObject({ status: 'rejected', decisionReason: '会议类指标不宜作为核心指标', decidedByName: '李敏（财政局绩效科）' })
    })

    it('who may: departments propose; finance and consultants are told to edit directly; a viewer cannot; only finance decides and deletes', async () => {
      const body = { kind: 'add', fields: { ...newEntry, level3: '角色检查指标' }, reason: '试' }
      for (const token of [finance, consultant]) {
        const r = await propose(token, body)
        expect(r.status).toBe(403)
        expect(r.body.error.message).toContain('可直接在指标库中新增或修改指标')
      }
      const v = await propose(viewer, body)
      expect(v.status).toBe(403)
      expect(v.body.error.message).toContain('只读用户')
      expect((await propose(jiaoyu, body)).status).toBe(201)
      const p = (await list(jiaoyu, '?status=pending')).proposals[0]!
      for (const token of [consultant, jiaoyu, viewer]) {
        const r = await t.request('POST', `/api/indicators/proposals/${p.id}/accept`, { token })
        expect(r.status).toBe(403)
        expect(r.body.error.message).toBe('只有财政局可以处理指标建议')
        const d = await t.request('DELETE', '/api/indicators/C-MTG-02', { token, body: { reason: '删' } })
        expect(d.status).toBe(403)
      }
      expect((await t.request('GET', '/api/indicators/proposals')).status).toBe(401)
      // a viewer (no department) lists nothing; a consultant sees its departments' proposals
      expect((await list(viewer)).total).toBe(0)
      expect((await list(consultant)).proposals.map((x) => x.id)).toContain(p.id)
      // a department proposes only for its own departments
      const other = await propose(jiaoyu, { ...body, departmentId: await t.departmentId('118') })
      expect(other.status).toBe(400)
      expect(other.body.error.details.field).toBe('departmentId')
      const foreignEntry = await propose(jiaoyu, { ...body, fields: { ...body.fields, departmentId: await t.departmentId('118') } })
      expect(foreignEntry.status).toBe(400)
      expect(foreignEntry.body.error.details.field).toBe('fields.departmentId')
      expect((await t.request('POST', '/api/indicators/proposals/p-none/accept', { token: finance })).status).toBe(404)
    })

    it('bad bodies answer 400 naming the field', async () => {
      const cases: [unknown, string, string][] = [
        [{ kind: 'add', fields: newEntry }, 'reason', '建议理由（reason）必填'],
        [{ kind: 'add', fields: newEntry, reason: '  ' }, 'reason', '建议理由（reason）必填'],
        [{ kind: 'rename', fields: newEntry, reason: '试' }, 'kind', '建议类型（kind）应为 add 或 change'],
        [{ fields: newEntry, reason: '试' }, 'kind', '建议类型（kind）应为 add 或 change'],
        [{ kind: 'add', fields: { ...newEntry, comparator: '约' }, reason: '试' }, 'fields.comparator', '比较符（comparator）应为'],
        [{ kind: 'add', fields: { ...newEntry, level3: '' }, reason: '试' }, 'fields.level3', '三级指标（level3）必填'],
        [{ kind: 'add', fields: { ...newEntry, functionalClasses: ['12'] }, reason: '试' }, 'fields.functionalClasses.0', '功能分类科目（functionalClasses）'],
        [{ kind: 'change', indicatorId: 'NO-SUCH', baseVersion: 1, fields: { unit: '次' }, reason: '试' }, 'indicatorId', '指标（indicatorId）不存在'],
        [{ kind: 'change', baseVersion: 1, fields: { unit: '次' }, reason: '试' }, 'indicatorId', '指标（indicatorId）必填'],
        [{ kind: 'change', indicatorId: 'C-MTG-02', baseVersion: 1, fields: {}, reason: '试' }, 'fields', '建议修改的字段（fields）不能为空'],
        [{ kind: 'change', indicatorId: 'C-MTG-02', baseVersion: 1, fields: { core: 'yes' }, reason: '试' }, 'fields.core', '核心指标（core）必须是布尔值'],
        [{ kind: 'change', indicatorId: 'C-MTG-02', baseVersion: 'x', fields: { unit: '次' }, reason: '试' }, 'baseVersion', '版本（baseVersion）必须是数字'],
        [{ kind: 'change', indicatorId: 'C-MTG-02', baseVersion: 9, fields: { unit: '次' }, reason: '试' }, 'baseVersion', '版本（baseVersion）不存在'],
      ]
      const before = (await list(finance)).total
      for (const [body, field, message] of cases) {
        const r = await propose(jiaoyu, body)
        expect(r.status, JSON.stringify(body)).toBe(400)
        expect(r.body.error.code).toBe('invalid_input')
        expect(r.body.error.details.field, JSON.stringify(body)).toBe(field)
        expect(r.body.error.message).toContain(message)
      }
      expect((await list(finance)).total).toBe(before)
      const badStatus = await t.request('GET', '/api/indicators/proposals?status=done', { token: finance })
      expect(badStatus.status).toBe(400)
      expect(badStatus.body.error.message).toContain('状态（status）')
    })

    it('deleting an entry keeps its history; a pending change proposal then shows current=null, cannot be accepted (409, nothing written) but can be rejected', async () => {
      const r = await propose(jiaoyu, { kind: 'change', indicatorId: 'C-MTG-02', baseVersion: 1, fields: { unit: '人次' }, reason: '口径调整' })
      expect(r.status, JSON.stringify(r.body)).toBe(201)
      const id = r.body.proposal.id as string

      const noReason = await t.request('DELETE', '/api/indicators/C-MTG-02', { token: finance })
      expect(noReason.status).toBe(400)
      expect(noReason.body.error).toMatchObject({ message: '删除原因（reason）必填', details: { field: 'reason' } })
      expect((await entry('C-MTG-02')).status).toBe(200)

      const del = await t.request('DELETE', '/api/indicators/C-MTG-02', { token: finance, body: { reason: '与 C-MTG-01 重复' } })
      expect(del.status, JSON.stringify(del.body)).toBe(200)
      expect(del.body.indicator).toMatchObject({ id: 'C-MTG-02' })
      expect((await entry('C-MTG-02')).status).toBe(404)
      expect((await t.request('DELETE', '/api/indicators/C-MTG-02', { token: finance, body: { reason: '再删' } })).status).toBe(404)
      // the seeded entry had no history rows: the deletion is version 2, its only row
      const history = await t.storage.library.history('C-MTG-02')
      expect(history).toHaveLength(1)
      expect(history[0]).toMatchObject({ version: 2, reason: '删除指标：与 C-MTG-01 重复', after: {}, changedByName: '李敏（财政局绩效科）' })
      expect(history[0]!.before).toMatchObject({ level3: expect.any(String) })
      expect((await t.storage.audit.list({ action: 'library.delete' }))[0]!.details).toMatchObject({ indicatorId: 'C-MTG-02', reason: '与 C-MTG-01 重复' })

      const shown = (await list(finance, '?status=pending')).proposals.find((x) => x.id === id)!
      expect(shown).toMatchObject({ status: 'pending', indicatorId: 'C-MTG-02', current: null })

      const accept = await t.request('POST', `/api/indicators/proposals/${id}/accept`, { token: finance })
      expect(accept.status).toBe(409)
      expect(accept.body.error.message).toMatch(/^该指标已于 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 被李敏（财政局绩效科）删除，不能采纳/)
      expect((await list(finance, '?status=pending')).proposals.some((x) => x.id === id)).toBe(true)
      expect((await entry('C-MTG-02')).status).toBe(404)
      expect(await t.storage.library.history('C-MTG-02')).toHaveLength(1)

      const reject = await t.request('POST', `/api/indicators/proposals/${id}/reject`, { token: finance, body: { reason: '指标已删除' } })
      expect(reject.status, JSON.stringify(reject.body)).toBe(200)
      expect(reject.body.proposal).toMatchObject({ status: 'rejected', current: null })

      // a new change proposal for the deleted entry is refused as an unknown indicator
      const late = await propose(jiaoyu, { kind: 'change', indicatorId: 'C-MTG-02', baseVersion: 1, fields: { unit: '次' }, reason: '试' })
      expect(late.status).toBe(400)
      expect(late.body.error.details.field).toBe('indicatorId')

      // finance may create an entry under the deleted one's id again: its versions continue the kept history
      const again = await t.request('POST', '/api/indicators', { token: finance, body: { id: 'C-MTG-02', level1: '产出指标', level2: '数量指标', level3: '会议次数', comparator: '≥', scope: 'common', reason: '恢复' } })
      expect(again.status, JSON.stringify(again.body)).toBe(201)
      expect(again.body.indicator).toMatchObject({ id: 'C-MTG-02', version: 3 })
      expect((await t.storage.library.history('C-MTG-02')).map((h) => [h.version, h.reason])).toEqual([[3, '恢复'], [2, '删除指标：与 C-MTG-01 重复']])
    })

    it('two finance users accepting the same proposal at once: one wins, the other gets 409, the entry is created once', async () => {
      const r = await propose(jiaoyu, { kind: 'add', fields: { ...newEntry, level3: '并发采纳指标' }, reason: '并发' })
      expect(r.status).toBe(201)
      const id = r.body.proposal.id as string
      const answers = await Promise.all([1, 2].map(() => t.request('POST', `/api/indicators/proposals/${id}/accept`, { token: finance })))
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409])
      const made = (await t.storage.library.all()).filter((e) => e.level3 === '并发采纳指标')
      expect(made).toHaveLength(1)
    })

    it('lists pending first with an exact total and pages with a cursor', async () => {
      for (let i = 0; i < 3; i++) {
        expect((await propose(weijian, { kind: 'add', fields: { ...newEntry, level3: `分页指标${i}` }, reason: `分页 ${i}` })).status).toBe(201)
      }
      const all = await list(finance, '?limit=500')
      expect(all.total).toBe(all.proposals.length)
      const firstDecided = all.proposals.findIndex((x) => x.status !== 'pending')
      const lastPending = all.proposals.map((x) => x.status).lastIndexOf('pending')
      expect(firstDecided).toBeGreaterThan(lastPending)
      const seen: string[] = []
      let cursor: string | null = null
      do {
        const page: Awaited<ReturnType<typeof list>> = await list(finance, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        expect(page.total).toBe(all.total)
        seen.push(...page.proposals.map((x) => x.id))
        cursor = page.nextCursor
      } while (cursor)
      expect(seen).toEqual(all.proposals.map((x) => x.id))
      const tooMany = await t.request('GET', '/api/indicators/proposals?limit=501', { token: finance })
      expect(tooMany.status).toBe(400)
    })
  })
}
