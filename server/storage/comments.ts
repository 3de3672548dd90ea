// Review comments (审核意见) as rows: a queryable projection of the comments room, for listings,
// the open-thread gate on submit/approve, and exports. The Yjs comments document stays the source.
import { and, asc, count, eq, inArray, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '../db/open.ts'
import { mapDbErrors } from '../db/errors.ts'
import { THREAD_STATUSES, commentMessages, commentThreads, type ThreadStatus } from '../db/schema.ts'
import { id, notFound, oneOf, optionalText, parseInput, positiveInt, requiredText } from './input.ts'

export type CommentMessage = typeof commentMessages.$inferSelect
export type CommentThread = typeof commentThreads.$inferSelect & { messages: CommentMessage[] }

/** a time as the comments document may hold it: Date, ISO string or epoch milliseconds */
export type TimeInput = Date | string | number

export interface NewThread {
  id?: string
  tableId: string
  round: number
  anchorRowId?: string | null
  anchorField?: string | null
  authorId: string
  /** the first message */
  text: string
  messageId?: string
  createdAt?: TimeInput
}

export interface NewMessage {
  id?: string
  threadId: string
  authorId: string
  text: string
  createdAt?: TimeInput
}

/** one thread as read from the comments document, with all its messages */
export interface ProjectedThread {
  id: string
  round: number
  anchorRowId?: string | null
  anchorField?: string | null
  status: ThreadStatus
  authorId: string
  createdAt: TimeInput
  resolvedAt?: TimeInput | null
  messages: readonly { id: string; authorId: string; text: string; createdAt: TimeInput }[]
}

export interface CommentRepository {
  createThread(input: NewThread): Promise<CommentThread>
  addMessage(input: NewMessage): Promise<CommentMessage>
  setStatus(threadId: string, status: ThreadStatus, at?: Date): Promise<CommentThread>
  get(threadId: string): Promise<CommentThread | null>
  /** threads with their messages, oldest first */
  list(tableId: string, filter?: { round?: number; status?: ThreadStatus }): Promise<CommentThread[]>
  countOpen(tableId: string, round?: number): Promise<number>
  /** makes the table's rows equal to the given threads (the projection of its comments document) */
  replaceForTable(tableId: string, threads: readonly ProjectedThread[]): Promise<void>
}

const TIME = z
  .union([z.date(), z.string(), z.number()], { error: '时间（createdAt）格式不正确' })
  .transform((v, ctx) => {
    const d = v instanceof Date ? v : new Date(v)
    if (Number.isNaN(d.getTime())) {
      ctx.addIssue({ code: 'custom', message: '时间（createdAt）格式不正确' })
      return z.NEVER
    }
    return d
  })
const TEXT = requiredText('意见内容（text）', 10_000)
const ANCHOR_ROW = optionalText('关联行（anchorRowId）', 100).nullish()
const ANCHOR_FIELD = optionalText('关联字段（anchorField）', 200).nullish()

const newThreadSchema = z.object({
  id: id('意见编号（id）').optional(),
  tableId: id('表编号（tableId）'),
  round: positiveInt('轮次（round）'),
  anchorRowId: ANCHOR_ROW,
  anchorField: ANCHOR_FIELD,
  authorId: id('提出人（authorId）'),
  text: TEXT,
  messageId: id('消息编号（messageId）').optional(),
  createdAt: TIME.optional(),
})

const newMessageSchema = z.object({
  id: id('消息编号（id）').optional(),
  threadId: id('意见编号（threadId）'),
  authorId: id('回复人（authorId）'),
  text: TEXT,
  createdAt: TIME.optional(),
})

const projectedSchema = z.array(
  z.object({
    id: id('意见编号（id）'),
    round: positiveInt('轮次（round）'),
    anchorRowId: ANCHOR_ROW,
    anchorField: ANCHOR_FIELD,
    status: oneOf('意见状态（status）', THREAD_STATUSES),
    authorId: id('提出人（authorId）'),
    createdAt: TIME,
    resolvedAt: TIME.nullish(),
    messages: z.array(z.object({ id: id('消息编号（id）'), authorId: id('回复人（authorId）'), text: z.string(), createdAt: TIME })),
  }),
)

const MESSAGES = { conflict: '意见编号已存在', missingReference: '绩效目标表或意见不存在' }

export function createCommentRepository(db: Db): CommentRepository {
  async function withMessages(threads: (typeof commentThreads.$inferSelect)[]): Promise<CommentThread[]> {
    if (threads.length === 0) return []
    const messages = await db
      .select()
      .from(commentMessages)
      .where(inArray(commentMessages.threadId, threads.map((t) => t.id)))
      .orderBy(asc(commentMessages.createdAt), asc(commentMessages.id))
    return threads.map((t) => ({ ...t, messages: messages.filter((m) => m.threadId === t.id) }))
  }

  async function get(threadId: string): Promise<CommentThread | null> {
    const rows = await db.select().from(commentThreads).where(eq(commentThreads.id, threadId))
    return (await withMessages(rows))[0] ?? null
  }

  return {
    async createThread(input) {
      const data = parseInput(newThreadSchema, input)
      const createdAt = data.createdAt ?? new Date()
      const threadId = await mapDbErrors(
        () =>
          db.transaction(async (tx) => {
            const [thread] = await tx
              .insert(commentThreads)
              .values({
                ...(data.id ? { id: data.id } : {}),
                tableId: data.tableId,
                round: data.round,
                anchorRowId: data.anchorRowId ?? null,
                anchorField: data.anchorField ?? null,
                authorId: data.authorId,
                createdAt,
              })
              .returning({ id: commentThreads.id })
            await tx.insert(commentMessages).values({
              ...(data.messageId ? { id: data.messageId } : {}),
              threadId: thread!.id,
              authorId: data.authorId,
              text: data.text,
              createdAt,
            })
            return thread!.id
          }),
        MESSAGES,
      )
      return (await get(threadId))!
    },

    async addMessage(input) {
      const data = parseInput(newMessageSchema, input)
      const [row] = await mapDbErrors(
        () =>
          db
            .insert(commentMessages)
            .values({ ...(data.id ? { id: data.id } : {}), threadId: data.threadId, authorId: data.authorId, text: data.text, createdAt: data.createdAt ?? new Date() })
            .returning(),
        { conflict: '消息编号已存在', missingReference: `意见不存在：${data.threadId}` },
      )
      return row!
    },

    async setStatus(threadId, status, at = new Date()) {
      const s = parseInput(oneOf('意见状态（status）', THREAD_STATUSES), status)
      const rows = await db
        .update(commentThreads)
        .set({ status: s, resolvedAt: s === 'resolved' ? at : null })
        .where(eq(commentThreads.id, threadId))
        .returning({ id: commentThreads.id })
      if (rows.length === 0) throw notFound('意见', threadId)
      return (await get(threadId))!
    },

    get,

    async list(tableId, filter = {}) {
      const conditions: SQL[] = [eq(commentThreads.tableId, tableId)]
      if (filter.round !== undefined) conditions.push(eq(commentThreads.round, filter.round))
      if (filter.status !== undefined) conditions.push(eq(commentThreads.status, filter.status))
      const rows = await db
        .select()
        .from(commentThreads)
        .where(and(...conditions))
        .orderBy(asc(commentThreads.createdAt), asc(commentThreads.id))
      return withMessages(rows)
    },

    async countOpen(tableId, round) {
      const conditions: SQL[] = [eq(commentThreads.tableId, tableId), eq(commentThreads.status, 'open')]
      if (round !== undefined) conditions.push(eq(commentThreads.round, round))
      const [row] = await db.select({ n: count() }).from(commentThreads).where(and(...conditions))
      return row?.n ?? 0
    },

    async replaceForTable(tableId, threads) {
      const data = parseInput(projectedSchema, threads)
      await mapDbErrors(
        () =>
          db.transaction(async (tx) => {
            // Rebuilding beats diffing here: a table has tens of threads, and the result is exactly the document.
            await tx.delete(commentThreads).where(eq(commentThreads.tableId, tableId))
            if (data.length === 0) return
            await tx.insert(commentThreads).values(
              data.map((t) => ({
                id: t.id,
                tableId,
                round: t.round,
                anchorRowId: t.anchorRowId ?? null,
                anchorField: t.anchorField ?? null,
                status: t.status,
                authorId: t.authorId,
                createdAt: t.createdAt,
                resolvedAt: t.resolvedAt ?? null,
              })),
            )
            const messages = data.flatMap((t) => t.messages.map((m) => ({ id: m.id, threadId: t.id, authorId: m.authorId, text: m.text, createdAt: m.createdAt })))
            if (messages.length > 0) await tx.insert(commentMessages).values(messages)
          }),
        MESSAGES,
      )
    },
  }
}
