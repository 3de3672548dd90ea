// First start on an empty database: the indicator library (always), the bootstrap finance
// administrator and, when asked, the demo city with its sample tables.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseTableOrThrow, type TargetTable } from '../../shared/model/index.ts'
import type { Storage } from '../storage/index.ts'
import { initialUpdate } from '../tables/documents.ts'
import { DEMO_DEPARTMENTS, DEMO_PASSWORD, DEMO_TABLE_OWNERS, DEMO_USERS } from './demo-city.ts'

const SAMPLES_DIR = fileURLToPath(new URL('../../shared/domain/samples', import.meta.url))

export interface BootstrapOptions { adminUsername: string; adminPassword?: string; demo: boolean }
export interface BootstrapResult {
  /** set only when the administrator was created now and its password was generated */
  generatedAdminPassword?: string
  adminCreated: boolean
  demoLoaded: boolean
  libraryEntries: number
}

export async function bootstrap(storage: Storage, options: BootstrapOptions): Promise<BootstrapResult> {
  await storage.library.seedIfEmpty()
  const libraryEntries = await storage.library.count()
  const empty = (await storage.users.list()).length === 0
  if (!empty) return { adminCreated: false, demoLoaded: false, libraryEntries }

  const generated = options.adminPassword ? undefined : crypto.randomBytes(12).toString('base64url')
  await storage.transaction(async (tx) => {
    await tx.users.create({ username: options.adminUsername, password: options.adminPassword ?? generated!, displayName: '系统管理员（财政局）', role: 'finance' })
    if (options.demo) await loadDemoCity(tx)
  })
  return { generatedAdminPassword: generated, adminCreated: true, demoLoaded: options.demo, libraryEntries }
}

export function loadSampleTables(): { sampleId: string; content: TargetTable }[] {
  return fs.readdirSync(SAMPLES_DIR)
    .filter((f) => /^S\d+.*\.json$/.test(f))
    .sort()
    .map((f) => ({ sampleId: f.split('-')[0]!, content: parseTableOrThrow(JSON.parse(fs.readFileSync(path.join(SAMPLES_DIR, f), 'utf8'))) }))
}

async function loadDemoCity(storage: Storage): Promise<void> {
  const idByCode = new Map<string, string>()
  for (const d of DEMO_DEPARTMENTS) {
    const created = await storage.departments.create({ code: d.code, name: d.name, kind: d.kind, parentId: d.parentCode ? idByCode.get(d.parentCode) : undefined })
    idByCode.set(d.code, created.id)
  }
  for (const u of DEMO_USERS) {
    await storage.users.create({ username: u.username, password: DEMO_PASSWORD, displayName: u.displayName, role: u.role, departmentIds: u.departmentCodes.map((c) => idByCode.get(c)!) })
  }
  for (const { sampleId, content } of loadSampleTables()) {
    const departmentId = idByCode.get(DEMO_TABLE_OWNERS[sampleId]!)!
    const title = content.kind === 'project' ? content.header.projectName : content.header.deptName
    const table = await storage.tables.create({ kind: content.kind, template: content.template, year: content.year, departmentId, title })
    await storage.docLog.appendUpdates(table.id, 'table', [{ update: initialUpdate(content), userId: null }])
  }
}

export function demoAccounts(): string[] {
  return DEMO_USERS.map((u) => `${u.username} / ${DEMO_PASSWORD}  ${u.displayName}`)
}
