// Entry of the /library route (指标库): checks the session (none → /login and back), then mounts the
// React page; the list page's stylesheet brings the product's chrome.
import { createRoot } from 'react-dom/client'
import { currentUser } from '../../lib/tables-api.ts'
import { goLogin } from '../../lib/api.ts'
import { LibraryPage } from './LibraryPage.tsx'
import '../tables/tables.css'
import './library.css'

export async function libraryPage(app: HTMLElement): Promise<void> {
  app.innerHTML = '<p class="tt-loading">正在加载…</p>'
  const user = await currentUser()
  if (!user) return goLogin()
  app.replaceChildren()
  createRoot(app).render(<LibraryPage user={user} />)
}
