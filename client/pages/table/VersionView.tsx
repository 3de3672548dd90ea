// A frozen version, read-only: the official form drawn as an HTML table from the same layout the grid
// uses (shared/layout/layout.ts: cells, merges, widths), so it looks like the grid without a second
// Univer instance, and nothing in it can be edited.
import { useMemo } from 'react'
import type { CSSProperties } from 'react'
import { parseTable, type TargetTable } from '../../../shared/model/index.ts'
import type { VersionAnswer } from '../../../shared/api/review.ts'
import { buildLayout, STYLES, type SheetLayout } from '../../../shared/layout/layout.ts'
import { Modal } from './Dialog.tsx'
import { formatTime, VERSION_REASON_LABELS } from './format.ts'
import type { TablePageStore } from './store.ts'
import { useApi } from './use-api.ts'

export function VersionView({ store, version, onClose }: { store: TablePageStore; version: number; onClose: () => void }) {
  const v = useApi<VersionAnswer>(`${store.path}/versions/${version}`)
  const layout = useMemo(() => {
    if (!v.data) return null
    const parsed = parseTable(v.data.content, { mode: 'lenient', assignIds: false })
    const table = (parsed.ok ? parsed.table : v.data.content) as TargetTable
    try {
      return buildLayout(table)
    } catch {
      return null
    }
  }, [v.data])
  const title = v.data ? `第 ${v.data.version} 版 · ${VERSION_REASON_LABELS[v.data.reason] ?? v.data.reason}（第 ${v.data.round} 轮）` : `第 ${version} 版`
  return (
    // as wide as the form itself (plus the dialog's padding); the browser caps it at the window
    <Modal title={title} onClose={onClose} width={layout ? layout.columnWidths.reduce((a, b) => a + b, 0) + 64 : 900} testId="version-view">
      {v.error ? <p className="tp-field-error">{v.error}</p> : null}
      {v.data ? (
        <p className="tp-muted">
          {v.data.createdByName} 于 {formatTime(v.data.createdAt)} 冻结 · 只读 · 校验值 <code title={v.data.hash}>{v.data.hash.slice(0, 12)}</code>
        </p>
      ) : <p className="tp-muted">正在加载…</p>}
      {layout ? <FormTable layout={layout} /> : v.data ? <p className="tp-field-error">该版本的内容无法按表样显示。</p> : null}
    </Modal>
  )
}

function cellStyle(name: keyof typeof STYLES): CSSProperties {
  const s = STYLES[name] as { bl?: number; bg?: { rgb?: string }; ht?: number; vt?: number; fs?: number; bd?: unknown }
  return {
    fontWeight: s.bl ? 600 : undefined,
    background: s.bg?.rgb,
    textAlign: s.ht === 2 ? 'center' : s.ht === 3 ? 'right' : 'left',
    verticalAlign: s.vt === 1 ? 'top' : 'middle',
    fontSize: s.fs ? `${Math.max(12, s.fs + 2)}px` : undefined,
    border: s.bd ? '1px solid #595959' : 'none',
  }
}

export function FormTable({ layout }: { layout: SheetLayout }) {
  const rows = useMemo(() => {
    const span = new Map<string, { rows: number; cols: number }>()
    const covered = new Set<string>()
    for (const m of layout.merges) {
      span.set(`${m.startRow}:${m.startColumn}`, { rows: m.endRow - m.startRow + 1, cols: m.endColumn - m.startColumn + 1 })
      for (let r = m.startRow; r <= m.endRow; r++) for (let c = m.startColumn; c <= m.endColumn; c++) if (r !== m.startRow || c !== m.startColumn) covered.add(`${r}:${c}`)
    }
    return layout.cells.map((row, r) => row.map((cell, c) => {
      if (covered.has(`${r}:${c}`)) return null
      const sp = span.get(`${r}:${c}`)
      return { key: `${r}:${c}`, cell, rowSpan: sp?.rows, colSpan: sp?.cols, style: cellStyle(cell.style) }
    }).filter((x) => x !== null))
  }, [layout])
  return (
    <div className="tp-form-scroll">
      <table className="tp-form" data-testid="version-form" style={{ width: layout.columnWidths.reduce((a, b) => a + b, 0) }}>
        <colgroup>{layout.columnWidths.map((w, i) => <col key={i} style={{ width: w }} />)}</colgroup>
        <tbody>
          {rows.map((cells, r) => (
            <tr key={r} style={{ height: layout.rowHeights[r] }}>
              {cells.map((x) => (
                <td key={x.key} rowSpan={x.rowSpan} colSpan={x.colSpan} style={x.style} data-anchor={x.cell.anchor || undefined}>{x.cell.v}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
