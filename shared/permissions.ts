// Who may do what to a table: one pure function used by REST reads, exports, findings and the
// live-document rooms alike (Grist's assertCan idea). A denial carries a readable reason.
export const ROLES = ['finance', 'department', 'consultant', 'viewer'] as const
export type Role = (typeof ROLES)[number]
export const TABLE_STATUSES = ['draft', 'submitted', 'returned', 'approved'] as const
export type TableStatus = (typeof TABLE_STATUSES)[number]
export const TABLE_ACTIONS = ['read', 'edit', 'comment', 'submit', 'return', 'approve', 'reopen', 'export', 'review', 'resolve', 'dispose', 'delete'] as const
export type TableAction = (typeof TABLE_ACTIONS)[number]

export interface Actor {
  id: string
  role: Role
  /** departments the user belongs to, including (resolved by the server) their units */
  departmentIds: readonly string[]
  /**
   * consultant: the departments (with their units, resolved by the server) assigned to it for each budget
   * year (第三方机构分工) — they count only for tables of that year
   */
  assignedDepartmentIds?: Readonly<Record<number, readonly string[]>>
}

export interface TableRef {
  departmentId: string
  status: TableStatus
  /** 涉密: only finance and the owning department may read */
  classified?: boolean
  /** frozen versions so far: a draft that was ever submitted is part of the record */
  version?: number
  /** the table's budget year: a consultant's assignment counts only for its year (absent: memberships only) */
  year?: number
}

export type Decision = { allowed: true } | { allowed: false; reason: string }

const ALLOW: Decision = { allowed: true }
const deny = (reason: string): Decision => ({ allowed: false, reason })

function inScope(actor: Actor, table: TableRef): boolean {
  if (actor.departmentIds.includes(table.departmentId)) return true
  return actor.role === 'consultant' && table.year !== undefined && (actor.assignedDepartmentIds?.[table.year]?.includes(table.departmentId) ?? false)
}

/** The departments an actor works in for a budget year: its own, plus (consultants) those assigned for the year. */
export function departmentsFor(actor: Actor, year: number | undefined): string[] {
  const assigned = year !== undefined ? actor.assignedDepartmentIds?.[year] ?? [] : []
  return [...new Set([...actor.departmentIds, ...assigned])]
}

/**
 * A viewer who belongs to no department (人大预算工委, 审计) reads the whole city's tables that are not 涉密;
 * a viewer who belongs to departments (a department's own read-only account) reads only those and their units.
 */
export function isCityWideViewer(actor: Pick<Actor, 'role' | 'departmentIds'>): boolean {
  return actor.role === 'viewer' && actor.departmentIds.length === 0
}

export function can(actor: Actor, action: TableAction, table: TableRef): Decision {
  const finance = actor.role === 'finance'
  const scoped = finance || inScope(actor, table)
  const readable = finance || (scoped && !(table.classified && actor.role === 'consultant')) || (isCityWideViewer(actor) && !table.classified)

  if (!readable) return deny(table.classified ? '该表为涉密表，仅财政局和本部门可查看' : '该表不属于您所在的部门')
  switch (action) {
    case 'read':
    case 'export':
      return ALLOW
    case 'edit':
      if (actor.role === 'viewer') return deny('只读账号不能编辑')
      if (table.status === 'approved') return deny('该表已批复锁定，需重新打开后才能编辑')
      if (!scoped) return deny('该表不属于您所在的部门')
      if (table.status === 'submitted' && !finance) return deny('该表已报送，审核期间不能编辑；如需修改请由财政局退回')
      return ALLOW
    case 'comment':
      if (actor.role === 'viewer') return deny('只读账号不能发表意见')
      if (!scoped) return deny('该表不属于您所在的部门')
      if (table.status === 'approved') return deny('该表已批复锁定，不能再发表意见')
      return ALLOW
    case 'submit':
      if (actor.role !== 'department' && !finance) return deny('只有部门用户可以报送')
      if (!scoped) return deny('该表不属于您所在的部门')
      if (table.status !== 'draft' && table.status !== 'returned') return deny('只有草稿或退回修改的表可以报送')
      return ALLOW
    case 'return':
    case 'approve':
      if (!finance) return deny('只有财政局可以退回或批复')
      if (table.status !== 'submitted') return deny('只有已报送的表可以退回或批复')
      return ALLOW
    case 'reopen':
      if (!finance) return deny('只有财政局可以调整已批复的表')
      if (table.status !== 'approved') return deny('只有已批复的表可以调整')
      return ALLOW
    // grading a round (完整性/相关性/适当性/可行性) and resolving opinions: the reviewers
    case 'review':
    case 'resolve':
      if (!finance && actor.role !== 'consultant') return deny(action === 'review' ? '只有财政局和第三方机构可以评审' : '只有财政局和第三方机构可以将意见标记为已解决')
      if (!scoped) return deny('该表不属于您负责的部门')
      if (table.status === 'approved') return deny('该表已批复锁定')
      return ALLOW
    // answering an opinion (已修改 / 不采纳): the department, or finance on its behalf
    case 'dispose':
      if (actor.role !== 'department' && !finance) return deny('只有部门用户可以答复意见（已修改/不采纳）')
      if (!scoped) return deny('该表不属于您所在的部门')
      if (table.status === 'approved') return deny('该表已批复锁定')
      return ALLOW
    case 'delete':
      if (finance) return ALLOW
      if (actor.role !== 'department') return deny('只有财政局或本部门可以删除绩效目标表')
      if (!scoped) return deny('该表不属于您所在的部门')
      if (table.status !== 'draft') return deny('部门只能删除尚未报送的草稿；其他状态的表请联系财政局')
      if ((table.version ?? 0) > 0) return deny('该表已有报送记录（冻结版本），部门不能删除；如需删除请联系财政局')
      return ALLOW
  }
}

/** The live-document access level a connection gets. */
export function roomAccess(actor: Actor, table: TableRef, room: 'table' | 'comments'): 'write' | 'read' | 'none' {
  if (!can(actor, 'read', table).allowed) return 'none'
  const action: TableAction = room === 'table' ? 'edit' : 'comment'
  return can(actor, action, table).allowed ? 'write' : 'read'
}
