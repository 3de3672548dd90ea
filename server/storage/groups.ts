// 同质化部门组 and 示范点 (shared/api/groups.ts): groups with their members (a department is in at most one
// group per year: checked with a clear message, and held by group_members' unique index under a race) and
// what each propagation last wrote into a member table (group_propagations.base, server/workflow/propagate.ts).
import { and, asc, desc, eq, inArray, max, ne, sql } from 'drizzle-orm'
import type { GroupKind } from '../../shared/api/groups.ts'
import { AppError } from '../../shared/errors.ts'
import type { Db } from '../db/open.ts'
import { mapDbErrors, pgConstraint, toAppError } from '../db/errors.ts'
import { departmentGroups, departments, groupMembers, groupPropagations, targetTables } from '../db/schema.ts'

export interface StoredGroupMember {
  departmentId: string
  code: string
  name: string
  kind: 'department' | 'unit' | 'town'
}

export interface StoredGroup {
  id: string
  name: string
  kind: GroupKind
  year: number
  sourceTableId: string | null
  sourceTableTitle: string | null
  sourceDepartmentId: string | null
  members: StoredGroupMember[]
  createdBy: string | null
  createdAt: Date
  lastPropagatedAt: Date | null
}

export interface NewGroup {
  name: string
  kind: GroupKind
  year: number
  departmentIds: readonly string[]
  sourceTableId: string | null
  createdBy: string | null
}

export interface GroupPatch {
  name?: string
  departmentIds?: readonly string[]
  sourceTableId?: string | null
}

/** One source row as last propagated into a member table: the member row it became and the values written. */
export interface BaseRow {
  memberRowId: string
  values: Record<string, unknown>
}
/** per source row id */
export type PropagationBase = Record<string, BaseRow>

export interface GroupRepository {
  /** ordered by year, name */
  list(filter?: { year?: number }): Promise<StoredGroup[]>
  get(id: string): Promise<StoredGroup | null>
  /** the group a department is in for a year, if any */
  groupOf(year: number, departmentId: string): Promise<{ id: string; name: string } | null>
  /** `conflict` naming the other group when a member is in one already that year (also under a race) */
  create(input: NewGroup): Promise<StoredGroup>
  update(id: string, patch: GroupPatch): Promise<StoredGroup>
  /** true when there was a group; its members and bases go with it, the tables stay */
  delete(id: string): Promise<boolean>
  /** per member table: what the group last wrote there */
  bases(groupId: string): Promise<Map<string, PropagationBase>>
  saveBase(groupId: string, tableId: string, base: PropagationBase, userId: string | null): Promise<void>
}

const NAME_TAKEN = '本年度已有同名的组，请换一个组名'

export function createGroupRepository(db: Db): GroupRepository {
  async function load(handle: Db, where: { id?: string; year?: number }): Promise<StoredGroup[]> {
    const rows = await handle
      .select({
        id: departmentGroups.id, name: departmentGroups.name, kind: departmentGroups.kind, year: departmentGroups.year,
        sourceTableId: departmentGroups.sourceTableId, sourceTableTitle: targetTables.title, sourceDepartmentId: targetTables.departmentId,
        sourceDeleted: targetTables.deletedAt, createdBy: departmentGroups.createdBy, createdAt: departmentGroups.createdAt,
      })
      .from(departmentGroups)
      .leftJoin(targetTables, eq(targetTables.id, departmentGroups.sourceTableId))
      .where(and(where.id !== undefined ? eq(departmentGroups.id, where.id) : undefined, where.year !== undefined ? eq(departmentGroups.year, where.year) : undefined))
      .orderBy(asc(departmentGroups.year), asc(departmentGroups.name))
    if (rows.length === 0) return []
    const ids = rows.map((r) => r.id)
    const members = await handle
      .select({ groupId: groupMembers.groupId, departmentId: departments.id, code: departments.code, name: departments.name, kind: departments.kind })
      .from(groupMembers)
      .innerJoin(departments, eq(departments.id, groupMembers.departmentId))
      .where(inArray(groupMembers.groupId, ids))
      .orderBy(asc(departments.code))
    const last = await handle
      .select({ groupId: groupPropagations.groupId, at: max(groupPropagations.propagatedAt) })
      .from(groupPropagations)
      .where(inArray(groupPropagations.groupId, ids))
      .groupBy(groupPropagations.groupId)
    const lastOf = new Map(last.map((l) => [l.groupId, l.at]))
    return rows.map((r) => {
      // a soft-deleted source table is no source
      const source = r.sourceTableId && !r.sourceDeleted && r.sourceTableTitle !== null
      return {
        id: r.id, name: r.name, kind: r.kind, year: r.year,
        sourceTableId: source ? r.sourceTableId : null,
        sourceTableTitle: source ? r.sourceTableTitle : null,
        sourceDepartmentId: source ? r.sourceDepartmentId : null,
        members: members.filter((m) => m.groupId === r.id).map(({ groupId: _g, ...m }) => m),
        createdBy: r.createdBy, createdAt: r.createdAt,
        lastPropagatedAt: lastOf.get(r.id) ? new Date(lastOf.get(r.id)!) : null,
      }
    })
  }

  /** Refuses members held by another group that year, naming it (the unique index catches a race). */
  async function checkFree(tx: Db, year: number, departmentIds: readonly string[], groupId: string | null): Promise<void> {
    const held = await tx
      .select({ departmentName: departments.name, groupName: departmentGroups.name })
      .from(groupMembers)
      .innerJoin(departments, eq(departments.id, groupMembers.departmentId))
      .innerJoin(departmentGroups, eq(departmentGroups.id, groupMembers.groupId))
      .where(and(eq(groupMembers.year, year), inArray(groupMembers.departmentId, [...departmentIds]), groupId ? ne(groupMembers.groupId, groupId) : undefined))
    if (held.length) {
      throw new AppError(
        'conflict',
        `${year} 年${held.map((h) => `${h.departmentName}已在“${h.groupName}”中`).join('；')}。一个部门一年只能属于一个组，请先从原组移出`,
        { field: 'departmentIds', groups: [...new Set(held.map((h) => h.groupName))] },
      )
    }
  }

  async function checkDepartments(tx: Db, departmentIds: readonly string[]): Promise<void> {
    const found = await tx.select({ id: departments.id }).from(departments).where(inArray(departments.id, [...departmentIds]))
    const missing = departmentIds.filter((d) => !found.some((f) => f.id === d))
    if (missing.length) throw new AppError('invalid_input', `部门（departmentIds）不存在：${missing.join('、')}`, { field: 'departmentIds', missing })
  }

  /**
   * A unique violation of the members' index means another request took a member between our check and
   * our insert: answered as the check would have, naming the group that holds it now.
   */
  async function raced(err: unknown, year: number, departmentIds: readonly string[], groupId: string | null): Promise<unknown> {
    if (pgConstraint(err) === 'group_members_year_department_unique') {
      try {
        await checkFree(db, year, departmentIds, groupId)
      } catch (named) {
        return named
      }
      return new AppError('conflict', '成员已被其他组占用，请刷新后重试', { field: 'departmentIds' })
    }
    return toAppError(err, { conflict: { department_groups_year_name_unique: NAME_TAKEN }, missingReference: '部门或来源表不存在' })
  }

  const repo: GroupRepository = {
    list: (filter = {}) => load(db, filter),
    async get(id) {
      return (await load(db, { id }))[0] ?? null
    },
    async groupOf(year, departmentId) {
      const [row] = await db
        .select({ id: departmentGroups.id, name: departmentGroups.name })
        .from(groupMembers)
        .innerJoin(departmentGroups, eq(departmentGroups.id, groupMembers.groupId))
        .where(and(eq(groupMembers.year, year), eq(groupMembers.departmentId, departmentId)))
      return row ?? null
    },

    async create(input) {
      const departmentIds = [...new Set(input.departmentIds)]
      try {
        return await db.transaction(async (tx) => {
          const h = tx as unknown as Db
          await checkDepartments(h, departmentIds)
          const [named] = await tx.select({ id: departmentGroups.id }).from(departmentGroups).where(and(eq(departmentGroups.year, input.year), eq(departmentGroups.name, input.name)))
          if (named) throw new AppError('conflict', NAME_TAKEN, { field: 'name' })
          await checkFree(h, input.year, departmentIds, null)
          const [g] = await tx
            .insert(departmentGroups)
            .values({ name: input.name, kind: input.kind, year: input.year, sourceTableId: input.sourceTableId, createdBy: input.createdBy })
            .returning({ id: departmentGroups.id })
          await tx.insert(groupMembers).values(departmentIds.map((departmentId) => ({ groupId: g!.id, year: input.year, departmentId })))
          return (await load(h, { id: g!.id }))[0]!
        })
      } catch (err) {
        throw await raced(err, input.year, departmentIds, null)
      }
    },

    async update(id, patch) {
      const current = (await load(db, { id }))[0]
      if (!current) throw new AppError('not_found', '组不存在或已删除')
      const departmentIds = patch.departmentIds ? [...new Set(patch.departmentIds)] : null
      try {
        return await db.transaction(async (tx) => {
          const h = tx as unknown as Db
          const set: Partial<typeof departmentGroups.$inferInsert> = { updatedAt: new Date() }
          if (patch.name !== undefined && patch.name !== current.name) {
            const [named] = await tx.select({ id: departmentGroups.id }).from(departmentGroups).where(and(eq(departmentGroups.year, current.year), eq(departmentGroups.name, patch.name), ne(departmentGroups.id, id)))
            if (named) throw new AppError('conflict', NAME_TAKEN, { field: 'name' })
            set.name = patch.name
          }
          if (patch.sourceTableId !== undefined) set.sourceTableId = patch.sourceTableId
          await tx.update(departmentGroups).set(set).where(eq(departmentGroups.id, id))
          if (departmentIds) {
            await checkDepartments(h, departmentIds)
            await checkFree(h, current.year, departmentIds, id)
            await tx.delete(groupMembers).where(and(eq(groupMembers.groupId, id), sql`${groupMembers.departmentId} not in (${sql.join(departmentIds.map((d) => sql`${d}`), sql`, `)})`))
            await tx.insert(groupMembers).values(departmentIds.map((departmentId) => ({ groupId: id, year: current.year, departmentId }))).onConflictDoNothing({ target: [groupMembers.groupId, groupMembers.departmentId] })
          }
          return (await load(h, { id }))[0]!
        })
      } catch (err) {
        throw await raced(err, current.year, departmentIds ?? [], id)
      }
    },

    async delete(id) {
      const rows = await db.delete(departmentGroups).where(eq(departmentGroups.id, id)).returning({ id: departmentGroups.id })
      return rows.length > 0
    },

    async bases(groupId) {
      const rows = await db.select({ tableId: groupPropagations.tableId, base: groupPropagations.base }).from(groupPropagations).where(eq(groupPropagations.groupId, groupId)).orderBy(desc(groupPropagations.propagatedAt))
      return new Map(rows.map((r) => [r.tableId, r.base as PropagationBase]))
    },

    async saveBase(groupId, tableId, base, userId) {
      await mapDbErrors(
        () =>
          db
            .insert(groupPropagations)
            .values({ groupId, tableId, base: base as Record<string, unknown>, propagatedBy: userId, propagatedAt: new Date() })
            .onConflictDoUpdate({ target: [groupPropagations.groupId, groupPropagations.tableId], set: { base: base as Record<string, unknown>, propagatedBy: userId, propagatedAt: new Date() } }),
        { missingReference: '组或成员表已不存在' },
      )
    },
  }
  return repo
}
