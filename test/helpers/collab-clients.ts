// Clients for collaboration tests: the official y-websocket WebsocketProvider (ws polyfill) with the
// server's denials, closes and findings recorded, and a raw socket for sending arbitrary frames.
import * as Y from 'yjs'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as decoding from 'lib0/decoding'
import * as authProtocol from 'y-protocols/auth'
import { MSG_AUTH, MSG_FINDINGS, encodeSyncStep1 } from '../../server/collab/protocol.ts'

export interface TestClient {
  doc: Y.Doc
  provider: WebsocketProvider
  /** permission-denied reasons received */
  denials: string[]
  /** `closed` events (a 44xx close: the provider stopped) */
  closes: { code: number; reason: string }[]
  /** every close of the socket, including transient ones */
  socketCloses: number[]
  findings: unknown[]
  synced(ms?: number): Promise<void>
  destroy(): void
}

type Handler = (encoder: unknown, decoder: decoding.Decoder, provider: WebsocketProvider, emitSynced: boolean, type: number) => void

export function connectClient(url: string, room: string, token: string | undefined, opts: { params?: Record<string, string>; doc?: Y.Doc } = {}): TestClient {
  const doc = opts.doc ?? new Y.Doc()
  const params: Record<string, string> = { ...(token ? { token } : {}), ...opts.params }
  const provider = new WebsocketProvider(url, room, doc, { WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket, params, disableBc: true, maxBackoffTime: 300 })
  const client: TestClient = {
    doc,
    provider,
    denials: [],
    closes: [],
    socketCloses: [],
    findings: [],
    synced: (ms = 10_000) => waitFor(() => provider.synced, ms, `${room} sync`),
    destroy: () => {
      provider.destroy()
    },
  }
  const handlers = (provider as unknown as { messageHandlers: Handler[] }).messageHandlers
  handlers[MSG_AUTH] = (_e, decoder) => authProtocol.readAuthMessage(decoder, doc, (_d, reason) => client.denials.push(reason))
  handlers[MSG_FINDINGS] = (_e, decoder) => client.findings.push(JSON.parse(decoding.readVarString(decoder)))
  provider.on('closed', (e: { code: number; reason: string }) => client.closes.push(e))
  provider.on('connection-close', (e: { code: number } | null) => client.socketCloses.push(e?.code ?? 0))
  return client
}

export function waitFor(pred: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now()
    const tick = () => {
      if (pred()) return resolve()
      if (Date.now() - t0 > ms) return reject(new Error(`timed out after ${ms} ms waiting for ${what}`))
      setTimeout(tick, 5)
    }
    tick()
  })
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export interface RawClient {
  ws: WebSocket
  received: Uint8Array[]
  close: Promise<{ code: number; reason: string }>
  open: Promise<void>
  send(frame: Uint8Array): void
}

/** A bare socket speaking whatever bytes the test sends; opens with a sync step 1 unless told not to. */
export function rawClient(url: string, room: string, token: string, opts: { step1?: boolean } = {}): RawClient {
  const ws = new WebSocket(`${url}/${room}?token=${encodeURIComponent(token)}`)
  ws.binaryType = 'arraybuffer'
  const received: Uint8Array[] = []
  const open = new Promise<void>((resolve, reject) => {
    ws.once('open', () => {
      if (opts.step1 !== false) ws.send(encodeSyncStep1(new Y.Doc()))
      resolve()
    })
    ws.once('error', reject)
  })
  ws.on('error', () => {})
  ws.on('message', (data: ArrayBuffer) => received.push(new Uint8Array(data)))
  const close = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })))
  return {
    ws,
    received,
    close,
    open,
    send(frame) {
      if (ws.readyState === WebSocket.OPEN) ws.send(frame)
    },
  }
}
