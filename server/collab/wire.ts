// Sending one message to many sockets. A broadcast goes to every connection of a room with the same
// bytes, and server frames are never masked, so the WebSocket frame (header + payload) is built once
// per message by ws's own framing function and written to each socket as one buffer: one `write` per
// receiver instead of ws.send's header allocation, cork, two writes and writev. Socket writes were
// half of the server's CPU under load (bench/README.md → collab.ts).
import * as wsModule from 'ws'
import type { WebSocket } from 'ws'

// ws exports its Sender (wrapper.mjs) but @types/ws does not declare it
const { Sender } = wsModule as unknown as { Sender: { frame(data: Buffer, options: typeof FRAME_OPTIONS): Buffer[] } }

/** What a `ws` WebSocket holds underneath (ws 8: the net.Socket the frames go to). */
interface WsInternals {
  _socket?: { write(data: Buffer): boolean; destroyed?: boolean }
  _sender?: { _state?: number; _queue?: unknown[] }
}

const FRAME_OPTIONS = { fin: true, rsv1: false, opcode: 0x02, mask: false, readOnly: false }

// one-entry cache: a broadcast sends the same Uint8Array to every connection in a row
let lastPayload: Uint8Array | null = null
let lastWire: Buffer | null = null

/** The whole WebSocket frame of a binary message, built once per distinct payload in a row. */
export function wireFrame(payload: Uint8Array): Buffer {
  if (payload === lastPayload && lastWire) return lastWire
  const data = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)
  const parts = Sender.frame(data, FRAME_OPTIONS)
  const wire = parts.length === 1 ? parts[0]! : Buffer.concat(parts)
  lastPayload = payload
  lastWire = wire
  return wire
}

/**
 * Sends a binary message on an open `ws` socket; false when it cannot take the fast path (not open, or
 * ws has frames of its own queued — then the caller uses ws.send, which keeps them in order).
 * WATCH OUT: relies on ws 8's private `_socket`/`_sender` (pinned in package.json). Without
 * permessage-deflate (never enabled here) ws queues nothing, so writing to the socket directly keeps
 * frame order with ws's own sends (close frames).
 */
export function sendBinary(ws: WebSocket, payload: Uint8Array): boolean {
  if (ws.readyState !== 1) return false
  const inner = ws as unknown as WsInternals
  const socket = inner._socket
  const sender = inner._sender
  if (!socket || socket.destroyed || (sender && (sender._state !== 0 || (sender._queue?.length ?? 0) > 0))) return false
  socket.write(wireFrame(payload))
  return true
}
