// Where a library entry is used (learned from approved tables): GET /api/indicators/:id/usage.
// When a table is approved its indicator rows are linked to entries (the same name, or a near-identical one);
// reopening it removes its links. usageCount on an entry = distinct approved tables linked to it.
import { z } from 'zod'
import { limitParam } from './common.ts'

export const usageQuery = z.object({
  year: z.coerce.number({ error: '预算年度（year）必须是数字' }).int().min(2000).max(2100).optional(),
  limit: limitParam(50),
  cursor: z.string().max(200).optional(),
})
export type UsageQuery = z.input<typeof usageQuery>

export const indicatorUse = z.object({
  tableId: z.string(),
  /** the table's title (项目名称 or 部门名称) */
  title: z.string(),
  year: z.number().int(),
  departmentId: z.string(),
  departmentName: z.string(),
  functionalClass: z.string(),
  /** the 三级指标 as the table wrote it */
  level3: z.string(),
  comparator: z.string(),
  target: z.string(),
  unit: z.string(),
  match: z.enum(['exact', 'near']),
})
export type IndicatorUse = z.infer<typeof indicatorUse>

export const usageAnswer = z.object({
  indicatorId: z.string(),
  /** distinct approved tables linked (all years unless `year`) */
  tableCount: z.number().int(),
  departmentCount: z.number().int(),
  /** the values approved tables set, most frequent first: 95%（12 张表） */
  typicalValues: z.array(z.object({ value: z.string(), count: z.number().int() })),
  /** the numeric range of the values seen, when they are numbers in one unit */
  range: z.object({ min: z.number(), max: z.number(), unit: z.string() }).nullable(),
  /** how the tables named it, most frequent first (培训人次 / 参训人次 …) */
  names: z.array(z.object({ level3: z.string(), count: z.number().int() })),
  uses: z.array(indicatorUse),
  total: z.number().int(),
  nextCursor: z.string().nullable(),
})
export type UsageAnswer = z.infer<typeof usageAnswer>
