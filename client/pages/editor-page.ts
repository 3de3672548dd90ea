// /tables/<id>: the live grid. Loads the table's metadata (GET /api/tables/:id) and the user
// (GET /api/auth/me), connects the table and comments rooms (y-websocket, CONTRACT → Live documents;
// the table room with `findings=1`, so the server's findings reach the panel) and mounts the editor
// once the table has synced, with the React header (lifecycle) and side panel (rounds, threads, changes,
// history) of ./table/ around it. Read-only as the server's access says; a state change pushed on the
// table socket (type 101), a withdrawn write access or a reconnect re-reads it. When the server refuses
// an edit (close 4422) the page starts over with a fresh document, the server's, and says why. While the
// database is away and the server holds this table's edits unstored (E_UNSAVED, E_STORE_FULL) a banner says so.
import * as Y from 'yjs'
import { WebsocketProvider, messageAuth } from 'y-websocket'
import { readAuthMessage } from 'y-protocols/auth'
import { TEMPLATE_IDS, type TemplateId } from '../../shared/model/index.ts'
import { readThreads, yDocToJson } from '../../shared/ydoc/index.ts'
import { MSG_FINDINGS, readFindingsBody, type TableFindings } from '../../shared/ydoc/findings-message.ts'
import { MSG_TABLE_STATE, readTableStateBody } from '../../shared/ydoc/table-state-message.ts'
import type { TableDetail } from '../../shared/api/tables.ts'
import { api, ApiError, displayName, goLogin, me, token, type User } from '../lib/api.ts'
import { h, render } from '../lib/dom.ts'
import { mountGridEditor, type GridEditor, type ReadOnlyState } from '../grid/editor.ts'
import { mountTablePage, type MountedTablePage } from './table/mount.tsx'
import { TablePageStore } from './table/store.ts'
import { createGridBridge } from './table/grid-bridge.ts'
import { loadValidator } from '../grid/findings.ts'
import type { Connection, ConnectionStatus } from '../grid/presence.ts'

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
function captureDenials(p: WebsocketProvider, onDenied?: (reason: string) => void): () => string | null {
  let last: string | null = null
  p.messageHandlers[messageAuth] = (_encoder, decoder, provider) => {
    readAuthMessage(decoder, provider.doc, (_doc, reason) => {
      last = reason
      onDenied?.(reason)
    })
  }
  return () => last
}

/** The server repeats E_UNSAVED at most this often while the writer edits (server/collab/connection.ts UNSAVED_NOTICE_MS). */
const UNSAVED_REPEAT_MS = 5000
/** How long an edit sent past that interval waits for the notice again before the page counts the condition over. */
const UNSAVED_ANSWER_MS = 3000

/**
 * The database is away and this table's unstored edits passed half the server's hold bound (E_UNSAVED,
 * a notice: the connection stays) or reached it (E_STORE_FULL, close 1013: the edit was refused and the
 * provider re-sends it once reconnected). Shown in `el` while it holds. The server sends no "all
 * stored" message; it repeats E_UNSAVED at most every 5 s while the writer edits and the condition
 * holds, so the banner goes when (a) an edit sent after that interval brings no notice within 3 s, or
 * (b) the provider reconnects and syncs (store-first holds its sync answer until the unstored edits are
 * stored; in relay mode the re-sent edits bring the notice or refusal back if the condition still holds).
 */
function watchUnsaved(p: WebsocketProvider, doc: Y.Doc, el: HTMLElement): { denied(reason: string): void; dispose(): void } {
  let shownAt = 0
  let check: ReturnType<typeof setTimeout> | null = null
  const clear = () => {
    shownAt = 0
    if (check) clearTimeout(check)
    check = null
    el.hidden = true
    el.textContent = ''
    delete el.dataset.code
  }
  const onUpdate = (_u: Uint8Array, origin: unknown) => {
    if (!shownAt || origin === p || check || !p.wsconnected) return
    if (Date.now() - shownAt <= UNSAVED_REPEAT_MS + 500) return
    const asked = shownAt
    check = setTimeout(() => {
      check = null
      if (shownAt === asked) clear()
    }, UNSAVED_ANSWER_MS)
  }
  const onSync = (isSynced: boolean) => { if (isSynced && shownAt) clear() }
  doc.on('update', onUpdate)
  p.on('sync', onSync)
  clear()
  return {
    denied(reason) {
      const code = reason.startsWith('E_UNSAVED') ? 'E_UNSAVED' : reason.startsWith('E_STORE_FULL') ? 'E_STORE_FULL' : null
      if (!code) return
      if (check) clearTimeout(check)
      check = null
      shownAt = Date.now()
      el.dataset.code = code
      el.textContent = reason.slice(reason.indexOf(':') + 1).trim()
      el.hidden = false
    },
    dispose() {
      clear()
      doc.off('update', onUpdate)
      p.off('sync', onSync)
    },
  }
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

/** The server's table-state messages (type 101): the table's status moved, the page reads it again. */
function receiveTableState(p: WebsocketProvider, changed: () => void): void {
  p.messageHandlers[MSG_TABLE_STATE] = (_encoder, decoder) => {
    if (!readTableStateBody(decoder)) return console.error('[collab] malformed table-state message')
    changed()
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
  let detail: TableDetail
  try {
    detail = await api<TableDetail>(`/api/tables/${encodeURIComponent(tableId)}`)
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
  // findings=1: the server pushes its findings (authoritative) and the table's state changes on this socket
  const provider = new WebsocketProvider(wsUrl, tableId, doc, { params: { ...params, findings: '1' } })
  const commentsProvider = new WebsocketProvider(wsUrl, `${tableId}/comments`, commentsDoc, { params })
  sendOwnAwarenessOnly(provider)
  sendOwnAwarenessOnly(commentsProvider)
  // the table's state changed (pushed, a write access withdrawn, a reconnect): the page asks for it again
  let stateChanged = () => {}
  const unsavedBanner = h('p', { class: 'tt-error tt-notice', role: 'status', 'data-testid': 'unsaved' })
  const unsaved = watchUnsaved(provider, doc, unsavedBanner)
  const denial = captureDenials(provider, (reason) => {
    if (reason.startsWith('E_READ_ONLY')) stateChanged()
    unsaved.denied(reason)
  })
  const serverFindings = receiveFindings(provider)
  receiveTableState(provider, () => stateChanged())
  const commentsDenial = captureDenials(commentsProvider)
  const connection = providerConnection(provider)
  let wasConnected = false
  provider.on('status', ({ status }: { status: string }) => {
    if (status === 'connected' && wasConnected) stateChanged() // a state change may have happened while away
    if (status === 'connected') wasConnected = true
  })
  // comment authors by display name, also those not online now (GET /api/tables/:id/participants)
  const participants = api<{ participants?: { id: string; displayName: string }[] }>(`/api/tables/${encodeURIComponent(tableId)}/participants`)
    .then((r) => new Map((r.participants ?? []).map((p) => [p.id, p.displayName])))
    .catch(() => new Map<string, string>())
  let editor: GridEditor | undefined
  let page: MountedTablePage | undefined
  let restarting = false
  /**
   * 4422: the server refused an edit of ours. This document holds it and Yjs cannot unlearn it (a
   * reconnect would send it again), so everything here is dropped and the page starts over from the
   * server's state; edits not yet sent are lost with it, which the notice says.
   */
  const restart = (reason: string | null) => {
    if (restarting) return
    restarting = true
    unsaved.dispose()
    page?.dispose()
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
    else if (ev && ev.code === 4403) { void editor?.setReadOnly({ reason: '权限已变更' }); stateChanged() }
    else if (ev && ev.code === 4422) restart(denial())
  })
  commentsProvider.on('connection-close', (ev: CloseEvent | null) => {
    if (ev && ev.code === 4422) restart(commentsDenial())
  })

  // the header first: status and buttons are there while the grid loads
  const headerRoot = h('div', { class: 'tp-header-root' })
  const host = h('div', { class: 'tt-host' }, h('p', { class: 'tt-loading' }, '正在加载表格…'))
  const sideRoot = h('aside', { class: 'tp-side-root', 'aria-label': '审核面板' })
  render(app, h('div', { class: 'tt-editor-page tp-page' },
    headerRoot,
    notice ? h('p', { class: 'tt-error tt-notice', role: 'alert', 'data-testid': 'refused' }, notice) : null,
    unsavedBanner,
    h('div', { class: 'tp-body' }, host, sideRoot)))
  const store = new TablePageStore(tableId, detail, user, await participants)
  page = mountTablePage(store, headerRoot)
  try {
    await synced(provider)
  } catch (e) {
    if (restarting) return // the page started over meanwhile
    page.dispose()
    render(app, h('div', { class: 'tt-page' }, h('p', { class: 'tt-error' }, e instanceof Error ? e.message : String(e))))
    return
  }
  if (restarting) return
  const d = store.get().detail
  editor = await mountGridEditor(host, {
    doc,
    commentsDoc,
    awareness: provider.awareness,
    connection,
    user: { id: user.id, name: displayName(user) },
    names: store.get().names as Map<string, string>,
    readOnly: readOnlyOf(d, user),
    canComment: d.access.comment,
    canResolve: user.role === 'finance' || user.role === 'consultant',
    templateId: TEMPLATE_IDS.includes(d.template as TemplateId) ? (d.template as TemplateId) : undefined,
    round: Math.max(1, d.round),
    validate: await loadValidator(),
  })
  const ed = editor
  serverFindings.deliverTo((result) => ed.findings.setServer(result))
  if (restarting) return ed.dispose() // refused while mounting: the new page is already on its way
  store.grid = createGridBridge(ed, commentsDoc)
  let shownReadOnly = JSON.stringify(readOnlyOf(d, user))
  store.onDetail = (next) => {
    ed.setRound(Math.max(1, next.round))
    const ro = readOnlyOf(next, user)
    if (JSON.stringify(ro) === shownReadOnly) return
    shownReadOnly = JSON.stringify(ro)
    void ed.setReadOnly(ro)
  }
  stateChanged = () => void store.reload()
  // a change that landed between the first read and now
  void store.reload()
  page.mountPanel(sideRoot)
  window.univerAPI = ed.univerAPI
  // test hooks, the same shape as the dev route's (one editor: index 0)
  window.__tt = {
    ready: true, doc, commentsDoc, editor: ed, editors: [ed], provider, commentsProvider, store,
    json: () => yDocToJson(doc),
    threads: () => readThreads(commentsDoc),
    findings: () => ed.findings.findings(),
    layout: () => ed.binding.layout,
    rowIds: () => ((yDocToJson(doc).indicators ?? []) as { id: string }[]).map((r) => r.id),
  }
}

/** What the grid allows the caller now: nothing to edit unless the server says so (access.edit). */
function readOnlyOf(d: TableDetail, user: User): ReadOnlyState | null {
  if (d.access.edit) return null
  const reason = d.status === 'approved' ? '已批复' : user.role === 'viewer' ? '只读账号' : d.access.reason ?? '只读账号'
  return { reason, comment: d.access.comment }
}
