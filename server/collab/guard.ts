// Checks every incoming frame before it can count: frame size, message rate per connection, and what an
// update put into the room's document (only our Yjs types under our root). Write access is checked by
// the connection; the structure of the result by table-shape/comments-shape, run by the room.
import * as Y from 'yjs'

export interface GuardLimits {
  /** frames above this are cut off by ws itself (maxPayload → close 1009) */
  maxFrameBytes: number
  /** a single Yjs update (also a client's whole sync step 2) */
  maxUpdateBytes: number
  maxAwarenessBytes: number
  /** token bucket: sustained messages per second and burst; beyond it messages wait */
  ratePerSecond: number
  rateBurst: number
  /** arrivals within one second at which the socket is cut off */
  cutoffPerSecond: number
  /** messages waiting for tokens before the socket is cut off */
  maxQueuedMessages: number
}

export const DEFAULT_LIMITS: GuardLimits = Object.freeze({
  maxFrameBytes: 1024 * 1024,
  maxUpdateBytes: 1024 * 1024,
  maxAwarenessBytes: 64 * 1024,
  ratePerSecond: 100,
  rateBurst: 200,
  cutoffPerSecond: 1000,
  maxQueuedMessages: 1000,
})

export type RateVerdict = 'now' | 'wait' | 'cutoff'

/**
 * Token bucket with a hard ceiling. Messages over the bucket are delayed, never dropped (a dropped
 * Yjs update would make the sender diverge); a client that keeps sending at `cutoffPerSecond` is abusive.
 */
export class RateLimiter {
  private tokens: number
  private last: number
  private windowStart: number
  private windowCount = 0

  constructor(
    private readonly limits: Pick<GuardLimits, 'ratePerSecond' | 'rateBurst' | 'cutoffPerSecond'>,
    now = performance.now(),
  ) {
    this.tokens = limits.rateBurst
    this.last = now
    this.windowStart = now
  }

  /** Counts one arrival. */
  arrive(now = performance.now()): RateVerdict {
    if (now - this.windowStart >= 1000) {
      this.windowStart = now
      this.windowCount = 0
    }
    this.windowCount++
    if (this.windowCount >= this.limits.cutoffPerSecond) return 'cutoff'
    return this.take(now) ? 'now' : 'wait'
  }

  /** Takes a token for a message that waited; false when none yet. */
  take(now = performance.now()): boolean {
    this.tokens = Math.min(this.limits.rateBurst, this.tokens + ((now - this.last) * this.limits.ratePerSecond) / 1000)
    this.last = now
    if (this.tokens >= 1) {
      this.tokens -= 1
      return true
    }
    return false
  }

  /** Milliseconds until the next token. */
  waitMs(): number {
    return Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.limits.ratePerSecond))
  }
}

const ALLOWED_CONTENT = new Set<unknown>([Y.ContentAny, Y.ContentString, Y.ContentType, Y.ContentDeleted])
const ALLOWED_TYPES = new Set<unknown>([Y.Map, Y.Array, Y.Text])

/**
 * What an update put into the document, read from the structs the transaction integrated (cheaper
 * than decoding the update first: the document it was applied to is rebuilt on refusal anyway).
 * Refuses content our layout never uses: sub-documents, binary, embeds, formatting, XML types, and
 * roots other than `roots`. Returns the reason, or null.
 * WATCH OUT: structs still waiting for missing dependencies are not integrated yet; they are checked
 * by the transaction that integrates them.
 */
export function inspectIntegrated(doc: Y.Doc, tr: Y.Transaction, roots: readonly string[]): string | null {
  if (doc.share.size > roots.length) {
    for (const [name, type] of doc.share) if (!roots.includes(name) && (type._start !== null || type._map.size > 0)) return `root ${name}`
  }
  let found: string | null = null
  someClientGrew(tr, (client, before) => (found = foreignContent(doc, client, before)) !== null)
  return found
}

/**
 * Whether the transaction added structs of some client; with `stop`, calls it for each such client
 * (with the client's clock before the transaction) until it returns true.
 * WATCH OUT: forEach, not for…of: the state maps hold every client the document has ever seen, and
 * iterating entries allocates an array per client per update (a quarter of the garbage of an edit).
 */
export function someClientGrew(tr: Y.Transaction, stop: (client: number, before: number) => boolean = () => true): boolean {
  let done = false
  tr.afterState.forEach((after, client) => {
    if (done) return
    const before = tr.beforeState.get(client) ?? 0
    if (after > before) done = stop(client, before)
  })
  return done
}

/** The first struct of `client` from `clock` on that is not allowed content, or null. */
function foreignContent(doc: Y.Doc, client: number, clock: number): string | null {
  const structs = doc.store.clients.get(client)
  if (!structs) return null
  for (let i = Y.findIndexSS(structs, clock); i < structs.length; i++) {
    const s = structs[i]
    if (!(s instanceof Y.Item)) continue
    const kind = (s.content as object).constructor
    if (!ALLOWED_CONTENT.has(kind)) return `content ${kind.name}`
    if (kind === Y.ContentType) {
      const typeKind = ((s.content as Y.ContentType).type as object).constructor
      if (!ALLOWED_TYPES.has(typeKind)) return `type ${typeKind.name}`
    }
  }
  return null
}
