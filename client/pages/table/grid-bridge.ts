// What the table page's panels ask of the grid: select the cell of a finding, change or thread
// (through the findings panel's own path → cell mapping), mark the cells changed since the last
// version, and name a place the way a reader does (一级 / 二级 / 三级 · field) instead of by path.
import type * as Y from 'yjs'
import { fieldLabel, parsePath, type TargetTable } from '../../../shared/model/index.ts'
import { readThreads, type CommentAnchor, type CommentThread } from '../../../shared/ydoc/index.ts'
import type { DiffChange } from '../../../shared/api/review.ts'
import type { GridEditor } from '../../grid/editor.ts'
import { findingCells } from '../../grid/findings-map.ts'
import type { CellPos } from '../../../shared/layout/layout.ts'

export interface GridBridge {
  readonly editor: GridEditor
  readonly commentsDoc: Y.Doc
  /** the table as the grid holds it now */
  table(): TargetTable
  /** selects the cell of a location (`rules.md` path syntax, `[id=…]` allowed); false when the form has none */
  selectPath(path: string, rowId?: string): boolean
  selectAnchor(anchor: CommentAnchor): boolean
  thread(id: string): CommentThread | undefined
  /** tints the cells of these changes (empty: none) */
  markChanged(changes: readonly DiffChange[]): void
  /** anchors of the cells a location is printed in on the form now (empty: not printed) */
  anchorsOf(path: string, rowId?: string): string[]
  /** the text a cell shows now */
  cellText(anchor: string): string | undefined
  /** readable place of a location, e.g. `产出指标 / 数量指标 / 参加课后服务学生人数 · 指标值` */
  placeOf(at: { path?: string; rowId?: string | null; field?: string | null }): string
}

/** Labels of the grid's own columns that are not model fields. */
const GRID_FIELD_LABELS: Readonly<Record<string, string>> = { value: '指标值' }

/** The row id in a path such as `indicators[id=r3].target`, when the path names one. */
function rowIdInPath(path: string): string | undefined {
  return /\[id=([^\]]+)\]/.exec(path)?.[1]
}

export function createGridBridge(editor: GridEditor, commentsDoc: Y.Doc): GridBridge {
  const binding = editor.binding
  const cellsOf = (path: string, rowId?: string): CellPos[] =>
    findingCells({ ruleId: '', severity: 'info', path, rowId: rowId ?? rowIdInPath(path), message: '' }, binding.layout, binding.table)
  const anchorsOf = (path: string, rowId?: string): string[] => {
    const out: string[] = []
    for (const pos of cellsOf(path, rowId)) {
      const anchor = binding.layout.cells[pos.row]?.[pos.col]?.anchor
      if (anchor && !out.includes(anchor)) out.push(anchor)
    }
    return out
  }
  const select = (cells: CellPos[]): boolean => {
    const cell = cells[0]
    if (!cell) return false
    binding.select(cell)
    return true
  }
  const anchorCells = (a: CommentAnchor): CellPos[] => {
    const layout = binding.layout
    const direct = layout.anchors.get(`${a.rowId ?? ''}|${a.field ?? ''}`)
    if (direct) return [direct]
    if (a.rowId) return layout.paths.get(`indicators#${a.rowId}`) ?? layout.paths.get(`tasks#${a.rowId}`) ?? []
    return a.field ? cellsOf(a.field) : []
  }

  const rowPlace = (rowId: string): string | undefined => {
    const t = binding.table as unknown as { indicators?: Record<string, unknown>[]; tasks?: Record<string, unknown>[] }
    const ind = t.indicators?.find((r) => r.id === rowId)
    if (ind) return [ind.level1, ind.level2, ind.level3 || '（未命名指标）'].filter((x) => typeof x === 'string' && x !== '').join(' / ')
    const task = t.tasks?.find((r) => r.id === rowId)
    if (task) return `年度主要任务 / ${typeof task.name === 'string' && task.name ? task.name : '（未命名任务）'}`
    return undefined
  }

  return {
    editor,
    commentsDoc,
    table: () => binding.table,
    selectPath: (path, rowId) => select(cellsOf(path, rowId)),
    selectAnchor: (a) => select(anchorCells(a)),
    thread: (id) => readThreads(commentsDoc).find((t) => t.id === id),
    markChanged(changes) {
      const anchors = new Set<string>()
      for (const c of changes) {
        if (c.op === 'remove') continue // nothing left on the form to tint
        for (const a of anchorsOf(c.path, c.rowId)) anchors.add(a)
      }
      binding.setChanged(anchors)
    },
    anchorsOf: (path, rowId) => anchorsOf(path, rowId),
    cellText(anchor) {
      const pos = binding.layout.anchors.get(anchor)
      return pos ? binding.layout.cells[pos.row]?.[pos.col]?.v : undefined
    },
    placeOf({ path, rowId, field }) {
      const id = rowId ?? (path ? rowIdInPath(path) : undefined)
      const segs = path ? parsePath(path).filter((s): s is string => typeof s === 'string' && !s.startsWith('id=')) : []
      const last = field ?? (id ? segs[1] : segs[segs.length - 1])
      const label = last ? GRID_FIELD_LABELS[last] ?? fieldLabel(last.split('.').pop()) : undefined
      if (id) {
        const row = rowPlace(id) ?? '已删除的行'
        return label && label !== '编号' ? `${row} · ${label}` : row
      }
      if (!segs.length && !field) return '整表'
      // header fields: the label of the field itself (项目名称), with its group when that says more
      const parts = (field ?? segs.join('.')).split('.')
      const leaf = GRID_FIELD_LABELS[parts[parts.length - 1]!] ?? fieldLabel(parts[parts.length - 1])
      const group = parts.length > 2 ? fieldLabel(parts[parts.length - 2]) : parts[0] === 'funds' && parts.length === 2 ? fieldLabel('funds') : ''
      return group && parts[0] !== 'header' ? `${group} · ${leaf}` : leaf
    },
  }
}
