// Entry of the /overview route (总览: finance): checks the session (none → /login and back), then mounts the page.
import { createRoot } from 'react-dom/client'
import { goLogin } from '../../lib/api.ts'
import { currentUser } from '../../lib/tables-api.ts'
import { OverviewPage } from './OverviewPage.tsx'
import '../tables/tables.css'
import './overview.css'

export async function overviewPage(app: HTMLElement): Promise<void> {
  app.innerHTML = '<p class="tt-loading">正在加载…</p>'
  const user = await currentUser()
  if (!user) return goLogin()
  app.replaceChildren()
  createRoot(app).render(<OverviewPage user={user} />)
}
