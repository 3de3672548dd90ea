// Table actions of the toolbar and context menu: insert/delete/move an indicator row inside its
// group, insert/delete a task. They edit the Y.Doc through shared/ydoc (origin LOCAL, so they undo
// like typing); the grid re-lays itself out from Y.
import { normaliseLevel1, normaliseLevel2, parseAmount, type IndicatorRow } from '../../shared/model/index.ts'
import { deleteRow, findRowIndex, insertRow, moveRow, setField, yDocToJson } from '../../shared/ydoc/index.ts'
import { parseAmountInput } from '../../shared/layout/codecs.ts'
import { LOCAL, type GridBinding } from './binding.ts'
import type { CellTarget } from '../../shared/layout/layout.ts'

export interface ActionResult { ok: boolean; message?: string }

const NEED_INDICATOR = '请先选中一个指标行中的单元格'
const NEED_TASK = '请先选中一个任务行中的单元格'

function target(b: GridBinding): CellTarget | undefined {
  return b.activeCell()?.cell.target
}

function indicators(b: GridBinding): IndicatorRow[] {
  return (b.table.indicators ?? []) as IndicatorRow[]
}

/** The indicator row(s) the selection stands for, top first. */
function selectedIndicatorIds(t: CellTarget | undefined): string[] {
  if (!t) return []
  if (t.kind === 'row' && t.list === 'indicators') return [t.rowId]
  if (t.kind === 'group') return t.rowIds
  return []
}

function blankIndicator(seed: Partial<IndicatorRow>): Record<string, unknown> {
  return { period: 'annual', level1: '', level2: '', level3: '', comparator: '', target: '', unit: '', ...seed }
}

/** 插入指标行: a blank row in the selected row's 二级 group, above or below it. */
export function insertIndicator(b: GridBinding, where: 'above' | 'below'): ActionResult {
  if (b.isReadOnly()) return { ok: false, message: '只读模式下不能修改' }
  const t = target(b)
  if (t?.kind === 'new' && t.list === 'indicators') {
    const after = t.afterRowId ? findRowIndex(b.doc, 'indicators', t.afterRowId) : -1
    const id = insertRow(b.doc, 'indicators', after >= 0 ? after + 1 : indicators(b).length, blankIndicator(t.seed), LOCAL)
    b.selectAfterRender(`${id}|level3`)
    return { ok: true }
  }
  const ids = selectedIndicatorIds(t)
  if (ids.length === 0) return { ok: false, message: NEED_INDICATOR }
  const anchorId = where === 'above' ? ids[0]! : ids[ids.length - 1]!
  const row = indicators(b).find((r) => r.id === anchorId)
  if (!row) return { ok: false, message: NEED_INDICATOR }
  const index = findRowIndex(b.doc, 'indicators', anchorId)
  const seed = { period: row.period ?? 'annual', level1: row.level1, level2: row.level2 }
  const id = insertRow(b.doc, 'indicators', where === 'above' ? index : index + 1, blankIndicator(seed), LOCAL)
  b.selectAfterRender(`${id}|level3`)
  return { ok: true }
}

/** 删除指标行: the selected row (a merged 二级 cell counts when it holds one row only). */
export function deleteIndicator(b: GridBinding): ActionResult {
  if (b.isReadOnly()) return { ok: false, message: '只读模式下不能修改' }
  const ids = selectedIndicatorIds(target(b))
  if (ids.length === 0) return { ok: false, message: NEED_INDICATOR }
  if (ids.length > 1) return { ok: false, message: '选中的是一个指标组，请选中要删除的那一行' }
  deleteRow(b.doc, 'indicators', ids[0]!, LOCAL)
  return { ok: true }
}

function sameGroup(a: IndicatorRow, b: IndicatorRow): boolean {
  return (a.period ?? 'annual') === (b.period ?? 'annual')
    && normaliseLevel1(a.level1 ?? '') === normaliseLevel1(b.level1 ?? '')
    && normaliseLevel2(a.level2 ?? '') === normaliseLevel2(b.level2 ?? '')
}

/** 上移/下移: swaps the selected row with its neighbour inside the same 二级 group (stored order = printed order there). */
export function moveIndicator(b: GridBinding, dir: 'up' | 'down'): ActionResult {
  if (b.isReadOnly()) return { ok: false, message: '只读模式下不能修改' }
  const t = target(b)
  const ids = selectedIndicatorIds(t)
  if (ids.length !== 1) return { ok: false, message: NEED_INDICATOR }
  const rows = indicators(b)
  const row = rows.find((r) => r.id === ids[0])
  if (!row) return { ok: false, message: NEED_INDICATOR }
  const group = rows.filter((r) => sameGroup(r, row))
  const at = group.findIndex((r) => r.id === row.id)
  const neighbour = group[dir === 'up' ? at - 1 : at + 1]
  if (!neighbour) return { ok: false, message: dir === 'up' ? '已是本组第一行' : '已是本组最后一行' }
  moveRow(b.doc, 'indicators', row.id, findRowIndex(b.doc, 'indicators', neighbour.id), LOCAL)
  if (t && t.kind === 'row') b.selectAfterRender(`${row.id}|${t.field}`)
  return { ok: true }
}

/** 插入任务 (department tables): above/below the selected task, else at the end. */
export function insertTask(b: GridBinding, where: 'above' | 'below'): ActionResult {
  if (b.isReadOnly()) return { ok: false, message: '只读模式下不能修改' }
  if (b.table.kind !== 'department') return { ok: false, message: '只有部门整体支出表有年度主要任务' }
  const t = target(b)
  const count = (b.table.tasks ?? []).length
  let index = count
  if (t?.kind === 'row' && t.list === 'tasks') {
    const i = findRowIndex(b.doc, 'tasks', t.rowId)
    if (i >= 0) index = where === 'above' ? i : i + 1
  }
  const id = insertRow(b.doc, 'tasks', index, { name: '', content: '', total: null, fiscal: null, other: null }, LOCAL)
  b.selectAfterRender(`${id}|name`)
  return { ok: true }
}

/** 删除任务: the selected task row. 金额合计 follows (it is computed). */
export function deleteTask(b: GridBinding): ActionResult {
  if (b.isReadOnly()) return { ok: false, message: '只读模式下不能修改' }
  const t = target(b)
  if (t?.kind !== 'row' || t.list !== 'tasks') return { ok: false, message: NEED_TASK }
  b.doc.transact(() => {
    deleteRow(b.doc, 'tasks', t.rowId, LOCAL)
    writeTaskTotals(b)
  }, LOCAL)
  return { ok: true }
}

/** Stored 金额合计 = exact sum of the tasks now in the doc (same transaction as the change). */
function writeTaskTotals(b: GridBinding): void {
  const json = yDocToJson(b.doc) as { tasks?: Record<string, unknown>[]; moneyUnit?: string }
  const unit = json.moneyUnit ?? '万元'
  for (const key of ['total', 'fiscal', 'other'] as const) {
    let sum = 0n
    for (const t of json.tasks ?? []) {
      const p = parseAmount((t[key] ?? null) as number | string | null, unit)
      if (p.ok) sum += p.micro
    }
    const int = sum / 1_000_000n
    const frac = (sum % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '')
    setField(b.doc, ['taskTotals', key], parseAmountInput(frac ? `${int}.${frac}` : `${int}`, unit), LOCAL)
  }
}
