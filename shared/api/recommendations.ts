// Indicator recommendations for a table (指标推荐): library entries ranked for the table, each with its reasons.
// CONTRACT.md → `GET /api/tables/:id/recommendations?limit=` (editors of the table).
import { z } from 'zod'

export const MAX_RECOMMENDATIONS = 50

export const recommendationQuery = z.object({
  limit: z.coerce
    .number({ error: '推荐数量（limit）必须是数字' })
    .int({ error: '推荐数量（limit）必须是整数' })
    .min(1, { error: '推荐数量（limit）至少为 1' })
    .max(MAX_RECOMMENDATIONS, { error: `推荐数量（limit）不能超过 ${MAX_RECOMMENDATIONS}` })
    .default(20),
})
export type RecommendationQuery = z.input<typeof recommendationQuery>

/** The row a suggestion inserts: placed under the table's framework (2021 placement for 成本指标 when it applies). */
export const recommendedIndicator = z.object({
  /** library entry id */
  id: z.string().optional(),
  level1: z.string(),
  level2: z.string(),
  level3: z.string(),
  comparator: z.string(),
  /** the value approved tables of the same class used most, else the library's typical value ('' when none) */
  target: z.string(),
  unit: z.string(),
  explanation: z.string(),
  basis: z.string(),
  /** ★ core indicator of the table's 功能分类 */
  core: z.boolean(),
  /** 延续 projects: last year's target and actual of the same indicator (priorYear), when known */
  priorTarget: z.string().optional(),
  priorActual: z.string().optional(),
})
export type RecommendedIndicator = z.infer<typeof recommendedIndicator>

export const recommendation = z.object({
  indicator: recommendedIndicator,
  /** higher first; only comparable within one answer */
  score: z.number(),
  /** Chinese, one short phrase each: ★ 本类核心指标, 同类项目 78% 使用, 补足缺失的时效指标, 名称与项目相关：课后服务 … */
  reasons: z.array(z.string()),
})
export type Recommendation = z.infer<typeof recommendation>

export const recommendationAnswer = z.object({ recommendations: z.array(recommendation) })
export type RecommendationAnswer = z.infer<typeof recommendationAnswer>
