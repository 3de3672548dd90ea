// The 工作台账 and the 总览 as xlsx workbooks (ExcelJS) for the monthly report to the bureau: Chinese headings,
// one row per department (the overview: per department, unit and town in tree order), statuses and stages in
// Chinese, overdue rows filled light red, the header frozen, fixed column widths. Bytes only, no files.
import ExcelJS from 'exceljs'
import { DIFFICULTY_LABELS } from '../../shared/api/assignments.ts'
import { STATUS_LABELS } from '../../shared/api/constants.ts'
import type { DeadlineState, LedgerAnswer, OverviewAnswer, StageInfo } from '../../shared/api/workflow.ts'
import { STAGE_LABELS } from '../../shared/workflow/stage.ts'
import { cellText } from '../review/opinions-xlsx.ts'

interface Column<R> {
  header: string
  width: number
  value: (r: R) => string | number | null
}

/** light red (Excel's own "bad" fill) */
export const OVERDUE_FILL = 'FFFFC7CE'
const HEADER_FILL = 'FFD9E1F2'
const FONT = '宋体'
const KIND_LABELS = { department: '部门', unit: '单位', town: '镇街' } as const

/** `2026-12-04 09:30` on Beijing time (UTC+8, no daylight saving); a fixed offset instead of an Intl formatter per cell (ms each) */
export function beijingTime(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ')
}

export function stageText(s: StageInfo): string {
  return s.source === 'manual' ? `${STAGE_LABELS[s.stage]}（手动）` : STAGE_LABELS[s.stage]
}

const deadlineColumns = <R extends { deadline: DeadlineState | null }>(): Column<R>[] => [
  { header: '下一截止阶段', width: 12, value: (r) => (r.deadline ? STAGE_LABELS[r.deadline.stage] : '') },
  { header: '截止日期', width: 12, value: (r) => r.deadline?.dueDate ?? '' },
  { header: '逾期天数', width: 9, value: (r) => (r.deadline?.overdue ? r.deadline.days : '') },
]

async function workbook<R extends { deadline: DeadlineState | null }>(sheetName: string, columns: Column<R>[], rows: readonly R[]): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook()
  wb.creator = '绩效目标表系统'
  const ws = wb.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1, xSplit: 0 }] })
  ws.columns = columns.map((c) => ({ header: c.header, width: c.width }))
  const header = ws.getRow(1)
  header.font = { name: FONT, bold: true, size: 10 }
  header.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true }
  header.height = 28
  header.eachCell((cell) => (cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: HEADER_FILL } }))
  for (const r of rows) {
    const row = ws.addRow(columns.map((c) => {
      const v = c.value(r)
      return typeof v === 'string' ? cellText(v) : v
    }))
    row.font = { name: FONT, size: 10 }
    if (r.deadline?.overdue) {
      for (let i = 1; i <= columns.length; i++) row.getCell(i).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: OVERDUE_FILL } }
    }
  }
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } }
  return new Uint8Array(await wb.xlsx.writeBuffer())
}

export function ledgerFileName(year: number): string {
  return `${year}年度工作台账.xlsx`
}

export function overviewFileName(year: number): string {
  return `${year}年度工作总览.xlsx`
}

type LedgerRow = LedgerAnswer['rows'][number]
type OverviewRow = OverviewAnswer['rows'][number]

export function ledgerWorkbook(answer: LedgerAnswer): Promise<Uint8Array> {
  const columns: Column<LedgerRow>[] = [
    { header: '第三方机构', width: 20, value: (r) => r.consultantName },
    { header: '部门代码', width: 10, value: (r) => r.departmentCode },
    { header: '部门名称', width: 30, value: (r) => r.departmentName },
    { header: '难度分类', width: 10, value: (r) => DIFFICULTY_LABELS[r.difficulty] },
    { header: '工作阶段', width: 12, value: (r) => stageText(r.stage) },
    { header: '表格合计', width: 8, value: (r) => r.tables.total },
    { header: STATUS_LABELS.draft, width: 7, value: (r) => r.tables.draft },
    { header: STATUS_LABELS.submitted, width: 7, value: (r) => r.tables.submitted },
    { header: STATUS_LABELS.returned, width: 8, value: (r) => r.tables.returned },
    { header: STATUS_LABELS.approved, width: 7, value: (r) => r.tables.approved },
    { header: '当前轮次', width: 8, value: (r) => r.currentRound },
    { header: '未解决意见', width: 9, value: (r) => r.openThreads },
    { header: '错误', width: 7, value: (r) => r.errorCount },
    { header: '资料已收到', width: 9, value: (r) => r.materials.received },
    { header: '资料不适用', width: 9, value: (r) => r.materials.notApplicable },
    { header: '资料未收到', width: 9, value: (r) => r.materials.missing },
    { header: '资料文件数', width: 9, value: (r) => r.materials.files },
    ...deadlineColumns<LedgerRow>(),
    { header: '最后活动', width: 17, value: (r) => (r.lastActivityAt ? beijingTime(r.lastActivityAt) : '') },
  ]
  return workbook('工作台账', columns, answer.rows)
}

export function overviewWorkbook(answer: OverviewAnswer): Promise<Uint8Array> {
  const columns: Column<OverviewRow>[] = [
    { header: '代码', width: 10, value: (r) => r.code },
    // a unit is indented below its department
    { header: '部门（单位、镇街）', width: 32, value: (r) => (r.kind === 'unit' ? `　　${r.name}` : r.name) },
    { header: '类型', width: 6, value: (r) => KIND_LABELS[r.kind] },
    { header: '工作阶段', width: 12, value: (r) => stageText(r.stage) },
    { header: '第三方机构', width: 20, value: (r) => r.consultant?.name ?? '' },
    { header: '难度分类', width: 10, value: (r) => (r.difficulty ? DIFFICULTY_LABELS[r.difficulty] : '') },
    { header: '表格合计', width: 8, value: (r) => r.tables.total },
    { header: STATUS_LABELS.draft, width: 7, value: (r) => r.tables.draft },
    { header: STATUS_LABELS.submitted, width: 7, value: (r) => r.tables.submitted },
    { header: STATUS_LABELS.returned, width: 8, value: (r) => r.tables.returned },
    { header: STATUS_LABELS.approved, width: 7, value: (r) => r.tables.approved },
    { header: '错误', width: 7, value: (r) => r.errorCount },
    { header: '警告', width: 7, value: (r) => r.warningCount },
    { header: '未解决意见', width: 9, value: (r) => r.openThreads },
    ...deadlineColumns<OverviewRow>(),
    { header: '最后活动', width: 17, value: (r) => (r.lastActivityAt ? beijingTime(r.lastActivityAt) : '') },
  ]
  return workbook('工作总览', columns, answer.rows)
}
