// The y-websocket wire codec: decodes one client frame into a typed message (never throws) and
// encodes the server's frames. Built on y-protocols/lib0 so it stays byte-compatible with
// WebsocketProvider; message type 100 (findings) is ours and only sent to clients that asked for it.
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import * as syncProtocol from 'y-protocols/sync'
import * as authProtocol from 'y-protocols/auth'
import * as awarenessProtocol from 'y-protocols/awareness'
import { MSG_FINDINGS, writeFindingsMessage } from '../../shared/ydoc/findings-message.ts'

export const MSG_SYNC = 0
export const MSG_AWARENESS = 1
export const MSG_AUTH = 2
export const MSG_QUERY_AWARENESS = 3
/** Ours: JSON findings of the rule engine (shared/ydoc/findings-message.ts), opt-in. */
export { MSG_FINDINGS }

export type ClientMessage =
  | { type: 'sync-step1'; stateVector: Uint8Array }
  | { type: 'sync-step2'; update: Uint8Array }
  | { type: 'sync-update'; update: Uint8Array }
  | { type: 'awareness'; update: Uint8Array }
  | { type: 'query-awareness' }
  /** a client has no business sending auth messages; decoded so they can be ignored knowingly */
  | { type: 'auth' }

export interface ProtocolError {
  code: 'malformed' | 'unknown_type' | 'trailing_bytes'
  detail: string
}

export type DecodeResult = { ok: true; msg: ClientMessage } | { ok: false; error: ProtocolError }

function malformed(detail: string): DecodeResult {
  return { ok: false, error: { code: 'malformed', detail } }
}

/**
 * Reads one frame. lib0 throws on truncated varints and arrays; every throw becomes a typed error.
 * WATCH OUT: this checks framing only; an update's own bytes are checked by `inspectUpdate` (guard).
 */
export function decodeClientMessage(frame: Uint8Array): DecodeResult {
  try {
    const decoder = decoding.createDecoder(frame)
    if (!decoding.hasContent(decoder)) return malformed('empty frame')
    const type = decoding.readVarUint(decoder)
    let msg: ClientMessage
    switch (type) {
      case MSG_SYNC: {
        const sub = decoding.readVarUint(decoder)
        const payload = decoding.readVarUint8Array(decoder)
        if (sub === syncProtocol.messageYjsSyncStep1) msg = { type: 'sync-step1', stateVector: payload }
        else if (sub === syncProtocol.messageYjsSyncStep2) msg = { type: 'sync-step2', update: payload }
        else if (sub === syncProtocol.messageYjsUpdate) msg = { type: 'sync-update', update: payload }
        else return malformed(`unknown sync message ${sub}`)
        break
      }
      case MSG_AWARENESS:
        msg = { type: 'awareness', update: decoding.readVarUint8Array(decoder) }
        break
      case MSG_QUERY_AWARENESS:
        msg = { type: 'query-awareness' }
        break
      case MSG_AUTH:
        decoding.readVarUint(decoder)
        decoding.readVarString(decoder)
        msg = { type: 'auth' }
        break
      default:
        return { ok: false, error: { code: 'unknown_type', detail: `message type ${type}` } }
    }
    if (decoding.hasContent(decoder)) return { ok: false, error: { code: 'trailing_bytes', detail: `${frame.length - decoder.pos} bytes after the message` } }
    return { ok: true, msg }
  } catch (err) {
    return malformed(err instanceof Error ? err.message : String(err))
  }
}

/** Decodes a state vector without throwing. */
export function safeStateVector(sv: Uint8Array): Map<number, number> | null {
  try {
    const map = Y.decodeStateVector(sv)
    return map
  } catch {
    return null
  }
}

export interface AwarenessEntry {
  clientId: number
  clock: number
  state: unknown
}

/** Decodes an awareness update (count, then clientID/clock/JSON per entry) without throwing. */
export function decodeAwarenessUpdate(update: Uint8Array): AwarenessEntry[] | null {
  try {
    const decoder = decoding.createDecoder(update)
    const n = decoding.readVarUint(decoder)
    const out: AwarenessEntry[] = []
    for (let i = 0; i < n; i++) {
      const clientId = decoding.readVarUint(decoder)
      const clock = decoding.readVarUint(decoder)
      const state: unknown = JSON.parse(decoding.readVarString(decoder))
      out.push({ clientId, clock, state })
    }
    if (decoding.hasContent(decoder)) return null
    return out
  } catch {
    return null
  }
}

// ---- server → client frames

export function encodeSyncStep1(doc: Y.Doc): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MSG_SYNC)
  syncProtocol.writeSyncStep1(e, doc)
  return encoding.toUint8Array(e)
}

/** Step 2: what `doc` has that the holder of `stateVector` misses (everything when omitted). */
export function encodeSyncStep2(doc: Y.Doc, stateVector?: Uint8Array): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MSG_SYNC)
  syncProtocol.writeSyncStep2(e, doc, stateVector)
  return encoding.toUint8Array(e)
}

/** Step 2 carrying an update the caller already holds (the stored bytes of an unchanged document). */
export function encodeSyncStep2FromUpdate(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MSG_SYNC)
  encoding.writeVarUint(e, syncProtocol.messageYjsSyncStep2)
  encoding.writeVarUint8Array(e, update)
  return encoding.toUint8Array(e)
}

export function encodeUpdate(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MSG_SYNC)
  syncProtocol.writeUpdate(e, update)
  return encoding.toUint8Array(e)
}

export function encodeAwarenessMessage(awarenessUpdate: Uint8Array): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MSG_AWARENESS)
  encoding.writeVarUint8Array(e, awarenessUpdate)
  return encoding.toUint8Array(e)
}

export function encodeAwarenessStates(awareness: awarenessProtocol.Awareness, clients: number[]): Uint8Array {
  return encodeAwarenessMessage(awarenessProtocol.encodeAwarenessUpdate(awareness, clients))
}

export function encodeQueryAwareness(): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MSG_QUERY_AWARENESS)
  return encoding.toUint8Array(e)
}

/** Auth permission-denied with a reason; WebsocketProvider only warns, the close code is what stops it. */
export function encodePermissionDenied(reason: string): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MSG_AUTH)
  authProtocol.writePermissionDenied(e, reason)
  return encoding.toUint8Array(e)
}

/** Findings frame: varUint 100, then a JSON string. */
export function encodeFindings(payload: unknown): Uint8Array {
  const e = encoding.createEncoder()
  writeFindingsMessage(e, payload)
  return encoding.toUint8Array(e)
}

/** For clients (the grid, tests): reads a findings frame; null when it is not one. */
export function decodeFindings(frame: Uint8Array): unknown {
  try {
    const d = decoding.createDecoder(frame)
    if (decoding.readVarUint(d) !== MSG_FINDINGS) return null
    return JSON.parse(decoding.readVarString(d)) as unknown
  } catch {
    return null
  }
}
