// Entry of the /registry route (项目统计表): checks the session (none → /login and back), then mounts the
// React page; the list page's stylesheet brings the product's chrome.
import { createRoot } from 'react-dom/client'
import { currentUser } from '../../lib/tables-api.ts'
import { goLogin } from '../../lib/api.ts'
import { RegistryPage } from './RegistryPage.tsx'
import '../tables/tables.css'
import './registry.css'

export async function registryPage(app: HTMLElement): Promise<void> {
  app.innerHTML = '<p class="tt-loading">正在加载…</p>'
  const user = await currentUser()
  if (!user) return goLogin()
  app.replaceChildren()
  createRoot(app).render(<RegistryPage user={user} />)
}
