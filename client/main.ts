// Router of the single-page client: /login, /tables and /compilations (React, no Univer) are small and load at once; the grid
// (/tables/<id>) and the dev grid (/dev/grid) are dynamic imports that bring Univer with them.
import './lib/csp.ts' // first: zod's settings for our Content-Security-Policy
import './app.css'
import { h, render } from './lib/dom.ts'

const app = document.getElementById('app')!

async function route(): Promise<void> {
  const path = location.pathname.replace(/\/+$/, '') || '/'
  if (path === '/login') return (await import('./pages/login.ts')).loginPage(app)
  if (path === '/tables' || path === '/') return (await import('./pages/tables/index.tsx')).tablesPage(app)
  if (path === '/compilations') return (await import('./pages/compilations/index.tsx')).compilationsPage(app)
  if (path === '/registry') return (await import('./pages/registry/index.tsx')).registryPage(app)
  if (path === '/admin') return (await import('./pages/admin/index.tsx')).adminPage(app)
  if (path === '/overview') return (await import('./pages/overview/index.tsx')).overviewPage(app)
  if (path === '/ledger') return (await import('./pages/ledger/index.tsx')).ledgerPage(app)
  if (path === '/library') return (await import('./pages/library/index.tsx')).libraryPage(app)
  const dept = /^\/departments\/([^/]+)$/.exec(path)
  if (dept) return (await import('./pages/department/index.tsx')).departmentPage(app, decodeURIComponent(dept[1]!))
  const m = /^\/tables\/([^/]+)$/.exec(path)
  if (m) return (await import('./pages/editor-page.ts')).editorPage(app, decodeURIComponent(m[1]!))
  if (path === '/dev/grid') return (await import('./dev/dev-grid.ts')).devGridPage(app)
  render(app, h('div', { class: 'tt-page' }, h('h1', null, '页面不存在'), h('a', { href: '/tables' }, '返回表格列表')))
}

route().catch((e) => {
  console.error(e)
  render(app, h('div', { class: 'tt-page' }, h('p', { class: 'tt-error' }, `页面加载失败：${e instanceof Error ? e.message : String(e)}`)))
})
