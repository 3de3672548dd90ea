// Login throttling per user name and per client address: after a few failures, further attempts
// wait with exponential backoff. In-memory and per process (a restart forgives; good enough for login).
export interface ThrottleOptions {
  /** failures allowed per user name before delays start */
  freeFailures: number
  /** failures allowed per client address (`addr:` keys): higher, since an office shares one NAT address */
  addressFreeFailures: number
  /** first lockout, doubled per further failure */
  baseDelayMs: number
  maxDelayMs: number
  /** failures are forgotten after this long without one */
  forgetAfterMs: number
}

const DEFAULTS: ThrottleOptions = { freeFailures: 5, addressFreeFailures: 30, baseDelayMs: 1_000, maxDelayMs: 15 * 60_000, forgetAfterMs: 60 * 60_000 }

interface Entry { failures: number; lockedUntil: number; lastFailure: number }

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>()
  private readonly options: ThrottleOptions
  constructor(options: Partial<ThrottleOptions> = {}, private readonly now: () => number = Date.now) {
    this.options = { ...DEFAULTS, ...options }
  }

  /** Milliseconds the caller must still wait, for the worst of its keys; 0 when it may try. */
  retryAfter(keys: readonly string[]): number {
    const t = this.now()
    let wait = 0
    for (const key of keys) {
      const e = this.entries.get(key)
      if (e && e.lockedUntil > t) wait = Math.max(wait, e.lockedUntil - t)
    }
    return wait
  }

  fail(keys: readonly string[]): void {
    const t = this.now()
    for (const key of keys) {
      const prev = this.entries.get(key)
      const e = prev && t - prev.lastFailure < this.options.forgetAfterMs ? prev : { failures: 0, lockedUntil: 0, lastFailure: t }
      e.failures++
      e.lastFailure = t
      const free = key.startsWith('addr:') ? this.options.addressFreeFailures : this.options.freeFailures
      const over = e.failures - free
      if (over > 0) e.lockedUntil = t + Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (over - 1))
      this.entries.set(key, e)
    }
    if (this.entries.size > 100_000) this.sweep(t)
  }

  succeed(keys: readonly string[]): void {
    for (const key of keys) this.entries.delete(key)
  }

  private sweep(t: number) {
    for (const [key, e] of this.entries) if (t - e.lastFailure > this.options.forgetAfterMs) this.entries.delete(key)
  }
}
