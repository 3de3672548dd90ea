// Collects what one table's import did: normalisations, unplaced cells, problems. Readers call it as
// they go; the orchestrator turns it into the table's entry of the ImportReport.
import type { ImportNormalisation, ImportProblem, ImportUnplaced } from '../../shared/api/imports.ts'

export class ReportBuilder {
  readonly normalisations: ImportNormalisation[] = []
  readonly unplaced: ImportUnplaced[] = []
  readonly problems: ImportProblem[] = []

  constructor(readonly sheet: string) {}

  /** A value changed on its way in (`from` as typed → `to` as stored). */
  normalise(cell: string, field: string, from: string, to: unknown, note: string): void {
    this.normalisations.push({ cell, field, from, to, note })
  }

  /** A cell with content the reader could not place: kept in the table's `unplaced` list. */
  unplace(cell: string, text: string, reason: string): void {
    this.unplaced.push({ cell, text, reason })
  }

  problem(code: string, severity: ImportProblem['severity'], message: string, cell?: string): void {
    this.problems.push({ sheet: this.sheet, ...(cell ? { cell } : {}), code, severity, message })
  }
}
