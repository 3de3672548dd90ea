// Indicator library search (server/library/search.ts): a generated, realistic library of 100 000 entries
// (the 218 starter entries of shared/domain/library.json, each varied with department, industry and
// population words and a qualifier: 农村学校参训学员满意度（市级）…, with their explanations and
// formulas, classes, departments, ★ and usage counts), in-process build time and query p50/p95 over a mix
// of queries (words, multi-word, pinyin initials and full pinyin, synonyms, typos, filters with and
// without a query, one character, punctuation); then GET /api/indicators over HTTP at the seeded size
// (218 entries, PGlite). Targets: p95 ≤ 20 ms in-process, ≤ 50 ms over HTTP.
//   npx tsx bench/library-search.ts        (env: ENTRIES=100000, ROUNDS=20)
import { DEFAULT_SYNONYMS } from '../shared/api/library.ts'
import { buildIndex, type SearchableEntry, type SearchFilter } from '../server/library/search.ts'
import { loadLibraryFile } from '../server/storage/library.ts'
import { makeTestApp } from '../test/helpers/app.ts'

const ENTRIES = Number(process.env.ENTRIES ?? 100_000)
const ROUNDS = Number(process.env.ROUNDS ?? 20)

const PLACES = ['农村', '城市', '社区', '乡镇', '街道', '县域', '山区', '库区', '园区', '景区', '口岸', '港区']
const SUBJECTS = [
  '学校', '幼儿园', '医院', '卫生院', '养老机构', '中小企业', '合作社', '家庭农场', '图书馆', '文化站', '体育场馆', '公交线路',
  '河道', '水库', '林场', '污水处理厂', '垃圾中转站', '消防站', '派出所', '司法所', '残疾人', '老年人', '困难群众', '退役军人',
  '农民工', '高校毕业生', '留守儿童', '非遗传承人', '科技企业', '外贸企业', '旅游景点', '农贸市场', '食品企业', '药品零售企业',
  '危化品企业', '建筑工地', '雾炮车', '充电桩', '智慧路灯', '应急避难场所',
]
const QUALIFIERS = ['', '（市级）', '（区级）', '（年度）', '（新增）', '（累计）', '（重点）', '（试点）']

function generate(n: number): SearchableEntry[] {
  const seeds = loadLibraryFile()
  const out: SearchableEntry[] = []
  let k = 0
  outer: for (const q of QUALIFIERS) {
    for (const subject of SUBJECTS) {
      for (const place of PLACES) {
        for (const s of seeds) {
          if (out.length >= n) break outer
          const prefix = (k * 7) % 3 === 0 ? `${place}${subject}` : subject
          out.push({
            id: `G-${k}`,
            level1: s.level1,
            level2: s.level2,
            level3: `${prefix}${s.level3}${q}`,
            explanation: `${prefix}${s.explanation ?? ''}`,
            formula: s.formula ?? '',
            scope: k % 5 === 0 ? 'specific' : s.scope,
            functionalClasses: k % 4 === 0 ? ['*'] : [['205', '20502', '2050201', '210', '21004', '211', '21102', '212', '213', '2130101'][k % 10]!],
            departmentId: k % 3 === 0 ? null : `d-${k % 120}`,
            core: k % 17 === 0,
            usageCount: (k * 2654435761) % 997,
          })
          k++
        }
      }
    }
  }
  return out
}

const QUERIES: SearchFilter[] = [
  { q: '满意度' }, { q: '满意率' }, { q: '参训人数' }, { q: '培训人次' }, { q: '覆盖面' }, { q: 'myd' }, { q: 'pxrc' }, { q: 'manyidu' },
  { q: '学校 满意度' }, { q: '农村学校参训学员满意度' }, { q: '雾炮车' }, { q: '雾炮车作业时长' }, { q: '森林复盖率' }, { q: '满意肚' },
  { q: '会议场次' }, { q: '签到' }, { q: '资金' }, { q: '率' }, { q: '！！！' }, { q: '.*+?' },
  { q: '满意度', level1: '满意度指标', scope: 'common' }, { q: '覆盖率', functionalClass: '2050201' }, { q: '人次', departmentId: 'd-7', core: true },
  { level1: '产出指标', level2: '数量指标' }, { functionalClass: '21102' },
]

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!
}
const fmt = (x: number) => x.toFixed(2)

async function main() {
  let t0 = performance.now()
  const entries = generate(ENTRIES)
  const genMs = performance.now() - t0
  t0 = performance.now()
  const index = buildIndex(entries, { groups: DEFAULT_SYNONYMS })
  const buildMs = performance.now() - t0
  // a change rebuilds the index; the segmentation and pinyin of unchanged texts are reused
  entries[0] = { ...entries[0]!, level3: `${entries[0]!.level3}（修订）`, explanation: `${entries[0]!.explanation}，按新口径` }
  t0 = performance.now()
  buildIndex(entries, { groups: DEFAULT_SYNONYMS })
  const rebuildMs = performance.now() - t0
  const heapMb = process.memoryUsage().heapUsed / 1024 / 1024
  console.log(`library: ${entries.length} entries generated in ${fmt(genMs)} ms; index built in ${fmt(buildMs)} ms, rebuilt after one change in ${fmt(rebuildMs)} ms; heap ${heapMb.toFixed(0)} MB`)

  const PAGE = { offset: 0, limit: 50 } // as GET /api/indicators asks: the exact total, reasons for one page
  for (const q of QUERIES) index.search(q, PAGE) // warm
  const all: number[] = []
  const cpu: number[] = []
  const perQuery: { q: string; p95: number; hits: number }[] = []
  for (const q of QUERIES) {
    const times: number[] = []
    let hits = 0
    for (let i = 0; i < ROUNDS; i++) {
      const c = process.cpuUsage()
      const t = performance.now()
      hits = index.search(q, PAGE).total
      times.push(performance.now() - t)
      const u = process.cpuUsage(c)
      cpu.push((u.user + u.system) / 1000)
    }
    all.push(...times)
    perQuery.push({ q: JSON.stringify(q), p95: percentile(times, 95), hits })
  }
  perQuery.sort((a, b) => b.p95 - a.p95)
  const load = (await import('node:os')).loadavg()[0]!.toFixed(1)
  console.log(`in-process search over ${entries.length} entries, ${QUERIES.length} queries × ${ROUNDS}: wall p50 ${fmt(percentile(all, 50))} ms, p95 ${fmt(percentile(all, 95))} ms, max ${fmt(Math.max(...all))} ms; CPU p50 ${fmt(percentile(cpu, 50))} ms, p95 ${fmt(percentile(cpu, 95))} ms (target p95 ≤ 20 ms; load average ${load} on ${(await import('node:os')).cpus().length} cores)`)
  console.log('slowest queries (p95 ms, hits):')
  for (const r of perQuery.slice(0, 5)) console.log(`  ${fmt(r.p95)}  ${r.hits}  ${r.q}`)

  // over HTTP at the seeded size
  const t = await makeTestApp('pglite')
  try {
    const token = await t.login('jiaoyu')
    const paths = QUERIES.map((q) => '/api/indicators?' + new URLSearchParams(Object.entries(q).map(([k, v]) => [k, String(v)])).toString())
    for (const p of paths) await t.request('GET', p, { token })
    const times: number[] = []
    for (let i = 0; i < ROUNDS; i++) {
      for (const p of paths) {
        const s = performance.now()
        const r = await t.request('GET', p, { token })
        times.push(performance.now() - s)
        if (r.status !== 200) throw new Error(`${p}: ${r.status} ${JSON.stringify(r.body)}`)
      }
    }
    const entriesNow = await t.storage.library.count()
    console.log(`GET /api/indicators over HTTP (PGlite, ${entriesNow} entries, ${times.length} requests): p50 ${fmt(percentile(times, 50))} ms, p95 ${fmt(percentile(times, 95))} ms (target p95 ≤ 50 ms)`)
  } finally {
    await t.dispose()
  }
}

await main()
