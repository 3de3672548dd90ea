// Entry of the /compilations route (汇编成册, finance): checks the session (none → /login and back),
// then mounts the React page; the list page's stylesheet brings the product's chrome.
import { createRoot } from 'react-dom/client'
import { currentUser } from '../../lib/tables-api.ts'
import { goLogin } from '../../lib/api.ts'
import { CompilationsPage } from './CompilationsPage.tsx'
import '../tables/tables.css'
import './compilations.css'

export async function compilationsPage(app: HTMLElement): Promise<void> {
  app.innerHTML = '<p class="tt-loading">正在加载…</p>'
  const user = await currentUser()
  if (!user) return goLogin()
  app.replaceChildren()
  createRoot(app).render(<CompilationsPage user={user} />)
}
