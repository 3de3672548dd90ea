// The process: read config, open and migrate the database, bootstrap, build the app, listen,
// and shut down cleanly (flush live documents, close the pool) on SIGINT/SIGTERM.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { serve } from '@hono/node-server'
import { loadConfig } from './config.ts'
import { openDatabase, redact } from './db/open.ts'
import { createStorage } from './storage/index.ts'
import { bootstrap, demoAccounts } from './bootstrap/seed.ts'
import { storedFindingsCache } from './tables/findings.ts'
import { createApp } from './app.ts'
import { createLive, liveAppHooks } from './live.ts'
import { createJobRunner } from './jobs/runner.ts'
import { compilationHandler } from './jobs/compilation.ts'
import { commonCandidatesHandler } from './jobs/common-candidates.ts'
import { closePdfProcess } from './export/pdf-process.ts'
import { closeImportWorker, warmImportWorker } from './import/run.ts'
import { newBackupToken, publishBackupEndpoint } from './backup/endpoint.ts'
import { backfillUsages } from './library/learning.ts'

const CLIENT_DIR = fileURLToPath(new URL('../dist/client', import.meta.url))

async function main() {
  const config = loadConfig()
  const database = await openDatabase(
    config.databaseUrl
      ? { url: config.databaseUrl, connectTimeoutS: config.dbConnectTimeoutS, statementTimeoutMs: config.dbStatementTimeoutMs, unixSocket: config.dbUnixSocket }
      : { dataDir: path.join(config.dataDir, 'pglite') },
  )
  const where = database.kind === 'postgres' ? `${redact(config.databaseUrl!)}${database.socketPath ? ` via ${database.socketPath}` : ''}` : path.join(config.dataDir, 'pglite')
  console.log(`[db] ${where} ready (migrations ${database.migrateMs.toFixed(0)} ms)`)
  const storage = createStorage(database.db)
  const boot = await bootstrap(storage, { adminUsername: config.adminUsername, adminPassword: config.adminPassword, demo: config.demo })

  const findings = storedFindingsCache(storage)
  const live = await createLive({
    storage, findings, redisUrl: config.redisUrl,
    synchronousCommit: database.kind === 'pglite' || config.synchronousCommit,
    sessionIdleMs: config.sessionIdleMs,
    durability: config.durability, holdLimits: config.collabHold,
  })
  // Background jobs (the compiled book): this process takes its share; a job left by a process that died
  // is taken up again once its lease runs out (server/jobs/README.md).
  const jobs = createJobRunner({
    storage, leaseMs: config.jobLeaseMs,
    handlers: { compilation: compilationHandler({ storage, dataDir: config.dataDir }), 'common-candidates': commonCandidatesHandler({ storage }) },
  })
  // Embedded database: `npm run backup` cannot open it beside us, so it asks this process (server/backup/endpoint.ts)
  const backupToken = database.kind === 'pglite' ? newBackupToken() : undefined
  let backupEndpoint: { remove(): void } | undefined
  const app = createApp({
    config, database, storage, findings, jobs, backupToken,
    ...liveAppHooks(live),
    clientDir: CLIENT_DIR,
  })

  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    const url = `http://${config.host}:${info.port}`
    if (backupToken) backupEndpoint = publishBackupEndpoint(config.dataDir, config.host, info.port, backupToken)
    console.log(`[http] target-tables 绩效目标表 listening on ${url}`)
    if (boot.adminCreated) {
      console.log(`[bootstrap] 管理员账号 administrator: ${config.adminUsername}` + (boot.generatedAdminPassword ? ` / ${boot.generatedAdminPassword}  (shown once — 请妥善保存)` : ' (password from ADMIN_PASSWORD)'))
    }
    if (boot.demoLoaded) {
      console.log(`[bootstrap] 演示城市（南江市）已载入 demo city loaded. Sign in at ${url}/login with:`)
      for (const line of demoAccounts()) console.log(`    ${line}`)
    }
  })
  live.injectWebSocket(server)
  jobs.start()
  setTimeout(warmImportWorker, 3000).unref() // after the start, off its critical path
  // learning (指标库使用情况): link approved tables that have no links yet (approved before learning existed, or a
  // failed learning), in the background after the start; idempotent, so several processes may all run it
  setTimeout(() => {
    backfillUsages(storage).then(
      (r) => { if (r.learned || r.removed || r.failed) console.log(`[library] 使用情况补录 usage backfill: ${r.learned} learned, ${r.removed} removed, ${r.failed} failed`) },
      (err) => console.warn(`[library] usage backfill failed: ${err instanceof Error ? err.message : String(err)}`),
    )
  }, 2000).unref()
  // edits held while the database was away are stored the moment it answers again (server/db/health.ts);
  // a failed write makes the monitor look at once, so even a restart between two pings is noticed
  database.health.onChange((available) => {
    if (available) live.retryStores()
  })
  live.onStoreFailure((err) => database.health.report(err))

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    console.log(`[process] ${signal}: shutting down`)
    server.close()
    backupEndpoint?.remove()
    closePdfProcess()
    closeImportWorker()
    await jobs.stop() // a book being built goes back to the queue for the next start or another process
    await live.shutdown()
    await findings.flush() // counts of the last settles, before the database closes
    await database.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
}

main().catch((err) => {
  console.error('[process] failed to start:', err instanceof Error ? err.message : err)
  process.exit(1)
})
