// Where live documents are stored: the DocPersistence interface the collaboration core depends on,
// and its implementation over the storage layer's update log (server/storage/doc-log.ts).
import * as Y from 'yjs'
import { sql } from 'drizzle-orm'
import { toAppError } from '../db/errors.ts'
import type { Storage } from '../storage/index.ts'
import type { RoomKind } from './room.ts'
import { APPEND_LOCK_NAMESPACE } from '../storage/doc-log.ts'
import { executeRows } from '../db/execute.ts'

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
  /**
   * true: overlapping appendMany calls are stored in call order (ids rise in call order and the calls
   * settle in that order), so the committer may send a write before the last one has come back.
   */
  ordered?: boolean
  /** stores `state` (holding every update with id ≤ upToId) and drops those updates */
  compact(tableId: string, room: RoomKind, state: Uint8Array, upToId: number): Promise<void>
  /** optional: gives back what the persistence holds of the database (collab.shutdown, after the last write) */
  close?(): Promise<void>
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

/** What we use of a postgres.js client: prepared statements, and one connection of its own. */
interface PostgresJs {
  unsafe(q: string, p: unknown[], o: { prepare: boolean }): Promise<unknown[]>
  reserve?(): Promise<PostgresJs & { release(): void }>
}

export function createDocLogPersistence(storage: Pick<Storage, 'docLog' | 'db'>, opts: DocLogPersistenceOptions = {}): DocPersistence {
  const { docLog } = storage
  const relaxed = opts.synchronousCommit === false
  const client = (storage.db as unknown as { $client?: unknown }).$client as
    | (Partial<PostgresJs> & { query?: (q: string, p: unknown[]) => Promise<{ rows: unknown[] }> })
    | undefined
  const postgresJs = typeof client?.unsafe === 'function' ? (client as PostgresJs) : null
  // Appends go over one reserved connection: PostgreSQL runs its statements one after another in the
  // order sent, so writes can be pipelined (sent before the previous one is back) and still store in
  // call order — what `ordered` promises the committer. A broken connection is replaced on next use.
  let appender: Promise<PostgresJs & { release(): void }> | null = null
  const appendConnection = (): Promise<PostgresJs> => {
    if (!postgresJs?.reserve) return Promise.resolve(postgresJs!)
    appender ??= postgresJs.reserve().catch((err: unknown) => {
      appender = null
      throw err
    })
    return appender
  }
  const appendMany = async (items: DocItem[]): Promise<number[]> => {
    try {
      const { rows, rowOf } = coalesce(items)
      const ids = await appendAll(rows)
      return rowOf.map((r) => ids[r]!)
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
    ordered: postgresJs !== null,
    async compact(tableId, room, state, upToId) {
      // A refused (older) compaction is fine: a newer snapshot already holds at least as much.
      await docLog.compact(tableId, room, state, upToId)
    },
    // WATCH OUT: the reserved connection is the pool's until released; a process that creates several
    // collab servers over one pool (tests) ran out of connections without this
    async close() {
      const reserved = appender
      appender = null
      if (reserved) await reserved.then((c) => c.release()).catch(() => {})
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
    let from = 0
    while (from < items.length) {
      let to = from
      let bytes = 0
      while (to < items.length && to - from < MAX_ROWS_PER_STATEMENT && (to === from || bytes + items[to]!.update.byteLength <= MAX_BYTES_PER_STATEMENT)) bytes += items[to++]!.update.byteLength
      ids.push(...(await appendStatement(items.slice(from, to))))
      from = to
    }
    return ids
  }

  /** The statement text never changes (arrays as parameters): prepared once per connection, no SQL built per row. */
  async function appendStatement(items: DocItem[]): Promise<number[]> {
    const keys = [...new Set(items.map((it) => `${it.tableId}/${it.room}`))]
    const params: unknown[] = [
      keys,
      relaxed ? 'off' : null,
      // WATCH OUT: base64 text, not bytea: postgres.js types a JS array by its first element (an array
      // of Uint8Array goes out as bytea, not bytea[]), and slicing one concatenated bytea per row
      // copies the whole value each time (quadratic; 1 s for 8 000 rows).
      items.map((it) => Buffer.from(it.update.buffer, it.update.byteOffset, it.update.byteLength).toString('base64')),
      items.map((it) => it.tableId),
      items.map((it) => it.room),
      items.map((it) => it.userId),
    ]
    const rows = await run(APPEND_SQL, params)
    // identity values are handed out in insertion order, which follows ORDER BY ord
    return rows.map((r) => Number(r.id)).sort((a, b) => a - b)
  }

  /**
   * Runs the fixed statement as a named prepared statement on the driver underneath when it is one we
   * know (postgres.js parses and plans it once per connection; through drizzle it would be every time,
   * at twice the client CPU). Anything else goes through drizzle.
   */
  async function run(text: string, params: unknown[]): Promise<{ id: number | string }[]> {
    if (postgresJs) {
      const conn = await appendConnection()
      try {
        return (await conn.unsafe(text, params, { prepare: true })) as { id: number }[]
      } catch (err) {
        if (isConnectionError(err) && appender) {
          const broken = appender
          appender = null
          void broken.then((c) => c.release()).catch(() => {})
        }
        throw err
      }
    }
    if (typeof client?.query === 'function') return (await client.query(text, params)).rows as { id: number }[]
    const chunks = text.split(/\$(\d+)/)
    const query = sql.join(chunks.map((c, i) => (i % 2 ? sql.param(params[Number(c) - 1]) : sql.raw(c))))
    return executeRows<{ id: number }>(storage.db, query)
  }
}

/** postgres.js's errors for a connection that is gone (the next append reserves a new one) */
function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && (code.startsWith('CONNECTION_') || code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPIPE')
}

const MAX_ROWS_PER_STATEMENT = 5000
const MAX_BYTES_PER_STATEMENT = 16 * 1024 * 1024

/** The statement text never changes (arrays as parameters): prepared once per connection. */
const APPEND_SQL = `
with locks as (
  select count(pg_advisory_xact_lock(${APPEND_LOCK_NAMESPACE}, hashtext(k))) as n
  from (select k from unnest($1::text[]) as k order by k) as ordered
), relax as (
  select set_config('synchronous_commit', coalesce($2::text, current_setting('synchronous_commit')), true) as v
)
insert into "doc_updates" ("table_id", "room", "update", "user_id")
select v.table_id, v.room, decode(v.b64, 'base64'), v.user_id
from unnest($3::text[], $4::text[], $5::text[], $6::text[]) with ordinality as v(b64, table_id, room, user_id, ord)
cross join locks cross join relax
order by v.ord
returning "id"`
/**
 * Under a backlog (the database fell behind) a document's batch holds many updates of each author:
 * store one merged row per document and author instead, so the rows to write shrink as the backlog
 * grows rather than the other way round. Attribution stays exact. Groups below MERGE_FROM items are
 * left alone: merging costs CPU that the usual one-update batch does not need.
 */
function coalesce(items: DocItem[]): { rows: DocItem[]; rowOf: number[] } {
  const groups = new Map<string, number[]>()
  items.forEach((it, i) => {
    const key = `${it.tableId}/${it.room}/${it.userId ?? ''}`
    const g = groups.get(key)
    if (g) g.push(i)
    else groups.set(key, [i])
  })
  if (groups.size === items.length) return { rows: items, rowOf: items.map((_, i) => i) }
  // rows keep the input order; a merged group sits where its first update was
  const rows: DocItem[] = []
  const rowOf: number[] = new Array(items.length)
  const mergedRow = new Map<number[], number>()
  items.forEach((it, i) => {
    const members = groups.get(`${it.tableId}/${it.room}/${it.userId ?? ''}`)!
    if (members.length < MERGE_FROM) {
      rowOf[i] = rows.length
      rows.push(it)
      return
    }
    let row = mergedRow.get(members)
    if (row === undefined) {
      mergedRow.set(members, (row = rows.length))
      rows.push({ ...it, update: Y.mergeUpdates(members.map((m) => items[m]!.update)) })
    }
    rowOf[i] = row
  })
  return { rows, rowOf }
}

const MERGE_FROM = 4

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
