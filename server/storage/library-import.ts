// Writes a planned library import (server/library/transfer-plan.ts) in batches: new entries inserted a
// thousand at a time with their history version 1; changed entries written by one upsert per thousand
// that only applies where the entry is still at the version the plan read (else `conflict`, and the
// caller's transaction rolls everything back), with their history rows. Call it inside
// storage.transaction: a failure leaves nothing half-written.
import { sql } from 'drizzle-orm'
import { AppError } from '../../shared/errors.ts'
import { newId } from '../../shared/model/ids.ts'
import type { Db } from '../db/open.ts'
import { mapDbErrors } from '../db/errors.ts'
import { indicatorChanges, indicators } from '../db/schema.ts'
import type { PlannedCreate, PlannedUpdate } from '../library/transfer-plan.ts'
import { TRANSFER_FIELDS, type TransferFields } from '../library/transfer-format.ts'

/** rows per statement: 18 columns × 1 000 stays well under PostgreSQL's 65 535 parameters */
const BATCH = 1000

export interface LibraryImportRepository {
  /** inserts the new entries and applies the changes; returns the ids created */
  apply(creates: readonly PlannedCreate[], updates: readonly PlannedUpdate[], change: { userId: string | null; reason: string }): Promise<{ created: string[] }>
}

function snapshot(f: TransferFields): Record<string, unknown> {
  return Object.fromEntries(TRANSFER_FIELDS.map((k) => [k, f[k]]))
}

export function createLibraryImportRepository(db: Db): LibraryImportRepository {
  return {
    async apply(creates, updates, change) {
      return mapDbErrors(
        async () => {
          const now = new Date()
          const created: string[] = []
          for (let i = 0; i < creates.length; i += BATCH) {
            const batch = creates.slice(i, i + BATCH).map((c) => ({ id: c.id ?? newId('i'), ...c.fields, version: 1, createdAt: now, updatedAt: now }))
            await db.insert(indicators).values(batch)
            await db.insert(indicatorChanges).values(
              batch.map((r) => ({ indicatorId: r.id, version: 1, changedBy: change.userId, reason: change.reason, before: null, after: snapshot(r), at: now })),
            )
            created.push(...batch.map((r) => r.id))
          }
          for (let i = 0; i < updates.length; i += BATCH) {
            const part = updates.slice(i, i + BATCH)
            const rows = part.map((u) => ({ id: u.id, ...u.fields, version: u.version + 1, updatedAt: now }))
            const set = Object.fromEntries(TRANSFER_FIELDS.map((k) => [k, sql.raw(`excluded.${indicators[k].name}`)]))
            const written = await db
              .insert(indicators)
              .values(rows)
              .onConflictDoUpdate({
                target: indicators.id,
                set: { ...set, version: sql.raw('excluded.version'), updatedAt: sql.raw('excluded.updated_at') },
                // only where nobody changed the entry since the plan read it
                setWhere: sql`${indicators.version} = excluded.version - 1`,
              })
              .returning({ id: indicators.id, inserted: sql<boolean>`(xmax = 0)` })
            // fewer rows: an entry moved on meanwhile; an inserted one: an entry was deleted meanwhile
            if (written.length !== part.length || written.some((w) => w.inserted)) {
              throw new AppError('conflict', '导入期间指标库被他人修改，未导入任何内容；请重新导入', { field: 'file' })
            }
            await db.insert(indicatorChanges).values(
              part.map((u) => ({ indicatorId: u.id, version: u.version + 1, changedBy: change.userId, reason: change.reason, before: u.before, after: u.after, at: now })),
            )
          }
          return { created }
        },
        { conflict: '指标编号重复，或指标库正被他人同时导入；未导入任何内容，请重新导入' },
      )
    },
  }
}
