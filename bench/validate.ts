// Benchmark of the rule engine: validateTable on realistic 60- and 300-indicator tables.
// Run with `npx tsx bench/validate.ts` (or `npm run bench`); prints mean/p50/p99 µs per validation.
import { parseTableOrThrow, type TargetTable } from '../shared/model/index.ts'
import { validateTable } from '../shared/rules/index.ts'

type Row = { period: 'annual' | 'midTerm'; level1: string; level2: string; level3: string; comparator: string; target: string; unit: string; valueKind: string }

const r = (period: Row['period'], level1: string, level2: string, level3: string, comparator: string, target: string, unit: string): Row =>
  ({ period, level1, level2, level3, comparator, target, unit, valueKind: comparator === '定性' ? 'qualitative' : 'quantitative' })

/** One period's rows: the mix seen in real tables (counts, rates, dates, costs, a few qualitative and defective rows). */
function periodRows(period: Row['period'], n: number, scale: number): Row[] {
  const rows: Row[] = []
  const year = period === 'annual' ? 2024 : 2026
  const templates: ((i: number) => Row)[] = [
    (i) => r(period, '产出指标', '数量指标', `第${i}批次农户技术培训人次`, '≥', String(1200 * scale + i), '人次'),
    (i) => r(period, '产出指标', '数量指标', `示范基地${i}建设面积`, '≥', String(50 + i), '亩'),
    (i) => r(period, '产出指标', '质量指标', `培训考核合格率${i > 20 ? '（复训）' : ''}`, '≥', '90', '%'),
    (i) => r(period, '产出指标', '时效指标', `第${i}期培训完成时间`, '≤', `${year}-${String((i % 11) + 1).padStart(2, '0')}-28`, '日期'),
    (i) => r(period, '产出指标', '成本指标', `第${i}期人均培训成本`, '≤', '1000', '元/人次'),
    (i) => r(period, '效益指标', '经济效益指标', `参训农户${i}户均增收`, '≥', String(800 + i), '元/户'),
    (i) => r(period, '效益指标', '社会效益指标', `技术掌握率${i}`, '≥', '85', '%'),
    (i) => r(period, '效益指标', '可持续影响指标', `长效机制${i}建立`, '定性', i % 5 ? '是' : '进一步完善', ''),
    (i) => r(period, '满意度指标', '服务对象满意度指标', `参训农户满意度${i}`, i % 7 ? '≥' : '=', i % 7 ? '90' : '100', '%'),
    (i) => r(period, '产出指标', '数量指标', `培训资料${i}印制`, '≥', i % 9 ? String(2000 + i) : '≥**', '册'),
  ]
  for (let i = 0; i < n; i++) rows.push(templates[i % templates.length]!(i))
  return rows
}

function project(indicators: number): TargetTable {
  const half = indicators / 2
  return parseTableOrThrow({
    kind: 'project',
    template: 'mof2015-project',
    framework: 'mof2015',
    year: 2024,
    moneyUnit: '万元',
    header: {
      projectName: '2024—2026年农村实用技术培训',
      competentDept: { code: '121', name: '南江市农业农村局' },
      implementingUnit: { name: '南江市农业技术推广中心' },
      projectAttribute: '延续',
      projectCategory: '特定目标类',
      oneOff: false,
      projectPeriod: { start: '2024-01', end: '2026-12', years: 3 },
    },
    funds: { midTerm: { total: 3600, fiscal: 3000, other: 600 }, annual: { total: 1200, fiscal: 1000, other: 200 } },
    midTermGoal: '目标1：2024—2026年举办农村实用技术培训班120期，培训基层农户36000人次。目标2：参训农户技术掌握率达到85%以上，满意度不低于90%。',
    annualGoal: '目标1：2024年举办农村实用技术培训班40期，培训基层农户12000人次，人均培训成本不超过1000元。目标2：技术掌握率达到85%以上。',
    indicators: [...periodRows('annual', half, 1), ...periodRows('midTerm', half, 3)],
  })
}

function measure(label: string, table: TargetTable, iterations: number): void {
  for (let i = 0; i < Math.min(2000, iterations); i++) validateTable(table)
  const times = new Float64Array(iterations)
  let findings = 0
  // CPU time of the whole batch as well as wall time per run: on a shared, loaded machine the wall-clock
  // tail is mostly other processes' time slices, the CPU mean is what validation itself costs.
  const cpu0 = process.cpuUsage()
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint()
    findings = validateTable(table).length
    times[i] = Number(process.hrtime.bigint() - t0) / 1000
  }
  const cpu = process.cpuUsage(cpu0)
  times.sort()
  const mean = times.reduce((a, b) => a + b, 0) / iterations
  const pct = (p: number) => times[Math.min(iterations - 1, Math.floor(p * iterations))]!
  console.log(`${label.padEnd(16)} ${String(findings).padStart(3)} findings  `
    + `mean ${mean.toFixed(1)} µs  p50 ${pct(0.5).toFixed(1)} µs  p99 ${pct(0.99).toFixed(1)} µs  `
    + `cpu mean ${((cpu.user + cpu.system) / iterations).toFixed(1)} µs  (${iterations} runs)`)
}

console.log(`validateTable — node ${process.version}`)
measure('60 indicators', project(60), 20_000)
measure('300 indicators', project(300), 4_000)
