// User accounts: argon2id password hashes, roles, the departments a user belongs to, disabling.
// Never returns the password hash; verifyPassword is the only thing that reads it.
import { and, asc, eq, inArray } from 'drizzle-orm'
// @node-rs/argon2: maintained, ships prebuilt binaries inside the npm package (no node-gyp, no
// compiler on the server), and its default algorithm is argon2id with OWASP's recommended costs.
import { hash, verify } from '@node-rs/argon2'
import { z } from 'zod'
import { AppError } from '../../shared/errors.ts'
import type { Db } from '../db/open.ts'
import { mapDbErrors } from '../db/errors.ts'
import { ROLES, userDepartments, users, type Role } from '../db/schema.ts'
import { id, notFound, oneOf, parseInput, requiredText } from './input.ts'

export interface User {
  id: string
  username: string
  displayName: string
  role: Role
  disabled: boolean
  createdAt: Date
  departmentIds: string[]
}

export interface NewUser {
  id?: string
  username: string
  password: string
  /** defaults to the username */
  displayName?: string
  role: Role
  departmentIds?: readonly string[]
}

export interface UserRepository {
  create(input: NewUser): Promise<User>
  get(id: string): Promise<User | null>
  getByUsername(username: string): Promise<User | null>
  list(filter?: { role?: Role; departmentId?: string }): Promise<User[]>
  /** the user when the password matches and the account is enabled; null otherwise (same for unknown users) */
  verifyPassword(username: string, password: string): Promise<User | null>
  setPassword(id: string, password: string): Promise<void>
  setDisabled(id: string, disabled: boolean): Promise<User>
  update(id: string, patch: { displayName?: string; role?: Role }): Promise<User>
  /** replaces the user's departments */
  setDepartments(id: string, departmentIds: readonly string[]): Promise<User>
}

export const MIN_PASSWORD_LENGTH = 8
// argon2 cost grows with input length; a cap keeps one request from costing seconds of CPU.
const MAX_PASSWORD_LENGTH = 256

const USERNAME = requiredText('用户名（username）', 64)
const PASSWORD = z
  .string({ error: '密码（password）必须是文本' })
  .min(MIN_PASSWORD_LENGTH, { error: `密码（password）至少 ${MIN_PASSWORD_LENGTH} 个字符` })
  .max(MAX_PASSWORD_LENGTH, { error: `密码（password）不能超过 ${MAX_PASSWORD_LENGTH} 个字符` })
const DISPLAY_NAME = requiredText('姓名（displayName）', 100)
const ROLE = oneOf('角色（role）', ROLES)
const DEPARTMENT_IDS = z.array(id('所属部门（departmentIds）'), { error: '所属部门（departmentIds）必须是列表' })

const newUserSchema = z.object({
  id: id('用户编号（id）').optional(),
  username: USERNAME,
  password: PASSWORD,
  displayName: DISPLAY_NAME.optional(),
  role: ROLE,
  departmentIds: DEPARTMENT_IDS.optional(),
})

const MESSAGES = { conflict: '用户名（username）已存在', missingReference: '所属部门（departmentIds）中有不存在的部门' }

type UserRow = typeof users.$inferSelect

/** The columns of a user that leave the repository (never the password hash). */
export const publicColumns = {
  id: users.id,
  username: users.username,
  displayName: users.displayName,
  role: users.role,
  disabled: users.disabled,
  createdAt: users.createdAt,
}

// A fixed hash to verify against when the username is unknown, so both failures cost the same time.
let dummyHash: Promise<string> | undefined
function getDummyHash(): Promise<string> {
  dummyHash ??= hash('target-tables: no such user')
  return dummyHash
}

export function createUserRepository(db: Db): UserRepository {
  async function withDepartments(rows: Omit<UserRow, 'passwordHash'>[]): Promise<User[]> {
    if (rows.length === 0) return []
    const links = await db
      .select()
      .from(userDepartments)
      .where(inArray(userDepartments.userId, rows.map((r) => r.id)))
      .orderBy(asc(userDepartments.departmentId))
    return rows.map((r) => ({
      id: r.id,
      username: r.username,
      displayName: r.displayName,
      role: r.role,
      disabled: r.disabled,
      createdAt: r.createdAt,
      departmentIds: links.filter((l) => l.userId === r.id).map((l) => l.departmentId),
    }))
  }

  async function get(userId: string): Promise<User | null> {
    const rows = await db.select(publicColumns).from(users).where(eq(users.id, userId))
    return (await withDepartments(rows))[0] ?? null
  }

  async function require(userId: string): Promise<User> {
    const user = await get(userId)
    if (!user) throw notFound('用户', userId)
    return user
  }

  return {
    async create(input) {
      const data = parseInput(newUserSchema, input)
      const passwordHash = await hash(data.password)
      const departmentIds = [...new Set(data.departmentIds ?? [])]
      const userId = await mapDbErrors(
        () =>
          db.transaction(async (tx) => {
            const [row] = await tx
              .insert(users)
              .values({
                ...(data.id ? { id: data.id } : {}),
                username: data.username,
                passwordHash,
                displayName: data.displayName ?? data.username,
                role: data.role,
              })
              .returning({ id: users.id })
            if (departmentIds.length > 0) {
              await tx.insert(userDepartments).values(departmentIds.map((departmentId) => ({ userId: row!.id, departmentId })))
            }
            return row!.id
          }),
        MESSAGES,
      )
      return require(userId)
    },

    get,

    async getByUsername(username) {
      const rows = await db.select(publicColumns).from(users).where(eq(users.username, username.trim()))
      return (await withDepartments(rows))[0] ?? null
    },

    async list(filter = {}) {
      const conditions = []
      if (filter.role) conditions.push(eq(users.role, filter.role))
      let query = db.select(publicColumns).from(users).$dynamic()
      if (filter.departmentId) {
        query = query.innerJoin(userDepartments, eq(userDepartments.userId, users.id))
        conditions.push(eq(userDepartments.departmentId, filter.departmentId))
      }
      const rows = await query.where(and(...conditions)).orderBy(asc(users.username))
      return withDepartments(rows)
    },

    async verifyPassword(username, password) {
      if (typeof username !== 'string' || typeof password !== 'string' || password.length > MAX_PASSWORD_LENGTH) return null
      const [row] = await db.select().from(users).where(eq(users.username, username.trim()))
      if (!row) {
        await verify(await getDummyHash(), password).catch(() => false)
        return null
      }
      const ok = await verify(row.passwordHash, password).catch(() => false)
      if (!ok || row.disabled) return null
      return (await withDepartments([row]))[0] ?? null
    },

    async setPassword(userId, password) {
      const passwordHash = await hash(parseInput(PASSWORD, password))
      const rows = await db.update(users).set({ passwordHash }).where(eq(users.id, userId)).returning({ id: users.id })
      if (rows.length === 0) throw notFound('用户', userId)
    },

    async setDisabled(userId, disabled) {
      const rows = await db.update(users).set({ disabled: disabled === true }).where(eq(users.id, userId)).returning({ id: users.id })
      if (rows.length === 0) throw notFound('用户', userId)
      return require(userId)
    },

    async update(userId, patch) {
      const data = parseInput(z.object({ displayName: DISPLAY_NAME.optional(), role: ROLE.optional() }), patch)
      if (data.displayName !== undefined || data.role !== undefined) {
        const rows = await db.update(users).set(data).where(eq(users.id, userId)).returning({ id: users.id })
        if (rows.length === 0) throw notFound('用户', userId)
      }
      return require(userId)
    },

    async setDepartments(userId, departmentIds) {
      const ids = [...new Set(parseInput(DEPARTMENT_IDS, departmentIds))]
      await mapDbErrors(
        () =>
          db.transaction(async (tx) => {
            const [row] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for('update')
            if (!row) throw notFound('用户', userId)
            await tx.delete(userDepartments).where(eq(userDepartments.userId, userId))
            if (ids.length > 0) await tx.insert(userDepartments).values(ids.map((departmentId) => ({ userId, departmentId })))
          }),
        MESSAGES,
      )
      return require(userId)
    },
  }
}

/** Throws unless the role is known; for callers holding a role from outside (HTTP, config). */
export function assertRole(role: unknown): Role {
  if (typeof role === 'string' && (ROLES as readonly string[]).includes(role)) return role as Role
  throw new AppError('invalid_input', `角色（role）必须是 ${ROLES.join('、')} 之一`)
}
