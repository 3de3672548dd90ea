// A generated library workbook of N rows with planted bad rows (test/library/transfer-bulk.test.ts and
// bench/library-import.ts): every 1 000th block holds one row of each problem at fixed offsets, so the
// expected rejections are known by row number.
import { LIBRARY_COLUMNS, type LibraryRowProblem } from '../../shared/api/library-transfer.ts'
import { LABELS, writeRows, type CellInput } from './transfer-helpers.ts'

export interface PlantedLibrary {
  bytes: Uint8Array
  /** sheet row → the problem planted there */
  planted: Map<number, LibraryRowProblem>
  /** rows that should be created */
  valid: number
}

/** offsets within each block of 1 000 data rows, and the problem planted there */
const PLANTS: [number, LibraryRowProblem][] = [
  [101, 'required'], [202, 'unknown_class'], [303, 'duplicate_in_file'], [404, 'duplicate_in_library'], [505, 'formula'], [606, 'unknown_department'], [707, 'invalid_value'],
]
const CLASSES = ['205', '20502', '2050201', '208', '21001', '213']

/** `existing`: a library entry's levels (no department) to duplicate; `plant`: false for a clean file */
export async function plantedLibrary(rows: number, existing: { level1: string; level2: string; level3: string }, plant = true): Promise<PlantedLibrary> {
  const planted = new Map<number, LibraryRowProblem>()
  const byOffset = new Map(PLANTS)
  function* generate(): Generator<CellInput[]> {
    yield LABELS
    for (let i = 0; i < rows; i++) {
      const sheetRow = i + 2
      const v: Record<string, CellInput> = {
        level1: '产出指标', level2: i % 2 ? '质量指标' : '数量指标', level3: `生成指标${i}`, explanation: `第 ${i} 条生成的指标的解释`,
        comparator: '≥', typicalValue: String(i % 100), unit: '个', basis: '计划标准', dataSource: '统计报表',
        scope: i % 3 ? '个性指标' : '共性指标', functionalClasses: CLASSES[i % CLASSES.length]!, core: i % 50 === 0 ? '★' : '',
      }
      const problem = plant ? byOffset.get(i % 1000) : undefined
      if (problem) {
        planted.set(sheetRow, problem)
        if (problem === 'required') v.level2 = ''
        if (problem === 'unknown_class') v.functionalClasses = '205、20999'
        if (problem === 'duplicate_in_file') v.level3 = `生成指标${i - 1}`, v.level2 = (i - 1) % 2 ? '质量指标' : '数量指标'
        if (problem === 'duplicate_in_library') Object.assign(v, existing)
        if (problem === 'formula') v.typicalValue = { formula: 'H1*2' }
        if (problem === 'unknown_department') v.departmentId = '不存在的局'
        if (problem === 'invalid_value') v.comparator = '约等于'
      }
      yield LIBRARY_COLUMNS.map((c) => v[c.key] ?? '')
    }
  }
  const bytes = await writeRows(generate())
  return { bytes, planted, valid: rows - planted.size }
}
