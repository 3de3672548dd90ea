// Login throttling per user name and per client address: after a few failures, further attempts
// wait with exponential backoff. The counts live in the database (storage/login-failures.ts), so every
// server process behind a balancer applies the same lock and a restart forgives nothing.
import type { LoginFailureRepository } from '../storage/login-failures.ts'

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

export class LoginThrottle {
  private readonly options: ThrottleOptions
  /** when this process last removed forgotten keys (once per forgetAfterMs is enough) */
  private lastSweep: number

  constructor(private readonly store: LoginFailureRepository, options: Partial<ThrottleOptions> = {}, private readonly now: () => number = Date.now) {
    this.options = { ...DEFAULTS, ...options }
    this.lastSweep = now()
  }

  /** Milliseconds the caller must still wait, for the worst of its keys; 0 when it may try. */
  async retryAfter(keys: readonly string[]): Promise<number> {
    const t = this.now()
    const until = await this.store.lockedUntil(keys, new Date(t))
    return until ? Math.max(0, until.getTime() - t) : 0
  }

  async fail(keys: readonly string[]): Promise<void> {
    const t = this.now()
    const counts = await this.store.countFailure(keys, new Date(t), this.options.forgetAfterMs)
    for (const [key, failures] of counts) {
      const free = key.startsWith('addr:') ? this.options.addressFreeFailures : this.options.freeFailures
      const over = failures - free
      if (over > 0) await this.store.lock(key, new Date(t + Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (over - 1))))
    }
    if (t - this.lastSweep > this.options.forgetAfterMs) {
      this.lastSweep = t
      await this.store.forget(new Date(t - this.options.forgetAfterMs))
    }
  }

  async succeed(keys: readonly string[]): Promise<void> {
    await this.store.clear(keys)
  }
}
