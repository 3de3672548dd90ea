// Sign-in sessions: a random bearer token handed out once; only its SHA-256 is stored.
// Lookup refuses expired (absolute or idle), revoked sessions and sessions of disabled users, and
// records when a session was last seen, writing at most once a minute per session.
import { createHash, randomBytes } from 'node:crypto'
import { and, desc, eq, getTableColumns, gt, isNotNull, isNull, lt, lte, ne, or, sql } from 'drizzle-orm'
import { AppError } from '../../shared/errors.ts'
import type { Db } from '../db/open.ts'
import { mapDbErrors } from '../db/errors.ts'
import { sessions, userDepartments, users } from '../db/schema.ts'
import { publicColumns, type User } from './users.ts'

export type Session = typeof sessions.$inferSelect

export interface NewSessionOptions {
  /** lifetime in ms (default DEFAULT_SESSION_TTL_MS) */
  ttlMs?: number
  ip?: string | null
  userAgent?: string | null
  now?: Date
}

export interface SessionRepository {
  /** the raw token is returned here and nowhere else */
  create(userId: string, options?: NewSessionOptions): Promise<{ token: string; session: Session }>
  /**
   * the live session and its (enabled) user, or null. A session unseen for `idleMs` (default
   * DEFAULT_SESSION_IDLE_MS) is over; a found session's lastSeenAt is moved to `now` when it is at
   * least TOUCH_INTERVAL_MS old (so at most one write a minute per session, whatever the traffic).
   */
  lookup(token: string, now?: Date, idleMs?: number): Promise<{ session: Session; user: User } | null>
  /** a user's live sessions (not revoked, not expired, not idle past `idleMs`), the last seen first */
  listForUser(userId: string, now?: Date, idleMs?: number): Promise<Session[]>
  /** sets when a session was last seen (tests and tools; lookup does it by itself) */
  setLastSeen(sessionId: string, at: Date): Promise<boolean>
  /** true when a live session was revoked */
  revoke(token: string, now?: Date): Promise<boolean>
  /** revokes one session; with `userId`, only when it is that user's. True when a live session was revoked */
  revokeById(id: string, now?: Date, userId?: string): Promise<boolean>
  /** revokes every live session of a user (password change, disabling) but `except`; returns how many */
  revokeAllForUser(userId: string, now?: Date, options?: { except?: string }): Promise<number>
  /** removes sessions that expired or were revoked before `before`; returns how many */
  deleteStale(before?: Date): Promise<number>
}

export const DEFAULT_SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000
export const DEFAULT_SESSION_IDLE_MS = 8 * 60 * 60 * 1000
/** lastSeenAt is written when it is at least this old, so a busy session costs one write a minute */
export const TOUCH_INTERVAL_MS = 60 * 1000
const TOKEN_BYTES = 32

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

/** 32 random bytes, base64url: 43 URL- and cookie-safe characters. */
export function newSessionToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url')
}

export function createSessionRepository(db: Db): SessionRepository {
  return {
    async create(userId, options = {}) {
      const now = options.now ?? new Date()
      const ttlMs = options.ttlMs ?? DEFAULT_SESSION_TTL_MS
      if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new AppError('invalid_input', '会话有效期（ttlMs）必须是正数')
      const token = newSessionToken()
      const [session] = await mapDbErrors(
        () =>
          db
            .insert(sessions)
            .values({
              tokenHash: hashToken(token),
              userId,
              createdAt: now,
              expiresAt: new Date(now.getTime() + ttlMs),
              lastSeenAt: now,
              ip: options.ip ?? null,
              userAgent: options.userAgent?.slice(0, 500) ?? null,
            })
            .returning(),
        { missingReference: `用户不存在：${userId}` },
      )
      return { token, session: session! }
    },

    async lookup(token, now = new Date(), idleMs = DEFAULT_SESSION_IDLE_MS) {
      // A wrong-shaped token cannot match; skip the query.
      if (typeof token !== 'string' || token.length === 0 || token.length > 200) return null
      // One round trip: every REST request and socket upgrade starts here, and three queries one after
      // another (session, user, the user's departments) were most of a socket's time to open.
      const [row] = await db
        .select({
          session: getTableColumns(sessions),
          user: publicColumns,
          departmentIds: sql<string[] | null>`(select array_agg(${userDepartments.departmentId} order by ${userDepartments.departmentId}) from ${userDepartments} where ${userDepartments.userId} = ${users.id})`,
        })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(eq(sessions.tokenHash, hashToken(token)))
      if (!row) return null
      const { session, user: u } = row
      if (session.revokedAt || session.expiresAt.getTime() <= now.getTime() || u.disabled) return null
      if (session.lastSeenAt.getTime() + idleMs <= now.getTime()) return null
      const user: User = { ...u, departmentIds: row.departmentIds ?? [] }
      if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
        // conditional, so concurrent requests of one session mostly write once
        await db
          .update(sessions)
          .set({ lastSeenAt: now })
          .where(and(eq(sessions.id, session.id), lte(sessions.lastSeenAt, new Date(now.getTime() - TOUCH_INTERVAL_MS))))
        return { session: { ...session, lastSeenAt: now }, user }
      }
      return { session, user }
    },

    async listForUser(userId, now = new Date(), idleMs = DEFAULT_SESSION_IDLE_MS) {
      return db
        .select()
        .from(sessions)
        .where(
          and(
            eq(sessions.userId, userId),
            isNull(sessions.revokedAt),
            gt(sessions.expiresAt, now),
            gt(sessions.lastSeenAt, new Date(now.getTime() - idleMs)),
          ),
        )
        .orderBy(desc(sessions.lastSeenAt), desc(sessions.createdAt))
    },

    async setLastSeen(sessionId, at) {
      const rows = await db.update(sessions).set({ lastSeenAt: at }).where(eq(sessions.id, sessionId)).returning({ id: sessions.id })
      return rows.length > 0
    },

    async revoke(token, now = new Date()) {
      const rows = await db
        .update(sessions)
        .set({ revokedAt: now })
        .where(and(eq(sessions.tokenHash, hashToken(token)), isNull(sessions.revokedAt)))
        .returning({ id: sessions.id })
      return rows.length > 0
    },

    async revokeById(sessionId, now = new Date(), userId) {
      const rows = await db
        .update(sessions)
        .set({ revokedAt: now })
        .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt), userId === undefined ? undefined : eq(sessions.userId, userId)))
        .returning({ id: sessions.id })
      return rows.length > 0
    },

    async revokeAllForUser(userId, now = new Date(), options = {}) {
      const rows = await db
        .update(sessions)
        .set({ revokedAt: now })
        .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), options.except === undefined ? undefined : ne(sessions.id, options.except)))
        .returning({ id: sessions.id })
      return rows.length
    },

    async deleteStale(before = new Date()) {
      const rows = await db
        .delete(sessions)
        .where(or(lt(sessions.expiresAt, before), and(isNotNull(sessions.revokedAt), lt(sessions.revokedAt, before))))
        .returning({ id: sessions.id })
      return rows.length
    },
  }
}
