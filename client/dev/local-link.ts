// Dev/test stand-in for the y-websocket connection: links two peers' Y.Docs (table + comments) and
// awarenesses in one page. `disconnect()` stops the traffic like a dropped socket; `connect()`
// exchanges what each side missed (state-vector diff), as y-websocket's resync does.
import * as Y from 'yjs'
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness'
import type { Connection, ConnectionStatus } from '../grid/presence.ts'

const WIRE = Symbol('wire')

export interface Peer {
  doc: Y.Doc
  commentsDoc: Y.Doc
  awareness: Awareness
  connection: Connection
}

export class LocalLink {
  readonly a: Peer
  readonly b: Peer
  /** update messages that crossed the link (an edit should cost one, not an echo) */
  messages = 0
  private state: ConnectionStatus = 'connected'
  private subs = new Set<(s: ConnectionStatus) => void>()

  constructor(docA: Y.Doc, commentsA: Y.Doc) {
    const docB = new Y.Doc()
    Y.applyUpdate(docB, Y.encodeStateAsUpdate(docA), WIRE)
    const commentsB = new Y.Doc()
    Y.applyUpdate(commentsB, Y.encodeStateAsUpdate(commentsA), WIRE)
    const connection: Connection = {
      status: () => this.state,
      subscribe: (fn) => { this.subs.add(fn); return () => this.subs.delete(fn) },
    }
    this.a = { doc: docA, commentsDoc: commentsA, awareness: new Awareness(docA), connection }
    this.b = { doc: docB, commentsDoc: commentsB, awareness: new Awareness(docB), connection }
    this.pipe(docA, docB)
    this.pipe(docB, docA)
    this.pipe(commentsA, commentsB)
    this.pipe(commentsB, commentsA)
    this.pipeAwareness(this.a.awareness, this.b.awareness)
    this.pipeAwareness(this.b.awareness, this.a.awareness)
  }

  status(): ConnectionStatus {
    return this.state
  }

  disconnect(): void {
    this.set('disconnected')
  }

  connect(): void {
    // resync both ways: each side sends what the other's state vector lacks
    for (const [x, y] of [[this.a.doc, this.b.doc], [this.a.commentsDoc, this.b.commentsDoc]] as const) {
      Y.applyUpdate(y, Y.encodeStateAsUpdate(x, Y.encodeStateVector(y)), WIRE)
      Y.applyUpdate(x, Y.encodeStateAsUpdate(y, Y.encodeStateVector(x)), WIRE)
    }
    this.set('connected')
    for (const [from, to] of [[this.a.awareness, this.b.awareness], [this.b.awareness, this.a.awareness]] as const) {
      applyAwarenessUpdate(to, encodeAwarenessUpdate(from, [from.clientID]), WIRE)
    }
  }

  private set(s: ConnectionStatus): void {
    this.state = s
    for (const fn of this.subs) fn(s)
  }

  private pipe(from: Y.Doc, to: Y.Doc): void {
    from.on('update', (u: Uint8Array, origin: unknown) => {
      if (origin === WIRE || this.state !== 'connected') return
      this.messages++
      Y.applyUpdate(to, u, WIRE)
    })
  }

  private pipeAwareness(from: Awareness, to: Awareness): void {
    from.on('update', ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
      if (origin === WIRE || this.state !== 'connected') return
      applyAwarenessUpdate(to, encodeAwarenessUpdate(from, [...added, ...updated, ...removed]), WIRE)
    })
  }
}
