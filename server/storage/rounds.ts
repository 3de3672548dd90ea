// 征求意见轮次 as rows: one per (table, round), opened by a submit with the version it froze; a
// reviewer's grades on the four dimensions of 财预〔2015〕88号 and a verdict are kept with it.
import { and, asc, eq } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/open.ts'
import { mapDbErrors } from '../db/errors.ts'
import { GRADES, reviewRounds } from '../db/schema.ts'
import { id, nonNegativeInt, notFound, oneOf, optionalText, parseInput, positiveInt } from './input.ts'

export type ReviewRound = typeof reviewRounds.$inferSelect

export interface OpenRound {
  tableId: string
  round: number
  version?: number | null
  submittedBy?: string | null
  submittedAt?: Date
}

export interface RoundReview {
  grades: { completeness: string; relevance: string; appropriateness: string; feasibility: string }
  verdict: string
  comment?: string | null
  reviewedBy: string
  reviewedAt?: Date
}

export interface RoundRepository {
  /** opens a round (a submit); opening one that exists is a conflict */
  open(input: OpenRound): Promise<ReviewRound>
  get(tableId: string, round: number): Promise<ReviewRound | null>
  /** a table's rounds, oldest first */
  list(tableId: string): Promise<ReviewRound[]>
  /** grades a round (again: the latest review stands, the audit log keeps earlier ones) */
  review(tableId: string, round: number, review: RoundReview): Promise<ReviewRound>
}

const grade = (label: string) => oneOf(label, GRADES)
const openSchema = z.object({
  tableId: id('表编号（tableId）'),
  round: positiveInt('轮次（round）'),
  version: nonNegativeInt('版本（version）').nullish(),
  submittedBy: id('报送人（submittedBy）').nullish(),
  submittedAt: z.date().optional(),
})
const reviewSchema = z.object({
  grades: z.object({
    completeness: grade('完整性（grades.completeness）'),
    relevance: grade('相关性（grades.relevance）'),
    appropriateness: grade('适当性（grades.appropriateness）'),
    feasibility: grade('可行性（grades.feasibility）'),
  }),
  verdict: grade('审核结论（verdict）'),
  comment: optionalText('审核意见（comment）', 2000).nullish(),
  reviewedBy: id('评审人（reviewedBy）'),
  reviewedAt: z.date().optional(),
})

export function createRoundRepository(db: Db): RoundRepository {
  async function get(tableId: string, round: number): Promise<ReviewRound | null> {
    const [row] = await db.select().from(reviewRounds).where(and(eq(reviewRounds.tableId, tableId), eq(reviewRounds.round, round)))
    return row ?? null
  }
  return {
    async open(input) {
      const data = parseInput(openSchema, input)
      const [row] = await mapDbErrors(
        () =>
          db
            .insert(reviewRounds)
            .values({ tableId: data.tableId, round: data.round, version: data.version ?? null, submittedBy: data.submittedBy ?? null, submittedAt: data.submittedAt ?? new Date() })
            .returning(),
        { conflict: `第 ${data.round} 轮已存在`, missingReference: `绩效目标表不存在：${data.tableId}` },
      )
      return row!
    },
    get,
    list(tableId) {
      return db.select().from(reviewRounds).where(eq(reviewRounds.tableId, tableId)).orderBy(asc(reviewRounds.round))
    },
    async review(tableId, round, review) {
      const data = parseInput(reviewSchema, review)
      const rows = await db
        .update(reviewRounds)
        .set({ grades: data.grades, verdict: data.verdict, comment: data.comment ?? null, reviewedBy: data.reviewedBy, reviewedAt: data.reviewedAt ?? new Date() })
        .where(and(eq(reviewRounds.tableId, tableId), eq(reviewRounds.round, round)))
        .returning()
      if (!rows[0]) throw notFound('征求意见轮次', `${tableId}#${round}`)
      return rows[0]
    },
  }
}
