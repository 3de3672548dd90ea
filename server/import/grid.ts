// A worksheet as the importers see it: visible cells only, merges resolved, every value already in
// its final JS form (formulas → cached result, dates → text, errors flagged). Produced from a workbook
// by workbook.ts; read by the table, registry and department importers. Coordinates are 0-based
// positions in this grid (hidden rows and columns removed); `ref` keeps the original A1 address.

export interface GridCell {
  /** the text a reader sees, trimmed; '' for an empty cell (and for covered cells: see `master`) */
  text: string
  /** the typed value: a number for numeric cells (dates are text), a string, a boolean, or null when empty */
  value: string | number | boolean | null
  /** A1 address in the original sheet (e.g. `D14`) */
  ref: string
  /** Excel error of the cell or of its formula's cached result, e.g. `#REF!`; `text` is then '' */
  error?: string
  /** the value came from a formula's cached result */
  formula?: boolean
  /** the cell held a date (or a date serial number in a date format); `text` is `YYYY-MM-DD` */
  date?: boolean
  /** inside a merged range but not its top-left: the top-left's grid position */
  master?: { row: number; col: number }
}

export interface GridRange { startRow: number; endRow: number; startColumn: number; endColumn: number }

export interface SheetGrid {
  /** the sheet's name */
  name: string
  /** rows[r][c]; every row has `columnCount` cells */
  rows: GridCell[][]
  columnCount: number
  /** merged ranges in grid coordinates (clipped where hidden rows or columns were removed) */
  merges: GridRange[]
  /** rows and columns left out because the sheet hides them (the importer reports them) */
  hidden: { rows: string[]; columns: string[] }
}

/** The cell at r,c, following a merge to its top-left; undefined outside the grid. */
export function cellAt(grid: SheetGrid, row: number, col: number): GridCell | undefined {
  const cell = grid.rows[row]?.[col]
  if (!cell) return undefined
  return cell.master ? grid.rows[cell.master.row]?.[cell.master.col] : cell
}

/** The text at r,c (following merges); '' outside the grid. */
export function textAt(grid: SheetGrid, row: number, col: number): string {
  return cellAt(grid, row, col)?.text ?? ''
}

/** 0-based column index → letters (0 → A, 27 → AB). */
export function columnLetters(col: number): string {
  let s = ''
  let n = col + 1
  while (n > 0) {
    const m = (n - 1) % 26
    s = String.fromCharCode(65 + m) + s
    n = Math.floor((n - 1) / 26)
  }
  return s
}

/** 0-based row and column → A1 address. */
export function a1(row: number, col: number): string {
  return `${columnLetters(col)}${row + 1}`
}

/** A grid from plain rows of text (tests and importers of already-read data); no merges, nothing hidden. */
export function gridFromRows(name: string, rows: readonly (readonly (string | number | null)[])[]): SheetGrid {
  const columnCount = Math.max(0, ...rows.map((r) => r.length))
  return {
    name,
    columnCount,
    merges: [],
    hidden: { rows: [], columns: [] },
    rows: rows.map((r, i) =>
      Array.from({ length: columnCount }, (_, j) => {
        const v = r[j] ?? null
        const text = v === null ? '' : String(v).trim()
        return { text, value: v === null || text === '' ? null : v, ref: a1(i, j) }
      }),
    ),
  }
}
