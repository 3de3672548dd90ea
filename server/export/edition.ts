// What an edition may show. The internal edition (内部版) is the table as filed; the public one (公开版,
// for 预算公开 and the printed book sent out) never carries a 涉密 table, nor a person's name or phone
// number: the signature block (填报人、联系电话、单位负责人) and 项目负责人 are emptied, and the paper
// layout leaves the signature rows out altogether.
import type { TargetTable } from '../../shared/model/index.ts'
import type { Edition } from '../../shared/api/export.ts'

/** header fields that name or reach a person */
export const PERSONAL_FIELDS = ['preparer', 'phone', 'unitLeader', 'projectLeader'] as const

/** May a table with this flag appear in this edition at all? */
export function inEdition(classified: boolean, edition: Edition): boolean {
  return edition === 'internal' || !classified
}

/** The content as the edition prints it (a copy; the stored table is never touched). */
export function redactForEdition(table: TargetTable, edition: Edition): TargetTable {
  if (edition === 'internal') return table
  const header = { ...(table.header as Record<string, unknown>) }
  for (const f of PERSONAL_FIELDS) delete header[f]
  return { ...table, header } as TargetTable
}
