import { describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '../..')
const samples = path.join(root, 'shared/domain/samples')

function run(...args: string[]) {
  const r = spawnSync('npm', ['run', '--silent', 'validate', '--', ...args], { cwd: root, encoding: 'utf8' })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('npm run validate', () => {
  it('prints findings as JSON per file and exits 1 when a table has errors', () => {
    const r = run(path.join(samples, 'S03-rural-tea-workshop-xianjie.json'), path.join(samples, 'S09-greening-maintenance-2021.json'), '--json')
    expect(r.code).toBe(1)
    const out = JSON.parse(r.stdout) as { file: string; findings: { ruleId: string; severity: string; path: string }[] }[]
    expect(out.map((x) => path.basename(x.file))).toEqual(['S03-rural-tea-workshop-xianjie.json', 'S09-greening-maintenance-2021.json'])
    expect(out[0]!.findings).toContainEqual(expect.objectContaining({ ruleId: 'R-FUND-SUM', severity: 'error', path: 'funds.annual' }))
    expect(out[1]!.findings.filter((f) => f.severity !== 'info')).toEqual([])
  })

  it('exits 0 for a clean table and prints Chinese text without --json', () => {
    const r = run(path.join(samples, 'S09-greening-maintenance-2021.json'))
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('未发现问题')
  })

  it('reports a file that is not a table, naming the path, and exits 1', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-validate-'))
    const bad = path.join(dir, 'bad.json')
    fs.writeFileSync(bad, JSON.stringify({ kind: 'project', indicators: 'none' }))
    const r = run(bad, '--json')
    expect(r.code).toBe(1)
    const out = JSON.parse(r.stdout)
    expect(out[0].problems[0]).toMatchObject({ path: 'indicators', code: 'type' })
    fs.rmSync(dir, { recursive: true })
  })
})

describe('npm run validate with xlsx', () => {
  it('judges every table of a workbook, naming its sheet, and refuses an old Office file in Chinese', () => {
    const r = run(path.join(root, 'test/fixtures/import/form-several.xlsx'), '--json')
    const out = JSON.parse(r.stdout) as { file: string; tables: { title: string; sheet: string; findings: { ruleId: string; severity: string }[] }[] }[]
    expect(out[0]!.tables.length).toBeGreaterThanOrEqual(2)
    for (const t of out[0]!.tables) {
      expect(t.sheet).toBeTruthy()
      expect(Array.isArray(t.findings)).toBe(true)
    }
    expect(r.code).toBe(out[0]!.tables.some((t) => t.findings.some((f) => f.severity === 'error')) ? 1 : 0)

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-validate-'))
    const xls = path.join(dir, 'old.xls')
    fs.writeFileSync(xls, Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(2048)]))
    const bad = run(xls)
    expect(bad.code).toBe(1)
    expect(bad.stdout).toMatch(/不是 Excel 工作簿（\.xlsx）/)
    fs.rmSync(dir, { recursive: true })
  })
})
