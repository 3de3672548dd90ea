import { describe, expect, it } from 'vitest'
import { LoginThrottle } from '../../server/auth/throttle.ts'

describe('LoginThrottle', () => {
  it('lets a few failures pass, then doubles the wait per further failure', () => {
    let now = 0
    const t = new LoginThrottle({ freeFailures: 2, baseDelayMs: 1000 }, () => now)
    const keys = ['user:a']
    t.fail(keys)
    t.fail(keys)
    expect(t.retryAfter(keys)).toBe(0)
    t.fail(keys)
    expect(t.retryAfter(keys)).toBe(1000)
    t.fail(keys)
    expect(t.retryAfter(keys)).toBe(2000)
    now += 2000
    expect(t.retryAfter(keys)).toBe(0)
  })

  it('allows an address more failures than a user name and forgets on success', () => {
    const t = new LoginThrottle({ freeFailures: 1, addressFreeFailures: 3 }, () => 0)
    t.fail(['user:a', 'addr:1.2.3.4'])
    t.fail(['user:a', 'addr:1.2.3.4'])
    expect(t.retryAfter(['user:a'])).toBeGreaterThan(0)
    expect(t.retryAfter(['addr:1.2.3.4'])).toBe(0)
    t.succeed(['user:a'])
    expect(t.retryAfter(['user:a'])).toBe(0)
  })
})
