// 同质化部门组 and 示范点: who may manage a group and what a group may hold (shared/api/groups.ts). Finance
// manages any group; a consultant only groups whose members are all assigned to it for the group's year;
// a demo-towns group's members are towns; the source table is of the group's year and, for demo towns,
// approved and of a member town.
import type { Group, GroupKind } from '../../shared/api/groups.ts'
import { AppError } from '../../shared/errors.ts'
import { can, type Actor } from '../../shared/permissions.ts'
import type { Storage, TableRow } from '../storage/index.ts'
import type { StoredGroup } from '../storage/groups.ts'

export function toGroup(g: StoredGroup): Group {
  return {
    id: g.id, name: g.name, kind: g.kind, year: g.year,
    sourceTableId: g.sourceTableId, sourceTableTitle: g.sourceTableTitle, sourceDepartmentId: g.sourceDepartmentId,
    members: g.members.map((m) => ({ departmentId: m.departmentId, code: m.code, name: m.name, kind: m.kind })),
    createdAt: g.createdAt.toISOString(),
    lastPropagatedAt: g.lastPropagatedAt ? g.lastPropagatedAt.toISOString() : null,
  }
}

/** finance and consultants only; everyone else is refused before anything is read */
export function assertGroupRole(actor: Actor): void {
  if (actor.role !== 'finance' && actor.role !== 'consultant') throw new AppError('forbidden', '只有财政局和第三方机构可以管理同质化部门组和示范点')
}

/** the members of `departmentIds` a consultant does not hold for `year` (finance: none) */
function unassigned(actor: Actor, year: number, departmentIds: readonly string[]): string[] {
  if (actor.role === 'finance') return []
  const mine = new Set(actor.assignedDepartmentIds?.[year] ?? [])
  return departmentIds.filter((d) => !mine.has(d))
}

/** May the actor manage (see, change, delete, propagate) this group? */
export function mayManage(actor: Actor, group: Pick<StoredGroup, 'year' | 'members'>): boolean {
  if (actor.role === 'finance') return true
  if (actor.role !== 'consultant') return false
  return unassigned(actor, group.year, group.members.map((m) => m.departmentId)).length === 0
}

/** The group, or not_found when it is absent or the caller may not manage it. */
export async function requireGroup(storage: Storage, actor: Actor, id: string): Promise<StoredGroup> {
  assertGroupRole(actor)
  const g = await storage.groups.get(id)
  if (!g) throw new AppError('not_found', '组不存在或已删除')
  if (!mayManage(actor, g)) throw new AppError('forbidden', '第三方机构只能管理成员全部由本机构负责的组')
  return g
}

export interface GroupShape {
  kind: GroupKind
  year: number
  departmentIds: readonly string[]
  sourceTableId: string | null
}

/**
 * Checks a group as it would be stored (creation or the result of a change); throws invalid_input or
 * forbidden naming the field. Returns the source table (null when none is set).
 */
export async function checkGroup(storage: Storage, actor: Actor, shape: GroupShape): Promise<TableRow | null> {
  const ids = [...new Set(shape.departmentIds)]
  const all = new Map((await storage.departments.list()).map((d) => [d.id, d]))
  const missing = ids.filter((id) => !all.has(id))
  if (missing.length) throw new AppError('invalid_input', `部门（departmentIds）不存在：${missing.join('、')}`, { field: 'departmentIds', missing })
  if (shape.kind === 'demo-towns') {
    const notTowns = ids.filter((id) => all.get(id)!.kind !== 'town')
    if (notTowns.length) {
      throw new AppError('invalid_input', `示范点组的成员必须是镇街：${notTowns.map((id) => all.get(id)!.name).join('、')}不是镇街`, { field: 'departmentIds', notTowns })
    }
  }
  const foreign = unassigned(actor, shape.year, ids)
  if (foreign.length) {
    throw new AppError('forbidden', `第三方机构只能管理本机构 ${shape.year} 年负责的部门：${foreign.map((id) => all.get(id)!.name).join('、')}不由本机构负责`, { field: 'departmentIds' })
  }
  if (!shape.sourceTableId) return null
  const source = await storage.tables.get(shape.sourceTableId)
  const readable = source && can(actor, 'read', { departmentId: source.departmentId, status: source.status, classified: source.classified, year: source.year }).allowed
  if (!source || !readable) throw new AppError('invalid_input', `来源表（sourceTableId）不存在：${shape.sourceTableId}`, { field: 'sourceTableId' })
  if (source.year !== shape.year) {
    throw new AppError('invalid_input', `来源表“${source.title}”是 ${source.year} 年度的表，组是 ${shape.year} 年度的：请选择同一年度的表`, { field: 'sourceTableId' })
  }
  if (source.classified) throw classifiedSource(source.title)
  if (shape.kind === 'demo-towns') {
    if (!ids.includes(source.departmentId)) {
      throw new AppError('invalid_input', `示范点组的来源表必须是成员镇街（示范点）的表，“${source.title}”属于${all.get(source.departmentId)?.name ?? '其他部门'}`, { field: 'sourceTableId' })
    }
    if (source.status !== 'approved') {
      throw new AppError('invalid_input', `示范点组的来源表必须已批复：“${source.title}”尚未批复`, { field: 'sourceTableId' })
    }
  }
  return source
}

/**
 * A 涉密 table's indicators would leave it in every member's (not 涉密) table and in tables created for
 * members: a group's set must come from a table that is not 涉密.
 */
export function classifiedSource(title: string): AppError {
  return new AppError('invalid_input', `来源表“${title}”是涉密表，其指标不能下发到其他部门的表：请选择非涉密的表作为组的共享指标来源`, { field: 'sourceTableId' })
}
