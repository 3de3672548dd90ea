// 导入遗留: the cells an xlsx import could not place in the form (the table's `unplaced` list). They
// are kept with the table, never dropped; an editor moves what matters into the form and then marks
// each one 已处理, which removes it from the list (a change like any other, in the history).
import { useMemo, useRef, useSyncExternalStore } from 'react'
import type * as Y from 'yjs'
import type { UnplacedCell } from '../../../shared/model/index.ts'
import { deleteRow, tableRoot } from '../../../shared/ydoc/index.ts'
import { usePage } from './Header.tsx'
import type { TablePageStore } from './store.ts'

function readUnplaced(doc: Y.Doc): UnplacedCell[] {
  const list = tableRoot(doc).get('unplaced') as Y.Array<Y.Map<unknown>> | undefined
  return list ? (list.toJSON() as UnplacedCell[]) : []
}

/** The table's unplaced cells, kept current as the live document changes. */
export function useUnplaced(doc: Y.Doc | undefined): UnplacedCell[] {
  const cache = useRef<{ v: UnplacedCell[] }>({ v: doc ? readUnplaced(doc) : [] })
  const subscribe = useMemo(() => (fn: () => void) => {
    if (!doc) return () => {}
    const root = tableRoot(doc)
    const on = () => { cache.current = { v: readUnplaced(doc) }; fn() }
    cache.current = { v: readUnplaced(doc) }
    root.observeDeep(on)
    return () => root.unobserveDeep(on)
  }, [doc])
  return useSyncExternalStore(subscribe, () => cache.current).v
}

export function UnplacedTab({ store, cells }: { store: TablePageStore; cells: UnplacedCell[] }) {
  const s = usePage(store)
  const doc = store.grid?.editor.binding.doc
  const editable = s.detail.access.edit
  if (cells.length === 0) return <p className="tp-empty">没有导入遗留的单元格</p>
  return (
    <div className="tp-unplaced">
      <p className="tp-hint">导入 Excel 时，下列单元格的内容未能放入表格的对应位置，已原样保留在这里。请将需要的内容填入表格后点“已处理”。</p>
      <ul className="tp-unplaced-list" aria-label="导入遗留的单元格">
        {cells.map((c) => (
          <li key={c.id} className="tp-unplaced-item" data-unplaced={c.id}>
            <div className="tp-unplaced-where">{c.sheet ? `${c.sheet}!` : ''}{c.cell}</div>
            <div className="tp-unplaced-text">{c.text}</div>
            {c.reason ? <div className="tp-unplaced-reason">{c.reason}</div> : null}
            {editable && doc ? (
              <button type="button" className="tp-link" onClick={() => deleteRow(doc, 'unplaced', c.id)}>已处理</button>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  )
}
