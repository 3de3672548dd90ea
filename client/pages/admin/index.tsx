// Entry of the /admin route (管理: finance only): checks the session (none → /login and back), then mounts the page.
import { createRoot } from 'react-dom/client'
import { currentUser } from '../../lib/tables-api.ts'
import { goLogin } from '../../lib/api.ts'
import { AdminPage } from './AdminPage.tsx'
import '../tables/tables.css'
import '../registry/registry.css'
import './admin.css'

export async function adminPage(app: HTMLElement): Promise<void> {
  app.innerHTML = '<p class="tt-loading">正在加载…</p>'
  const user = await currentUser()
  if (!user) return goLogin()
  app.replaceChildren()
  createRoot(app).render(<AdminPage user={user} />)
}
