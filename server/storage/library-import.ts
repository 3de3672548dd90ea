// Writes a planned library import (server/library/transfer-plan.ts) in batches of a thousand rows, each
// batch one statement whose rows travel as a single jsonb parameter (jsonb_to_recordset): drizzle's
// multi-row insert builder spends ~0.4 s per thousand rows on building the SQL alone. New entries go in
// with their history version 1; changed entries by an upsert that only applies where the entry is still
// at the version the plan read (else `conflict`, and the caller's transaction rolls everything back),
// with their history rows. Call it inside storage.transaction: a failure leaves nothing half-written.
import { sql } from 'drizzle-orm'
import { AppError } from '../../shared/errors.ts'
import { newId } from '../../shared/model/ids.ts'
import type { Db } from '../db/open.ts'
import { mapDbErrors } from '../db/errors.ts'
import { executeRows } from '../db/execute.ts'
import type { PlannedCreate, PlannedUpdate } from '../library/transfer-plan.ts'
import { TRANSFER_FIELDS, type TransferFields } from '../library/transfer-format.ts'
import { noteLibraryWrite } from './library.ts'

const BATCH = 1000

export interface LibraryImportRepository {
  /** inserts the new entries and applies the changes; returns the ids created */
  apply(creates: readonly PlannedCreate[], updates: readonly PlannedUpdate[], change: { userId: string | null; reason: string }): Promise<{ created: string[] }>
}

function snapshot(f: TransferFields): Record<string, unknown> {
  return Object.fromEntries(TRANSFER_FIELDS.map((k) => [k, f[k]]))
}

/** one entry as the recordset's row (column names as stored) */
function record(id: string, version: number, f: TransferFields) {
  return {
    id, version, level1: f.level1, level2: f.level2, level3: f.level3, explanation: f.explanation, formula: f.formula, comparator: f.comparator,
    typical_value: f.typicalValue, unit: f.unit, basis: f.basis, data_source: f.dataSource, scope: f.scope,
    functional_classes: f.functionalClasses, project_types: f.projectTypes, alt2021: f.alt2021, department_id: f.departmentId, core: f.core,
  }
}

const COLUMNS = sql.raw(
  'id, version, level1, level2, level3, explanation, formula, comparator, typical_value, unit, basis, data_source, scope, functional_classes, project_types, alt2021, department_id, core',
)
const RECORD = sql.raw(
  'x(id text, version int, level1 text, level2 text, level3 text, explanation text, formula text, comparator text, typical_value text, unit text, basis text, ' +
    'data_source text, scope text, functional_classes text[], project_types text[], alt2021 jsonb, department_id text, core boolean)',
)
const UPDATED = sql.raw(
  ['version', 'level1', 'level2', 'level3', 'explanation', 'formula', 'comparator', 'typical_value', 'unit', 'basis', 'data_source', 'scope', 'functional_classes', 'project_types', 'alt2021', 'department_id', 'core', 'updated_at']
    .map((c) => `${c} = excluded.${c}`)
    .join(', '),
)

async function history(db: Db, rows: { indicator_id: string; version: number; before: unknown; after: unknown }[], change: { userId: string | null; reason: string }, at: Date) {
  await db.execute(sql`
    insert into indicator_changes (indicator_id, version, changed_by, reason, before, after, at)
    select x.indicator_id, x.version, ${change.userId}, ${change.reason}, x.before, x.after, ${at.toISOString()}::timestamptz
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(indicator_id text, version int, before jsonb, after jsonb)`)
}

export function createLibraryImportRepository(db: Db): LibraryImportRepository {
  return {
    async apply(creates, updates, change) {
      noteLibraryWrite()
      return mapDbErrors(
        async () => {
          const now = new Date()
          const at = now.toISOString()
          const created: string[] = []
          for (let i = 0; i < creates.length; i += BATCH) {
            const batch = creates.slice(i, i + BATCH).map((c) => ({ id: c.id ?? newId('i'), fields: c.fields }))
            const json = JSON.stringify(batch.map((c) => record(c.id, 1, c.fields)))
            await db.execute(sql`
              insert into indicators (${COLUMNS}, created_at, updated_at)
              select x.*, ${at}::timestamptz, ${at}::timestamptz from jsonb_to_recordset(${json}::jsonb) as ${RECORD}`)
            await history(db, batch.map((c) => ({ indicator_id: c.id, version: 1, before: null, after: snapshot(c.fields) })), change, now)
            created.push(...batch.map((c) => c.id))
          }
          for (let i = 0; i < updates.length; i += BATCH) {
            const part = updates.slice(i, i + BATCH)
            const json = JSON.stringify(part.map((u) => record(u.id, u.version + 1, u.fields)))
            const written = await executeRows<{ id: string; inserted: boolean }>(db, sql`
              insert into indicators (${COLUMNS}, created_at, updated_at)
              select x.*, ${at}::timestamptz, ${at}::timestamptz from jsonb_to_recordset(${json}::jsonb) as ${RECORD}
              on conflict (id) do update set ${UPDATED}
              where indicators.version = excluded.version - 1
              returning id, (xmax = 0) as inserted`)
            // fewer rows: an entry moved on meanwhile; an inserted one: an entry was deleted meanwhile
            if (written.length !== part.length || written.some((w) => w.inserted)) {
              throw new AppError('conflict', '导入期间指标库被他人修改，未导入任何内容；请重新导入', { field: 'file' })
            }
            await history(db, part.map((u) => ({ indicator_id: u.id, version: u.version + 1, before: u.before, after: u.after })), change, now)
          }
          // the search index asks for the library's revision at its next read (server/library/service.ts)
          noteLibraryWrite()
          return { created }
        },
        { conflict: '指标编号重复，或指标库正被他人同时导入；未导入任何内容，请重新导入' },
      )
    },
  }
}
