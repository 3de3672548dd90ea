// Sign-in sessions and account security as the API answers them: finance lists and revokes a user's
// sessions, resets a password or disables an account; anyone changes their own password. A session is
// named by its id only — the token is handed out once at sign-in and never shown again.
import { z } from 'zod'
import { isoTime } from './common.ts'
import { publicUser } from './directory.ts'

/** the same bounds the user store enforces (server/storage/users.ts) */
export const PASSWORD_MIN = 8
export const PASSWORD_MAX = 256

const password = (label: string) =>
  z
    .string({ error: `${label}必须是文本` })
    .min(PASSWORD_MIN, { error: `${label}至少 ${PASSWORD_MIN} 个字符` })
    .max(PASSWORD_MAX, { error: `${label}不能超过 ${PASSWORD_MAX} 个字符` })

export const sessionSummary = z.object({
  /** the session's id (not its token) */
  id: z.string(),
  createdAt: isoTime,
  /** the last request seen with it (recorded at most once a minute) */
  lastSeenAt: isoTime,
  /** the absolute end: sign-in plus SESSION_MAX_HOURS */
  expiresAt: isoTime,
  /** when it ends if unused until then: lastSeenAt plus SESSION_IDLE_MINUTES (never after expiresAt) */
  idleExpiresAt: isoTime,
  /** the address it signed in from, when known */
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  /** true for the session of the request that asked */
  current: z.boolean(),
})
export type SessionSummary = z.infer<typeof sessionSummary>

export const sessionListAnswer = z.object({ sessions: z.array(sessionSummary) })
export type SessionListAnswer = z.infer<typeof sessionListAnswer>

/** how many live sessions were ended */
export const revokeAnswer = z.object({ revoked: z.number().int() })
export type RevokeAnswer = z.infer<typeof revokeAnswer>

/** PATCH /api/users/:id: disabling ends every session and live connection of the user */
export const userPatchBody = z.strictObject(
  { disabled: z.boolean({ error: '停用（disabled）应为 true 或 false' }) },
  { error: (i) => (i.code === 'unrecognized_keys' ? `不能修改的字段：${i.keys.join('、')}` : '请求体必须是 JSON 对象') },
)
export type UserPatchBody = z.infer<typeof userPatchBody>

export const userAnswer = publicUser.extend({ disabled: z.boolean(), revoked: z.number().int() })
export type UserAnswer = z.infer<typeof userAnswer>

/** PUT /api/users/:id/password (finance resets a password): every session of the user ends */
export const passwordResetBody = z.object({ password: password('新密码（password）') })
export type PasswordResetBody = z.infer<typeof passwordResetBody>

/** POST /api/auth/password (one's own): the other sessions end, this one stays */
export const passwordChangeBody = z.object({
  oldPassword: z.string({ error: '请输入原密码（oldPassword）' }).min(1, { error: '请输入原密码（oldPassword）' }).max(PASSWORD_MAX, { error: '原密码（oldPassword）过长' }),
  newPassword: password('新密码（newPassword）'),
})
export type PasswordChangeBody = z.infer<typeof passwordChangeBody>
