// The bar at the top of every React page: product name, the page's links, the signed-in user and 退出.
import { useState } from 'react'
import type { PublicUser } from '../../shared/api/directory.ts'
import { setToken } from '../lib/api.ts'
import { logout } from '../lib/tables-api.ts'

const ROLE_LABELS: Readonly<Record<PublicUser['role'], string>> = { finance: '财政局', department: '部门', consultant: '第三方机构', viewer: '只读' }

export function AppHeader({ user }: { user: PublicUser }) {
  const [leaving, setLeaving] = useState(false)
  const signOut = async () => {
    setLeaving(true)
    await logout()
    setToken(null)
    location.assign('/login')
  }
  return (
    <header className="tt-appbar">
      <a className="tt-brand" href="/tables">绩效目标表协同编审</a>
      <nav className="tt-nav">
        <a href="/tables" aria-current={location.pathname.startsWith('/tables') ? 'page' : undefined}>绩效目标表</a>
        <a href="/registry" aria-current={location.pathname.startsWith('/registry') ? 'page' : undefined}>项目统计表</a>
        <a href="/library" aria-current={location.pathname.startsWith('/library') ? 'page' : undefined}>指标库</a>
        {(user.role === 'finance' || user.role === 'consultant') && <a href="/ledger" aria-current={location.pathname.startsWith('/ledger') ? 'page' : undefined}>工作台账</a>}
        {user.role === 'finance' && <a href="/overview" aria-current={location.pathname.startsWith('/overview') ? 'page' : undefined}>总览</a>}
        {user.role === 'finance' && <a href="/compilations" aria-current={location.pathname.startsWith('/compilations') ? 'page' : undefined}>汇编成册</a>}
        {user.role === 'finance' && <a href="/admin" aria-current={location.pathname.startsWith('/admin') ? 'page' : undefined}>管理</a>}
      </nav>
      <div className="tt-user">
        <span className="tt-role">{ROLE_LABELS[user.role]}</span>
        <span data-testid="user-name">{user.displayName}</span>
        <button type="button" className="tt-link-button" onClick={() => void signOut()} disabled={leaving}>退出</button>
      </div>
    </header>
  )
}
