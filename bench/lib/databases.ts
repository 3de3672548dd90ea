// The two databases a storage bench runs on, one after the other: PGlite in a fresh temporary directory,
// then PostgreSQL in a private database created and dropped for the run (BENCH_DATABASE_URL, else
// TEST_DATABASE_URL, else the local server). `ONLY=pglite|postgres` runs one of them.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { OpenDatabaseOptions } from '../../server/db/open.ts'
import { createTestDatabase } from '../../test/helpers/database.ts'

export const BENCH_PG_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

export type BenchDatabase = 'pglite' | 'postgres'

export async function onEachDatabase(name: string, run: (kind: BenchDatabase, open: OpenDatabaseOptions) => Promise<void>): Promise<void> {
  const only = process.env.ONLY
  if (!only || only === 'pglite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tt-bench-${name}-`))
    try {
      await run('pglite', { dataDir: path.join(dir, 'pglite') })
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
  if (!only || only === 'postgres') {
    let db: Awaited<ReturnType<typeof createTestDatabase>> | null = null
    try {
      db = await createTestDatabase(BENCH_PG_URL)
    } catch (err) {
      console.log(`\n--- postgres: skipped (${(err as Error).message})`)
    }
    if (db) {
      try {
        await run('postgres', { url: db.url, poolSize: 10 })
      } finally {
        await db.drop()
      }
    }
  }
}
