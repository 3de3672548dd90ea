// Entry of the /ledger route (工作台账: finance and consultants): checks the session (none → /login and back), then mounts the page.
import { createRoot } from 'react-dom/client'
import { goLogin } from '../../lib/api.ts'
import { currentUser } from '../../lib/tables-api.ts'
import { LedgerPage } from './LedgerPage.tsx'
import '../tables/tables.css'
import '../overview/overview.css'
import './ledger.css'

export async function ledgerPage(app: HTMLElement): Promise<void> {
  app.innerHTML = '<p class="tt-loading">正在加载…</p>'
  const user = await currentUser()
  if (!user) return goLogin()
  app.replaceChildren()
  createRoot(app).render(<LedgerPage user={user} />)
}
