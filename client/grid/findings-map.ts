// Where a rule finding shows on the sheet: finding.path (rules.md → Reporting conventions) → cells
// of the current layout, and the tint each cell gets. Pure; the grid and the side panel use it.
import { parsePath, type TargetTable } from '../../shared/model/index.ts'
import type { CellPos, SheetLayout } from '../../shared/layout/layout.ts'

export type Severity = 'error' | 'warning' | 'info'

/** The rule engine's finding (shared/rules `Finding`), restated structurally so the grid builds without it. */
export interface GridFinding {
  ruleId: string
  severity: Severity
  path: string
  rowId?: string
  message: string
  value?: unknown
}

export const TINTS: Readonly<Record<'error' | 'warning' | 'required' | 'changed', string>> = {
  error: '#FDE2E1',
  warning: '#FFF4CE',
  required: '#EAF1FB',
  /** changed since the last frozen version (the page's 自上一轮以来的修改) */
  changed: '#E8DEFA',
}

// Which cell of an indicator row a row-level finding is about.
const COMPARATOR_RULES = /^R-(VALUE-COMPARATOR|COMPARATOR-DIRECTION|SATISFACTION-VALUE)/
const UNIT_RULES = /^R-(VALUE-UNIT|COST-UNIT-CONSISTENCY)/
const VALUE_RULES = /^R-(VALUE-|PERCENT-RANGE|TIMELINESS-|COST-FORM|COST-VS-BUDGET|ANNUAL-LE-MIDTERM|CONTINUING-BASELINE|OUTPUT-QUALITATIVE)/
const NAME_RULES = /^R-(NAME-|DUPLICATE-INDICATOR|INPUT-AS-OUTPUT|SATISFACTION-OBJECT|SATISFACTION-MISPLACED|OUTPUT-BENEFIT-MIXUP|BENEFIT-PADDING)/
const TREE_RULES = /^R-FRAMEWORK-TREE/

function indicatorFields(f: GridFinding, row: Record<string, unknown> | undefined): string[] {
  if (row && typeof f.value === 'string' && f.value !== '') {
    // the offending value names the cell when it matches one
    const hit = ['level3', 'target', 'unit', 'comparator', 'level2', 'level1'].filter((k) => row[k] === f.value)
    if (hit.length) return hit
  }
  if (COMPARATOR_RULES.test(f.ruleId)) return ['comparator', 'target']
  if (UNIT_RULES.test(f.ruleId)) return ['unit']
  if (VALUE_RULES.test(f.ruleId)) return ['target']
  if (NAME_RULES.test(f.ruleId)) return ['level3']
  if (TREE_RULES.test(f.ruleId)) return ['level1', 'level2']
  if (/^R-VAGUE-WORDING/.test(f.ruleId)) return ['target']
  return []
}

/** Cells a finding points at (top-left cells of merges); empty when the form has no cell for it. */
export function findingCells(f: GridFinding, layout: SheetLayout, table: TargetTable): CellPos[] {
  const segs = parsePath(f.path)
  const [list, index, field] = segs
  if ((list === 'indicators' || list === 'tasks') && (typeof index === 'number' || f.rowId)) {
    const rows = ((table as unknown as Record<string, unknown>)[list] ?? []) as Record<string, unknown>[]
    const row = typeof index === 'number' ? rows[index] : rows.find((r) => r.id === f.rowId)
    const rowId = f.rowId ?? (row?.id as string | undefined)
    if (!rowId) return layout.paths.get(list) ?? []
    const fields = typeof field === 'string' ? [field] : list === 'indicators' ? indicatorFields(f, row) : []
    const cells = uniq(fields.flatMap((k) => layout.paths.get(`${list}#${rowId}.${k}`) ?? []))
    return cells.length ? cells : layout.paths.get(`${list}#${rowId}`) ?? []
  }
  // header.x.y, funds.annual, taskTotals, annualGoal …: the longest prefix the form prints
  for (let n = segs.length; n >= 1; n--) {
    const key = segs.slice(0, n).filter((s) => typeof s === 'string').join('.')
    const cells = layout.paths.get(key)
    if (cells?.length) return cells
  }
  return []
}

function uniq(cells: CellPos[]): CellPos[] {
  const seen = new Set<string>()
  return cells.filter((c) => {
    const k = `${c.row}:${c.col}`
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

/** Per cell (`row:col`), the strongest severity pointing at it (info does not tint). */
export function tintMap(findings: readonly GridFinding[], layout: SheetLayout, table: TargetTable): Map<string, 'error' | 'warning'> {
  const out = new Map<string, 'error' | 'warning'>()
  for (const f of findings) {
    if (f.severity === 'info') continue
    for (const c of findingCells(f, layout, table)) {
      const k = `${c.row}:${c.col}`
      if (out.get(k) !== 'error') out.set(k, f.severity)
    }
  }
  return out
}

export const SEVERITY_LABELS: Readonly<Record<Severity, string>> = { error: '错误', warning: '警告', info: '提示' }

/** Findings grouped for the side panel, errors first; inside a group, in form order (top to bottom). */
export function groupFindings(findings: readonly GridFinding[], layout: SheetLayout, table: TargetTable): { severity: Severity; items: { finding: GridFinding; cell?: CellPos }[] }[] {
  const order: Severity[] = ['error', 'warning', 'info']
  return order.map((severity) => ({
    severity,
    items: findings
      .filter((f) => f.severity === severity)
      .map((finding) => ({ finding, cell: findingCells(finding, layout, table)[0] }))
      .sort((a, b) => (a.cell?.row ?? 1e9) - (b.cell?.row ?? 1e9) || (a.cell?.col ?? 0) - (b.cell?.col ?? 0)),
  })).filter((g) => g.items.length > 0)
}
