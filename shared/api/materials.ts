// 资料清单 (materials, tables.md §11): the twelve items a department hands the consultant for a budget year,
// each 未收到 / 已收到 / 不适用 with a note and uploaded files. CONTRACT.md → `/api/departments/:id/materials`.
// Who: finance reads and writes every department's; a department user and a consultant (its departments, or
// those assigned to it for the year) read and write theirs; a department's read-only account reads its own;
// a city-wide viewer reads the checklist but cannot download files (they are internal documents). A file
// outside the caller's scope answers 404, as if it did not exist.
import { z } from 'zod'
import { isoTime } from './common.ts'

/** The twelve items of tables.md §11, in order: item n is MATERIAL_ITEMS[n - 1]. */
export const MATERIAL_ITEMS = [
  '项目立项政策依据（国家政策法规、上级制度办法、社会需求调研资料）',
  '项目实施方案（或项目情况说明）',
  '项目预算资料（预算明细表或部门预算编制表）',
  '部门（单位）近两年工作总结、工作计划',
  '编办印发的三定方案',
  '行业事业中长期发展规划、具体工作规划（如“十四五”规划、“三年规划”）',
  '开展重点业务所依据的政策文件或规范性文件',
  '财政局批复近两年部门预算的通知（含附件）',
  '专项资金的预算指标文件',
  '近两年预决算收入支出表',
  '与业务相关的主要国家标准和行业标准',
  '近两年部门绩效评价报告或项目绩效评价报告',
] as const
export const MATERIAL_ITEM_COUNT = MATERIAL_ITEMS.length

export const MATERIAL_STATUSES = ['missing', 'received', 'not_applicable'] as const
export type MaterialStatus = (typeof MATERIAL_STATUSES)[number]
export const MATERIAL_STATUS_LABELS: Readonly<Record<MaterialStatus, string>> = { missing: '未收到', received: '已收到', not_applicable: '不适用' }

/**
 * One file at most 20 MB: scanned 三定方案, budget notices and evaluation reports are PDFs of a few MB up to
 * ≈15 MB, while a file is held in memory once on upload and download and stored as one bytea row (in every
 * backup). Larger material is split or compressed by the department.
 */
export const MAX_MATERIAL_FILE_BYTES = 20 * 1024 * 1024
/** the multipart body of one upload: the file plus its boundaries and headers */
export const MAX_MATERIAL_UPLOAD_BODY_BYTES = MAX_MATERIAL_FILE_BYTES + 64 * 1024
/** files per item, department and year */
export const MAX_MATERIAL_FILES_PER_ITEM = 50
/** characters kept of an uploaded file's name */
export const MAX_MATERIAL_NAME_LENGTH = 120
export const UNNAMED_MATERIAL_FILE = '未命名文件'

/** Content types served as themselves on download (always as an attachment); anything else is application/octet-stream. */
export const SAFE_MATERIAL_TYPES: readonly string[] = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'text/plain',
  'text/csv',
  'application/zip',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/ofd',
]

/** The type a file is stored and served with: the uploader's declared type when it is a safe known one. */
export function materialContentType(declared: string | undefined | null): string {
  const base = (declared ?? '').split(';')[0]!.trim().toLowerCase()
  return SAFE_MATERIAL_TYPES.includes(base) ? base : 'application/octet-stream'
}

/**
 * An uploaded file's name as stored: only its last path part (`../../etc/passwd` → `passwd`, `C:\a\b.pdf` →
 * `b.pdf`), without control and bidirectional-override characters, at most MAX_MATERIAL_NAME_LENGTH characters
 * (the extension kept), `未命名文件` when nothing is left.
 */
export function cleanMaterialFileName(raw: string | undefined | null): string {
  const last = (raw ?? '').split(/[/\\]/).pop() ?? ''
  // eslint-disable-next-line no-control-regex
  let name = last.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').trim()
  if (name === '.' || name === '..' || /^\.+$/.test(name)) name = ''
  const chars = [...name]
  if (chars.length > MAX_MATERIAL_NAME_LENGTH) {
    const dot = name.lastIndexOf('.')
    const ext = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : ''
    name = chars.slice(0, MAX_MATERIAL_NAME_LENGTH - [...ext].length).join('') + ext
  }
  return name || UNNAMED_MATERIAL_FILE
}

const year = z.coerce
  .number({ error: '预算年度（year）必须是数字' })
  .int({ error: '预算年度（year）必须是整数' })
  .min(2000, { error: '预算年度（year）应在 2000–2100 之间' })
  .max(2100, { error: '预算年度（year）应在 2000–2100 之间' })
const requiredYear = year

/** `:item` in the path: 1–12 */
export const materialItemParam = z
  .string({ error: '资料项（item）必填' })
  .regex(/^\d{1,2}$/, { error: `资料项（item）应为 1–${MATERIAL_ITEM_COUNT} 的整数` })
  .transform(Number)
  .pipe(z.number().int().min(1, { error: `资料项（item）应为 1–${MATERIAL_ITEM_COUNT} 的整数` }).max(MATERIAL_ITEM_COUNT, { error: `资料项（item）应为 1–${MATERIAL_ITEM_COUNT} 的整数` }))

/** the path parameters of …/materials/:item */
export const materialItemPath = z.object({ item: materialItemParam })

/** GET /api/departments/:id/materials?year= and POST …/:item/files?year= */
export const materialsQuery = z.object({ year: requiredYear })
export type MaterialsQuery = z.input<typeof materialsQuery>

/** PUT /api/departments/:id/materials/:item */
export const materialStatusBody = z.object({
  year: requiredYear,
  status: z.enum(MATERIAL_STATUSES, { error: '状态（status）应为 missing（未收到）、received（已收到）或 not_applicable（不适用）' }),
  /** absent: the note stays as it is */
  note: z.string({ error: '说明（note）必须是文本' }).max(500, { error: '说明（note）最多 500 个字符' }).optional(),
})
export type MaterialStatusBody = z.input<typeof materialStatusBody>

export const materialFile = z.object({
  id: z.string(),
  name: z.string(),
  size: z.number().int(),
  contentType: z.string(),
  uploadedAt: isoTime,
  uploadedByName: z.string().nullable(),
})
export type MaterialFile = z.infer<typeof materialFile>

export const materialItem = z.object({
  item: z.number().int().min(1).max(MATERIAL_ITEM_COUNT),
  label: z.string(),
  status: z.enum(MATERIAL_STATUSES),
  note: z.string(),
  /** null while nobody has set the item */
  updatedAt: isoTime.nullable(),
  updatedByName: z.string().nullable(),
  files: z.array(materialFile),
})
export type MaterialItem = z.infer<typeof materialItem>

export const materialsAnswer = z.object({
  departmentId: z.string(),
  year: z.number().int(),
  items: z.array(materialItem),
  /** items 已收到 */
  received: z.number().int(),
  /** items that apply (12 less 不适用) */
  total: z.number().int(),
  /** whether the caller may change statuses and files, and download files */
  access: z.object({ write: z.boolean(), download: z.boolean() }),
})
export type MaterialsAnswer = z.infer<typeof materialsAnswer>

/** POST …/files: the multipart text fields beside `file` (none; year is in the query) */
export const materialUploadFields = z.object({})
