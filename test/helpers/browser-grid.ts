// Page-side helpers for the grid e2e tests: open the dev route, find a cell by its text in the
// layout, click/type into a grid like a user (via the main canvas), read values through univerAPI.
import type { Page } from 'playwright-core'

export interface Pos { row: number; col: number }

export async function openGrid(page: Page, base: string, query: string): Promise<void> {
  await page.goto(`${base}/dev/grid?${query}`)
  await page.waitForFunction(() => (window as unknown as { __tt?: { ready?: boolean } }).__tt?.ready === true, null, { timeout: 30_000 })
}

/** Top-left position of the first cell showing `text` in grid `editor` (rows ≥ `from`). */
export async function findCell(page: Page, text: string, from = 0, editor = 0): Promise<Pos> {
  const pos = await page.evaluate(([t, e, f]) => {
    const layout = (window as any).__tt.layout(e)
    for (let r = f; r < layout.rowCount; r++) {
      const c = layout.cells[r].findIndex((cell: any) => cell.v === t && cell.target.kind !== 'covered')
      if (c >= 0) return { row: r, col: c }
    }
    return null
  }, [text, editor, from] as const)
  if (!pos) throw new Error(`no cell showing "${text}"`)
  return pos
}

/** Position of the cell bound to `anchor` (`${rowId}|${field}` or `|${path}`). */
export async function anchorPos(page: Page, anchor: string, editor = 0): Promise<Pos> {
  const pos = await page.evaluate(([a, e]) => (window as any).__tt.layout(e).anchors.get(a) ?? null, [anchor, editor] as const)
  if (!pos) throw new Error(`no cell for anchor ${anchor}`)
  return pos
}

export async function cellCenter(page: Page, editor: number, p: Pos): Promise<{ x: number; y: number }> {
  return page.evaluate(([e, r, c]) => {
    const ed = (window as any).__tt.editors[e]
    const ws = ed.univerAPI.getActiveWorkbook().getActiveSheet()
    // getCellRect() is in unscrolled sheet coordinates: subtract how far the viewport has scrolled
    const rect = ws.getRange(r, c).getCellRect()
    const sc = ws.getScrollState()
    const origin = ws.getRange(0, 0).getCellRect()
    const start = ws.getRange(sc.sheetViewStartRow ?? 0, sc.sheetViewStartColumn ?? 0).getCellRect()
    const dx = start.left - origin.left + (sc.offsetX ?? 0)
    const dy = start.top - origin.top + (sc.offsetY ?? 0)
    // the sheet's main canvas, not the formula bar's or the cell editor's (tech-brief §2, pitfall 3)
    const canvas = document.getElementById(`univer-sheet-main-canvas_${ed.binding.unitId}`)!
    const box = canvas.getBoundingClientRect()
    return { x: box.left + rect.left - dx + Math.min(rect.width / 2, 30), y: box.top + rect.top - dy + rect.height / 2 }
  }, [editor, p.row, p.col] as const)
}

/** Scrolls the cell into view when it is outside the visible part of its grid (grids are narrow side by side). */
export async function reveal(page: Page, editor: number, p: Pos): Promise<void> {
  const hidden = await page.evaluate(([e, r, c]) => {
    const ed = (window as any).__tt.editors[e]
    const ws = ed.univerAPI.getActiveWorkbook().getActiveSheet()
    const v = ws.getVisibleRange()
    if (v && r >= v.startRow && r < v.endRow && c >= v.startColumn && c < v.endColumn) return false
    ws.scrollToCell(r, c)
    return true
  }, [editor, p.row, p.col] as const)
  if (hidden) await page.waitForTimeout(150)
}

export async function clickCell(page: Page, editor: number, p: Pos): Promise<void> {
  await reveal(page, editor, p)
  const { x, y } = await cellCenter(page, editor, p)
  await page.mouse.click(x, y)
}

/** Types into a cell as a user does: select it, type (replacing the content), Enter. */
export async function typeInto(page: Page, editor: number, p: Pos, text: string): Promise<void> {
  await startTyping(page, editor, p, text)
  await page.keyboard.press('Enter')
}

/** What the open cell editor holds (undefined when there is none). */
export async function editorText(page: Page, editor: number): Promise<string | undefined> {
  return page.evaluate((e) => {
    const doc = (window as any).__tt.editors[e].univerAPI.getUniverDoc?.('__INTERNAL_EDITOR__DOCS_NORMAL')
    const ds: string | undefined = doc?.getSnapshot?.().body?.dataStream
    return ds?.replace(/\r\n$/, '')
  }, editor)
}

/** `typeInto` without the Enter: the cell editor stays open with `text` in it. */
export async function startTyping(page: Page, editor: number, p: Pos, text: string): Promise<void> {
  await clickCell(page, editor, p)
  // WATCH OUT: on a loaded machine a key pressed before the selection or the cell editor is in place
  // is lost; wait for each step instead of racing it
  await page.waitForFunction(([e, r, c]) => {
    const range = (window as any).__tt.editors[e].univerAPI.getActiveWorkbook().getActiveSheet().getActiveRange()
    return range?.getRow() === r && range?.getColumn() === c
  }, [editor, p.row, p.col] as const, { timeout: 10_000 })
  const ascii = /^[\x20-\x7e]+$/.test(text)
  await page.keyboard.type(ascii ? text[0]! : 'x')
  // a read-only grid or a label may never open the editor: then the keys go where they go, as for a user
  const editing = await page.waitForFunction((e) => (window as any).__tt.editors[e].univerAPI.getActiveWorkbook().isCellEditing?.() === true, editor, { timeout: 3000 })
    .then(() => true, () => false)
  if (ascii) {
    await page.keyboard.type(text.slice(1))
  } else {
    // CJK / symbols: the editor was started with a key; insert the text as an IME would
    await page.keyboard.press('Backspace')
    await page.keyboard.insertText(text)
  }
  if (!editing) return
  for (const deadline = Date.now() + 10_000; ;) {
    const shown = await editorText(page, editor)
    if (shown === undefined || shown === text) return
    if (Date.now() > deadline) throw new Error(`the cell editor holds "${shown}", not "${text}"`)
    await page.waitForTimeout(20)
  }
}

export async function cellValue(page: Page, editor: number, p: Pos): Promise<unknown> {
  return page.evaluate(([e, r, c]) => (window as any).__tt.editors[e].univerAPI.getActiveWorkbook().getActiveSheet().getRange(r, c).getValue(), [editor, p.row, p.col] as const)
}

/** Merged ranges as the Univer sheet holds them (not as the layout wants them). */
export async function sheetMerges(page: Page, editor = 0): Promise<{ startRow: number; endRow: number; startColumn: number; endColumn: number }[]> {
  return page.evaluate((e) => (window as any).__tt.editors[e].univerAPI.getActiveWorkbook().getActiveSheet().getSheet().getMergeData()
    .map((m: any) => ({ startRow: m.startRow, endRow: m.endRow, startColumn: m.startColumn, endColumn: m.endColumn })), editor)
}

export async function mergeAt(page: Page, editor: number, p: Pos): Promise<{ rows: number; cols: number } | null> {
  const merges = await sheetMerges(page, editor)
  const m = merges.find((x) => x.startRow === p.row && x.startColumn === p.col)
  return m ? { rows: m.endRow - m.startRow + 1, cols: m.endColumn - m.startColumn + 1 } : null
}

export async function docJson(page: Page, editor = 0): Promise<any> {
  return page.evaluate((e) => (window as any).__tt.json(e), editor)
}
