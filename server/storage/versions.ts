// Frozen table content (批复 / end of a review round): an immutable row per (table, version),
// fingerprinted by the SHA-256 of its canonical JSON so equal content always hashes the same.
import { createHash } from 'node:crypto'
import { and, asc, desc, eq } from 'drizzle-orm'
import { z } from 'zod'
import { AppError } from '../../shared/errors.ts'
import type { Db } from '../db/open.ts'
import { mapDbErrors } from '../db/errors.ts'
import { VERSION_REASONS, tableVersions, type VersionReason } from '../db/schema.ts'
import { id, nonNegativeInt, oneOf, parseInput, positiveInt } from './input.ts'

export type TableVersion = typeof tableVersions.$inferSelect
export type TableVersionSummary = Omit<TableVersion, 'content'>

export interface NewVersion {
  tableId: string
  version: number
  round: number
  reason: VersionReason
  content: unknown
  createdBy?: string | null
}

export interface VersionRepository {
  freeze(input: NewVersion): Promise<TableVersion>
  /** every version of a table without content, oldest first */
  list(tableId: string): Promise<TableVersionSummary[]>
  get(tableId: string, version: number): Promise<TableVersion | null>
  latest(tableId: string): Promise<TableVersion | null>
}

/**
 * JSON with object keys sorted (by UTF-16 code unit) at every depth and no whitespace. Follows
 * JSON.stringify for `toJSON`, undefined (dropped in objects, null in arrays) and -0 (written 0).
 * WATCH OUT: jsonb does not keep key order, so hashing JSON.stringify of stored content would not
 * be stable; always hash through this.
 */
export function canonicalJson(value: unknown): string {
  const out = write(value)
  if (out === undefined) throw new AppError('invalid_input', '冻结内容（content）必须是 JSON 值')
  return out
}

function write(value: unknown): string | undefined {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: () => unknown }).toJSON()
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'boolean':
      return value ? 'true' : 'false'
    case 'number':
      // jsonb cannot hold NaN or Infinity, and JSON.stringify would silently turn them into null.
      if (!Number.isFinite(value)) throw new AppError('invalid_input', '冻结内容（content）含有非有限数值')
      return JSON.stringify(value)
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined
    case 'bigint':
      throw new AppError('invalid_input', '冻结内容（content）不能含有 bigint')
    case 'object': {
      if (value === null) return 'null'
      if (Array.isArray(value)) return `[${value.map((v) => write(v) ?? 'null').join(',')}]`
      const keys = Object.keys(value).sort()
      const parts: string[] = []
      for (const k of keys) {
        const v = write((value as Record<string, unknown>)[k])
        if (v !== undefined) parts.push(`${JSON.stringify(k)}:${v}`)
      }
      return `{${parts.join(',')}}`
    }
  }
  return undefined
}

export function contentHash(content: unknown): string {
  return createHash('sha256').update(canonicalJson(content), 'utf8').digest('hex')
}

const newVersionSchema = z.object({
  tableId: id('表编号（tableId）'),
  version: positiveInt('版本（version）'),
  round: positiveInt('轮次（round）'),
  reason: oneOf('冻结原因（reason）', VERSION_REASONS),
  content: z.unknown(),
  createdBy: id('冻结人（createdBy）').nullish(),
})

const summaryColumns = {
  id: tableVersions.id,
  tableId: tableVersions.tableId,
  version: tableVersions.version,
  round: tableVersions.round,
  reason: tableVersions.reason,
  hash: tableVersions.hash,
  createdBy: tableVersions.createdBy,
  createdAt: tableVersions.createdAt,
}

export function createVersionRepository(db: Db): VersionRepository {
  return {
    async freeze(input) {
      const data = parseInput(newVersionSchema, input)
      const canonical = canonicalJson(data.content)
      const hash = createHash('sha256').update(canonical, 'utf8').digest('hex')
      const [row] = await mapDbErrors(
        () =>
          db
            .insert(tableVersions)
            // Stored from the canonical text so what is kept is exactly what was hashed (no undefined, no -0).
            .values({ tableId: data.tableId, version: data.version, round: data.round, reason: data.reason, content: JSON.parse(canonical), hash, createdBy: data.createdBy ?? null })
            .returning(),
        {
          conflict: `版本 ${data.version} 已存在，不能重复冻结`,
          missingReference: {
            table_versions_table_id_target_tables_id_fk: `绩效目标表不存在：${data.tableId}`,
            table_versions_created_by_users_id_fk: '冻结人（createdBy）不存在',
          },
          invalid: '冻结内容（content）无法保存，请检查是否含有非法字符',
        },
      )
      return row!
    },

    list(tableId) {
      return db.select(summaryColumns).from(tableVersions).where(eq(tableVersions.tableId, tableId)).orderBy(asc(tableVersions.version))
    },

    async get(tableId, version) {
      const v = parseInput(nonNegativeInt('版本（version）'), version)
      const [row] = await db.select().from(tableVersions).where(and(eq(tableVersions.tableId, tableId), eq(tableVersions.version, v)))
      return row ?? null
    },

    async latest(tableId) {
      const [row] = await db.select().from(tableVersions).where(eq(tableVersions.tableId, tableId)).orderBy(desc(tableVersions.version)).limit(1)
      return row ?? null
    },
  }
}
