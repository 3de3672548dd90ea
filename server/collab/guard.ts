// Checks every incoming frame before it can touch a document: frame and update size, message rate per
// connection, write access, and what an update contains (only our Yjs types under our root). The
// structural check of the resulting document is the room's (shadow doc + table-shape/comments-shape).
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

export type UpdateVerdict =
  | { ok: true; empty: boolean }
  | { ok: false; code: 'malformed' | 'too_large' | 'forbidden_content'; detail: string }

const ALLOWED_CONTENT = new Set<unknown>([Y.ContentAny, Y.ContentString, Y.ContentType, Y.ContentDeleted])
const ALLOWED_TYPES = new Set<unknown>([Y.Map, Y.Array, Y.Text])

/**
 * Decodes an update without applying it (Y.applyUpdate integrates structs before it reads the delete
 * set, so garbage at the end of an update would leave a half-applied document) and refuses content
 * our layout never uses: sub-documents, binary, embeds, formatting, XML types, foreign roots.
 */
export function inspectUpdate(update: Uint8Array, roots: readonly string[], limits: GuardLimits): UpdateVerdict {
  if (update.byteLength > limits.maxUpdateBytes) return { ok: false, code: 'too_large', detail: `update of ${update.byteLength} bytes` }
  let decoded: { structs: (Y.Item | Y.GC | Y.Skip)[]; ds: { clients: Map<number, unknown> } }
  try {
    decoded = Y.decodeUpdate(update) as unknown as typeof decoded
  } catch (err) {
    return { ok: false, code: 'malformed', detail: err instanceof Error ? err.message : String(err) }
  }
  for (const s of decoded.structs) {
    if (!(s instanceof Y.Item)) continue
    const kind = (s.content as object).constructor
    if (!ALLOWED_CONTENT.has(kind)) return { ok: false, code: 'forbidden_content', detail: `content ${kind.name}` }
    if (kind === Y.ContentType) {
      const typeKind = ((s.content as Y.ContentType).type as object).constructor
      if (!ALLOWED_TYPES.has(typeKind)) return { ok: false, code: 'forbidden_content', detail: `type ${typeKind.name}` }
    }
    if (typeof s.parent === 'string' && !roots.includes(s.parent)) return { ok: false, code: 'forbidden_content', detail: `root ${s.parent}` }
  }
  return { ok: true, empty: decoded.structs.length === 0 && decoded.ds.clients.size === 0 }
}
