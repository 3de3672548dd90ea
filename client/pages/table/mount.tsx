// React roots of the table page: the header (lifecycle) and the side panel (findings, rounds, threads,
// changes, history) mounted into the editor page's own elements; the Univer grid stays outside React.
import { Component, type ReactNode } from 'react'
import { createRoot, type Root } from 'react-dom/client'
import { Header } from './Header.tsx'
import { SidePanel } from './SidePanel.tsx'
import type { TablePageStore } from './store.ts'
// the product's React chrome (tt-dialog, the palette) lives with the list page for now
import '../tables/tables.css'
import './table-page.css'

/** A part of the page that fails says so in place; the grid and the other part keep working. */
class Contained extends Component<{ name: string; children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null }
  static getDerivedStateFromError(error: Error) {
    return { error }
  }
  override render() {
    if (!this.state.error) return this.props.children
    return (
      <div className="tp-notice tp-notice-error" role="alert">
        <span>{this.props.name}出错：{this.state.error.message}</span>
        <button type="button" className="tp-button tp-small" onClick={() => location.reload()}>刷新页面</button>
      </div>
    )
  }
}

export interface MountedTablePage {
  /** mounts the side panel once the grid is there (store.grid set) */
  mountPanel(el: HTMLElement): void
  dispose(): void
}

export function mountTablePage(store: TablePageStore, headerEl: HTMLElement): MountedTablePage {
  const roots: Root[] = []
  const header = createRoot(headerEl)
  header.render(<Contained name="页头"><Header store={store} /></Contained>)
  roots.push(header)
  return {
    mountPanel(el) {
      const panel = createRoot(el)
      panel.render(<Contained name="审核面板"><SidePanel store={store} /></Contained>)
      roots.push(panel)
    },
    dispose() {
      for (const r of roots.splice(0)) r.unmount()
    },
  }
}
