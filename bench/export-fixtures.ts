// What the export benchmarks (export-xlsx.ts, export-pdf.ts) share: a percentile, a sample table grown
// to N indicators, and the export source of an approved table.
import { parseTableOrThrow, type TargetTable } from '../shared/model/index.ts'
import type { ExportSource } from '../server/export/document.ts'
import { loadSample } from '../test/helpers/samples.ts'

export function pct(times: number[], p: number): number {
  const s = [...times].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(s.length * p))]!
}

/** S01 (mof2015-project: 中期 and 年度 halves, landscape) grown to `count` indicators */
export function tableWith(count: number): TargetTable {
  const t = parseTableOrThrow(loadSample('S01'))
  const rows = t.indicators
  const more = Array.from({ length: Math.max(0, count - rows.length) }, (_, i) => ({ ...rows[i % rows.length]!, id: `bench-${i}`, level3: `${rows[i % rows.length]!.level3}（${i + 1}）` }))
  return { ...t, indicators: [...rows, ...more] } as TargetTable
}

/** an approved table's version 1, internal edition */
export function source(table: TargetTable, i: number, departmentName: string, title: string): ExportSource {
  return {
    tableId: `t${i}`, table, title, departmentName, status: 'approved', version: 1, versionReason: 'approved',
    versionAt: new Date(2026, 10, 20), edition: 'internal',
  }
}
