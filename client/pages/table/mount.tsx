// React roots of the table page: the header (lifecycle) and the side panel (findings, rounds, threads,
// changes, history) mounted into the editor page's own elements; the Univer grid stays outside React.
import { createRoot, type Root } from 'react-dom/client'
import { Header } from './Header.tsx'
import { SidePanel } from './SidePanel.tsx'
import type { TablePageStore } from './store.ts'
// the product's React chrome (tt-dialog, the palette) lives with the list page for now
import '../tables/tables.css'
import './table-page.css'

export interface MountedTablePage {
  /** mounts the side panel once the grid is there (store.grid set) */
  mountPanel(el: HTMLElement): void
  dispose(): void
}

export function mountTablePage(store: TablePageStore, headerEl: HTMLElement): MountedTablePage {
  const roots: Root[] = []
  const header = createRoot(headerEl)
  header.render(<Header store={store} />)
  roots.push(header)
  return {
    mountPanel(el) {
      const panel = createRoot(el)
      panel.render(<SidePanel store={store} />)
      roots.push(panel)
    },
    dispose() {
      for (const r of roots.splice(0)) r.unmount()
    },
  }
}
