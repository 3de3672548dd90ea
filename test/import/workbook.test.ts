// readWorkbook: an uploaded file → SheetGrids. Cell values of every kind as a reader sees them, merges
// and hidden rows/columns/sheets, and every bad input refused before ExcelJS reads it, with its reason
// and a Chinese message.
import { randomBytes } from 'node:crypto'
import { constants, crc32, deflateRawSync } from 'node:zlib'
import ExcelJS from 'exceljs'
import JSZip from 'jszip'
import { describe, expect, it } from 'vitest'
import { AppError } from '../../shared/errors.ts'
import { MAX_IMPORT_BYTES, MAX_IMPORT_CELLS, MAX_IMPORT_UNCOMPRESSED_BYTES } from '../../shared/api/imports.ts'
import { readWorkbook } from '../../server/import/workbook.ts'
import type { SheetGrid } from '../../server/import/grid.ts'

// ---- builders -----------------------------------------------------------------------

async function xlsx(build: (wb: ExcelJS.Workbook) => void): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook()
  build(wb)
  return new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer)
}

/** Rewrites parts of a workbook (as text) through JSZip. */
async function editParts(data: Uint8Array, edit: Record<string, (xml: string) => string>): Promise<Uint8Array> {
  const zip = await JSZip.loadAsync(data)
  for (const [name, fn] of Object.entries(edit)) zip.file(name, fn(await zip.file(name)!.async('string')))
  return new Uint8Array(await zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' }))
}

interface RawEntry { name: string; data: Buffer; method: 0 | 8; crc?: number; declaredSize: number }

/** A zip written by hand, so an entry can carry any compressed bytes and declare any size. */
function rawZip(entries: RawEntry[]): Uint8Array {
  const chunks: Buffer[] = []
  const central: Buffer[] = []
  let offset = 0
  for (const e of entries) {
    const name = Buffer.from(e.name)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(e.method, 8)
    local.writeUInt32LE(e.crc ?? 0, 14)
    local.writeUInt32LE(e.data.length, 18)
    local.writeUInt32LE(e.declaredSize, 22)
    local.writeUInt16LE(name.length, 26)
    const cd = Buffer.alloc(46)
    cd.writeUInt32LE(0x02014b50, 0)
    cd.writeUInt16LE(20, 4)
    cd.writeUInt16LE(20, 6)
    cd.writeUInt16LE(e.method, 10)
    cd.writeUInt32LE(e.crc ?? 0, 16)
    cd.writeUInt32LE(e.data.length, 20)
    cd.writeUInt32LE(e.declaredSize, 24)
    cd.writeUInt16LE(name.length, 28)
    cd.writeUInt32LE(offset, 42)
    chunks.push(local, name, e.data)
    central.push(cd, name)
    offset += 30 + name.length + e.data.length
  }
  const size = central.reduce((n, c) => n + c.length, 0)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(size, 12)
  end.writeUInt32LE(offset, 16)
  return new Uint8Array(Buffer.concat([...chunks, ...central, end]))
}

/** The parts of a workbook re-deflated into a hand-written zip, `replace` swapping one entry. */
async function rezip(data: Uint8Array, replace: Record<string, Omit<RawEntry, 'name'>>): Promise<Uint8Array> {
  const zip = await JSZip.loadAsync(data)
  const entries: RawEntry[] = []
  for (const name of Object.keys(zip.files)) {
    if (zip.files[name]!.dir) continue
    const r = replace[name]
    if (r) { entries.push({ name, ...r }); continue }
    const content = Buffer.from(await zip.file(name)!.async('uint8array'))
    entries.push({ name, data: deflateRawSync(content), method: 8, crc: crc32(content), declaredSize: content.length })
  }
  return rawZip(entries)
}

/** An entry deflated as Excel would write it. */
function deflated(content: string | Buffer): Omit<RawEntry, 'name'> {
  const b = typeof content === 'string' ? Buffer.from(content) : content
  return { data: deflateRawSync(b), method: 8, crc: crc32(b), declaredSize: b.length }
}

/**
 * A workbook of `rows` × `cols` written straight as sheet XML and a shared string table (ExcelJS takes
 * seconds to write 240 000 cells; the reader is what is measured here).
 */
async function bigWorkbook(rows: number, cols: number): Promise<Uint8Array> {
  const skeleton = await xlsx((wb) => { wb.addWorksheet('大表').getCell('A1').value = '占位' })
  const strings: string[] = []
  const body: string[] = []
  for (let r = 1; r <= rows; r++) {
    const cells: string[] = []
    for (let c = 0; c < cols; c++) {
      const ref = String.fromCharCode(65 + c) + r
      if (c % 3 === 0) cells.push(`<c r="${ref}"><v>${r * 1.5}</v></c>`)
      else {
        strings.push(c % 3 === 1 ? `项目${r}-${c}` : '≥95%')
        cells.push(`<c r="${ref}" t="s"><v>${strings.length - 1}</v></c>`)
      }
    }
    body.push(`<row r="${r}">${cells.join('')}</row>`)
  }
  const ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
  return rezip(skeleton, {
    'xl/worksheets/sheet1.xml': deflated(`<?xml version="1.0" encoding="UTF-8"?><worksheet ${ns}><sheetData>${body.join('')}</sheetData></worksheet>`),
    'xl/sharedStrings.xml': deflated(`<?xml version="1.0" encoding="UTF-8"?><sst ${ns} count="${strings.length}" uniqueCount="${strings.length}">${strings.map((t) => `<si><t>${t}</t></si>`).join('')}</sst>`),
  })
}

/**
 * Raw deflate data inflating to `megabytes` MB of spaces: one fully flushed 1 MB block (about 1 KB)
 * repeated, then an empty final block — built without ever holding the inflated bytes.
 */
function deflateBomb(megabytes: number): Buffer {
  const block = deflateRawSync(Buffer.alloc(1 << 20, 0x20), { finishFlush: constants.Z_FULL_FLUSH })
  return Buffer.concat([...Array.from({ length: megabytes }, () => block), Buffer.from([0x03, 0x00])])
}

/**
 * A minimal compound file (OLE2/CFB, version 3, 512-byte sectors): FAT in sector 0, the directory in
 * sector 1, each stream (≥ 4096 bytes, so outside the mini stream) in consecutive sectors after.
 */
function compoundFile(streams: { name: string; size: number }[]): Uint8Array {
  const SECTOR = 512
  const ENDOFCHAIN = 0xfffffffe
  const FREESECT = 0xffffffff
  const header = Buffer.alloc(SECTOR)
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(header, 0)
  header.writeUInt16LE(0x003e, 0x18)
  header.writeUInt16LE(3, 0x1a)
  header.writeUInt16LE(0xfffe, 0x1c)
  header.writeUInt16LE(9, 0x1e)
  header.writeUInt16LE(6, 0x20)
  header.writeUInt32LE(1, 0x2c) // FAT sectors
  header.writeUInt32LE(1, 0x30) // first directory sector
  header.writeUInt32LE(4096, 0x38)
  header.writeUInt32LE(ENDOFCHAIN, 0x3c)
  header.writeUInt32LE(ENDOFCHAIN, 0x44)
  header.writeUInt32LE(0, 0x4c) // DIFAT[0]: the FAT is sector 0
  for (let i = 1; i < 109; i++) header.writeUInt32LE(FREESECT, 0x4c + i * 4)
  const fat = Buffer.alloc(SECTOR, 0xff)
  fat.writeUInt32LE(0xfffffffd, 0) // FATSECT
  fat.writeUInt32LE(ENDOFCHAIN, 4) // directory
  const dir = Buffer.alloc(SECTOR)
  const entry = (i: number, name: string, type: number, start: number, size: number, child: number, right: number) => {
    const at = i * 128
    dir.fill(0, at, at + 128)
    const n = Buffer.from(`${name}\0`, 'utf16le')
    n.copy(dir, at)
    dir.writeUInt16LE(n.length, at + 64)
    dir[at + 66] = type
    dir[at + 67] = 1 // black
    dir.writeUInt32LE(FREESECT, at + 68) // left
    dir.writeUInt32LE(right, at + 72)
    dir.writeUInt32LE(child, at + 76)
    dir.writeUInt32LE(start, at + 116)
    dir.writeUInt32LE(size, at + 120)
  }
  entry(0, 'Root Entry', 5, ENDOFCHAIN, 0, streams.length ? 1 : FREESECT, FREESECT)
  const data: Buffer[] = []
  let sector = 2
  streams.forEach((s, i) => {
    const sectors = Math.ceil(s.size / SECTOR)
    for (let k = 0; k < sectors; k++) fat.writeUInt32LE(k === sectors - 1 ? ENDOFCHAIN : sector + k + 1, (sector + k) * 4)
    entry(i + 1, s.name, 2, sector, s.size, FREESECT, i + 2 <= streams.length ? i + 2 : FREESECT)
    data.push(randomBytes(sectors * SECTOR))
    sector += sectors
  })
  return new Uint8Array(Buffer.concat([header, fat, dir, ...data]))
}

async function refusal(p: Promise<unknown>): Promise<{ reason: string; message: string }> {
  const e = await p.then(() => undefined, (err: unknown) => err)
  expect(e).toBeInstanceOf(AppError)
  const err = e as AppError
  expect(err.code).toBe('invalid_input')
  expect(err.message).toMatch(/[\u4e00-\u9fff]/)
  const details = err.details as { field: string; reason: string }
  expect(details.field).toBe('file')
  return { reason: details.reason, message: err.message }
}

/** CPU time (all threads of this process): steadier than wall time on a machine shared by many test runs. */
async function timed<T>(f: () => Promise<T>): Promise<{ result: T; cpuMs: number }> {
  const start = process.cpuUsage()
  const result = await f()
  const used = process.cpuUsage(start)
  return { result, cpuMs: (used.user + used.system) / 1000 }
}

const texts = (g: SheetGrid) => g.rows.map((r) => r.map((c) => c.text))

// ---- values -------------------------------------------------------------------------

describe('readWorkbook: cell values', () => {
  it('reads strings, rich text, hyperlinks, booleans and numbers in plain notation', async () => {
    const data = await xlsx((wb) => {
      const ws = wb.addWorksheet('值')
      ws.getCell('A1').value = '  项目名称 \n'
      ws.getCell('B1').value = { richText: [{ text: '产出' }, { text: '指标', font: { bold: true } }] }
      ws.getCell('C1').value = { text: '政策文件', hyperlink: 'https://example.org/a' }
      ws.getCell('D1').value = true
      ws.getCell('E1').value = false
      ws.getCell('A2').value = 1234567.891
      ws.getCell('A2').numFmt = '#,##0.00'
      ws.getCell('B2').value = 1e21
      ws.getCell('C2').value = 0.0000001
      ws.getCell('D2').value = 0.1 + 0.2
      ws.getCell('E2').value = -42.5
      ws.getCell('F2').value = 123456789012345678
      ws.getCell('A3').value = '   '
      ws.getCell('B3').value = '0012'
      ws.getCell('C3').value = 7 // a code typed as a number, shown zero-padded
      ws.getCell('C3').numFmt = '000'
      ws.getCell('D3').value = 2080101
      ws.getCell('D3').numFmt = '0'
    })
    const { sheets, problems } = await readWorkbook(data)
    expect(problems).toEqual([])
    const g = sheets[0]!
    expect(g.name).toBe('值')
    expect(g.rows[0]!.map((c) => [c.text, c.value])).toEqual([
      ['项目名称', '  项目名称 \n'],
      ['产出指标', '产出指标'],
      ['政策文件', '政策文件'],
      ['TRUE', true],
      ['FALSE', false],
      ['', null],
    ])
    expect(g.rows[1]!.map((c) => [c.text, c.value])).toEqual([
      ['1234567.891', 1234567.891],
      ['1000000000000000000000', 1e21],
      ['0.0000001', 0.0000001],
      ['0.3', 0.3],
      ['-42.5', -42.5],
      ['123456789012346000', 123456789012346000],
    ])
    expect(g.rows[2]!.slice(0, 4).map((c) => [c.text, c.value])).toEqual([['', null], ['0012', '0012'], ['007', 7], ['2080101', 2080101]])
    expect(g.columnCount).toBe(6)
    expect(g.rows.every((r) => r.length === 6)).toBe(true)
    expect(g.rows[1]![5]!.ref).toBe('F2')
  })

  it('shows percent formats as the percent shown, keeping the number as value', async () => {
    const data = await xlsx((wb) => {
      const ws = wb.addWorksheet('百分比')
      const put = (ref: string, v: number, fmt: string) => { ws.getCell(ref).value = v; ws.getCell(ref).numFmt = fmt }
      put('A1', 0.95, '0%')
      put('B1', 0.955, '0.0%')
      put('C1', 0.12345, '0.00%')
      put('D1', 0.955, '0%')
      put('E1', 1, '0%')
      put('F1', -0.05, '0.0%')
      put('G1', 0.07, '0%;[Red]-0%')
    })
    const g = (await readWorkbook(data)).sheets[0]!
    expect(g.rows[0]!.map((c) => [c.text, c.value])).toEqual([
      ['95%', 0.95],
      ['95.5%', 0.955],
      ['12.35%', 0.12345],
      ['96%', 0.955],
      ['100%', 1],
      ['-5.0%', -0.05],
      ['7%', 0.07],
    ])
  })

  it('reads dates and date serials as YYYY-MM-DD (YYYY-MM when the format shows no day), times alone as H:mm', async () => {
    const data = await xlsx((wb) => {
      const ws = wb.addWorksheet('日期')
      ws.getCell('A1').value = new Date(Date.UTC(2024, 2, 15))
      ws.getCell('B1').value = 45366 // a serial in a date format
      ws.getCell('B1').numFmt = 'yyyy-mm-dd'
      ws.getCell('C1').value = 45366
      ws.getCell('C1').numFmt = 'yyyy"年"m"月"'
      ws.getCell('D1').value = 45366.5
      ws.getCell('D1').numFmt = 'yyyy/m/d h:mm'
      ws.getCell('E1').value = 0.75
      ws.getCell('E1').numFmt = 'h:mm'
      ws.getCell('F1').value = 45366 // a plain number stays a number
    })
    const g = (await readWorkbook(data)).sheets[0]!
    expect(g.rows[0]!.map((c) => [c.text, c.value, c.date ?? false])).toEqual([
      ['2024-03-15', '2024-03-15', true],
      ['2024-03-15', '2024-03-15', true],
      ['2024-03', '2024-03', true],
      ['2024-03-15', '2024-03-15', true],
      ['18:00', '18:00', false],
      ['45366', 45366, false],
    ])
  })

  it('reads a serial in a zh-CN built-in date format (numFmtId 31, no format code in the file) as a date', async () => {
    const base = await xlsx((wb) => {
      const ws = wb.addWorksheet('日期')
      ws.getCell('A1').value = 45366
      ws.getCell('A1').numFmt = 'yyyy"年"m"月"d"日"'
    })
    // Excel writes built-in locale formats by id only
    const data = await editParts(base, {
      'xl/styles.xml': (xml) =>
        xml.replace(/<numFmt numFmtId="(\d+)" formatCode="[^"]*"\/>/, '').replace(/numFmtId="1\d\d"/g, 'numFmtId="31"'),
    })
    const g = (await readWorkbook(data)).sheets[0]!
    expect(g.rows[0]![0]).toMatchObject({ text: '2024-03-15', date: true, ref: 'A1' })
  })

  it('reads formulas by their cached result and reports formulas without one and errors, naming the cell', async () => {
    const data = await xlsx((wb) => {
      const ws = wb.addWorksheet('公式')
      ws.getCell('A1').value = 2
      ws.getCell('B1').value = { formula: 'A1*21', result: 42 }
      ws.getCell('C1').value = { formula: 'A1&"项"', result: '2项' }
      ws.getCell('D1').value = { formula: 'A1*2' } as ExcelJS.CellFormulaValue
      ws.getCell('E1').value = { formula: '#REF!*2', result: { error: '#REF!' } } as ExcelJS.CellFormulaValue
      ws.getCell('F1').value = { error: '#N/A' } as ExcelJS.CellErrorValue
      ws.getCell('G1').value = { formula: 'A1/4', result: 0.5 }
      ws.getCell('G1').numFmt = '0%'
      ws.getCell('H1').value = { formula: 'DATE(2024,3,15)', result: new Date(Date.UTC(2024, 2, 15)) }
      ws.getCell('A2').value = { formula: 'A1+1', result: 3 }
      ws.getCell('B2').value = { sharedFormula: 'A2', result: 4 } as unknown as ExcelJS.CellValue
    })
    const { sheets, problems } = await readWorkbook(data)
    const g = sheets[0]!
    expect(g.rows[0]!.map((c) => ({ text: c.text, value: c.value, formula: c.formula ?? false, error: c.error }))).toEqual([
      { text: '2', value: 2, formula: false, error: undefined },
      { text: '42', value: 42, formula: true, error: undefined },
      { text: '2项', value: '2项', formula: true, error: undefined },
      { text: '', value: null, formula: true, error: undefined },
      { text: '', value: null, formula: true, error: '#REF!' },
      { text: '', value: null, formula: false, error: '#N/A' },
      { text: '50%', value: 0.5, formula: true, error: undefined },
      { text: '2024-03-15', value: '2024-03-15', formula: true, error: undefined },
    ])
    expect(g.rows[1]!.slice(0, 2).map((c) => [c.text, c.formula])).toEqual([['3', true], ['4', true]])
    expect(problems.map((p) => [p.code, p.severity, p.cell])).toEqual([
      ['formula_no_value', 'warning', 'D1'],
      ['formula_error', 'warning', 'E1'],
      ['formula_error', 'warning', 'F1'],
    ])
    expect(problems[1]!.message).toContain('E1')
    expect(problems[1]!.message).toContain('#REF!')
    expect(problems[0]!.message).toMatch(/公式没有保存计算结果/)
  })

  it('decodes OOXML _xHHHH_ escapes and keeps line breaks inside a cell', async () => {
    const data = await xlsx((wb) => {
      wb.addWorksheet('转义').getCell('A1').value = '第一行\n第二行'
    })
    const edited = await editParts(data, { 'xl/sharedStrings.xml': (xml) => xml.replace('第一行', '第一行_x000D_') })
    const g = (await readWorkbook(edited)).sheets[0]!
    expect(g.rows[0]![0]!.text).toBe('第一行\n第二行')
  })
})

// ---- layout -------------------------------------------------------------------------

describe('readWorkbook: merges, hidden rows, columns and sheets', () => {
  it('maps merges to grid coordinates and points covered cells at their top-left', async () => {
    const data = await xlsx((wb) => {
      const ws = wb.addWorksheet('合并')
      ws.getCell('A1').value = '项目支出绩效目标申报表'
      ws.mergeCells('A1:D1')
      ws.getCell('A2').value = '产出指标'
      ws.mergeCells('A2:A4')
      ws.getCell('B2').value = '数量指标'
      ws.getCell('B3').value = '质量指标'
      ws.getCell('B4').value = '时效指标'
      ws.getCell('D4').value = 'x'
    })
    const g = (await readWorkbook(data)).sheets[0]!
    expect(g.merges).toEqual([
      { startRow: 0, endRow: 0, startColumn: 0, endColumn: 3 },
      { startRow: 1, endRow: 3, startColumn: 0, endColumn: 0 },
    ])
    expect(g.rows[0]![3]).toEqual({ text: '', value: null, ref: 'D1', master: { row: 0, col: 0 } })
    expect(g.rows[3]![0]).toEqual({ text: '', value: null, ref: 'A4', master: { row: 1, col: 0 } })
    expect(g.rows[1]![0]!.master).toBeUndefined()
  })

  it('removes hidden rows and columns, lists them, reports them once, and keeps original refs', async () => {
    const data = await xlsx((wb) => {
      const ws = wb.addWorksheet('隐藏行列')
      for (let r = 1; r <= 6; r++) for (let c = 1; c <= 4; c++) ws.getCell(r, c).value = `${r}-${c}`
      ws.getRow(2).hidden = true
      ws.getRow(5).hidden = true
      ws.getColumn(2).hidden = true
    })
    const { sheets, problems } = await readWorkbook(data)
    const g = sheets[0]!
    expect(texts(g)).toEqual([
      ['1-1', '1-3', '1-4'],
      ['3-1', '3-3', '3-4'],
      ['4-1', '4-3', '4-4'],
      ['6-1', '6-3', '6-4'],
    ])
    expect(g.rows[3]!.map((c) => c.ref)).toEqual(['A6', 'C6', 'D6'])
    expect(g.hidden).toEqual({ rows: ['2', '5'], columns: ['B'] })
    expect(problems).toEqual([
      { sheet: '隐藏行列', code: 'hidden_skipped', severity: 'info', message: '工作表“隐藏行列”隐藏的第 2、5 行和 B 列未导入' },
    ])
  })

  it('clips a merge crossing a hidden row and shows a hidden top-left in the first visible cell', async () => {
    const data = await xlsx((wb) => {
      const ws = wb.addWorksheet('跨隐藏')
      ws.getCell('A1').value = '一级指标'
      ws.getCell('B1').value = '二级指标'
      ws.getCell('A2').value = '产出指标'
      ws.mergeCells('A2:A5')
      ws.getRow(3).hidden = true
      for (let r = 2; r <= 5; r++) ws.getCell(r, 2).value = `二级${r}`
      ws.getCell('A6').value = '效益指标' // its top-left row is hidden
      ws.mergeCells('A6:A8')
      ws.getRow(6).hidden = true
      for (let r = 6; r <= 8; r++) ws.getCell(r, 2).value = `二级${r}`
      ws.getCell('C9').value = '整行隐藏的合并'
      ws.mergeCells('C9:D9')
      ws.getRow(9).hidden = true
    })
    const { sheets } = await readWorkbook(data)
    const g = sheets[0]!
    expect(texts(g)).toEqual([
      ['一级指标', '二级指标'],
      ['产出指标', '二级2'],
      ['', '二级4'],
      ['', '二级5'],
      ['效益指标', '二级7'],
      ['', '二级8'],
    ])
    expect(g.merges).toEqual([
      { startRow: 1, endRow: 3, startColumn: 0, endColumn: 0 },
      { startRow: 4, endRow: 5, startColumn: 0, endColumn: 0 },
    ])
    expect(g.rows[4]![0]).toMatchObject({ text: '效益指标', ref: 'A6' })
    expect(g.rows[5]![0]!.master).toEqual({ row: 4, col: 0 })
    expect(g.hidden.rows).toEqual(['3', '6', '9'])
  })

  it('survives overlapping and sheet-sized merges: the first of two overlapping merges wins, with a warning', async () => {
    const base = await xlsx((wb) => {
      const ws = wb.addWorksheet('怪合并')
      ws.getCell('A1').value = '甲'
      ws.getCell('B2').value = '乙'
      ws.getCell('C3').value = '丙'
    })
    const data = await editParts(base, {
      'xl/worksheets/sheet1.xml': (xml) =>
        xml.replace(
          '</sheetData>',
          '</sheetData><mergeCells count="3"><mergeCell ref="A1:B2"/><mergeCell ref="B2:C3"/><mergeCell ref="A5:XFD1048576"/></mergeCells>',
        ),
    })
    const { result: { sheets, problems }, cpuMs } = await timed(() => readWorkbook(data))
    expect(cpuMs).toBeLessThan(2000)
    const g = sheets[0]!
    expect(g.merges).toEqual([{ startRow: 0, endRow: 1, startColumn: 0, endColumn: 1 }])
    expect(texts(g)).toEqual([['甲', '', ''], ['', '', ''], ['', '', '丙']])
    expect(problems.map((p) => [p.code, p.cell])).toEqual([
      ['merged_cell_content', 'B2'],
      ['merge_overlap', 'B2'],
    ])
  })

  it('skips hidden and very hidden sheets with an info problem and keeps the order of the others', async () => {
    const data = await xlsx((wb) => {
      wb.addWorksheet('封面').getCell('A1').value = '封面'
      const h = wb.addWorksheet('辅助')
      h.getCell('A1').value = 'x'
      h.state = 'hidden'
      const v = wb.addWorksheet('代码表')
      v.getCell('A1').value = 'y'
      v.state = 'veryHidden'
      wb.addWorksheet('表2').getCell('B2').value = '第二张'
      wb.addWorksheet('空表')
    })
    const { sheets, problems } = await readWorkbook(data)
    expect(sheets.map((s) => s.name)).toEqual(['封面', '表2', '空表'])
    expect(texts(sheets[1]!)).toEqual([['', ''], ['', '第二张']])
    expect(sheets[2]).toEqual({ name: '空表', rows: [], columnCount: 0, merges: [], hidden: { rows: [], columns: [] } })
    expect(problems.map((p) => [p.code, p.sheet, p.severity])).toEqual([
      ['hidden_sheet', '辅助', 'info'],
      ['hidden_sheet', '代码表', 'info'],
    ])
  })

  it('trims trailing empty rows and columns (styled blanks included) but keeps leading and inner blanks', async () => {
    const data = await xlsx((wb) => {
      const ws = wb.addWorksheet('修剪')
      ws.getCell('B2').value = '内容'
      ws.getCell('D4').value = '末'
      ws.getCell('H20').border = { top: { style: 'thin' } }
      ws.getCell('G3').value = '   '
    })
    const g = (await readWorkbook(data)).sheets[0]!
    expect(g.rows).toHaveLength(4)
    expect(g.columnCount).toBe(4)
    expect(g.rows[1]![1]!.text).toBe('内容')
    expect(g.rows[3]![3]).toEqual({ text: '末', value: '末', ref: 'D4' })
  })

  it('reads a file named .xls that is really an xlsx (bytes decide, not the name)', async () => {
    const data = await xlsx((wb) => { wb.addWorksheet('表').getCell('A1').value = '内容' })
    const { sheets } = await readWorkbook(data, { fileName: '2024年绩效目标.xls' })
    expect(sheets[0]!.rows[0]![0]!.text).toBe('内容')
  })
})

// ---- what other writers produce ----------------------------------------------------

describe('readWorkbook: files from other writers', () => {
  it('follows the workbook relations to oddly named parts and reads prefixed XML (OpenXML SDK style)', async () => {
    const base = await xlsx((wb) => {
      const ws = wb.addWorksheet('A&B<表>')
      ws.getCell('A1').value = '指标名称'
      ws.getCell('B1').value = 42
      ws.getCell('A2').value = '指标值'
    })
    const zip = await JSZip.loadAsync(base)
    const move = async (from: string, to: string, edit: (xml: string) => string = (x) => x) => {
      const xml = await zip.file(from)!.async('string')
      zip.remove(from)
      zip.file(to, edit(xml))
    }
    const prefix = (root: string) => (xml: string) =>
      xml.replace(/<(\/?)(?!\?)([A-Za-z])/g, '<$1x:$2').replace(`<x:${root} xmlns=`, `<x:${root} xmlns:x=`)
    await move('xl/worksheets/sheet1.xml', 'xl/worksheets/data.xml', prefix('worksheet'))
    await move('xl/sharedStrings.xml', 'xl/SharedStrings.xml', prefix('sst'))
    const rels = await zip.file('xl/_rels/workbook.xml.rels')!.async('string')
    zip.file('xl/_rels/workbook.xml.rels', rels.replace('worksheets/sheet1.xml', '/xl/worksheets/data.xml').replace('sharedStrings.xml', 'SharedStrings.xml'))
    const data = await zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' })
    expect(await zip.file('xl/worksheets/data.xml')!.async('string')).toContain('<x:sheetData>')
    const { sheets, problems } = await readWorkbook(data)
    expect(problems).toEqual([])
    expect(sheets.map((g) => [g.name, texts(g)])).toEqual([['A&B<表>', [['指标名称', '42'], ['指标值', '']]]])
  })

  it('skips a chart sheet and a sheet whose part is missing, saying so', async () => {
    const base = await xlsx((wb) => { wb.addWorksheet('数据').getCell('A1').value = '有' })
    const data = await editParts(base, {
      'xl/workbook.xml': (xml) => xml.replace('</sheets>', '<sheet name="图表1" sheetId="8" r:id="rId98"/><sheet name="丢失" sheetId="9" r:id="rId99"/></sheets>'),
      'xl/_rels/workbook.xml.rels': (xml) =>
        xml.replace(
          '</Relationships>',
          '<Relationship Id="rId98" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet" Target="chartsheets/sheet1.xml"/>' +
            '<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet9.xml"/></Relationships>',
        ),
    })
    const { sheets, problems } = await readWorkbook(data)
    expect(sheets.map((g) => g.name)).toEqual(['数据'])
    expect(problems.map((p) => [p.code, p.sheet, p.severity])).toEqual([
      ['unsupported_sheet', '图表1', 'info'],
      ['missing_sheet', '丢失', 'warning'],
    ])
  })

  it('reads a zip whose part names use backslashes (some Windows tools write them)', async () => {
    const base = await xlsx((wb) => { wb.addWorksheet('表').getCell('A1').value = '反斜杠' })
    const zip = await JSZip.loadAsync(base)
    const entries: RawEntry[] = []
    for (const name of Object.keys(zip.files)) {
      if (zip.files[name]!.dir) continue
      entries.push({ name: name.replace(/\//g, '\\'), ...deflated(Buffer.from(await zip.file(name)!.async('uint8array'))) })
    }
    const { sheets } = await readWorkbook(rawZip(entries))
    expect(texts(sheets[0]!)).toEqual([['反斜杠']])
  })

  it('reads a formula whose result is the empty string as a blank, without a warning', async () => {
    const base = await xlsx((wb) => {
      const ws = wb.addWorksheet('空结果')
      ws.getCell('A1').value = { formula: 'IF(1,"","x")', result: '' }
      ws.getCell('B1').value = '后'
    })
    // how Excel writes it
    const data = await editParts(base, {
      'xl/worksheets/sheet1.xml': (xml) => xml.replace(/<c r="A1"[^>]*>[\s\S]*?<\/c>/, '<c r="A1" t="str"><f>IF(1,"","x")</f><v></v></c>'),
    })
    const { sheets, problems } = await readWorkbook(data)
    expect(problems).toEqual([])
    expect(sheets[0]!.rows[0]![0]).toEqual({ text: '', value: null, ref: 'A1', formula: true })
  })

  it('is not slowed or broken by what ExcelJS would expand cell by cell or trip over', async () => {
    const base = await xlsx((wb) => {
      const ws = wb.addWorksheet('全表')
      ws.getCell('A1').value = '项目名称'
      ws.getCell('B1').value = '金额'
    })
    const data = await editParts(base, {
      'xl/worksheets/sheet1.xml': (xml) =>
        xml.replace(
          '</sheetData>',
          '</sheetData><dataValidations count="1"><dataValidation type="list" allowBlank="1" sqref="A1:XFD1048576"><formula1>"是,否"</formula1></dataValidation></dataValidations>' +
            '<hyperlinks><hyperlink ref="A1" r:id="rId99"/></hyperlinks><drawing r:id="rId98"/>',
        ),
      'xl/workbook.xml': (xml) =>
        xml.replace('</sheets>', '</sheets><definedNames><definedName name="_xlnm.Print_Area" localSheetId="0">\'全表\'!$A$1:$XFD$1048576</definedName><definedName name="全部">\'全表\'!$A:$XFD</definedName></definedNames>'),
    })
    const { result: { sheets }, cpuMs } = await timed(() => readWorkbook(data))
    expect(cpuMs).toBeLessThan(2000)
    expect(texts(sheets[0]!)).toEqual([['项目名称', '金额']])
  })

  it('sums up formula errors past the first fifty instead of listing thousands', async () => {
    const data = await xlsx((wb) => {
      const ws = wb.addWorksheet('错误')
      for (let r = 1; r <= 60; r++) ws.getCell(r, 1).value = { formula: '1/0', result: { error: '#DIV/0!' } } as ExcelJS.CellFormulaValue
    })
    const { problems } = await readWorkbook(data)
    expect(problems).toHaveLength(51)
    expect(problems[49]!.cell).toBe('A50')
    expect(problems[50]).toMatchObject({ code: 'formula_error', message: '工作表“错误”另有 10 个单元格是错误值，按空白读取' })
  })
})

// ---- size -------------------------------------------------------------------------

describe('readWorkbook: size', () => {
  it('reads a 60-row form in well under 100 ms', async () => {
    const data = await xlsx((wb) => {
      const ws = wb.addWorksheet('表')
      for (let r = 1; r <= 60; r++) ws.addRow([`一级${r}`, `二级${r}`, `三级指标${r}`, '≥', r * 1.5, '%', '备注'])
    })
    await readWorkbook(data) // warm up
    const { result, cpuMs } = await timed(() => readWorkbook(data))
    expect(result.sheets[0]!.rows).toHaveLength(60)
    expect(cpuMs).toBeLessThan(100)
  })

  it('reads a 20 000-row × 12-column sheet', async () => {
    const data = await bigWorkbook(20_000, 12)
    const { result, cpuMs } = await timed(() => readWorkbook(data))
    const g = result.sheets[0]!
    expect(g.rows).toHaveLength(20_000)
    expect(g.columnCount).toBe(12)
    expect(g.rows[19_999]!.map((c) => c.text).slice(0, 3)).toEqual(['30000', '项目20000-1', '≥95%'])
    expect(g.rows[19_999]![0]!.ref).toBe('A20000')
    // about 1.5 s of CPU here; the bound leaves room for a shared, busy machine
    expect(cpuMs).toBeLessThan(6000)
  })
})

// ---- bad input ---------------------------------------------------------------------

describe('readWorkbook: bad input', () => {
  it('refuses an empty file', async () => {
    expect((await refusal(readWorkbook(new Uint8Array(0)))).reason).toBe('empty')
  })

  it('refuses a file over MAX_IMPORT_BYTES without reading it', async () => {
    const r = await refusal(readWorkbook(new Uint8Array(MAX_IMPORT_BYTES + 1), { fileName: '大.xlsx' }))
    expect(r.reason).toBe('too_large')
    expect(r.message).toContain('大.xlsx')
  })

  it('refuses random bytes named .xlsx', async () => {
    const bytes = randomBytes(4096)
    bytes[0] = 0x42
    const r = await refusal(readWorkbook(bytes, { fileName: '指标.xlsx' }))
    expect(r).toEqual({ reason: 'not_xlsx', message: expect.stringContaining('不是 Excel 工作簿（.xlsx）') })
  })

  it('refuses an HTML table saved as .xls with a hint to save as xlsx', async () => {
    const r = await refusal(readWorkbook(Buffer.from('<html><body><table><tr><td>1</td></tr></table></body></html>'), { fileName: '导出.xls' }))
    expect(r.reason).toBe('not_xlsx')
    expect(r.message).toMatch(/网页或 XML.*另存为/)
  })

  it('refuses a zip that is not a workbook', async () => {
    const zip = new JSZip()
    zip.file('readme.txt', '不是工作簿')
    const data = await zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' })
    const r = await refusal(readWorkbook(data))
    expect(r.reason).toBe('not_workbook')
    expect(r.message).toContain('没有 Excel 工作簿')
  })

  it('refuses a Word document with what it is', async () => {
    const zip = new JSZip()
    zip.file('[Content_Types].xml', '<Types/>')
    zip.file('word/document.xml', '<w:document/>')
    const r = await refusal(readWorkbook(await zip.generateAsync({ type: 'uint8array' })))
    expect(r).toEqual({ reason: 'not_workbook', message: expect.stringContaining('Word 文档') })
  })

  it('refuses an old .xls (a compound file with a Workbook stream) asking to save it as .xlsx', async () => {
    const data = compoundFile([{ name: 'Workbook', size: 8192 }, { name: '\u0005SummaryInformation', size: 4096 }])
    const r = await refusal(readWorkbook(data, { fileName: '旧表.xls' }))
    expect(r.reason).toBe('xls')
    expect(r.message).toContain('这是旧版 Excel（.xls）文件，请在 Excel/WPS 中“另存为” .xlsx 后再导入')
  })

  it('refuses a password-protected workbook (EncryptionInfo + EncryptedPackage)', async () => {
    const data = compoundFile([{ name: 'EncryptionInfo', size: 4096 }, { name: 'EncryptedPackage', size: 16384 }])
    const r = await refusal(readWorkbook(data, { fileName: '加密.xlsx' }))
    expect(r.reason).toBe('encrypted')
    expect(r.message).toContain('工作簿设有打开密码，请取消密码后再导入')
  })

  it('refuses a corrupt zip: truncated, or a part whose bytes were damaged', async () => {
    const good = await xlsx((wb) => { wb.addWorksheet('表').getCell('A1').value = '内容'.repeat(200) })
    expect((await refusal(readWorkbook(good.subarray(0, Math.floor(good.length / 2))))).reason).toBe('corrupt')
    const data = await rezip(good, {})
    const damaged = Buffer.from(data)
    const at = damaged.indexOf(Buffer.from('xl/sharedStrings.xml')) + 'xl/sharedStrings.xml'.length + 4
    damaged[at] = damaged[at]! ^ 0xff
    const r = await refusal(readWorkbook(damaged))
    expect(r.reason).toBe('corrupt')
    expect(r.message).toContain('已损坏')
  })

  it('refuses a zip bomb whose declared size is honest, before inflating it', async () => {
    const good = await xlsx((wb) => { wb.addWorksheet('表').getCell('A1').value = 1 })
    const mb = Math.ceil(MAX_IMPORT_UNCOMPRESSED_BYTES / (1 << 20)) + 1
    const bomb = deflateBomb(mb)
    expect(bomb.length).toBeLessThan(MAX_IMPORT_BYTES / 20)
    const data = await rezip(good, { 'xl/worksheets/sheet1.xml': { data: bomb, method: 8, declaredSize: mb << 20 } })
    const r = await refusal(readWorkbook(data))
    expect(r.reason).toBe('too_large_uncompressed')
    expect(r.message).toMatch(/解压后超过/)
    // refused on the declared size alone: a stream cut short (corrupt if inflated) gets the same answer
    const cut = await rezip(good, { 'xl/worksheets/sheet1.xml': { data: bomb.subarray(0, 4096), method: 8, declaredSize: mb << 20 } })
    expect((await refusal(readWorkbook(cut))).reason).toBe('too_large_uncompressed')
  })

  it('refuses a zip bomb that lies about its size, on the bytes really inflated', async () => {
    const good = await xlsx((wb) => { wb.addWorksheet('表').getCell('A1').value = 1 })
    const mb = Math.ceil(MAX_IMPORT_UNCOMPRESSED_BYTES / (1 << 20)) + 1
    const data = await rezip(good, { 'xl/worksheets/sheet1.xml': { data: deflateBomb(mb), method: 8, declaredSize: 2048 } })
    const r = await refusal(readWorkbook(data))
    expect(r.reason).toBe('too_large_uncompressed')
  })

  it('refuses more than MAX_IMPORT_CELLS cells, counted before ExcelJS builds anything', async () => {
    const good = await xlsx((wb) => { wb.addWorksheet('表').getCell('A1').value = 1 })
    const cell = '<c><v>1</v></c>'
    const cells = Buffer.alloc(cell.length * (MAX_IMPORT_CELLS + 1), cell)
    const xml = Buffer.concat([
      Buffer.from('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'),
      cells,
      Buffer.from('</row></sheetData></worksheet>'),
    ])
    const data = await rezip(good, { 'xl/worksheets/sheet1.xml': deflated(xml) })
    const { result: r, cpuMs } = await timed(() => refusal(readWorkbook(data)))
    expect(r.reason).toBe('too_many_cells')
    expect(r.message).toContain('单元格过多')
    expect(cpuMs).toBeLessThan(5000)
  })

  it('refuses a sheet whose content is sparse but spans too many cells (A1 and XFD300)', async () => {
    const data = await xlsx((wb) => {
      const ws = wb.addWorksheet('稀疏')
      ws.getCell('A1').value = '左上'
      ws.getCell('XFD300').value = '右下'
    })
    const r = await refusal(readWorkbook(data))
    expect(r.reason).toBe('too_many_cells')
    expect(r.message).toContain('稀疏')
  })
})
