// vitest globalSetup: names this run's database templates (test/helpers/templates.ts) — a private
// directory for the PGlite dumps (and the browser files' client copies) and a PostgreSQL name prefix — and
// removes them when the run ends.
// The templates themselves are made by the first test that needs one.
// Every project (node, timing, browser) runs this setup in the one vitest process: they share one run, so
// the templates are built once per `vitest run` instead of once per project (≈ 7 s each); the last
// project's teardown removes it. (`npm test` runs the projects as separate vitest processes,
// scripts/test.mjs: each process has its own run, under its own directory and PostgreSQL prefix.)
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import postgres from 'postgres'
import type { TestProject } from 'vitest/node'
import type { TemplateRun } from './templates.ts'

interface SharedRun {
  run: TemplateRun
  users: number
}

const KEY = Symbol.for('target-tables.test-templates')
const holder = globalThis as typeof globalThis & { [KEY]?: SharedRun }

export default function setup(project: TestProject) {
  let shared = holder[KEY]
  if (!shared) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-templates-'))
    const pgPrefix = `tt_test_${Math.floor(Date.now() / 1000)}_${randomBytes(5).toString('hex')}`
    shared = holder[KEY] = { run: { dir, pgPrefix }, users: 0 }
  }
  shared.users++
  project.provide('ttTemplates', shared.run)
  const { dir, pgPrefix } = shared.run
  return async () => {
    if (--shared.users > 0) return
    delete holder[KEY]
    fs.rmSync(dir, { recursive: true, force: true })
    const url = process.env.TEST_DATABASE_URL
    if (!url) return
    const admin = postgres(url, { max: 1, onnotice: () => {} })
    try {
      const rows = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${pgPrefix + '%'}`
      for (const { datname } of rows) await admin.unsafe(`drop database if exists "${datname}" with (force)`)
    } catch {
      /* PostgreSQL not reachable: a later run drops them as stale */
    } finally {
      await admin.end({ timeout: 5 })
    }
  }
}
