// Learning from approved tables (server/library/learning.ts) and GET /api/indicators/:id/usage through the real
// app on PGlite and, when TEST_DATABASE_URL is set, PostgreSQL: the seeded library (218 entries) plus
// EXTRA_ENTRIES generated ones, APPROVED approved tables (the project samples, copied). Prints the backfill of
// every table (per table), one warm re-learn, and the usage of the most used entry (p50/p95 over RUNS).
// Run: npx tsx bench/learning.ts   (APPROVED=200 EXTRA_ENTRIES=5000 RUNS=30)
import { desc, eq } from 'drizzle-orm'
import { indicators, targetTables } from '../server/db/schema.ts'
import { backfillUsages, learnFromApproved } from '../server/library/learning.ts'
import { makeTestApp } from '../test/helpers/app.ts'
import { TEST_DATABASE_URL, type TestDatabaseKind } from '../test/helpers/database.ts'
import { loadSample, sampleFiles } from '../test/helpers/samples.ts'

const APPROVED = Number(process.env.APPROVED ?? 200)
const EXTRA_ENTRIES = Number(process.env.EXTRA_ENTRIES ?? 5000)
const RUNS = Number(process.env.RUNS ?? 30)
const f = (x: number) => x.toFixed(1)
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!

async function run(kind: TestDatabaseKind): Promise<void> {
  const t = await makeTestApp(kind)
  try {
    const token = await t.login('caizheng')
    const dept = await t.departmentId('105')
    const l2 = ['数量指标', '质量指标', '时效指标', '成本指标']
    const words = ['培训', '养护', '监测', '巡查', '补助', '设备', '课程', '服务', '检测', '维修']
    const extra = Array.from({ length: EXTRA_ENTRIES }, (_, i) => ({
      id: `G-${i}`, level1: '产出指标', level2: l2[i % 4]!, level3: `${words[i % 10]}${words[(i >> 3) % 10]}${i}${['完成率', '数量', '合格率', '及时率'][i % 4]}`,
      comparator: '≥', unit: '%', scope: 'specific' as const, functionalClasses: ['*'], departmentId: i % 3 === 0 ? dept : null,
    }))
    for (let i = 0; i < extra.length; i += 500) await t.database.db.insert(indicators).values(extra.slice(i, i + 500))
    const samples = sampleFiles().filter((s) => (loadSample(s) as { kind: string }).kind === 'project')
    for (let i = 0; i < APPROVED; i++) {
      const content = loadSample(samples[i % samples.length]!) as Record<string, any>
      content.indicators.forEach((r: Record<string, unknown>, k: number) => (r.id = `r${k}`))
      const res = await t.request('POST', '/api/tables', { token, body: { kind: 'project', template: content.template, year: content.year, departmentId: dept, content } })
      if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`)
      await t.storage.versions.freeze({ tableId: res.body.id, version: 1, round: 1, reason: 'approved', content: content as never, createdBy: null })
      await t.database.db.update(targetTables).set({ status: 'approved', version: 1 }).where(eq(targetTables.id, res.body.id))
    }
    const entries = await t.storage.library.count()

    const t0 = performance.now()
    const filled = await backfillUsages(t.storage)
    const backfillMs = performance.now() - t0
    const [someTable] = await t.database.db.select({ tableId: targetTables.id }).from(targetTables).where(eq(targetTables.status, 'approved')).limit(1)
    const relearn: number[] = []
    for (let i = 0; i < 10; i++) {
      const s = performance.now()
      await learnFromApproved(t.storage, someTable!.tableId)
      relearn.push(performance.now() - s)
    }
    const [top] = await t.database.db.select({ id: indicators.id, n: indicators.usageCount }).from(indicators).orderBy(desc(indicators.usageCount), indicators.id).limit(1)
    const usage: number[] = []
    let total = 0
    for (let i = 0; i < RUNS; i++) {
      const s = performance.now()
      const res = await t.request('GET', `/api/indicators/${top!.id}/usage?limit=50`, { token })
      if (res.status !== 200) throw new Error(`usage: ${res.status} ${JSON.stringify(res.body)}`)
      total = res.body.total
      usage.push(performance.now() - s)
    }
    console.log(
      `${kind}: ${entries} library entries, ${APPROVED} approved tables — backfill ${f(backfillMs)} ms (${f(backfillMs / APPROVED)} ms per table; ` +
        `${filled.learned} learned, ${filled.failed} failed), re-learn one table p50 ${f(pct(relearn, 0.5))} ms; ` +
        `usage of the most used entry (${top!.n} tables, ${total} uses) p50 ${f(pct(usage, 0.5))} ms, p95 ${f(pct(usage, 0.95))} ms`,
    )
  } finally {
    await t.dispose()
  }
}

await run('pglite')
if (TEST_DATABASE_URL) await run('postgres')
