// The ten reference samples: validateTable must report exactly their expectedFindings; the factories are clean.
import { describe, expect, it } from 'vitest'
import { parseTable, type TargetTable } from '../../shared/model/index.ts'
import { validateTable } from '../../shared/rules/index.ts'
import { loadSample, sampleFiles } from '../helpers/samples.ts'
import { makeDepartment, makeMultiYearProject, makeProject } from '../helpers/factories.ts'
import { blocking } from './helpers.ts'

interface Expected { ruleId: string; severity: string; where: string }

function load(file: string): { table: TargetTable; expected: Expected[] } {
  const raw = loadSample(file) as { expectedFindings: Expected[] }
  const parsed = parseTable(raw)
  if (!parsed.ok) throw new Error(`sample ${file} does not parse`)
  return { table: parsed.table, expected: raw.expectedFindings }
}

const key = (ruleId: string, path: string) => `${ruleId}@${path}`

describe('validateTable on the reference samples', () => {
  it('finds ten samples to check', () => {
    expect(sampleFiles()).toHaveLength(10)
  })

  it.each(sampleFiles())('reports exactly the expected findings of %s', (file) => {
    const { table, expected } = load(file)
    const found = validateTable(table).filter((f) => f.severity !== 'info')
    expect(found.map((f) => key(f.ruleId, f.path)).sort()).toEqual(expected.map((e) => key(e.ruleId, e.where)).sort())
    for (const e of expected) {
      const f = found.find((x) => x.ruleId === e.ruleId && x.path === e.where)!
      if (e.severity === 'error' || f.severity === 'error') expect(`${key(e.ruleId, e.where)} ${f.severity}`).toBe(`${key(e.ruleId, e.where)} ${e.severity}`)
    }
  })

  it('reports nothing at all above info for the clean 2021-framework sample S09', () => {
    expect(blocking(load('S09').table)).toEqual([])
  })

  it('gives every finding a Chinese message and, on rows, the row id', () => {
    for (const file of sampleFiles()) {
      const { table } = load(file)
      for (const f of validateTable(table)) {
        expect(f.message).toMatch(/[\u4e00-\u9fff]/)
        if (/^indicators\[\d+\]$/.test(f.path)) expect(f.rowId).toBe(table.indicators[Number(f.path.slice(11, -1))]!.id)
        if (/^tasks\[\d+\]$/.test(f.path) && table.kind === 'department') expect(f.rowId).toBe(table.tasks[Number(f.path.slice(6, -1))]!.id)
      }
    }
  })
})

describe('test factories', () => {
  it('makeProject() builds a table without errors or warnings', () => {
    expect(blocking(makeProject())).toEqual([])
  })

  it('makeMultiYearProject() builds a 3-year table without errors or warnings', () => {
    expect(blocking(makeMultiYearProject())).toEqual([])
  })

  it('makeDepartment() builds a table without errors or warnings', () => {
    expect(blocking(makeDepartment())).toEqual([])
  })
})
