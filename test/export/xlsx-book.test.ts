// The compiled book as xlsx (createXlsxBookWriter), read back with ExcelJS: the 目录 sheet first even
// though it is written last, one sheet per table in plan order with unique names of at most 31
// characters, every contents link landing on an existing sheet, a skipped table listed as 未能生成, the
// file only at its path once finished, nothing left after an abort.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import ExcelJS from 'exceljs'
import { afterAll, describe, expect, it } from 'vitest'
import { parseTableOrThrow, type IndicatorRow, type TargetTable } from '../../shared/model/index.ts'
import type { BookPlan } from '../../server/export/book.ts'
import { createXlsxBookWriter } from '../../server/export/book-xlsx.ts'
import { exportDoc } from '../../server/export/document.ts'
import { loadSample } from '../helpers/samples.ts'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-book-xlsx-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const SAMPLES = ['S01', 'S06', 'S09', 'S03', 'S10', 'S02', 'S07']
const LONG = '关于某某街道老旧小区综合整治提升工程及配套基础设施建设项目'

function entries() {
  return SAMPLES.map((id, i) => ({
    tableId: `t${i}`,
    departmentId: i < 4 ? 'd1' : 'd2',
    departmentName: i < 4 ? '教育局' : '住房和城乡建设局',
    // two identical long titles (truncated to the same 31 characters) and a title with []:*?/\
    title: i === 5 || i === 6 ? LONG : i === 2 ? "绿化/养护[2021]:核心*指标?'s" : `${id} 样表`,
  }))
}

function plan(): BookPlan {
  return { title: '2024年度预算绩效目标表汇编', year: 2024, edition: 'internal', entries: entries(), compiledAt: new Date(2024, 11, 1) }
}

function doc(i: number) {
  const e = entries()[i]!
  const table = parseTableOrThrow(loadSample(SAMPLES[i]!)) as TargetTable
  return exportDoc({ tableId: e.tableId, table, title: e.title, departmentName: e.departmentName, status: 'approved', version: 1, versionReason: 'approved', versionAt: new Date(2024, 10, 20), edition: 'internal' })
}

/** `HYPERLINK("#'name'!A1","name")` → name */
function linkTarget(v: ExcelJS.CellValue): string {
  const f = (v as ExcelJS.CellFormulaValue).formula
  const m = /^HYPERLINK\("#'((?:[^']|'')+)'!A1",/.exec(f)
  expect(m, f).not.toBeNull()
  return m![1]!.replace(/''/g, "'")
}

describe('the compiled book as xlsx', () => {
  it('puts the contents first, one sheet per table in plan order, links to every sheet, the skipped one listed', async () => {
    const file = path.join(dir, 'book.xlsx')
    const writer = await createXlsxBookWriter(file, plan())
    for (let i = 0; i < SAMPLES.length; i++) {
      if (i === 3) writer.skip('t3', '版本读取失败')
      else await writer.add(doc(i))
    }
    expect(fs.existsSync(file)).toBe(false) // only the .part until finished
    expect(fs.existsSync(`${file}.part`)).toBe(true)
    const { bytes } = await writer.finish()
    expect(fs.existsSync(`${file}.part`)).toBe(false)
    expect(bytes).toBe(fs.statSync(file).size)

    const wb = new ExcelJS.Workbook()
    await wb.xlsx.readFile(file)
    const sheets = wb.worksheets
    expect(sheets[0]!.name).toBe('目录')
    expect(sheets).toHaveLength(1 + SAMPLES.length - 1)
    const names = sheets.map((s) => s.name)
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length)
    for (const n of names) {
      expect(n.length).toBeLessThanOrEqual(31)
      expect(n).not.toMatch(/[[\]:*?/\\']/)
    }
    // print titles name their sheet in a form Excel accepts (no unescaped apostrophe)
    for (const s of sheets) expect(s.pageSetup.printTitlesRow).toMatch(/^\d+:\d+$/)

    const contents = sheets[0]!
    expect(contents.getCell(1, 1).value).toBe('2024年度预算绩效目标表汇编')
    expect(String(contents.getCell(2, 1).value)).toContain('内部版')
    expect([1, 2, 3, 4].map((c) => contents.getCell(3, c).value)).toEqual(['序号', '部门', '表名', '工作表'])
    const es = entries()
    const linked: string[] = []
    es.forEach((e, i) => {
      const row = contents.getRow(4 + i)
      expect(row.getCell(1).value).toBe(i + 1)
      expect(row.getCell(2).value).toBe(e.departmentName)
      expect(row.getCell(3).value).toBe(e.title)
      if (i === 3) {
        expect(row.getCell(4).value).toBe('未能生成：版本读取失败')
        return
      }
      const target = linkTarget(row.getCell(4).value)
      const sheet = wb.getWorksheet(target)
      expect(sheet, target).toBeDefined()
      linked.push(target)
      // the sheet holds that table: its title row and its first indicator's 三级 name
      const table = parseTableOrThrow(loadSample(SAMPLES[i]!)) as TargetTable
      const level3 = ((table.indicators ?? []) as IndicatorRow[])[0]!.level3
      const texts: string[] = []
      sheet!.eachRow((r) => r.eachCell((c) => texts.push(String(c.value ?? ''))))
      expect(texts).toContain(level3)
      expect(texts.join('')).toContain('第 1 版（2024年11月20日审核通过）')
    })
    // table sheets in plan order, right after the contents
    expect(names.slice(1)).toEqual(linked)
    expect(linked[4]).not.toBe(linked[5]) // the two identical long titles got distinct names
    // every table sheet is set up for A4 printing; the contents' heading repeats
    for (const s of sheets.slice(1)) expect(s.pageSetup.paperSize).toBe(9)
    expect(contents.pageSetup.printTitlesRow).toBe('3:3')
  })

  it('leaves no file after an abort', async () => {
    const file = path.join(dir, 'aborted.xlsx')
    const writer = await createXlsxBookWriter(file, plan())
    await writer.add(doc(0))
    await writer.add(doc(1))
    await writer.abort()
    expect(fs.existsSync(file)).toBe(false)
    expect(fs.existsSync(`${file}.part`)).toBe(false)
    await expect(writer.add(doc(2))).rejects.toThrow()
  })

  it('refuses a table that is not in the plan', async () => {
    const file = path.join(dir, 'stranger.xlsx')
    const writer = await createXlsxBookWriter(file, plan())
    await expect(writer.add({ ...doc(0), tableId: 'nope' })).rejects.toThrow(/不在汇编计划中/)
    await writer.abort()
    expect(fs.existsSync(`${file}.part`)).toBe(false)
  })
})

describe('the compiled book as xlsx: a table that fails', () => {
  it('is listed as 未能生成 with the reason the caller gives, and the book goes on', async () => {
    const file = path.join(dir, 'failing.xlsx')
    const writer = await createXlsxBookWriter(file, plan())
    await writer.add(doc(0))
    // a layout that cannot be written (two merges over the same cells) fails while its sheet is written;
    // the half sheet is committed so the zip goes on, and the contents lists the table as not made
    const bad = doc(1)
    const broken = { ...bad, layout: { ...bad.layout, merges: [...bad.layout.merges, bad.layout.merges[0]!] } }
    await expect(writer.add(broken)).rejects.toThrow()
    writer.skip('t1', '表格无法写入')
    for (let i = 2; i < SAMPLES.length; i++) await writer.add(doc(i))
    await writer.finish()
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.readFile(file)
    const contents = wb.worksheets[0]!
    expect(contents.name).toBe('目录')
    expect(contents.getRow(5).getCell(4).value).toBe('未能生成：表格无法写入')
    expect(wb.getWorksheet(linkTarget(contents.getRow(6).getCell(4).value))).toBeDefined()
  })
})
