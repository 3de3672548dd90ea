// One table as it is printed: the content redacted for the edition, laid out by the same code as the
// grid (shared/layout) with the paper's furniture, and the few words around it (stamp, footer, names).
// The xlsx writer (xlsx.ts), the Typst writer (typst.ts) and the book all start from an ExportDoc.
import type { TargetTable, TemplateId } from '../../shared/model/index.ts'
import type { Edition } from '../../shared/api/export.ts'
import { buildLayout, type SheetLayout } from '../../shared/layout/layout.ts'
import { redactForEdition } from './edition.ts'

export type Orientation = 'portrait' | 'landscape'

export interface ExportSource {
  tableId: string
  /** the content to print: a frozen version's or the live document's */
  table: TargetTable
  /** the table's title as listed (target_tables.title) */
  title: string
  departmentName: string
  /** the table's lifecycle status now */
  status: 'draft' | 'submitted' | 'returned' | 'approved'
  /** the frozen version printed; null = the live content */
  version: number | null
  /** why that version was frozen ('approved' names an approval) */
  versionReason?: string | null
  /** when that version was frozen (its approval date when approved) */
  versionAt?: Date | null
  edition: Edition
  /** print in another template of the same kind (default: the table's own) */
  templateId?: TemplateId
}

export interface ExportDoc {
  tableId: string
  layout: SheetLayout
  orientation: Orientation
  /** printed with the title: 草稿 / 第 n 版（…审核通过） */
  stamp: string
  /** one line for the page footer, before the page number */
  footer: string
  /** file and sheet base name: `部门-标题` (not yet made safe for a file system) */
  name: string
  title: string
  departmentName: string
  year: number
  version: number | null
  edition: Edition
}

/** Templates whose indicator grid is wider than a portrait A4 page. */
const LANDSCAPE: ReadonlySet<TemplateId> = new Set<TemplateId>(['mof2015-project', 'mof2021-core', 'yth-flat'])

export function orientationOf(templateId: TemplateId): Orientation {
  return LANDSCAPE.has(templateId) ? 'landscape' : 'portrait'
}

function dateText(d: Date): string {
  return `${d.getFullYear()}年${d.getMonth() + 1}月${d.getDate()}日`
}

/** The words printed with the title: what this copy is. */
export function stampOf(src: Pick<ExportSource, 'status' | 'version' | 'versionReason' | 'versionAt'>): string {
  if (src.version === null) return src.status === 'approved' ? '' : '草稿'
  const at = src.versionAt ? dateText(src.versionAt) : ''
  if (src.versionReason === 'approved') return `第 ${src.version} 版（${at}审核通过）`
  return `第 ${src.version} 版（${at}报送稿，未审核）`
}

export function exportDoc(src: ExportSource): ExportDoc {
  const table = redactForEdition(src.table, src.edition)
  const stamp = stampOf(src)
  const layout = buildLayout(table, src.templateId ?? table.template, { signatures: src.edition === 'internal', stamp })
  const year = table.year
  const edition = src.edition === 'public' ? '公开版' : '内部版'
  return {
    tableId: src.tableId,
    layout,
    orientation: orientationOf(layout.templateId),
    stamp,
    footer: [src.departmentName, `${year}年度`, src.title, stamp, edition].filter(Boolean).join(' · '),
    name: `${src.departmentName}-${src.title || '未命名'}`,
    title: src.title,
    departmentName: src.departmentName,
    year,
    version: src.version,
    edition: src.edition,
  }
}
