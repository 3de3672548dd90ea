// A table as lists and the table page show it (shared/api/tables.ts tableSummary): the row's own fields,
// its department's name, the server's finding counts and its open review threads.
import type { TableSummary } from '../../shared/api/tables.ts'
import type { TableRow } from '../storage/index.ts'
import type { FindingCounts } from './findings.ts'

export function toTableSummary(row: TableRow, departmentName: string, findings: FindingCounts): TableSummary {
  return {
    id: row.id,
    kind: row.kind,
    template: row.template,
    year: row.year,
    departmentId: row.departmentId,
    departmentName,
    title: row.title,
    status: row.status,
    round: row.round,
    version: row.version,
    classified: row.classified,
    findings: { errors: findings.errors, warnings: findings.warnings, infos: findings.infos },
    openThreads: row.openThreads,
    updatedAt: row.updatedAt.toISOString(),
  }
}
