// Where live documents are stored: the DocPersistence interface the collaboration core depends on,
// and its implementation over the storage layer's update log (server/storage/doc-log.ts).
import { sql } from 'drizzle-orm'
import { toAppError } from '../db/errors.ts'
import type { Storage } from '../storage/index.ts'
import type { RoomKind } from './room.ts'

export interface LoadedDocState {
  snapshot: Uint8Array | null
  /** updates after the snapshot, oldest first */
  updates: Uint8Array[]
  /** highest update id folded into snapshot + updates (0 when none); the compaction bound after a load */
  lastId?: number
}

export interface StoredItem {
  update: Uint8Array
  /** who made it; null for the server's own changes */
  userId: string | null
}

export interface DocItem extends StoredItem {
  tableId: string
  room: RoomKind
}

export interface DocPersistence {
  load(tableId: string, room: RoomKind): Promise<LoadedDocState>
  /** appends in one write and returns the ids in input order */
  append(tableId: string, room: RoomKind, items: StoredItem[]): Promise<number[]>
  /** optional: updates of many documents in one write (group commit across rooms); ids in input order */
  appendMany?(items: DocItem[]): Promise<number[]>
  /** stores `state` (holding every update with id ≤ upToId) and drops those updates */
  compact(tableId: string, room: RoomKind, state: Uint8Array, upToId: number): Promise<void>
}

export interface DocLogPersistenceOptions {
  /**
   * false: append with `synchronous_commit = off`. The commit returns before the WAL reaches disk, so
   * a crash of the app server loses nothing, and a crash of PostgreSQL itself (or the machine) may lose
   * the last ≈0.6 s (3 × wal_writer_delay) of edits — clients still holding them re-send them when they
   * reconnect. On this machine an fsync costs 2–12 ms, which every edit would otherwise wait for before
   * it is broadcast. Recommended for PostgreSQL. Keep true (the default) for PGlite: it runs inside
   * the server process, so WAL that is not written out dies with it.
   */
  synchronousCommit?: boolean
}

export function createDocLogPersistence(storage: Pick<Storage, 'docLog' | 'db'>, opts: DocLogPersistenceOptions = {}): DocPersistence {
  const { docLog } = storage
  const relaxed = opts.synchronousCommit === false
  const appendMany = async (items: DocItem[]): Promise<number[]> => {
    try {
      return await appendAll(items)
    } catch (err) {
      // the same codes the repository gives, so the committer can tell a deleted table from an outage
      throw toAppError(err, {
        missingReference: { doc_updates_table_id_target_tables_id_fk: '绩效目标表不存在', doc_updates_user_id_users_id_fk: '更新的用户（userId）不存在' },
      })
    }
  }
  return {
    async load(tableId, room) {
      const loaded = await docLog.loadDoc(tableId, room)
      const updates = loaded.updates.map((u) => u.update)
      const lastUpdate = loaded.updates[loaded.updates.length - 1]
      const lastId = lastUpdate?.id ?? loaded.snapshot?.lastUpdateId ?? 0
      return { snapshot: loaded.snapshot?.state ?? null, updates, lastId }
    },
    append(tableId, room, items) {
      return appendMany(items.map((it) => ({ ...it, tableId, room })))
    },
    appendMany,
    async compact(tableId, room, state, upToId) {
      // A refused (older) compaction is fine: a newer snapshot already holds at least as much.
      await docLog.compact(tableId, room, state, upToId)
    },
  }

  /**
   * One statement, so one round trip: on this machine each socket write costs more than the insert,
   * and a transaction (begin, set, lock, insert, commit) took five of them per batch.
   * WATCH OUT: mirrors doc-log.ts's per-document append lock (namespace 'TTDL', hashtext of
   * "<tableId>/<room>"), held from insert to commit so that "id N visible" implies every smaller id of
   * that document is visible (compaction relies on it). Locks are taken in sorted order so two
   * multi-document appends cannot deadlock. Keep in step with doc-log.ts.
   */
  async function appendAll(items: DocItem[]): Promise<number[]> {
    const ids: number[] = []
    for (let i = 0; i < items.length; i += MAX_ROWS_PER_STATEMENT) ids.push(...(await appendStatement(items.slice(i, i + MAX_ROWS_PER_STATEMENT))))
    return ids
  }

  async function appendStatement(items: DocItem[]): Promise<number[]> {
    const keys = [...new Set(items.map((it) => `${it.tableId}/${it.room}`))].sort()
    const values = sql.join(
      items.map((it, i) => sql`(${i}::int, ${it.tableId}::text, ${it.room}::text, ${it.update}::bytea, ${it.userId}::text)`),
      sql`, `,
    )
    const relax = relaxed ? sql`, relax as (select set_config('synchronous_commit', 'off', true) as v)` : sql``
    const relaxJoin = relaxed ? sql` cross join relax` : sql``
    const result = await storage.db.execute(sql`
      with locks as (
        select count(pg_advisory_xact_lock(${sql.raw(String(APPEND_LOCK_NAMESPACE))}, hashtext(k))) as n
        from (select k from unnest(array[${sql.join(keys.map((k) => sql`${k}`), sql`, `)}]::text[]) as k order by k) as ordered
      )${relax}
      insert into "doc_updates" ("table_id", "room", "update", "user_id")
      select v.table_id, v.room, v.upd, v.user_id
      from (values ${values}) as v(ord, table_id, room, upd, user_id) cross join locks${relaxJoin}
      order by v.ord
      returning "id"`)
    // rows come back as an array (postgres.js) or under .rows (PGlite)
    const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { id: number | string }[]
    // identity values are handed out in insertion order, which follows ORDER BY ord
    return rows.map((r) => Number(r.id)).sort((a, b) => a - b)
  }
}

const APPEND_LOCK_NAMESPACE = 0x54_54_44_4c // 'TTDL', as in doc-log.ts
// 5 parameters a row; PostgreSQL allows 65 535 in one statement
const MAX_ROWS_PER_STATEMENT = 5000

/** In-memory persistence for unit tests of the core (no database): same contract, ids rise globally. */
export function createMemoryPersistence(): DocPersistence & { docs: Map<string, { snapshot: Uint8Array | null; lastId: number; log: { id: number; update: Uint8Array; userId: string | null }[] }> } {
  const docs = new Map<string, { snapshot: Uint8Array | null; lastId: number; log: { id: number; update: Uint8Array; userId: string | null }[] }>()
  let nextId = 1
  const get = (tableId: string, room: RoomKind) => {
    const key = `${tableId}/${room}`
    let d = docs.get(key)
    if (!d) docs.set(key, (d = { snapshot: null, lastId: 0, log: [] }))
    return d
  }
  return {
    docs,
    async load(tableId, room) {
      const d = get(tableId, room)
      return { snapshot: d.snapshot, updates: d.log.map((e) => e.update), lastId: d.log[d.log.length - 1]?.id ?? d.lastId }
    },
    async append(tableId, room, items) {
      const d = get(tableId, room)
      return items.map((it) => {
        const id = nextId++
        d.log.push({ id, update: it.update, userId: it.userId })
        return id
      })
    },
    async compact(tableId, room, state, upToId) {
      const d = get(tableId, room)
      if (upToId < d.lastId) return
      d.snapshot = state
      d.lastId = upToId
      d.log = d.log.filter((e) => e.id > upToId)
    },
  }
}
