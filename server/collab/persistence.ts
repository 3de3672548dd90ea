// Where live documents are stored: the DocPersistence interface the collaboration core depends on,
// and its implementation over the storage layer's update log (server/storage/doc-log.ts).
import { sql } from 'drizzle-orm'
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

export interface DocPersistence {
  load(tableId: string, room: RoomKind): Promise<LoadedDocState>
  /** appends in one write and returns the ids in input order */
  append(tableId: string, room: RoomKind, items: StoredItem[]): Promise<number[]>
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

export function createDocLogPersistence(storage: Pick<Storage, 'docLog' | 'transaction'>, opts: DocLogPersistenceOptions = {}): DocPersistence {
  const { docLog } = storage
  const relaxed = opts.synchronousCommit === false
  return {
    async load(tableId, room) {
      const loaded = await docLog.loadDoc(tableId, room)
      const updates = loaded.updates.map((u) => u.update)
      const lastUpdate = loaded.updates[loaded.updates.length - 1]
      const lastId = lastUpdate?.id ?? loaded.snapshot?.lastUpdateId ?? 0
      return { snapshot: loaded.snapshot?.state ?? null, updates, lastId }
    },
    append(tableId, room, items) {
      if (!relaxed) return docLog.appendUpdates(tableId, room, items)
      // SET LOCAL lasts for this transaction only; the repository's own transaction becomes a savepoint in it.
      return storage.transaction(async (tx) => {
        await tx.db.execute(sql`set local synchronous_commit = off`)
        return tx.docLog.appendUpdates(tableId, room, items)
      })
    },
    async compact(tableId, room, state, upToId) {
      // A refused (older) compaction is fine: a newer snapshot already holds at least as much.
      await docLog.compact(tableId, room, state, upToId)
    },
  }
}

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
