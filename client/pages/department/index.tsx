// Entry of the /departments/<id> route (a department's page): checks the session (none → /login and back),
// then mounts the page; the list page's stylesheet brings the product's chrome.
import { createRoot } from 'react-dom/client'
import { currentUser } from '../../lib/tables-api.ts'
import { goLogin } from '../../lib/api.ts'
import { DepartmentPage } from './DepartmentPage.tsx'
import '../tables/tables.css'
import '../registry/registry.css'
import './department.css'

export async function departmentPage(app: HTMLElement, departmentId: string): Promise<void> {
  app.innerHTML = '<p class="tt-loading">正在加载…</p>'
  const user = await currentUser()
  if (!user) return goLogin()
  app.replaceChildren()
  createRoot(app).render(<DepartmentPage user={user} departmentId={departmentId} />)
}
