// Entry of the /tables route: checks the session (none → /login and back), then mounts the React page.
import { createRoot } from 'react-dom/client'
import { currentUser } from '../../lib/tables-api.ts'
import { goLogin } from '../../lib/api.ts'
import { TablesPage } from './TablesPage.tsx'
import './tables.css'

export async function tablesPage(app: HTMLElement): Promise<void> {
  app.innerHTML = '<p class="tt-loading">正在加载…</p>'
  const user = await currentUser()
  if (!user) return goLogin()
  app.replaceChildren()
  createRoot(app).render(<TablesPage user={user} />)
}
