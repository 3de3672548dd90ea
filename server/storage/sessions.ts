// Sign-in sessions: a random bearer token handed out once; only its SHA-256 is stored.
// Lookup refuses expired and revoked sessions and sessions of disabled users.
import { createHash, randomBytes } from 'node:crypto'
import { and, eq, getTableColumns, isNotNull, isNull, lt, or, sql } from 'drizzle-orm'
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
  /** the live session and its (enabled) user, or null */
  lookup(token: string, now?: Date): Promise<{ session: Session; user: User } | null>
  /** true when a live session was revoked */
  revoke(token: string, now?: Date): Promise<boolean>
  revokeById(id: string, now?: Date): Promise<boolean>
  /** revokes every live session of a user (password change, disabling); returns how many */
  revokeAllForUser(userId: string, now?: Date): Promise<number>
  /** removes sessions that expired or were revoked before `before`; returns how many */
  deleteStale(before?: Date): Promise<number>
}

export const DEFAULT_SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000
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
              ip: options.ip ?? null,
              userAgent: options.userAgent?.slice(0, 500) ?? null,
            })
            .returning(),
        { missingReference: `用户不存在：${userId}` },
      )
      return { token, session: session! }
    },

    async lookup(token, now = new Date()) {
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
      const user: User = { ...u, departmentIds: row.departmentIds ?? [] }
      return { session, user }
    },

    async revoke(token, now = new Date()) {
      const rows = await db
        .update(sessions)
        .set({ revokedAt: now })
        .where(and(eq(sessions.tokenHash, hashToken(token)), isNull(sessions.revokedAt)))
        .returning({ id: sessions.id })
      return rows.length > 0
    },

    async revokeById(sessionId, now = new Date()) {
      const rows = await db
        .update(sessions)
        .set({ revokedAt: now })
        .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
        .returning({ id: sessions.id })
      return rows.length > 0
    },

    async revokeAllForUser(userId, now = new Date()) {
      const rows = await db
        .update(sessions)
        .set({ revokedAt: now })
        .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)))
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
