// /tables/<id>: the live grid. Loads the table's metadata (GET /api/tables/:id) and the user
// (GET /api/auth/me), connects the table and comments rooms (y-websocket, CONTRACT → Live documents;
// the table room with `findings=1`, so the server's findings reach the panel) and mounts the editor
// once the table has synced. Read-only when approved, for viewers, or when the
// server refuses writes (close 4403). When the server refuses an edit (close 4422) the page starts over
// with a fresh document, the server's, and says which edit was refused and why.
import * as Y from 'yjs'
import { WebsocketProvider, messageAuth } from 'y-websocket'
import { readAuthMessage } from 'y-protocols/auth'
import { TEMPLATE_IDS, type TemplateId } from '../../shared/model/index.ts'
import { readThreads, yDocToJson } from '../../shared/ydoc/index.ts'
import { MSG_FINDINGS, readFindingsBody, type TableFindings } from '../../shared/ydoc/findings-message.ts'
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
  access?: { edit?: boolean; comment?: boolean; reason?: string }
  departmentName?: string
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

/**
 * WATCH OUT: y-websocket 3.1.0 sends every awareness change it sees, the other users' too (it echoes
 * what the server just broadcast). The server refuses states a connection does not own
 * (`collab.awareness.foreign`), so those frames are wasted traffic: send only this client's state.
 */
function sendOwnAwarenessOnly(p: WebsocketProvider): void {
  type Changes = { added: number[]; updated: number[]; removed: number[] }
  const q = p as unknown as { _awarenessUpdateHandler?: (c: Changes, origin: unknown) => void }
  const original = q._awarenessUpdateHandler
  if (typeof original !== 'function') return
  const own = p.awareness.clientID
  const filtered = (c: Changes, origin: unknown) => {
    const mine = (ids: number[]) => ids.filter((id) => id === own)
    const next = { added: mine(c.added), updated: mine(c.updated), removed: mine(c.removed) }
    if (next.added.length + next.updated.length + next.removed.length > 0) original(next, origin)
  }
  p.awareness.off('update', original)
  p.awareness.on('update', filtered)
  q._awarenessUpdateHandler = filtered // destroy() unsubscribes this field
}

/**
 * The reason of the server's last refusal (its auth message, CONTRACT → Live documents), which the
 * provider only logs. Read here so the page can show it.
 */
function captureDenials(p: WebsocketProvider): () => string | null {
  let last: string | null = null
  p.messageHandlers[messageAuth] = (_encoder, decoder, provider) => {
    readAuthMessage(decoder, provider.doc, (_doc, reason) => {
      last = reason
    })
  }
  return () => last
}

/** Restarts after a refused edit (4422) at most this often; past it something is wrong for good. */
const RESTARTS_PER_MINUTE = 3
let restarts: number[] = []

/** The server's findings messages; kept until the editor is there to show them. */
function receiveFindings(p: WebsocketProvider): { deliverTo(show: (r: TableFindings) => void): void } {
  let latest: TableFindings | null = null
  let show: ((r: TableFindings) => void) | null = null
  p.messageHandlers[MSG_FINDINGS] = (_encoder, decoder) => {
    const result = readFindingsBody(decoder)
    if (!result) return console.error('[collab] malformed findings message')
    latest = result
    show?.(result)
  }
  return {
    deliverTo(fn) {
      show = fn
      if (latest) fn(latest)
    },
  }
}

function synced(p: WebsocketProvider, ms = 15000): Promise<void> {
  if (p.synced) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('连接超时，无法加载表格')), ms)
    p.once('sync', () => { clearTimeout(t); resolve() })
  })
}

export async function editorPage(app: HTMLElement, tableId: string, notice?: string): Promise<void> {
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
  // findings=1: the server pushes its findings (authoritative) on this socket
  const provider = new WebsocketProvider(wsUrl, tableId, doc, { params: { ...params, findings: '1' } })
  const commentsProvider = new WebsocketProvider(wsUrl, `${tableId}/comments`, commentsDoc, { params })
  sendOwnAwarenessOnly(provider)
  sendOwnAwarenessOnly(commentsProvider)
  const denial = captureDenials(provider)
  const serverFindings = receiveFindings(provider)
  const commentsDenial = captureDenials(commentsProvider)
  const connection = providerConnection(provider)
  // comment authors by display name, also those not online now (GET /api/tables/:id/participants)
  const participants = api<{ participants?: { id: string; displayName: string }[] }>(`/api/tables/${encodeURIComponent(tableId)}/participants`)
    .then((r) => new Map((r.participants ?? []).map((p) => [p.id, p.displayName])))
    .catch(() => new Map<string, string>())
  let editor: GridEditor | undefined
  let restarting = false
  /**
   * 4422: the server refused an edit of ours. This document holds it and Yjs cannot unlearn it (a
   * reconnect would send it again), so everything here is dropped and the page starts over from the
   * server's state; edits not yet sent are lost with it, which the notice says.
   */
  const restart = (reason: string | null) => {
    if (restarting) return
    restarting = true
    editor?.dispose()
    provider.destroy()
    commentsProvider.destroy()
    doc.destroy()
    commentsDoc.destroy()
    const now = Date.now()
    restarts = restarts.filter((t) => now - t < 60_000).concat(now)
    if (restarts.length > RESTARTS_PER_MINUTE) {
      render(app, h('div', { class: 'tt-page' }, h('p', { class: 'tt-error', 'data-testid': 'refused' }, `服务器多次拒绝本页的修改，已停止重连。${reason ?? ''}`), h('a', { href: location.pathname }, '重新打开')))
      return
    }
    void editorPage(app, tableId, `服务器拒绝了一处修改，表格已按服务器上的内容重新加载，该修改未保存。${reason ? `原因：${reason}` : ''}`)
  }
  // 44xx = the server refused this user/table: no retry (y-websocket stops)
  provider.on('connection-close', (ev: CloseEvent | null) => {
    if (ev && ev.code === 4401) goLogin()
    else if (ev && ev.code === 4403) void editor?.setReadOnly({ reason: '权限已变更' })
    else if (ev && ev.code === 4422) restart(denial())
  })
  commentsProvider.on('connection-close', (ev: CloseEvent | null) => {
    if (ev && ev.code === 4422) restart(commentsDenial())
  })
  try {
    await synced(provider)
  } catch (e) {
    if (restarting) return // the page started over meanwhile
    render(app, h('div', { class: 'tt-page' }, h('p', { class: 'tt-error' }, e instanceof Error ? e.message : String(e))))
    return
  }
  if (restarting) return
  const title = meta.title || meta.content?.header?.projectName || meta.content?.header?.deptName || '绩效目标表'
  const host = h('div', { class: 'tt-host' })
  render(app, h('div', { class: 'tt-editor-page' },
    h('header', { class: 'tt-header' }, h('h1', null, title),
      meta.departmentName ? h('span', { class: 'tt-dept', 'data-testid': 'department' }, meta.departmentName) : null,
      h('span', null, displayName(user), ' · ', h('a', { href: '/tables' }, '返回列表'))),
    notice ? h('p', { class: 'tt-error tt-notice', role: 'alert', 'data-testid': 'refused' }, notice) : null,
    host))
  const readOnly = meta.status === 'approved' ? { reason: '已批复' }
    : user.role === 'viewer' ? { reason: '只读账号' }
    : meta.access?.edit === false ? { reason: meta.access.reason ?? '只读账号' }
    : null
  editor = await mountGridEditor(host, {
    doc,
    commentsDoc,
    awareness: provider.awareness,
    connection,
    user: { id: user.id, name: displayName(user) },
    names: await participants,
    readOnly,
    canComment: meta.access?.comment !== false,
    templateId: TEMPLATE_IDS.includes(meta.template) ? meta.template : undefined,
    round: meta.round ?? 1,
    validate: await loadValidator(),
  })
  const ed = editor
  serverFindings.deliverTo((result) => ed.findings.setServer(result))
  if (restarting) return ed.dispose() // refused while mounting: the new page is already on its way
  window.univerAPI = ed.univerAPI
  // test hooks, the same shape as the dev route's (one editor: index 0)
  window.__tt = {
    ready: true, doc, commentsDoc, editor: ed, editors: [ed], provider, commentsProvider,
    json: () => yDocToJson(doc),
    threads: () => readThreads(commentsDoc),
    findings: () => ed.findings.findings(),
    layout: () => ed.binding.layout,
    rowIds: () => ((yDocToJson(doc).indicators ?? []) as { id: string }[]).map((r) => r.id),
  }
}
