// One library entry ↔ one row of the library workbook (LIBRARY_COLUMNS): what the export writes and what
// the import reads back, written once here so an exported file imports unchanged.
import { LIBRARY_COLUMNS, type LibraryColumnKey } from '../../shared/api/library-transfer.ts'
import { SCOPE_LABELS, type LibraryScope } from '../../shared/api/library.ts'

/** the fields of an entry the workbook carries (everything a change can touch) */
export interface TransferFields {
  level1: string
  level2: string
  level3: string
  explanation: string
  formula: string
  comparator: string
  typicalValue: string
  unit: string
  basis: string
  dataSource: string
  scope: LibraryScope
  functionalClasses: string[]
  projectTypes: string[]
  alt2021: { level1: string; level2: string } | null
  departmentId: string | null
  core: boolean
}

export const TRANSFER_FIELDS = [
  'level1', 'level2', 'level3', 'explanation', 'formula', 'comparator', 'typicalValue', 'unit', 'basis', 'dataSource',
  'scope', 'functionalClasses', 'projectTypes', 'alt2021', 'departmentId', 'core',
] as const satisfies readonly (keyof TransferFields)[]

export const LIST_SEPARATOR = '、'
export const CORE_MARK = '★'

/** index of each column key in LIBRARY_COLUMNS */
export const COLUMN_INDEX = Object.fromEntries(LIBRARY_COLUMNS.map((c, i) => [c.key, i])) as Record<LibraryColumnKey, number>

/** The row's cells in LIBRARY_COLUMNS order; `department` names the entry's department ('' for the bureau's). */
export function entryCells(entry: TransferFields & { id: string }, department: string): string[] {
  const values: Record<LibraryColumnKey, string> = {
    id: entry.id,
    level1: entry.level1,
    level2: entry.level2,
    level3: entry.level3,
    explanation: entry.explanation,
    formula: entry.formula,
    comparator: entry.comparator,
    typicalValue: entry.typicalValue,
    unit: entry.unit,
    basis: entry.basis,
    dataSource: entry.dataSource,
    scope: SCOPE_LABELS[entry.scope],
    functionalClasses: entry.functionalClasses.join(LIST_SEPARATOR),
    projectTypes: entry.projectTypes.join(LIST_SEPARATOR),
    'alt2021.level1': entry.alt2021?.level1 ?? '',
    'alt2021.level2': entry.alt2021?.level2 ?? '',
    departmentId: department,
    core: entry.core ? CORE_MARK : '',
  }
  return LIBRARY_COLUMNS.map((c) => values[c.key])
}

/** A list cell → its items: split on 、，,；; / and whitespace, blanks dropped. */
export function splitList(text: string): string[] {
  return text.split(/[、，,；;/\s]+/).map((s) => s.trim()).filter(Boolean)
}

const SCOPES: Record<string, LibraryScope> = {
  共性指标: 'common', 共性: 'common', common: 'common',
  个性指标: 'specific', 个性: 'specific', specific: 'specific',
}
export function readScope(text: string): LibraryScope | undefined {
  return SCOPES[text.replace(/\s+/g, '')] ?? SCOPES[text.trim().toLowerCase()]
}

const CORE_TRUE = new Set([CORE_MARK, '☆', '*', '是', 'Y', 'YES', 'TRUE', '1', '√', '核心', '核心指标'])
const CORE_FALSE = new Set(['', '否', 'N', 'NO', 'FALSE', '0', '×'])
export function readCore(text: string): boolean | undefined {
  const t = text.trim().toUpperCase()
  if (CORE_TRUE.has(t)) return true
  if (CORE_FALSE.has(t)) return false
  return undefined
}

/** Same value as stored? Text compared trimmed (the reader trims cells), lists item by item. */
export function sameField(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.trim() === b.trim()
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameField(x, b[i]))
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a)
    return ka.length === Object.keys(b).length && ka.every((k) => sameField((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  }
  return (a ?? null) === (b ?? null)
}
