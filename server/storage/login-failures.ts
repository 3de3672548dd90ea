// The login throttle's counts (login_failures), shared by every server process: failures are counted by
// one statement per attempt, so two processes failing the same key at once both count; the policy (how many
// are free, how long a lock lasts) is server/auth/throttle.ts's.
import { and, eq, gt, inArray, lt, max, sql } from 'drizzle-orm'
import type { Db } from '../db/open.ts'
import { loginFailures } from '../db/schema.ts'

export interface LoginFailureRepository {
  /** the latest time until which one of `keys` is locked, or null when none is locked at `now` */
  lockedUntil(keys: readonly string[], now: Date): Promise<Date | null>
  /**
   * Counts one failure for each key: a key whose last failure is older than `forgetAfterMs` starts again
   * at 1. Returns each key's count after this failure.
   */
  countFailure(keys: readonly string[], now: Date, forgetAfterMs: number): Promise<Map<string, number>>
  /** locks `key` until `until`, never shortening a lock already set */
  lock(key: string, until: Date): Promise<void>
  /** forgets the keys' failures (a success) */
  clear(keys: readonly string[]): Promise<void>
  /** forgets failures older than `before`; returns how many keys went */
  forget(before: Date): Promise<number>
}

export function createLoginFailureRepository(db: Db): LoginFailureRepository {
  return {
    async lockedUntil(keys, now) {
      if (keys.length === 0) return null
      const [row] = await db
        .select({ until: max(loginFailures.lockedUntil) })
        .from(loginFailures)
        .where(and(inArray(loginFailures.key, [...keys]), gt(loginFailures.lockedUntil, now)))
      return row?.until ?? null
    },

    async countFailure(keys, now, forgetAfterMs) {
      const unique = [...new Set(keys)]
      if (unique.length === 0) return new Map()
      const since = new Date(now.getTime() - forgetAfterMs)
      const rows = await db
        .insert(loginFailures)
        .values(unique.map((key) => ({ key, failures: 1, lockedUntil: new Date(0), lastFailure: now })))
        .onConflictDoUpdate({
          target: loginFailures.key,
          set: {
            failures: sql`case when ${loginFailures.lastFailure} > ${since.toISOString()}::timestamptz then ${loginFailures.failures} + 1 else 1 end`,
            lastFailure: now,
          },
        })
        .returning({ key: loginFailures.key, failures: loginFailures.failures })
      return new Map(rows.map((r) => [r.key, r.failures]))
    },

    async lock(key, until) {
      await db
        .update(loginFailures)
        .set({ lockedUntil: sql`greatest(${loginFailures.lockedUntil}, ${until.toISOString()}::timestamptz)` })
        .where(eq(loginFailures.key, key))
    },

    async clear(keys) {
      if (keys.length === 0) return
      await db.delete(loginFailures).where(inArray(loginFailures.key, [...keys]))
    },

    async forget(before) {
      const gone = await db.delete(loginFailures).where(lt(loginFailures.lastFailure, before)).returning({ key: loginFailures.key })
      return gone.length
    },
  }
}
