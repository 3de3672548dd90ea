// /tables: the signed-in user's tables (GET /api/tables), each a link to its grid.
import { api, displayName, goLogin, me, setToken } from '../lib/api.ts'
import { h, render } from '../lib/dom.ts'

interface TableItem {
  id: string
  kind?: string
  template?: string
  year?: number
  status?: string
  round?: number
  title?: string
  name?: string
  projectName?: string
  departmentName?: string
  departmentId?: string
  findings?: { error?: number; warning?: number; info?: number }
  content?: { header?: { projectName?: string; deptName?: string } }
  updatedAt?: string
}

const STATUS: Record<string, string> = { draft: '草稿', submitted: '已报送', returned: '退回修改', approved: '已批复', reviewing: '审核中' }
const KIND: Record<string, string> = { project: '项目支出', department: '部门整体支出' }

function titleOf(t: TableItem): string {
  return t.title ?? t.name ?? t.projectName ?? t.content?.header?.projectName ?? t.content?.header?.deptName ?? t.id
}

export async function tablesPage(app: HTMLElement): Promise<void> {
  render(app, h('p', { class: 'tt-loading' }, '正在加载…'))
  const user = await me()
  if (!user) return goLogin()
  const year = new URLSearchParams(location.search).get('year')
  const r = await api<{ tables?: TableItem[] } | TableItem[]>(`/api/tables${year ? `?year=${encodeURIComponent(year)}` : ''}`)
  const tables = Array.isArray(r) ? r : r.tables ?? []
  const logout = async () => {
    await api('/api/auth/logout', { method: 'POST' }).catch(() => undefined)
    setToken(null)
    location.assign('/login')
  }
  const row = (t: TableItem) => h('tr', null,
    h('td', null, h('a', { href: `/tables/${encodeURIComponent(t.id)}` }, titleOf(t))),
    h('td', null, KIND[t.kind ?? ''] ?? t.kind ?? ''),
    h('td', null, t.year ?? ''),
    h('td', null, t.departmentName ?? t.departmentId ?? ''),
    h('td', null, h('span', { class: 'tt-status' }, STATUS[t.status ?? ''] ?? t.status ?? '')),
    h('td', null, t.findings ? `错误 ${t.findings.error ?? 0} · 警告 ${t.findings.warning ?? 0}` : ''))
  const list = tables.length === 0
    ? h('p', null, '暂无可查看的绩效目标表。')
    : h('table', { class: 'tt-list' },
      h('thead', null, h('tr', null, ['名称', '类型', '年度', '部门', '状态', '审核提示'].map((x) => h('th', null, x)))),
      h('tbody', null, tables.map(row)))
  render(app,
    h('header', { class: 'tt-header' }, h('h1', null, '绩效目标表'),
      h('span', null, displayName(user), ' · ', h('a', { href: '#', onclick: (e: Event) => { e.preventDefault(); void logout() } }, '退出'))),
    h('main', { class: 'tt-page' }, list))
}
