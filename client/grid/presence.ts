// Presence: who else is in the table (a bar of names in their colours), the cell each of them has
// selected (outlined in their colour, found by row id + field, not by grid address), and the state
// of the live connection. Awareness state: {user:{id,name,color}, cursor:{rowId?, field?}}.
import type { Awareness } from 'y-protocols/awareness'
import type { FUniver } from '@univerjs/core/facade'
import { h, render } from '../lib/dom.ts'
import type { GridBinding } from './binding.ts'
import { anchorKey, anchorOf } from './comments.ts'

export type ConnectionStatus = 'connected' | 'connecting' | 'disconnected'

/** The live connection as the editor sees it (y-websocket provider, or the in-page link of the dev route). */
export interface Connection {
  status(): ConnectionStatus
  subscribe(fn: (s: ConnectionStatus) => void): () => void
}

export interface PresenceUser { id: string; name: string; color: string }
interface PeerState { user?: PresenceUser; cursor?: { rowId?: string; field?: string } }

export interface PresenceOptions {
  api: FUniver
  binding: GridBinding
  awareness: Awareness
  user: PresenceUser
  connection?: Connection
}

export interface PresenceController {
  readonly element: HTMLElement
  peers(): PeerState[]
  dispose(): void
}

const PALETTE = ['#d4380d', '#1677ff', '#389e0d', '#c41d7f', '#d48806', '#08979c', '#531dab', '#7c5a00']

/** A stable colour per user id when the server gives none. */
export function colorFor(id: string): string {
  let h = 0
  for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) >>> 0
  return PALETTE[h % PALETTE.length]!
}

function rgba(hex: string, a: number): string {
  const n = parseInt(hex.replace('#', ''), 16)
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`
}

export function mountPresence(o: PresenceOptions): PresenceController {
  const { api, binding, awareness } = o
  const chips = h('div', { class: 'tt-peers' })
  const status = h('div', { class: 'tt-connection', 'data-testid': 'connection' })
  const element = h('div', { class: 'tt-presence', 'data-testid': 'presence' }, chips, status)
  let highlights: { dispose(): void }[] = []

  awareness.setLocalStateField('user', o.user)

  const remote = (): PeerState[] => [...awareness.getStates().entries()]
    .filter(([id, s]) => id !== awareness.clientID && (s as PeerState).user)
    .map(([, s]) => s as PeerState)

  const paint = () => {
    const peers = remote()
    render(chips,
      h('span', { class: 'tt-peer tt-self', style: `--c:${o.user.color}`, title: '我' }, `${o.user.name}（我）`),
      peers.map((p) => h('span', { class: 'tt-peer', style: `--c:${p.user!.color}`, 'data-user': p.user!.id }, p.user!.name)))
    for (const d of highlights.splice(0)) d.dispose()
    const ws = binding.worksheet
    if (!ws) return
    for (const p of peers) {
      if (!p.cursor) continue
      const pos = binding.layout.anchors.get(anchorKey(p.cursor))
      if (!pos) continue
      const m = binding.layout.merges.find((x) => x.startRow === pos.row && x.startColumn === pos.col)
      const range = m ? ws.getRange(m.startRow, m.startColumn, m.endRow - m.startRow + 1, m.endColumn - m.startColumn + 1) : ws.getRange(pos.row, pos.col)
      highlights.push(ws.highlightRanges([range], { stroke: p.user!.color, fill: rgba(p.user!.color, 0.1), strokeWidth: 2, widgets: {} }))
    }
  }

  const paintStatus = (s: ConnectionStatus) => {
    status.className = `tt-connection tt-${s}`
    status.textContent = s === 'connected' ? '已连接' : s === 'connecting' ? '正在连接…' : '连接已断开，正在重连（修改暂存在本机，恢复后自动同步）'
  }

  // WATCH OUT: the facade's SelectionChanged only fires when added after the sheet's render unit exists;
  // the set-selections operation is seen for every selection change, however it was made.
  const onSelect = api.addEvent(api.Event.CommandExecuted, (ev) => {
    if (ev.id !== 'sheet.operation.set-selections' || (ev.params as { unitId?: string } | undefined)?.unitId !== binding.unitId) return
    const cell = binding.activeCell()
    if (!cell || !cell.cell.anchor) return
    const cursor = anchorOf(cell.cell.anchor)
    if (cursor.field?.startsWith('label:')) return // form furniture: nothing to point a colleague at
    const prev = (awareness.getLocalState() as PeerState | null)?.cursor
    if (prev && anchorKey(prev) === anchorKey(cursor)) return
    awareness.setLocalStateField('cursor', cursor)
  })
  awareness.on('change', paint)
  const offRender = binding.onRender(paint)
  const offStatus = o.connection?.subscribe(paintStatus)
  paintStatus(o.connection?.status() ?? 'connected')
  paint()

  return {
    element,
    peers: remote,
    dispose() {
      onSelect.dispose()
      awareness.off('change', paint)
      offRender()
      offStatus?.()
      for (const d of highlights.splice(0)) d.dispose()
    },
  }
}
