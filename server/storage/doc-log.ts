// The Yjs document store: an append-only update log per (table, room) plus one compacted snapshot.
// A document is loaded as snapshot + the updates after it; compaction folds a prefix of the log away.
import { and, asc, count, eq, gt, inArray, lte, max, sql } from 'drizzle-orm'
import { AppError } from '../../shared/errors.ts'
import type { Db } from '../db/open.ts'
import { mapDbErrors } from '../db/errors.ts'
import { ROOMS, docSnapshots, docUpdates, type Room } from '../db/schema.ts'

export interface UpdateToAppend {
  update: Uint8Array
  /** null for updates the server made itself */
  userId?: string | null
}

export interface StoredUpdate {
  id: number
  update: Uint8Array
  userId: string | null
  createdAt: Date
}

export interface DocSnapshot {
  state: Uint8Array
  /** every update with id ≤ this is folded into `state` */
  lastUpdateId: number
  updatedAt: Date
}

export interface LoadedDoc {
  snapshot: DocSnapshot | null
  /** updates after the snapshot, oldest first */
  updates: StoredUpdate[]
}

export interface DocLogRepository {
  /** stores the updates with one multi-row insert; returns their ids in input order */
  appendUpdates(tableId: string, room: Room, updates: readonly UpdateToAppend[]): Promise<number[]>
  /** the snapshot and the updates after it, read from one consistent view */
  loadDoc(tableId: string, room: Room): Promise<LoadedDoc>
  /** loadDoc of many documents (an export over a department's tables) in one view and two queries; every id given is in the map */
  loadDocs(tableIds: readonly string[], room: Room): Promise<Map<string, LoadedDoc>>
  /**
   * Stores `state` (which must contain the snapshot and every update with id ≤ upToId) and deletes
   * those updates, in one transaction. A compaction older than the stored snapshot is ignored.
   */
  compact(tableId: string, room: Room, state: Uint8Array, upToId: number): Promise<{ compacted: boolean; deleted: number }>
  /** how many updates wait to be compacted, and their size in bytes */
  pending(tableId: string, room: Room): Promise<{ count: number; bytes: number }>
  /**
   * The highest update id folded into the document (snapshot or log; 0 when it has none): it rises
   * with every stored change, from any server process, and compaction keeps it. Caches of derived data
   * (findings) compare it to know they are current.
   */
  version(tableId: string, room: Room): Promise<number>
  /** `version` of many documents in two queries (a table list); every id given is in the map */
  versions(tableIds: readonly string[], room: Room): Promise<Map<string, number>>
}

// Namespace for the per-document advisory locks (first key of pg_advisory_xact_lock(int, int)).
/** Namespace (first key) of the per-document append lock; every writer of doc_updates must take it. */
export const APPEND_LOCK_NAMESPACE = 0x54_54_44_4c // 'TTDL'
// 4 parameters a row; PostgreSQL allows 65 535 parameters in one statement.
const MAX_ROWS_PER_INSERT = 5000
// ids per query of loadDocs: far below the parameter limit, and a department's year fits in one or two
const LOAD_BATCH = 1000

function checkRoom(room: unknown): asserts room is Room {
  if (!(ROOMS as readonly unknown[]).includes(room)) throw new AppError('invalid_input', `文档房间（room）必须是 ${ROOMS.join('、')} 之一`)
}
function checkTableId(tableId: unknown): asserts tableId is string {
  if (typeof tableId !== 'string' || tableId.length === 0) throw new AppError('invalid_input', '表编号（tableId）不能为空')
}

export function createDocLogRepository(db: Db): DocLogRepository {
  async function versions(tableIds: readonly string[], room: Room): Promise<Map<string, number>> {
    for (const id of tableIds) checkTableId(id)
    checkRoom(room)
    const out = new Map(tableIds.map((id) => [id, 0]))
    if (tableIds.length === 0) return out
    const where = (t: typeof docUpdates | typeof docSnapshots) => and(inArray(t.tableId, [...tableIds]), eq(t.room, room))
    const logged = await db.select({ tableId: docUpdates.tableId, id: max(docUpdates.id) }).from(docUpdates).where(where(docUpdates)).groupBy(docUpdates.tableId)
    const snaps = await db.select({ tableId: docSnapshots.tableId, id: docSnapshots.lastUpdateId }).from(docSnapshots).where(where(docSnapshots))
    for (const r of [...logged, ...snaps]) out.set(r.tableId, Math.max(out.get(r.tableId) ?? 0, Number(r.id ?? 0)))
    return out
  }

  return {
    async appendUpdates(tableId, room, updates) {
      checkTableId(tableId)
      checkRoom(room)
      if (updates.length === 0) return []
      const rows = updates.map((u, i) => {
        if (!(u?.update instanceof Uint8Array) || u.update.byteLength === 0) {
          throw new AppError('invalid_input', `第 ${i + 1} 条更新（update）必须是非空的二进制数据`)
        }
        return { tableId, room, update: u.update, userId: u.userId ?? null }
      })
      return mapDbErrors(
        () =>
          db.transaction(async (tx) => {
            // WATCH OUT: identity values are handed out at insert but become visible at commit, so two
            // concurrent appends could commit out of id order, and a compaction that had seen id N
            // would delete a later-committed N-1 it never folded in. Serialising appends per document
            // (lock held from insert to commit) makes "id N visible" imply "every smaller id visible".
            // Every writer of doc_updates must come through here for that to hold.
            await tx.execute(
              sql`select pg_advisory_xact_lock(${sql.raw(String(APPEND_LOCK_NAMESPACE))}, hashtext(${`${tableId}/${room}`}))`,
            )
            const ids: number[] = []
            for (let i = 0; i < rows.length; i += MAX_ROWS_PER_INSERT) {
              const inserted = await tx
                .insert(docUpdates)
                .values(rows.slice(i, i + MAX_ROWS_PER_INSERT))
                .returning({ id: docUpdates.id })
              // RETURNING follows VALUES order for a plain INSERT … VALUES, and the ids rise in that order.
              ids.push(...inserted.map((r) => r.id).sort((a, b) => a - b))
            }
            return ids
          }),
        {
          missingReference: {
            doc_updates_table_id_target_tables_id_fk: `绩效目标表不存在：${tableId}`,
            doc_updates_user_id_users_id_fk: '更新的用户（userId）不存在',
          },
        },
      )
    },

    async loadDoc(tableId, room) {
      checkTableId(tableId)
      checkRoom(room)
      // WATCH OUT: read snapshot and log in one snapshot of the database; otherwise a compaction that
      // commits between the two reads deletes updates this load would then miss.
      return db.transaction(
        async (tx) => {
          const [snap] = await tx
            .select({ state: docSnapshots.state, lastUpdateId: docSnapshots.lastUpdateId, updatedAt: docSnapshots.updatedAt })
            .from(docSnapshots)
            .where(and(eq(docSnapshots.tableId, tableId), eq(docSnapshots.room, room)))
          const updates = await tx
            .select({ id: docUpdates.id, update: docUpdates.update, userId: docUpdates.userId, createdAt: docUpdates.createdAt })
            .from(docUpdates)
            .where(and(eq(docUpdates.tableId, tableId), eq(docUpdates.room, room), gt(docUpdates.id, snap?.lastUpdateId ?? 0)))
            .orderBy(asc(docUpdates.id))
          return { snapshot: snap ?? null, updates }
        },
        { isolationLevel: 'repeatable read', accessMode: 'read only' },
      )
    },

    async loadDocs(tableIds, room) {
      for (const id of tableIds) checkTableId(id)
      checkRoom(room)
      const ids = [...new Set(tableIds)]
      const out = new Map<string, LoadedDoc>(ids.map((id) => [id, { snapshot: null, updates: [] }]))
      if (ids.length === 0) return out
      // WATCH OUT: one repeatable-read view for every document, as in loadDoc, so a compaction cannot
      // delete updates between reading a snapshot and reading the log after it.
      return db.transaction(
        async (tx) => {
          for (let i = 0; i < ids.length; i += LOAD_BATCH) {
            const chunk = ids.slice(i, i + LOAD_BATCH)
            const snaps = await tx
              .select({ tableId: docSnapshots.tableId, state: docSnapshots.state, lastUpdateId: docSnapshots.lastUpdateId, updatedAt: docSnapshots.updatedAt })
              .from(docSnapshots)
              .where(and(inArray(docSnapshots.tableId, chunk), eq(docSnapshots.room, room)))
            for (const { tableId, ...snapshot } of snaps) out.get(tableId)!.snapshot = snapshot
            const updates = await tx
              .select({ tableId: docUpdates.tableId, id: docUpdates.id, update: docUpdates.update, userId: docUpdates.userId, createdAt: docUpdates.createdAt })
              .from(docUpdates)
              .where(and(inArray(docUpdates.tableId, chunk), eq(docUpdates.room, room)))
              .orderBy(asc(docUpdates.tableId), asc(docUpdates.id))
            for (const { tableId, ...update } of updates) {
              const doc = out.get(tableId)!
              if (update.id > (doc.snapshot?.lastUpdateId ?? 0)) doc.updates.push(update)
            }
          }
          return out
        },
        { isolationLevel: 'repeatable read', accessMode: 'read only' },
      )
    },

    async compact(tableId, room, state, upToId) {
      checkTableId(tableId)
      checkRoom(room)
      if (!(state instanceof Uint8Array) || state.byteLength === 0) throw new AppError('invalid_input', '文档状态（state）必须是非空的二进制数据')
      if (!Number.isSafeInteger(upToId) || upToId < 0) throw new AppError('invalid_input', '压缩位置（upToId）必须是非负整数')
      return mapDbErrors(
        () =>
          db.transaction(async (tx) => {
            // Only move forward: a slower compactor holding an older state must not overwrite a newer
            // snapshot whose folded updates are already gone.
            const written = await tx
              .insert(docSnapshots)
              .values({ tableId, room, state, lastUpdateId: upToId, updatedAt: new Date() })
              .onConflictDoUpdate({
                target: [docSnapshots.tableId, docSnapshots.room],
                set: { state, lastUpdateId: upToId, updatedAt: new Date() },
                setWhere: sql`${docSnapshots.lastUpdateId} < excluded.last_update_id`,
              })
              .returning({ lastUpdateId: docSnapshots.lastUpdateId })
            if (written.length === 0) return { compacted: false, deleted: 0 }
            const deleted = await tx
              .delete(docUpdates)
              .where(and(eq(docUpdates.tableId, tableId), eq(docUpdates.room, room), lte(docUpdates.id, upToId)))
              .returning({ id: docUpdates.id })
            return { compacted: true, deleted: deleted.length }
          }),
        { missingReference: `绩效目标表不存在：${tableId}` },
      )
    },

    async pending(tableId, room) {
      checkTableId(tableId)
      checkRoom(room)
      const [snap] = await db
        .select({ lastUpdateId: docSnapshots.lastUpdateId })
        .from(docSnapshots)
        .where(and(eq(docSnapshots.tableId, tableId), eq(docSnapshots.room, room)))
      const [row] = await db
        .select({ count: count(), bytes: sql<string | number | null>`sum(octet_length(${docUpdates.update}))` })
        .from(docUpdates)
        .where(and(eq(docUpdates.tableId, tableId), eq(docUpdates.room, room), gt(docUpdates.id, snap?.lastUpdateId ?? 0)))
      return { count: row?.count ?? 0, bytes: Number(row?.bytes ?? 0) }
    },

    async version(tableId, room) {
      return (await versions([tableId], room)).get(tableId)!
    },

    versions,
  }
}
