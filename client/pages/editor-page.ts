// /tables/<id>: the live grid. Loads the table's metadata (GET /api/tables/:id) and the user
// (GET /api/auth/me), connects the table and comments rooms (y-websocket, CONTRACT → Live documents)
// and mounts the editor once the table has synced. Read-only when approved, for viewers, or when the
// server refuses writes (close 4403).
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import { TEMPLATE_IDS, type TemplateId } from '../../shared/model/index.ts'
import { api, ApiError, displayName, goLogin, me, token } from '../lib/api.ts'
import { h, render } from '../lib/dom.ts'
import { mountGridEditor, type GridEditor } from '../grid/editor.ts'
import { loadValidator } from '../grid/findings.ts'
import type { Connection, ConnectionStatus } from '../grid/presence.ts'

interface TableMeta {
  id: string
  kind: string
  template: TemplateId
  year: number
  status: string
  round?: number
  version?: number
  title?: string
  /** what the caller may do with this table (GET /api/tables/:id) */
  access?: { edit?: boolean; comment?: boolean }
  content?: { header?: { projectName?: string; deptName?: string } }
}

declare global {
  interface Window { univerAPI?: unknown; __tt?: Record<string, unknown> }
}

function providerConnection(p: WebsocketProvider): Connection {
  let state: ConnectionStatus = p.wsconnected ? 'connected' : 'connecting'
  const subs = new Set<(s: ConnectionStatus) => void>()
  p.on('status', ({ status }: { status: string }) => {
    state = status === 'connected' ? 'connected' : status === 'connecting' ? 'connecting' : 'disconnected'
    for (const fn of subs) fn(state)
  })
  p.on('connection-close', () => {
    if (p.shouldConnect) { state = 'disconnected'; for (const fn of subs) fn(state) }
  })
  return { status: () => state, subscribe: (fn) => { subs.add(fn); return () => subs.delete(fn) } }
}

function synced(p: WebsocketProvider, ms = 15000): Promise<void> {
  if (p.synced) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('连接超时，无法加载表格')), ms)
    p.once('sync', () => { clearTimeout(t); resolve() })
  })
}

export async function editorPage(app: HTMLElement, tableId: string): Promise<void> {
  render(app, h('p', { class: 'tt-loading' }, '正在加载表格…'))
  const user = await me()
  if (!user) return goLogin()
  let meta: TableMeta
  try {
    meta = await api<TableMeta>(`/api/tables/${encodeURIComponent(tableId)}`)
  } catch (e) {
    const msg = e instanceof ApiError && e.status === 404 ? '表格不存在或无权查看' : `加载失败：${e instanceof Error ? e.message : String(e)}`
    render(app, h('div', { class: 'tt-page' }, h('p', { class: 'tt-error' }, msg), h('a', { href: '/tables' }, '返回列表')))
    return
  }
  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/collab`
  const params: Record<string, string> = {}
  const t = token()
  if (t) params.token = t
  const doc = new Y.Doc()
  const commentsDoc = new Y.Doc()
  const provider = new WebsocketProvider(wsUrl, tableId, doc, { params })
  const commentsProvider = new WebsocketProvider(wsUrl, `${tableId}/comments`, commentsDoc, { params })
  const connection = providerConnection(provider)
  let editor: GridEditor | undefined
  // 44xx = the server refused this user/table: no retry (y-websocket stops), switch to read-only
  provider.on('connection-close', (ev: CloseEvent | null) => {
    if (ev && ev.code === 4401) goLogin()
    else if (ev && ev.code === 4403) void editor?.setReadOnly({ reason: '权限已变更' })
  })
  try {
    await synced(provider)
  } catch (e) {
    render(app, h('div', { class: 'tt-page' }, h('p', { class: 'tt-error' }, e instanceof Error ? e.message : String(e))))
    return
  }
  const title = meta.title || meta.content?.header?.projectName || meta.content?.header?.deptName || '绩效目标表'
  const host = h('div', { class: 'tt-host' })
  render(app, h('div', { class: 'tt-editor-page' },
    h('header', { class: 'tt-header' }, h('h1', null, title), h('span', null, displayName(user), ' · ', h('a', { href: '/tables' }, '返回列表'))),
    host))
  const readOnly = meta.status === 'approved' ? { reason: '已批复' }
    : user.role === 'viewer' || meta.access?.edit === false ? { reason: '只读账号' }
    : null
  editor = await mountGridEditor(host, {
    doc,
    commentsDoc,
    awareness: provider.awareness,
    connection,
    user: { id: user.id, name: displayName(user) },
    readOnly,
    canComment: meta.access?.comment !== false,
    templateId: TEMPLATE_IDS.includes(meta.template) ? meta.template : undefined,
    round: meta.round ?? 1,
    validate: await loadValidator(),
  })
  window.univerAPI = editor.univerAPI
  window.__tt = { ready: true, doc, commentsDoc, editor, provider, commentsProvider }
}
