// GET /api/tables/:id/recommendations through the real app (app.request, no sockets) on PGlite and, when
// TEST_DATABASE_URL is set, PostgreSQL: the seeded library (218 entries) plus generated department entries,
// APPROVED approved tables (the ten samples, each copied with its class), and a table from S01 asking.
// Target: < 100 ms per table (warm: the approved tables' usage is cached for a minute; cold shown too).
// Run: npx tsx bench/recommend.ts
import { eq } from 'drizzle-orm'
import { targetTables } from '../server/db/schema.ts'
import { forgetUsage } from '../server/library/recommend.ts'
import { makeTestApp } from '../test/helpers/app.ts'
import { TEST_DATABASE_URL, type TestDatabaseKind } from '../test/helpers/database.ts'
import { loadSample, sampleFiles } from '../test/helpers/samples.ts'

const APPROVED = Number(process.env.APPROVED ?? 200)
const EXTRA_ENTRIES = Number(process.env.EXTRA_ENTRIES ?? 800)
const RUNS = Number(process.env.RUNS ?? 30)
const f = (x: number) => x.toFixed(1)
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!

async function run(kind: TestDatabaseKind): Promise<void> {
  const t = await makeTestApp(kind)
  try {
    const token = await t.login('jiaoyu')
    const dept = await t.departmentId('105')
    const l2 = ['数量指标', '质量指标', '时效指标', '成本指标']
    for (let i = 0; i < EXTRA_ENTRIES; i++) {
      await t.storage.library.create({
        id: `G-${i}`, level1: '产出指标', level2: l2[i % 4]!, level3: `生成指标${i}完成${['率', '数', '量', '时间'][i % 4]}`, comparator: '≥', unit: '%',
        scope: 'specific', functionalClasses: [['205', '20502', '210', '213'][i % 4]!], core: i % 200 === 0, departmentId: i % 3 === 0 ? dept : null,
      })
    }
    const samples = sampleFiles().filter((s) => (loadSample(s) as { kind: string }).kind === 'project')
    for (let i = 0; i < APPROVED; i++) {
      const content = loadSample(samples[i % samples.length]!) as Record<string, any>
      content.indicators.forEach((r: Record<string, unknown>, k: number) => (r.id = `r${k}`))
      const res = await t.request('POST', '/api/tables', { token, body: { kind: 'project', template: content.template, year: content.year, departmentId: dept, content } })
      if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`)
      await t.storage.versions.freeze({ tableId: res.body.id, version: 1, round: 1, reason: 'approved', content: content as never, createdBy: null })
      await t.database.db.update(targetTables).set({ status: 'approved', version: 1 }).where(eq(targetTables.id, res.body.id))
    }
    const content = loadSample('S01') as Record<string, any>
    content.indicators.forEach((r: Record<string, unknown>, k: number) => (r.id = `r${k}`))
    const asking = await t.request('POST', '/api/tables', { token, body: { kind: 'project', template: content.template, year: content.year, departmentId: dept, content } })
    const path = `/api/tables/${asking.body.id}/recommendations`
    const once = async () => {
      const t0 = performance.now()
      const res = await t.request('GET', path, { token })
      if (res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(res.body)}`)
      return performance.now() - t0
    }
    forgetUsage(t.storage)
    const cold = await once()
    const warm: number[] = []
    for (let i = 0; i < RUNS; i++) warm.push(await once())
    const entries = await t.storage.library.count()
    console.log(`${kind}: ${entries} library entries, ${APPROVED} approved tables — cold ${f(cold)} ms (reads the approved versions), warm p50 ${f(pct(warm, 0.5))} ms, p95 ${f(pct(warm, 0.95))} ms (target < 100 ms)`)
  } finally {
    await t.dispose()
  }
}

const kinds: TestDatabaseKind[] = TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']
for (const kind of kinds) await run(kind)
