// Raw SQL through drizzle on either driver: PGlite's `execute` answers `{ rows }`, postgres.js an
// array of rows. For the few statements the query builder cannot say (recursive CTEs, set_config).
import type { SQL } from 'drizzle-orm'
import type { Db } from './open.ts'

export async function executeRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query)
  return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as T[]
}
