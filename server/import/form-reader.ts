// What the header readers (project-form.ts, department-form.ts) share: finding labels in a row and the
// value cells beside or under them, reading a cell as text / amount / code+name / 项目期 with every change
// reported (cell + field path), and remembering which cells were placed so that the rest can be kept
// in `unplaced` — nothing read is ever dropped silently.
import { parseAmountInput, parseCodeName, parsePeriod, type CodeName, type ProjectPeriod } from '../../shared/layout/codecs.ts'
import type { Amount } from '../../shared/model/index.ts'
import type { GridCell, SheetGrid } from './grid.ts'
import type { ReportBuilder } from './report.ts'
import { distinctCells, inlineLabel, matchLabel, mergeEndRow, posKey, type LabelDef, type MoneyUnit } from './form-labels.ts'

export interface Pos { row: number; col: number }

/** One label found in a row, with the cells that hold its value. */
export interface LabelEntry {
  def: LabelDef
  row: number
  col: number
  /** last column of the label cell (merged) */
  end: number
  /** last row of the label cell (merged down) */
  endRow: number
  cell: GridCell
  /** the value typed in the label's own cell after a colon (`年度资金总额：1260`) */
  inline?: string
  /** distinct cells right of the label up to the next label (may be empty cells) */
  values: { col: number; end: number; cell: GridCell }[]
}

export const UNRECOGNISED = '未能识别：不属于表样的任何栏目，原文保留'

export class FormReader {
  /** top-left positions of cells placed (labels, values, furniture) */
  readonly used = new Set<string>()

  constructor(
    readonly grid: SheetGrid,
    readonly report: ReportBuilder,
    readonly moneyUnit: MoneyUnit,
  ) {}

  use(row: number, col: number): void {
    this.used.add(posKey(row, col))
  }

  isUsed(row: number, col: number): boolean {
    return this.used.has(posKey(row, col))
  }

  cell(row: number, col: number): GridCell | undefined {
    return this.grid.rows[row]?.[col]
  }

  /** Is this text a label of `defs` (on its own or with an inline value)? */
  isLabel(text: string, defs: readonly LabelDef[]): boolean {
    return !!matchLabel(text, defs) || !!inlineLabel(text, defs)
  }

  /** The labels of a row, left to right, each with its value cells (up to the next label). */
  scanRow(row: number, defs: readonly LabelDef[], from = 0): LabelEntry[] {
    const cells = distinctCells(this.grid, row, from)
    const entries: LabelEntry[] = []
    let current: LabelEntry | undefined
    for (const c of cells) {
      if (this.isUsed(row, c.col)) { current = undefined; continue }
      const text = c.cell.text
      const direct = text ? matchLabel(text, defs) : undefined
      const inline = !direct && text ? inlineLabel(text, defs) : undefined
      if (direct || inline) {
        current = {
          def: (direct ?? inline!.def), row, col: c.col, end: c.end, endRow: mergeEndRow(this.grid, row, c.col), cell: c.cell, values: [],
          ...(inline ? { inline: inline.value } : {}),
        }
        entries.push(current)
        continue
      }
      current?.values.push(c)
    }
    return entries
  }

  /**
   * The cell under a label (goals: `年度目标` over the goal text): the top-left cell of the row below the
   * label's merge, at the label's first column, when that row is one of `rows` and the cell is no label.
   */
  below(entry: LabelEntry, rows: ReadonlySet<number>, defs: readonly LabelDef[]): { row: number; col: number; cell: GridCell } | undefined {
    const r = entry.endRow + 1
    if (!rows.has(r)) return undefined
    const cell = this.cell(r, entry.col)
    if (!cell || cell.master) return undefined
    if (this.isUsed(r, entry.col) || (cell.text && this.isLabel(cell.text, defs))) return undefined
    return { row: r, col: entry.col, cell }
  }

  /**
   * The value cell of a label: the first one with content (an unmerged copy may leave blank cells between
   * label and value), else the first; other cells with content are kept in `unplaced`.
   */
  pick(e: LabelEntry): LabelEntry['values'][number] | undefined {
    const first = e.values.find((v) => v.cell.text || v.cell.error) ?? e.values[0]
    for (const v of e.values) {
      if (v === first) continue
      if (v.cell.text) this.unplace({ row: e.row, col: v.col }, v.cell, `「${e.cell.text}」右侧多出的内容，原文保留`)
      else this.use(e.row, v.col)
    }
    return first
  }

  // ---- reading values ------------------------------------------------------------

  /** Text of a value cell; a date cell is stored as its text (reported). */
  text(pos: Pos, cell: GridCell, field: string): string {
    this.use(pos.row, pos.col)
    this.formulaError(cell)
    if (cell.date && cell.text) this.report.normalise(cell.ref, field, cell.text, cell.text, 'Excel 日期（序列号）按文字保存')
    return cell.text
  }

  /** An amount: a number stays a number; `1,234.5`, `1234.5万元` become numbers; prose is kept as typed. All reported. */
  amount(pos: Pos, cell: GridCell, field: string): Amount {
    this.use(pos.row, pos.col)
    if (this.formulaError(cell)) return null
    return this.amountOf(cell.value, cell.text, cell.ref, field, cell.formula)
  }

  /** An amount typed after a label in the same cell (`年度资金总额：1260`). */
  inlineAmount(text: string, ref: string, field: string): Amount {
    return this.amountOf(text, text, ref, field, false)
  }

  private amountOf(value: GridCell['value'], text: string, ref: string, field: string, formula?: boolean): Amount {
    if (typeof value === 'number') {
      if (formula) this.report.normalise(ref, field, text || String(value), value, '公式单元格取其计算结果')
      return value
    }
    const typed = (text ?? '').trim()
    if (typed === '') return null
    // `854万` in a 万元 table is 854
    const wan = this.moneyUnit === '万元' ? /^([+]?\d[\d,]*(?:\.\d+)?)\s*万$/.exec(typed) : null
    const parsed = parseAmountInput(wan ? wan[1]! : typed, this.moneyUnit)
    if (typeof parsed === 'number') {
      this.report.normalise(ref, field, typed, parsed, `金额文字转为数字（${this.moneyUnit}）`)
      return parsed
    }
    if (parsed !== null && parsed !== typed && /^\d+(\.\d+)?$/.test(parsed)) {
      this.report.normalise(ref, field, typed, parsed, '金额位数超出数字精度，按数字文字保存')
      return parsed
    }
    this.report.normalise(ref, field, typed, typed, '金额含文字，按原文保留（审核规则 R-FUND-FORMAT 将提示）')
    return typed
  }

  /** `105 南江市教育局`, `105-名称`, `***-名称` → {code, name}; a bare code (functional class) → {code, name:''}. */
  codeName(pos: Pos, cell: GridCell, field: string, opts: { bareCode?: boolean } = {}): CodeName | undefined {
    const text = this.text(pos, cell, field)
    return this.codeNameOf(text, cell.ref, field, opts)
  }

  codeNameOf(text: string, ref: string, field: string, opts: { bareCode?: boolean } = {}): CodeName | undefined {
    if (text === '') return undefined
    let v = parseCodeName(text)
    if (!v.code) {
      const masked = /^(\*+)\s*(?:[-－—]\s*|\s+)(.+)$/.exec(text)
      if (masked) v = { code: masked[1]!, name: masked[2]!.trim() }
      else if (opts.bareCode && /^\d{3,9}$/.test(text)) v = { code: text, name: '' }
    }
    if (v.code !== undefined) this.report.normalise(ref, field, text, v, '拆分为代码与名称')
    return v
  }

  /** 项目期 text → {start, end, years}; text that names no period is kept in `start` (reported either way). */
  period(pos: Pos, cell: GridCell, field: string): ProjectPeriod | undefined {
    const text = this.text(pos, cell, field)
    return this.periodOf(text, cell.ref, field)
  }

  periodOf(text: string, ref: string, field: string): ProjectPeriod | undefined {
    if (text === '') return undefined
    const p = parsePeriod(text)
    const unread = p.start === text && p.end === undefined && p.years === undefined
    const note = !unread ? '项目期拆分为起止年月与年数'
      : /^\d{4}(-\d{2})?$/.test(text) ? '项目期只写了一个年月，记为开始年月' : '项目期无法识别起止年月，原文保留'
    this.report.normalise(ref, field, text, p, note)
    return p
  }

  /** A cell whose value is an Excel error: read as blank (readWorkbook has already reported it). */
  private formulaError(cell: GridCell): boolean {
    return !!cell.error
  }

  // ---- what nobody placed ---------------------------------------------------------

  /** Keeps one cell in `unplaced` with a reason (marks it used). */
  unplace(pos: Pos, cell: GridCell, reason: string): void {
    this.use(pos.row, pos.col)
    const text = cell.text || (cell.error ?? '')
    if (text) this.report.unplace(cell.ref, text, reason)
  }

  /** Every unused cell with content in `rows` (from column `from`) goes to `unplaced` with `reason`. */
  unplaceRest(rows: Iterable<number>, reason = UNRECOGNISED, from = 0): void {
    for (const r of rows) {
      for (const c of distinctCells(this.grid, r, from)) {
        if (this.isUsed(r, c.col)) continue
        if (c.cell.text || c.cell.error) this.unplace({ row: r, col: c.col }, c.cell, reason)
        else this.use(r, c.col)
      }
    }
  }
}

/** A field of a header being filled: the first non-blank value wins; a different later one is kept in `unplaced`. */
export class FieldSet<T extends Record<string, unknown>> {
  readonly values: Partial<T> = {}
  /** where each field was read (A1), for messages */
  readonly from: Partial<Record<keyof T, string>> = {}

  constructor(private readonly reader: FormReader, private readonly prefix: string) {}

  set<K extends keyof T>(key: K, value: T[K] | undefined, pos: Pos, cell: GridCell, label: string): void {
    if (value === undefined || value === '' || value === null) return
    const had = this.values[key]
    if (had === undefined || had === '' || had === null) {
      this.values[key] = value
      this.from[key] = cell.ref
      return
    }
    if (JSON.stringify(had) === JSON.stringify(value)) return
    this.reader.report.unplace(cell.ref, cell.text,
      `${label}在 ${this.from[key]} 已填写（${this.prefix}${String(key)}），此处的不同内容原文保留`)
    this.reader.use(pos.row, pos.col)
  }
}
