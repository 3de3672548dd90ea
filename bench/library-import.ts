// The library's xlsx import and export through the real app (app.request, no sockets) on PGlite and, when
// TEST_DATABASE_URL is set, PostgreSQL: a generated ROWS-row workbook (default 50 000, with ~0.7 % planted
// bad rows: test/library/large-library.ts) imported as a dry run, then for real (every valid row in one
// transaction), then the whole library (seed + imported) exported. Reading runs in the import worker.
// Run: npx tsx bench/library-import.ts   (ROWS=100000 for the contract's row limit)
import os from 'node:os'
import { closeImportWorker } from '../server/import/run.ts'
import { makeTestApp } from '../test/helpers/app.ts'
import { TEST_DATABASE_URL, type TestDatabaseKind } from '../test/helpers/database.ts'
import { plantedLibrary } from '../test/library/large-library.ts'
import { exportLibrary, uploadLibrary } from '../test/library/transfer-helpers.ts'

const ROWS = Number(process.env.ROWS ?? 50_000)
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`

async function run(kind: TestDatabaseKind): Promise<void> {
  const t = await makeTestApp(kind)
  try {
    const token = await t.login('caizheng')
    const seeded = (await t.storage.library.all())[0]!
    let t0 = performance.now()
    const file = await plantedLibrary(ROWS, { level1: seeded.level1, level2: seeded.level2, level3: seeded.level3 })
    const generated = performance.now() - t0
    // warm the worker (ExcelJS and the readers load once per process) with a tiny file
    await uploadLibrary(t, token, (await plantedLibrary(10, seeded, false)).bytes, { dryRun: true })

    t0 = performance.now()
    const dry = await uploadLibrary(t, token, file.bytes, { dryRun: true, name: 'bench.xlsx' })
    const dryMs = performance.now() - t0
    if (dry.status !== 200) throw new Error(`dry run: ${dry.status} ${JSON.stringify(dry.body).slice(0, 300)}`)

    t0 = performance.now()
    const real = await uploadLibrary(t, token, file.bytes, { name: 'bench.xlsx' })
    const realMs = performance.now() - t0
    if (real.status !== 201) throw new Error(`import: ${real.status} ${JSON.stringify(real.body).slice(0, 300)}`)

    t0 = performance.now()
    const exported = await exportLibrary(t, token)
    const exportMs = performance.now() - t0
    if (exported.status !== 200) throw new Error(`export: ${exported.status}`)

    const entries = await t.storage.library.count()
    console.log(
      `${kind.padEnd(8)} ${ROWS} rows (${(file.bytes.length / 1024 / 1024).toFixed(1)} MB, generated in ${s(generated)}): ` +
        `dry run ${s(dryMs)} · import ${s(realMs)} (created ${real.body.created}, rejected ${real.body.rejected.length}) · ` +
        `export of ${entries} entries ${s(exportMs)} (${(exported.bytes.length / 1024 / 1024).toFixed(1)} MB)`,
    )
  } finally {
    await t.dispose()
  }
}

console.log(`library import/export · ${os.cpus().length} CPUs · load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`)
for (const kind of (TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']) as TestDatabaseKind[]) await run(kind)
closeImportWorker()
