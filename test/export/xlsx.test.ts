// xlsx of one table, every template, read back with ExcelJS: title and 年度, 金额单位, labels, every
// indicator's 三级 name and value on one row, the layout's merges, A4 print setup, amounts as numbers,
// the draft stamp, and the editions (public: no names, phones or signature rows).
import ExcelJS from 'exceljs'
import { describe, expect, it } from 'vitest'
import { parseTableOrThrow, TEMPLATE_IDS, type IndicatorRow, type TargetTable, type TemplateId } from '../../shared/model/index.ts'
import { exportDoc, type ExportSource } from '../../server/export/document.ts'
import { safeSheetName, tableXlsx } from '../../server/export/xlsx.ts'
import { loadSample } from '../helpers/samples.ts'

/** one sample of each template */
const SAMPLE_OF: Record<TemplateId, string> = {
  'mof2015-project': 'S01',
  'mof2015-dept': 'S06',
  'mof2021-core': 'S09',
  'local-simple': 'S03',
  'yth-flat': 'S10',
}

const PERSON = { preparer: '王小明', phone: '13800138000', unitLeader: '李主任', fillDate: '2024年1月5日', reviewOpinion: '同意申报' }

function signedSample(template: TemplateId): TargetTable {
  const t = parseTableOrThrow(loadSample(SAMPLE_OF[template])) as TargetTable & { header: Record<string, unknown> }
  return { ...t, header: { ...t.header, ...PERSON } } as TargetTable
}

function source(table: TargetTable, over: Partial<ExportSource> = {}): ExportSource {
  return {
    tableId: 't1', table, title: '测试表', departmentName: '教育局', status: 'draft', version: null, edition: 'internal', ...over,
  }
}

async function readBack(buf: Buffer): Promise<ExcelJS.Worksheet> {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(buf as unknown as ArrayBuffer)
  expect(wb.worksheets).toHaveLength(1)
  return wb.worksheets[0]!
}

function text(ws: ExcelJS.Worksheet, r: number, c: number): string {
  const v = ws.getCell(r, c).value
  return v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v)
}

function allTexts(ws: ExcelJS.Worksheet): string[] {
  const out: string[] = []
  ws.eachRow((row) => row.eachCell((cell) => { if (!cell.isMerged || cell.master === cell) out.push(String(cell.value ?? '')) }))
  return out
}

const colName = (c: number) => { let s = ''; for (let n = c; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s; return s }

describe.each(TEMPLATE_IDS)('xlsx of one table: %s', (template) => {
  const table = signedSample(template)
  const doc = exportDoc(source(table))
  const L = doc.layout

  it('keeps the title with 年度, 金额单位, the labels and the layout’s merges', async () => {
    expect(L.templateId).toBe(template)
    const ws = await readBack(await tableXlsx(doc))
    const head = [1, 2, 3].map((r) => text(ws, r, 1)).join(' ')
    expect(head).toContain(`${table.year}年度`)
    expect(head).toContain('草稿')
    expect(allTexts(ws).some((v) => /^金额单位：(万元|元)$/.test(v))).toBe(true)
    const texts = allTexts(ws)
    for (const label of ['一级指标', '二级指标', '三级指标']) expect(texts).toContain(label)
    expect(texts).toContain(template === 'mof2015-dept' ? '部门（单位）名称' : '项目名称')
    // merges exactly as the layout (一级/二级 groups among them)
    const expected = L.merges.map((m) => `${colName(m.startColumn + 1)}${m.startRow + 1}:${colName(m.endColumn + 1)}${m.endRow + 1}`).sort()
    expect([...(ws.model.merges as string[])].sort()).toEqual(expected)
    // 一级/二级 merged over their rows; yth-flat has one row per indicator and merges the project's cells down
    const kind = template === 'yth-flat' ? 'field' : 'group'
    const groups = L.merges.filter((m) => L.cells[m.startRow]![m.startColumn]!.target.kind === kind && m.endRow > m.startRow)
    expect(groups.length).toBeGreaterThan(0)
    for (const m of groups) {
      const top = ws.getCell(m.startRow + 1, m.startColumn + 1)
      const bottom = ws.getCell(m.endRow + 1, m.endColumn + 1)
      expect(bottom.isMerged).toBe(true)
      expect(bottom.master.address).toBe(top.address)
      const want = L.cells[m.startRow]![m.startColumn]!.v
      expect(typeof top.value === 'number' ? Number(want) : want).toBe(top.value)
    }
    // thin borders, the font, column widths and row heights
    const label = ws.getCell(L.indicatorHeaderRow + 1, L.columnCount)
    expect(label.border?.top?.style).toBe('thin')
    expect(label.font?.name).toBe('宋体')
    expect(label.font?.bold).toBe(true)
    for (let c = 1; c <= L.columnCount; c++) expect(ws.getColumn(c).width).toBeGreaterThan(5)
    expect(ws.getRow(1).height).toBe(30)
  })

  it('prints every indicator’s 三级 name and its value on the same row', async () => {
    const ws = await readBack(await tableXlsx(doc))
    const rows = (table.indicators ?? []) as IndicatorRow[]
    const shown = template === 'mof2015-project' ? rows : rows.filter((r) => (r.period ?? 'annual') === 'annual')
    expect(shown.length).toBeGreaterThan(5)
    for (const row of shown) {
      const name = L.paths.get(`indicators#${row.id}.level3`)![0]!
      const value = L.paths.get(`indicators#${row.id}.target`)![0]!
      expect(value.row).toBe(name.row)
      expect(text(ws, name.row + 1, name.col + 1)).toBe(row.level3)
      const want = L.cells[value.row]![value.col]!.v
      expect(want).not.toBe('')
      expect(text(ws, value.row + 1, value.col + 1)).toBe(want)
      if (template === 'mof2021-core' || template === 'yth-flat') expect(want).toBe(String(row.target))
    }
  })

  it('sets up A4 printing: orientation, one page wide, heading rows repeated, margins, page numbers', async () => {
    const ws = await readBack(await tableXlsx(doc))
    expect(ws.pageSetup.paperSize).toBe(9)
    expect(ws.pageSetup.orientation).toBe(template === 'mof2015-dept' || template === 'local-simple' ? 'portrait' : 'landscape')
    expect(ws.pageSetup.orientation).toBe(doc.orientation)
    expect(ws.pageSetup.fitToPage).toBe(true)
    expect(ws.pageSetup.fitToWidth).toBe(1)
    expect(ws.pageSetup.fitToHeight).toBe(0)
    expect(ws.pageSetup.margins?.left).toBe(0.5)
    const [first, last] = ws.pageSetup.printTitlesRow!.split(':').map(Number)
    expect(first).toBe(L.indicatorHeaderRow + 1)
    expect(last).toBe(template === 'mof2015-project' ? first! + 1 : first) // 中期/年度 over their columns' headings
    expect(texts(ws, last!)).toContain('三级指标')
    expect(ws.headerFooter.oddFooter).toContain('&P / &N')
    expect(ws.headerFooter.oddFooter).toContain('教育局')
  })

  it('writes amounts as numbers with the template’s decimals, other cells as typed text', async () => {
    const ws = await readBack(await tableXlsx(doc))
    const path = template === 'mof2015-dept' ? 'taskTotals.total' : 'funds.annual.total'
    const pos = L.paths.get(path)![0]!
    const cell = ws.getCell(pos.row + 1, pos.col + 1)
    expect(typeof cell.value).toBe('number')
    expect(cell.value).toBe(Number(L.cells[pos.row]![pos.col]!.v))
    expect(cell.numFmt).toBe('0.00')
    // an indicator value like ≥95% stays text, so does a weight or a code
    const rows = (table.indicators ?? []) as IndicatorRow[]
    const p = L.paths.get(`indicators#${rows[0]!.id}.target`)![0]!
    expect(typeof ws.getCell(p.row + 1, p.col + 1).value).toBe('string')
  })

  it('the internal edition prints the signature block; the public one has no names, phones or signature rows', async () => {
    const internal = allTexts(await readBack(await tableXlsx(doc)))
    for (const v of ['填报人', '联系电话', '单位负责人', '填报日期', PERSON.preparer, PERSON.phone, PERSON.unitLeader, PERSON.reviewOpinion]) {
      expect(internal).toContain(v)
    }
    const pub = exportDoc(source(table, { edition: 'public' }))
    const ws = await readBack(await tableXlsx(pub))
    const texts = allTexts(ws)
    for (const v of ['填报人', '单位负责人', '填报日期', PERSON.preparer, PERSON.phone, PERSON.unitLeader]) expect(texts).not.toContain(v)
    expect(texts.join('\n')).not.toContain(PERSON.phone)
    expect(ws.rowCount).toBeLessThan((await readBack(await tableXlsx(doc))).rowCount)
  })
})

function texts(ws: ExcelJS.Worksheet, r: number): string[] {
  const out: string[] = []
  ws.getRow(r).eachCell((c) => out.push(String(c.value ?? '')))
  return out
}

describe('xlsx of one table: stamps and names', () => {
  it('an approved version names its version and approval date, not 草稿', async () => {
    const table = signedSample('mof2015-project')
    const doc = exportDoc(source(table, { status: 'approved', version: 2, versionReason: 'approved', versionAt: new Date(2026, 10, 20) }))
    const ws = await readBack(await tableXlsx(doc))
    const head = [1, 2, 3].flatMap((r) => texts(ws, r))
    expect(head).toContain('第 2 版（2026年11月20日审核通过）')
    expect(head.join(' ')).not.toContain('草稿')
    expect(head.join(' ')).toContain('2024年度')
  })

  it('keeps a sheet name within 31 characters, without []:*?/\\, unique case-insensitively', () => {
    const taken = new Set<string>()
    const long = '教育局-' + '很长的项目名称'.repeat(8)
    const a = safeSheetName(long, taken)
    const b = safeSheetName(long, taken)
    const c = safeSheetName('a/b[c]:d*e?f\\g', taken)
    expect(a.length).toBeLessThanOrEqual(31)
    expect(b.length).toBeLessThanOrEqual(31)
    expect(b).not.toBe(a)
    expect(b.endsWith('(2)')).toBe(true)
    expect(c).not.toMatch(/[[\]:*?/\\]/)
    expect(safeSheetName('SHEET', taken)).toBe('SHEET')
    expect(safeSheetName('sheet', taken)).toBe('sheet(2)')
    expect(safeSheetName("'引号'表", taken)).toBe('’引号’表')
    expect(safeSheetName('', taken)).toBe('表')
    expect(safeSheetName('😀'.repeat(20), taken).length).toBeLessThanOrEqual(31)
  })

  it('writes a sheet named from the table, an amount beyond a double’s precision as text', async () => {
    const table = signedSample('local-simple') as TargetTable & { funds: { annual: { total: unknown } } }
    const big = { ...table, funds: { ...table.funds, annual: { ...table.funds.annual, total: '12345678901234567.89' } } } as TargetTable
    const doc = exportDoc(source(big, { title: '农村/茶叶[作坊]' }))
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load((await tableXlsx(doc)) as unknown as ArrayBuffer)
    expect(wb.worksheets[0]!.name).toBe('教育局-农村 茶叶 作坊')
    const pos = doc.layout.paths.get('funds.annual.total')![0]!
    expect(wb.worksheets[0]!.getCell(pos.row + 1, pos.col + 1).value).toBe('12345678901234567.89')
  })
})
